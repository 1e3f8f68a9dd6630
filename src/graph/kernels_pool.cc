// Pooling and the Max / Min reductions (tensorflow/core/ops/nn_ops.cc,
// math_ops.cc): MaxPool, AvgPool (NHWC, SAME / VALID; MaxPool also
// EXPLICIT), Max (what GlobalMaxPooling builds), Min (tf.nn.dynamic_rnn's
// sequence-length bounds).
//
// AvgPool is TF's SpatialAvgPool: each output sums the window's in-bounds
// inputs in row-major order starting from zero, then is divided by their
// count (padding is not counted), so results are bitwise TF's. Max and
// MaxPool are exact; a NaN in a window propagates (Eigen::PropagateNaN).
#include <cmath>
#include <limits>

#include "src/graph/kernel_util.h"
#include "src/graph/serving_ops.h"

namespace tfckpt::graph {
namespace {

std::vector<int64_t> Ints(const Node& node, const char* name) {
  const tensorflow::AttrValue* v = node.FindAttr(name);
  if (v == nullptr) return {};
  return std::vector<int64_t>(v->list().i().begin(), v->list().i().end());
}

template <typename T>
T Lowest() {
  if constexpr (std::numeric_limits<T>::has_infinity) {
    return -std::numeric_limits<T>::infinity();
  } else if constexpr (std::is_same_v<T, Eigen::half> || std::is_same_v<T, Eigen::bfloat16>) {
    return -Eigen::NumTraits<T>::infinity();
  } else {
    return std::numeric_limits<T>::lowest();
  }
}

template <typename T>
T Highest() {
  if constexpr (std::numeric_limits<T>::has_infinity) {
    return std::numeric_limits<T>::infinity();
  } else if constexpr (std::is_same_v<T, Eigen::half> || std::is_same_v<T, Eigen::bfloat16>) {
    return Eigen::NumTraits<T>::infinity();
  } else {
    return std::numeric_limits<T>::max();
  }
}

// The larger (kMax) or smaller of two values; a NaN wins.
template <bool kMax = true, typename T>
T MaxNan(T a, T b) {
  if constexpr (!std::is_integral_v<T>) {
    if (Eigen::numext::isnan(a)) return a;
    if (Eigen::numext::isnan(b)) return b;
  }
  return (kMax ? a < b : b < a) ? b : a;
}

template <bool kMax>
class PoolOp : public OpKernel {
 public:
  Status Init(const Node& node, const KernelOptions&) override {
    TFCKPT_ASSIGN_OR_RETURN(dtype_, node.AttrType("T"));
    TFCKPT_ASSIGN_OR_RETURN(std::string format, node.AttrString("data_format"));
    if (format != "NHWC") {
      return InvalidArgumentError(StrCat("Default ", kMax ? "MaxPoolingOp" : "AvgPoolingOp",
                                         " only supports NHWC on device type CPU"));
    }
    TFCKPT_ASSIGN_OR_RETURN(padding_, node.AttrString("padding"));
    ksize_ = Ints(node, "ksize");
    strides_ = Ints(node, "strides");
    explicit_ = Ints(node, "explicit_paddings");
    if (ksize_.size() != 4) {
      return InvalidArgumentError("Sliding window ksize field must specify 4 dimensions");
    }
    if (strides_.size() != 4) {
      return InvalidArgumentError("Sliding window stride field must specify 4 dimensions");
    }
    for (int i = 0; i < 4; ++i) {
      if (ksize_[i] <= 0) {
        return InvalidArgumentError(
            StrCat("Sliding window ksize for dimension ", i, " was zero."));
      }
    }
    if (ksize_[0] != 1 || strides_[0] != 1) {
      return UnimplementedError("Pooling is not yet supported on the batch dimension.");
    }
    if (ksize_[3] != 1 || strides_[3] != 1) {
      return UnimplementedError("Depthwise max pooling is currently only implemented for CPU "
                                "devices.");
    }
    if (padding_ == "EXPLICIT" && explicit_.size() != 8) {
      return InvalidArgumentError(StrCat("explicit_paddings attribute must contain 8 values, "
                                         "but got: ", explicit_.size()));
    }
    return OkStatus();
  }

