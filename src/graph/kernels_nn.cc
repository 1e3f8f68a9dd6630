// Neural-network and reduction ops (tensorflow/core/ops/nn_ops.cc,
// math_ops.cc): MatMul, BiasAdd, Relu, Softmax, Sum, Mean, ArgMax.
//
// MatMul reproduces the arithmetic of TF's CPU kernel (sequential fused
// multiply-adds per output, see MatMulLoop). Softmax and the reductions use
// the same Eigen tensor expressions as TF's kernels (SoftmaxEigenImpl's
// exp(x - max) * (1 / sum), Eigen reductions); Eigen's packet width and FMA
// use (SSE2 here, AVX2+FMA in TF's wheels) can change the last bits of exp
// and of long sums, so those may differ from TF by a few ulps (the golden
// tests state the bound they observe).
#include <unsupported/Eigen/CXX11/Tensor>

#include <algorithm>
#include <cmath>
#include <set>

#include "src/graph/kernel_util.h"

namespace tfckpt::graph {
namespace {

template <typename T>
using ConstMatrix = Eigen::TensorMap<Eigen::Tensor<const T, 2, Eigen::RowMajor>>;
template <typename T>
using Matrix = Eigen::TensorMap<Eigen::Tensor<T, 2, Eigen::RowMajor>>;

// One output element per (i, j): s = fma(a(i,l), b(l,j), s) for l = 0..k-1.
// This is the arithmetic of TF's CPU MatMul (Eigen's gebp kernel with FMA,
// as TF 2.21's x86 wheels are built): each accumulator runs over k in order
// with fused multiply-adds. TF's Eigen splits k into cache blocks (kc, a few
// hundred for float) and adds the block sums, so for larger k the two can
// differ in the last bits.
template <typename T, typename Acc>
void MatMulLoop(const T* a, const T* b, T* out, int64_t m, int64_t n, int64_t k, bool ta,
                bool tb) {
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      Acc s = Acc(0);
      for (int64_t l = 0; l < k; ++l) {
        const Acc x = static_cast<Acc>(ta ? a[l * m + i] : a[i * k + l]);
        const Acc y = static_cast<Acc>(tb ? b[j * k + l] : b[l * n + j]);
        if constexpr (std::is_floating_point_v<Acc>) {
          s = std::fma(x, y, s);
        } else if constexpr (std::is_integral_v<Acc>) {
          using U = std::make_unsigned_t<Acc>;
          s = static_cast<Acc>(static_cast<U>(s) + static_cast<U>(x) * static_cast<U>(y));
        } else {
          s = s + x * y;  // complex
        }
      }
      out[i * n + j] = static_cast<T>(s);
    }
  }
}

class MatMulOp : public OpKernel {
 public:
  Status Init(const Node& node, const KernelOptions&) override {
    TFCKPT_ASSIGN_OR_RETURN(ta_, node.AttrBool("transpose_a"));
    TFCKPT_ASSIGN_OR_RETURN(tb_, node.AttrBool("transpose_b"));
    return OkStatus();
  }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& a = ctx->input(0);
    const Tensor& b = ctx->input(1);
    if (a.shape().rank() != 2) {
      return InvalidArgumentError(StrCat("In[0] is not a matrix. Instead it has shape ",
                                         a.shape().DebugString()));
    }
    if (b.shape().rank() != 2) {
      return InvalidArgumentError(StrCat("In[1] is not a matrix. Instead it has shape ",
                                         b.shape().DebugString()));
    }
    if (a.shape().dim(ta_ ? 0 : 1) != b.shape().dim(tb_ ? 1 : 0)) {
      return InvalidArgumentError(StrCat("Matrix size-incompatible: In[0]: ",
                                         a.shape().DebugString(), ", In[1]: ",
                                         b.shape().DebugString()));
    }
    const int64_t m = a.shape().dim(ta_ ? 1 : 0);
    const int64_t n = b.shape().dim(tb_ ? 0 : 1);
    TFCKPT_ASSIGN_OR_RETURN(TensorShape shape, TensorShape::Make({m, n}));
    TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, a.dtype(), shape));
    if (out->num_elements() == 0 || a.num_elements() == 0) return OkStatus();  // zeros
    const int64_t k = a.shape().dim(ta_ ? 0 : 1);
    return Dispatch<kFloatingTypes | kComplexTypes | kSignedTypes>(
        a.dtype(), "MatMul", [&](auto tag) -> Status {
          using T = typename decltype(tag)::type;
          if constexpr (std::is_same_v<T, int8_t> || std::is_same_v<T, int16_t>) {
            return UnimplementedError(StrCat("MatMul is not implemented for dtype ",
                                             tensor::DataTypeName(a.dtype()), " in tfckpt"));
          } else {
            // half / bfloat16 accumulate in float and round once.
            using Acc = std::conditional_t<
                std::is_same_v<T, Eigen::half> || std::is_same_v<T, Eigen::bfloat16>, float, T>;
            MatMulLoop<T, Acc>(a.flat<T>(), b.flat<T>(), out->mutable_flat<T>(), m, n, k, ta_,
                               tb_);
            return OkStatus();
          }
        });
  }

 private:
  bool ta_ = false, tb_ = false;
};

