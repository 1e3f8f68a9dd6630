// Activations and the elementwise math Keras layers use
// (tensorflow/core/ops/nn_ops.cc, math_ops.cc): Elu, Selu, Softplus,
// Softsign, Relu6, LeakyRelu; Exp, Erfc, Rsqrt, Square; SquaredDifference
// and Less (numpy broadcasting); StopGradient.
//
// Each is the Eigen tensor expression of TF's functor (kernels/
// relu_op_functor.h, softplus_op.h, softsign_op.h, cwise_ops.h), so the
// arithmetic is TF's; the transcendental ones (exp, erfc, rsqrt) are Eigen's
// packet approximations, whose last bits depend on the packet width TF's
// wheel was built for (AVX) and ours (SSE2). src/graph/README.md states the
// bound the zoo observes.
#include <unsupported/Eigen/CXX11/Tensor>
#include <unsupported/Eigen/SpecialFunctions>

#include <cmath>

#include "src/graph/kernel_util.h"
#include "src/graph/serving_ops.h"

namespace tfckpt::graph {
namespace {

template <typename T>
using ConstVec = Eigen::TensorMap<Eigen::Tensor<const T, 1, Eigen::RowMajor>>;
template <typename T>
using Vec = Eigen::TensorMap<Eigen::Tensor<T, 1, Eigen::RowMajor>>;

enum class Fn { kElu, kSelu, kSoftplus, kSoftsign, kRelu6, kLeakyRelu, kExp, kErfc, kRsqrt, kSquare };

template <Fn kFn, typename T>
void Apply(ConstVec<T> x, Vec<T> y, float alpha) {
  const T zero(0), one(1);
  if constexpr (kFn == Fn::kElu) {
    y = (x < zero).select(x.exp() - x.constant(one), x);
  } else if constexpr (kFn == Fn::kSelu) {
    const T scale(1.0507009873554804934193349852946);
    const T scale_alpha(1.7580993408473768599402175208123);
    y = (x < zero).select(x.constant(scale_alpha) * (x.exp() - x.constant(one)),
                          x.constant(scale) * x);
  } else if constexpr (kFn == Fn::kSoftplus) {
    // TF's threshold: below it softplus(x) == exp(x), above -threshold == x,
    // within machine epsilon.
    const T threshold =
        Eigen::numext::log(Eigen::NumTraits<T>::epsilon()) + T(2);
    auto too_large = x > x.constant(-threshold);
    auto too_small = x < x.constant(threshold);
    auto e = x.exp();
    y = too_large.select(x, too_small.select(e, e.log1p()));
  } else if constexpr (kFn == Fn::kSoftsign) {
    y = x / (x.abs() + x.constant(one));
  } else if constexpr (kFn == Fn::kRelu6) {
    y = x.cwiseMax(zero).cwiseMin(T(6));
  } else if constexpr (kFn == Fn::kLeakyRelu) {
    // alpha may be > 1 or < 0, so not cwiseMax (TF's comment).
    y = (x > zero).select(x, x * x.constant(T(alpha)));
  } else if constexpr (kFn == Fn::kExp) {
    y = x.exp();
  } else if constexpr (kFn == Fn::kErfc) {
    y = x.erfc();
  } else if constexpr (kFn == Fn::kRsqrt) {
    y = x.rsqrt();
  } else {
    y = x.square();
  }
}

template <Fn kFn, unsigned kSet>
class UnaryKernel : public OpKernel {
 public:
  Status Init(const Node& node, const KernelOptions&) override {
    if constexpr (kFn == Fn::kLeakyRelu) {
      TFCKPT_ASSIGN_OR_RETURN(alpha_, node.AttrFloat("alpha"));
    }
    return OkStatus();
  }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& x = ctx->input(0);
    return Dispatch<kSet>(x.dtype(), ctx->node().op(), [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, x.dtype(), x.shape()));
      const int64_t n = x.num_elements();
      Apply<kFn, T>(ConstVec<T>(x.flat<T>(), n), Vec<T>(out->mutable_flat<T>(), n), alpha_);
      return OkStatus();
    });
  }

 private:
  float alpha_ = 0;
};

