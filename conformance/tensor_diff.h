// Every difference between the tensors a testee returned (or wrote) and the
// expected ones (docs/CONFORMANCE.md "Reading the report"). Read and Write
// cases report all of them: the text line shows the first few, the --json
// report carries the whole list.
#ifndef TFCKPT_CONFORMANCE_TENSOR_DIFF_H_
#define TFCKPT_CONFORMANCE_TENSOR_DIFF_H_

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "src/tensor/tensor.h"

namespace tfckpt::conformance {

// The content of a tensor by name, or nullptr when not known.
using ContentOf = std::function<const tensor::Tensor*(const std::string& name)>;

// Compares result["tensors"] (wire tensors, or {"name", "error"} for a
// tensor the testee refused on its own) with `expected` wire tensors.
// Names in `optional` may be absent or refused (TF's own reader refuses
// them). Each difference is an object with "kind" and "tensor":
//   malformed ("message"), duplicate, missing, refused ("error"), extra,
//   dtype / shape ("got", "expected"),
//   values ("got_sha256", "expected_sha256", and when both contents are
//   known "first_differing_element" (row-major index) with "got_element" /
//   "expected_element" in hex; otherwise "note" saying why not).
// Values are compared only where dtype and shape agree.
std::vector<nlohmann::json> DiffTensors(const nlohmann::json& result,
                                        const std::vector<nlohmann::json>& expected,
                                        const std::set<std::string>& optional,
                                        const ContentOf& expected_content,
                                        const ContentOf& got_content);

// One line for a difference: `tensor "w": values differ from element 3 ...`.
std::string DescribeDiff(const nlohmann::json& diff);

// The first `cap` descriptions joined by "; ", then how many more.
std::string SummarizeDiffs(const std::vector<nlohmann::json>& diffs, size_t cap = 4);

}  // namespace tfckpt::conformance

#endif  // TFCKPT_CONFORMANCE_TENSOR_DIFF_H_
