// LevelDB-style harness: tables built from many key sets, block sizes,
// restart intervals and compression settings must agree with a std::map on
// full scans, Seek + Next and Get.
#include "src/table/table.h"

#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"
#include "src/table/table_builder.h"
#include "src/table/test_util.h"

namespace tfckpt::table {
namespace {

using Model = std::map<std::string, std::string>;
using testing::BuildTable;
using testing::OpenString;
using testing::ReadAll;
using testing::StringSource;

std::string RandomString(std::mt19937* rng, size_t len, bool binary) {
  std::string s(len, '\0');
  for (char& c : s) {
    c = binary ? static_cast<char>((*rng)() & 0xff)
               : "abcxyz\x00\x01\xfe\xff"[(*rng)() % 10];
  }
  return s;
}

// Key sets that stress prefixes, empty keys, 0xff runs and block cuts.
std::vector<Model> KeySets() {
  std::vector<Model> sets;
  sets.push_back({});
  sets.push_back({{"", ""}});
  sets.push_back({{"", "empty key"}, {"a", "1"}});
  sets.push_back({{std::string("\xff", 1), "f"},
                  {std::string("\xff\xff", 2), "ff"},
                  {std::string("\xff\xff\xff", 3), "fff"}});
  sets.push_back({{"abc", "v"}, {"abcd", ""}, {"abd", std::string(600, 'x')},
                  {"b", "w"}, {std::string("b\xff", 2), "z"}});
  std::mt19937 rng(301);
  for (int n : {10, 100, 1000}) {
    for (bool binary : {false, true}) {
      Model m;
      while (static_cast<int>(m.size()) < n) {
        m[RandomString(&rng, rng() % 12, binary)] =
            RandomString(&rng, rng() % (n == 1000 ? 40 : 300), binary);
      }
      sets.push_back(std::move(m));
    }
  }
  // Long shared prefixes (bundle-like names).
  Model names;
  for (int i = 0; i < 300; ++i) {
    names["model/layer_" + std::to_string(i % 17) + "/kernel/" +
          std::to_string(i) + "/.ATTRIBUTES/VARIABLE_VALUE"] =
        std::string(i % 50, static_cast<char>(i));
  }
  sets.push_back(std::move(names));
  return sets;
}

std::vector<std::string> Probes(const Model& m, std::mt19937* rng) {
  std::vector<std::string> probes = {"", std::string("\xff\xff\xff\xff", 4),
                                     "a", "zzz", std::string(1, '\0')};
  for (const auto& [k, v] : m) {
    if ((*rng)() % 4 == 0 || m.size() < 50) {
      probes.push_back(k);
      probes.push_back(k + std::string(1, '\0'));
      if (!k.empty()) probes.push_back(k.substr(0, k.size() - 1));
      std::string bumped = k;
      FindShortSuccessor(&bumped);
      probes.push_back(bumped);
    }
  }
  for (int i = 0; i < 50; ++i) probes.push_back(RandomString(rng, (*rng)() % 10, false));
  return probes;
}

// (block_size, restart_interval, compression, mapped)
using Config = std::tuple<size_t, int, CompressionType, bool>;

class TableHarnessTest : public ::testing::TestWithParam<Config> {};

TEST_P(TableHarnessTest, AgreesWithStdMap) {
  const auto [block_size, restart_interval, compression, mapped] = GetParam();
  Options options;
  options.block_size = block_size;
  options.block_restart_interval = restart_interval;
  options.compression = compression;
  std::mt19937 rng(block_size * 31 + restart_interval);
  for (const Model& model : KeySets()) {
    SCOPED_TRACE(::testing::Message() << "model of " << model.size());
    testing::StringSink sink;
    TableBuilder builder(options, &sink);
    for (const auto& [k, v] : model) ASSERT_TRUE(builder.Add(k, v).ok());
    ASSERT_TRUE(builder.Finish().ok());
    EXPECT_EQ(builder.NumEntries(), model.size());
    EXPECT_EQ(builder.FileSize(), sink.contents().size());

    auto table = OpenString(sink.contents(), mapped);
    ASSERT_TRUE(table.ok()) << table.status();
    const Table& t = **table;

    // Full scan.
    auto all = ReadAll(t);
    ASSERT_TRUE(all.ok()) << all.status();
    ASSERT_EQ(*all, model);

    // Block listing agrees with the scan.
    auto blocks = t.ListBlocks();
    ASSERT_TRUE(blocks.ok()) << blocks.status();
    uint64_t entries = 0;
    for (const BlockInfo& b : *blocks) {
      if (b.kind == BlockInfo::Kind::kData) entries += b.num_entries;
    }
    EXPECT_EQ(entries, model.size());
    EXPECT_EQ(blocks->size(), t.num_data_blocks() + 2);
    EXPECT_TRUE(AnalyzeLayout(*blocks, sink.contents().size()).ok());
    if (block_size == 1) {
      EXPECT_EQ(t.num_data_blocks(), model.size());
    }

    // Seek + a few Next, and Get, for many probes.
    for (const std::string& probe : Probes(model, &rng)) {
      Table::Iterator it = t.NewIterator();
      it.Seek(probe);
      auto want = model.lower_bound(probe);
      for (int step = 0; step < 3; ++step) {
        if (want == model.end()) {
          EXPECT_FALSE(it.Valid());
          break;
        }
        ASSERT_TRUE(it.Valid()) << it.status();
        ASSERT_EQ(it.key(), want->first);
        ASSERT_EQ(it.value(), want->second);
        it.Next();
        ++want;
      }
      ASSERT_TRUE(it.status().ok()) << it.status();

      auto got = t.Get(probe);
      ASSERT_TRUE(got.ok()) << got.status();
      auto exact = model.find(probe);
      if (exact == model.end()) {
        EXPECT_FALSE(got->has_value());
      } else {
        ASSERT_TRUE(got->has_value());
        EXPECT_EQ(**got, exact->second);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Configs, TableHarnessTest,
    ::testing::Combine(::testing::Values(size_t{1}, size_t{64}, size_t{256},
                                         size_t{4096}, size_t{262144}),
                       ::testing::Values(1, 2, 16),
                       ::testing::Values(CompressionType::kNone,
                                         CompressionType::kSnappy),
                       ::testing::Bool()));

TEST(TableTest, ValuesAreZeroCopyWhenMappedAndUncompressed) {
  Model m{{"a", "apple"}, {"b", "banana"}};
  const std::string bytes = BuildTable(m);
  auto source = std::make_shared<StringSource>(bytes, /*mapped=*/true);
  auto table = Table::Open(source);
  ASSERT_TRUE(table.ok());
  Table::Iterator it = (*table)->NewIterator();
  it.Seek("b");
  ASSERT_TRUE(it.Valid());
  EXPECT_TRUE(it.value_is_stable());
  const char* base = source->MappedData();
  EXPECT_GE(it.value().data(), base);
  EXPECT_LT(it.value().data(), base + bytes.size());

  auto unmapped = OpenString(bytes, /*mapped=*/false);
  ASSERT_TRUE(unmapped.ok());
  Table::Iterator it2 = (*unmapped)->NewIterator();
  it2.SeekToFirst();
  ASSERT_TRUE(it2.Valid());
  EXPECT_FALSE(it2.value_is_stable());
}

// Like TF's SeekToFirstKeyDoesNotReadTooMuch: opening and reading the first
// entry touches the footer, index, metaindex and one data block only.
TEST(TableTest, SeekToFirstReadsLittle) {
  Model m;
  for (int i = 0; i < 2000; ++i) {
    m["key" + std::to_string(100000 + i)] = std::string(100, 'v');
  }
  Options o;
  o.block_size = 1024;
  const std::string bytes = BuildTable(m, o);
  auto source = std::make_shared<StringSource>(bytes, /*mapped=*/false);
  auto table = Table::Open(source);
  ASSERT_TRUE(table.ok());
  const uint64_t after_open = source->bytes_read();
  Table::Iterator it = (*table)->NewIterator();
  it.SeekToFirst();
  ASSERT_TRUE(it.Valid());
  EXPECT_LT(source->bytes_read() - after_open, 1200u);
  EXPECT_LT(after_open, bytes.size() / 10);
}

TEST(TableTest, AnalyzeLayoutFindsGapsAndOverlaps) {
  auto block = [](uint64_t offset, uint64_t size) {
    BlockInfo b;
    b.handle = {offset, size};
    return b;
  };
  // [0,10) [10,20) footer [20,68): perfect tiling.
  EXPECT_TRUE(AnalyzeLayout({block(0, 5), block(10, 5)}, 68).ok());
  // A gap before the first block and between blocks.
  TableLayout l = AnalyzeLayout({block(3, 5), block(20, 5)}, 78);
  ASSERT_EQ(l.gaps.size(), 2u);
  EXPECT_EQ(l.gaps[0], (BlockHandle{0, 3}));
  EXPECT_EQ(l.gaps[1], (BlockHandle{13, 7}));
  EXPECT_TRUE(l.overlaps.empty());
  // Overlapping blocks, and a block running into the footer.
  l = AnalyzeLayout({block(0, 10), block(5, 5), block(15, 30)}, 80);
  EXPECT_TRUE(l.gaps.empty());
  ASSERT_EQ(l.overlaps.size(), 2u);
  EXPECT_EQ(l.overlaps[0], (std::pair<size_t, size_t>{0, 1}));
  EXPECT_EQ(l.overlaps[1], (std::pair<size_t, size_t>{2, 3}));
}

TEST(TableTest, GetOnBlockBoundaries) {
  Model m;
  for (int i = 0; i < 500; ++i) m[std::to_string(1000 + i)] = std::to_string(i);
  Options o;
  o.block_size = 64;
  auto table = OpenString(BuildTable(m, o));
  ASSERT_TRUE(table.ok());
  for (const auto& [k, v] : m) {
    auto got = (*table)->Get(k);
    ASSERT_TRUE(got.ok() && got->has_value()) << k;
    EXPECT_EQ(**got, v);
    auto missing = (*table)->Get(k + "5");
    ASSERT_TRUE(missing.ok());
    EXPECT_FALSE(missing->has_value());
  }
}

}  // namespace
}  // namespace tfckpt::table
