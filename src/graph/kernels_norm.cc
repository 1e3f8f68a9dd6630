// Batch normalization (inference) and the sparse softmax cross-entropy
// (tensorflow/core/ops/nn_ops.cc): FusedBatchNormV3 with is_training=false,
// SparseSoftmaxCrossEntropyWithLogits.
//
// Both are the Eigen expressions of TF's CPU kernels
// (fused_batch_norm_op.cc: y = (x - mean) * (rsqrt(variance + epsilon) *
// scale) + offset, computed in U; xent_op.h: loss = log(sum(exp(l - max))) -
// (l[label] - max), backprop = exp(l - max) / sum - onehot(label)).
// FusedBatchNormV3 in training mode (batch statistics) is Unimplemented:
// saved inference graphs do not run it.
#include <unsupported/Eigen/CXX11/Tensor>

#include "src/graph/kernel_util.h"
#include "src/graph/serving_ops.h"

namespace tfckpt::graph {
namespace {

class FusedBatchNormOp : public OpKernel {
 public:
  Status Init(const Node& node, const KernelOptions&) override {
    TFCKPT_ASSIGN_OR_RETURN(t_, node.AttrType("T"));
    TFCKPT_ASSIGN_OR_RETURN(u_, node.AttrType("U"));
    TFCKPT_ASSIGN_OR_RETURN(epsilon_, node.AttrFloat("epsilon"));
    TFCKPT_ASSIGN_OR_RETURN(bool training, node.AttrBool("is_training"));
    TFCKPT_ASSIGN_OR_RETURN(format_, node.AttrString("data_format"));
    if (training) {
      return UnimplementedError(StrCat(node.op(), " with is_training=true (batch statistics) is "
                                       "not implemented in tfckpt; inference graphs use false"));
    }
    if (format_ != "NHWC" && format_ != "NDHWC") {
      return UnimplementedError(StrCat(node.op(), " with data_format ", format_,
                                       " is not implemented in tfckpt (NHWC, NDHWC are)"));
    }
    if (u_ != tensorflow::DT_FLOAT) {
      return UnimplementedError(StrCat(node.op(), " is not implemented for U=",
                                       tensor::DataTypeName(u_), " in tfckpt"));
    }
    return OkStatus();
  }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& x = ctx->input(0);
    const int rank = x.shape().rank();
    if (rank != 4 && rank != 5) {
      return InvalidArgumentError(
          StrCat("input must be 4 or 5-dimensional", x.shape().DebugString()));
    }
    const char* names[] = {"x", "scale", "offset", "mean", "variance"};
    for (int i = 1; i < 5; ++i) {
      if (ctx->input(i).shape().rank() != 1) {
        return InvalidArgumentError(StrCat(names[i], " must be 1-dimensional",
                                           ctx->input(i).shape().DebugString()));
      }
    }
    const int64_t depth = x.shape().dim(rank - 1);
    for (int i = 1; i < 5; ++i) {
      if (ctx->input(i).num_elements() != depth) {
        return InvalidArgumentError(StrCat(names[i], " must have the same number of elements as "
                                           "the channels of x, got ",
                                           ctx->input(i).num_elements(), " and ", depth));
      }
    }
    const int64_t rest = depth == 0 ? 0 : x.num_elements() / depth;
    TFCKPT_RETURN_IF_ERROR(Dispatch<kFloatingTypes>(t_, ctx->node().op(), [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      using U = float;
      TFCKPT_ASSIGN_OR_RETURN(Tensor * y, ctx->AllocateOutput(0, t_, x.shape()));
      Eigen::TensorMap<Eigen::Tensor<const T, 2, Eigen::RowMajor>> xm(x.flat<T>(), rest, depth);
      Eigen::TensorMap<Eigen::Tensor<T, 2, Eigen::RowMajor>> ym(y->mutable_flat<T>(), rest, depth);
      auto vec = [&](int i) {
        return Eigen::TensorMap<Eigen::Tensor<const U, 1, Eigen::RowMajor>>(
            ctx->input(i).flat<U>(), depth);
      };
      const Eigen::array<Eigen::Index, 2> one_by_depth{1, depth};
      const Eigen::array<Eigen::Index, 2> bcast{rest, 1};
      Eigen::Tensor<U, 1, Eigen::RowMajor> scaling =
          (vec(4) + vec(4).constant(epsilon_)).rsqrt() * vec(1);
      auto centered = xm.template cast<U>() - vec(3).reshape(one_by_depth).broadcast(bcast);
      auto scaled = centered * scaling.reshape(one_by_depth).broadcast(bcast);
      ym = (scaled + vec(2).reshape(one_by_depth).broadcast(bcast)).template cast<T>();
      return OkStatus();
    }));
    // batch_mean / batch_variance and the reserve spaces carry the
    // estimates through (TF's inference path); reserve_space_3 is empty.
    ctx->set_output(1, ctx->input(3));
    ctx->set_output(2, ctx->input(4));
    ctx->set_output(3, ctx->input(3));
    ctx->set_output(4, ctx->input(4));
    return ctx->AllocateOutput(5, u_, TensorShape({0})).status();
  }

