#include "src/graph/session.h"

#include <map>

namespace tfckpt::graph {
namespace {

// numpy's repr of a shape: "()", "(3,)", "(2, 3)".
std::string NumpyShape(const tensor::TensorShape& s) {
  std::string out = "(";
  for (int i = 0; i < s.rank(); ++i) out += StrCat(i > 0 ? ", " : "", s.dim(i));
  if (s.rank() == 1) out += ",";
  return out + ")";
}

}  // namespace

std::string InputString(const TensorName& t) {
  return t.index == 0 ? t.node : t.ToString();
}

Session::Session(std::unique_ptr<Graph> graph, const SessionOptions& options)
    : graph_(std::move(graph)) {
  kernel_options_.env = options.env != nullptr ? options.env : io::Env::Default();
  kernel_options_.max_tensor_bytes = options.max_tensor_bytes;
  kernel_options_.max_loop_iterations = options.max_loop_iterations;
  kernel_options_.proto = options.proto;
  kernels_.resize(graph_->num_nodes());
  flow_ = std::make_unique<FlowGraph>(*graph_);
}

StatusOr<std::unique_ptr<Session>> Session::Create(const tensorflow::GraphDef& graph_def,
                                                   const SessionOptions& options) {
  TFCKPT_ASSIGN_OR_RETURN(std::unique_ptr<Graph> graph, Graph::Build(graph_def, options.graph));
  return Create(std::move(graph), options);
}

StatusOr<std::unique_ptr<Session>> Session::Create(std::unique_ptr<Graph> graph,
                                                   const SessionOptions& options) {
  if (graph == nullptr) return InvalidArgumentError("Session::Create: null graph");
  return std::unique_ptr<Session>(new Session(std::move(graph), options));
}

Status Session::AdoptVariablesFrom(Session* other) {
  if (other == nullptr || other == this) {
    return InvalidArgumentError("AdoptVariablesFrom: needs another session");
  }
  std::scoped_lock lock(mu_, other->mu_);
  state_.AdoptFrom(&other->state_);
  // Its kernels cache the variables they created (VariableV2).
  for (auto& k : other->kernels_) k.reset();
  return OkStatus();
}

StatusOr<OpKernel*> Session::GetKernel(const Node& node) {
  std::unique_ptr<OpKernel>& slot = kernels_[node.id()];
  if (slot == nullptr) {
    if (node.registration() == nullptr) {
      return NotFoundError(StrCat("Op type not registered '", node.op(),
                                  "' in tfckpt's graph engine"));
    }
    TFCKPT_ASSIGN_OR_RETURN(slot, node.registration()->kernel(node, kernel_options_));
  }
  return slot.get();
}

// Reads reference inputs (a node that allows uninitialized inputs excepted,
// an uninitialized one is TF's FailedPrecondition), checks input and output
// types against the node's signature and runs the kernel.
Status Session::RunKernel(const Node& node, std::vector<Value> inputs,
                          std::vector<Value>* outputs) {
  const bool allows_uninitialized =
      node.op_def() != nullptr && node.op_def()->allows_uninitialized_input();
  for (int k = 0; k < node.num_inputs(); ++k) {
    Value& v = inputs[k];
    if (v.dead) continue;  // a Merge's untaken input
    if (v.ref != nullptr && !node.input_type(k).ref) {
      if (!v.ref->initialized && !allows_uninitialized) {
        return AtNode(FailedPreconditionError(StrCat("Attempting to use uninitialized value ",
                                                     node.requested_input(k))),
                      node);
      }
      v = Value{v.ref->value, nullptr, nullptr};
    }
    // Kernels trust their declared input types; values from unregistered
    // ops (fed, or never produced) are checked here instead of crashing.
    if (node.registration() != nullptr && !ValueHasType(v, node.input_type(k))) {
      return AtNode(InvalidArgumentError(StrCat("Input ", k, " of node ", node.name(),
                                                " was passed ", ValueTypeString(v), " from ",
                                                node.requested_input(k),
                                                " incompatible with expected ",
                                                node.input_type(k).DebugString(), ".")),
                    node);
    }
  }
  auto kernel = GetKernel(node);
  if (!kernel.ok()) return AtNode(kernel.status(), node);
  OpKernelContext ctx(node, std::move(inputs), &state_, kernel_options_);
  Status s = (*kernel)->Compute(&ctx);
  if (!s.ok()) return AtNode(s, node);
  std::vector<Value>& out = ctx.outputs();
  for (int i = 0; i < node.num_outputs() && node.registration() != nullptr; ++i) {
    if (out[i].dead) continue;
    if (!ValueHasType(out[i], node.output_type(i))) {
      return AtNode(InternalError(StrCat("kernel ", node.op(), " did not produce output ", i,
                                         " of type ", node.output_type(i).DebugString())),
                    node);
    }
  }
  *outputs = std::move(out);
  return OkStatus();
}

StatusOr<std::vector<tensor::Tensor>> Session::Run(const std::vector<Feed>& feeds,
                                                   const std::vector<std::string>& fetches,
                                                   const std::vector<std::string>& targets) {
  std::vector<tensor::Tensor> out;
  TFCKPT_RETURN_IF_ERROR(Run(feeds, fetches, targets, &out));
  return out;
}

Status Session::Run(const std::vector<Feed>& feeds, const std::vector<std::string>& fetches,
                    const std::vector<std::string>& targets,
                    std::vector<tensor::Tensor>* outputs) {
  std::lock_guard<std::mutex> lock(mu_);
  const Graph& g = *graph_;
  if (outputs == nullptr && !fetches.empty()) {
    return InvalidArgumentError("Session::Run: fetches given but no outputs vector");
  }

  // Feeds.
  std::map<OutputKey, Value> fed;
  for (const auto& [name, value] : feeds) {
    auto t = ParseTensorName(name);
    const Node* node = t.ok() && !t->control() ? g.FindNode(t->node) : nullptr;
    if (node == nullptr) {
      return NotFoundError(StrCat("FeedInputs: unable to find feed output ", name));
    }
    if (node->registration() == nullptr) {
      // An op the engine lacks: its outputs are untyped; the fed value
      // stands in for it (consumers check what they get).
      if (!fed.emplace(OutputKey{node->id(), t->index}, Value{value, nullptr, nullptr}).second) {
        return InvalidArgumentError(StrCat(t->ToString(), " is fed more than once"));
      }
      continue;
    }
    if (t->index >= node->num_outputs()) {
      return InvalidArgumentError(StrCat("FeedInputs: unable to find feed output ", name,
                                         " (node ", node->name(), " has ", node->num_outputs(),
                                         " outputs)"));
    }
    const EdgeType& type = node->output_type(t->index);
    if (type.ref) {
      return InvalidArgumentError(StrCat("Cannot feed ", t->ToString(), ": it is a reference (",
                                         type.DebugString(), "); tfckpt does not feed variables"));
    }
    if (type.dtype == tensorflow::DT_RESOURCE) {
      return InvalidArgumentError(StrCat("Cannot feed the resource handle ", t->ToString()));
    }
    if (node->registration() != nullptr && value.dtype() != type.dtype) {
      return InvalidArgumentError(StrCat("Type mismatch: actual ",
                                         tensor::DataTypeName(value.dtype()), " vs. expect ",
                                         tensor::DataTypeName(type.dtype), " (feed ",
                                         t->ToString(), ")"));
    }
    if (node->op() == "Placeholder" || node->op() == "PlaceholderWithDefault") {
      TFCKPT_ASSIGN_OR_RETURN(PartialShape shape, node->AttrShape("shape"));
      const bool legacy_unknown = node->op() == "Placeholder" && g.producer() <= 21 &&
                                  !shape.unknown_rank() && shape.dims().empty();
      if (!legacy_unknown && !shape.IsCompatibleWith(value.shape())) {
        return InvalidArgumentError(StrCat("Cannot feed value of shape ", NumpyShape(value.shape()),
                                           " for Tensor ", t->ToString(), ", which has shape ",
                                           shape.PythonString()));
      }
    }
    if (!fed.emplace(OutputKey{node->id(), t->index}, Value{value, nullptr, nullptr}).second) {
      return InvalidArgumentError(StrCat(t->ToString(), " is fed more than once"));
    }
  }

  // Fetches and targets.
  std::vector<OutputKey> fetch_keys;
  std::vector<std::string> fetch_names;
  std::vector<int> stack;
  for (const std::string& name : fetches) {
    auto t = ParseTensorName(name);
    const Node* node = t.ok() && !t->control() ? g.FindNode(t->node) : nullptr;
    if (node == nullptr) return NotFoundError(StrCat("FetchOutputs node ", name, ": not found"));
    // (An op the engine lacks has no known outputs: reported below, with
    // every other missing op this run needs.)
    if (node->registration() != nullptr && t->index >= node->num_outputs()) {
      return InvalidArgumentError(StrCat("FetchOutputs node ", name, ": output index ", t->index,
                                         " out of range, node ", node->name(), " has ",
                                         node->num_outputs(), " outputs"));
    }
    fetch_keys.push_back({node->id(), t->index});
    fetch_names.push_back(InputString(*t));
    if (fed.count(fetch_keys.back()) == 0) stack.push_back(node->id());
  }
  std::string missing;
  for (const std::string& name : targets) {
    const Node* node = g.FindNode(!name.empty() && name[0] == '^' ? name.substr(1) : name);
    if (node == nullptr) {
      missing += StrCat(missing.empty() ? "" : ", ", name);
      continue;
    }
    stack.push_back(node->id());
  }
  if (!missing.empty()) {
    return NotFoundError(StrCat("PruneForTargets: Some target nodes not found: ", missing));
  }

  // What must run: everything the fetches and targets reach, stopping at feeds.
  std::vector<char> needed(g.num_nodes(), 0);
  while (!stack.empty()) {
    const int id = stack.back();
    stack.pop_back();
    if (needed[id]) continue;
    needed[id] = 1;
    const Node& n = g.node(id);
    for (const Edge& e : n.inputs()) {
      if (fed.count({e.node, e.index}) == 0 && !needed[e.node]) stack.push_back(e.node);
    }
    for (int c : n.control_inputs()) {
      if (!needed[c]) stack.push_back(c);
    }
  }

  // Every op this run needs that the engine lacks, in one message.
  std::map<std::string, std::vector<std::string>> missing_ops;
  for (int id = 0; id < g.num_nodes(); ++id) {
    if (needed[id] && g.node(id).registration() == nullptr) {
      missing_ops[g.node(id).op()].push_back(g.node(id).name());
    }
  }
  if (!missing_ops.empty()) {
    const auto& [op, nodes] = *missing_ops.begin();
    return AtNode(NotFoundError(StrCat("Op type not registered '", op,
                                       "' in tfckpt's graph engine; this run needs ",
                                       MissingOpsText(missing_ops))),
                  *g.FindNode(nodes[0]));
  }

  // Frames: every node a run needs must sit in a well-formed frame; fed and
  // fetched tensors must be outside loops.
  for (int id = 0; id < g.num_nodes(); ++id) {
    if (needed[id] && !flow_->error(id).empty()) {
      return InvalidArgumentError(flow_->error(id));
    }
  }
  for (const auto& [key, value] : fed) {
    if (flow_->output_frame(key.first) != 0) {
      return InvalidArgumentError(StrCat("Cannot feed ", g.node(key.first).name(), ":", key.second,
                                         ": it is inside the ",
                                         flow_->FrameName(flow_->output_frame(key.first)),
                                         " (tfckpt feeds tensors outside while loops only)"));
    }
  }
  std::vector<OutputKey> wanted;
  for (size_t i = 0; i < fetch_keys.size(); ++i) {
    if (fed.count(fetch_keys[i]) > 0) continue;
    if (flow_->output_frame(fetch_keys[i].first) != 0) {
      return InvalidArgumentError(StrCat("Cannot fetch ", fetches[i], ": it is inside the ",
                                         flow_->FrameName(flow_->output_frame(fetch_keys[i].first)),
                                         "; fetch what the loop's Exit nodes output"));
    }
    wanted.push_back(fetch_keys[i]);
  }

  // Execute (executor.h: deadness, frames and iterations).
  ExecuteParams params;
  params.flow = flow_.get();
  params.needed = &needed;
  params.fed = &fed;
  params.max_loop_iterations = kernel_options_.max_loop_iterations;
  params.run_kernel = [this](const Node& node, std::vector<Value> inputs,
                             std::vector<Value>* out) {
    return RunKernel(node, std::move(inputs), out);
  };
  std::map<OutputKey, Value> values;
  int executed = 0;
  TFCKPT_RETURN_IF_ERROR(Execute(params, wanted, &values, &executed));

  // Results.
  if (outputs != nullptr) outputs->clear();
  for (size_t i = 0; i < fetch_keys.size(); ++i) {
    auto f = fed.find(fetch_keys[i]);
    const Value* found = nullptr;
    if (f != fed.end()) {
      found = &f->second;
    } else if (auto c = values.find(fetch_keys[i]); c != values.end()) {
      found = &c->second;
    } else {
      return InternalError(StrCat("Fetch ", fetches[i], " was never computed"));
    }
    const Value& v = *found;
    if (v.dead) {
      // DirectSession's text for a fetch with no value (call frame retval i).
      return InvalidArgumentError(StrCat("Retval[", i, "] does not have value"));
    }
    if (v.handle != nullptr) {
      return UnimplementedError(StrCat("Fetching the resource handle ", fetches[i],
                                       " is not supported by tfckpt; fetch a ReadVariableOp"));
    }
    if (v.list != nullptr) {
      return UnimplementedError(StrCat("Fetching the variant (TensorList) ", fetches[i],
                                       " is not supported by tfckpt; fetch a TensorListStack"));
    }
    if (v.ref != nullptr) {
      if (!v.ref->initialized) {
        return FailedPreconditionError(StrCat("Attempting to use uninitialized value ",
                                              fetch_names[i]));
      }
      outputs->push_back(v.ref->value);
    } else {
      outputs->push_back(v.tensor);
    }
  }
  last_run_node_count_ = executed;
  return OkStatus();
}

Status RestoreFromSaverDef(Session* session, const tensorflow::SaverDef& saver,
                           const std::string& prefix) {
  if (saver.filename_tensor_name().empty() || saver.restore_op_name().empty()) {
    return InvalidArgumentError("SaverDef lacks filename_tensor_name or restore_op_name");
  }
  return session->Run({{saver.filename_tensor_name(), tensor::Tensor::FromStrings({}, {prefix})}},
                      {}, {saver.restore_op_name()}, nullptr);
}

StatusOr<std::string> SaveWithSaverDef(Session* session, const tensorflow::SaverDef& saver,
                                       const std::string& prefix) {
  if (saver.filename_tensor_name().empty() || saver.save_tensor_name().empty()) {
    return InvalidArgumentError("SaverDef lacks filename_tensor_name or save_tensor_name");
  }
  TFCKPT_ASSIGN_OR_RETURN(
      std::vector<tensor::Tensor> out,
      session->Run({{saver.filename_tensor_name(), tensor::Tensor::FromStrings({}, {prefix})}},
                   {saver.save_tensor_name()}));
  if (!out[0].is_string() || out[0].num_elements() != 1) {
    return InternalError(StrCat(saver.save_tensor_name(), " is not a string scalar"));
  }
  return out[0].strings()[0];
}

}  // namespace tfckpt::graph
