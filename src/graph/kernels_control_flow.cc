// Control flow v1 (tensorflow/core/ops/control_flow_ops.cc,
// kernels/control_flow_ops.cc): Switch, RefSwitch, Merge and RefMerge, the
// ops tf.cond builds in graph mode, _SwitchN (what TF's lowering of a Case
// builds, e.g. in convert_variables_to_constants_v2's frozen graphs), and Enter, Exit, NextIteration (and their
// Ref forms) and LoopCond, the frames of a TF1 while loop. Deadness, frames
// and iterations -- which nodes run, where their outputs go -- are the
// executor's (executor.h): a Switch marks its untaken output dead, a Merge
// receives its dead inputs marked and forwards a live one; the loop ops
// forward their input, and the executor routes it into, around or out of the
// loop.
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

// SwitchNOp::Compute: `data` goes to output `output_index`, an index out
// of range (negative too) to the last output, like Case's branch_index; the
// other outputs are dead.
Status SwitchNCompute(OpKernelContext* ctx) {
  const Tensor& index = ctx->input(1);
  if (index.shape().rank() != 0) {
    return InvalidArgumentError(StrCat("The second input must be a scalar, but it has shape ",
                                       index.shape().DebugString()));
  }
  const int n = static_cast<int>(ctx->outputs().size());
  int port = index.flat<int32_t>()[0];
  if (port < 0 || port >= n) port = n - 1;
  for (int i = 0; i < n; ++i) {
    if (i != port) ctx->set_output_dead(i);
  }
  ctx->set_output_value(port, ctx->input_value(0));
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

// Enter, Exit, NextIteration, LoopCond (and the Ref forms, which forward the
// reference unread): the value goes through unchanged.
Status ForwardCompute(OpKernelContext* ctx) {
  ctx->set_output_value(0, ctx->input_value(0));
  return OkStatus();
}

// Merge and RefMerge.
OpDefBuilder MergeDef(const char* name, const char* inputs, const char* output) {
  return OpDefBuilder(name)
      .Input(inputs)
      .Output(output)
      .Output("value_index: int32")
      .Attr("T: type")
      .Attr("N: int >= 1");
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
  r->Register(OpDefBuilder("_SwitchN")
                  .Input("data: T")
                  .Input("output_index: int32")
                  .Output("outputs: num_outs * T")
                  .Attr("num_outs: int >= 1")
                  .Attr("T: type"),
              FnKernel(SwitchNCompute));
  r->Register(MergeDef("Merge", "inputs: N * T", "output: T"), FnKernel(MergeCompute));
  r->Register(MergeDef("RefMerge", "inputs: Ref(N * T)", "output: Ref(T)"),
              FnKernel(MergeCompute));
  for (const char* name : {"Enter", "RefEnter"}) {
    const bool ref = name[0] == 'R';
    r->Register(OpDefBuilder(name)
                    .Input(ref ? "data: Ref(T)" : "data: T")
                    .Output(ref ? "output: Ref(T)" : "output: T")
                    .Attr("T: type")
                    .Attr("frame_name: string")
                    .Attr("is_constant: bool = false")
                    .Attr("parallel_iterations: int = 10"),
                FnKernel(ForwardCompute));
  }
  for (const char* name : {"Exit", "RefExit", "NextIteration", "RefNextIteration"}) {
    const bool ref = name[0] == 'R';
    r->Register(OpDefBuilder(name)
                    .Input(ref ? "data: Ref(T)" : "data: T")
                    .Output(ref ? "output: Ref(T)" : "output: T")
                    .Attr("T: type"),
                FnKernel(ForwardCompute));
  }
  r->Register(OpDefBuilder("LoopCond").Input("input: bool").Output("output: bool"),
              FnKernel(ForwardCompute));
}

}  // namespace tfckpt::graph
