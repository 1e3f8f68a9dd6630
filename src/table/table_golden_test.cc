// Real TF-written tables from ../shared/tf-golden (skipped when absent):
// they must open, iterate and list cleanly, and rebuilding them from their
// entries with the matching compression must reproduce them byte-for-byte.
#include <filesystem>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/io/env.h"
#include "src/table/table.h"
#include "src/table/table_builder.h"
#include "src/table/test_util.h"
#include "src/testing/shared_dir.h"

namespace tfckpt::table {
namespace {

constexpr char kAnchor[] = "src/table/BUILD";

std::optional<std::string> Golden(const std::string& relative) {
  return tfckpt::testing::FindSharedPath(kAnchor, "tf-golden/" + relative);
}

struct Loaded {
  std::unique_ptr<Table> table;
  std::vector<std::pair<std::string, std::string>> entries;
  std::vector<BlockInfo> blocks;
  std::string bytes;
};

Loaded Load(const std::string& path) {
  Loaded out;
  auto file = io::Env::Default()->NewRandomAccessFile(path);
  EXPECT_TRUE(file.ok()) << file.status();
  if (!file.ok()) return out;
  auto bytes = io::Env::Default()->ReadFileToString(path);
  EXPECT_TRUE(bytes.ok());
  out.bytes = *bytes;
  TableError err;
  auto table = Table::Open(std::move(file).value(), ReadOptions{}, &err);
  EXPECT_TRUE(table.ok()) << table.status();
  if (!table.ok()) return out;
  out.table = std::move(table).value();
  EXPECT_TRUE(out.table->footer().padding_is_zero);
  EXPECT_TRUE(out.table->footer().handles_canonical);
  Table::Iterator it = out.table->NewIterator();
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    out.entries.emplace_back(std::string(it.key()), std::string(it.value()));
  }
  EXPECT_TRUE(it.status().ok()) << it.status();
  auto blocks = out.table->ListBlocks();
  EXPECT_TRUE(blocks.ok()) << blocks.status();
  if (blocks.ok()) out.blocks = *blocks;
  EXPECT_TRUE(AnalyzeLayout(out.blocks, out.bytes.size()).ok());
  return out;
}

std::string Rebuild(const Loaded& t, CompressionType compression) {
  Options o;
  o.compression = compression;
  testing::StringSink sink;
  TableBuilder b(o, &sink);
  for (const auto& [k, v] : t.entries) EXPECT_TRUE(b.Add(k, v).ok());
  EXPECT_TRUE(b.Finish().ok());
  return sink.contents();
}

std::vector<std::string> Keys(const Loaded& t) {
  std::vector<std::string> keys;
  for (const auto& e : t.entries) keys.push_back(e.first);
  return keys;
}

TEST(TableGoldenTest, HalfPlusTwoCpuHasSnappyDataBlock) {
  auto path = Golden(
      "serving/saved_model_half_plus_two_cpu/00000123/variables/"
      "variables.index");
  if (!path) GTEST_SKIP() << "../shared/tf-golden not present";
  Loaded t = Load(*path);
  ASSERT_NE(t.table, nullptr);
  // Unlike the _gpu variant, this export also holds "a2" and "c2" (checked
  // by hand-decoding the snappy stream: "01 01 0d 32" = shared 1, "2").
  EXPECT_EQ(Keys(t),
            (std::vector<std::string>{"", "a", "a2", "b", "c", "c2"}));
  ASSERT_EQ(t.blocks.size(), 3u);
  EXPECT_EQ(t.blocks[0].type, CompressionType::kSnappy);
  EXPECT_EQ(t.blocks[0].handle, (BlockHandle{0, 87}));
  EXPECT_EQ(t.blocks[0].uncompressed_size, 100u);
  EXPECT_EQ(t.blocks[0].index_key, "d");
  EXPECT_EQ(Rebuild(t, CompressionType::kSnappy), t.bytes);
  auto b = t.table->Get("b");
  ASSERT_TRUE(b.ok() && b->has_value());
}

TEST(TableGoldenTest, HalfPlusTwoGpuIsUncompressed) {
  auto path = Golden(
      "serving/saved_model_half_plus_two_gpu/00000123/variables/"
      "variables.index");
  if (!path) GTEST_SKIP() << "../shared/tf-golden not present";
  Loaded t = Load(*path);
  ASSERT_NE(t.table, nullptr);
  EXPECT_EQ(Keys(t), (std::vector<std::string>{"", "a", "b", "c"}));
  ASSERT_EQ(t.blocks.size(), 3u);
  EXPECT_EQ(t.blocks[0].type, CompressionType::kNone);
  EXPECT_EQ(Rebuild(t, CompressionType::kNone), t.bytes);
}

// Every .index under tf-golden: readable, header key "" first, and
// reproducible byte-for-byte with the compression its data blocks use.
TEST(TableGoldenTest, AllGoldenIndexesRoundTripByteForByte) {
  auto root = tfckpt::testing::FindSharedPath(kAnchor, "tf-golden");
  if (!root) GTEST_SKIP() << "../shared/tf-golden not present";
  int seen = 0;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(*root)) {
    if (entry.path().extension() != ".index") continue;
    SCOPED_TRACE(entry.path().string());
    ++seen;
    Loaded t = Load(entry.path().string());
    ASSERT_NE(t.table, nullptr);
    ASSERT_FALSE(t.entries.empty());
    EXPECT_EQ(t.entries[0].first, "");
    bool snappy = false;
    for (const BlockInfo& b : t.blocks) {
      snappy |= b.type == CompressionType::kSnappy;
    }
    EXPECT_EQ(Rebuild(t, snappy ? CompressionType::kSnappy
                                : CompressionType::kNone),
              t.bytes);
  }
  EXPECT_GT(seen, 0);
}

}  // namespace
}  // namespace tfckpt::table
