#include "src/table/block.h"

#include <map>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/io/coding.h"
#include "src/table/block_builder.h"

namespace tfckpt::table {
namespace {

std::unique_ptr<Block> ParseOrDie(std::string_view bytes) {
  auto b = Block::Parse(BlockContents::Borrow(bytes));
  EXPECT_TRUE(b.ok()) << b.status();
  return b.ok() ? std::move(b).value() : nullptr;
}

std::vector<std::pair<std::string, std::string>> ReadAll(const Block& b,
                                                         Status* status) {
  std::vector<std::pair<std::string, std::string>> out;
  Block::Iterator it = b.NewIterator();
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    out.emplace_back(std::string(it.key()), std::string(it.value()));
  }
  *status = it.status();
  return out;
}

TEST(BlockBuilderTest, EmptyBlockBytes) {
  BlockBuilder b(16);
  EXPECT_EQ(b.CurrentSizeEstimate(), 8u);
  EXPECT_EQ(b.Finish(), std::string_view("\0\0\0\0\1\0\0\0", 8));
  const std::string bytes("\0\0\0\0\1\0\0\0", 8);  // must outlive block
  auto block = ParseOrDie(bytes);
  Block::Iterator it = block->NewIterator();
  it.SeekToFirst();
  EXPECT_FALSE(it.Valid());
  EXPECT_TRUE(it.status().ok());
  it.Seek("x");
  EXPECT_FALSE(it.Valid());
  EXPECT_TRUE(it.status().ok());
}

TEST(BlockBuilderTest, PrefixCompressionAndRestarts) {
  BlockBuilder b(2);
  b.Add("abc", "1");
  b.Add("abd", "22");
  b.Add("abe", "");
  const size_t estimate = b.CurrentSizeEstimate();
  EXPECT_EQ(estimate, b.Finish().size());
  b.Reset();
  b.Add("abc", "1");
  b.Add("abd", "22");
  b.Add("abe", "");
  const std::string expected(
      "\x00\x03\x01" "abc" "1"      // restart 0
      "\x02\x01\x02" "d" "22"       // shares "ab"
      "\x00\x03\x00" "abe"          // restart at 13
      "\x00\x00\x00\x00" "\x0d\x00\x00\x00" "\x02\x00\x00\x00",
      31);
  EXPECT_EQ(b.Finish(), expected);
}

class BlockRoundTripTest : public ::testing::TestWithParam<int> {};

TEST_P(BlockRoundTripTest, IterateAndSeekMatchModel) {
  std::mt19937 rng(GetParam());
  for (int round = 0; round < 30; ++round) {
    std::map<std::string, std::string> model;
    const int n = rng() % 200;
    for (int i = 0; i < n; ++i) {
      std::string k(rng() % 8, '\0');
      for (char& c : k) c = "ab\xff\x00z"[rng() % 5];
      model[k] = std::string(rng() % 20, static_cast<char>('0' + i % 10));
    }
    BlockBuilder builder(GetParam());
    for (const auto& [k, v] : model) builder.Add(k, v);
    const std::string bytes(builder.Finish());
    auto block = ParseOrDie(bytes);
    ASSERT_NE(block, nullptr);
    Status s;
    auto all = ReadAll(*block, &s);
    ASSERT_TRUE(s.ok()) << s;
    const std::vector<std::pair<std::string, std::string>> want_all(
        model.begin(), model.end());
    ASSERT_EQ(all, want_all);
    for (int q = 0; q < 50; ++q) {
      std::string target(rng() % 9, '\0');
      for (char& c : target) c = "ab\xff\x00z"[rng() % 5];
      Block::Iterator it = block->NewIterator();
      it.Seek(target);
      auto want = model.lower_bound(target);
      if (want == model.end()) {
        EXPECT_FALSE(it.Valid());
        EXPECT_TRUE(it.status().ok());
      } else {
        ASSERT_TRUE(it.Valid()) << it.status();
        EXPECT_EQ(it.key(), want->first);
        EXPECT_EQ(it.value(), want->second);
        it.Next();
        ++want;
        EXPECT_EQ(it.Valid(), want != model.end());
        if (it.Valid()) {
          EXPECT_EQ(it.key(), want->first);
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(RestartIntervals, BlockRoundTripTest,
                         ::testing::Values(1, 2, 3, 16));

// Hand-made hostile blocks: each must fail with the stated kind, never read
// out of bounds (run under ASan).
struct Hostile {
  const char* name;
  std::string bytes;
  bool parse_fails;
  TableErrorKind kind;
};

std::string Restarts(std::vector<uint32_t> offsets) {
  std::string s;
  for (uint32_t o : offsets) io::PutFixed32(&s, o);
  io::PutFixed32(&s, static_cast<uint32_t>(offsets.size()));
  return s;
}

TEST(BlockTest, HostileBlocksFailCleanly) {
  const TableErrorKind kBad = TableErrorKind::kBadBlockContents;
  const std::vector<Hostile> cases = {
      {"empty", "", true, kBad},
      {"three bytes", "\x01\x00\x00", true, kBad},
      {"too many restarts", std::string("\x00\x00\x00\x00\x05\x00\x00\x00", 8),
       true, kBad},
      {"huge num_restarts", std::string("\xff\xff\xff\xff", 4), true, kBad},
      {"zero restarts with entries",
       std::string("\x00\x01\x00" "a", 4) + Restarts({}), true, kBad},
      {"first restart not zero",
       std::string("\x00\x01\x00" "a", 4) + Restarts({1}), true, kBad},
      {"restart beyond array",
       std::string("\x00\x01\x00" "a", 4) + Restarts({0, 40}), true, kBad},
      {"restarts not increasing",
       std::string("\x00\x01\x00" "a" "\x00\x01\x00" "b", 8) +
           Restarts({0, 4, 4}),
       true, kBad},
      {"varint past limit", std::string("\x00\x80", 2) + Restarts({0}), false,
       kBad},
      {"shared > prev key",
       std::string("\x00\x01\x00" "a" "\x05\x01\x00" "b", 8) + Restarts({0}),
       false, kBad},
      {"restart entry shares",
       std::string("\x01\x01\x00" "a", 4) + Restarts({0}), false, kBad},
      {"second restart entry shares",
       std::string("\x00\x01\x00" "a" "\x01\x01\x00" "b", 8) +
           Restarts({0, 4}),
       false, kBad},
      {"value past limit",
       std::string("\x00\x01\x09" "a", 4) + Restarts({0}), false, kBad},
      {"key past limit",
       std::string("\x00\x7f\x00" "a", 4) + Restarts({0}), false, kBad},
      {"huge lengths overflow",
       std::string("\x00\xff\xff\xff\xff\x0f\xff\xff\xff\xff\x0f", 11) +
           Restarts({0}),
       false, kBad},
      {"restart inside entry",
       std::string("\x00\x02\x00" "ab" "\x00\x02\x00" "ac", 10) +
           Restarts({0, 2}),
       false, kBad},
      {"duplicate keys",
       std::string("\x00\x01\x00" "a" "\x01\x00\x00", 7) + Restarts({0}),
       false, TableErrorKind::kUnsortedKeys},
      {"decreasing keys",
       std::string("\x00\x01\x00" "b" "\x00\x01\x00" "a", 8) + Restarts({0}),
       false, TableErrorKind::kUnsortedKeys},
      {"decreasing across restart",
       std::string("\x00\x01\x00" "b" "\x00\x01\x00" "a", 8) +
           Restarts({0, 4}),
       false, TableErrorKind::kUnsortedKeys},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    BlockContents contents = BlockContents::Borrow(c.bytes);
    contents.handle.offset = 1000;
    TableError perr;
    auto block = Block::Parse(std::move(contents), "ctx", &perr);
    if (c.parse_fails) {
      ASSERT_FALSE(block.ok());
      EXPECT_EQ(block.status().code(), StatusCode::kDataLoss);
      EXPECT_EQ(perr.kind, c.kind);
      EXPECT_EQ(perr.offset, 1000u);
      EXPECT_NE(block.status().message().find("ctx: bad block contents"),
                std::string::npos)
          << block.status();
      continue;
    }
    ASSERT_TRUE(block.ok()) << block.status();
    Status s;
    ReadAll(**block, &s);
    EXPECT_EQ(s.code(), StatusCode::kDataLoss);
    Block::Iterator it = (*block)->NewIterator();
    it.SeekToFirst();
    while (it.Valid()) it.Next();
    EXPECT_EQ(it.error().kind, c.kind) << it.status();
    ASSERT_TRUE(it.error().offset_in_block.has_value());
    EXPECT_LT(*it.error().offset_in_block, c.bytes.size());
    if (c.kind == TableErrorKind::kBadBlockContents) {
      EXPECT_NE(it.status().message().find("bad entry in block at offset"),
                std::string::npos)
          << it.status();
    }
    // Seeks must not crash either.
    for (const char* t : {"", "a", "b", "zzz"}) {
      it.Seek(t);
      while (it.Valid()) it.Next();
    }
  }
}

// Every truncation and every single-byte value of a real block: never
// crashes; parsing or iterating either succeeds or reports DataLoss.
TEST(BlockTest, MutationsNeverCrash) {
  BlockBuilder b(2);
  for (const char* k : {"a", "ab", "abc", "b", "bcd", "c"}) b.Add(k, "vv");
  const std::string good(b.Finish());
  auto check = [](const std::string& bytes) {
    auto block = Block::Parse(BlockContents::Borrow(bytes));
    if (!block.ok()) {
      EXPECT_EQ(block.status().code(), StatusCode::kDataLoss);
      return;
    }
    Status s;
    ReadAll(**block, &s);
    if (!s.ok()) {
      EXPECT_EQ(s.code(), StatusCode::kDataLoss);
    }
    Block::Iterator it = (*block)->NewIterator();
    for (const char* t : {"", "ab", "abd", "c", "d"}) {
      it.Seek(t);
      if (!it.status().ok()) {
        EXPECT_EQ(it.status().code(), StatusCode::kDataLoss);
      }
    }
  };
  for (size_t len = 0; len < good.size(); ++len) check(good.substr(0, len));
  for (size_t i = 0; i < good.size(); ++i) {
    for (int v = 0; v < 256; ++v) {
      std::string bad = good;
      bad[i] = static_cast<char>(v);
      check(bad);
    }
  }
}

}  // namespace
}  // namespace tfckpt::table
