// golden/MANIFEST.json for tests: scenarios, runs, recorded errors, and
// TF's tensors as tfckpt Tensors, with bit-exact and ulp comparisons.
// Files are read from the test's runfiles (data = ["//golden:tf_goldens"]).
// Corpora() adds the other TensorFlow releases' corpora (golden/tf-V/, data
// "//golden:tf_1_15" and "//golden:tf_2_11"; docs/TF_VERSIONS.md).
#ifndef TFCKPT_TESTING_GOLDEN_MANIFEST_H_
#define TFCKPT_TESTING_GOLDEN_MANIFEST_H_

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "gtest/gtest.h"
#include "src/tensor/tensor.h"
#include "src/testing/runfiles.h"

namespace tfckpt::testing::golden {

using ::tfckpt::testing::Runfile;  // runfiles.h
const nlohmann::json& Manifest();
const nlohmann::json& Scenario(const std::string& name);
const nlohmann::json& RunOf(const std::string& scenario, const std::string& run);
const nlohmann::json& ErrorOf(const std::string& scenario, const std::string& name);
// Runfile path of `path` inside a scenario's golden directory.
std::string Golden(const std::string& scenario, const std::string& path);

// One TensorFlow release's corpus: its MANIFEST and the directory its
// scenarios' "dir"s are relative to (the MANIFEST's golden_dir).
struct Corpus {
  std::string version;  // "2.21", "1.15", "2.11"
  std::string root;     // runfile path
  nlohmann::json manifest;
  // Runfile path of `path` inside `scenario`'s directory.
  std::string Path(const nlohmann::json& scenario, const std::string& path) const;
};
// Every corpus TF wrote: 2.21 (golden/MANIFEST.json), 1.15 and 2.11
// (golden/tf-V/MANIFEST.json). A test listing only some in its data fails.
const std::vector<Corpus>& Corpora();
// The model zoos (data "//golden:zoo"), as corpora: 2.21
// (golden/zoo/MANIFEST.json, models in golden/zoo/tf-2.21) and 1.15
// (golden/zoo/tf-1.15/MANIFEST.json). Scenario names are unique across them.
const std::vector<Corpus>& Zoos();
std::string ReadFile(const std::string& path);
std::string Unhex(const std::string& hex);
std::string Sha256Hex(const std::string& s);

tensor::DataType Dtype(const nlohmann::json& t);
tensor::TensorShape Shape(const nlohmann::json& t);
// A MANIFEST tensor record as a Tensor (needs raw_hex or, for strings, values).
tensor::Tensor FromManifest(const nlohmann::json& t);
// The tensor's bytes as the MANIFEST hashes them (strings: per element its
// length as uint64 LE, then its bytes).
std::string RawBytes(const tensor::Tensor& t);
// Bit-exact equality with a MANIFEST tensor.
::testing::AssertionResult Matches(const tensor::Tensor& t, const nlohmann::json& m);
int64_t Ulps(float a, float b);
// Float32 within max_ulps (EXPECTs); returns the largest distance seen.
int64_t ExpectClose(const tensor::Tensor& t, const nlohmann::json& m, int64_t max_ulps);
// Prints and records the largest ulp distance of a comparison.
void ReportUlps(const std::string& what, int64_t ulps);

}  // namespace tfckpt::testing::golden

#endif  // TFCKPT_TESTING_GOLDEN_MANIFEST_H_
