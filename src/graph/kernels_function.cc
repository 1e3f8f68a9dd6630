// Function calls: StatefulPartitionedCall and PartitionedCall
// (tensorflow/core/ops/functional_ops.cc) run a FunctionDef of the graph's
// library, which is how TF2 SavedModels express every signature, their
// restore function and tf.function bodies; While and StatelessWhile run
// a cond and a body function of the library in a loop (TF2 control flow:
// tf.while_loop inside a tf.function, Keras' recurrent layers). How a
// function is instantiated and run: function_library.h; If / Case:
// kernels_cond.cc.
#include "src/graph/function_library.h"
#include "src/graph/kernel_util.h"
#include "src/graph/serving_ops.h"

namespace tfckpt::graph {

namespace {

class CallOp : public OpKernel {
 public:
  explicit CallOp(std::shared_ptr<const FunctionLibrary> library) : library_(std::move(library)) {}

  Status Init(const Node& node, const KernelOptions& options) override {
    const std::string f = FuncAttr(node, "f");
    if (f.empty()) return InvalidArgumentError("missing attr 'f'");
    TFCKPT_RETURN_IF_ERROR(fn_.Init(library_, f, options));
    TFCKPT_ASSIGN_OR_RETURN(std::vector<DataType> tin, node.AttrTypeList("Tin"));
    TFCKPT_ASSIGN_OR_RETURN(std::vector<DataType> tout, node.AttrTypeList("Tout"));
    const FunctionLibrary::Body& body = fn_.body();
    if (tin != body.arg_types || tout != body.ret_types) {
      return InvalidArgumentError(StrCat(
          "Function '", body.name, "' takes (", TypesString(body.arg_types), ") and returns (",
          TypesString(body.ret_types), "), but the call has Tin (", TypesString(tin),
          ") and Tout (", TypesString(tout), ")"));
    }
    return OkStatus();
  }

  Status Compute(OpKernelContext* ctx) override {
    std::vector<Value> rets;
    TFCKPT_RETURN_IF_ERROR(fn_.Call(ctx, InputValues(*ctx), &rets));
    SetOutputValues(ctx, rets);
    return OkStatus();
  }

 private:
  std::shared_ptr<const FunctionLibrary> library_;
  FunctionCaller fn_;
};

// While / StatelessWhile (functional_ops.cc): the loop variables start as
// the inputs; while cond(vars) is true, vars = body(vars); the outputs are
// the final vars. One iteration at a time, in order (TF may overlap
// iterations; values are the same). A loop still running after
// KernelOptions::max_loop_iterations iterations fails (ResourceExhausted)
// instead of hanging: TF has no such bound.
class WhileOp : public OpKernel {
 public:
  explicit WhileOp(std::shared_ptr<const FunctionLibrary> library) : library_(std::move(library)) {}

  Status Init(const Node& node, const KernelOptions& options) override {
    const std::string cond = FuncAttr(node, "cond");
    const std::string body = FuncAttr(node, "body");
    if (cond.empty() || body.empty()) return InvalidArgumentError("missing attr 'cond' or 'body'");
    TFCKPT_RETURN_IF_ERROR(cond_.Init(library_, cond, options));
    TFCKPT_RETURN_IF_ERROR(body_.Init(library_, body, options));
    TFCKPT_ASSIGN_OR_RETURN(std::vector<DataType> types, node.AttrTypeList("T"));
    const FunctionLibrary::Body& c = cond_.body();
    const FunctionLibrary::Body& b = body_.body();
    if (c.arg_types != types || c.ret_types.size() != 1) {
      return InvalidArgumentError(StrCat("While loop condition '", cond, "' takes (",
                                         TypesString(c.arg_types), ") and returns ",
                                         c.ret_types.size(), " values; the loop has T (",
                                         TypesString(types), ") and needs one value"));
    }
    if (b.arg_types != types || b.ret_types != types) {
      return InvalidArgumentError(StrCat("While loop body '", body, "' takes (",
                                         TypesString(b.arg_types), ") and returns (",
                                         TypesString(b.ret_types), "); the loop has T (",
                                         TypesString(types), ")"));
    }
    max_iterations_ = options.max_loop_iterations;
    return OkStatus();
  }