Status BiasAddOp(OpKernelContext* ctx) {
  const Tensor& value = ctx->input(0);
  const Tensor& bias = ctx->input(1);
  TFCKPT_ASSIGN_OR_RETURN(std::string format, ctx->node().AttrString("data_format"));
  if (value.shape().rank() < 2) {
    return InvalidArgumentError(StrCat("Input tensor must be at least 2D: ",
                                       value.shape().DebugString()));
  }
  if (!IsVector(bias)) {
    return InvalidArgumentError(StrCat("Biases must be 1D: ", bias.shape().DebugString()));
  }
  const bool nchw = format == "NCHW";
  const int channel_dim = nchw ? 1 : value.shape().rank() - 1;
  const int64_t channels = value.shape().dim(channel_dim);
  if (bias.num_elements() != channels) {
    return InvalidArgumentError(StrCat("Must provide as many biases as the ",
                                       nchw ? "channel" : "last", " dimension of the input tensor: ",
                                       bias.shape().DebugString(), " vs. ",
                                       value.shape().DebugString()));
  }
  int64_t inner = 1;
  for (int d = channel_dim + 1; d < value.shape().rank(); ++d) inner *= value.shape().dim(d);
  return Dispatch<kNumberTypes>(value.dtype(), "BiasAdd", [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, value.dtype(), value.shape()));
    const T* v = value.flat<T>();
    const T* b = bias.flat<T>();
    T* o = out->mutable_flat<T>();
    for (int64_t i = 0; i < value.num_elements(); ++i) {
      const T x = b[(i / inner) % channels];
      if constexpr (std::is_integral_v<T>) {
        using U = std::common_type_t<std::make_unsigned_t<T>, unsigned>;
        o[i] = static_cast<T>(static_cast<U>(v[i]) + static_cast<U>(x));
      } else {
        o[i] = v[i] + x;
      }
    }
    return OkStatus();
  });
}

Status ReluOp(OpKernelContext* ctx) {
  const Tensor& x = ctx->input(0);
  return Dispatch<kRealTypes>(x.dtype(), "Relu", [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, x.dtype(), x.shape()));
    const T* in = x.flat<T>();
    T* o = out->mutable_flat<T>();
    // std::max(x, 0) as Eigen's cwiseMax: NaN stays NaN, -0.0 stays -0.0.
    for (int64_t i = 0; i < x.num_elements(); ++i) o[i] = in[i] < T(0) ? T(0) : in[i];
    return OkStatus();
  });
}

Status SoftmaxOp(OpKernelContext* ctx) {
  const Tensor& logits = ctx->input(0);
  if (logits.shape().rank() < 1) {
    return InvalidArgumentError(StrCat("logits must have >= 1 dimension, got ",
                                       logits.shape().DebugString()));
  }
  return Dispatch<kFloatingTypes>(logits.dtype(), "Softmax", [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, logits.dtype(), logits.shape()));
    if (logits.num_elements() == 0) return OkStatus();
    const int64_t classes = logits.shape().dim(logits.shape().rank() - 1);
    const int64_t batch = logits.num_elements() / classes;
    ConstMatrix<T> x(logits.flat<T>(), batch, classes);
    Matrix<T> softmax(out->mutable_flat<T>(), batch, classes);
    const Eigen::array<int, 1> along_class{1};
    const Eigen::array<Eigen::Index, 2> batch_by_one{batch, 1};
    const Eigen::array<Eigen::Index, 2> one_by_class{1, classes};
    // SoftmaxEigenImpl: exp(logits - max) then * (1 / sum).
    auto shifted = x - x.maximum(along_class).eval().reshape(batch_by_one).broadcast(one_by_class);
    softmax = shifted.exp();
    softmax = softmax *
              softmax.sum(along_class).inverse().eval().reshape(batch_by_one).broadcast(one_by_class);
    return OkStatus();
  });
}

