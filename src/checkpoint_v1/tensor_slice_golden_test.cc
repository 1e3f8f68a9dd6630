// V1 checkpoints written by real TensorFlow: every V1 checkpoint of the
// project's goldens of every TF release (golden/tf-2.21, golden/tf-1.15;
// values from each MANIFEST.json; golden/tf-2.11 holds none) and, when
// present, ../shared/tf-golden's SessionBundle exports. tfckpt must read
// every tensor exactly as TF wrote it and, given the same tensors (and
// slices), write TF's files byte for byte: TF 1.15 and 2.21 write the same
// V1 bytes for the same tensors (docs/TF_VERSIONS.md).
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "gtest/gtest.h"
#include "src/io/env.h"
#include "src/io/mem_env.h"
#include "src/checkpoint_v1/tensor_slice_reader.h"
#include "src/checkpoint_v1/tensor_slice_writer.h"
#include "src/tensor/tensor_record.h"
#include "src/testing/golden_manifest.h"
#include "src/testing/shared_dir.h"

namespace tfckpt::checkpoint_v1 {
namespace {

using tensor::Tensor;
using tensor::TensorShape;
namespace golden = testing::golden;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A tensor from a MANIFEST.json tensor record (tensor/tensor_record.h).
Tensor FromManifest(const nlohmann::json& j) {
  auto t = tensor::TensorFromRecord(j);
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? *std::move(t) : Tensor();
}

// Reads `path` with the reader and checks every expected tensor.
void ExpectTensors(const std::string& pattern,
                   const std::vector<std::pair<std::string, Tensor>>& expected) {
  SliceError e;
  auto r = TensorSliceReader::Open(io::Env::Default(), pattern, &e);
  ASSERT_TRUE(r.ok()) << r.status() << " " << SliceErrorKindName(e.kind);
  EXPECT_EQ((*r)->ListTensors().size(), expected.size());
  for (const auto& [name, want] : expected) {
    auto got = (*r)->Lookup(name);
    ASSERT_TRUE(got.ok()) << name << ": " << got.status();
    EXPECT_TRUE(got->BitwiseEquals(want))
        << name << ": got " << got->DebugString() << ", want " << want.DebugString();
  }
}

// Writes `tensors` like TF's Save op and compares with TF's file.
void ExpectSameBytes(const std::string& tf_file,
                     const std::vector<std::pair<std::string, Tensor>>& tensors) {
  std::vector<std::string> names;
  std::vector<Tensor> values;
  for (const auto& [n, t] : tensors) {
    names.push_back(n);
    values.push_back(t);
  }
  io::MemEnv env;
  ASSERT_TRUE(SaveTensors(&env, "/out/ckpt", names, values).ok());
  const std::string ours = *env.ReadFileToString("/out/ckpt");
  const std::string theirs = ReadAll(tf_file);
  ASSERT_FALSE(theirs.empty()) << tf_file;
  EXPECT_EQ(ours.size(), theirs.size());
  EXPECT_TRUE(ours == theirs) << "tfckpt's V1 file differs from TF's " << tf_file;
}

// Every file of a V1 checkpoint written again from what the reader found in
// it (each stored slice, as TF's SaveSlices names it) must be TF's file.
void ExpectEveryFileRewritten(const TensorSliceReader& r, const std::string& what) {
  for (size_t f = 0; f < r.files().size(); ++f) {
    std::vector<std::string> names, specs;
    std::vector<Tensor> values;
    for (const SlicedTensorInfo& info : r.ListTensors()) {
      for (const StoredSlice& s : info.slices) {
        if (s.file != static_cast<int>(f)) continue;
        auto t = r.LookupSlice(info.name, s.slice);
        ASSERT_TRUE(t.ok()) << what << " " << info.name << ": " << t.status();
        names.push_back(info.name);
        values.push_back(*std::move(t));
        std::string spec;
        if (!s.slice.IsFull()) {
          for (int64_t d : info.shape.dims()) spec += std::to_string(d) + " ";
          spec += s.slice.DebugString();
        }
        specs.push_back(spec);
      }
    }
    io::MemEnv env;
    ASSERT_TRUE(SaveTensors(&env, "/out/ckpt", names, values, specs).ok()) << what;
    EXPECT_TRUE(*env.ReadFileToString("/out/ckpt") == ReadAll(r.files()[f]))
        << "tfckpt's V1 file differs from TF's " << r.files()[f];
  }
}

// Every V1 checkpoint of every corpus: each tensor as TF recorded it (its
// V1 reader's values, or RestoreV2's where the reader refused: "read_via"),
// and every file rewritten byte for byte.
TEST(TensorSliceGolden, EveryV1CheckpointOfEveryCorpus) {
  std::map<std::string, int> checked;  // by TF version
  for (const golden::Corpus& corpus : golden::Corpora()) {
    for (const auto& sc : corpus.manifest["scenarios"]) {
      for (const auto& ckpt : sc["checkpoints"]) {
        if (ckpt["format"] != "V1") continue;
        const std::string what = "tf-" + corpus.version + "/" + sc["name"].get<std::string>() +
                                 "/" + ckpt["prefix"].get<std::string>();
        SCOPED_TRACE(what);
        SliceError e;
        auto r = TensorSliceReader::Open(io::Env::Default(), corpus.Path(sc, ckpt["prefix"]), &e);
        ASSERT_TRUE(r.ok()) << r.status() << " " << SliceErrorKindName(e.kind);
        EXPECT_EQ((*r)->ListTensors().size(), ckpt["tensors"].size());
        for (const auto& t : ckpt["tensors"]) {
          auto got = (*r)->Lookup(t["name"].get<std::string>());
          ASSERT_TRUE(got.ok()) << t["name"] << ": " << got.status();
          EXPECT_TRUE(golden::Matches(*got, t));
          ++checked[corpus.version];
        }
        ExpectEveryFileRewritten(**r, what);
      }
    }
  }
  EXPECT_GT(checked["2.21"], 80);
  EXPECT_GT(checked["1.15"], 80);
  EXPECT_EQ(checked.count("2.11"), 0u);  // only object-based checkpoints
}

// The corpora holding `scenario` (TF 2.11 writes only what differs from 2.21).
std::vector<std::pair<const golden::Corpus*, const nlohmann::json*>> ScenarioInEach(
    const std::string& scenario) {
  std::vector<std::pair<const golden::Corpus*, const nlohmann::json*>> out;
  for (const golden::Corpus& corpus : golden::Corpora()) {
    for (const auto& s : corpus.manifest["scenarios"]) {
      if (s["name"] == scenario) out.push_back({&corpus, &s});
    }
  }
  return out;
}

TEST(TensorSliceGolden, SaverV1Basic) {
  const auto in = ScenarioInEach("saver_v1_basic");
  ASSERT_EQ(in.size(), 2u);  // 2.21, 1.15
  for (const auto& [corpus, sc] : in) {
    SCOPED_TRACE("tf-" + corpus->version);
    ASSERT_EQ((*sc)["checkpoints"].size(), 1u);
    const auto& ckpt = (*sc)["checkpoints"][0];
    EXPECT_EQ(ckpt["format"], "V1");
    const std::string path = corpus->Path(*sc, ckpt["prefix"]);
    std::vector<std::pair<std::string, Tensor>> tensors;
    for (const auto& t : ckpt["tensors"]) tensors.emplace_back(t["name"], FromManifest(t));
    ASSERT_EQ(tensors.size(), 2u);
    EXPECT_EQ(tensors[0].second.shape(), (TensorShape{1, 2}));
    ExpectTensors(path, tensors);
    ExpectSameBytes(path, tensors);
  }
}

// What TF refused to save in a V1 file, tfckpt refuses with TF 2.21's
// status. TF 1.15 refuses the same dtypes, but uint32/uint64 with its older
// text ("Saving data type uint64 not yet supported", UNIMPLEMENTED; 2.21:
// "Tensor slice serialization not implemented for dtype 23",
// INVALID_ARGUMENT): docs/TF_VERSIONS.md, "V1 writer refusing
// uint32/uint64". Both files hold the same 26 tensors, the zero-size ones
// too (TF 1.15's V1 reader dies of SIGFPE on [3,0]; its RestoreV2 reads it).
TEST(TensorSliceGolden, DtypesV1) {
  const auto in = ScenarioInEach("dtypes_v1");
  ASSERT_EQ(in.size(), 2u);  // 2.21, 1.15
  for (const auto& [corpus, sc] : in) {
    SCOPED_TRACE("tf-" + corpus->version);
    const bool tf1 = corpus->version == "1.15";
    const std::string path = corpus->Path(*sc, "dtypes_v1");
    // TF's own V1 CheckpointReader cannot read half, complex, quantized or
    // uint16 tensors; RestoreV2 can, and its outputs hold every saved tensor.
    std::vector<std::pair<std::string, Tensor>> tensors;
    for (const auto& run : (*sc)["runs"]) {
      if (run["name"] != "restore_v2_from_v1") continue;
      for (const auto& t : run["outputs"]) tensors.emplace_back(t["name"], FromManifest(t));
    }
    ASSERT_EQ(tensors.size(), 26u);
    ExpectTensors(path, tensors);
    ExpectSameBytes(path, tensors);

    int compared = 0, differs = 0;
    for (const auto& err : (*sc)["errors"]) {
      const std::string what = err["name"];
      tensorflow::DataType dtype = tensorflow::DT_INVALID;
      for (const char* name : {"bfloat16", "uint32", "uint64", "qint16", "quint16"}) {
        if (what.find(std::string("_") + name) != std::string::npos) {
          dtype = *tensor::DataTypeFromName(name);
        }
      }
      ASSERT_NE(dtype, tensorflow::DT_INVALID) << what;
      io::MemEnv env;
      TensorSliceWriter w(&env, "/x");
      Status s = w.Add("t", *Tensor::Allocate(dtype, TensorShape{2}));
      if (tf1 && (dtype == tensorflow::DT_UINT32 || dtype == tensorflow::DT_UINT64)) {
        // TF 1.15's older text (above): tfckpt keeps 2.21's.
        EXPECT_EQ(err["status_message"].get<std::string>(),
                  "Saving data type " + tensor::DataTypeName(dtype) + " not yet supported");
        EXPECT_NE(s.message(), err["status_message"].get<std::string>()) << what;
        ++differs;
        continue;
      }
      EXPECT_EQ(s.message(), err["status_message"].get<std::string>()) << what;
      // TF 1.15's records hold the code as a number (its error_codes_pb2
      // lookup failed); 2.21's as the name.
      if (err["error_code"].is_string()) {
        EXPECT_EQ(StatusCodeName(s.code()), err["error_code"].get<std::string>()) << what;
      } else {
        EXPECT_EQ(static_cast<int>(s.code()), err["error_code"].get<int>()) << what;
      }
      ++compared;
    }
    EXPECT_EQ(compared, tf1 ? 3 : 6);
    EXPECT_EQ(differs, tf1 ? 3 : 0);
  }
}

// SessionBundle export written by an old TF: a = 0.5, b = 2.0 (sharded
// naming, one shard).
TEST(TensorSliceGolden, SharedSessionBundleHalfPlusTwo) {
  auto dir = testing::FindSharedPath("src/checkpoint_v1/BUILD",
                                     "tf-golden/serving/session_bundle_half_plus_two/00000123");
  if (!dir) GTEST_SKIP() << "shared/tf-golden not present";
  const std::vector<std::pair<std::string, Tensor>> tensors = {
      {"a", Tensor::FromVector<float>(tensorflow::DT_FLOAT, TensorShape{}, {0.5f})},
      {"b", Tensor::FromVector<float>(tensorflow::DT_FLOAT, TensorShape{}, {2.0f})}};
  ExpectTensors(*dir + "/export-?????" "-of-00001", tensors);
  ExpectTensors(*dir + "/export-00000-of-00001", tensors);
  ExpectSameBytes(*dir + "/export-00000-of-00001", tensors);
}

TEST(TensorSliceGolden, SharedBadHalfPlusTwo) {
  auto file = testing::FindSharedPath("src/checkpoint_v1/BUILD",
                                      "tf-golden/serving/bad_half_plus_two/00000123/export");
  if (!file) GTEST_SKIP() << "shared/tf-golden not present";
  const std::vector<std::pair<std::string, Tensor>> tensors = {
      {"Variable", Tensor::FromVector<float>(tensorflow::DT_FLOAT, TensorShape{}, {0.5f})},
      {"Variable_1", Tensor::FromVector<float>(tensorflow::DT_FLOAT, TensorShape{}, {2.0f})}};
  ExpectTensors(*file, tensors);
  ExpectSameBytes(*file, tensors);
  // The same directory's export.meta is not a V1 checkpoint.
  SliceError e;
  auto meta = TensorSliceReader::Open(io::Env::Default(), *file + ".meta", &e);
  ASSERT_FALSE(meta.ok());
  EXPECT_EQ(e.kind, SliceErrorKind::kTable);
  EXPECT_NE(meta.status().message().find(
                ": perhaps your file is in a different file format and you need to use a "
                "different restore operator?"),
            std::string::npos)
      << meta.status();
  EXPECT_EQ(meta.status().message().rfind("Unable to open table file ", 0), 0u);
}

}  // namespace
}  // namespace tfckpt::checkpoint_v1
