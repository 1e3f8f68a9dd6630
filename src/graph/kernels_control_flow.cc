// Control flow v1 (tensorflow/core/ops/control_flow_ops.cc,
// kernels/control_flow_ops.cc): Switch, RefSwitch and Merge, the ops
// tf.cond builds in graph mode. Deadness itself -- which nodes run -- is the
// executor's (session.cc): a Switch marks its untaken output dead, a Merge
// receives its dead inputs marked and forwards a live one.
#include "src/graph/kernel_util.h"

namespace tfckpt::graph {
namespace {

// SwitchOp::Compute: `data` goes to output_true (1) if pred, else
// output_false (0); the other output is dead. RefSwitch forwards the
// reference itself (no read, so an uninitialized variable may pass).
Status SwitchCompute(OpKernelContext* ctx) {
  const Tensor& pred = ctx->input(1);
  if (pred.shape().rank() != 0) {
    return InvalidArgumentError(StrCat("The second input must be a scalar, but it has shape ",
                                       pred.shape().DebugString()));
  }
  const int port = pred.flat<bool>()[0] ? 1 : 0;
  ctx->set_output_value(port, ctx->input_value(0));
  ctx->set_output_dead(1 - port);
  return OkStatus();
}

// MergeOp::Compute: output 0 is the live input, output 1 its index.
Status MergeCompute(OpKernelContext* ctx) {
  for (int i = 0; i < ctx->num_inputs(); ++i) {
    if (ctx->input_is_dead(i)) continue;
    ctx->set_output_value(0, ctx->input_value(i));
    TFCKPT_ASSIGN_OR_RETURN(Tensor * index,
                            ctx->AllocateOutput(1, tensorflow::DT_INT32, TensorShape{}));
    index->mutable_flat<int32_t>()[0] = i;
    return OkStatus();
  }
  // The executor does not run a Merge whose inputs are all dead.
  return InternalError("Merge ran without a live input");
}

}  // namespace

void RegisterControlFlowOps(OpRegistry* r) {
  r->Register(OpDefBuilder("Switch")
                  .Input("data: T")
                  .Input("pred: bool")
                  .Output("output_false: T")
                  .Output("output_true: T")
                  .Attr("T: type"),
              FnKernel(SwitchCompute));
  r->Register(OpDefBuilder("RefSwitch")
                  .Input("data: Ref(T)")
                  .Input("pred: bool")
                  .Output("output_false: Ref(T)")
                  .Output("output_true: Ref(T)")
                  .Attr("T: type")
                  .SetAllowsUninitializedInput(),
              FnKernel(SwitchCompute));
  r->Register(OpDefBuilder("Merge")
                  .Input("inputs: N * T")
                  .Output("output: T")
                  .Output("value_index: int32")
                  .Attr("T: type")
                  .Attr("N: int >= 1"),
              FnKernel(MergeCompute));
}

}  // namespace tfckpt::graph
