// 3-D convolution and pooling over NDHWC volumes (tensorflow/core/ops/
// nn_ops.cc, kernels/conv_ops_3d.cc, pooling_ops_3d.cc): Conv3D and
// MaxPool3D, float and double, SAME / VALID padding, strides; what Keras'
// Conv3D and MaxPooling3D build. Dilations other than 1 are Unimplemented.
//
// Conv3D sums each output over the patch in (plane, row, column, input
// channel) order with fused multiply-adds, as the Conv2D kernel does; TF's
// Eigen contraction blocks the sum differently, so results are within a few
// ulps of TF's (src/graph/README.md, "Numerical contract"). MaxPool3D is
// exact; a NaN in a window propagates.
#include <cmath>

#include "src/graph/kernel_util.h"
#include "src/graph/serving_ops.h"

namespace tfckpt::graph {
namespace {

std::vector<int64_t> Ints(const Node& node, const char* name) {
  const tensorflow::AttrValue* v = node.FindAttr(name);
  if (v == nullptr) return {};
  return std::vector<int64_t>(v->list().i().begin(), v->list().i().end());
}

// The attrs both ops share: window (ksize for pooling; the filter gives
// Conv3D's), strides, padding; NDHWC only.
struct Volume {
  std::vector<int64_t> ksize, strides;
  std::string padding;

  Status Init(const Node& node, bool pool) {
    TFCKPT_ASSIGN_OR_RETURN(std::string format, node.AttrString("data_format"));
    if (format != "NDHWC") {
      return InvalidArgumentError(StrCat(node.op(), " on the CPU only supports the NDHWC "
                                         "tensor format; the op was given ", format));
    }
    TFCKPT_ASSIGN_OR_RETURN(padding, node.AttrString("padding"));
    strides = Ints(node, "strides");
    if (strides.size() != 5) {
      return InvalidArgumentError("Sliding window strides field must specify 5 dimensions");
    }
    if (pool) {
      ksize = Ints(node, "ksize");
      if (ksize.size() != 5) {
        return InvalidArgumentError("Sliding window ksize field must specify 5 dimensions");
      }
      if (ksize[0] != 1 || ksize[4] != 1) {
        return UnimplementedError("Pooling is not yet supported on the batch nor channel "
                                  "dimension.");
      }
    } else {
      const std::vector<int64_t> dilations = Ints(node, "dilations");
      for (int64_t d : dilations) {
        if (d != 1) return UnimplementedError("Conv3D with dilations other than 1 in tfckpt");
      }
    }
    if (strides[0] != 1 || strides[4] != 1) {
      return UnimplementedError("Current implementation does not yet support strides in the "
                                "batch and depth dimensions.");
    }
    for (int i = 1; i < 4; ++i) {
      if (strides[i] <= 0 || (pool && ksize[i] <= 0)) {
        return InvalidArgumentError(StrCat(node.op(), " strides and ksize must be positive"));
      }
    }
    return OkStatus();
  }
};

// Output geometry of an NDHWC input under a [kd, kr, kc] window.
struct Geometry {
  int64_t batch, in[3], depth, out[3], pad[3];
};

StatusOr<Geometry> GeometryOf(const Volume& v, const Tensor& x, const int64_t window[3]) {
  if (x.shape().rank() != 5) {
    return InvalidArgumentError(StrCat("input must be 5-dimensional",
                                       x.shape().DebugString()));
  }
  Geometry g;
  g.batch = x.shape().dim(0);
  g.depth = x.shape().dim(4);
  for (int i = 0; i < 3; ++i) {
    g.in[i] = x.shape().dim(i + 1);
    TFCKPT_ASSIGN_OR_RETURN(Window w, WindowOf(g.in[i], window[i], /*dilation=*/1,
                                               v.strides[i + 1], v.padding));
    g.out[i] = w.out;
    g.pad[i] = w.pad_before;
  }
  return g;
}

class Conv3DOp : public OpKernel {
 public:
  Status Init(const Node& node, const KernelOptions&) override {
    TFCKPT_ASSIGN_OR_RETURN(dtype_, node.AttrType("T"));
    return v_.Init(node, /*pool=*/false);
  }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& x = ctx->input(0);
    const Tensor& filter = ctx->input(1);
    if (filter.shape().rank() != 5) {
      return InvalidArgumentError(StrCat("filter must be 5-dimensional: ",
                                         filter.shape().DebugString()));
    }
    const int64_t window[3] = {filter.shape().dim(0), filter.shape().dim(1),
                               filter.shape().dim(2)};
    TFCKPT_ASSIGN_OR_RETURN(Geometry g, GeometryOf(v_, x, window));
    const int64_t f_depth = filter.shape().dim(3), out_depth = filter.shape().dim(4);
    if (f_depth != g.depth) {
      return InvalidArgumentError(StrCat("Input depth must be equal to filter depth: ", g.depth,
                                         " vs ", f_depth));
    }
    TFCKPT_ASSIGN_OR_RETURN(TensorShape shape,
                            TensorShape::Make({g.batch, g.out[0], g.out[1], g.out[2], out_depth}));
    TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, dtype_, shape));
    return Dispatch<kFloatTypes>(dtype_, "Conv3D", [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      const T* in = x.flat<T>();
      const T* f = filter.flat<T>();
      T* o = out->mutable_flat<T>();
      for (int64_t b = 0; b < g.batch; ++b) {
        for (int64_t p = 0; p < g.out[0]; ++p) {
          for (int64_t r = 0; r < g.out[1]; ++r) {
            for (int64_t c = 0; c < g.out[2]; ++c) {
              for (int64_t oc = 0; oc < out_depth; ++oc) {
                T acc = T(0);
                for (int64_t fp = 0; fp < window[0]; ++fp) {
                  const int64_t ip = p * v_.strides[1] + fp - g.pad[0];
                  if (ip < 0 || ip >= g.in[0]) continue;
                  for (int64_t fr = 0; fr < window[1]; ++fr) {
                    const int64_t ir = r * v_.strides[2] + fr - g.pad[1];
                    if (ir < 0 || ir >= g.in[1]) continue;
                    for (int64_t fc = 0; fc < window[2]; ++fc) {
                      const int64_t ic = c * v_.strides[3] + fc - g.pad[2];
                      if (ic < 0 || ic >= g.in[2]) continue;
                      const T* xp = in + (((b * g.in[0] + ip) * g.in[1] + ir) * g.in[2] + ic) * g.depth;
                      const T* wp = f + (((fp * window[1] + fr) * window[2] + fc) * f_depth) * out_depth + oc;
                      for (int64_t d = 0; d < g.depth; ++d) acc = std::fma(xp[d], wp[d * out_depth], acc);
                    }
                  }
                }
                o[(((b * g.out[0] + p) * g.out[1] + r) * g.out[2] + c) * out_depth + oc] = acc;
              }
            }
          }
        }
      }
      return OkStatus();
    });
  }

 private:
  DataType dtype_ = tensorflow::DT_INVALID;
  Volume v_;
};