Status SquaredDifferenceOp(OpKernelContext* ctx) {
  return Dispatch<kFloatingTypes | kSignedTypes | kComplexTypes>(
      ctx->input(0).dtype(), "SquaredDifference", [&](auto tag) -> Status {
        using T = typename decltype(tag)::type;
        if constexpr (std::is_integral_v<T>) {
          // Wrapping, as TF's Eigen code on two's complement machines.
          using U = std::make_unsigned_t<T>;
          return BroadcastBinary<T, T>(ctx, ctx->input(0).dtype(), [](T a, T b) {
            const U d = static_cast<U>(static_cast<U>(a) - static_cast<U>(b));
            return static_cast<T>(static_cast<U>(d * d));
          });
        } else if constexpr (std::is_same_v<T, std::complex<float>> ||
                             std::is_same_v<T, std::complex<double>>) {
          // TF: (x - y) * conj(x - y).
          return BroadcastBinary<T, T>(ctx, ctx->input(0).dtype(), [](T a, T b) {
            const T d = a - b;
            return d * std::conj(d);
          });
        } else {
          return BroadcastBinary<T, T>(ctx, ctx->input(0).dtype(), [](T a, T b) {
            const T d = a - b;
            return T(d * d);
          });
        }
      });
}

Status LessOp(OpKernelContext* ctx) {
  return Dispatch<kRealTypes>(ctx->input(0).dtype(), "Less", [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    return BroadcastBinary<T, bool>(ctx, tensorflow::DT_BOOL, [](T a, T b) { return a < b; });
  });
}

Status StopGradientOp(OpKernelContext* ctx) {
  ctx->set_output(0, ctx->input(0));
  return OkStatus();
}

OpDefBuilder Activation(const char* name, const char* types) {
  return OpDefBuilder(name).Input("features: T").Output("activations: T").Attr(types);
}
OpDefBuilder Unary(const char* name, const char* types) {
  return OpDefBuilder(name).Input("x: T").Output("y: T").Attr(types);
}

constexpr char kFloatSpec[] = "T: {half, bfloat16, float, double}";
constexpr char kRealSpec[] =
    "T: {float, double, int32, uint8, int16, int8, int64, bfloat16, uint16, half, uint32, uint64}";

}  // namespace

void RegisterActivationOps(OpRegistry* r) {
  r->Register(Activation("Elu", kFloatSpec), Kernel<UnaryKernel<Fn::kElu, kFloatingTypes>>());
  r->Register(Activation("Selu", kFloatSpec), Kernel<UnaryKernel<Fn::kSelu, kFloatingTypes>>());
  r->Register(Activation("Softplus", kFloatSpec),
              Kernel<UnaryKernel<Fn::kSoftplus, kFloatingTypes>>());
  r->Register(Activation("Softsign", kFloatSpec),
              Kernel<UnaryKernel<Fn::kSoftsign, kFloatingTypes>>());
  r->Register(Activation("Relu6", kRealSpec),
              Kernel<UnaryKernel<Fn::kRelu6, kRealTypes>>());
  r->Register(OpDefBuilder("LeakyRelu")
                  .Input("features: T")
                  .Output("activations: T")
                  .Attr("alpha: float = 0.2")
                  .Attr("T: {half, bfloat16, float, double} = DT_FLOAT"),
              Kernel<UnaryKernel<Fn::kLeakyRelu, kFloatingTypes>>());
  r->Register(Unary("Exp", "T: {bfloat16, half, float, double, complex64, complex128}"),
              Kernel<UnaryKernel<Fn::kExp, kFloatingTypes>>());
  r->Register(Unary("Erfc", "T: {bfloat16, half, float, double}"),
              Kernel<UnaryKernel<Fn::kErfc, kFloatingTypes>>());
  r->Register(Unary("Rsqrt", "T: {bfloat16, half, float, double, complex64, complex128}"),
              Kernel<UnaryKernel<Fn::kRsqrt, kFloatingTypes>>());
  r->Register(Unary("Square", "T: {bfloat16, half, float, double, int8, int16, int32, int64, "
                              "uint8, uint16, uint32, uint64, complex64, complex128}"),
              Kernel<UnaryKernel<Fn::kSquare, kFloatingTypes>>());
  r->Register(OpDefBuilder("SquaredDifference")
                  .Input("x: T")
                  .Input("y: T")
                  .Output("z: T")
                  .Attr("T: {bfloat16, half, float, double, int32, int64, complex64, complex128}")
                  .SetIsCommutative(),
              FnKernel(SquaredDifferenceOp));
  r->Register(OpDefBuilder("Less")
                  .Input("x: T")
                  .Input("y: T")
                  .Output("z: bool")
                  .Attr(kRealSpec),
              FnKernel(LessOp));
  r->Register(OpDefBuilder("StopGradient").Input("input: T").Output("output: T").Attr("T: type"),
              FnKernel(StopGradientOp));
}

}  // namespace tfckpt::graph
