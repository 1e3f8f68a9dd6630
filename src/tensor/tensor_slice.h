// TensorSlice: a rectangular region of a tensor, one extent per dimension,
// each either full or [start, start+length). Used by partitioned variables
// in V2 bundles and by every V1 (TensorSlice) checkpoint
// (docs/FORMATS.md §2.5, §3). Text form: dims joined by ':', each "-" (full)
// or "start,length", e.g. "-:0,1".
#ifndef TFCKPT_TENSOR_TENSOR_SLICE_H_
#define TFCKPT_TENSOR_TENSOR_SLICE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proto/tensor_slice.pb.h"
#include "src/io/status.h"
#include "src/tensor/shape.h"

namespace tfckpt::tensor {

class TensorSlice {
 public:
  static constexpr int64_t kFullExtent = -1;
  struct Extent {
    int64_t start = 0;
    int64_t length = kFullExtent;
    bool full() const { return length == kFullExtent; }
    bool operator==(const Extent& o) const {
      return start == o.start && length == o.length;
    }
  };

  TensorSlice() = default;  // rank 0
  explicit TensorSlice(int rank) : extents_(rank) {}  // full slice
  explicit TensorSlice(std::vector<Extent> extents) : extents_(std::move(extents)) {}

  static StatusOr<TensorSlice> Parse(std::string_view text);
  // Validates like TensorFlow's BuildTensorSlice (CVE-2021-41203): start >= 0,
  // length > 0 unless full, start + length does not overflow.
  static StatusOr<TensorSlice> FromProto(const tensorflow::TensorSliceProto& p);

  int rank() const { return static_cast<int>(extents_.size()); }
  const Extent& extent(int d) const { return extents_[d]; }
  const std::vector<Extent>& extents() const { return extents_; }
  bool IsFull() const;

  // Start and length of dimension d within a tensor of `dim_size`.
  int64_t start(int d) const { return extents_[d].full() ? 0 : extents_[d].start; }
  int64_t length(int d, int64_t dim_size) const {
    return extents_[d].full() ? dim_size : extents_[d].length;
  }

  // Checks the slice fits `full_shape` (same rank, start+length <= dim) and
  // returns the shape of the region.
  StatusOr<TensorShape> SliceShape(const TensorShape& full_shape) const;
  // Covers every element of full_shape (e.g. "0,5:0,10" of [5,10]).
  bool CoversAll(const TensorShape& full_shape) const;
  // The overlap of two slices of the same tensor; false if empty.
  bool Intersect(const TensorSlice& other, TensorSlice* result) const;

  void ToProto(tensorflow::TensorSliceProto* p) const;
  std::string DebugString() const;  // "-:0,1"

  bool operator==(const TensorSlice& o) const { return extents_ == o.extents_; }

 private:
  std::vector<Extent> extents_;
};

// SaveV2's shape_and_slice argument: "" (whole tensor) or "d0 d1 ... SLICE"
// such as "10 5 0,5:0,5".
struct ShapeAndSlice {
  bool whole = true;
  TensorShape full_shape;
  TensorSlice slice;
};
StatusOr<ShapeAndSlice> ParseShapeAndSlice(std::string_view spec);

// Table keys of sliced tensors: OrderedCode of (0, name, rank, start_0,
// length_0, ...), length -1 for full extents.
std::string EncodeTensorNameSlice(std::string_view name, const TensorSlice& slice);
Status DecodeTensorNameSlice(std::string_view code, std::string* name,
                             TensorSlice* slice);

}  // namespace tfckpt::tensor

#endif  // TFCKPT_TENSOR_TENSOR_SLICE_H_
