// What TF 1.x canned Estimators and tf.contrib layers put on a serving path
// (golden/zoo/tf-1.15: estimator_linear, estimator_dnn, tf_contrib_mlp):
// Tile and AsString (a classifier head's class_ids -> "classes",
// all_class_ids / all_classes), L2Loss (tf.contrib.layers.l2_regularizer).
// tensorflow/core/kernels/tile_ops.cc, as_string_op.cc, l2loss_op.cc;
// signatures from tensorflow/core/ops/array_ops.cc, string_ops.cc, nn_ops.cc.
//
// Tile copies elements (exact, any dtype). AsString prints with TF's
// formats ("%f" by default), so it is exact too. L2Loss is TF's Eigen
// expression sum(x^2 * 0.5) (a float reduction: see README's contract).
#include <algorithm>
#include <cinttypes>
#include <complex>
#include <cstdio>

#include <unsupported/Eigen/CXX11/Tensor>

#include "src/graph/kernel_util.h"
#include "src/graph/serving_ops.h"

namespace tfckpt::graph {
namespace {

constexpr unsigned kAllTypes = kNumberTypes | kBoolType | kStringType;

Status TileOp(OpKernelContext* ctx) {
  const Tensor& x = ctx->input(0);
  const Tensor& multiples_t = ctx->input(1);
  const int rank = x.shape().rank();
  if (!IsVector(multiples_t)) {
    return InvalidArgumentError(StrCat("Expected multiples to be 1-D, but got shape ",
                                       multiples_t.shape().DebugString()));
  }
  if (multiples_t.num_elements() != rank) {
    return InvalidArgumentError(
        StrCat("Expected multiples argument to be a vector of length ", rank, " but got length ",
               multiples_t.shape().dim(0)));
  }
  const std::vector<int64_t> multiples = IntValues(multiples_t);
  std::vector<int64_t> dims(rank);
  for (int d = 0; d < rank; ++d) {
    if (multiples[d] < 0) {
      return InvalidArgumentError(
          StrCat("Expected multiples[", d, "] >= 0, but got ", multiples[d]));
    }
    dims[d] = x.shape().dim(d) * multiples[d];
  }
  TFCKPT_ASSIGN_OR_RETURN(TensorShape shape, TensorShape::Make(dims));
  return Dispatch<kAllTypes>(x.dtype(), "Tile", [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, x.dtype(), shape));
    const T* in = Data<T>(x);
    T* o = MutableData<T>(out);
    // Output element (i_0..i_r) is input element (i_0 mod n_0, ...): walk
    // the output row-major, carrying the input's flat index along.
    std::vector<int64_t> idx(rank, 0), in_idx(rank, 0), stride(rank, 1);
    for (int d = rank - 2; d >= 0; --d) stride[d] = stride[d + 1] * x.shape().dim(d + 1);
    int64_t src = 0;
    for (int64_t i = 0; i < shape.num_elements(); ++i) {
      o[i] = in[src];
      for (int d = rank - 1; d >= 0; --d) {
        ++idx[d];
        if (++in_idx[d] == x.shape().dim(d)) {
          in_idx[d] = 0;
          src -= stride[d] * (x.shape().dim(d) - 1);
        } else {
          src += stride[d];
        }
        if (idx[d] < dims[d]) break;
        idx[d] = 0;
      }
    }
    return OkStatus();
  });
}

