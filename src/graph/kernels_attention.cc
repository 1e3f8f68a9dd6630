// What Keras attention layers compute with (golden/zoo/tf-2.21/keras_attention:
// MultiHeadAttention, Attention, AdditiveAttention): BatchMatMulV2 (matmul
// over broadcast batch dimensions; Keras' EinsumDense of a 3-D input) and
// Einsum of two operands ("BTNH,BSNH->BNTS", "BNTS,BSNH->BTNH").
// tensorflow/core/kernels/matmul_op_impl.h, linalg/einsum_op_impl.h;
// signatures from tensorflow/core/ops/math_ops.cc, linalg_ops.cc.
//
// Both are one contraction: every output element is a sequence of fused
// multiply-adds over the contracted index in order, the arithmetic of TF's
// CPU kernels (Eigen's gebp with FMA, as kernels_nn.cc's MatMul) -- TF's
// Einsum transposes its operands into a BatchMatMul. Contracted labels are
// walked in the order they appear in the first operand (TF's label order).
// Exact for k up to Eigen's cache block, like MatMul.
#include <cctype>
#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "src/graph/kernel_util.h"
#include "src/graph/serving_ops.h"

namespace tfckpt::graph {
namespace {

// out[o] = sum over the contracted index of a[a_out[o] + a_k[l]] * b[...],
// o walking out_shape row-major with per-dimension strides a_out / b_out
// (0 where an operand has no such dimension or broadcasts it).
struct Contraction {
  TensorShape out_shape;
  std::vector<int64_t> a_out, b_out;  // per output dimension
  std::vector<int64_t> a_k, b_k;      // offset of each contracted position, in order
};

// One output element's sum: fused multiply-adds for floating types (half and
// bfloat16 accumulate in float and round once, as MatMul); integers wrap
// modulo 2^bits, as TF's Eigen contraction on two's complement.
template <typename T>
struct Accumulator {
  using Acc = std::conditional_t<std::is_integral_v<T>, uint64_t,
                                 std::conditional_t<std::is_same_v<T, Eigen::half> ||
                                                        std::is_same_v<T, Eigen::bfloat16>,
                                                    float, T>>;
  Acc s = Acc(0);
  void Add(T x, T y) {
    if constexpr (std::is_integral_v<T>) {
      s += static_cast<uint64_t>(static_cast<int64_t>(x)) *
           static_cast<uint64_t>(static_cast<int64_t>(y));
    } else {
      s = std::fma(static_cast<Acc>(x), static_cast<Acc>(y), s);
    }
  }
  T Get() const { return static_cast<T>(s); }
};

template <typename T>
Status Contract(OpKernelContext* ctx, const Contraction& c, const char* op) {
  const Tensor& a = ctx->input(0);
  const Tensor& b = ctx->input(1);
  if (a.dtype() != b.dtype()) {
    return InvalidArgumentError(StrCat(op, ": operands of different dtypes"));
  }
  TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, a.dtype(), c.out_shape));
  const T* x = a.flat<T>();
  const T* y = b.flat<T>();
  T* o = out->mutable_flat<T>();
  const size_t k = c.a_k.size();
  ForEachBroadcast<2>(c.out_shape, {c.a_out, c.b_out},
                      [&](int64_t i, const std::array<int64_t, 2>& off) {
                        Accumulator<T> s;
                        for (size_t l = 0; l < k; ++l) {
                          s.Add(x[off[0] + c.a_k[l]], y[off[1] + c.b_k[l]]);
                        }
                        o[i] = s.Get();
                      });
  return OkStatus();
}

// Floating types and the signed integers (TF's CPU kernels of both ops
// take int16 / int32 / int64; unsigned ones have no CPU kernel in TF).
Status RunContraction(OpKernelContext* ctx, const Contraction& c, const char* op) {
  return Dispatch<kFloatingTypes | kSignedTypes>(ctx->input(0).dtype(), op, [&](auto tag) -> Status {
    return Contract<typename decltype(tag)::type>(ctx, c, op);
  });
}

// Row-major strides of `shape`.
std::vector<int64_t> RowMajorStrides(const TensorShape& shape) {
  std::vector<int64_t> s(shape.rank(), 1);
  for (int d = shape.rank() - 2; d >= 0; --d) s[d] = s[d + 1] * shape.dim(d + 1);
  return s;
}

// Offsets of every position of the contracted index (dims, per-operand
// strides), row-major: the last contracted label runs fastest.
void ContractedOffsets(const std::vector<int64_t>& dims, const std::vector<int64_t>& a_stride,
                       const std::vector<int64_t>& b_stride, Contraction* c) {
  std::vector<int64_t> idx(dims.size(), 0);
  int64_t total = 1;
  for (int64_t d : dims) total *= d;
  int64_t ao = 0, bo = 0;
  for (int64_t i = 0; i < total; ++i) {
    c->a_k.push_back(ao);
    c->b_k.push_back(bo);
    for (int d = static_cast<int>(dims.size()) - 1; d >= 0; --d) {
      ao += a_stride[d];
      bo += b_stride[d];
      if (++idx[d] < dims[d]) break;
      ao -= a_stride[d] * dims[d];
      bo -= b_stride[d] * dims[d];
      idx[d] = 0;
    }
  }
}

