// StridedSlice (tensorflow/core/ops/array_ops.cc, util/strided_slice_op.cc):
// numpy-style slicing with begin/end/ellipsis/new-axis/shrink-axis masks,
// negative indices and strides, any dtype. The sparse-to-dense spec
// expansion, clamping and error texts follow TF's ValidateStridedSliceOp.
#include "src/graph/kernel_util.h"
#include "src/graph/serving_ops.h"

namespace tfckpt::graph {
namespace {

constexpr int kNewAxis = -1;
constexpr int kShrinkAxis = -2;

struct SliceSpec {
  std::vector<int64_t> begin, end, strides;  // per dense (input) dim
  std::vector<int64_t> processing;           // size per dense dim
  std::vector<int64_t> final_shape;
};

StatusOr<SliceSpec> BuildSpec(const TensorShape& input, const Tensor& b, const Tensor& e,
                              const Tensor& s, uint64_t begin_mask, uint64_t end_mask,
                              uint64_t ellipsis_mask, uint64_t new_axis_mask,
                              uint64_t shrink_axis_mask) {
  if (!IsVector(b) || b.shape() != e.shape() || b.shape() != s.shape() ||
      b.num_elements() > 32) {
    return InvalidArgumentError(StrCat(
        "Expected begin, end, and strides to be 1D equal size tensors, but got shapes ",
        b.shape().DebugString(), ", ", e.shape().DebugString(), ", and ",
        s.shape().DebugString(), " instead."));
  }
  std::vector<int64_t> sb = IntValues(b), se = IntValues(e), ss = IntValues(s);
  int sparse_dims = static_cast<int>(sb.size());
  for (int i = 0; i < sparse_dims; ++i) {
    if (ss[i] == 0) return InvalidArgumentError(StrCat("strides[", i, "] must be non-zero"));
  }
  if (ellipsis_mask & (ellipsis_mask - 1)) {
    return InvalidArgumentError("Multiple ellipses in slice spec not allowed");
  }
  // An implicit ellipsis at the end when none is given.
  bool has_ellipsis = ellipsis_mask != 0;
  if (!has_ellipsis) {
    ellipsis_mask |= uint64_t{1} << sparse_dims;
    sb.push_back(0);
    se.push_back(0);
    ss.push_back(1);
    ++sparse_dims;
  }
  int new_axis_after_ellipsis = 0;
  bool seen_ellipsis = false;
  for (int i = 0; i < sparse_dims; ++i) {
    if (seen_ellipsis && ((new_axis_mask >> i) & 1)) ++new_axis_after_ellipsis;
    if ((ellipsis_mask >> i) & 1) seen_ellipsis = true;
  }

  const int dims = input.rank();
  SliceSpec d;
  d.begin.assign(dims, 0);
  d.end.assign(dims, 0);
  d.strides.assign(dims, 1);
  // Per dense dim (inputs may have up to 254 dims: no bit masks here).
  std::vector<char> dbegin(dims, 0), dend(dims, 0), dshrink(dims, 0);
  std::vector<int> gather;
  int full = 0;
  for (int i = 0; i < sparse_dims; ++i) {
    if ((ellipsis_mask >> i) & 1) {
      const int next = std::min(dims - (sparse_dims - i) + 1 + new_axis_after_ellipsis, dims);
      for (; full < next; ++full) {
        d.begin[full] = d.end[full] = 0;
        d.strides[full] = 1;
        dbegin[full] = dend[full] = 1;
        gather.push_back(full);
      }
    } else if ((new_axis_mask >> i) & 1) {
      gather.push_back(kNewAxis);
    } else {
      if (full == dims) {
        return InvalidArgumentError(StrCat("Index out of range using input dim ", full,
                                           "; input has only ", dims, " dims"));
      }
      d.begin[full] = sb[i];
      d.end[full] = se[i];
      d.strides[full] = ss[i];
      dbegin[full] = (begin_mask >> i) & 1;
      dend[full] = (end_mask >> i) & 1;
      if ((shrink_axis_mask >> i) & 1) {
        gather.push_back(kShrinkAxis);
        dshrink[full] = 1;
      } else {
        gather.push_back(full);
      }
      ++full;
    }
  }

  for (int i = 0; i < dims; ++i) {
    const int64_t dim = input.dim(i);
    int64_t& begin = d.begin[i];
    int64_t& end = d.end[i];
    const int64_t stride = d.strides[i];
    const bool shrink = dshrink[i];
    if (shrink) {
      const int64_t x = begin < 0 ? dim + begin : begin;
      if (x < 0 || x >= dim) {
        return InvalidArgumentError(StrCat("slice index ", begin, " of dimension ", i,
                                           " out of bounds."));
      }
      begin = x;
      end = x + 1;
      d.processing.push_back(1);
      continue;
    }
    auto canonical = [&](int64_t x, int c, bool masked) {
      if (masked) return stride > 0 ? (c == 0 ? int64_t{0} : dim) : (c == 0 ? dim - 1 : int64_t{-1});
      const int64_t fwd = x < 0 ? dim + x : x;
      const int64_t lo = stride > 0 ? 0 : -1;
      const int64_t hi = stride > 0 ? dim : dim - 1;
      return std::min(std::max(fwd, lo), hi);
    };
    begin = canonical(begin, 0, dbegin[i]);
    end = canonical(end, 1, dend[i]);
    int64_t size = 0;
    if (!((stride > 0 && begin >= end) || (stride < 0 && begin <= end))) {
      const int64_t span = end - begin;
      size = span / stride + (span % stride != 0 ? 1 : 0);
    }
    d.processing.push_back(size);
  }
  for (int g : gather) {
    if (g == kNewAxis) {
      d.final_shape.push_back(1);
    } else if (g >= 0) {
      d.final_shape.push_back(d.processing[g]);
    }
  }
  return d;
}

class StridedSliceOp : public OpKernel {
 public:
  Status Init(const Node& node, const KernelOptions&) override {
    TFCKPT_ASSIGN_OR_RETURN(begin_mask_, node.AttrInt("begin_mask"));
    TFCKPT_ASSIGN_OR_RETURN(end_mask_, node.AttrInt("end_mask"));
    TFCKPT_ASSIGN_OR_RETURN(ellipsis_mask_, node.AttrInt("ellipsis_mask"));
    TFCKPT_ASSIGN_OR_RETURN(new_axis_mask_, node.AttrInt("new_axis_mask"));
    TFCKPT_ASSIGN_OR_RETURN(shrink_axis_mask_, node.AttrInt("shrink_axis_mask"));
    return OkStatus();
  }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& input = ctx->input(0);
    TFCKPT_ASSIGN_OR_RETURN(
        SliceSpec spec, BuildSpec(input.shape(), ctx->input(1), ctx->input(2), ctx->input(3),
                                  static_cast<uint64_t>(begin_mask_),
                                  static_cast<uint64_t>(end_mask_),
                                  static_cast<uint64_t>(ellipsis_mask_),
                                  static_cast<uint64_t>(new_axis_mask_),
                                  static_cast<uint64_t>(shrink_axis_mask_)));
    TFCKPT_ASSIGN_OR_RETURN(TensorShape shape, TensorShape::Make(spec.final_shape));
    TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, input.dtype(), shape));
    const int dims = input.shape().rank();
    if (out->num_elements() == 0) return OkStatus();
    // Row-major input strides.
    std::vector<int64_t> in_stride(dims, 1);
    for (int i = dims - 2; i >= 0; --i) in_stride[i] = in_stride[i + 1] * input.shape().dim(i + 1);
    std::vector<int64_t> idx(dims, 0);
    for (int64_t o = 0; o < out->num_elements(); ++o) {
      int64_t src = 0;
      for (int i = 0; i < dims; ++i) src += (spec.begin[i] + idx[i] * spec.strides[i]) * in_stride[i];
      CopyElements(input, src, out, o, 1);
      for (int i = dims - 1; i >= 0; --i) {
        if (++idx[i] < spec.processing[i]) break;
        idx[i] = 0;
      }
    }
    return OkStatus();
  }

 private:
  int64_t begin_mask_ = 0, end_mask_ = 0, ellipsis_mask_ = 0, new_axis_mask_ = 0,
          shrink_axis_mask_ = 0;
};

}  // namespace

void RegisterSliceOps(OpRegistry* r) {
  r->Register(OpDefBuilder("StridedSlice")
                  .Input("input: T")
                  .Input("begin: Index")
                  .Input("end: Index")
                  .Input("strides: Index")
                  .Output("output: T")
                  .Attr("T: type")
                  .Attr("Index: {int16, int32, int64}")
                  .Attr("begin_mask: int = 0")
                  .Attr("end_mask: int = 0")
                  .Attr("ellipsis_mask: int = 0")
                  .Attr("new_axis_mask: int = 0")
                  .Attr("shrink_axis_mask: int = 0"),
              Kernel<StridedSliceOp>());
}

}  // namespace tfckpt::graph
