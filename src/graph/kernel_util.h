// Helpers shared by the kernel families: dtype dispatch onto C++ types,
// element access that also covers strings, shape arguments, broadcasting.
#ifndef TFCKPT_GRAPH_KERNEL_UTIL_H_
#define TFCKPT_GRAPH_KERNEL_UTIL_H_

#include <Eigen/Core>

#include <array>
#include <complex>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "src/graph/kernel.h"

namespace tfckpt::graph {

template <typename T>
struct TypeTag {
  using type = T;
};

// Sets of dtypes a kernel implements.
enum TypeSet : unsigned {
  kHalfTypes = 1u << 0,      // half, bfloat16
  kFloatTypes = 1u << 1,     // float, double
  kSignedTypes = 1u << 2,    // int8, int16, int32, int64
  kUnsignedTypes = 1u << 3,  // uint8, uint16, uint32, uint64
  kComplexTypes = 1u << 4,   // complex64, complex128
  kBoolType = 1u << 5,
  kStringType = 1u << 6,
  kRealTypes = kHalfTypes | kFloatTypes | kSignedTypes | kUnsignedTypes,
  kNumberTypes = kRealTypes | kComplexTypes,
  kFloatingTypes = kHalfTypes | kFloatTypes,
};

// Calls f(TypeTag<T>{}) with the C++ type of `dtype` if it is in kSet, else
// Unimplemented "<op> is not implemented for dtype <dtype> in tfckpt".
template <unsigned kSet, typename F>
Status Dispatch(DataType dtype, std::string_view op, F&& f) {
#define TFCKPT_DISPATCH_CASE(DT, SET, T)              \
  case tensorflow::DT:                                \
    if constexpr ((kSet & (SET)) != 0) return f(TypeTag<T>{}); \
    break;
  switch (dtype) {
    TFCKPT_DISPATCH_CASE(DT_HALF, kHalfTypes, Eigen::half)
    TFCKPT_DISPATCH_CASE(DT_BFLOAT16, kHalfTypes, Eigen::bfloat16)
    TFCKPT_DISPATCH_CASE(DT_FLOAT, kFloatTypes, float)
    TFCKPT_DISPATCH_CASE(DT_DOUBLE, kFloatTypes, double)
    TFCKPT_DISPATCH_CASE(DT_INT8, kSignedTypes, int8_t)
    TFCKPT_DISPATCH_CASE(DT_INT16, kSignedTypes, int16_t)
    TFCKPT_DISPATCH_CASE(DT_INT32, kSignedTypes, int32_t)
    TFCKPT_DISPATCH_CASE(DT_INT64, kSignedTypes, int64_t)
    TFCKPT_DISPATCH_CASE(DT_UINT8, kUnsignedTypes, uint8_t)
    TFCKPT_DISPATCH_CASE(DT_UINT16, kUnsignedTypes, uint16_t)
    TFCKPT_DISPATCH_CASE(DT_UINT32, kUnsignedTypes, uint32_t)
    TFCKPT_DISPATCH_CASE(DT_UINT64, kUnsignedTypes, uint64_t)
    TFCKPT_DISPATCH_CASE(DT_COMPLEX64, kComplexTypes, std::complex<float>)
    TFCKPT_DISPATCH_CASE(DT_COMPLEX128, kComplexTypes, std::complex<double>)
    TFCKPT_DISPATCH_CASE(DT_BOOL, kBoolType, bool)
    TFCKPT_DISPATCH_CASE(DT_STRING, kStringType, std::string)
    default:
      break;
  }
#undef TFCKPT_DISPATCH_CASE
  return UnimplementedError(StrCat(op, " is not implemented for dtype ",
                                   tensor::DataTypeName(dtype), " in tfckpt"));
}

// Element pointers for any dispatched type (strings included).
template <typename T>
const T* Data(const Tensor& t) {
  if constexpr (std::is_same_v<T, std::string>) {
    return t.strings().data();
  } else {
    return t.flat<T>();
  }
}
template <typename T>
T* MutableData(Tensor* t) {
  if constexpr (std::is_same_v<T, std::string>) {
    return t->mutable_strings()->data();
  } else {
    return t->mutable_flat<T>();
  }
}

// Copies `count` elements of src (from src_index) into *dst (at dst_index);
// any dtype, same in both. *dst must be freshly allocated.
void CopyElements(const Tensor& src, int64_t src_index, Tensor* dst, int64_t dst_index,
                  int64_t count);

// The same values under another shape with as many elements (zero-copy for
// numbers).
Tensor Reshaped(const Tensor& t, const TensorShape& shape);

inline bool IsScalar(const Tensor& t) { return t.shape().rank() == 0; }
inline bool IsVector(const Tensor& t) { return t.shape().rank() == 1; }

// The values of an int16, int32 or int64 tensor (an index-typed input).
std::vector<int64_t> IntValues(const Tensor& t);
// A shape from a 1-D int tensor, TF's TensorShapeUtils::MakeShape
// ("Dimension -1 must be >= 0").
Status MakeShape(const Tensor& dims, TensorShape* shape);

// Reduction axes (a scalar or vector of ints) of a rank-`rank` input as a
// mask: TF's ReductionHelper checks ("Invalid reduction dimension ...",
// duplicate axes).
Status ReductionAxes(const Tensor& axes_t, int rank, std::vector<bool>* reduce);

// What a reduction kernel (Sum, Mean, Max: input, reduction_indices,
// keep_dims) computes before it touches values: the axes input checked to be
// a scalar or vector, the mask of reduced axes and the output shape (reduced
// axes dropped, or kept as 1 with keep_dims).
Status PlanReduction(OpKernelContext* ctx, std::vector<bool>* reduce, TensorShape* out_shape);

// Calls f(in_index, out_index) for every element of an input of shape `in`
// in row-major order, out_index being the flat index of the output element
// it reduces into (the coordinates of axes with reduce[d] dropped). The
// order is part of the contract: floating-point kernels accumulate in it.
template <typename F>
void ForEachReduced(const TensorShape& in, const std::vector<bool>& reduce, F&& f) {
  const int rank = in.rank();
  const int64_t n = in.num_elements();
  std::vector<int64_t> idx(rank, 0);
  for (int64_t i = 0; i < n; ++i) {
    int64_t oi = 0;
    for (int d = 0; d < rank; ++d) {
      if (!reduce[d]) oi = oi * in.dim(d) + idx[d];
    }
    f(i, oi);
    for (int d = rank - 1; d >= 0; --d) {
      if (++idx[d] < in.dim(d)) break;
      idx[d] = 0;
    }
  }
}

// One spatial dimension of a windowed op (convolution, pooling): its output
// size and the padding before the first window.
struct Window {
  int64_t out = 0, pad_before = 0;
};

// TF's GetWindowedOutputSizeVerbose for an input of size `in`, a window of
// `filter` taps `dilation` apart, `stride`, and padding "VALID", "SAME" or
// "EXPLICIT" (then pad_before / pad_after are used). InvalidArgument for a
// stride <= 0 or a negative output size, with TF's texts.
StatusOr<Window> WindowOf(int64_t in, int64_t filter, int64_t dilation, int64_t stride,
                          std::string_view padding, int64_t pad_before = 0,
                          int64_t pad_after = 0);

// numpy broadcasting (TF's BCast). Output shape or InvalidArgument
// "Incompatible shapes: [2,3] vs. [4]" (two inputs).
StatusOr<TensorShape> BroadcastShape(const std::vector<TensorShape>& shapes);
// Per-dimension strides of `in` seen through the broadcast `out` shape
// (0 where `in` has size 1 or no dimension).
std::vector<int64_t> BroadcastStrides(const TensorShape& in, const TensorShape& out);

// Calls f(out_index, offsets) for every element of `out` in row-major order,
// offsets[k] being the flat index into input k.
template <size_t N, typename F>
void ForEachBroadcast(const TensorShape& out, const std::array<std::vector<int64_t>, N>& strides,
                      F&& f) {
  const int rank = out.rank();
  const int64_t n = out.num_elements();
  std::vector<int64_t> idx(rank, 0);
  std::array<int64_t, N> off{};
  for (int64_t i = 0; i < n; ++i) {
    f(i, off);
    for (int d = rank - 1; d >= 0; --d) {
      ++idx[d];
      for (size_t k = 0; k < N; ++k) off[k] += strides[k][d];
      if (idx[d] < out.dim(d)) break;
      for (size_t k = 0; k < N; ++k) off[k] -= strides[k][d] * out.dim(d);
      idx[d] = 0;
    }
  }
}

// A binary kernel's output 0 = f(x, y) over the broadcast shape of inputs
// 0 and 1 (both of C++ type T), of dtype out_dtype (C++ type Out).
template <typename T, typename Out, typename F>
Status BroadcastBinary(OpKernelContext* ctx, DataType out_dtype, F f) {
  const Tensor& x = ctx->input(0);
  const Tensor& y = ctx->input(1);
  TFCKPT_ASSIGN_OR_RETURN(TensorShape shape, BroadcastShape({x.shape(), y.shape()}));
  TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, out_dtype, shape));
  const T* a = x.flat<T>();
  const T* b = y.flat<T>();
  Out* o = out->mutable_flat<Out>();
  ForEachBroadcast<2>(shape, {BroadcastStrides(x.shape(), shape), BroadcastStrides(y.shape(), shape)},
                      [&](int64_t i, const std::array<int64_t, 2>& off) {
                        o[i] = f(a[off[0]], b[off[1]]);
                      });
  return OkStatus();
}

}  // namespace tfckpt::graph

#endif  // TFCKPT_GRAPH_KERNEL_UTIL_H_
