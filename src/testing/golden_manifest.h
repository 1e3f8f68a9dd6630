// golden/MANIFEST.json for tests: scenarios, runs, recorded errors, and
// TF's tensors as tfckpt Tensors, with bit-exact and ulp comparisons.
// Files are read from the test's runfiles (data = ["//golden:tf_goldens"]).
#ifndef TFCKPT_TESTING_GOLDEN_MANIFEST_H_
#define TFCKPT_TESTING_GOLDEN_MANIFEST_H_

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "gtest/gtest.h"
#include "src/tensor/tensor.h"

namespace tfckpt::testing::golden {

std::string Runfile(const std::string& rel);
const nlohmann::json& Manifest();
const nlohmann::json& Scenario(const std::string& name);
const nlohmann::json& RunOf(const std::string& scenario, const std::string& run);
const nlohmann::json& ErrorOf(const std::string& scenario, const std::string& name);
// Runfile path of `path` inside a scenario's golden directory.
std::string Golden(const std::string& scenario, const std::string& path);
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
