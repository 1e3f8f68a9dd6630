// Ops the training library builds that the graph engine does not register
// (TF's OpDefs, tensorflow/core/ops/math_ops.cc): Pow, for
// ExponentialMovingAverage's zero_debias update. Registered, with the
// engine's ops, in TrainingOpRegistry().
#include <cmath>

#include "src/graph/kernel.h"
#include "src/graph/serving_ops.h"
#include "src/train/graph_builder.h"
#include "src/train/training_ops.h"

namespace tfckpt::train {
namespace {

using graph::OpKernelContext;
using tensor::Tensor;

// Element-wise x^y with scalar broadcasting (shapes equal, or one operand a
// scalar); std::pow per element, as Eigen's scalar_pow_op for reals.
template <typename T>
Status PowT(OpKernelContext* ctx) {
  const Tensor& x = ctx->input(0);
  const Tensor& y = ctx->input(1);
  const bool x_scalar = x.num_elements() == 1 && x.shape().rank() == 0;
  const bool y_scalar = y.num_elements() == 1 && y.shape().rank() == 0;
  if (!x_scalar && !y_scalar && x.shape() != y.shape()) {
    return UnimplementedError(StrCat("Pow of shapes ", x.shape().DebugString(), " and ",
                                     y.shape().DebugString(),
                                     " (only equal shapes or a scalar operand) in tfckpt"));
  }
  const tensor::TensorShape& out_shape = x_scalar ? y.shape() : x.shape();
  TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, x.dtype(), out_shape));
  const T* a = x.flat<T>();
  const T* b = y.flat<T>();
  T* o = out->mutable_flat<T>();
  for (int64_t i = 0; i < out->num_elements(); ++i) {
    o[i] = std::pow(a[x_scalar ? 0 : i], b[y_scalar ? 0 : i]);
  }
  return OkStatus();
}

Status PowOp(OpKernelContext* ctx) {
  switch (ctx->input(0).dtype()) {
    case tensorflow::DT_FLOAT: return PowT<float>(ctx);
    case tensorflow::DT_DOUBLE: return PowT<double>(ctx);
    default:
      return UnimplementedError(StrCat("Pow is not implemented for dtype ",
                                       tensor::DataTypeName(ctx->input(0).dtype()),
                                       " in tfckpt"));
  }
}

void RegisterTrainingOps(graph::OpRegistry* r) {
  r->Register(graph::OpDefBuilder("Pow")
                  .Input("x: T")
                  .Input("y: T")
                  .Output("z: T")
                  .Attr("T: {bfloat16, float, half, double, int8, int16, int32, int64, "
                        "complex64, complex128}"),
              graph::FnKernel(PowOp));
}

}  // namespace

const graph::OpRegistry& TrainingOpRegistry() {
  static const graph::OpRegistry* const registry = [] {
    auto* r = new graph::OpRegistry(graph::OpRegistry::Global());
    RegisterTrainingOps(r);
    RegisterTrainingKernels(r);
    graph::RegisterLookupOps(r);  // lookup_ops.h builds tables
    // The engine's ExpandDims, GatherV2, SparseSoftmaxCrossEntropyWithLogits,
    // Tile and Prod (gradients and losses use them), one kernel each for
    // every graph.
    graph::RegisterShapeOps(r);
    graph::RegisterNormOps(r);
    graph::RegisterEstimatorOps(r);
    graph::RegisterSequenceOps(r);
    return r;
  }();
  return *registry;
}

}  // namespace tfckpt::train