  Status Compute(OpKernelContext* ctx) override {
    std::vector<Value> vars = InputValues(*ctx);
    std::vector<Value> out;
    for (int64_t i = 0;; ++i) {
      TFCKPT_RETURN_IF_ERROR(cond_.Call(ctx, vars, &out));
      TFCKPT_ASSIGN_OR_RETURN(bool more, ToBool(out[0], StrCat("the condition of While loop ", ctx->node().name())));
      if (!more) break;
      if (i >= max_iterations_) {
        return ResourceExhaustedError(StrCat(
            "While loop ", ctx->node().name(), " ran ", max_iterations_,
            " iterations and its condition '", cond_.body().name,
            "' is still true (tfckpt's bound, KernelOptions::max_loop_iterations)"));
      }
      TFCKPT_RETURN_IF_ERROR(body_.Call(ctx, std::move(vars), &out));
      vars = std::move(out);
    }
    SetOutputValues(ctx, vars);
    return OkStatus();
  }

 private:
  std::shared_ptr<const FunctionLibrary> library_;
  FunctionCaller cond_, body_;
  int64_t max_iterations_ = 0;
};

}  // namespace

void RegisterFunctionOps(OpRegistry* r, std::shared_ptr<const FunctionLibrary> library) {
  for (const char* name : {"PartitionedCall", "StatefulPartitionedCall"}) {
    OpDefBuilder b(name);
    b.Input("args: Tin")
        .Output("output: Tout")
        .Attr("Tin: list(type) >= 0")
        .Attr("Tout: list(type) >= 0")
        .Attr("f: func")
        .Attr("config: string = ''")
        .Attr("config_proto: string = ''")
        .Attr("executor_type: string = ''");
    if (std::string(name) == "StatefulPartitionedCall") b.SetIsStateful();
    r->Register(b, LibraryKernel<CallOp>(library));
  }
  for (const char* name : {"While", "StatelessWhile"}) {
    OpDefBuilder b(name);
    b.Input("input: T")
        .Output("output: T")
        .Attr("T: list(type) >= 0")
        .Attr("cond: func")
        .Attr("body: func")
        .Attr("output_shapes: list(shape) = []")
        .Attr("parallel_iterations: int = 10");
    if (std::string(name) == "While") b.SetIsStateful();
    r->Register(b, LibraryKernel<WhileOp>(library));
  }
  RegisterCondOps(r, library);
}

void RegisterLayerOps(OpRegistry* r) {
  RegisterActivationOps(r);
  RegisterPoolOps(r);
  RegisterShapeOps(r);
  RegisterNormOps(r);
  RegisterTf1Ops(r);
  RegisterVolumeOps(r);
  RegisterSequenceOps(r);
  RegisterListOps(r);
  RegisterTensorArrayOps(r);
  RegisterEstimatorOps(r);
  RegisterAttentionOps(r);
}

const OpRegistry& ServingOpRegistry() {
  static const OpRegistry* registry = [] {
    auto* r = new OpRegistry();
    RegisterArrayOps(r);
    RegisterMathOps(r);
    RegisterNnOps(r);
    RegisterStateOps(r);
    RegisterIoOps(r);
    RegisterStringOps(r);
    RegisterRandomOps(r);
    RegisterControlFlowOps(r);
    RegisterParsingOps(r);
    RegisterLookupOps(r);
    RegisterConvOps(r);
    RegisterSliceOps(r);
    RegisterLayerOps(r);
    RegisterFunctionOps(r, nullptr);
    return r;
  }();
  return *registry;
}

std::unique_ptr<OpRegistry> NewServingOpRegistry(const tensorflow::FunctionDefLibrary& library) {
  auto r = std::make_unique<OpRegistry>();
  RegisterArrayOps(r.get());
  RegisterMathOps(r.get());
  RegisterNnOps(r.get());
  RegisterStateOps(r.get());
  RegisterIoOps(r.get());
  RegisterStringOps(r.get());
  RegisterRandomOps(r.get());
  RegisterControlFlowOps(r.get());
  RegisterParsingOps(r.get());
  RegisterLookupOps(r.get());
  RegisterConvOps(r.get());
  RegisterSliceOps(r.get());
  RegisterLayerOps(r.get());
  RegisterFunctionOps(r.get(), std::make_shared<const FunctionLibrary>(library, r.get()));
  return r;
}

}  // namespace tfckpt::graph
