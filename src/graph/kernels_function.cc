// Function calls: StatefulPartitionedCall and PartitionedCall
// (tensorflow/core/ops/functional_ops.cc) run a FunctionDef of the graph's
// library, which is how TF2 SavedModels express every signature, their
// restore function and tf.function bodies; While and StatelessWhile run
// a cond and a body function of the library in a loop (TF2 control flow:
// tf.while_loop inside a tf.function, Keras' recurrent layers).
//
// A function is instantiated once per library into a Graph (FunctionDef ->
// GraphDef: each input arg becomes a node named after it, node inputs
// "n:out_arg:i" become "n:<flat index>" through the producing op's OpDef)
// (function_body.h) built against the same serving registry, so nested calls work. Each call
// site keeps its own kernels for the body (like a Session's). A call runs the
// nodes its return values and control returns need plus every stateful node
// (TF's PruneFunctionBody keeps those), in topological order, with the
// caller's variables (SessionState): resource handles pass in and out.
//
// Supported: concrete (monomorphic) functions, i.e. every function TF2
// writes into a SavedModel. Refused with Unimplemented: functions with attrs
// ("$T" placeholders), list-typed arguments, calling a function as an op.
// Errors inside a body carry TF's suffix
// "\n\t [[{{function_node f}}{{node n}}]]" before the caller's.
#include <map>
#include <mutex>
#include <set>

#include "src/graph/function_body.h"
#include "src/graph/kernel_util.h"
#include "src/graph/serving_ops.h"

namespace tfckpt::graph {

// The library a serving registry's call ops run (see serving_ops.h).
class FunctionLibrary {
 public:
  FunctionLibrary(const tensorflow::FunctionDefLibrary& library, const OpRegistry* registry)
      : registry_(registry) {
    for (const auto& f : library.function()) defs_.emplace(f.signature().name(), f);
  }

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

namespace {

constexpr int kMaxCallDepth = 64;
thread_local int call_depth = 0;

}  // namespace

StatusOr<std::shared_ptr<const FunctionLibrary::Body>> FunctionLibrary::Instantiate(
    const std::string& name) const {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = bodies_.find(name);
    if (it != bodies_.end()) return it->second;
  }
  auto def = defs_.find(name);
  if (def == defs_.end()) {
    return NotFoundError(StrCat("Function '", name, "' is not in the graph's function library"));
  }
  TFCKPT_ASSIGN_OR_RETURN(std::shared_ptr<const Body> body, Build(def->second));
  std::lock_guard<std::mutex> lock(mu_);
  return bodies_.emplace(name, std::move(body)).first->second;
}

StatusOr<std::shared_ptr<const FunctionLibrary::Body>> FunctionLibrary::Build(
    const tensorflow::FunctionDef& fdef) const {
  const std::string& fname = fdef.signature().name();
  auto fail = [&](StatusCode code, const std::string& what) {
    return Status(code, StrCat("Function '", fname, "': ", what));
  };
  auto body = std::make_shared<Body>();
  body->name = fname;
  // Every op of the body the engine lacks, in one message.
  std::map<std::string, std::vector<std::string>> missing;
  for (const auto& n : fdef.node_def()) {
    if (registry_->Find(n.op()) == nullptr && defs_.count(n.op()) == 0) {
      missing[n.op()].push_back(n.name());
    }
  }
  if (!missing.empty()) {
    return fail(StatusCode::kNotFound,
                StrCat("Op type not registered '", missing.begin()->first,
                       "' in tfckpt's graph engine; ", MissingOpsText(missing)));
  }
  for (const auto& n : fdef.node_def()) {
    if (defs_.count(n.op()) > 0) {
      return fail(StatusCode::kUnimplemented,
                  StrCat("node '", n.name(), "' calls function '", n.op(),
                         "' as an op; tfckpt runs functions through (Stateful)PartitionedCall"));
    }
  }
  TFCKPT_ASSIGN_OR_RETURN(FunctionBodyDef def, FunctionBodyToGraphDef(fdef, *registry_));
  GraphOptions options;
  options.registry = registry_;
  auto graph = Graph::Build(def.graph, options);
  if (!graph.ok()) return graph.status().WithContext(StrCat("Function '", fname, "'"));
  body->graph = std::move(*graph);
  const Graph& graph_ref = *body->graph;
  for (const std::string& arg : def.args) body->args.push_back(graph_ref.FindNode(arg)->id());
  body->arg_types = def.arg_types;
  body->ret_types = def.ret_types;
  std::vector<int> stack;
  for (const std::string& ret : def.rets) {
    TFCKPT_ASSIGN_OR_RETURN(TensorName t, ParseTensorName(ret));
    const Node* src = graph_ref.FindNode(t.node);
    if (src == nullptr || t.control() || t.index >= src->num_outputs()) {
      return fail(StatusCode::kInvalidArgument, StrCat("bad ret '", ret, "'"));
    }
    body->rets.push_back({src->id(), t.index});
    stack.push_back(src->id());
  }
  for (const std::string& node : def.control_rets) stack.push_back(graph_ref.FindNode(node)->id());
  for (int id = 0; id < graph_ref.num_nodes(); ++id) {
    const Node& n = graph_ref.node(id);
    if (n.op_def() != nullptr && n.op_def()->is_stateful()) stack.push_back(id);
  }
  body->run.assign(graph_ref.num_nodes(), 0);
  while (!stack.empty()) {
    const int id = stack.back();
    stack.pop_back();
    if (body->run[id]) continue;
    body->run[id] = 1;
    const Node& n = graph_ref.node(id);
    for (const Edge& e : n.inputs()) stack.push_back(e.node);
    for (int c : n.control_inputs()) stack.push_back(c);
  }
  for (int a : body->args) body->run[a] = 0;
  return std::shared_ptr<const Body>(std::move(body));
}

namespace {

Status InFunction(const Status& s, const std::string& function, const Node& node) {
  return Status(s.code(), StrCat(s.message(), "\n\t [[{{function_node ", function, "}}{{node ",
                                 node.name(), "}}]]"));
}

std::string TypesString(const std::vector<DataType>& types) {
  std::string out;
  for (size_t i = 0; i < types.size(); ++i) {
    out += StrCat(i > 0 ? ", " : "", tensor::DataTypeName(types[i]));
  }
  return out;
}

// One call site of a function: its instantiated body and the body's kernels
// (created on first use and kept, like a Session's). Call() runs the body
// on `args` with the caller's variables.
class FunctionCaller {
 public:
  Status Init(const std::shared_ptr<const FunctionLibrary>& library, const std::string& name,
              const KernelOptions& options) {
    if (library == nullptr) {
      return NotFoundError(StrCat("Function '", name,
                                  "' cannot run: the graph was loaded without its function "
                                  "library (use src/saved_model's loaders)"));
    }
    TFCKPT_ASSIGN_OR_RETURN(body_, library->Instantiate(name));
    kernels_.resize(body_->graph->num_nodes());
    options_ = &options;
    return OkStatus();
  }

