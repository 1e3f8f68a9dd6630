// Damaged and hostile tables: every single-byte corruption and every
// truncation of small tables is detected (or provably harmless), with the
// right TableErrorKind; nothing crashes (run under --config=asan too).
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/io/coding.h"
#include "src/table/block_builder.h"
#include "src/table/table.h"
#include "src/table/table_builder.h"
#include "src/table/test_util.h"

namespace tfckpt::table {
namespace {

using Model = std::map<std::string, std::string>;
using testing::BuildTable;
using testing::OpenString;

struct Outcome {
  bool detected = false;
  TableError error;
  Status status;
  std::optional<Footer> footer;  // set when Open succeeded
};

// Opens and fully reads a table (scan, ListBlocks, Get of every model key).
// Returns the first error; on success checks the contents equal `model`.
Outcome Probe(const std::string& bytes, const Model& model, bool mapped,
              bool* same_contents, ReadOptions ro = {}) {
  Outcome out;
  *same_contents = false;
  auto table = OpenString(bytes, mapped, ro, &out.error);
  if (!table.ok()) {
    out.detected = true;
    out.status = table.status();
    return out;
  }
  out.footer = (*table)->footer();
  Model seen;
  Table::Iterator it = (*table)->NewIterator();
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    seen.emplace(std::string(it.key()), std::string(it.value()));
  }
  if (!it.status().ok()) {
    out.detected = true;
    out.status = it.status();
    out.error = it.error();
    return out;
  }
  auto blocks = (*table)->ListBlocks(&out.error);
  if (!blocks.ok()) {
    out.detected = true;
    out.status = blocks.status();
    return out;
  }
  for (const auto& [k, v] : model) {
    TableError e;
    auto got = (*table)->Get(k, &e);
    if (!got.ok()) {
      out.detected = true;
      out.status = got.status();
      out.error = e;
      return out;
    }
  }
  *same_contents = seen == model;
  return out;
}

Model SmallModel() {
  Model m;
  for (int i = 0; i < 12; ++i) {
    m["key" + std::to_string(10 + i)] = std::string(8 + i, 'a' + i % 3);
  }
  m[""] = "header";
  return m;
}

struct CorruptionCase {
  CompressionType compression;
  bool mapped;
};

class CorruptionTest : public ::testing::TestWithParam<CorruptionCase> {};

// Flip bits of every byte. Every change must be detected, except in the
// footer's unchecked bytes: then contents are unchanged and the footer
// reports non-zero padding or a non-canonical handle encoding.
TEST_P(CorruptionTest, EveryByteFlipIsDetectedOrHarmless) {
  const Model model = SmallModel();
  Options o;
  o.block_size = 64;
  o.block_restart_interval = 2;
  o.compression = GetParam().compression;
  const std::string good = BuildTable(model, o);
  ASSERT_FALSE(good.empty());
  bool same = false;
  ASSERT_FALSE(Probe(good, model, GetParam().mapped, &same).detected);
  ASSERT_TRUE(same);
  if (GetParam().compression == CompressionType::kSnappy) {
    auto t = OpenString(good);
    auto blocks = (*t)->ListBlocks();
    int snappy = 0;
    for (const auto& b : *blocks) snappy += b.type == CompressionType::kSnappy;
    ASSERT_GT(snappy, 0) << "test data should produce snappy blocks";
  }

  const size_t footer_start = good.size() - kFooterLength;
  // Exactly these (byte, mask) flips go unnoticed: any flip in the footer
  // padding, and setting the high bit of the index handle's last byte
  // (0x0e -> 0x8e 0x00: a longer encoding of the same number).
  std::set<std::pair<size_t, int>> expected_harmless;
  {
    auto t = OpenString(good);
    ASSERT_TRUE(t.ok());
    const size_t handles_end = footer_start +
                               (*t)->footer().metaindex_handle.Encode().size() +
                               (*t)->footer().index_handle.Encode().size();
    for (size_t i = handles_end; i < good.size() - 8; ++i) {
      for (int mask : {0x01, 0x80, 0xff}) expected_harmless.insert({i, mask});
    }
    expected_harmless.insert({handles_end - 1, 0x80});
  }
  std::set<std::pair<size_t, int>> harmless_seen;
  std::map<TableErrorKind, int> kinds;
  int harmless = 0;
  for (size_t i = 0; i < good.size(); ++i) {
    for (int mask : {0x01, 0x80, 0xff}) {
      std::string bad = good;
      bad[i] = static_cast<char>(bad[i] ^ mask);
      Outcome r = Probe(bad, model, GetParam().mapped, &same);
      if (r.detected) {
        EXPECT_EQ(r.status.code(), StatusCode::kDataLoss) << r.status;
        EXPECT_NE(r.error.kind, TableErrorKind::kNone) << r.status;
        EXPECT_EQ(r.error.message, r.status.message());
        ++kinds[r.error.kind];
        continue;
      }
      ++harmless;
      harmless_seen.insert({i, mask});
      EXPECT_TRUE(same) << "undetected change at byte " << i;
      EXPECT_GE(i, footer_start) << "undetected flip outside footer, byte "
                                 << i;
      EXPECT_LT(i, good.size() - 8) << "magic flip undetected";
      ASSERT_TRUE(r.footer.has_value());
      EXPECT_TRUE(!r.footer->padding_is_zero || !r.footer->handles_canonical)
          << "byte " << i << " mask " << mask;
    }
  }
  EXPECT_GT(kinds[TableErrorKind::kBlockChecksum], 0);
  EXPECT_GT(kinds[TableErrorKind::kBadMagic], 0);
  EXPECT_GT(harmless, 0);  // the padding
  EXPECT_EQ(harmless_seen, expected_harmless);
}

// Every proper prefix of the file is rejected.
TEST_P(CorruptionTest, EveryTruncationIsDetected) {
  const Model model = SmallModel();
  Options o;
  o.block_size = 64;
  o.compression = GetParam().compression;
  const std::string good = BuildTable(model, o);
  for (size_t len = 0; len < good.size(); ++len) {
    bool same = false;
    Outcome r = Probe(good.substr(0, len), model, GetParam().mapped, &same);
    ASSERT_TRUE(r.detected) << "truncated to " << len;
    EXPECT_EQ(r.status.code(), StatusCode::kDataLoss);
    if (len < kFooterLength) {
      EXPECT_EQ(r.error.kind, TableErrorKind::kTooShort);
      EXPECT_NE(r.status.message().find("file is too short to be an sstable: " +
                                        std::to_string(len) + " bytes"),
                std::string::npos)
          << r.status;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    All, CorruptionTest,
    ::testing::Values(CorruptionCase{CompressionType::kNone, true},
                      CorruptionCase{CompressionType::kNone, false},
                      CorruptionCase{CompressionType::kSnappy, true},
                      CorruptionCase{CompressionType::kSnappy, false}));

// TF never reads the metaindex; with check_metaindex off, exactly the
// metaindex block (and its trailer) joins the footer padding as unchecked.
TEST(CorruptionTest, MetaindexUncheckedOnlyWhenAskedTo) {
  const Model model = SmallModel();
  const std::string good = BuildTable(model);
  auto t = OpenString(good);
  ASSERT_TRUE(t.ok());
  const BlockHandle meta = (*t)->footer().metaindex_handle;
  ReadOptions lax;
  lax.check_metaindex = false;
  for (uint64_t i = meta.offset; i < meta.offset + meta.size + 5; ++i) {
    std::string bad = good;
    bad[i] ^= 0x01;
    bool same = false;
    EXPECT_TRUE(Probe(bad, model, true, &same).detected) << i;
    Outcome r = Probe(bad, model, true, &same, lax);
    // ListBlocks still reads the metaindex, so only Open/scan/Get pass.
    EXPECT_TRUE(r.detected);
    auto lax_table = OpenString(bad, true, lax);
    EXPECT_TRUE(lax_table.ok()) << lax_table.status();
  }
}

// ---------------------------------------------------------------------------
// Hand-crafted hostile tables with valid CRCs: the structure itself is bad.

struct RawBlock {
  std::string contents;
  uint8_t type = 0;
};

// Lays out data blocks, an empty metaindex, an index (keys from
// `index_keys`; values = the data handles unless overridden) and a footer.
std::string Assemble(const std::vector<RawBlock>& data,
                     const std::vector<std::string>& index_keys,
                     const std::map<size_t, std::string>& value_override = {},
                     std::optional<Footer> footer_override = std::nullopt) {
  std::string file;
  std::vector<BlockHandle> handles;
  for (const RawBlock& b : data) {
    handles.push_back({file.size(), b.contents.size()});
    AppendBlockWithTrailer(b.contents, static_cast<CompressionType>(b.type),
                           &file);
  }
  Footer footer;
  BlockBuilder meta(16);
  const std::string meta_bytes(meta.Finish());
  footer.metaindex_handle = {file.size(), meta_bytes.size()};
  AppendBlockWithTrailer(meta_bytes, CompressionType::kNone, &file);
  BlockBuilder index(1);
  for (size_t i = 0; i < index_keys.size(); ++i) {
    auto it = value_override.find(i);
    index.Add(index_keys[i],
              it != value_override.end() ? it->second : handles[i].Encode());
  }
  const std::string index_bytes(index.Finish());
  footer.index_handle = {file.size(), index_bytes.size()};
  AppendBlockWithTrailer(index_bytes, CompressionType::kNone, &file);
  file += (footer_override ? *footer_override : footer).Encode();
  return file;
}

std::string DataBlock(std::vector<std::pair<std::string, std::string>> kvs) {
  BlockBuilder b(16);
  for (const auto& [k, v] : kvs) b.Add(k, v);
  return std::string(b.Finish());
}

TableErrorKind ScanKind(const std::string& bytes, std::string* message) {
  TableError err;
  auto t = OpenString(bytes, true, {}, &err);
  if (!t.ok()) {
    *message = t.status().message();
    return err.kind;
  }
  Table::Iterator it = (*t)->NewIterator();
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
  }
  *message = it.status().message();
  // ListBlocks must agree.
  TableError lerr;
  auto blocks = (*t)->ListBlocks(&lerr);
  EXPECT_EQ(blocks.ok(), it.status().ok());
  if (!blocks.ok()) {
    EXPECT_EQ(lerr.kind, it.error().kind) << lerr.message;
  }
  return it.error().kind;
}

TEST(HostileTableTest, CraftedStructuralErrors) {
  const std::string ab = DataBlock({{"a", "1"}, {"b", "2"}});
  const std::string cd = DataBlock({{"c", "3"}, {"d", "4"}});
  std::string msg;
  // Sanity: the assembler makes valid tables.
  EXPECT_EQ(ScanKind(Assemble({{ab}, {cd}}, {"b", "e"}), &msg),
            TableErrorKind::kNone)
      << msg;

  // Index handle whose size+5 overflows: rejected at Open.
  std::string overflow;
  io::PutVarint64(&overflow, 0);
  io::PutVarint64(&overflow, ~uint64_t{0});
  EXPECT_EQ(ScanKind(Assemble({{ab}}, {"b"}, {{0, overflow}}), &msg),
            TableErrorKind::kBadBlockHandle);
  // Trailing bytes after the handle.
  EXPECT_EQ(ScanKind(Assemble({{ab}}, {"b"},
                              {{0, BlockHandle{0, ab.size()}.Encode() + "x"}}),
                     &msg),
            TableErrorKind::kBadBlockHandle);
  // Handle beyond the end of the file.
  EXPECT_EQ(ScanKind(Assemble({{ab}}, {"b"},
                              {{0, BlockHandle{1000, 10}.Encode()}}),
                     &msg),
            TableErrorKind::kBlockOutOfRange);
  EXPECT_NE(msg.find("1000"), std::string::npos) << msg;
  // Unknown block type with a valid CRC.
  EXPECT_EQ(ScanKind(Assemble({{ab, 7}}, {"b"}), &msg),
            TableErrorKind::kUnknownBlockType);
  // Snappy type over bytes that are not snappy.
  EXPECT_EQ(ScanKind(Assemble({{ab, 1}}, {"b"}), &msg),
            TableErrorKind::kBadCompression);
  // Keys out of order inside a block.
  EXPECT_EQ(ScanKind(Assemble({{DataBlock({{"b", "1"}, {"a", "2"}})}}, {"c"}),
                     &msg),
            TableErrorKind::kUnsortedKeys);
  // A key above its index key.
  EXPECT_EQ(ScanKind(Assemble({{ab}}, {"a"}), &msg),
            TableErrorKind::kUnsortedKeys);
  EXPECT_NE(msg.find("is greater than its index key \"a\""), std::string::npos)
      << msg;
  // Blocks overlapping: second block's first key not above index key 1.
  EXPECT_EQ(ScanKind(Assemble({{ab}, {DataBlock({{"b", "x"}, {"c", "y"}})}},
                              {"b", "d"}),
                     &msg),
            TableErrorKind::kUnsortedKeys);
  // Index keys out of order.
  EXPECT_EQ(ScanKind(Assemble({{ab}, {cd}}, {"e", "b"}), &msg),
            TableErrorKind::kUnsortedKeys);
  // Garbage data block (valid CRC).
  EXPECT_EQ(ScanKind(Assemble({{"\x07\x00\x00\x00"}}, {"b"}), &msg),
            TableErrorKind::kBadBlockContents);
  // Footer handle with overflowing size.
  Footer f;
  f.metaindex_handle = {0, ~uint64_t{0}};
  EXPECT_EQ(ScanKind(Assemble({{ab}}, {"b"}, {}, f), &msg),
            TableErrorKind::kBadBlockHandle);
  // Footer index handle out of range.
  f.metaindex_handle = {0, 1};
  f.index_handle = {5, 1u << 20};
  EXPECT_EQ(ScanKind(Assemble({{ab}}, {"b"}, {}, f), &msg),
            TableErrorKind::kBlockOutOfRange);
}

TEST(HostileTableTest, MessagesNameFileAndOffsets) {
  const std::string good = BuildTable(SmallModel());
  std::string bad = good;
  bad[3] ^= 0x10;  // inside the first data block
  TableError err;
  auto t = OpenString(bad, true, {}, &err);
  ASSERT_TRUE(t.ok());
  auto got = (*t)->Get("key10", &err);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(err.kind, TableErrorKind::kBlockChecksum);
  EXPECT_EQ(err.offset, 0u);
  EXPECT_NE(got.status().message().find(
                "test.table: block checksum mismatch at offset 0"),
            std::string::npos)
      << got.status();

  std::string bad_magic = good;
  bad_magic.back() = 0;
  auto t2 = OpenString(bad_magic, true, {}, &err);
  ASSERT_FALSE(t2.ok());
  EXPECT_EQ(err.kind, TableErrorKind::kBadMagic);
  EXPECT_EQ(err.offset, good.size() - 8);
  EXPECT_NE(t2.status().message().find("test.table: not an sstable (bad "
                                       "magic number): found bytes 57 fb 80 "
                                       "8b 24 75 47 00"),
            std::string::npos)
      << t2.status();
}

}  // namespace
}  // namespace tfckpt::table