// TF's AsStringOp (TF 2.21): the attributes checked at construction with
// TF's messages, then every element printed as absl::StrFormat("%<fill>*.*<c>",
// width, precision, x) with c = g (shortest), e (scientific) or f for
// floating types, d / u for integers; complex as "(re,im)"; bools as
// "true" / "false" (width ignored); strings padded to `width` (and cut to
// `precision`), or passed through when width <= 0.
class AsStringOp : public OpKernel {
 public:
  Status Init(const Node& node, const KernelOptions&) override {
    TFCKPT_ASSIGN_OR_RETURN(DataType dtype, node.AttrType("T"));
    TFCKPT_ASSIGN_OR_RETURN(int64_t precision, node.AttrInt("precision"));
    TFCKPT_ASSIGN_OR_RETURN(bool scientific, node.AttrBool("scientific"));
    TFCKPT_ASSIGN_OR_RETURN(bool shortest, node.AttrBool("shortest"));
    TFCKPT_ASSIGN_OR_RETURN(int64_t width, node.AttrInt("width"));
    TFCKPT_ASSIGN_OR_RETURN(fill_, node.AttrString("fill"));
    const bool floating = dtype == tensorflow::DT_FLOAT || dtype == tensorflow::DT_DOUBLE ||
                          dtype == tensorflow::DT_HALF || dtype == tensorflow::DT_BFLOAT16 ||
                          dtype == tensorflow::DT_COMPLEX64 || dtype == tensorflow::DT_COMPLEX128;
    if (dtype != tensorflow::DT_STRING && !floating && (scientific || shortest)) {
      return InvalidArgumentError(StrCat("scientific and shortest format not supported for datatype ",
                                         tensor::DataTypeName(dtype)));
    }
    if (dtype != tensorflow::DT_STRING && !floating && precision >= 0) {
      return InvalidArgumentError(
          StrCat("precision not supported for datatype ", tensor::DataTypeName(dtype)));
    }
    if (fill_.size() > 1) {
      return InvalidArgumentError("Fill string must be one or fewer characters");
    }
    if (scientific && shortest) {
      return InvalidArgumentError("Cannot select both scientific and shortest notation");
    }
    if (!fill_.empty() && std::string_view(" +-0#").find(fill_[0]) == std::string_view::npos) {
      return InvalidArgumentError(StrCat("Fill argument not supported: \"", fill_, "\""));
    }
    width_ = static_cast<int>(std::max<int64_t>(width, 0));
    precision_ = static_cast<int>(precision);
    float_format_ = "%" + fill_ + "*.*" + (shortest ? "g" : scientific ? "e" : "f");
    return OkStatus();
  }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& x = ctx->input(0);
    if (x.dtype() == tensorflow::DT_STRING && width_ <= 0) {
      ctx->set_output(0, x);
      return OkStatus();
    }
    TFCKPT_ASSIGN_OR_RETURN(Tensor * out,
                            ctx->AllocateOutput(0, tensorflow::DT_STRING, x.shape()));
    std::string* o = out->mutable_strings()->data();
    constexpr unsigned kSet = kRealTypes | kComplexTypes | kBoolType | kStringType;
    return Dispatch<kSet>(x.dtype(), "AsString", [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      const T* in = Data<T>(x);
      for (int64_t i = 0; i < x.num_elements(); ++i) o[i] = Print(in[i]);
      return OkStatus();
    });
  }

 private:
  template <typename T>
  std::string Print(const T& v) const {
    if constexpr (std::is_same_v<T, bool>) {
      return v ? "true" : "false";
    } else if constexpr (std::is_same_v<T, std::string>) {
      return PadString(v);
    } else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
      return Format("%" + fill_ + "*.*" PRId64, static_cast<int64_t>(v));
    } else if constexpr (std::is_integral_v<T>) {
      return Format("%" + fill_ + "*.*" PRIu64, static_cast<uint64_t>(v));
    } else if constexpr (std::is_same_v<T, std::complex<float>> ||
                         std::is_same_v<T, std::complex<double>>) {
      return StrCat("(", Format(float_format_, static_cast<double>(v.real())), ",",
                    Format(float_format_, static_cast<double>(v.imag())), ")");
    } else {
      // half and bfloat16 print as float, float promotes to double (varargs).
      return Format(float_format_, static_cast<double>(static_cast<float>(v)));
    }
  }

  // absl's "%<fill>*.*s": cut to precision (when >= 0), padded with spaces
  // to width, on the right when fill is '-' (the other flags do nothing).
  std::string PadString(const std::string& v) const {
    std::string s = precision_ >= 0 ? v.substr(0, precision_) : v;
    if (static_cast<int64_t>(s.size()) >= width_) return s;
    const std::string pad(width_ - s.size(), ' ');
    return fill_ == "-" ? s + pad : pad + s;
  }

  template <typename V>
  std::string Format(const std::string& format, V v) const {
    const int n = std::snprintf(nullptr, 0, format.c_str(), width_, precision_, v);
    std::string s(n > 0 ? n : 0, '\0');
    if (n > 0) std::snprintf(s.data(), n + 1, format.c_str(), width_, precision_, v);
    return s;
  }

  std::string fill_;
  int width_ = 0, precision_ = -1;
  std::string float_format_;  // "%<fill>*.*<g|e|f>"
};

Status L2LossOp(OpKernelContext* ctx) {
  const Tensor& x = ctx->input(0);
  return Dispatch<kFloatingTypes>(x.dtype(), "L2Loss", [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, x.dtype(), TensorShape()));
    Eigen::TensorMap<Eigen::Tensor<const T, 1, Eigen::RowMajor>> v(x.flat<T>(), x.num_elements());
    // TF: output = (input.square() * static_cast<T>(0.5)).sum().
    Eigen::Tensor<T, 0, Eigen::RowMajor> s = (v.square() * static_cast<T>(0.5)).sum();
    out->mutable_flat<T>()[0] = s();
    return OkStatus();
  });
}

}  // namespace

void RegisterEstimatorOps(OpRegistry* r) {
  r->Register(OpDefBuilder("Tile")
                  .Input("input: T")
                  .Input("multiples: Tmultiples")
                  .Output("output: T")
                  .Attr("T: type")
                  .Attr("Tmultiples: {int32, int64} = DT_INT32"),
              FnKernel(TileOp));
  r->Register(OpDefBuilder("AsString")
                  .Input("input: T")
                  .Output("output: string")
                  .Attr("T: {float, double, int32, uint8, int16, int8, int64, bfloat16, uint16, "
                        "half, uint32, uint64, complex64, complex128, bool, variant, string}")
                  .Attr("precision: int = -1")
                  .Attr("scientific: bool = false")
                  .Attr("shortest: bool = false")
                  .Attr("width: int = -1")
                  .Attr("fill: string = ''"),
              Kernel<AsStringOp>());
  r->Register(OpDefBuilder("L2Loss")
                  .Input("t: T")
                  .Output("output: T")
                  .Attr("T: {half, bfloat16, float, double}"),
              FnKernel(L2LossOp));
}

}  // namespace tfckpt::graph
