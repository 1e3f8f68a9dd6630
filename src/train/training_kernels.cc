// Kernels of the ops a TF1 training graph (tf.gradients of a softmax
// cross-entropy, GradientDescentOptimizer) uses that the graph engine does
// not register: FloorMod, ApplyGradientDescent. OpDefs are TF's
// (tensorflow/core/ops/{math,training}_ops.cc). The engine's own
// SparseSoftmaxCrossEntropyWithLogits, GatherV2, ExpandDims, Tile and Prod
// (graph/kernels_norm.cc, kernels_shape.cc, kernels_estimator.cc,
// kernels_sequence.cc) serve training graphs too (TrainingOpRegistry).
//
// Numerics follow TF's CPU kernels element by element:
//  - ApplyGradientDescent: var - alpha * delta (product rounded, then the
//    difference; Eigen's packet ops do not fuse them).
#include <cmath>
#include <cstring>

#include "src/graph/kernel.h"
#include "src/graph/op_registry.h"
#include "src/io/status.h"
#include "src/train/training_ops.h"

namespace tfckpt::train {
namespace {

using graph::OpDefBuilder;
using graph::OpKernelContext;
using tensor::Tensor;

template <typename T>
T FloorMod(T x, T y) {
  if constexpr (std::is_integral_v<T>) {
    const T r = x % y;
    return (r != 0 && ((y < 0) != (r < 0))) ? r + y : r;
  } else {
    const T r = std::fmod(x, y);
    return (r != 0 && ((y < 0) != (r < 0))) ? r + y : r;
  }
}

template <typename T>
Status FloorModT(OpKernelContext* ctx) {
  const Tensor& x = ctx->input(0);
  const Tensor& y = ctx->input(1);
  // Equal shapes, or one operand with a single element broadcast to the
  // other's shape (the higher-rank one).
  const bool same = x.shape() == y.shape();
  const bool xs = !same && x.num_elements() == 1 && x.shape().rank() <= y.shape().rank();
  const bool ys = !same && !xs && y.num_elements() == 1;
  if (!same && !xs && !ys) {
    return UnimplementedError("FloorMod: equal shapes or a one-element operand only in tfckpt");
  }
  TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, x.dtype(), xs ? y.shape() : x.shape()));
  for (int64_t i = 0; i < out->num_elements(); ++i) {
    const T b = y.flat<T>()[ys ? 0 : i];
    if constexpr (std::is_integral_v<T>) {
      if (b == 0) return InvalidArgumentError("Integer division by zero");
    }
    out->mutable_flat<T>()[i] = FloorMod(x.flat<T>()[xs ? 0 : i], b);
  }
  return OkStatus();
}

Status FloorModOp(OpKernelContext* ctx) {
  switch (ctx->input(0).dtype()) {
    case tensorflow::DT_INT32: return FloorModT<int32_t>(ctx);
    case tensorflow::DT_INT64: return FloorModT<int64_t>(ctx);
    case tensorflow::DT_FLOAT: return FloorModT<float>(ctx);
    case tensorflow::DT_DOUBLE: return FloorModT<double>(ctx);
    default: return UnimplementedError("FloorMod: int32, int64, float, double only in tfckpt");
  }
}

template <typename T>
Status ApplyGradientDescentT(OpKernelContext* ctx) {
  const std::shared_ptr<graph::RefVariable>& var = ctx->ref_input(0);
  if (!var->initialized) {
    return FailedPreconditionError(StrCat("Attempting to use uninitialized variables: ",
                                          ctx->node().requested_input(0)));
  }
  const Tensor& alpha = ctx->input(1);
  const Tensor& delta = ctx->input(2);
  if (alpha.num_elements() != 1 || alpha.shape().rank() != 0) {
    return InvalidArgumentError(StrCat("alpha is not a scalar: ", alpha.shape().DebugString()));
  }
  if (delta.shape() != var->value.shape()) {
    return InvalidArgumentError(StrCat("var and delta do not have the same shape",
                                       var->value.shape().DebugString(), " ",
                                       delta.shape().DebugString()));
  }
  TFCKPT_ASSIGN_OR_RETURN(Tensor updated, ctx->Allocate(var->dtype, var->value.shape()));
  const T lr = alpha.flat<T>()[0];
  for (int64_t i = 0; i < updated.num_elements(); ++i) {
    const T step = delta.flat<T>()[i] * lr;
    updated.mutable_flat<T>()[i] = var->value.flat<T>()[i] - step;
  }
  var->value = std::move(updated);
  ctx->set_output_value(0, ctx->input_value(0));
  return OkStatus();
}

Status ApplyGradientDescentOp(OpKernelContext* ctx) {
  switch (ctx->ref_input(0)->dtype) {
    case tensorflow::DT_FLOAT: return ApplyGradientDescentT<float>(ctx);
    case tensorflow::DT_DOUBLE: return ApplyGradientDescentT<double>(ctx);
    default: return UnimplementedError("ApplyGradientDescent: float or double only in tfckpt");
  }
}

constexpr char kNumberTypes[] =
    "T: {float, double, int32, uint8, int16, int8, complex64, int64, qint8, quint8, qint32, "
    "bfloat16, qint16, quint16, uint16, complex128, half, uint32, uint64}";

}  // namespace

void RegisterTrainingKernels(graph::OpRegistry* r) {
  r->Register(OpDefBuilder("FloorMod")
                  .Input("x: T")
                  .Input("y: T")
                  .Output("z: T")
                  .Attr("T: {int8, int16, int32, int64, uint8, uint16, uint32, uint64, bfloat16, "
                        "half, float, double}"),
              graph::FnKernel(FloorModOp));
  r->Register(OpDefBuilder("ApplyGradientDescent")
                  .Input("var: Ref(T)")
                  .Input("alpha: T")
                  .Input("delta: T")
                  .Output("out: Ref(T)")
                  .Attr(kNumberTypes)
                  .Attr("use_locking: bool = false"),
              graph::FnKernel(ApplyGradientDescentOp));
}

}  // namespace tfckpt::train
