#include "src/table/table_builder.h"

#include <string>

#include "gtest/gtest.h"
#include "src/table/table.h"
#include "src/table/test_util.h"

namespace tfckpt::table {
namespace {

using testing::OpenString;
using testing::ReadAll;
using testing::StringSink;

std::string Bytes(std::initializer_list<int> v) {
  std::string s;
  for (int b : v) s.push_back(static_cast<char>(b));
  return s;
}

// FORMATS.md §2.7: the 117-byte .index of a bundle holding one float32
// scalar "a" = 0.5. Every byte is listed in the spec.
TEST(TableBuilderTest, WorkedExampleByteForByte) {
  StringSink sink;
  TableBuilder b(Options{}, &sink);
  ASSERT_TRUE(b.Add("", Bytes({0x08, 0x01, 0x1a, 0x02, 0x08, 0x01})).ok());
  ASSERT_TRUE(b.Add("a", Bytes({0x08, 0x01, 0x12, 0x00, 0x28, 0x04, 0x35,
                                0x06, 0x38, 0x27, 0x1f}))
                  .ok());
  ASSERT_TRUE(b.Finish().ok());

  std::string expected;
  // data block @0 (32 bytes)
  expected += Bytes({0x00, 0x00, 0x06, 0x08, 0x01, 0x1a, 0x02, 0x08, 0x01});
  expected += Bytes({0x00, 0x01, 0x0b, 0x61, 0x08, 0x01, 0x12, 0x00, 0x28,
                     0x04, 0x35, 0x06, 0x38, 0x27, 0x1f});
  expected += Bytes({0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00});
  expected += Bytes({0x00, 0x45, 0x05, 0xe1, 0xca});  // trailer
  // metaindex @37 (8 bytes) + trailer
  expected += Bytes({0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00});
  expected += Bytes({0x00, 0xc0, 0xf2, 0xa1, 0xb0});
  // index @50 (14 bytes) + trailer: "b" -> handle(0, 32)
  expected += Bytes({0x00, 0x01, 0x02, 0x62, 0x00, 0x20});
  expected += Bytes({0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00});
  expected += Bytes({0x00, 0x30, 0xd3, 0x69, 0x1c});
  // footer @69
  expected += Bytes({0x25, 0x08, 0x32, 0x0e});
  expected += std::string(36, '\0');
  expected += Bytes({0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb});
  ASSERT_EQ(expected.size(), 117u);

  const std::string& got = sink.contents();
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(static_cast<uint8_t>(got[i]), static_cast<uint8_t>(expected[i]))
        << "byte " << i;
  }
  EXPECT_EQ(b.FileSize(), 117u);
  EXPECT_EQ(b.NumEntries(), 2u);

  // And it reads back, with the block layout of the listing.
  auto table = OpenString(got);
  ASSERT_TRUE(table.ok()) << table.status();
  auto blocks = (*table)->ListBlocks();
  ASSERT_TRUE(blocks.ok()) << blocks.status();
  ASSERT_EQ(blocks->size(), 3u);
  EXPECT_EQ((*blocks)[0].handle, (BlockHandle{0, 32}));
  EXPECT_EQ((*blocks)[0].num_entries, 2u);
  EXPECT_EQ((*blocks)[0].index_key, "b");
  EXPECT_EQ((*blocks)[1].kind, BlockInfo::Kind::kMetaindex);
  EXPECT_EQ((*blocks)[1].handle, (BlockHandle{37, 8}));
  EXPECT_EQ((*blocks)[1].num_entries, 0u);
  EXPECT_EQ((*blocks)[2].kind, BlockInfo::Kind::kIndex);
  EXPECT_EQ((*blocks)[2].handle, (BlockHandle{50, 14}));
  EXPECT_EQ((*blocks)[2].num_entries, 1u);
}

TEST(TableBuilderTest, EmptyTable) {
  StringSink sink;
  TableBuilder b(Options{}, &sink);
  ASSERT_TRUE(b.Finish().ok());
  // Empty metaindex, empty index, footer.
  std::string expected(Bytes({0, 0, 0, 0, 1, 0, 0, 0, 0, 0xc0, 0xf2, 0xa1,
                              0xb0}));
  expected += expected;
  Footer f;
  f.metaindex_handle = {0, 8};
  f.index_handle = {13, 8};
  expected += f.Encode();
  EXPECT_EQ(sink.contents(), expected);
  auto table = OpenString(sink.contents());
  ASSERT_TRUE(table.ok()) << table.status();
  auto all = ReadAll(**table);
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->empty());
  EXPECT_EQ((*table)->num_data_blocks(), 0u);
  auto got = (*table)->Get("");
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
}

