// Elementwise ops that TF 1.x graphs use and the golden corpus of TF 1.15
// showed missing (golden/tf-1.15: tf.cond branches, tf.nn.dropout,
// tf.losses reductions): Abs; the comparisons Greater, GreaterEqual and
// LessEqual (Less is kernels_activation.cc); DivNoNan
// (tensorflow/core/kernels/cwise_op_abs.cc, cwise_op_greater*.cc,
// cwise_op_div.cc; tensorflow/core/ops/math_ops.cc for the signatures).
#include <complex>
#include <type_traits>

#include "src/graph/kernel_util.h"
#include "src/graph/serving_ops.h"

namespace tfckpt::graph {
namespace {

// |x|; for signed integers TF's Eigen abs of the minimum wraps to itself
// (two's complement), computed here without signed overflow.
Status AbsOp(OpKernelContext* ctx) {
  const Tensor& x = ctx->input(0);
  return Dispatch<kFloatingTypes | kSignedTypes>(x.dtype(), "Abs", [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, x.dtype(), x.shape()));
    const T* a = x.flat<T>();
    T* o = out->mutable_flat<T>();
    for (int64_t i = 0; i < x.num_elements(); ++i) {
      if constexpr (std::is_integral_v<T>) {
        using U = std::make_unsigned_t<T>;
        const U u = static_cast<U>(a[i]);
        o[i] = static_cast<T>(a[i] < 0 ? static_cast<U>(U{0} - u) : u);
      } else {
        o[i] = a[i] < T(0) ? T(-a[i]) : a[i];  // keeps NaN, maps -0 to 0
        if (a[i] == T(0)) o[i] = T(0);
      }
    }
    return OkStatus();
  });
}

enum class Cmp { kGreater, kGreaterEqual, kLessEqual };

template <Cmp kCmp>
Status CompareOp(OpKernelContext* ctx) {
  return Dispatch<kRealTypes>(ctx->input(0).dtype(), "comparison", [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    return BroadcastBinary<T, bool>(ctx, tensorflow::DT_BOOL, [](T a, T b) {
      if constexpr (kCmp == Cmp::kGreater) return a > b;
      if constexpr (kCmp == Cmp::kGreaterEqual) return a >= b;
      return a <= b;
    });
  });
}

// x / y, and 0 where y == 0 (even for x NaN or Inf).
Status DivNoNanOp(OpKernelContext* ctx) {
  return Dispatch<kFloatingTypes | kComplexTypes>(
      ctx->input(0).dtype(), "DivNoNan", [&](auto tag) -> Status {
        using T = typename decltype(tag)::type;
        return BroadcastBinary<T, T>(ctx, ctx->input(0).dtype(),
                                     [](T a, T b) { return b == T(0) ? T(0) : T(a / b); });
      });
}

OpDefBuilder Comparison(const char* name) {
  return OpDefBuilder(name).Input("x: T").Input("y: T").Output("z: bool").Attr(
      "T: {float, double, int32, uint8, int16, int8, int64, bfloat16, uint16, half, uint32, "
      "uint64}");
}

}  // namespace

void RegisterTf1Ops(OpRegistry* r) {
  r->Register(OpDefBuilder("Abs").Input("x: T").Output("y: T").Attr(
                  "T: {bfloat16, half, float, double, int8, int16, int32, int64}"),
              FnKernel(AbsOp));
  r->Register(Comparison("Greater"), FnKernel(CompareOp<Cmp::kGreater>));
  r->Register(Comparison("GreaterEqual"), FnKernel(CompareOp<Cmp::kGreaterEqual>));
  r->Register(Comparison("LessEqual"), FnKernel(CompareOp<Cmp::kLessEqual>));
  r->Register(OpDefBuilder("DivNoNan")
                  .Input("x: T")
                  .Input("y: T")
                  .Output("z: T")
                  .Attr("T: {half, float, bfloat16, double, complex64, complex128}"),
              FnKernel(DivNoNanOp));
}

}  // namespace tfckpt::graph
