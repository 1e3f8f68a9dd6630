#include "src/freeze/freeze_v2.h"

#include <map>
#include <set>

#include "src/graph/function_body.h"
#include "src/graph/kernel.h"
#include "src/graph/serving_ops.h"

namespace tfckpt::freeze {
namespace {

constexpr int kMaxInlineDepth = 64;

bool IsCall(const std::string& op) {
  return op == "StatefulPartitionedCall" || op == "PartitionedCall";
}

// The library without the functions no node of `graph` calls, directly or
// through other functions (grappler's output keeps only those).
void PruneLibrary(tensorflow::GraphDef* graph) {
  std::vector<std::string> calls;
  for (const auto& node : graph->node()) graph::AppendCalledFunctions(node, &calls);
  std::set<std::string> used;
  for (const tensorflow::FunctionDef* f : graph::ReachableFunctions(graph->library(), calls)) {
    used.insert(f->signature().name());
  }
  tensorflow::FunctionDefLibrary kept;
  for (const auto& f : graph->library().function()) {
    if (used.count(f.signature().name()) > 0) *kept.add_function() = f;
  }
  for (const auto& g : graph->library().gradient()) {
    if (used.count(g.function_name()) > 0) *kept.add_gradient() = g;
  }
  if (kept.function_size() == 0) {
    graph->clear_library();
  } else {
    *graph->mutable_library() = std::move(kept);
  }
}

// "x" -> "C/x", "x:1" -> "C/x:1", "^x" -> "^C/x".
std::string Prefixed(const std::string& prefix, const std::string& input) {
  if (!input.empty() && input[0] == '^') return StrCat("^", prefix, "/", input.substr(1));
  return StrCat(prefix, "/", input);
}

// The nodes replacing call node `call` (see the header).
Status InlineCall(const tensorflow::NodeDef& call, const tensorflow::FunctionDef& fdef,
                  const graph::OpRegistry& registry, std::vector<tensorflow::NodeDef>* out) {
  TFCKPT_ASSIGN_OR_RETURN(graph::FunctionBodyDef body,
                          graph::FunctionBodyToGraphDef(fdef, registry));
  const std::string& c = call.name();
  std::vector<std::string> data_inputs, control_inputs;
  for (const std::string& in : call.input()) {
    (!in.empty() && in[0] == '^' ? control_inputs : data_inputs).push_back(in);
  }
  if (data_inputs.size() != body.args.size()) {
    return InvalidArgumentError(StrCat("node ", c, " passes ", data_inputs.size(),
                                       " inputs to function '", fdef.signature().name(),
                                       "', which takes ", body.args.size()));
  }
  std::set<std::string> args(body.args.begin(), body.args.end());
  for (size_t i = 0; i < body.args.size(); ++i) {
    tensorflow::NodeDef n;
    n.set_name(StrCat(c, "/", body.args[i]));
    n.set_op("Identity");
    n.add_input(data_inputs[i]);
    for (const std::string& ctl : control_inputs) n.add_input(ctl);
    (*n.mutable_attr())["T"].set_type(body.arg_types[i]);
    out->push_back(std::move(n));
  }
  for (const auto& node : body.graph.node()) {
    if (args.count(node.name()) > 0) continue;  // the arg Placeholders
    tensorflow::NodeDef n = node;
    n.set_name(StrCat(c, "/", node.name()));
    n.clear_device();
    n.clear_input();
    for (const std::string& in : node.input()) n.add_input(Prefixed(c, in));
    if (node.input_size() == 0) {
      for (const std::string& ctl : control_inputs) n.add_input(ctl);
    }
    auto cls = n.mutable_attr()->find("_class");  // colocation names move too
    if (cls != n.mutable_attr()->end()) {
      for (std::string& loc : *cls->second.mutable_list()->mutable_s()) {
        if (loc.rfind("loc:@", 0) == 0) loc = StrCat("loc:@", c, "/", loc.substr(5));
      }
    }
    out->push_back(std::move(n));
  }
  tensorflow::NodeDef result;
  result.set_name(c);
  result.set_op(body.rets.empty() ? "NoOp" : "IdentityN");
  for (const std::string& ret : body.rets) result.add_input(Prefixed(c, ret));
  for (const std::string& node : body.control_rets) result.add_input(StrCat("^", c, "/", node));
  if (body.rets.empty()) {
    for (const std::string& ctl : control_inputs) result.add_input(ctl);
  } else {
    auto* types = (*result.mutable_attr())["T"].mutable_list();
    for (graph::DataType t : body.ret_types) types->add_type(t);
  }
  out->push_back(std::move(result));
  return OkStatus();
}

}  // namespace

StatusOr<tensorflow::GraphDef> InlineFunctionCalls(const tensorflow::GraphDef& graph_def,
                                                   const graph::OpRegistry& registry) {
  std::map<std::string, const tensorflow::FunctionDef*> library;
  for (const auto& f : graph_def.library().function()) library[f.signature().name()] = &f;
  tensorflow::GraphDef graph = graph_def;
  for (int depth = 0;; ++depth) {
    bool any = false;
    std::vector<tensorflow::NodeDef> nodes;
    std::set<std::string> names;
    for (const auto& node : graph.node()) names.insert(node.name());
    for (const auto& node : graph.node()) {
      if (!IsCall(node.op())) {
        nodes.push_back(node);
        continue;
      }
      any = true;
      auto f = node.attr().find("f");
      if (f == node.attr().end() || !f->second.has_func()) {
        return InvalidArgumentError(StrCat("node ", node.name(), " (", node.op(),
                                           ") has no function attr 'f'"));
      }
      auto def = library.find(f->second.func().name());
      if (def == library.end()) {
        return NotFoundError(StrCat("node ", node.name(), " calls function '",
                                    f->second.func().name(),
                                    "', which is not in the graph's function library"));
      }
      const size_t first = nodes.size();
      TFCKPT_RETURN_IF_ERROR(InlineCall(node, *def->second, registry, &nodes));
      for (size_t i = first; i < nodes.size(); ++i) {
        if (nodes[i].name() != node.name() && !names.insert(nodes[i].name()).second) {
          return InvalidArgumentError(StrCat("inlining ", node.name(), " creates node ",
                                             nodes[i].name(), ", which already exists"));
        }
      }
    }
    if (!any) break;
    if (depth == kMaxInlineDepth) {
      return InvalidArgumentError(StrCat("function calls nest deeper than ", kMaxInlineDepth,
                                         " levels (a recursive function?)"));
    }
    graph.clear_node();
    for (auto& n : nodes) *graph.add_node() = std::move(n);
  }
  return graph;
}

StatusOr<tensorflow::GraphDef> ConvertVariablesToConstantsV2(
    const tensorflow::GraphDef& graph_def, const std::vector<std::string>& output_node_names,
    const VariableValueFn& value_of, const FreezeOptions& options) {
  TFCKPT_ASSIGN_OR_RETURN(tensorflow::GraphDef sub, ExtractSubGraph(graph_def, output_node_names));
  TFCKPT_ASSIGN_OR_RETURN(tensorflow::GraphDef calls,
                          InlineFunctionCalls(sub, graph::ServingOpRegistry()));
  // Body nodes no output needs go (grappler prunes inlined bodies too).
  TFCKPT_ASSIGN_OR_RETURN(tensorflow::GraphDef inlined, ExtractSubGraph(calls, output_node_names));
  std::vector<int> vars;
  std::vector<tensor::Tensor> values;
  for (int i = 0; i < inlined.node_size(); ++i) {
    const auto& n = inlined.node(i);
    if (n.op() != "VarHandleOp" || !SelectedVariable(n.name(), options)) continue;
    TFCKPT_ASSIGN_OR_RETURN(tensor::Tensor value, value_of(n));
    vars.push_back(i);
    values.push_back(std::move(value));
  }
  std::vector<std::string> others;
  TFCKPT_ASSIGN_OR_RETURN(tensorflow::GraphDef out,
                          ReplaceVariables(inlined, vars, values, &others));
  if (!others.empty()) {
    return UnimplementedError(StrCat(
        "cannot freeze: ", others.front(), others.size() > 1 ? StrCat(" and ", others.size() - 1,
                                                                       " more nodes") : "",
        " use a variable other than by reading it (ReadVariableOp); a frozen graph holds "
        "constants"));
  }
  PruneLibrary(&out);
  return out;
}

StatusOr<tensor::Tensor> ResourceVariableValue(const graph::Session& session,
                                               const tensorflow::NodeDef& node) {
  auto attr = [&](const char* name) {
    auto it = node.attr().find(name);
    return it == node.attr().end() ? std::string() : it->second.s();
  };
  std::string container = attr("container");
  if (container.empty()) container = graph::SessionState::kDefaultContainer;
  const std::string key = StrCat(container, "/", attr("shared_name"));
  const auto& vars = session.state().resource_variables();
  auto it = vars.find(key);
  if (it == vars.end() || it->second->value.dtype() == tensorflow::DT_INVALID) {
    return FailedPreconditionError(StrCat(
        "variable ", node.name(), " (resource ", key,
        ") holds no value: the checkpoint did not restore it"));
  }
  return it->second->value;
}

}  // namespace tfckpt::freeze
