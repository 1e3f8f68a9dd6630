// Elementwise math (tensorflow/core/ops/math_ops.cc): Add, AddV2, Sub, Mul,
// RealDiv, Maximum, Minimum, Equal with numpy broadcasting; Neg, Log,
// Sigmoid, Tanh; Cast.
//
// Numerics follow TF's CPU kernels: integer arithmetic wraps (two's
// complement, as TF's Eigen code does on every platform it supports);
// half/bfloat16 compute in float and round once per op (Eigen's types);
// Maximum/Minimum propagate NaN (Eigen::PropagateNaN, TF >= 2.6); Log,
// Sigmoid and Tanh of real types are evaluated by Eigen's own functors
// (scalar_log_op, scalar_logistic_op, scalar_tanh_op), vectorized like TF's,
// so their last-ulp behaviour is Eigen's (TF builds its own Eigen revision
// with AVX; results may differ from TF by an ulp or two).
#include <unsupported/Eigen/CXX11/Tensor>

#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "src/graph/kernel_util.h"

namespace tfckpt::graph {
namespace {

template <typename T>
constexpr bool kIsComplex = std::is_same_v<T, std::complex<float>> ||
                            std::is_same_v<T, std::complex<double>>;
template <typename T>
constexpr bool kIsInteger = std::is_integral_v<T> && !std::is_same_v<T, bool>;

// Wrapping integer arithmetic (no signed-overflow UB): computed in an
// unsigned type at least as wide as unsigned int, then narrowed.
template <typename T, typename F>
T Wrap(T a, T b, F f) {
  using U = std::common_type_t<std::make_unsigned_t<T>, unsigned>;
  return static_cast<T>(f(static_cast<U>(static_cast<std::make_unsigned_t<T>>(a)),
                          static_cast<U>(static_cast<std::make_unsigned_t<T>>(b))));
}

template <typename T>
bool IsNan(const T& v) {
  if constexpr (kIsInteger<T>) {
    (void)v;
    return false;
  } else {
    return Eigen::numext::isnan(v);
  }
}

struct AddF {
  template <typename T>
  T operator()(const T& a, const T& b) const {
    if constexpr (kIsInteger<T>) {
      return Wrap(a, b, [](auto x, auto y) { return x + y; });
    } else {
      return a + b;  // strings concatenate
    }
  }
};
struct SubF {
  template <typename T>
  T operator()(const T& a, const T& b) const {
    if constexpr (kIsInteger<T>) {
      return Wrap(a, b, [](auto x, auto y) { return x - y; });
    } else {
      return a - b;
    }
  }
};
struct MulF {
  template <typename T>
  T operator()(const T& a, const T& b) const {
    if constexpr (kIsInteger<T>) {
      return Wrap(a, b, [](auto x, auto y) { return x * y; });
    } else {
      return a * b;
    }
  }
};
struct DivF {
  template <typename T>
  T operator()(const T& a, const T& b) const { return a / b; }
};
struct MaxF {
  template <typename T>
  T operator()(const T& a, const T& b) const {
    if (IsNan(a)) return a;
    if (IsNan(b)) return b;
    return a < b ? b : a;
  }
};
struct MinF {
  template <typename T>
  T operator()(const T& a, const T& b) const {
    if (IsNan(a)) return a;
    if (IsNan(b)) return b;
    return b < a ? b : a;
  }
};

// out[i] = op(x[.], y[.]) over the broadcast shape.
template <typename T, typename Out, typename Op>
Status Binary(OpKernelContext* ctx, DataType out_dtype, const TensorShape& shape, Op op) {
  const Tensor& x = ctx->input(0);
  const Tensor& y = ctx->input(1);
  TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, out_dtype, shape));
  const T* a = Data<T>(x);
  const T* b = Data<T>(y);
  Out* o = MutableData<Out>(out);
  const int64_t n = shape.num_elements();
  if (x.shape() == y.shape()) {
    for (int64_t i = 0; i < n; ++i) o[i] = op(a[i], b[i]);
  } else if (x.num_elements() == 1 && y.shape() == shape) {
    for (int64_t i = 0; i < n; ++i) o[i] = op(a[0], b[i]);
  } else if (y.num_elements() == 1 && x.shape() == shape) {
    for (int64_t i = 0; i < n; ++i) o[i] = op(a[i], b[0]);
  } else {
    ForEachBroadcast<2>(shape, {BroadcastStrides(x.shape(), shape), BroadcastStrides(y.shape(), shape)},
                        [&](int64_t i, const std::array<int64_t, 2>& off) {
                          o[i] = op(a[off[0]], b[off[1]]);
                        });
  }
  return OkStatus();
}