class BatchMatMulOp : public OpKernel {
 public:
  Status Init(const Node& node, const KernelOptions&) override {
    TFCKPT_ASSIGN_OR_RETURN(adj_x_, node.AttrBool("adj_x"));
    TFCKPT_ASSIGN_OR_RETURN(adj_y_, node.AttrBool("adj_y"));
    return OkStatus();
  }

  Status Compute(OpKernelContext* ctx) override {
    const TensorShape& xs = ctx->input(0).shape();
    const TensorShape& ys = ctx->input(1).shape();
    if (xs.rank() < 2) return InvalidArgumentError(StrCat("In[0] ndims must be >= 2: ", xs.rank()));
    if (ys.rank() < 2) return InvalidArgumentError(StrCat("In[1] ndims must be >= 2: ", ys.rank()));
    const int xr = xs.rank(), yr = ys.rank();
    const int64_t m = xs.dim(adj_x_ ? xr - 1 : xr - 2), kx = xs.dim(adj_x_ ? xr - 2 : xr - 1);
    const int64_t ky = ys.dim(adj_y_ ? yr - 1 : yr - 2), n = ys.dim(adj_y_ ? yr - 2 : yr - 1);
    if (kx != ky) {
      return InvalidArgumentError(StrCat("Matrix size-incompatible: In[0]: ", xs.DebugString(),
                                         ", In[1]: ", ys.DebugString()));
    }
    std::vector<int64_t> xb(xs.dims().begin(), xs.dims().end() - 2);
    std::vector<int64_t> yb(ys.dims().begin(), ys.dims().end() - 2);
    TFCKPT_ASSIGN_OR_RETURN(TensorShape xbs, TensorShape::Make(xb));
    TFCKPT_ASSIGN_OR_RETURN(TensorShape ybs, TensorShape::Make(yb));
    StatusOr<TensorShape> batch = BroadcastShape({xbs, ybs});
    if (!batch.ok()) {
      return InvalidArgumentError(StrCat("In[0] and In[1] must have compatible batch dimensions: ",
                                         xs.DebugString(), " vs. ", ys.DebugString()));
    }
    std::vector<int64_t> dims(batch->dims().begin(), batch->dims().end());
    dims.push_back(m);
    dims.push_back(n);
    Contraction c;
    TFCKPT_ASSIGN_OR_RETURN(c.out_shape, TensorShape::Make(dims));
    const std::vector<int64_t> sx = RowMajorStrides(xs), sy = RowMajorStrides(ys);
    // Batch strides through broadcasting (padded on the left to the output's
    // batch rank, 0 for a size-1 dimension), then the row/column strides.
    c.a_out = BroadcastStrides(xbs, *batch);
    c.b_out = BroadcastStrides(ybs, *batch);
    for (size_t d = 0; d < c.a_out.size(); ++d) {
      const int xd = static_cast<int>(d) - (batch->rank() - xbs.rank());
      const int yd = static_cast<int>(d) - (batch->rank() - ybs.rank());
      if (c.a_out[d] != 0) c.a_out[d] = sx[xd];
      if (c.b_out[d] != 0) c.b_out[d] = sy[yd];
    }
    const int64_t x_row = adj_x_ ? sx[xr - 1] : sx[xr - 2], x_k = adj_x_ ? sx[xr - 2] : sx[xr - 1];
    const int64_t y_k = adj_y_ ? sy[yr - 1] : sy[yr - 2], y_col = adj_y_ ? sy[yr - 2] : sy[yr - 1];
    c.a_out.insert(c.a_out.end(), {x_row, 0});
    c.b_out.insert(c.b_out.end(), {0, y_col});
    ContractedOffsets({kx}, {x_k}, {y_k}, &c);
    return RunContraction(ctx, c, "BatchMatMulV2");
  }

 private:
  bool adj_x_ = false, adj_y_ = false;
};

// Einsum of two operands whose labels are letters, each at most once per
// operand, every label of an operand either in the output or in the other
// operand (contracted). Other equations (one or three operands, "...",
// repeated labels: diagonals, labels summed out of one operand) are refused
// by name.
class EinsumOp : public OpKernel {
 public:
  // An equation this kernel cannot compute fails the run that needs it,
  // not the loading of the graph.
  Status Init(const Node& node, const KernelOptions&) override {
    TFCKPT_ASSIGN_OR_RETURN(equation_, node.AttrString("equation"));
    parsed_ = Parse();
    return OkStatus();
  }

  Status Compute(OpKernelContext* ctx) override {
    TFCKPT_RETURN_IF_ERROR(parsed_);
    if (ctx->num_inputs() != 2) return Unsupported("it does not have two operands");
    return Run(ctx);
  }