template <bool kMean>
Status ReduceOp(OpKernelContext* ctx) {
  const Tensor& in = ctx->input(0);
  const int rank = in.shape().rank();
  std::vector<bool> reduce;
  TensorShape out_shape;
  TFCKPT_RETURN_IF_ERROR(PlanReduction(ctx, &reduce, &out_shape));
  // Collapse to [groups] alternating kept / reduced, like TF's Simplify.
  std::vector<int64_t> groups;
  std::vector<bool> group_reduced;
  for (int d = 0; d < rank; ++d) {
    const int64_t size = in.shape().dim(d);
    if (!groups.empty() && group_reduced.back() == reduce[d]) {
      groups.back() *= size;
    } else {
      groups.push_back(size);
      group_reduced.push_back(reduce[d]);
    }
  }
  const int64_t out_n = out_shape.num_elements();
  const int64_t count = out_n == 0 ? 0 : in.num_elements() / out_n;  // elements per output
  return Dispatch<kNumberTypes>(in.dtype(), ctx->node().op(), [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, in.dtype(), out_shape));
    T* o = out->mutable_flat<T>();
    const T* x = in.flat<T>();
    if (out_n == 0) return OkStatus();
    if constexpr (std::is_integral_v<T>) {
      // Wrapping sums; order is irrelevant.
      using U = std::common_type_t<std::make_unsigned_t<T>, unsigned>;
      std::vector<U> acc(out_n, 0);
      ForEachReduced(in.shape(), reduce,
                     [&](int64_t i, int64_t oi) { acc[oi] += static_cast<U>(x[i]); });
      for (int64_t i = 0; i < out_n; ++i) {
        T v = static_cast<T>(acc[i]);
        if constexpr (kMean) v = count == 0 ? T(0) : static_cast<T>(v / static_cast<T>(count));
        o[i] = v;
      }
    } else {
      using Vec = Eigen::TensorMap<Eigen::Tensor<T, 1, Eigen::RowMajor>>;
      Vec result(o, out_n);
      const bool all = std::all_of(group_reduced.begin(), group_reduced.end(),
                                   [](bool r) { return r; });
      if (groups.empty() || (groups.size() == 1 && !group_reduced[0])) {
        for (int64_t i = 0; i < out_n; ++i) o[i] = x[i];
      } else if (all) {
        Eigen::TensorMap<Eigen::Tensor<const T, 1, Eigen::RowMajor>> v(x, in.num_elements());
        Eigen::Tensor<T, 0, Eigen::RowMajor> s = v.sum();
        o[0] = s();
      } else if (groups.size() == 2) {
        ConstMatrix<T> m(x, groups[0], groups[1]);
        const Eigen::array<int, 1> dim{group_reduced[0] ? 0 : 1};
        result = m.sum(dim);
      } else if (groups.size() == 3) {
        Eigen::TensorMap<Eigen::Tensor<const T, 3, Eigen::RowMajor>> m(x, groups[0], groups[1],
                                                                       groups[2]);
        if (group_reduced[1]) {
          const Eigen::array<int, 1> dim{1};
          result = m.sum(dim).reshape(Eigen::array<Eigen::Index, 1>{out_n});
        } else {
          const Eigen::array<int, 2> dims{0, 2};
          result = m.sum(dims);
        }
      } else {
        // More than three alternating groups: plain row-major accumulation.
        std::vector<T> acc(out_n, T(0));
        ForEachReduced(in.shape(), reduce, [&](int64_t i, int64_t oi) { acc[oi] += x[i]; });
        std::copy(acc.begin(), acc.end(), o);
      }
      if constexpr (kMean) {
        T divisor;
        if constexpr (std::is_same_v<T, Eigen::half> || std::is_same_v<T, Eigen::bfloat16>) {
          divisor = T(static_cast<float>(count));
        } else {
          divisor = static_cast<T>(count);
        }
        for (int64_t i = 0; i < out_n; ++i) o[i] = o[i] / divisor;
      }
    }
    return OkStatus();
  });
}

