#include "src/testing/golden_manifest.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <iostream>
#include <limits>
#include <sstream>
#include <utility>

#include "src/io/hex.h"
#include "src/io/sha256.h"
#include "src/tensor/tensor_record.h"

namespace tfckpt::testing::golden {

using nlohmann::json;
using tensor::DataType;
using tensor::Tensor;
using tensor::TensorShape;


const json& Manifest() {
  static const json* m = [] {
    std::ifstream in(Runfile("golden/MANIFEST.json"));
    return new json(json::parse(in));
  }();
  return *m;
}

const json& Scenario(const std::string& name) {
  for (const json& s : Manifest()["scenarios"]) {
    if (s["name"] == name) return s;
  }
  ADD_FAILURE() << "no scenario " << name;
  static const json empty;
  return empty;
}

const json& RunOf(const std::string& scenario, const std::string& run) {
  for (const json& r : Scenario(scenario)["runs"]) {
    if (r["name"] == run) return r;
  }
  ADD_FAILURE() << "no run " << run;
  static const json empty;
  return empty;
}

const json& ErrorOf(const std::string& scenario, const std::string& name) {
  for (const json& e : Scenario(scenario)["errors"]) {
    if (e["name"] == name) return e;
  }
  ADD_FAILURE() << "no error " << name;
  static const json empty;
  return empty;
}

std::string Golden(const std::string& scenario, const std::string& path) {
  return Runfile(StrCat("golden/tf-2.21/", Scenario(scenario)["dir"].get<std::string>(), "/", path));
}

std::string Corpus::Path(const json& scenario, const std::string& path) const {
  return StrCat(root, "/", scenario["dir"].get<std::string>(), "/", path);
}

namespace {

// (version, MANIFEST.json's runfile path) -> Corpus, rooted at its golden_dir.
std::vector<Corpus>* LoadCorpora(
    std::initializer_list<std::pair<const char*, const char*>> manifests) {
  auto* out = new std::vector<Corpus>;
  for (const auto& [version, manifest] : manifests) {
    std::ifstream in(Runfile(manifest));
    if (!in) {
      ADD_FAILURE() << manifest << " is not in the test's runfiles";
      continue;
    }
    json m = json::parse(in);
    const std::string dir = std::string(manifest).substr(0, std::string(manifest).rfind('/'));
    const std::string root = Runfile(StrCat(dir, "/", m["golden_dir"].get<std::string>()));
    out->push_back({version, root, std::move(m)});
  }
  return out;
}

}  // namespace

const std::vector<Corpus>& Corpora() {
  static const std::vector<Corpus>* corpora =
      LoadCorpora({{"2.21", "golden/MANIFEST.json"},
                   {"1.15", "golden/tf-1.15/MANIFEST.json"},
                   {"2.11", "golden/tf-2.11/MANIFEST.json"}});
  return *corpora;
}

const std::vector<Corpus>& Zoos() {
  static const std::vector<Corpus>* zoos = LoadCorpora(
      {{"2.21", "golden/zoo/MANIFEST.json"}, {"1.15", "golden/zoo/tf-1.15/MANIFEST.json"}});
  return *zoos;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The record codec is tensor/tensor_record.h; these turn its errors into
// test failures.
std::string Unhex(const std::string& hex) {
  auto bytes = io::Unhex(hex);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return bytes.ok() ? *bytes : std::string();
}

std::string Sha256Hex(const std::string& s) { return io::Sha256Hex(s); }

DataType Dtype(const json& t) {
  auto dt = tensor::RecordDtype(t);
  EXPECT_TRUE(dt.ok()) << dt.status();
  return dt.ok() ? *dt : tensorflow::DT_INVALID;
}

TensorShape Shape(const json& t) {
  auto shape = tensor::RecordShape(t);
  EXPECT_TRUE(shape.ok()) << shape.status();
  return shape.ok() ? *shape : TensorShape();
}

Tensor FromManifest(const json& t) {
  auto tensor = tensor::TensorFromRecord(t);
  EXPECT_TRUE(tensor.ok()) << tensor.status();
  return tensor.ok() ? *std::move(tensor) : Tensor();
}

std::string RawBytes(const Tensor& t) { return tensor::RecordBytes(t); }

::testing::AssertionResult Matches(const Tensor& t, const json& m) {
  if (t.dtype() != Dtype(m) || t.shape() != Shape(m)) {
    return ::testing::AssertionFailure() << m["name"] << ": got " << t.DebugString() << ", TF "
                                         << m["dtype"] << " " << m["shape"];
  }
  if (Sha256Hex(RawBytes(t)) != m["raw_sha256"]) {
    return ::testing::AssertionFailure() << m["name"] << ": values differ: " << t.DebugString();
  }
  return ::testing::AssertionSuccess();
}

int64_t Ulps(float a, float b) {
  int32_t ia, ib;
  std::memcpy(&ia, &a, 4);
  std::memcpy(&ib, &b, 4);
  if (ia < 0) ia = std::numeric_limits<int32_t>::min() - ia;
  if (ib < 0) ib = std::numeric_limits<int32_t>::min() - ib;
  return std::abs(static_cast<int64_t>(ia) - ib);
}

int64_t ExpectClose(const Tensor& t, const json& m, int64_t max_ulps) {
  EXPECT_EQ(t.shape(), Shape(m)) << m["name"];
  if (t.shape() != Shape(m) || t.dtype() != tensorflow::DT_FLOAT) return 1 << 30;
  const Tensor want = FromManifest(m);
  int64_t worst = 0;
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    worst = std::max(worst, Ulps(t.flat<float>()[i], want.flat<float>()[i]));
  }
  EXPECT_LE(worst, max_ulps) << m["name"] << ": " << t.DebugString(32);
  return worst;
}

void ReportUlps(const std::string& what, int64_t ulps) {
  std::cout << what << ": max ulp distance from TF 2.21 = " << ulps << "\n";
  ::testing::Test::RecordProperty("max_ulps_" + what, static_cast<int>(ulps));
}

}  // namespace tfckpt::testing::golden