template <unsigned kSet, typename Op>
Status BinaryOp(OpKernelContext* ctx) {
  const Tensor& x = ctx->input(0);
  TFCKPT_ASSIGN_OR_RETURN(TensorShape shape,
                          BroadcastShape({x.shape(), ctx->input(1).shape()}));
  return Dispatch<kSet>(x.dtype(), ctx->node().op(), [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    return Binary<T, T>(ctx, x.dtype(), shape, Op());
  });
}

Status EqualOp(OpKernelContext* ctx) {
  const Tensor& x = ctx->input(0);
  auto shape = BroadcastShape({x.shape(), ctx->input(1).shape()});
  if (!shape.ok()) {
    TFCKPT_ASSIGN_OR_RETURN(bool strict, ctx->node().AttrBool("incompatible_shape_error"));
    if (strict) return shape.status();
    // Not broadcastable and not strict: a scalar false.
    return ctx->AllocateOutput(0, tensorflow::DT_BOOL, TensorShape{}).status();
  }
  return Dispatch<kNumberTypes | kBoolType | kStringType>(
      x.dtype(), "Equal", [&](auto tag) -> Status {
        using T = typename decltype(tag)::type;
        return Binary<T, bool>(ctx, tensorflow::DT_BOOL, *shape,
                               [](const T& a, const T& b) { return a == b; });
      });
}

// Unary functions through Eigen's tensor functors, as TF's cwise ops.
enum class UnaryFn { kNeg, kLog, kSigmoid, kTanh };

template <UnaryFn kFn>
Status UnaryOp(OpKernelContext* ctx) {
  const Tensor& x = ctx->input(0);
  constexpr unsigned kSet =
      kFn == UnaryFn::kNeg ? (kFloatingTypes | kSignedTypes | kComplexTypes)
                           : (kFloatingTypes | kComplexTypes);
  return Dispatch<kSet>(x.dtype(), ctx->node().op(), [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, x.dtype(), x.shape()));
    const int64_t n = x.num_elements();
    const T* in = x.flat<T>();
    T* o = out->mutable_flat<T>();
    if constexpr (kFn == UnaryFn::kNeg) {
      for (int64_t i = 0; i < n; ++i) {
        if constexpr (kIsInteger<T>) {
          o[i] = Wrap(T(0), in[i], [](auto a, auto b) { return a - b; });
        } else {
          o[i] = -in[i];
        }
      }
    } else if constexpr (kIsComplex<T>) {
      for (int64_t i = 0; i < n; ++i) {
        if constexpr (kFn == UnaryFn::kLog) o[i] = std::log(in[i]);
        if constexpr (kFn == UnaryFn::kTanh) o[i] = std::tanh(in[i]);
        if constexpr (kFn == UnaryFn::kSigmoid) o[i] = T(1) / (T(1) + std::exp(-in[i]));
      }
    } else {
      Eigen::TensorMap<Eigen::Tensor<const T, 1, Eigen::RowMajor>> src(in, n);
      Eigen::TensorMap<Eigen::Tensor<T, 1, Eigen::RowMajor>> dst(o, n);
      if constexpr (kFn == UnaryFn::kLog) dst = src.log();
      if constexpr (kFn == UnaryFn::kTanh) dst = src.tanh();
      if constexpr (kFn == UnaryFn::kSigmoid) dst = src.sigmoid();
    }
    return OkStatus();
  });
}

// ---- Cast -----------------------------------------------------------------

// float -> integer as x86-64 computes it (C++ leaves out-of-range values
// undefined; TF's kernels compile to cvttss2si/cvttsd2si): NaN and values out
// of range give the "integer indefinite" INT_MIN, then narrower types keep
// the low bits.
int32_t Cvt32(double v) {
  if (!(v > -2147483649.0 && v < 2147483648.0)) return std::numeric_limits<int32_t>::min();
  return static_cast<int32_t>(v);
}
int64_t Cvt64(double v) {
  if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0)) {
    return std::numeric_limits<int64_t>::min();
  }
  return static_cast<int64_t>(v);
}