  const FunctionLibrary::Body& body() const { return *body_; }

  Status Call(OpKernelContext* ctx, std::vector<Value> args, std::vector<Value>* rets) {
    if (call_depth >= kMaxCallDepth) {
      return InvalidArgumentError(StrCat("Function calls nested deeper than ", kMaxCallDepth,
                                         " (recursive function '", body_->name, "'?)"));
    }
    ++call_depth;
    Status s = Run(ctx, std::move(args), rets);
    --call_depth;
    return s;
  }

 private:
  Status Run(OpKernelContext* ctx, std::vector<Value> args, std::vector<Value>* rets) {
    const Graph& g = *body_->graph;
    std::vector<std::vector<Value>> values(g.num_nodes());
    for (size_t i = 0; i < body_->args.size(); ++i) values[body_->args[i]] = {std::move(args[i])};
    for (int id : g.topological_order()) {
      if (!body_->run[id]) continue;
      const Node& node = g.node(id);
      const bool allows_uninitialized =
          node.op_def() != nullptr && node.op_def()->allows_uninitialized_input();
      std::vector<Value> inputs(node.num_inputs());
      for (int k = 0; k < node.num_inputs(); ++k) {
        const Edge& e = node.input(k);
        Value v = values[e.node][e.index];
        if (v.ref != nullptr && !node.input_type(k).ref) {
          if (!v.ref->initialized && !allows_uninitialized) {
            return InFunction(FailedPreconditionError(StrCat(
                                  "Attempting to use uninitialized value ", node.requested_input(k))),
                              body_->name, node);
          }
          v = Value{v.ref->value, nullptr, nullptr};
        }
        const EdgeType& want = node.input_type(k);
        if (!ValueHasType(v, want)) {
          return InFunction(InvalidArgumentError(StrCat(
                                "Input ", k, " of node ", node.name(), " was passed ",
                                ValueTypeString(v), " from ", node.requested_input(k),
                                " incompatible with expected ", want.DebugString(), ".")),
                            body_->name, node);
        }
        inputs[k] = std::move(v);
      }
      std::unique_ptr<OpKernel>& kernel = kernels_[id];
      if (kernel == nullptr) {
        auto k = node.registration()->kernel(node, *options_);
        if (!k.ok()) return InFunction(k.status(), body_->name, node);
        kernel = std::move(*k);
      }
      OpKernelContext sub(node, std::move(inputs), ctx->state(), ctx->options());
      Status s = kernel->Compute(&sub);
      if (!s.ok()) return InFunction(s, body_->name, node);
      std::vector<Value>& out = sub.outputs();
      for (int i = 0; i < node.num_outputs(); ++i) {
        const EdgeType& want = node.output_type(i);
        if (!ValueHasType(out[i], want)) {
          return InFunction(InternalError(StrCat("kernel ", node.op(), " did not produce output ",
                                                 i, " of type ", want.DebugString())),
                            body_->name, node);
        }
      }
      values[id] = std::move(out);
    }
    rets->clear();
    for (const Edge& r : body_->rets) {
      Value v = values[r.node][r.index];
      if (v.ref != nullptr) {
        if (!v.ref->initialized) {
          return FailedPreconditionError(StrCat("Attempting to use uninitialized value ",
                                                g.node(r.node).name(), " (returned by function '",
                                                body_->name, "')"));
        }
        v = Value{v.ref->value, nullptr, nullptr};
      }
      rets->push_back(std::move(v));
    }
    return OkStatus();
  }

