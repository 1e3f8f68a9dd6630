// What the function-calling kernels share (kernels_function.cc: calls and
// While loops; kernels_cond.cc: If and Case): a graph's function library,
// instantiated body by body, and one call site's runner of a body.
//
// A function is instantiated once per library into a Graph (FunctionDef ->
// GraphDef: each input arg becomes a node named after it, node inputs
// "n:out_arg:i" become "n:<flat index>" through the producing op's OpDef,
// function_body.h) built against the same serving registry, so nested calls
// work. Each call site keeps its own kernels for the body (like a
// Session's). A call runs the nodes its return values and control returns
// need plus every stateful node (TF's PruneFunctionBody keeps those), in
// topological order, with the caller's variables (SessionState): resource
// handles pass in and out.
//
// Supported: concrete (monomorphic) functions, i.e. every function TF2
// writes into a SavedModel. Refused with Unimplemented: functions with attrs
// ("$T" placeholders), list-typed arguments, calling a function as an op.
// Errors inside a body carry TF's suffix
// "\n\t [[{{function_node f}}{{node n}}]]" before the caller's.
//
// Internal to src/graph (serving_ops.h is the public face).
#ifndef TFCKPT_GRAPH_FUNCTION_LIBRARY_H_
#define TFCKPT_GRAPH_FUNCTION_LIBRARY_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "proto/function.pb.h"
#include "src/graph/kernel.h"
#include "src/graph/op_registry.h"

namespace tfckpt::graph {

// The library a serving registry's call ops run (see serving_ops.h).
class FunctionLibrary {
 public:
  FunctionLibrary(const tensorflow::FunctionDefLibrary& library, const OpRegistry* registry);

  struct Body {
    std::string name;
    std::unique_ptr<Graph> graph;
    std::vector<int> args;           // node id per input arg
    std::vector<Edge> rets;          // per output arg
    std::vector<char> run;           // nodes a call executes (args excluded)
    std::vector<DataType> arg_types, ret_types;
  };

  // The instantiated body of `name` (built on first use, then shared).
  StatusOr<std::shared_ptr<const Body>> Instantiate(const std::string& name) const;

 private:
  StatusOr<std::shared_ptr<const Body>> Build(const tensorflow::FunctionDef& def) const;

  const OpRegistry* registry_;
  std::map<std::string, tensorflow::FunctionDef> defs_;
  mutable std::mutex mu_;
  mutable std::map<std::string, std::shared_ptr<const Body>> bodies_;
};

// One call site of a function: its instantiated body and the body's kernels
// (created on first use and kept, like a Session's). Call() runs the body
// on `args` with the caller's variables; calls nested deeper than 64 fail
// with InvalidArgument (a function that calls itself).
class FunctionCaller {
 public:
  // NotFound when `library` is null (a registry without a library) or
  // lacks `name`.
  Status Init(const std::shared_ptr<const FunctionLibrary>& library, const std::string& name,
              const KernelOptions& options);

  const FunctionLibrary::Body& body() const { return *body_; }

  Status Call(OpKernelContext* ctx, std::vector<Value> args, std::vector<Value>* rets);

 private:
  Status Run(OpKernelContext* ctx, std::vector<Value> args, std::vector<Value>* rets);

  std::shared_ptr<const FunctionLibrary::Body> body_;
  std::vector<std::unique_ptr<OpKernel>> kernels_;
  const KernelOptions* options_ = nullptr;
};

// "float, int32": a signature's types for error texts.
std::string TypesString(const std::vector<DataType>& types);

// The name of func attr `attr` of `node` ("" when absent or not a func).
std::string FuncAttr(const Node& node, const char* attr);

// The kernel's inputs from `first` on, as call arguments.
std::vector<Value> InputValues(const OpKernelContext& ctx, int first = 0);

// Sets the kernel's outputs to `rets`.
void SetOutputValues(OpKernelContext* ctx, const std::vector<Value>& rets);

// TF's truthiness of a condition (ToBool in functional_ops.cc): a scalar is
// true when nonzero (a string: non-empty), a non-scalar when it has
// elements. Other scalar dtypes fail as TF's "<dtype> cannot be converted to
// a boolean"; `what` names the condition in errors about non-tensors.
StatusOr<bool> ToBool(const Value& v, const std::string& what);

// A kernel factory for K(library) followed by K::Init(node, options).
template <typename K>
KernelFactory LibraryKernel(std::shared_ptr<const FunctionLibrary> library) {
  return [library](const Node& node, const KernelOptions& options)
             -> StatusOr<std::unique_ptr<OpKernel>> {
    auto k = std::make_unique<K>(library);
    TFCKPT_RETURN_IF_ERROR(k->Init(node, options));
    return std::unique_ptr<OpKernel>(std::move(k));
  };
}

// If, StatelessIf, Case, StatelessCase over `library` (kernels_cond.cc).
void RegisterCondOps(OpRegistry* registry, std::shared_ptr<const FunctionLibrary> library);

}  // namespace tfckpt::graph

#endif  // TFCKPT_GRAPH_FUNCTION_LIBRARY_H_
