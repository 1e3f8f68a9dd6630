// How a V1 checkpoint stores the values of one slice: a TensorProto with
// only the typed repeated field set (no dtype, no shape), FORMATS.md §3.
// This is the one place that maps dtypes to fields, in both directions,
// mirroring TensorFlow's saved_tensor_slice_util.h (Fill / TensorProtoData)
// and TensorSliceWriter::MaxBytesPerElementOrZero.
//
//   dtype                                          field
//   float / double                                 float_val / double_val
//   int32 uint8 int8 int16 uint16 qint8 quint8 qint32  int_val
//   int64                                          int64_val
//   uint32 / uint64 (read only, see below)         uint32_val / uint64_val
//   bool                                           bool_val
//   complex64 / complex128                         scomplex_val / dcomplex_val (re, im pairs)
//   half                                           half_val (the 16-bit pattern)
//   string                                         string_val
#ifndef TFCKPT_CHECKPOINT_V1_SLICE_DATA_H_
#define TFCKPT_CHECKPOINT_V1_SLICE_DATA_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "proto/tensor.pb.h"
#include "src/io/status.h"
#include "src/checkpoint_v1/slice_error.h"
#include "src/tensor/dtype.h"
#include "src/tensor/shape.h"
#include "src/tensor/tensor.h"

namespace tfckpt::checkpoint_v1 {

// TensorFlow's TF_CHECKPOINT_VERSION, _MIN_CONSUMER, _MIN_PRODUCER.
constexpr int kCheckpointVersion = 1;
constexpr int kCheckpointVersionMinConsumer = 0;
constexpr int kCheckpointVersionMinProducer = 0;

// The key of the metadata record (sorts first).
inline constexpr char kSavedTensorSlicesKey[] = "";

// TensorSliceWriter's kMaxMessageBytes and kTensorProtoHeaderBytes.
constexpr uint64_t kMaxMessageBytes = uint64_t{1} << 31;
constexpr uint64_t kTensorProtoHeaderBytes = 1 << 10;

// Whether TF's V1 save ops (Save / SaveSlices, TF 2.21) accept `dtype`:
//  - types outside TF_CALL_SAVE_RESTORE_TYPES (bfloat16, qint16, quint16,
//    resource, variant, float8, int4, ...): Unimplemented
//    "Saving data type <name> not yet supported";
//  - uint32 / uint64 (save-op types the writer has no size bound for):
//    InvalidArgument "Tensor slice serialization not implemented for dtype <n>".
Status CheckWritableDtype(tensor::DataType dtype);

// Whether a reader can decode `dtype`: every writable dtype plus uint32 and
// uint64 (TF's restore op and saved_tensor_slice_util handle them through
// uint32_val / uint64_val).
bool IsReadableDtype(tensor::DataType dtype);

// TensorSliceWriter::MaxBytesPerElementOrZero (0 for string and for types
// the writer cannot store).
size_t MaxBytesPerElement(tensor::DataType dtype);

// Sets the typed field of *proto (which must be empty) to the values of `t`,
// whose dtype must pass CheckWritableDtype (else InvalidArgument). Bools are
// stored as 0/1.
Status FillTensorProto(const tensor::Tensor& t, tensorflow::TensorProto* proto);

// Decodes the values of a slice of `shape` stored as `proto` for `dtype`
// (IsReadableDtype). Checks, in order, setting *kind on failure:
//  - no TensorProto field other than the typed one is set (kBadRecord);
//  - the typed field holds exactly shape.num_elements() values, pairs for
//    complex types (kSizeMismatch) — TF copies that many values without
//    looking, so a short field is an over-read there;
//  - int_val / half_val values fit the dtype (kValueOutOfRange): TF's writer
//    never stores anything else, TF's reader would silently truncate.
// The result is allocated only after the count check, so its size is
// bounded by the size of `proto`'s encoding.
StatusOr<tensor::Tensor> DecodeTensorProto(const tensorflow::TensorProto& proto,
                                           tensor::DataType dtype,
                                           const tensor::TensorShape& shape,
                                           SliceErrorKind* kind);

}  // namespace tfckpt::checkpoint_v1

#endif  // TFCKPT_CHECKPOINT_V1_SLICE_DATA_H_
