// V1 checkpoints written by real TensorFlow: the project's goldens
// (golden/tf-2.21/saver_v1_basic, dtypes_v1; values from MANIFEST.json) and,
// when present, ../shared/tf-golden's SessionBundle exports. tfckpt must
// read every tensor exactly as TF wrote it and, given the same tensors,
// write TF's file byte for byte.
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "gtest/gtest.h"
#include "src/io/env.h"
#include "src/io/mem_env.h"
#include "src/checkpoint_v1/tensor_slice_reader.h"
#include "src/checkpoint_v1/tensor_slice_writer.h"
#include "src/tensor/tensor_record.h"
#include "src/testing/shared_dir.h"

namespace tfckpt::checkpoint_v1 {
namespace {

using tensor::Tensor;
using tensor::TensorShape;

std::string Runfile(const std::string& rel) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  return std::string(srcdir != nullptr ? srcdir : ".") + "/tfckpt/" + rel;
}

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

const nlohmann::json& Scenario(const std::string& name) {
  static const nlohmann::json manifest = [] {
    std::ifstream in(Runfile("golden/MANIFEST.json"));
    return nlohmann::json::parse(in);
  }();
  for (const auto& s : manifest["scenarios"]) {
    if (s["name"] == name) return s;
  }
  static const nlohmann::json none;
  ADD_FAILURE() << "no scenario " << name;
  return none;
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

TEST(TensorSliceGolden, SaverV1Basic) {
  const auto& sc = Scenario("saver_v1_basic");
  ASSERT_EQ(sc["checkpoints"].size(), 1u);
  const auto& ckpt = sc["checkpoints"][0];
  EXPECT_EQ(ckpt["format"], "V1");
  const std::string path = Runfile("golden/tf-2.21/saver_v1_basic/" +
                                   ckpt["prefix"].get<std::string>());
  std::vector<std::pair<std::string, Tensor>> tensors;
  for (const auto& t : ckpt["tensors"]) tensors.emplace_back(t["name"], FromManifest(t));
  ASSERT_EQ(tensors.size(), 2u);
  EXPECT_EQ(tensors[0].second.shape(), (TensorShape{1, 2}));
  ExpectTensors(path, tensors);
  ExpectSameBytes(path, tensors);
}

TEST(TensorSliceGolden, DtypesV1) {
  const auto& sc = Scenario("dtypes_v1");
  const std::string path = Runfile("golden/tf-2.21/dtypes_v1/dtypes_v1");
  // TF's own V1 CheckpointReader cannot read half, complex, quantized or
  // uint16 tensors; RestoreV2 can, and its outputs hold every saved tensor.
  std::vector<std::pair<std::string, Tensor>> tensors;
  for (const auto& run : sc["runs"]) {
    if (run["name"] != "restore_v2_from_v1") continue;
    for (const auto& t : run["outputs"]) tensors.emplace_back(t["name"], FromManifest(t));
  }
  ASSERT_EQ(tensors.size(), 26u);
  ExpectTensors(path, tensors);
  ExpectSameBytes(path, tensors);

  // What TF refused to save, we refuse with the same status.
  for (const auto& err : sc["errors"]) {
    const std::string what = err["name"];
    tensorflow::DataType dtype = tensorflow::DT_INVALID;
    for (const char* name : {"bfloat16", "uint32", "uint64", "qint16", "quint16"}) {
      if (what.find(std::string("_") + name) != std::string::npos) {
        tensor::DataType d = *tensor::DataTypeFromName(name);
        dtype = d;
      }
    }
    ASSERT_NE(dtype, tensorflow::DT_INVALID) << what;
    io::MemEnv env;
    TensorSliceWriter w(&env, "/x");
    Status s = w.Add("t", *Tensor::Allocate(dtype, TensorShape{2}));
    EXPECT_EQ(s.message(), err["status_message"].get<std::string>()) << what;
    EXPECT_EQ(StatusCodeName(s.code()), err["error_code"].get<std::string>()) << what;
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