  std::shared_ptr<const FunctionLibrary::Body> body_;
  std::vector<std::unique_ptr<OpKernel>> kernels_;
  const KernelOptions* options_ = nullptr;
};

std::string FuncAttr(const Node& node, const char* attr) {
  const tensorflow::AttrValue* f = node.FindAttr(attr);
  return f != nullptr && f->has_func() ? f->func().name() : std::string();
}

std::vector<Value> InputValues(const OpKernelContext& ctx) {
  std::vector<Value> args;
  for (int i = 0; i < ctx.num_inputs(); ++i) args.push_back(ctx.input_value(i));
  return args;
}

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
    for (size_t j = 0; j < rets.size(); ++j) ctx->set_output_value(static_cast<int>(j), rets[j]);
    return OkStatus();
  }

 private:
  std::shared_ptr<const FunctionLibrary> library_;
  FunctionCaller fn_;
};

// TF's truthiness of a loop condition (tensorflow/core/framework/tensor_util
// ToBool in functional_ops.cc): a scalar is true when nonzero (a string:
// non-empty), a non-scalar when it has elements.
StatusOr<bool> ToBool(const Value& v) {
  const Tensor& t = v.tensor;
  if (v.handle != nullptr || v.list != nullptr || v.ref != nullptr) {
    return InvalidArgumentError("the condition of a While loop returned a resource or variant");
  }
  if (t.shape().rank() > 0) return t.num_elements() > 0;
  if (t.dtype() == tensorflow::DT_STRING) return !t.strings()[0].empty();
  bool truth = false;
  TFCKPT_RETURN_IF_ERROR(Dispatch<kRealTypes | kBoolType>(
      t.dtype(), "the condition of a While loop", [&](auto tag) -> Status {
        using T = typename decltype(tag)::type;
        truth = t.flat<T>()[0] != T(0);
        return OkStatus();
      }));
  return truth;
}

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
      TFCKPT_ASSIGN_OR_RETURN(bool more, ToBool(out[0]));
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
    for (size_t j = 0; j < vars.size(); ++j) ctx->set_output_value(static_cast<int>(j), vars[j]);
    return OkStatus();
  }

 private:
  std::shared_ptr<const FunctionLibrary> library_;
  FunctionCaller cond_, body_;
  int64_t max_iterations_ = 0;
};

template <typename K>
KernelFactory LibraryKernel(std::shared_ptr<const FunctionLibrary> library) {
  return [library](const Node& node, const KernelOptions& options)
             -> StatusOr<std::unique_ptr<OpKernel>> {
    auto k = std::make_unique<K>(library);
    TFCKPT_RETURN_IF_ERROR(k->Init(node, options));
    return std::unique_ptr<OpKernel>(std::move(k));
  };
}

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
