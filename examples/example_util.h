// Shared by the examples: where TF's goldens are (runfiles under
// `bazel run` / `bazel test`), a scratch working directory, and a checker
// that compares what an example did with what TensorFlow 2.21 did
// (golden/MANIFEST.json) and sets the exit status.
#ifndef TFCKPT_EXAMPLES_EXAMPLE_UTIL_H_
#define TFCKPT_EXAMPLES_EXAMPLE_UTIL_H_

#include <string>

#include <nlohmann/json.hpp>

#include "src/io/status.h"
#include "src/tensor/tensor.h"

namespace tfckpt::examples {

using nlohmann::json;

// The scenario's record in golden/MANIFEST.json and its files.
const json& Scenario(const std::string& name);
std::string GoldenFile(const std::string& scenario, const std::string& file);
std::string ReadFile(const std::string& path);

// Creates a fresh scratch directory and makes it the working directory
// (TF's goldens were written with relative paths).
std::string EnterWorkDir(const std::string& name);

// The record of tensor `name` in a run's outputs (or a checkpoint's tensors).
const json& Record(const json& list, const std::string& name);
// Same dtype, shape and bytes as a MANIFEST tensor record.
bool SameAsTensorFlow(const tensor::Tensor& t, const json& record);
// The tensor of a MANIFEST record (an input TF fed): numbers from raw_hex,
// strings from their hex-encoded values.
tensor::Tensor FromRecord(const json& record);
std::string Show(const tensor::Tensor& t);  // "float [1,2] -0.301016 0.518592"
// The message of an error record minus TF's Python traceback lines.
std::string WithoutTraceback(const std::string& message);

class Checker {
 public:
  // Prints "  ok   <what>" or "  FAIL <what>" (with details).
  bool Expect(bool ok, const std::string& what, const std::string& details = "");
  bool ExpectOk(const Status& s, const std::string& what);
  // 0 if every check passed, else 1 (the example's exit status).
  int Finish() const;

 private:
  int failures_ = 0;
  int checks_ = 0;
};

}  // namespace tfckpt::examples

#endif  // TFCKPT_EXAMPLES_EXAMPLE_UTIL_H_
