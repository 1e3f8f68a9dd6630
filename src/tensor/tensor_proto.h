// TensorProto <-> Tensor, as TensorFlow does it (tensorflow/core/framework/
// tensor.cc Tensor::FromProto, python/framework/tensor_util.py
// make_tensor_proto). This is how graph constants (Const's `value`,
// PlaceholderWithDefault inputs, attr defaults) carry their values.
//
// Decoding (TensorFromProto):
//  - dtype must be a known, non-reference DataType; DT_RESOURCE, DT_VARIANT
//    and the types whose proto layout is not established (int2, uint2,
//    float4_e2m1fn) are refused with Unimplemented.
//  - tensor_shape must be fully defined and valid (TensorShape::FromProto:
//    no unknown rank or dim, rank <= 254, element count fits int64).
//  - If tensor_content is non-empty it holds the row-major little-endian
//    element bytes and its size must equal elements x element size exactly
//    (strings: TF's string-list encoding, n varint32 lengths then the bytes).
//  - Otherwise the typed repeated field of the dtype is used:
//        float / double                   float_val / double_val
//        int32 int16 int8 uint8 uint16    int_val (static_cast, as TF)
//        qint8 quint8 qint16 quint16 qint32, int4 uint4
//        int64 / uint32 / uint64          int64_val / uint32_val / uint64_val
//        bool                             bool_val
//        half / bfloat16                  half_val (the 16-bit patterns)
//        complex64 / complex128           scomplex_val / dcomplex_val (re, im pairs)
//        string                           string_val
//        float8_*                         float8_val (one byte each)
//    no values -> zeros (empty strings); fewer values than elements -> the
//    last value is repeated; MORE values than elements -> InvalidArgument
//    (TF silently uses the first n: stricter here, never seen in TF output).
//    Other typed fields are ignored, like TF.
//  - Bounded allocation: a tensor whose values come from the proto (content
//    of the exact size, or one typed value per element) costs memory in
//    proportion to the proto. Filling elements the proto does not hold
//    (zeros, or repeating the last value) is capped at
//    options.max_broadcast_bytes (default 1 GiB; strings count
//    sizeof(std::string) + the repeated string's length per element):
//    ResourceExhausted "TensorProto of dtype float and shape [...] would
//    broadcast N values to M bytes, over the limit of L bytes".
//  - Stricter than TF, never produced by TF: a non-empty tensor_content for
//    a tensor with zero elements (TF ignores it) is InvalidArgument.
//
// Encoding (TensorToProto) follows make_tensor_proto: dtype and shape are
// set; numeric types TF lists in _TENSOR_CONTENT_TYPES (half, bfloat16,
// float, double, int8/16/32/64, uint8, uint32, uint64, qint8, quint8,
// qint16, quint16, qint32, and the five float8 types) with more than one
// element use tensor_content; everything else (one element, bool, complex,
// uint16, string, int4/uint4) uses the typed field, one value per element. TensorToProtoField / TensorToProtoContent force a layout
// (TF's Tensor::AsProtoField / AsProtoTensorContent).
#ifndef TFCKPT_TENSOR_TENSOR_PROTO_H_
#define TFCKPT_TENSOR_TENSOR_PROTO_H_

#include <cstdint>

#include "proto/tensor.pb.h"
#include "src/io/status.h"
#include "src/tensor/dtype.h"
#include "src/tensor/tensor.h"

namespace tfckpt::tensor {

// 1 GiB: the most a TensorProto may make us allocate for elements it does
// not spell out.
inline constexpr uint64_t kDefaultMaxBroadcastBytes = uint64_t{1} << 30;

struct TensorProtoOptions {
  uint64_t max_broadcast_bytes = kDefaultMaxBroadcastBytes;
};

StatusOr<Tensor> TensorFromProto(const tensorflow::TensorProto& proto,
                                 const TensorProtoOptions& options = {});

// The typed TensorProto field that holds a dtype's values (TF's
// ProtoHelper<T>, the table in the header comment): the one dtype -> field
// table, also used by the V1 checkpoint codec (checkpoint_v1/slice_data.h).
enum class ProtoField { kFloat, kDouble, kInt, kInt64, kUint32, kUint64, kBool, kHalf,
                        kScomplex, kDcomplex, kString, kFloat8, kNone };
// kNone for dtypes without a field (IsProtoCodableDataType is false).
ProtoField ProtoFieldOf(DataType dtype);
// "float_val", ..., "(none)".
const char* ProtoFieldName(ProtoField f);
// Entries in the field (complex: two a value, re and im).
int64_t ProtoFieldSize(const tensorflow::TensorProto& p, ProtoField f);

// Whether TensorFromProto can decode (and the encoders encode) `dtype`.
bool IsProtoCodableDataType(DataType dtype);

// make_tensor_proto's choice: tensor_content for >1 element of a content type.
bool UsesTensorContent(DataType dtype, int64_t num_elements);

// make_tensor_proto layout. Unimplemented for dtypes IsProtoCodableDataType rejects.
Status TensorToProto(const Tensor& t, tensorflow::TensorProto* proto);
// Every value in the typed field (TF's AsProtoField).
Status TensorToProtoField(const Tensor& t, tensorflow::TensorProto* proto);
// Every value in tensor_content (TF's AsProtoTensorContent; strings use the
// string-list encoding).
Status TensorToProtoContent(const Tensor& t, tensorflow::TensorProto* proto);

}  // namespace tfckpt::tensor

#endif  // TFCKPT_TENSOR_TENSOR_PROTO_H_