  // TF's GetWindowedOutputSize for spatial dimension d (1 or 2).
  StatusOr<Window> WindowAt(int64_t in, int d) const {
    const bool expl = padding_ == "EXPLICIT";
    return WindowOf(in, ksize_[d], /*dilation=*/1, strides_[d], padding_,
                    expl ? explicit_[2 * d] : 0, expl ? explicit_[2 * d + 1] : 0);
  }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& x = ctx->input(0);
    if (x.shape().rank() != 4) {
      return InvalidArgumentError(
          StrCat("tensor_in must be 4-dimensional", x.shape().DebugString()));
    }
    const int64_t batch = x.shape().dim(0), rows = x.shape().dim(1), cols = x.shape().dim(2),
                  depth = x.shape().dim(3);
    TFCKPT_ASSIGN_OR_RETURN(Window wr, WindowAt(rows, 1));
    TFCKPT_ASSIGN_OR_RETURN(Window wc, WindowAt(cols, 2));
    const int64_t out_rows = wr.out, out_cols = wc.out, pad_rows = wr.pad_before,
                  pad_cols = wc.pad_before;
    TFCKPT_ASSIGN_OR_RETURN(TensorShape shape,
                            TensorShape::Make({batch, out_rows, out_cols, depth}));
    TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, dtype_, shape));
    constexpr unsigned kSet = kMax ? kRealTypes : kFloatingTypes;
    return Dispatch<kSet>(dtype_, ctx->node().op(), [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      const T* in = x.flat<T>();
      T* o = out->mutable_flat<T>();
      std::vector<T> acc(depth);
      for (int64_t b = 0; b < batch; ++b) {
        for (int64_t r = 0; r < out_rows; ++r) {
          const int64_t r0 = r * strides_[1] - pad_rows;
          const int64_t r_lo = std::max<int64_t>(r0, 0), r_hi = std::min(r0 + ksize_[1], rows);
          for (int64_t c = 0; c < out_cols; ++c) {
            const int64_t c0 = c * strides_[2] - pad_cols;
            const int64_t c_lo = std::max<int64_t>(c0, 0), c_hi = std::min(c0 + ksize_[2], cols);
            std::fill(acc.begin(), acc.end(), kMax ? Lowest<T>() : T(0));
            for (int64_t ir = r_lo; ir < r_hi; ++ir) {
              for (int64_t ic = c_lo; ic < c_hi; ++ic) {
                const T* p = in + ((b * rows + ir) * cols + ic) * depth;
                for (int64_t d = 0; d < depth; ++d) {
                  acc[d] = kMax ? MaxNan(acc[d], p[d]) : T(acc[d] + p[d]);
                }
              }
            }
            T* q = o + ((b * out_rows + r) * out_cols + c) * depth;
            const int64_t count = (r_hi - r_lo) * (c_hi - c_lo);
            for (int64_t d = 0; d < depth; ++d) {
              q[d] = kMax ? acc[d] : T(acc[d] / T(static_cast<float>(count)));
            }
          }
        }
      }
      return OkStatus();
    });
  }

 private:
  DataType dtype_ = tensorflow::DT_INVALID;
  std::string padding_;
  std::vector<int64_t> ksize_, strides_, explicit_;
};

// Max / Min over reduction axes, keep_dims as Sum / Mean.
template <bool kMax>
Status ExtremumOp(OpKernelContext* ctx) {
  const Tensor& in = ctx->input(0);
  std::vector<bool> reduce;
  TensorShape out_shape;
  TFCKPT_RETURN_IF_ERROR(PlanReduction(ctx, &reduce, &out_shape));
  return Dispatch<kRealTypes>(in.dtype(), kMax ? "Max" : "Min", [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, in.dtype(), out_shape));
    T* o = out->mutable_flat<T>();
    std::fill(o, o + out_shape.num_elements(), kMax ? Lowest<T>() : Highest<T>());
    const T* x = in.flat<T>();
    ForEachReduced(in.shape(), reduce,
                   [&](int64_t i, int64_t oi) { o[oi] = MaxNan<kMax>(o[oi], x[i]); });
    return OkStatus();
  });
}

}  // namespace

void RegisterPoolOps(OpRegistry* r) {
  r->Register(OpDefBuilder("MaxPool")
                  .Input("input: T")
                  .Output("output: T")
                  .Attr("T: {half, bfloat16, float, double, int32, int64, uint8, int16, int8, "
                        "uint16, qint8} = DT_FLOAT")
                  .Attr("ksize: list(int) >= 4")
                  .Attr("strides: list(int) >= 4")
                  .Attr("padding: {'SAME', 'VALID', 'EXPLICIT'}")
                  .Attr("explicit_paddings: list(int) = []")
                  .Attr("data_format: {'NHWC', 'NCHW', 'NCHW_VECT_C'} = 'NHWC'"),
              Kernel<PoolOp<true>>());
  r->Register(OpDefBuilder("AvgPool")
                  .Input("value: T")
                  .Output("output: T")
                  .Attr("ksize: list(int) >= 4")
                  .Attr("strides: list(int) >= 4")
                  .Attr("padding: {'SAME', 'VALID'}")
                  .Attr("data_format: {'NHWC', 'NCHW'} = 'NHWC'")
                  .Attr("T: {half, bfloat16, float, double}"),
              Kernel<PoolOp<false>>());
  for (const char* name : {"Max", "Min"}) {
    r->Register(OpDefBuilder(name)
                    .Input("input: T")
                    .Input("reduction_indices: Tidx")
                    .Output("output: T")
                    .Attr("keep_dims: bool = false")
                    .Attr("T: {float, double, int32, uint8, int16, int8, int64, bfloat16, uint16, "
                          "half, uint32, uint64, qint8, quint8, qint32, qint16, quint16}")
                    .Attr("Tidx: {int32, int64} = DT_INT32"),
                FnKernel(name[1] == 'a' ? ExtremumOp<true> : ExtremumOp<false>));
  }
}

}  // namespace tfckpt::graph
