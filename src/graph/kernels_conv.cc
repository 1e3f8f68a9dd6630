// Conv2D (tensorflow/core/ops/nn_ops.cc, kernels/conv_ops.cc) for float and
// double, NHWC (TF's CPU kernel refuses NCHW too), SAME / VALID / EXPLICIT
// padding, strides, dilations and grouped filters (input depth a multiple of
// the filter's).
//
// Each output is the sum over the patch in (filter row, filter column, input
// channel) order, accumulated with fused multiply-adds like the MatMul
// kernel; TF's Eigen contraction blocks large patches differently, so results
// are bit-exact with TF only for small patches (verified: the all-zero
// inputs of half_plus_two_mkl) and otherwise within a few ulps.
//
// DepthwiseConv2dNative (depthwise_conv_op.cc) is the same loop over a
// grouped filter with one input channel per group.
//
// OpDef differences (OpDefBuilder cannot write list(int) defaults other than
// []): `dilations` defaults to [] here, read as [1, 1, 1, 1].
#include <cmath>
#include <cstdint>

#include "src/graph/kernel_util.h"
#include "src/graph/serving_ops.h"

namespace tfckpt::graph {
namespace {

// Conv2D, or DepthwiseConv2dNative when kDepthwise: filter [rows, cols,
// in_depth, multiplier], output channel d * multiplier + m convolves input
// channel d alone (TF's depthwise kernel also accumulates with fused
// multiply-adds over the filter window in row-major order).
template <bool kDepthwise>
class Conv2DOp : public OpKernel {
 public:
  Status Init(const Node& node, const KernelOptions&) override {
    TFCKPT_ASSIGN_OR_RETURN(dtype_, node.AttrType("T"));
    if (dtype_ != tensorflow::DT_FLOAT && dtype_ != tensorflow::DT_DOUBLE) {
      return UnimplementedError(StrCat(node.op(), " is not implemented for dtype ",
                                       tensor::DataTypeName(dtype_), " in tfckpt"));
    }
    TFCKPT_ASSIGN_OR_RETURN(std::string format, node.AttrString("data_format"));
    if (format != "NHWC") {
      return InvalidArgumentError(StrCat(
          "Conv2D op currently only supports the NHWC tensor format on the CPU. The op was "
          "given the format: ", format));
    }
    TFCKPT_ASSIGN_OR_RETURN(padding_, node.AttrString("padding"));
    auto ints = [&](const char* name) -> std::vector<int64_t> {
      const tensorflow::AttrValue* v = node.FindAttr(name);
      if (v == nullptr) return {};
      return std::vector<int64_t>(v->list().i().begin(), v->list().i().end());
    };
    strides_ = ints("strides");
    dilations_ = ints("dilations");
    explicit_ = ints("explicit_paddings");
    if (dilations_.empty()) dilations_ = {1, 1, 1, 1};
    if (strides_.size() != 4) {
      return InvalidArgumentError("Sliding window strides field must specify 4 dimensions");
    }
    if (dilations_.size() != 4) {
      return InvalidArgumentError("Sliding window dilations field must specify 4 dimensions");
    }
    if (strides_[0] != 1 || strides_[3] != 1) {
      return UnimplementedError(
          "Current implementation does not yet support strides in the batch and depth "
          "dimensions.");
    }
    if (dilations_[0] != 1 || dilations_[3] != 1) {
      return UnimplementedError(
          "Current implementation does not yet support dilations in the batch and depth "
          "dimensions.");
    }
    for (int i = 1; i < 3; ++i) {
      if (strides_[i] <= 0 || dilations_[i] <= 0 || strides_[i] > INT32_MAX ||
          dilations_[i] > INT32_MAX) {
        return InvalidArgumentError("Conv2D strides and dilations must be in [1, 2^31)");
      }
    }
    if (padding_ == "EXPLICIT") {
      if (explicit_.size() != 8) {
        return InvalidArgumentError(StrCat("explicit_paddings attribute must contain 8 values, "
                                           "but got: ", explicit_.size()));
      }
      for (int64_t p : explicit_) {
        if (p < 0) return InvalidArgumentError(StrCat("All explicit paddings must be >= 0, got ", p));
      }
    } else if (!explicit_.empty()) {
      return InvalidArgumentError("explicit_paddings attribute must be empty if the padding "
                                  "attribute is not EXPLICIT");
    }
    return OkStatus();
  }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& input = ctx->input(0);
    const Tensor& filter = ctx->input(1);
    if (input.shape().rank() != 4) {
      return InvalidArgumentError(
          StrCat("input must be 4-dimensional", input.shape().DebugString()));
    }
    if (filter.shape().rank() != 4) {
      return InvalidArgumentError(
          StrCat("filter must be 4-dimensional: ", filter.shape().DebugString()));
    }
    const int64_t batch = input.shape().dim(0), in_rows = input.shape().dim(1),
                  in_cols = input.shape().dim(2), in_depth = input.shape().dim(3);
    const int64_t f_rows = filter.shape().dim(0), f_cols = filter.shape().dim(1);
    int64_t f_depth = filter.shape().dim(2), out_depth = filter.shape().dim(3);
    if constexpr (kDepthwise) {
      if (f_depth != in_depth) {
        return InvalidArgumentError(StrCat("input and filter must have the same depth: ",
                                           in_depth, " vs ", f_depth));
      }
      // As a grouped convolution: in_depth groups of one input channel.
      out_depth = in_depth * filter.shape().dim(3);
      f_depth = 1;
    }
    if (f_depth <= 0 || in_depth % f_depth != 0) {
      return InvalidArgumentError(StrCat("input depth must be evenly divisible by filter depth: ",
                                         in_depth, " vs ", f_depth));
    }
    const int64_t groups = in_depth / f_depth;
    if (out_depth % groups != 0) {
      return InvalidArgumentError(StrCat("output depth must be evenly divisible by number of "
                                         "groups: ", out_depth, " vs ", groups));
    }
    const int64_t per_group = out_depth / groups;
    if (f_rows > INT32_MAX || f_cols > INT32_MAX || in_rows > INT32_MAX || in_cols > INT32_MAX) {
      return InvalidArgumentError("Conv2D input and filter dimensions must be below 2^31");
    }
    const bool expl = padding_ == "EXPLICIT";
    TFCKPT_ASSIGN_OR_RETURN(Window rows, WindowOf(in_rows, f_rows, dilations_[1], strides_[1], padding_,
                                               expl ? explicit_[2] : 0, expl ? explicit_[3] : 0));
    TFCKPT_ASSIGN_OR_RETURN(Window cols, WindowOf(in_cols, f_cols, dilations_[2], strides_[2], padding_,
                                               expl ? explicit_[4] : 0, expl ? explicit_[5] : 0));
    TFCKPT_ASSIGN_OR_RETURN(TensorShape shape,
                            TensorShape::Make({batch, rows.out, cols.out, out_depth}));
    TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, dtype_, shape));
    return Dispatch<kFloatTypes>(dtype_, ctx->node().op(), [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      const T* in = input.flat<T>();
      const T* f = filter.flat<T>();
      T* o = out->mutable_flat<T>();
      for (int64_t b = 0; b < batch; ++b) {
        for (int64_t r = 0; r < rows.out; ++r) {
          for (int64_t c = 0; c < cols.out; ++c) {
            for (int64_t oc = 0; oc < out_depth; ++oc) {
              const int64_t first_in = (oc / per_group) * f_depth;
              T acc = T(0);
              for (int64_t fr = 0; fr < f_rows; ++fr) {
                const int64_t ir = r * strides_[1] + fr * dilations_[1] - rows.pad_before;
                if (ir < 0 || ir >= in_rows) continue;
                for (int64_t fc = 0; fc < f_cols; ++fc) {
                  const int64_t icol = c * strides_[2] + fc * dilations_[2] - cols.pad_before;
                  if (icol < 0 || icol >= in_cols) continue;
                  const T* ip = in + ((b * in_rows + ir) * in_cols + icol) * in_depth + first_in;
                  // Depthwise filters are [.., in_depth, multiplier]: the
                  // same flat layout as a grouped [.., 1, out_depth] filter.
                  const T* fp = f + ((fr * f_cols + fc) * f_depth) * out_depth + oc;
                  for (int64_t d = 0; d < f_depth; ++d) acc = std::fma(ip[d], fp[d * out_depth], acc);
                }
              }
              o[((b * rows.out + r) * cols.out + c) * out_depth + oc] = acc;
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
  std::vector<int64_t> strides_, dilations_, explicit_;
};

}  // namespace

void RegisterConvOps(OpRegistry* r) {
  r->Register(OpDefBuilder("Conv2D")
                  .Input("input: T")
                  .Input("filter: T")
                  .Output("output: T")
                  .Attr("T: {half, bfloat16, float, double, int32}")
                  .Attr("strides: list(int)")
                  .Attr("use_cudnn_on_gpu: bool = true")
                  .Attr("padding: {'SAME', 'VALID', 'EXPLICIT'}")
                  .Attr("explicit_paddings: list(int) = []")
                  .Attr("data_format: {'NHWC', 'NCHW'} = 'NHWC'")
                  .Attr("dilations: list(int) = []"),
              Kernel<Conv2DOp<false>>());
  r->Register(OpDefBuilder("DepthwiseConv2dNative")
                  .Input("input: T")
                  .Input("filter: T")
                  .Output("output: T")
                  .Attr("T: {half, bfloat16, float, double}")
                  .Attr("strides: list(int)")
                  .Attr("padding: {'SAME', 'VALID', 'EXPLICIT'}")
                  .Attr("explicit_paddings: list(int) = []")
                  .Attr("data_format: {'NHWC', 'NCHW'} = 'NHWC'")
                  .Attr("dilations: list(int) = []"),
              Kernel<Conv2DOp<true>>());
}

}  // namespace tfckpt::graph
