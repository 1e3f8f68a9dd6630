// Facts about TensorFlow's DataType enum (proto/types.proto): element sizes,
// names as TensorFlow prints them, and which values a checkpoint may carry.
#ifndef TFCKPT_TENSOR_DTYPE_H_
#define TFCKPT_TENSOR_DTYPE_H_

#include <optional>
#include <string>
#include <string_view>

#include "proto/types.pb.h"

namespace tfckpt::tensor {

using DataType = ::tensorflow::DataType;

// True if `value` is a non-reference value of the DataType enum other than
// DT_INVALID.
bool IsKnownDataType(int value);

// Bytes per element of types stored by memcpy (numbers, bool, quantized,
// half, bfloat16, complex, float8, int4/uint4...; the sub-byte types use one
// byte per element in memory and on disk, as in TensorFlow). 0 for string,
// resource, variant and unknown values.
int DataTypeSize(DataType dtype);
inline bool IsMemcpyable(DataType dtype) { return DataTypeSize(dtype) > 0; }

// What TensorBundle can store: every known type but resource; variant is
// recognised but not supported by tfckpt (reported, not crashed on).
bool IsSaveable(DataType dtype);

// TensorFlow's DataTypeString: "float", "int32", "string", "bfloat16"...;
// reference types get "_ref". Unknown values print as "unknown dtype 123".
std::string DataTypeName(int dtype);
// Inverse of DataTypeName for non-reference types ("float" -> DT_FLOAT).
std::optional<DataType> DataTypeFromName(std::string_view name);

}  // namespace tfckpt::tensor

#endif  // TFCKPT_TENSOR_DTYPE_H_