Status ArgMaxOp(OpKernelContext* ctx) {
  const Tensor& in = ctx->input(0);
  const Tensor& dim_t = ctx->input(1);
  if (!IsScalar(dim_t)) {
    return InvalidArgumentError(StrCat("dim must be a scalar, but received tensor of shape: ",
                                       dim_t.shape().DebugString()));
  }
  const int64_t dim = IntValues(dim_t)[0];
  const int rank = in.shape().rank();
  const int64_t axis = dim < 0 ? dim + rank : dim;
  if (axis < 0 || axis >= rank) {
    return InvalidArgumentError(StrCat("Expected dimension in the range [", -rank, ", ", rank,
                                       "), but got ", dim));
  }
  if (in.shape().dim(static_cast<int>(axis)) == 0) {
    return InvalidArgumentError(StrCat("Reduction axis ", dim, " is empty in shape ",
                                       in.shape().DebugString()));
  }
  TFCKPT_ASSIGN_OR_RETURN(DataType out_type, ctx->node().AttrType("output_type"));
  std::vector<int64_t> dims = in.shape().dims();
  dims.erase(dims.begin() + axis);
  TFCKPT_ASSIGN_OR_RETURN(TensorShape out_shape, TensorShape::Make(dims));
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < rank; ++d) {
    if (d < axis) outer *= in.shape().dim(d);
    if (d > axis) inner *= in.shape().dim(d);
  }
  const int64_t size = in.shape().dim(static_cast<int>(axis));
  return Dispatch<kRealTypes | kBoolType>(in.dtype(), "ArgMax", [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, out_type, out_shape));
    const T* x = in.flat<T>();
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i = 0; i < inner; ++i) {
        int64_t best = 0;
        for (int64_t k = 1; k < size; ++k) {
          if (x[(o * size + best) * inner + i] < x[(o * size + k) * inner + i]) best = k;
        }
        const int64_t at = o * inner + i;
        switch (out_type) {
          case tensorflow::DT_INT16: out->mutable_flat<int16_t>()[at] = static_cast<int16_t>(best); break;
          case tensorflow::DT_UINT16: out->mutable_flat<uint16_t>()[at] = static_cast<uint16_t>(best); break;
          case tensorflow::DT_INT32: out->mutable_flat<int32_t>()[at] = static_cast<int32_t>(best); break;
          default: out->mutable_flat<int64_t>()[at] = best; break;
        }
      }
    }
    return OkStatus();
  });
}

constexpr char kNumberTypesSpec[] =
    "T: {float, double, int32, uint8, int16, int8, complex64, int64, qint8, quint8, qint32, "
    "bfloat16, qint16, quint16, uint16, complex128, half, uint32, uint64}";

}  // namespace

void RegisterNnOps(OpRegistry* r) {
  r->Register(OpDefBuilder("MatMul")
                  .Input("a: T")
                  .Input("b: T")
                  .Output("product: T")
                  .Attr("transpose_a: bool = false")
                  .Attr("transpose_b: bool = false")
                  .Attr("T: {bfloat16, half, float, double, int32, int64, uint8, uint16, uint32, "
                        "uint64, complex64, complex128}")
                  .Attr("grad_a: bool = false")
                  .Attr("grad_b: bool = false"),
              Kernel<MatMulOp>());
  r->Register(OpDefBuilder("BiasAdd")
                  .Input("value: T")
                  .Input("bias: T")
                  .Output("output: T")
                  .Attr("T: {float, double, int32, uint8, int16, int8, complex64, int64, qint8, "
                        "quint8, qint32, bfloat16, qint16, quint16, uint16, complex128, half, "
                        "uint32, uint64}")
                  .Attr("data_format: {'NHWC', 'NCHW'} = 'NHWC'"),
              FnKernel(BiasAddOp));
  r->Register(OpDefBuilder("Relu")
                  .Input("features: T")
                  .Output("activations: T")
                  .Attr("T: {float, double, int32, uint8, int16, int8, int64, bfloat16, uint16, "
                        "half, uint32, uint64, qint8}"),
              FnKernel(ReluOp));
  r->Register(OpDefBuilder("Softmax")
                  .Input("logits: T")
                  .Output("softmax: T")
                  .Attr("T: {half, bfloat16, float, double}"),
              FnKernel(SoftmaxOp));
  for (const char* name : {"Sum", "Mean"}) {
    r->Register(OpDefBuilder(name)
                    .Input("input: T")
                    .Input("reduction_indices: Tidx")
                    .Output("output: T")
                    .Attr("keep_dims: bool = false")
                    .Attr(kNumberTypesSpec)
                    .Attr("Tidx: {int32, int64} = DT_INT32"),
                FnKernel(std::string(name) == "Sum" ? ReduceOp<false> : ReduceOp<true>));
  }
  r->Register(OpDefBuilder("ArgMax")
                  .Input("input: T")
                  .Input("dimension: Tidx")
                  .Output("output: output_type")
                  .Attr("T: {float, double, int32, uint8, int16, int8, int64, bfloat16, uint16, "
                        "half, uint32, uint64, qint8, quint8, qint32, qint16, quint16, bool}")
                  .Attr("Tidx: {int16, int32, int64} = DT_INT32")
                  .Attr("output_type: {int16, uint16, int32, int64} = DT_INT64"),
              FnKernel(ArgMaxOp));
}

}  // namespace tfckpt::graph
