// Tensor records: the one C++ codec of the JSON tensor form of
// golden/MANIFEST.json (golden/README.md, "<tensor>"), the oracle corpora
// and the testee protocol's expected values. dtype as the DataType enum name
// ("DT_FLOAT"), shape, num_elements, raw_size and raw_sha256 always,
// raw_hex for numeric tensors of at most kLargeThreshold elements, and for
// DT_STRING "encoding": "bytes" with each element as lowercase hex in
// "values". raw_* are the little-endian element bytes in row-major order;
// for strings raw_sha256 is over (uint64 LE length ‖ bytes) per element
// (RecordBytes). The Python codec is tools/oracle/tforacle/tensors.py.
#ifndef TFCKPT_TENSOR_TENSOR_RECORD_H_
#define TFCKPT_TENSOR_TENSOR_RECORD_H_

#include <string>

#include "nlohmann/json.hpp"
#include "src/io/status.h"
#include "src/tensor/tensor.h"

namespace tfckpt::tensor {

inline constexpr int64_t kLargeThreshold = 4096;

// The bytes raw_sha256 hashes: the element bytes, or for strings each
// element's length as uint64 LE followed by its bytes.
std::string RecordBytes(const Tensor& t);

// The record of `t` under `name`.
nlohmann::json TensorRecord(const std::string& name, const Tensor& t);

// Empty if `t` matches `expected` (a record made by TensorRecord or by the
// Python side): dtype, shape, raw_size, raw_sha256, and raw_hex / values
// when the record has them. Otherwise a one-line description of the first
// difference.
std::string CompareToRecord(const Tensor& t, const nlohmann::json& expected);

// A record's dtype and shape; InvalidArgument naming the field otherwise.
StatusOr<DataType> RecordDtype(const nlohmann::json& record);
StatusOr<TensorShape> RecordShape(const nlohmann::json& record);

// The tensor a record describes; it must carry its values (raw_hex, or
// "values" for strings), else InvalidArgument, as for a raw_hex whose
// length is not the shape's.
StatusOr<Tensor> TensorFromRecord(const nlohmann::json& record);

}  // namespace tfckpt::tensor

#endif  // TFCKPT_TENSOR_TENSOR_RECORD_H_
