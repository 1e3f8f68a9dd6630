// TensorShape: a fully-defined shape (every dim >= 0) with an element count
// that is known not to overflow. Built from untrusted TensorShapeProtos only
// through FromProto, which applies TensorFlow's TensorShape::IsValid rules
// (docs/FORMATS.md §2.4, CVE-2021-41203).
#ifndef TFCKPT_TENSOR_SHAPE_H_
#define TFCKPT_TENSOR_SHAPE_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "proto/tensor_shape.pb.h"
#include "src/io/status.h"

namespace tfckpt::tensor {

class TensorShape {
 public:
  static constexpr int kMaxRank = 254;

  TensorShape() = default;  // scalar
  // For trusted dims (tests, our own code); use Make for anything else.
  TensorShape(std::initializer_list<int64_t> dims);
  static StatusOr<TensorShape> Make(std::vector<int64_t> dims);
  static StatusOr<TensorShape> FromProto(const tensorflow::TensorShapeProto& p);

  int rank() const { return static_cast<int>(dims_.size()); }
  int64_t dim(int i) const { return dims_[i]; }
  const std::vector<int64_t>& dims() const { return dims_; }
  int64_t num_elements() const { return num_elements_; }

  void ToProto(tensorflow::TensorShapeProto* p) const;
  tensorflow::TensorShapeProto AsProto() const;
  // TensorFlow's TensorShape::DebugString: "[2,3]", "[]".
  std::string DebugString() const;

  bool operator==(const TensorShape& o) const { return dims_ == o.dims_; }
  bool operator!=(const TensorShape& o) const { return !(*this == o); }

 private:
  std::vector<int64_t> dims_;
  int64_t num_elements_ = 1;
};

// "[2,3]" for a proto, including unknown dims ("?") and unknown rank
// ("<unknown>"), for error messages about shapes that failed validation.
std::string ShapeProtoDebugString(const tensorflow::TensorShapeProto& p);

// a*b for non-negative values; false on int64 overflow.
bool MultiplyWithoutOverflow(int64_t a, int64_t b, int64_t* out);

}  // namespace tfckpt::tensor

#endif  // TFCKPT_TENSOR_SHAPE_H_
