#include "src/tensor/tensor.h"

#include <complex>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include <sys/mman.h>

namespace tfckpt::tensor {
namespace {

// Buffers this large are 2 MiB-aligned and advised as huge pages: the first
// touch of fresh anonymous memory costs a page fault per 4 KiB otherwise,
// which made copying a 1 GiB tensor out of a checkpoint slower than reading
// it (docs/PERFORMANCE.md).
constexpr uint64_t kHugeBufferBytes = uint64_t{4} << 20;
constexpr uint64_t kHugePageBytes = uint64_t{2} << 20;

// `zero`: fill with zeros; otherwise the contents are unspecified and the
// caller writes every byte.
std::shared_ptr<char> AlignedBuffer(uint64_t bytes, bool zero = true) {
  const uint64_t align = bytes >= kHugeBufferBytes ? kHugePageBytes : 64;
  const uint64_t rounded = (bytes + align - 1) / align * align;
  void* p = std::aligned_alloc(align, rounded == 0 ? align : rounded);
  if (p == nullptr) return nullptr;
#ifdef MADV_HUGEPAGE
  if (align == kHugePageBytes) madvise(p, rounded, MADV_HUGEPAGE);  // advice only
#endif
  if (zero) std::memset(p, 0, bytes);
  return std::shared_ptr<char>(static_cast<char*>(p), [](char* q) { std::free(q); });
}

}  // namespace

bool NumericByteSize(DataType dtype, int64_t num_elements, uint64_t* bytes) {
  const int size = DataTypeSize(dtype);
  if (size == 0 || num_elements < 0) return false;
  int64_t out;
  if (!MultiplyWithoutOverflow(num_elements, size, &out)) return false;
  *bytes = static_cast<uint64_t>(out);
  return true;
}

StatusOr<Tensor> Tensor::Allocate(DataType dtype, const TensorShape& shape,
                                  uint64_t max_bytes) {
  return AllocateImpl(dtype, shape, max_bytes, /*zero=*/true);
}

StatusOr<Tensor> Tensor::AllocateUninitialized(DataType dtype, const TensorShape& shape,
                                               uint64_t max_bytes) {
  return AllocateImpl(dtype, shape, max_bytes, /*zero=*/dtype == tensorflow::DT_STRING);
}

StatusOr<Tensor> Tensor::AllocateImpl(DataType dtype, const TensorShape& shape,
                                      uint64_t max_bytes, bool zero) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = shape;
  if (dtype == tensorflow::DT_STRING) {
    // Each string costs at least its object; bound that too.
    uint64_t object_bytes;
    if (!NumericByteSize(tensorflow::DT_INT64, shape.num_elements(), &object_bytes) ||
        object_bytes / 8 * sizeof(std::string) > max_bytes) {
      return ResourceExhaustedError(StrCat("string tensor of shape ",
                                           shape.DebugString(), " is too large"));
    }
    t.strings_ = std::make_shared<std::vector<std::string>>(shape.num_elements());
    return t;
  }
  uint64_t bytes;
  if (!NumericByteSize(dtype, shape.num_elements(), &bytes)) {
    return InvalidArgumentError(StrCat("cannot allocate a tensor of dtype ",
                                       DataTypeName(dtype), " and shape ",
                                       shape.DebugString()));
  }
  if (bytes > max_bytes) {
    return ResourceExhaustedError(StrCat("tensor of ", bytes,
                                         " bytes exceeds the limit of ",
                                         max_bytes));
  }
  auto buffer = AlignedBuffer(bytes, zero);
  if (buffer == nullptr) {
    return ResourceExhaustedError(StrCat("out of memory allocating ", bytes, " bytes"));
  }
  t.data_ = buffer.get();
  t.owner_ = std::move(buffer);
  return t;
}

Tensor Tensor::Borrow(DataType dtype, const TensorShape& shape, const char* data,
                      std::shared_ptr<const void> owner) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = shape;
  t.data_ = data;
  t.owner_ = std::move(owner);
  t.borrowed_ = true;
  return t;
}

Tensor Tensor::FromStrings(const TensorShape& shape, std::vector<std::string> values) {
  Tensor t = *Allocate(tensorflow::DT_STRING, shape);
  values.resize(shape.num_elements());
  *t.strings_ = std::move(values);
  return t;
}

uint64_t Tensor::TotalBytes() const {
  uint64_t bytes = 0;
  return NumericByteSize(dtype_, num_elements(), &bytes) ? bytes : 0;
}

char* Tensor::mutable_raw_data() {
  if (borrowed_) {
    auto buffer = AlignedBuffer(TotalBytes(), /*zero=*/false);
    if (TotalBytes() > 0) std::memcpy(buffer.get(), data_, TotalBytes());
    data_ = buffer.get();
    owner_ = std::move(buffer);
    borrowed_ = false;
  }
  return const_cast<char*>(data_);
}

bool Tensor::BitwiseEquals(const Tensor& other) const {
  if (dtype_ != other.dtype_ || shape_ != other.shape_) return false;
  if (is_string()) return *strings_ == *other.strings_;
  const uint64_t n = TotalBytes();
  return n == 0 || std::memcmp(data_, other.data_, n) == 0;
}

namespace {
template <typename T>
void AppendValues(std::ostringstream& os, const char* data, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    T v;
    std::memcpy(&v, data + i * sizeof(T), sizeof(T));
    os << ' ' << +v;
  }
}
}  // namespace

std::string Tensor::DebugString(int max_values) const {
  std::ostringstream os;
  os << DataTypeName(dtype_) << ' ' << shape_.DebugString();
  const int64_t n = std::min<int64_t>(num_elements(), max_values);
  switch (dtype_) {
    case tensorflow::DT_FLOAT: AppendValues<float>(os, data_, n); break;
    case tensorflow::DT_DOUBLE: AppendValues<double>(os, data_, n); break;
    case tensorflow::DT_INT32: AppendValues<int32_t>(os, data_, n); break;
    case tensorflow::DT_INT64: AppendValues<int64_t>(os, data_, n); break;
    case tensorflow::DT_BOOL: AppendValues<bool>(os, data_, n); break;
    case tensorflow::DT_STRING:
      for (int64_t i = 0; i < n; ++i) os << " \"" << (*strings_)[i] << '"';
      break;
    default:
      break;
  }
  if (num_elements() > n) os << " ...";
  return os.str();
}

}  // namespace tfckpt::tensor
