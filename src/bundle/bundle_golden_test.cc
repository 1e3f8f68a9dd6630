// Checkpoints written by real TensorFlow: the project's goldens of every
// TF release (golden/tf-2.21 described by golden/MANIFEST.json, golden/tf-1.15
// and golden/tf-2.11 by their own MANIFEST.json) and, when present,
// ../shared/tf-golden. tfckpt must read every tensor exactly as TF wrote it
// and, writing the same tensors in the same order, reproduce TF's files
// byte for byte (TF 1.15, 2.11 and 2.21 write the same bundle bytes for the
// same tensors: docs/TF_VERSIONS.md).

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "gtest/gtest.h"
#include "proto/trackable_object_graph.pb.h"
#include "src/bundle/bundle_reader.h"
#include "src/bundle/bundle_writer.h"
#include "src/bundle/naming.h"
#include "src/io/hex.h"
#include "src/io/mem_env.h"
#include "src/io/sha256.h"
#include "src/table/table.h"
#include "src/testing/golden_manifest.h"
#include "src/testing/shared_dir.h"

namespace tfckpt::bundle {
namespace {

using tensor::Tensor;

struct GoldenCheckpoint {
  std::string scenario, prefix;
  nlohmann::json tensors;
  bool tf_written;  // else tfckpt wrote it (MANIFEST "written_by")
};

// The V2 checkpoints of one TF release's corpus (golden_manifest.h).
std::vector<GoldenCheckpoint> V2Checkpoints(const testing::golden::Corpus& corpus) {
  std::vector<GoldenCheckpoint> out;
  for (const auto& s : corpus.manifest["scenarios"]) {
    if (!s.contains("checkpoints")) continue;
    for (const auto& c : s["checkpoints"]) {
      if (c["format"] != "V2") continue;
      out.push_back({"tf-" + corpus.version + "/" + s["name"].get<std::string>(),
                     corpus.Path(s, c["prefix"]), c["tensors"],
                     c.value("written_by", "tensorflow") == "tensorflow"});
    }
  }
  return out;
}

std::vector<GoldenCheckpoint> V2Checkpoints() {
  std::vector<GoldenCheckpoint> out;
  for (const auto& corpus : testing::golden::Corpora()) {
    for (auto& g : V2Checkpoints(corpus)) out.push_back(std::move(g));
  }
  return out;
}

// Every corpus holds V2 checkpoints: TF 2.11's only object-based ones
// (golden/tf-2.11 holds just what a middle 2.x writes differently).
TEST(BundleGolden, ManifestListsCheckpoints) {
  const std::map<std::string, size_t> at_least = {{"2.21", 20}, {"1.15", 20}, {"2.11", 4}};
  ASSERT_EQ(testing::golden::Corpora().size(), at_least.size());
  for (const auto& corpus : testing::golden::Corpora()) {
    EXPECT_GE(V2Checkpoints(corpus).size(), at_least.at(corpus.version)) << corpus.version;
  }
}

// Every tensor of one checkpoint equals its MANIFEST record.
void ExpectTensorsAsRecorded(const GoldenCheckpoint& g, int* checked) {
  auto r = BundleReader::Open(io::Env::Default(), g.prefix);
  ASSERT_TRUE(r.ok()) << g.scenario << ": " << r.status();
  auto list = (*r)->ListTensors();
  ASSERT_TRUE(list.ok()) << g.scenario << ": " << list.status();
  EXPECT_EQ(list->size(), g.tensors.size()) << g.scenario;
  for (const auto& t : g.tensors) {
    const std::string name = t["name"];
    SCOPED_TRACE(g.scenario + " " + name);
    auto got = (*r)->Lookup(name);
    ASSERT_TRUE(got.ok()) << got.status();
    tensorflow::DataType dtype;
    ASSERT_TRUE(tensorflow::DataType_Parse(t["dtype"].get<std::string>(), &dtype));
    EXPECT_EQ(got->dtype(), dtype);
    std::vector<int64_t> shape = t["shape"];
    EXPECT_EQ(got->shape().dims(), shape);
    if (got->is_string()) {
      std::vector<std::string> want = t["values"];
      ASSERT_EQ(got->strings().size(), want.size());
      for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(io::Hex(got->strings()[i]), want[i]) << i;
    } else {
      const std::string_view raw(got->raw_data(), got->TotalBytes());
      if (t.contains("raw_hex")) {
        EXPECT_EQ(io::Hex(raw), t["raw_hex"].get<std::string>());
      } else {
        EXPECT_EQ(io::Sha256Hex(raw), t["raw_sha256"].get<std::string>());
      }
    }
    ++*checked;
  }
}

TEST(BundleGolden, EveryTensorMatchesTheManifest) {
  std::map<std::string, int> checked;  // by TF version
  for (const auto& corpus : testing::golden::Corpora()) {
    for (const GoldenCheckpoint& g : V2Checkpoints(corpus)) {
      ExpectTensorsAsRecorded(g, &checked[corpus.version]);
    }
  }
  EXPECT_GT(checked["2.21"], 2000);
  EXPECT_GT(checked["1.15"], 400);
  EXPECT_GT(checked["2.11"], 40);
}

// Re-adding TF's tensors in TF's data-file order must give TF's bytes.
void ExpectRewriteIsByteIdentical(const std::string& prefix, const std::string& what) {
  auto r = BundleReader::Open(io::Env::Default(), prefix);
  ASSERT_TRUE(r.ok()) << r.status();
  if ((*r)->header().num_shards() != 1) return;
  struct Item {
    int64_t offset;
    std::string key;
    ParsedEntry entry;
  };
  std::vector<Item> items;
  std::map<std::string, ParsedEntry> full_entries;
  auto it = (*r)->index().NewIterator();
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    if (it.key().empty()) continue;
    auto e = (*r)->GetEntry(it.key());
    ASSERT_TRUE(e.ok()) << e.status();
    if (e->partitioned()) {
      full_entries[std::string(it.key())] = *e;
    } else {
      items.push_back({e->proto.offset(), std::string(it.key()), *e});
    }
  }
  // Data-file order; empty tensors share the offset of whatever follows.
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return std::make_pair(a.offset, a.entry.proto.size()) <
           std::make_pair(b.offset, b.entry.proto.size());
  });
  io::MemEnv mem;
  BundleWriter w(&mem, "/rewrite");
  for (const Item& item : items) {
    auto t = (*r)->ReadEntry(item.key, item.entry);
    ASSERT_TRUE(t.ok()) << t.status();
    if (item.key[0] == '\0') {
      std::string name;
      tensor::TensorSlice slice;
      ASSERT_TRUE(tensor::DecodeTensorNameSlice(item.key, &name, &slice).ok());
      ASSERT_EQ(full_entries.count(name), 1u);
      ASSERT_TRUE(w.AddSlice(name, full_entries[name].shape, slice, *t).ok());
    } else {
      ASSERT_TRUE(w.Add(item.key, *t).ok());
    }
  }
  ASSERT_TRUE(w.Finish().ok()) << w.status();
  const auto read = [](io::Env* env, const std::string& path) { return *env->ReadFileToString(path); };
  EXPECT_EQ(read(&mem, DataFilename("/rewrite", 0, 1)),
            read(io::Env::Default(), DataFilename(prefix, 0, 1))) << what << " data";
  EXPECT_EQ(io::Hex(read(&mem, MetaFilename("/rewrite"))),
            io::Hex(read(io::Env::Default(), MetaFilename(prefix)))) << what << " index";
}

