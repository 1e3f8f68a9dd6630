#include "src/testing/golden_manifest.h"

#include <openssl/sha.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>

namespace tfckpt::testing::golden {

using nlohmann::json;
using tensor::DataType;
using tensor::Tensor;
using tensor::TensorShape;

std::string Runfile(const std::string& rel) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  return std::string(srcdir != nullptr ? srcdir : ".") + "/tfckpt/" + rel;
}

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

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Unhex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

std::string Sha256Hex(const std::string& s) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), md);
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : md) {
    out += d[c >> 4];
    out += d[c & 15];
  }
  return out;
}

DataType Dtype(const json& t) {
  tensorflow::DataType dt;
  EXPECT_TRUE(tensorflow::DataType_Parse(t["dtype"].get<std::string>(), &dt));
  return dt;
}

TensorShape Shape(const json& t) { return *TensorShape::Make(t["shape"].get<std::vector<int64_t>>()); }

Tensor FromManifest(const json& t) {
  const DataType dt = Dtype(t);
  if (dt == tensorflow::DT_STRING) {
    std::vector<std::string> v;
    for (const json& e : t["values"]) v.push_back(Unhex(e.get<std::string>()));
    return Tensor::FromStrings(Shape(t), v);
  }
  Tensor out = *Tensor::Allocate(dt, Shape(t));
  const std::string raw = Unhex(t["raw_hex"].get<std::string>());
  if (!raw.empty()) std::memcpy(out.mutable_raw_data(), raw.data(), raw.size());
  return out;
}

std::string RawBytes(const Tensor& t) {
  if (!t.is_string()) return std::string(t.raw_data(), t.TotalBytes());
  std::string out;
  for (const std::string& s : t.strings()) {
    uint64_t n = s.size();
    out.append(reinterpret_cast<const char*>(&n), 8);
    out += s;
  }
  return out;
}

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
