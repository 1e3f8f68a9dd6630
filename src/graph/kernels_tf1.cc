// Elementwise ops that TF 1.x graphs use and the golden corpus of TF 1.15
// showed missing (golden/tf-1.15: tf.cond branches, tf.nn.dropout,
// tf.losses reductions): Abs; the comparisons Greater, GreaterEqual and
// LessEqual (Less is kernels_activation.cc); DivNoNan
// (tensorflow/core/kernels/cwise_op_abs.cc, cwise_op_greater*.cc,
// cwise_op_div.cc; tensorflow/core/ops/math_ops.cc for the signatures); and
// what tf.nn.dynamic_rnn checks its sequence lengths with: the All reduction
// and Assert (kernels/reduction_ops_all.cc, logging_ops.cc).
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

// Logical and over reduction axes, keep_dims as Sum / Mean (true when
// nothing is reduced).
Status AllOp(OpKernelContext* ctx) {
  const Tensor& in = ctx->input(0);
  std::vector<bool> reduce;
  TensorShape out_shape;
  TFCKPT_RETURN_IF_ERROR(PlanReduction(ctx, &reduce, &out_shape));
  TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, tensorflow::DT_BOOL, out_shape));
  bool* o = out->mutable_flat<bool>();
  std::fill(o, o + out_shape.num_elements(), true);
  const bool* x = in.flat<bool>();
  ForEachReduced(in.shape(), reduce, [&](int64_t i, int64_t oi) { o[oi] = o[oi] && x[i]; });
  return OkStatus();
}

// The first `n` values of `t`, space-separated ("..." if there are more):
// TF's Tensor::SummarizeValue for the flat tensors an Assert's data are.
std::string Summarize(const Tensor& t, int64_t n) {
  std::string out;
  const int64_t shown = std::min(n, t.num_elements());
  for (int64_t i = 0; i < shown; ++i) {
    if (i > 0) out += " ";
    if (t.is_string()) {
      out += t.strings()[i];
      continue;
    }
    Status s = Dispatch<kRealTypes | kBoolType>(t.dtype(), "Assert", [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      if constexpr (std::is_same_v<T, bool>) {
        out += t.flat<bool>()[i] ? "1" : "0";
      } else if constexpr (std::is_integral_v<T>) {
        out += std::to_string(t.flat<T>()[i]);
      } else {
        out += StrCat(static_cast<double>(t.flat<T>()[i]));
      }
      return OkStatus();
    });
    if (!s.ok()) return StrCat("<", tensor::DataTypeName(t.dtype()), ">");
  }
  if (t.num_elements() > shown) out += "...";
  return out;
}

// Assert: InvalidArgument "assertion failed: [data 0] [data 1] ..." when the
// scalar condition is false.
class AssertOp : public OpKernel {
 public:
  Status Init(const Node& node, const KernelOptions&) override {
    TFCKPT_ASSIGN_OR_RETURN(summarize_, node.AttrInt("summarize"));
    return OkStatus();
  }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& cond = ctx->input(0);
    if (cond.shape().rank() != 0) {
      return InvalidArgumentError(StrCat("In[0] should be a scalar: ", cond.shape().DebugString()));
    }
    if (cond.flat<bool>()[0]) return OkStatus();
    std::string msg = "assertion failed: ";
    for (int i = 1; i < ctx->num_inputs(); ++i) {
      msg += StrCat(i > 1 ? " " : "", "[", Summarize(ctx->input(i), summarize_), "]");
    }
    return InvalidArgumentError(msg);
  }

 private:
  int64_t summarize_ = 3;
};

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
  r->Register(OpDefBuilder("All")
                  .Input("input: bool")
                  .Input("reduction_indices: Tidx")
                  .Output("output: bool")
                  .Attr("keep_dims: bool = false")
                  .Attr("Tidx: {int32, int64} = DT_INT32"),
              FnKernel(AllOp));
  r->Register(OpDefBuilder("Assert")
                  .Input("condition: bool")
                  .Input("data: T")
                  .Attr("T: list(type) >= 1")
                  .Attr("summarize: int = 3")
                  .SetIsStateful(),
              Kernel<AssertOp>());
}

}  // namespace tfckpt::graph
