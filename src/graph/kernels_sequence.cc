// Array and math ops Keras' recurrent layers build around their While loop
// (tensorflow/core/ops/array_ops.cc, math_ops.cc): Transpose (batch-major to
// time-major and back), Split (the gates of LSTM / GRU), LogicalAnd (the
// loop condition), Prod (shape arithmetic).
//
// Transpose and Split copy elements (exact, any dtype). Prod multiplies each
// output's inputs in row-major order: exact for integers (wrapping, like
// TF); for floats TF's Eigen reduction may associate differently.
#include <numeric>

#include "src/graph/kernel_util.h"
#include "src/graph/serving_ops.h"

namespace tfckpt::graph {
namespace {

constexpr unsigned kAllTypes = kNumberTypes | kBoolType | kStringType;

// Row-major strides of `shape`.
std::vector<int64_t> Strides(const TensorShape& shape) {
  std::vector<int64_t> s(shape.rank(), 1);
  for (int d = shape.rank() - 2; d >= 0; --d) s[d] = s[d + 1] * shape.dim(d + 1);
  return s;
}

Status TransposeOp(OpKernelContext* ctx) {
  const Tensor& x = ctx->input(0);
  const Tensor& perm_t = ctx->input(1);
  const int rank = x.shape().rank();
  if (!IsVector(perm_t)) {
    return InvalidArgumentError(StrCat("perm must be rank 1, got shape ",
                                       perm_t.shape().DebugString()));
  }
  const std::vector<int64_t> perm = IntValues(perm_t);
  if (static_cast<int>(perm.size()) != rank) {
    return InvalidArgumentError(StrCat("transpose expects a vector of size ", rank,
                                       ". But input(1) is a vector of size ", perm.size()));
  }
  std::vector<bool> seen(rank, false);
  std::vector<int64_t> dims(rank);
  for (int i = 0; i < rank; ++i) {
    const int64_t d = perm[i];
    if (d < 0 || d >= rank) {
      return InvalidArgumentError(StrCat(d, " is out of range [0 .. ", rank, ")"));
    }
    if (seen[d]) {
      return InvalidArgumentError(StrCat(d, " is duplicated in perm"));
    }
    seen[d] = true;
    dims[i] = x.shape().dim(static_cast<int>(d));
  }
  TFCKPT_ASSIGN_OR_RETURN(TensorShape shape, TensorShape::Make(dims));
  const std::vector<int64_t> in_strides = Strides(x.shape());
  return Dispatch<kAllTypes>(x.dtype(), "Transpose", [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, x.dtype(), shape));
    const T* in = Data<T>(x);
    T* o = MutableData<T>(out);
    // Walk the output in row-major order; `src` follows in the input.
    std::vector<int64_t> idx(rank, 0);
    int64_t src = 0;
    for (int64_t i = 0; i < shape.num_elements(); ++i) {
      o[i] = in[src];
      for (int d = rank - 1; d >= 0; --d) {
        src += in_strides[perm[d]];
        if (++idx[d] < dims[d]) break;
        src -= in_strides[perm[d]] * dims[d];
        idx[d] = 0;
      }
    }
    return OkStatus();
  });
}