template <typename D>
D FloatToInt(double v) {
  if constexpr (std::is_same_v<D, int64_t>) {
    return Cvt64(v);
  } else if constexpr (std::is_same_v<D, uint64_t>) {
    if (v < 9223372036854775808.0) return static_cast<uint64_t>(Cvt64(v));
    return static_cast<uint64_t>(Cvt64(v - 9223372036854775808.0)) ^ (uint64_t{1} << 63);
  } else if constexpr (std::is_same_v<D, uint32_t>) {
    return static_cast<uint32_t>(static_cast<uint64_t>(Cvt64(v)));
  } else {
    return static_cast<D>(static_cast<uint32_t>(Cvt32(v)));
  }
}

template <typename T>
double AsDouble(const T& v) {
  if constexpr (std::is_same_v<T, Eigen::half> || std::is_same_v<T, Eigen::bfloat16>) {
    return static_cast<double>(static_cast<float>(v));
  } else {
    return static_cast<double>(v);
  }
}

template <typename D, typename S>
D Convert(const S& s) {
  if constexpr (kIsComplex<S>) {
    if constexpr (kIsComplex<D>) {
      return D(static_cast<typename D::value_type>(s.real()),
               static_cast<typename D::value_type>(s.imag()));
    } else {
      return Convert<D>(s.real());
    }
  } else if constexpr (kIsComplex<D>) {
    return D(static_cast<typename D::value_type>(AsDouble(s)), 0);
  } else if constexpr (std::is_same_v<D, bool>) {
    return AsDouble(s) != 0;
  } else if constexpr (std::is_same_v<S, bool>) {
    return D(s ? 1 : 0);
  } else if constexpr (kIsInteger<D> && !kIsInteger<S>) {
    return FloatToInt<D>(AsDouble(s));
  } else if constexpr (std::is_same_v<D, Eigen::half> || std::is_same_v<D, Eigen::bfloat16>) {
    // Eigen converts through float (so double -> half rounds twice, as in TF).
    return D(static_cast<float>(s));
  } else if constexpr (std::is_same_v<S, Eigen::half> || std::is_same_v<S, Eigen::bfloat16>) {
    return static_cast<D>(static_cast<float>(s));
  } else {
    return static_cast<D>(s);
  }
}

// TF's LSBZeroSetter (Truncate=true): clear the source mantissa bits the
// destination cannot hold, so the rounding conversion truncates.
template <typename D, typename S>
S ZeroLowBits(S s) {
  int bits = 0;
  if constexpr (std::is_same_v<S, float>) {
    if constexpr (std::is_same_v<D, Eigen::half>) bits = 13;
    if constexpr (std::is_same_v<D, Eigen::bfloat16>) bits = 16;
  } else if constexpr (std::is_same_v<S, double>) {
    if constexpr (std::is_same_v<D, float>) bits = 29;
    if constexpr (std::is_same_v<D, Eigen::half>) bits = 42;
    if constexpr (std::is_same_v<D, Eigen::bfloat16>) bits = 45;
  }
  if constexpr (std::is_floating_point_v<S>) {
    if (bits > 0 && !std::isnan(s)) {
      using U = std::conditional_t<sizeof(S) == 4, uint32_t, uint64_t>;
      U u;
      std::memcpy(&u, &s, sizeof(S));
      u &= ~((U{1} << bits) - 1);
      std::memcpy(&s, &u, sizeof(S));
    }
  }
  return s;
}

class CastOp : public OpKernel {
 public:
  Status Init(const Node& node, const KernelOptions&) override {
    TFCKPT_ASSIGN_OR_RETURN(src_, node.AttrType("SrcT"));
    TFCKPT_ASSIGN_OR_RETURN(dst_, node.AttrType("DstT"));
    TFCKPT_ASSIGN_OR_RETURN(truncate_, node.AttrBool("Truncate"));
    return OkStatus();
  }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& x = ctx->input(0);
    if (src_ == dst_) {
      ctx->set_output(0, x);
      return OkStatus();
    }
    constexpr unsigned kSet = kNumberTypes | kBoolType;
    return Dispatch<kSet>(src_, "Cast", [&](auto stag) -> Status {
      using S = typename decltype(stag)::type;
      return Dispatch<kSet>(dst_, "Cast", [&](auto dtag) -> Status {
        using D = typename decltype(dtag)::type;
        TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, dst_, x.shape()));
        const S* in = x.flat<S>();
        D* o = out->mutable_flat<D>();
        for (int64_t i = 0; i < x.num_elements(); ++i) {
          o[i] = Convert<D>(truncate_ ? ZeroLowBits<D>(in[i]) : in[i]);
        }
        return OkStatus();
      });
    });
  }

 private:
  DataType src_ = tensorflow::DT_INVALID, dst_ = tensorflow::DT_INVALID;
  bool truncate_ = false;
};