TEST(BundleGolden, RewriteReproducesTensorFlowBytes) {
  for (const GoldenCheckpoint& g : V2Checkpoints()) {
    // tfckpt's own snappy/big-endian/aligned files: not TF's bytes.
    if (!g.tf_written) continue;
    SCOPED_TRACE(g.scenario);
    ExpectRewriteIsByteIdentical(g.prefix, g.scenario);
  }
}

// Every block of `table_file`, read with the library.
std::vector<table::BlockInfo> BlocksOf(const std::string& table_file) {
  auto file = io::Env::Default()->NewRandomAccessFile(table_file);
  EXPECT_TRUE(file.ok()) << table_file << ": " << file.status();
  if (!file.ok()) return {};
  auto t = table::Table::Open(std::move(file).value());
  EXPECT_TRUE(t.ok()) << table_file << ": " << t.status();
  if (!t.ok()) return {};
  auto blocks = (*t)->ListBlocks();
  EXPECT_TRUE(blocks.ok()) << table_file << ": " << blocks.status();
  return blocks.ok() ? *blocks : std::vector<table::BlockInfo>{};
}

// The table layouts the goldens are there for, measured on the files with
// the library (the MANIFESTs record only what TensorFlow reads): TF 1.15,
// 2.11 and 2.21 write every block of V2 indexes and V1 files uncompressed
// (TABLE-3.6), snappy_index (tfckpt convert --index-compression snappy)
// holds a snappy block, and index_many_blocks' index spans more than one
// data block.
TEST(BundleGolden, TableBlocksAreWhatTheScenariosSay) {
  int tf_tables = 0, snappy_index = 0, many_blocks = 0;
  for (const auto& corpus : testing::golden::Corpora()) {
    for (const auto& s : corpus.manifest["scenarios"]) {
      for (const auto& c : s.value("checkpoints", nlohmann::json::array())) {
        std::vector<std::string> tables;
        if (c["format"] == "V2") {
          tables.push_back(MetaFilename(corpus.Path(s, c["prefix"])));
        } else {
          EXPECT_TRUE(c.contains("files")) << corpus.version << " " << s["name"]
                                           << ": a V1 checkpoint without \"files\" "
                                              "(a MANIFEST from an older tforacle?)";
          for (const auto& f : c.value("files", nlohmann::json::array())) {
            tables.push_back(corpus.Path(s, f));
          }
        }
        for (const std::string& path : tables) {
          SCOPED_TRACE(path);
          int snappy = 0, data = 0;
          for (const table::BlockInfo& b : BlocksOf(path)) {
            snappy += b.type == table::CompressionType::kSnappy;
            data += b.kind == table::BlockInfo::Kind::kData;
          }
          if (c.value("written_by", "tensorflow") == "tensorflow") {
            EXPECT_EQ(snappy, 0);
            ++tf_tables;
          }
          if (s["name"] == "snappy_index") snappy_index += snappy;
          if (s["name"] == "index_many_blocks") many_blocks += data;
        }
      }
    }
  }
  EXPECT_GT(tf_tables, 30);
  EXPECT_GT(snappy_index, 0);
  EXPECT_GE(many_blocks, 2);
}