 private:
  DataType t_ = tensorflow::DT_INVALID, u_ = tensorflow::DT_INVALID;
  float epsilon_ = 0;
  std::string format_;
};

Status SparseXentOp(OpKernelContext* ctx) {
  const Tensor& logits = ctx->input(0);
  const Tensor& labels = ctx->input(1);
  if (logits.shape().rank() != 2) {
    return InvalidArgumentError(StrCat("logits must be 2-D, but got shape ",
                                       logits.shape().DebugString()));
  }
  if (labels.shape().rank() != 1) {
    return InvalidArgumentError(StrCat("labels must be 1-D, but got shape ",
                                       labels.shape().DebugString()));
  }
  const int64_t batch = logits.shape().dim(0), classes = logits.shape().dim(1);
  if (labels.shape().dim(0) != batch) {
    return InvalidArgumentError(StrCat(
        "logits and labels must have the same first dimension, got logits shape ",
        logits.shape().DebugString(), " and labels shape ", labels.shape().DebugString()));
  }
  if (classes == 0) {
    return InvalidArgumentError(StrCat("Must have at least one class, but got logits shape ",
                                       logits.shape().DebugString()));
  }
  const std::vector<int64_t> label = IntValues(labels);
  for (int64_t l : label) {
    if (l < 0 || l >= classes) {
      std::string all;
      for (int64_t v : label) all += StrCat(" ", v);
      return InvalidArgumentError(StrCat("Received a label value of ", l,
                                         " which is outside the valid range of [0, ", classes,
                                         ").  Label values:", all));
    }
  }
  return Dispatch<kFloatingTypes>(logits.dtype(), ctx->node().op(), [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    TFCKPT_ASSIGN_OR_RETURN(Tensor * loss, ctx->AllocateOutput(0, logits.dtype(), TensorShape({batch})));
    TFCKPT_ASSIGN_OR_RETURN(Tensor * back, ctx->AllocateOutput(1, logits.dtype(), logits.shape()));
    Eigen::TensorMap<Eigen::Tensor<const T, 2, Eigen::RowMajor>> l(logits.flat<T>(), batch, classes);
    Eigen::TensorMap<Eigen::Tensor<T, 2, Eigen::RowMajor>> b(back->mutable_flat<T>(), batch, classes);
    const Eigen::array<int, 1> along_class{1};
    const Eigen::array<Eigen::Index, 2> batch_by_one{batch, 1};
    const Eigen::array<Eigen::Index, 2> one_by_class{1, classes};
    Eigen::Tensor<T, 1, Eigen::RowMajor> scratch = l.maximum(along_class);
    b = l - scratch.reshape(batch_by_one).broadcast(one_by_class);
    scratch = b.exp().sum(along_class);
    T* out = loss->mutable_flat<T>();
    for (int64_t i = 0; i < batch; ++i) {
      out[i] = T(Eigen::numext::log(scratch(i)) - b(i, label[i]));
    }
    for (int64_t i = 0; i < batch; ++i) {
      for (int64_t j = 0; j < classes; ++j) {
        b(i, j) = T(Eigen::numext::exp(b(i, j)) / scratch(i) - (label[i] == j ? T(1) : T(0)));
      }
    }
    return OkStatus();
  });
}

}  // namespace

void RegisterNormOps(OpRegistry* r) {
  r->Register(OpDefBuilder("FusedBatchNormV3")
                  .Input("x: T")
                  .Input("scale: U")
                  .Input("offset: U")
                  .Input("mean: U")
                  .Input("variance: U")
                  .Output("y: T")
                  .Output("batch_mean: U")
                  .Output("batch_variance: U")
                  .Output("reserve_space_1: U")
                  .Output("reserve_space_2: U")
                  .Output("reserve_space_3: U")
                  .Attr("T: {half, bfloat16, float}")
                  .Attr("U: {bfloat16, float}")
                  .Attr("epsilon: float = 0.0001")
                  .Attr("exponential_avg_factor: float = 1")
                  .Attr("data_format: {'NHWC', 'NCHW', 'NDHWC', 'NCDHW'} = 'NHWC'")
                  .Attr("is_training: bool = true"),
              Kernel<FusedBatchNormOp>());
  r->Register(OpDefBuilder("SparseSoftmaxCrossEntropyWithLogits")
                  .Input("features: T")
                  .Input("labels: Tlabels")
                  .Output("loss: T")
                  .Output("backprop: T")
                  .Attr("T: {half, bfloat16, float, double}")
                  .Attr("Tlabels: {int32, int64} = DT_INT64"),
              FnKernel(SparseXentOp));
}

}  // namespace tfckpt::graph
