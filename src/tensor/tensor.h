// Tensor: a dtype, a shape and the values. Numeric values live in one
// 64-byte-aligned little-endian buffer (row-major), shared between copies
// like TensorFlow's; strings live in a vector. A tensor can also *borrow*
// read-only memory (e.g. an mmapped checkpoint) without copying it; writing
// to a borrowed tensor first copies it.
#ifndef TFCKPT_TENSOR_TENSOR_H_
#define TFCKPT_TENSOR_TENSOR_H_

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "src/io/status.h"
#include "src/tensor/dtype.h"
#include "src/tensor/shape.h"

namespace tfckpt::tensor {

class Tensor {
 public:
  Tensor() = default;  // DT_INVALID, no values

  // Zero-filled numbers or empty strings. Fails (ResourceExhausted) if the
  // byte size overflows or is larger than `max_bytes`.
  static StatusOr<Tensor> Allocate(DataType dtype, const TensorShape& shape,
                                   uint64_t max_bytes = UINT64_MAX);
  // As Allocate, but numeric values are left unspecified: for callers that
  // overwrite every byte (readers copying a tensor out of a file), so fresh
  // memory is touched once, not twice. Strings are still empty.
  static StatusOr<Tensor> AllocateUninitialized(DataType dtype, const TensorShape& shape,
                                                uint64_t max_bytes = UINT64_MAX);
  // Zero-copy view of `data` (which must hold TotalBytes(dtype, shape)
  // bytes); `owner` keeps that memory alive as long as any copy of the tensor.
  static Tensor Borrow(DataType dtype, const TensorShape& shape,
                       const char* data, std::shared_ptr<const void> owner);
  // Convenience for tests and small constants.
  template <typename T>
  static Tensor FromVector(DataType dtype, const TensorShape& shape,
                           const std::vector<T>& values);
  static Tensor FromStrings(const TensorShape& shape,
                            std::vector<std::string> values);

  DataType dtype() const { return dtype_; }
  const TensorShape& shape() const { return shape_; }
  int64_t num_elements() const { return shape_.num_elements(); }
  bool is_string() const { return dtype_ == tensorflow::DT_STRING; }

  // Bytes of the numeric buffer (0 for strings).
  uint64_t TotalBytes() const;
  const char* raw_data() const { return data_; }
  char* mutable_raw_data();

  const std::vector<std::string>& strings() const { return *strings_; }
  std::vector<std::string>* mutable_strings() { return strings_.get(); }

  template <typename T>
  const T* flat() const { return reinterpret_cast<const T*>(data_); }
  template <typename T>
  T* mutable_flat() { return reinterpret_cast<T*>(mutable_raw_data()); }

  // Same dtype, shape and bytes (NaN payloads and -0.0 compared as bits).
  bool BitwiseEquals(const Tensor& other) const;
  // "float [2,3] 1 2 3 ..." with at most `max_values` values.
  std::string DebugString(int max_values = 16) const;

 private:
  static StatusOr<Tensor> AllocateImpl(DataType dtype, const TensorShape& shape,
                                       uint64_t max_bytes, bool zero);

  DataType dtype_ = tensorflow::DT_INVALID;
  TensorShape shape_;
  const char* data_ = nullptr;
  std::shared_ptr<const void> owner_;  // keeps data_ alive
  bool borrowed_ = false;              // data_ is read-only memory
  std::shared_ptr<std::vector<std::string>> strings_;
};

// num_elements * DataTypeSize(dtype), or false on overflow / non-numeric.
bool NumericByteSize(DataType dtype, int64_t num_elements, uint64_t* bytes);

template <typename T>
Tensor Tensor::FromVector(DataType dtype, const TensorShape& shape,
                          const std::vector<T>& values) {
  Tensor t = *Allocate(dtype, shape);
  const uint64_t n = std::min<uint64_t>(values.size() * sizeof(T), t.TotalBytes());
  if (n > 0) std::memcpy(t.mutable_raw_data(), values.data(), n);
  return t;
}

}  // namespace tfckpt::tensor

#endif  // TFCKPT_TENSOR_TENSOR_H_
