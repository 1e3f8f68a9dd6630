#include "src/graph/kernel_util.h"

#include <algorithm>
#include <cstring>

namespace tfckpt::graph {

void CopyElements(const Tensor& src, int64_t src_index, Tensor* dst, int64_t dst_index,
                  int64_t count) {
  if (count <= 0) return;
  if (src.is_string()) {
    const auto& in = src.strings();
    std::copy(in.begin() + src_index, in.begin() + src_index + count,
              dst->mutable_strings()->begin() + dst_index);
    return;
  }
  const int size = tensor::DataTypeSize(src.dtype());
  std::memcpy(dst->mutable_raw_data() + dst_index * size, src.raw_data() + src_index * size,
              static_cast<size_t>(count) * size);
}

Tensor Reshaped(const Tensor& t, const TensorShape& shape) {
  if (t.is_string()) return Tensor::FromStrings(shape, t.strings());
  // Borrow the buffer; the shared copy of `t` keeps it alive.
  auto owner = std::make_shared<Tensor>(t);
  return Tensor::Borrow(t.dtype(), shape, t.raw_data(), owner);
}

std::vector<int64_t> IntValues(const Tensor& t) {
  std::vector<int64_t> out(t.num_elements());
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    switch (t.dtype()) {
      case tensorflow::DT_INT64: out[i] = t.flat<int64_t>()[i]; break;
      case tensorflow::DT_INT16: out[i] = t.flat<int16_t>()[i]; break;
      default: out[i] = t.flat<int32_t>()[i]; break;
    }
  }
  return out;
}

Status MakeShape(const Tensor& dims, TensorShape* shape) {
  std::vector<int64_t> v = IntValues(dims);
  for (int64_t d : v) {
    if (d < 0) return InvalidArgumentError(StrCat("Dimension ", d, " must be >= 0"));
  }
  auto s = TensorShape::Make(v);
  if (!s.ok()) return s.status();
  *shape = *s;
  return OkStatus();
}

StatusOr<TensorShape> BroadcastShape(const std::vector<TensorShape>& shapes) {
  int rank = 0;
  for (const TensorShape& s : shapes) rank = std::max(rank, s.rank());
  std::vector<int64_t> dims(rank, 1);
  for (int d = 0; d < rank; ++d) {
    bool set = false;
    for (const TensorShape& s : shapes) {
      const int k = d - (rank - s.rank());
      if (k < 0) continue;
      const int64_t size = s.dim(k);
      if (size == 1) continue;
      if (!set || dims[d] == size) {
        dims[d] = size;
        set = true;
        continue;
      }
      std::string all;
      for (size_t i = 0; i < shapes.size(); ++i) {
        all += StrCat(i > 0 ? " vs. " : "", shapes[i].DebugString());
      }
      return InvalidArgumentError(StrCat("Incompatible shapes: ", all));
    }
  }
  return TensorShape::Make(dims);
}

std::vector<int64_t> BroadcastStrides(const TensorShape& in, const TensorShape& out) {
  std::vector<int64_t> strides(out.rank(), 0);
  int64_t stride = 1;
  for (int k = in.rank() - 1; k >= 0; --k) {
    const int d = k + (out.rank() - in.rank());
    strides[d] = in.dim(k) == 1 ? 0 : stride;
    stride *= in.dim(k);
  }
  return strides;
}

Status ReductionAxes(const Tensor& axes_t, int rank, std::vector<bool>* reduce) {
  reduce->assign(rank, false);
  for (int64_t a : IntValues(axes_t)) {
    if (a < -rank || a >= rank) {
      return InvalidArgumentError(StrCat("Invalid reduction dimension (", a, " for input with ",
                                         rank, " dimension(s)"));
    }
    const int64_t axis = a < 0 ? a + rank : a;
    if ((*reduce)[axis]) {
      return InvalidArgumentError(StrCat(
          "Invalid reduction arguments: Axes contains duplicate dimension: ", axis));
    }
    (*reduce)[axis] = true;
  }
  return OkStatus();
}

Status PlanReduction(OpKernelContext* ctx, std::vector<bool>* reduce, TensorShape* out_shape) {
  const Tensor& in = ctx->input(0);
  const Tensor& axes_t = ctx->input(1);
  if (axes_t.shape().rank() > 1) {
    return InvalidArgumentError(StrCat("reduction_indices must be a scalar or vector, got ",
                                       axes_t.shape().DebugString()));
  }
  TFCKPT_ASSIGN_OR_RETURN(bool keep_dims, ctx->node().AttrBool("keep_dims"));
  const int rank = in.shape().rank();
  TFCKPT_RETURN_IF_ERROR(ReductionAxes(axes_t, rank, reduce));
  std::vector<int64_t> out_dims;
  for (int d = 0; d < rank; ++d) {
    if (!(*reduce)[d]) {
      out_dims.push_back(in.shape().dim(d));
    } else if (keep_dims) {
      out_dims.push_back(1);
    }
  }
  TFCKPT_ASSIGN_OR_RETURN(*out_shape, TensorShape::Make(out_dims));
  return OkStatus();
}

StatusOr<Window> WindowOf(int64_t in, int64_t filter, int64_t dilation, int64_t stride,
                          std::string_view padding, int64_t pad_before, int64_t pad_after) {
  if (stride <= 0) return InvalidArgumentError(StrCat("Stride must be > 0, but got ", stride));
  const int64_t effective = (filter - 1) * dilation + 1;
  Window w;
  if (padding == "VALID") {
    w.out = (in - effective + stride) / stride;
  } else if (padding == "SAME") {
    w.out = (in + stride - 1) / stride;
    const int64_t total = std::max<int64_t>((w.out - 1) * stride + effective - in, 0);
    w.pad_before = total / 2;
  } else {  // EXPLICIT
    w.out = (in + pad_before + pad_after - effective + stride) / stride;
    w.pad_before = pad_before;
  }
  if (w.out < 0) {
    return InvalidArgumentError(StrCat("Computed output size would be negative: ", w.out,
                                       " [input_size: ", in, ", effective_filter_size: ",
                                       effective, ", stride: ", stride, "]"));
  }
  return w;
}

}  // namespace tfckpt::graph