template <typename T>
T MaxNan(T a, T b) {
  if (std::isnan(a)) return a;
  if (std::isnan(b)) return b;
  return a < b ? b : a;
}

class MaxPool3DOp : public OpKernel {
 public:
  Status Init(const Node& node, const KernelOptions&) override {
    TFCKPT_ASSIGN_OR_RETURN(dtype_, node.AttrType("T"));
    return v_.Init(node, /*pool=*/true);
  }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& x = ctx->input(0);
    const int64_t window[3] = {v_.ksize[1], v_.ksize[2], v_.ksize[3]};
    TFCKPT_ASSIGN_OR_RETURN(Geometry g, GeometryOf(v_, x, window));
    TFCKPT_ASSIGN_OR_RETURN(TensorShape shape,
                            TensorShape::Make({g.batch, g.out[0], g.out[1], g.out[2], g.depth}));
    TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, dtype_, shape));
    return Dispatch<kFloatTypes>(dtype_, "MaxPool3D", [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      const T* in = x.flat<T>();
      T* o = out->mutable_flat<T>();
      int64_t lo[3], hi[3], at[3];
      for (int64_t b = 0; b < g.batch; ++b) {
        for (at[0] = 0; at[0] < g.out[0]; ++at[0]) {
          for (at[1] = 0; at[1] < g.out[1]; ++at[1]) {
            for (at[2] = 0; at[2] < g.out[2]; ++at[2]) {
              for (int i = 0; i < 3; ++i) {
                const int64_t start = at[i] * v_.strides[i + 1] - g.pad[i];
                lo[i] = std::max<int64_t>(start, 0);
                hi[i] = std::min(start + window[i], g.in[i]);
              }
              T* q = o + (((b * g.out[0] + at[0]) * g.out[1] + at[1]) * g.out[2] + at[2]) * g.depth;
              for (int64_t d = 0; d < g.depth; ++d) {
                T m = -std::numeric_limits<T>::infinity();
                for (int64_t ip = lo[0]; ip < hi[0]; ++ip) {
                  for (int64_t ir = lo[1]; ir < hi[1]; ++ir) {
                    for (int64_t ic = lo[2]; ic < hi[2]; ++ic) {
                      m = MaxNan(m, in[(((b * g.in[0] + ip) * g.in[1] + ir) * g.in[2] + ic) * g.depth + d]);
                    }
                  }
                }
                q[d] = m;
              }
            }
          }
        }
      }
      return OkStatus();
    });
  }

 private:
  DataType dtype_ = tensorflow::DT_INVALID;
  Volume v_;
};

}  // namespace

void RegisterVolumeOps(OpRegistry* r) {
  r->Register(OpDefBuilder("Conv3D")
                  .Input("input: T")
                  .Input("filter: T")
                  .Output("output: T")
                  .Attr("T: {half, bfloat16, float, double}")
                  .Attr("strides: list(int) >= 5")
                  .Attr("padding: {'SAME', 'VALID'}")
                  .Attr("data_format: {'NDHWC', 'NCDHW'} = 'NDHWC'")
                  .Attr("dilations: list(int) = []"),
              Kernel<Conv3DOp>());
  r->Register(OpDefBuilder("MaxPool3D")
                  .Input("input: T")
                  .Output("output: T")
                  .Attr("ksize: list(int) >= 5")
                  .Attr("strides: list(int) >= 5")
                  .Attr("padding: {'SAME', 'VALID'}")
                  .Attr("data_format: {'NDHWC', 'NCDHW'} = 'NDHWC'")
                  .Attr("T: {half, bfloat16, float}"),
              Kernel<MaxPool3DOp>());
}

}  // namespace tfckpt::graph
