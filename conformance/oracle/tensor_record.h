// Tensor records in the JSON conventions of golden/MANIFEST.json
// (golden/README.md, "<tensor>"): dtype as the DataType enum name
// ("DT_FLOAT"), shape, num_elements, raw_size and raw_sha256 always,
// raw_hex for numeric tensors of at most 4096 elements, and for DT_STRING
// "encoding": "bytes" with each element as lowercase hex in "values".
// raw_* are the little-endian element bytes in row-major order; for
// strings raw_sha256 is over (uint64 LE length ‖ bytes) per element.
#ifndef TFCKPT_CONFORMANCE_ORACLE_TENSOR_RECORD_H_
#define TFCKPT_CONFORMANCE_ORACLE_TENSOR_RECORD_H_

#include <string>
#include <string_view>

#include "nlohmann/json.hpp"
#include "src/io/status.h"
#include "src/tensor/tensor.h"
#include "src/tensor/tensor_slice.h"

namespace tfckpt::conformance {

inline constexpr int64_t kLargeThreshold = 4096;

std::string Hex(std::string_view bytes);
std::string Sha256Hex(std::string_view bytes);

// The record of `t` under `name`.
nlohmann::json TensorRecord(const std::string& name, const tensor::Tensor& t);

// Empty if `t` matches `expected` (a record made by TensorRecord or by the
// Python side): dtype, shape, raw_size, raw_sha256, and raw_hex / values
// when the record has them. Otherwise a one-line description of the first
// difference.
std::string CompareToRecord(const tensor::Tensor& t, const nlohmann::json& expected);

// The region `slice` of `full` (row-major copy), for expected values of
// partial restores.
StatusOr<tensor::Tensor> ExtractRegion(const tensor::Tensor& full, const tensor::TensorSlice& slice);

}  // namespace tfckpt::conformance

#endif  // TFCKPT_CONFORMANCE_ORACLE_TENSOR_RECORD_H_
