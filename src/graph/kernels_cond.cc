// TF2 functional conditionals (tensorflow/core/ops/functional_ops.cc,
// kernels/functional_ops.cc): If / StatelessIf run `then_branch` or
// `else_branch` of the graph's library on inputs 1.. as the truth of input 0
// (TF's ToBool: a nonzero scalar, a non-empty string, a non-empty tensor);
// Case / StatelessCase run `branches[branch_index]`, and an index out of
// range (negative too) runs the last branch, as TF's CaseOp does. What
// `tf.cond` / `tf.switch_case` build inside a tf.function.
//
// Every branch is instantiated when the node's kernel is made (TF's IfOp
// instantiates both), and each branch's signature must take Tin and return
// Tout: a mismatch fails naming the node, the branch and both type lists.
// `output_shapes` is not checked (TF uses it for shape inference only).
#include "src/graph/function_library.h"
#include "src/graph/kernel_util.h"

namespace tfckpt::graph {

namespace {

// The branches of one If / Case node, checked against its Tin and Tout.
class Branches {
 public:
  Status Init(const Node& node, const std::shared_ptr<const FunctionLibrary>& library,
              const std::vector<std::pair<std::string, std::string>>& branches,
              const KernelOptions& options) {
    TFCKPT_ASSIGN_OR_RETURN(std::vector<DataType> tin, node.AttrTypeList("Tin"));
    TFCKPT_ASSIGN_OR_RETURN(std::vector<DataType> tout, node.AttrTypeList("Tout"));
    callers_ = std::vector<FunctionCaller>(branches.size());
    for (size_t i = 0; i < branches.size(); ++i) {
      const auto& [label, name] = branches[i];
      if (name.empty()) {
        return InvalidArgumentError(StrCat(node.op(), " node '", node.name(), "': missing ",
                                           label, " (a function of the graph's library)"));
      }
      TFCKPT_RETURN_IF_ERROR(callers_[i].Init(library, name, options));
      const FunctionLibrary::Body& body = callers_[i].body();
      if (body.arg_types != tin || body.ret_types != tout) {
        return InvalidArgumentError(StrCat(
            node.op(), " node '", node.name(), "': its ", label, " '", name, "' takes (",
            TypesString(body.arg_types), ") and returns ", body.ret_types.size(), " values (",
            TypesString(body.ret_types), "), but the node has Tin (", TypesString(tin),
            ") and expects ", tout.size(), " outputs of Tout (", TypesString(tout), ")"));
      }
    }
    return OkStatus();
  }

  int size() const { return static_cast<int>(callers_.size()); }

  // Runs branch `i` on the kernel's inputs 1.. and sets its outputs.
  Status Run(int i, OpKernelContext* ctx) {
    std::vector<Value> rets;
    TFCKPT_RETURN_IF_ERROR(callers_[i].Call(ctx, InputValues(*ctx, 1), &rets));
    SetOutputValues(ctx, rets);
    return OkStatus();
  }

 private:
  std::vector<FunctionCaller> callers_;
};

class IfOp : public OpKernel {
 public:
  explicit IfOp(std::shared_ptr<const FunctionLibrary> library) : library_(std::move(library)) {}

  Status Init(const Node& node, const KernelOptions& options) override {
    return branches_.Init(node, library_,
                          {{"then_branch", FuncAttr(node, "then_branch")},
                           {"else_branch", FuncAttr(node, "else_branch")}},
                          options);
  }

  Status Compute(OpKernelContext* ctx) override {
    TFCKPT_ASSIGN_OR_RETURN(
        bool cond, ToBool(ctx->input_value(0), StrCat("the cond of If node ", ctx->node().name())));
    return branches_.Run(cond ? 0 : 1, ctx);
  }

 private:
  std::shared_ptr<const FunctionLibrary> library_;
  Branches branches_;
};

class CaseOp : public OpKernel {
 public:
  explicit CaseOp(std::shared_ptr<const FunctionLibrary> library) : library_(std::move(library)) {}

  Status Init(const Node& node, const KernelOptions& options) override {
    std::vector<std::pair<std::string, std::string>> branches;
    if (const tensorflow::AttrValue* list = node.FindAttr("branches")) {
      for (int i = 0; i < list->list().func_size(); ++i) {
        branches.emplace_back(StrCat("branches[", i, "]"), list->list().func(i).name());
      }
    }
    if (branches.empty()) {
      return InvalidArgumentError(StrCat(node.op(), " node '", node.name(),
                                         "': attr 'branches' names no function"));
    }
    return branches_.Init(node, library_, branches, options);
  }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& index = ctx->input(0);
    if (index.shape().rank() != 0) {
      return InvalidArgumentError(StrCat("branch_index must be scalar (", ctx->node().op(),
                                         " node '", ctx->node().name(), "' got shape ",
                                         index.shape().DebugString(), ")"));
    }
    int branch = index.flat<int32_t>()[0];
    if (branch < 0 || branch >= branches_.size()) branch = branches_.size() - 1;
    return branches_.Run(branch, ctx);
  }

 private:
  std::shared_ptr<const FunctionLibrary> library_;
  Branches branches_;
};

}  // namespace

void RegisterCondOps(OpRegistry* r, std::shared_ptr<const FunctionLibrary> library) {
  for (const char* name : {"If", "StatelessIf"}) {
    OpDefBuilder b(name);
    b.Input("cond: Tcond")
        .Input("input: Tin")
        .Output("output: Tout")
        .Attr("Tcond: type")
        .Attr("Tin: list(type) >= 0")
        .Attr("Tout: list(type) >= 0")
        .Attr("then_branch: func")
        .Attr("else_branch: func")
        .Attr("output_shapes: list(shape) = []");
    if (std::string(name) == "If") b.SetIsStateful();
    r->Register(b, LibraryKernel<IfOp>(library));
  }
  for (const char* name : {"Case", "StatelessCase"}) {
    OpDefBuilder b(name);
    b.Input("branch_index: int32")
        .Input("input: Tin")
        .Output("output: Tout")
        .Attr("Tin: list(type) >= 0")
        .Attr("Tout: list(type) >= 0")
        .Attr("branches: list(func) >= 1")
        .Attr("output_shapes: list(shape) = []");
    if (std::string(name) == "Case") b.SetIsStateful();
    r->Register(b, LibraryKernel<CaseOp>(library));
  }
}

}  // namespace tfckpt::graph