constexpr unsigned kArith = kNumberTypes;

OpDefBuilder BinarySpec(const char* name, const char* types) {
  return OpDefBuilder(name).Input("x: T").Input("y: T").Output("z: T").Attr(types);
}

OpDefBuilder UnarySpec(const char* name, const char* types) {
  return OpDefBuilder(name).Input("x: T").Output("y: T").Attr(types);
}

}  // namespace

void RegisterMathOps(OpRegistry* r) {
  r->Register(BinarySpec("Add", "T: {bfloat16, half, float, double, uint8, int8, int16, int32, int64, "
                            "complex64, complex128, string}"),
              FnKernel(BinaryOp<kArith | kStringType, AddF>));
  r->Register(BinarySpec("AddV2", "T: {bfloat16, half, float, double, uint8, uint16, uint32, uint64, "
                              "int8, int16, int32, int64, complex64, complex128}")
                  .SetIsAggregate()
                  .SetIsCommutative(),
              FnKernel(BinaryOp<kArith, AddF>));
  r->Register(BinarySpec("Sub", "T: {bfloat16, half, float, double, uint8, int8, uint16, int16, int32, "
                            "int64, complex64, complex128, uint32, uint64}"),
              FnKernel(BinaryOp<kArith, SubF>));
  r->Register(BinarySpec("Mul", "T: {bfloat16, half, float, double, uint8, int8, uint16, int16, int32, "
                            "uint32, uint64, int64, complex64, complex128}")
                  .SetIsCommutative(),
              FnKernel(BinaryOp<kArith, MulF>));
  r->Register(BinarySpec("RealDiv", "T: {bfloat16, half, float, double, uint8, int8, uint16, int16, "
                                "int32, uint32, uint64, int64, complex64, complex128}"),
              FnKernel(BinaryOp<kFloatingTypes | kComplexTypes, DivF>));
  r->Register(BinarySpec("Maximum", "T: {bfloat16, half, float, double, int8, uint8, int16, uint16, "
                                "int32, uint32, int64, uint64}"),
              FnKernel(BinaryOp<kRealTypes, MaxF>));
  r->Register(BinarySpec("Minimum", "T: {bfloat16, half, float, double, int8, uint8, int16, uint16, "
                                "int32, uint32, int64, uint64}"),
              FnKernel(BinaryOp<kRealTypes, MinF>));
  r->Register(OpDefBuilder("Equal")
                  .Input("x: T")
                  .Input("y: T")
                  .Output("z: bool")
                  .SetIsCommutative()
                  .Attr("T: type")
                  .Attr("incompatible_shape_error: bool = true"),
              FnKernel(EqualOp));
  r->Register(UnarySpec("Neg", "T: {bfloat16, half, float, double, int8, int16, int32, int64, "
                           "complex64, complex128}"),
              FnKernel(UnaryOp<UnaryFn::kNeg>));
  const char* kUnaryComplex = "T: {bfloat16, half, float, double, complex64, complex128}";
  r->Register(UnarySpec("Log", kUnaryComplex), FnKernel(UnaryOp<UnaryFn::kLog>));
  r->Register(UnarySpec("Sigmoid", kUnaryComplex), FnKernel(UnaryOp<UnaryFn::kSigmoid>));
  r->Register(UnarySpec("Tanh", kUnaryComplex), FnKernel(UnaryOp<UnaryFn::kTanh>));
  r->Register(OpDefBuilder("Cast")
                  .Input("x: SrcT")
                  .Output("y: DstT")
                  .Attr("SrcT: type")
                  .Attr("DstT: type")
                  .Attr("Truncate: bool = false"),
              Kernel<CastOp>());
}

}  // namespace tfckpt::graph
