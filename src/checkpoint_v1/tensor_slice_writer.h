// TensorSliceWriter: writes a checkpoint V1 file (FORMATS.md §3) byte for
// byte as TensorFlow's checkpoint::TensorSliceWriter does:
//
//   one table (TF's TableBuilder, no compression, block size 256 KiB,
//   restart interval 16) holding
//     ""                                  -> SavedTensorSlices{meta: SavedTensorSliceMeta{
//                                              tensor: one SavedSliceMeta per tensor, in the
//                                              order first added, each listing its slices in
//                                              the order added; versions {producer: 1}}}
//     EncodeTensorNameSlice(name, slice)  -> SavedTensorSlices{data: SavedSlice{name, slice,
//                                              data: TensorProto with only the typed field}}
//
//   TensorSliceWriter w(env, "/ckpt/model.ckpt");
//   TFCKPT_RETURN_IF_ERROR(w.Add("v1", tensor));                    // whole tensor
//   TFCKPT_RETURN_IF_ERROR(w.AddSlice("w", {10, 5}, slice, part));  // one partition
//   TFCKPT_RETURN_IF_ERROR(w.Finish());
//
// Finish writes `<file>.tempstate<random>` and renames it over `<file>`
// (io::AtomicFileWriter), so a failed save never leaves a partial file and
// never damages the previous one.
//
// Errors use TensorFlow's texts and codes:
//  - dtype outside TF's save-op types: Unimplemented "Saving data type
//    <name> not yet supported"; uint32/uint64: InvalidArgument "Tensor slice
//    serialization not implemented for dtype <n>" (slice_data.h);
//  - rank of shape and slice differ: Internal "Incompatible tensor shape and
//    slice: shape = [..], slice = .."; slice past the shape: Internal
//    "Extent in dimension <d> out of bounds: shape = [..], slice = ..";
//  - a name added again with another shape or dtype: Internal "Mismatching
//    shapes: ..." / "Mismatching types: ...";
//  - a slice too large for a 2 GiB protobuf: InvalidArgument "Tensor slice
//    is too large to serialize (conservative estimate: <N> bytes)".
// Stricter than TF (which would write a file its own reader rejects with
// "Overlapping slices"): adding a slice that overlaps one already added for
// the same name fails with InvalidArgument and changes nothing. Unlike TF,
// a failed Add never leaves a half-registered slice in the metadata; the
// writer stays usable. The data tensor's shape must equal the slice's shape
// (TF takes a raw pointer and trusts the caller).
#ifndef TFCKPT_CHECKPOINT_V1_TENSOR_SLICE_WRITER_H_
#define TFCKPT_CHECKPOINT_V1_TENSOR_SLICE_WRITER_H_

#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "proto/saved_tensor_slice.pb.h"
#include "src/io/env.h"
#include "src/io/status.h"
#include "src/tensor/shape.h"
#include "src/tensor/tensor.h"
#include "src/tensor/tensor_slice.h"

namespace tfckpt::checkpoint_v1 {

class TensorSliceWriter {
 public:
  // `env` is not owned and must outlive the writer.
  TensorSliceWriter(io::Env* env, std::string filename);

  TensorSliceWriter(const TensorSliceWriter&) = delete;
  TensorSliceWriter& operator=(const TensorSliceWriter&) = delete;

  // The whole of `tensor` (the full slice of its rank, as TF's Save op).
  Status Add(const std::string& name, const tensor::Tensor& tensor);
  // `data` holds region `slice` of tensor `name` of shape `full_shape`.
  Status AddSlice(const std::string& name, const tensor::TensorShape& full_shape,
                  const tensor::TensorSlice& slice, const tensor::Tensor& data);
  // Writes the file. Call once; Add/AddSlice/Finish fail afterwards.
  Status Finish();

  const std::string& filename() const { return filename_; }
  int num_tensors() const { return sts_.meta().tensor_size(); }
  int num_slices() const { return static_cast<int>(data_.size()); }

  // The table contents Finish() writes (key "" first, then slice keys in
  // byte order), for tests and tools.
  std::vector<std::pair<std::string, std::string>> Records() const;

 private:
  io::Env* const env_;
  const std::string filename_;
  tensorflow::SavedTensorSlices sts_;  // meta only
  std::unordered_map<std::string, int> name_to_index_;
  std::vector<std::vector<tensor::TensorSlice>> slices_;  // per meta index
  std::map<std::string, std::string> data_;               // slice key -> record
  bool finished_ = false;
};

// TF's Save / SaveSlices op on top of the writer: tensors are added in
// sorted name order (as TF 2.x does), each whole when its
// `shapes_and_slices` entry is empty (or the vector is empty), else as the
// slice "<d0> <d1> ... <slice>" of that full shape; the tensor's shape must
// equal the slice's (InvalidArgument "Slice in shape_and_slice
// specification does not match the shape of the tensor to  save: ...").
Status SaveTensors(io::Env* env, const std::string& filename,
                   const std::vector<std::string>& names,
                   const std::vector<tensor::Tensor>& tensors,
                   const std::vector<std::string>& shapes_and_slices = {});

}  // namespace tfckpt::checkpoint_v1

#endif  // TFCKPT_CHECKPOINT_V1_TENSOR_SLICE_WRITER_H_