class SplitOp : public OpKernel {
 public:
  Status Init(const Node& node, const KernelOptions&) override {
    TFCKPT_ASSIGN_OR_RETURN(num_split_, node.AttrInt("num_split"));
    return OkStatus();
  }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& x = ctx->input(1);
    const int rank = x.shape().rank();
    if (!IsScalar(ctx->input(0))) {
      return InvalidArgumentError("split_dim must be a scalar");
    }
    int64_t dim = IntValues(ctx->input(0))[0];
    if (dim < -rank || dim >= rank) {
      return InvalidArgumentError(StrCat("-input rank(-", rank, ") <= split_dim < input rank (",
                                         rank, "), but got ", dim));
    }
    if (dim < 0) dim += rank;
    const int64_t size = x.shape().dim(static_cast<int>(dim));
    if (num_split_ <= 0 || size % num_split_ != 0) {
      return InvalidArgumentError(StrCat(
          "Number of ways to split should evenly divide the split dimension, but got "
          "split_dim ", dim, " (size = ", size, ") and num_split ", num_split_));
    }
    std::vector<int64_t> dims(x.shape().dims().begin(), x.shape().dims().end());
    dims[dim] = size / num_split_;
    TFCKPT_ASSIGN_OR_RETURN(TensorShape shape, TensorShape::Make(dims));
    // Rows of `outer` blocks; each block holds num_split chunks of `chunk`.
    int64_t outer = 1;
    for (int d = 0; d < dim; ++d) outer *= x.shape().dim(d);
    const int64_t chunk = shape.num_elements() / std::max<int64_t>(outer, 1);
    for (int64_t k = 0; k < num_split_; ++k) {
      TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(static_cast<int>(k), x.dtype(), shape));
      if (shape.num_elements() == 0) continue;
      for (int64_t r = 0; r < outer; ++r) {
        CopyElements(x, (r * num_split_ + k) * chunk, out, r * chunk, chunk);
      }
    }
    return OkStatus();
  }

 private:
  int64_t num_split_ = 1;
};

Status LogicalAndOp(OpKernelContext* ctx) {
  return BroadcastBinary<bool, bool>(ctx, tensorflow::DT_BOOL,
                                     [](bool a, bool b) { return a && b; });
}

Status ProdOp(OpKernelContext* ctx) {
  const Tensor& in = ctx->input(0);
  std::vector<bool> reduce;
  TensorShape out_shape;
  TFCKPT_RETURN_IF_ERROR(PlanReduction(ctx, &reduce, &out_shape));
  return Dispatch<kNumberTypes>(in.dtype(), "Prod", [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, in.dtype(), out_shape));
    T* o = out->mutable_flat<T>();
    std::fill(o, o + out_shape.num_elements(), T(1));
    const T* x = in.flat<T>();
    ForEachReduced(in.shape(), reduce, [&](int64_t i, int64_t oi) {
      if constexpr (std::is_integral_v<T>) {
        using U = std::common_type_t<std::make_unsigned_t<T>, unsigned>;
        o[oi] = static_cast<T>(static_cast<U>(o[oi]) * static_cast<U>(x[i]));
      } else {
        o[oi] = T(o[oi] * x[i]);
      }
    });
    return OkStatus();
  });
}

}  // namespace

void RegisterSequenceOps(OpRegistry* r) {
  r->Register(OpDefBuilder("Transpose")
                  .Input("x: T")
                  .Input("perm: Tperm")
                  .Output("y: T")
                  .Attr("T: type")
                  .Attr("Tperm: {int32, int64} = DT_INT32"),
              FnKernel(TransposeOp));
  r->Register(OpDefBuilder("Split")
                  .Input("split_dim: int32")
                  .Input("value: T")
                  .Output("output: num_split * T")
                  .Attr("num_split: int >= 1")
                  .Attr("T: type"),
              Kernel<SplitOp>());
  r->Register(OpDefBuilder("LogicalAnd")
                  .Input("x: bool")
                  .Input("y: bool")
                  .Output("z: bool")
                  .SetIsCommutative(),
              FnKernel(LogicalAndOp));
  r->Register(OpDefBuilder("Prod")
                  .Input("input: T")
                  .Input("reduction_indices: Tidx")
                  .Output("output: T")
                  .Attr("keep_dims: bool = false")
                  .Attr("T: {float, double, int32, uint8, int16, int8, complex64, int64, qint8, "
                        "quint8, qint32, bfloat16, qint16, quint16, uint16, complex128, half, "
                        "uint32, uint64}")
                  .Attr("Tidx: {int32, int64} = DT_INT32"),
              FnKernel(ProdOp));
}

}  // namespace tfckpt::graph