TEST(TableBuilderTest, RejectsUnsortedAndDuplicateKeys) {
  StringSink sink;
  TableBuilder b(Options{}, &sink);
  ASSERT_TRUE(b.Add("b", "1").ok());
  Status s = b.Add("a", "2");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("\"a\" comes after \"b\""), std::string::npos)
      << s;
  s = b.Add("b", "3");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("\"b\" repeats \"b\""), std::string::npos) << s;
  // Still usable; the rejected entries were not written.
  ASSERT_TRUE(b.Add("c", "4").ok());
  ASSERT_TRUE(b.Finish().ok());
  auto table = OpenString(sink.contents());
  ASSERT_TRUE(table.ok());
  auto all = ReadAll(**table);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, (std::map<std::string, std::string>{{"b", "1"}, {"c", "4"}}));
  EXPECT_FALSE(b.Add("d", "5").ok());  // after Finish
}

TEST(TableBuilderTest, InvalidOptions) {
  StringSink sink;
  Options o;
  o.block_restart_interval = 0;
  TableBuilder b(o, &sink);
  EXPECT_EQ(b.Add("a", "b").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(b.Finish().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(sink.contents().empty());
}

// Fails every Append once `budget` bytes have been accepted.
class FailingSink final : public io::WritableFile {
 public:
  explicit FailingSink(size_t budget) : budget_(budget) {}
  Status Append(std::string_view data) override {
    if (size_ + data.size() > budget_) return UnavailableError("disk full");
    size_ += data.size();
    return OkStatus();
  }
  Status Flush() override { return OkStatus(); }
  Status Sync() override { return OkStatus(); }
  Status Close() override { return OkStatus(); }
  uint64_t Size() const override { return size_; }

 private:
  size_t budget_;
  size_t size_ = 0;
};

TEST(TableBuilderTest, WriteErrorsAreStickyAtEveryPoint) {
  Options o;
  o.block_size = 32;
  const std::string full = [&] {
    StringSink sink;
    TableBuilder b(o, &sink);
    for (int i = 0; i < 20; ++i) {
      EXPECT_TRUE(b.Add("key" + std::to_string(100 + i), "value").ok());
    }
    EXPECT_TRUE(b.Finish().ok());
    return sink.contents();
  }();
  for (size_t budget = 0; budget < full.size(); ++budget) {
    FailingSink sink(budget);
    TableBuilder b(o, &sink);
    Status s;
    for (int i = 0; i < 20 && s.ok(); ++i) {
      s = b.Add("key" + std::to_string(100 + i), "value");
    }
    if (s.ok()) s = b.Finish();
    EXPECT_EQ(s.code(), StatusCode::kUnavailable) << budget;
    EXPECT_EQ(b.status().code(), StatusCode::kUnavailable);
    EXPECT_EQ(b.Add("zzz", "").code(), StatusCode::kUnavailable);
    EXPECT_EQ(b.Finish().code(), StatusCode::kUnavailable);
  }
}

TEST(TableBuilderTest, AbandonStopsFurtherWrites) {
  StringSink sink;
  TableBuilder b(Options{}, &sink);
  ASSERT_TRUE(b.Add("a", "1").ok());
  b.Abandon();
  EXPECT_FALSE(b.Add("b", "2").ok());
  EXPECT_FALSE(b.Finish().ok());
  EXPECT_TRUE(sink.contents().empty());  // the block was never flushed
}

TEST(TableBuilderTest, SeparatorsAndSuccessors) {
  auto sep = [](std::string start, std::string limit) {
    FindShortestSeparator(&start, limit);
    return start;
  };
  EXPECT_EQ(sep("abc", "abe"), "abd");
  EXPECT_EQ(sep("abc", "abd"), "abc");      // no room between
  EXPECT_EQ(sep("abc", "abcd"), "abc");     // prefix
  EXPECT_EQ(sep("the quick", "the who"), "the r");
  EXPECT_EQ(sep(std::string("a\xff", 2), "b"), std::string("a\xff", 2));
  EXPECT_EQ(sep(std::string("\xfe\x01", 2), "\xff"), std::string("\xfe\x01", 2));
  EXPECT_EQ(sep("", "a"), "");
  auto succ = [](std::string key) {
    FindShortSuccessor(&key);
    return key;
  };
  EXPECT_EQ(succ("a"), "b");
  EXPECT_EQ(succ("abc"), "b");
  EXPECT_EQ(succ(""), "");
  EXPECT_EQ(succ(std::string("\xff\xff", 2)), std::string("\xff\xff", 2));
  EXPECT_EQ(succ(std::string("\xff\x01\x05", 3)), std::string("\xff\x02", 2));
}

// TF's "overly large entry" rule: an entry with key+value >= 2*block_size
// flushes the current block first, so it starts a block of its own.
TEST(TableBuilderTest, OverlyLargeEntryStartsItsOwnBlock) {
  Options o;
  o.block_size = 100;
  StringSink sink;
  TableBuilder b(o, &sink);
  ASSERT_TRUE(b.Add("a", "x").ok());
  ASSERT_TRUE(b.Add("b", std::string(199, 'y')).ok());  // 1+199 >= 200
  ASSERT_TRUE(b.Add("c", "z").ok());
  ASSERT_TRUE(b.Finish().ok());
  auto table = OpenString(sink.contents());
  ASSERT_TRUE(table.ok());
  auto blocks = (*table)->ListBlocks();
  ASSERT_TRUE(blocks.ok());
  // [a] [b] (cut by size) [c], then metaindex and index.
  ASSERT_EQ(blocks->size(), 5u);
  EXPECT_EQ((*blocks)[0].num_entries, 1u);
  EXPECT_EQ((*blocks)[0].index_key, "a");  // no room between "a" and "b"
  EXPECT_EQ((*blocks)[1].num_entries, 1u);
  EXPECT_EQ((*blocks)[2].num_entries, 1u);
  EXPECT_EQ((*blocks)[2].index_key, "d");

  // One byte less: "b" joins "a"'s block.
  StringSink sink2;
  TableBuilder b2(o, &sink2);
  ASSERT_TRUE(b2.Add("a", "x").ok());
  ASSERT_TRUE(b2.Add("b", std::string(198, 'y')).ok());
  ASSERT_TRUE(b2.Finish().ok());
  auto table2 = OpenString(sink2.contents());
  ASSERT_TRUE(table2.ok());
  auto blocks2 = (*table2)->ListBlocks();
  ASSERT_TRUE(blocks2.ok());
  ASSERT_EQ(blocks2->size(), 3u);
  EXPECT_EQ((*blocks2)[0].num_entries, 2u);
}

TEST(TableBuilderTest, SnappyUsedOnlyWhenItSaves12Point5Percent) {
  Options o;
  o.compression = CompressionType::kSnappy;
  std::map<std::string, std::string> compressible, random;
  for (int i = 0; i < 100; ++i) {
    compressible["k" + std::to_string(1000 + i)] = std::string(100, 'v');
    std::string r;
    uint32_t x = 12345 + i;
    for (int j = 0; j < 100; ++j) {
      x = x * 1103515245 + 12345;
      r.push_back(static_cast<char>(x >> 24));
    }
    random["k" + std::to_string(1000 + i)] = r;
  }
  for (const auto* entries : {&compressible, &random}) {
    const std::string bytes = testing::BuildTable(*entries, o);
    ASSERT_FALSE(bytes.empty());
    auto table = OpenString(bytes);
    ASSERT_TRUE(table.ok()) << table.status();
    auto blocks = (*table)->ListBlocks();
    ASSERT_TRUE(blocks.ok()) << blocks.status();
    const CompressionType want = entries == &compressible
                                     ? CompressionType::kSnappy
                                     : CompressionType::kNone;
    EXPECT_EQ((*blocks)[0].type, want);
    // The 8-byte metaindex never shrinks enough.
    EXPECT_EQ((*blocks)[blocks->size() - 2].type, CompressionType::kNone);
    auto all = ReadAll(**table);
    ASSERT_TRUE(all.ok());
    EXPECT_EQ(*all, *entries);
  }
}

}  // namespace
}  // namespace tfckpt::table