 private:
  Status Parse() {
    const size_t comma = equation_.find(',');
    const size_t arrow = equation_.find("->");
    if (comma == std::string::npos || arrow == std::string::npos || arrow < comma ||
        equation_.find(',', comma + 1) != std::string::npos) {
      return Unsupported("it is not a two-operand equation 'ab,bc->ac'");
    }
    a_ = equation_.substr(0, comma);
    b_ = equation_.substr(comma + 1, arrow - comma - 1);
    out_ = equation_.substr(arrow + 2);
    for (const std::string* s : {&a_, &b_, &out_}) {
      for (size_t i = 0; i < s->size(); ++i) {
        const char ch = (*s)[i];
        if (!std::isalpha(static_cast<unsigned char>(ch))) {
          return Unsupported("labels other than letters (ellipsis, spaces)");
        }
        if (s->find(ch, i + 1) != std::string::npos) {
          return Unsupported(StrCat("label '", std::string(1, ch), "' repeats in an operand"));
        }
      }
    }
    for (char ch : a_ + b_) {
      const bool in_a = a_.find(ch) != std::string::npos, in_b = b_.find(ch) != std::string::npos;
      if (out_.find(ch) == std::string::npos && !(in_a && in_b)) {
        return Unsupported(StrCat("label '", std::string(1, ch), "' is summed out of one operand"));
      }
    }
    for (char ch : out_) {
      if (a_.find(ch) == std::string::npos && b_.find(ch) == std::string::npos) {
        return InvalidArgumentError(StrCat("Einsum: output label '", std::string(1, ch),
                                           "' is in no input of '", equation_, "'"));
      }
    }
    return OkStatus();
  }

  Status Run(OpKernelContext* ctx) const {
    const TensorShape& as = ctx->input(0).shape();
    const TensorShape& bs = ctx->input(1).shape();
    // TF's texts (einsum_op_impl.h), input by input.
    for (int i = 0; i < 2; ++i) {
      const TensorShape& shape = i == 0 ? as : bs;
      const std::string& labels = i == 0 ? a_ : b_;
      if (shape.rank() != static_cast<int>(labels.size())) {
        return InvalidArgumentError(StrCat("Expected input ", i, " to have rank ", labels.size(),
                                           " but got: ", shape.rank()));
      }
    }
    const std::vector<int64_t> sa = RowMajorStrides(as), sb = RowMajorStrides(bs);
    // The size of a label and its stride in each operand (0: absent).
    auto label = [&](char ch, int64_t* size, int64_t* stride_a, int64_t* stride_b) -> Status {
      const size_t ia = a_.find(ch), ib = b_.find(ch);
      *stride_a = ia == std::string::npos ? 0 : sa[ia];
      *stride_b = ib == std::string::npos ? 0 : sb[ib];
      const int64_t da = ia == std::string::npos ? -1 : as.dim(static_cast<int>(ia));
      const int64_t db = ib == std::string::npos ? -1 : bs.dim(static_cast<int>(ib));
      if (da >= 0 && db >= 0 && da != db) {
        return InvalidArgumentError(StrCat("Expected dimension ", da, " at axis ", ib,
                                           " of the input shaped ", bs.DebugString(),
                                           " but got dimension ", db));
      }
      *size = da >= 0 ? da : db;
      return OkStatus();
    };
    Contraction c;
    std::vector<int64_t> out_dims;
    for (char ch : out_) {
      int64_t size, sta, stb;
      TFCKPT_RETURN_IF_ERROR(label(ch, &size, &sta, &stb));
      out_dims.push_back(size);
      c.a_out.push_back(sta);
      c.b_out.push_back(stb);
    }
    TFCKPT_ASSIGN_OR_RETURN(c.out_shape, TensorShape::Make(out_dims));
    std::vector<int64_t> k_dims, k_a, k_b;
    for (char ch : a_) {
      if (out_.find(ch) != std::string::npos) continue;  // contracted: in a and b
      int64_t size, sta, stb;
      TFCKPT_RETURN_IF_ERROR(label(ch, &size, &sta, &stb));
      k_dims.push_back(size);
      k_a.push_back(sta);
      k_b.push_back(stb);
    }
    ContractedOffsets(k_dims, k_a, k_b, &c);
    return RunContraction(ctx, c, "Einsum");
  }

  Status Unsupported(const std::string& why) const {
    return UnimplementedError(StrCat("Einsum equation '", equation_,
                                     "' is not implemented in tfckpt: ", why));
  }

  std::string equation_, a_, b_, out_;
  Status parsed_;
};

}  // namespace

void RegisterAttentionOps(OpRegistry* r) {
  r->Register(OpDefBuilder("BatchMatMulV2")
                  .Input("x: T")
                  .Input("y: T")
                  .Output("output: T")
                  .Attr("T: {bfloat16, half, float, double, int16, int32, int64, uint8, uint16, "
                        "uint32, uint64, complex64, complex128}")
                  .Attr("adj_x: bool = false")
                  .Attr("adj_y: bool = false")
                  .Attr("grad_x: bool = false")
                  .Attr("grad_y: bool = false"),
              Kernel<BatchMatMulOp>());
  r->Register(OpDefBuilder("Einsum")
                  .Input("inputs: N * T")
                  .Output("output: T")
                  .Attr("equation: string")
                  .Attr("N: int >= 1")
                  .Attr("T: type"),
              Kernel<EinsumOp>());
}

}  // namespace tfckpt::graph
