// FunctionLibrary and FunctionCaller (function_library.h).
#include "src/graph/function_library.h"

#include <set>

#include "src/graph/function_body.h"
#include "src/graph/kernel_util.h"
#include "src/graph/serving_ops.h"

namespace tfckpt::graph {

namespace {

constexpr int kMaxCallDepth = 64;
thread_local int call_depth = 0;

Status InFunction(const Status& s, const std::string& function, const Node& node) {
  return Status(s.code(), StrCat(s.message(), "\n\t [[{{function_node ", function, "}}{{node ",
                                 node.name(), "}}]]"));
}

}  // namespace

FunctionLibrary::FunctionLibrary(const tensorflow::FunctionDefLibrary& library,
                                 const OpRegistry* registry)
    : registry_(registry) {
  for (const auto& f : library.function()) defs_.emplace(f.signature().name(), f);
}

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

Status FunctionCaller::Init(const std::shared_ptr<const FunctionLibrary>& library,
                            const std::string& name, const KernelOptions& options) {
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

Status FunctionCaller::Call(OpKernelContext* ctx, std::vector<Value> args, std::vector<Value>* rets) {
  if (call_depth >= kMaxCallDepth) {
    return InvalidArgumentError(StrCat("Function calls nested deeper than ", kMaxCallDepth,
                                       " (recursive function '", body_->name, "'?)"));
  }
  ++call_depth;
  Status s = Run(ctx, std::move(args), rets);
  --call_depth;
  return s;
}

Status FunctionCaller::Run(OpKernelContext* ctx, std::vector<Value> args, std::vector<Value>* rets) {
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

std::string TypesString(const std::vector<DataType>& types) {
  std::string out;
  for (size_t i = 0; i < types.size(); ++i) {
    out += StrCat(i > 0 ? ", " : "", tensor::DataTypeName(types[i]));
  }
  return out;
}

std::string FuncAttr(const Node& node, const char* attr) {
  const tensorflow::AttrValue* f = node.FindAttr(attr);
  return f != nullptr && f->has_func() ? f->func().name() : std::string();
}

std::vector<Value> InputValues(const OpKernelContext& ctx, int first) {
  std::vector<Value> args;
  for (int i = first; i < ctx.num_inputs(); ++i) args.push_back(ctx.input_value(i));
  return args;
}

void SetOutputValues(OpKernelContext* ctx, const std::vector<Value>& rets) {
  for (size_t j = 0; j < rets.size(); ++j) ctx->set_output_value(static_cast<int>(j), rets[j]);
}

StatusOr<bool> ToBool(const Value& v, const std::string& what) {
  const Tensor& t = v.tensor;
  if (v.handle != nullptr || v.list != nullptr || v.ref != nullptr) {
    return InvalidArgumentError(StrCat(what, " is a resource or variant, not a tensor"));
  }
  if (t.shape().rank() > 0) return t.num_elements() > 0;
  switch (t.dtype()) {
    case tensorflow::DT_FLOAT: return t.flat<float>()[0] != 0;
    case tensorflow::DT_DOUBLE: return t.flat<double>()[0] != 0;
    case tensorflow::DT_INT32: return t.flat<int32_t>()[0] != 0;
    case tensorflow::DT_UINT8: return t.flat<uint8_t>()[0] != 0;
    case tensorflow::DT_INT16: return t.flat<int16_t>()[0] != 0;
    case tensorflow::DT_INT8: return t.flat<int8_t>()[0] != 0;
    case tensorflow::DT_INT64: return t.flat<int64_t>()[0] != 0;
    case tensorflow::DT_BOOL: return t.flat<bool>()[0];
    case tensorflow::DT_STRING: return !t.strings()[0].empty();
    default:
      return InvalidArgumentError(
          StrCat(tensor::DataTypeName(t.dtype()), " cannot be converted to a boolean"));
  }
}

}  // namespace tfckpt::graph