// ../shared/tf-golden: TF Serving's test models (see its README).
std::optional<std::string> Serving(const std::string& rel) {
  return tfckpt::testing::FindSharedPath("src/bundle/BUILD", "tf-golden/serving/" + rel);
}

float ScalarFloat(const BundleReader& r, const std::string& key) {
  auto t = r.Lookup(key);
  EXPECT_TRUE(t.ok()) << key << ": " << t.status();
  if (!t.ok() || t->num_elements() != 1 || t->dtype() != tensorflow::DT_FLOAT) return -1;
  return t->flat<float>()[0];
}

TEST(BundleSharedGolden, HalfPlusTwoVariants) {
  struct Case {
    const char* dir;
    float a, b, c;
  };
  const Case cases[] = {
      {"saved_model_half_plus_two_cpu/00000123", 0.5f, 2, 3},  // snappy index block
      {"saved_model_half_plus_two_gpu/00000123", 0.5f, 2, 3},
      {"saved_model_half_plus_two_2_versions/00000124", 0.5f, 2, 3},
      {"saved_model_half_plus_three/00000123", 0.5f, 3, 3},
      {"saved_model_half_plus_two_mlmd/00000123", 0.5f, 2, 3},
  };
  int found = 0;
  for (const Case& c : cases) {
    auto dir = Serving(c.dir);
    if (!dir) continue;
    ++found;
    SCOPED_TRACE(c.dir);
    auto r = BundleReader::Open(io::Env::Default(), *dir + "/variables/variables");
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(ScalarFloat(**r, "a"), c.a);
    EXPECT_EQ(ScalarFloat(**r, "b"), c.b);
    EXPECT_EQ(ScalarFloat(**r, "c"), c.c);
  }
  if (found == 0) GTEST_SKIP() << "../shared/tf-golden not present";
}

TEST(BundleSharedGolden, RewriteOfUncompressedHalfPlusTwoIsByteIdentical) {
  auto dir = Serving("saved_model_half_plus_two_gpu/00000123");
  if (!dir) GTEST_SKIP() << "../shared/tf-golden not present";
  ExpectRewriteIsByteIdentical(*dir + "/variables/variables", "half_plus_two_gpu");
}

TEST(BundleSharedGolden, CounterAndTf2ObjectGraph) {
  auto counter = Serving("saved_model_counter/00000123");
  auto tf2 = Serving("saved_model_half_plus_two_tf2_cpu/00000123");
  if (!counter || !tf2) GTEST_SKIP() << "../shared/tf-golden not present";
  auto r = BundleReader::Open(io::Env::Default(), *counter + "/variables/variables");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(ScalarFloat(**r, "counter"), 0.0f);
  auto r2 = BundleReader::Open(io::Env::Default(), *tf2 + "/variables/variables");
  ASSERT_TRUE(r2.ok()) << r2.status();
  auto graph = (*r2)->Lookup("_CHECKPOINTABLE_OBJECT_GRAPH");
  ASSERT_TRUE(graph.ok()) << graph.status();
  ASSERT_EQ(graph->strings().size(), 1u);
  tensorflow::TrackableObjectGraph g;
  ASSERT_TRUE(g.ParseFromString(graph->strings()[0]));
  EXPECT_GT(g.nodes_size(), 1);
}

}  // namespace
}  // namespace tfckpt::bundle
