#include "src/check/graph_check.h"

#include <map>
#include <set>
#include <vector>

#include "src/graph/function_body.h"
#include "src/graph/serving_ops.h"
#include "src/tensor/tensor_proto.h"

namespace tfckpt::check {
namespace {

// Const values are decoded to check them; one that would expand past this
// (a broadcast of a few bytes to a huge shape) is left unchecked rather
// than allocated: the validator's cost follows the bytes on disk.
constexpr uint64_t kMaxConstBytes = uint64_t{64} << 20;

void AddGraph(Report* r, const std::string& file, std::string message) {
  r->Add(Defect{DefectCode::kBadGraph, file, std::nullopt, "", std::move(message)});
}

void CheckConst(const tensorflow::NodeDef& node, const std::string& file, const std::string& where,
                Report* r) {
  auto value = node.attr().find("value");
  auto dtype = node.attr().find("dtype");
  if (value == node.attr().end() || dtype == node.attr().end() || !value->second.has_tensor()) {
    return;  // Graph::Build names a missing or mistyped attr
  }
  const tensorflow::TensorProto& proto = value->second.tensor();
  if (!tensor::IsProtoCodableDataType(proto.dtype())) return;  // variant, resource: opaque
  tensor::TensorProtoOptions options;
  options.max_broadcast_bytes = kMaxConstBytes;
  auto t = tensor::TensorFromProto(proto, options);
  if (!t.ok()) {
    if (t.status().code() == StatusCode::kResourceExhausted) return;
    AddGraph(r, file, StrCat(where, ": node '", node.name(), "' (Const): value does not decode: ",
                             t.status().message()));
    return;
  }
  if (t->dtype() != dtype->second.type()) {
    AddGraph(r, file, StrCat(where, ": node '", node.name(), "' (Const): value is ",
                             tensor::DataTypeName(t->dtype()), " but attr dtype is ",
                             tensor::DataTypeName(dtype->second.type())));
  }
}

// "node", "node:out:i", "^node", "arg": the name before the first ':'.
std::string BodyInputName(const std::string& input) {
  const size_t start = !input.empty() && input[0] == '^' ? 1 : 0;
  return input.substr(start, input.find(':') - start);
}

void CheckFunctionBodies(const tensorflow::FunctionDefLibrary& lib, const std::string& file,
                         const std::string& where, Report* r) {
  std::set<std::string> seen;
  for (const auto& f : lib.function()) {
    const std::string& fname = f.signature().name();
    if (!seen.insert(fname).second) {
      AddGraph(r, file, StrCat(where, ": the function library defines '", fname, "' twice"));
      continue;
    }
    std::set<std::string> names;
    for (const auto& arg : f.signature().input_arg()) names.insert(arg.name());
    for (const auto& n : f.node_def()) {
      if (!names.insert(n.name()).second) {
        AddGraph(r, file, StrCat(where, ": function '", fname, "': node or argument name '",
                                 n.name(), "' is not unique"));
      }
    }
    for (const auto& n : f.node_def()) {
      for (const std::string& in : n.input()) {
        if (names.count(BodyInputName(in)) == 0) {
          AddGraph(r, file, StrCat(where, ": function '", fname, "': node '", n.name(),
                                   "' has input '", in, "', which names no node or argument"));
        }
      }
      if (n.op() == "Const") CheckConst(n, file, StrCat(where, ": function '", fname, "'"), r);
    }
    for (const auto& [out, value] : f.ret()) {
      if (names.count(BodyInputName(value)) == 0) {
        AddGraph(r, file, StrCat(where, ": function '", fname, "': return value '", out, "' is '",
                                 value, "', which names no node or argument"));
      }
    }
  }
}

// Cycles of the call graph, found by an iterative depth-first search (a
// hostile library can nest calls deeper than the stack).
void CheckRecursion(const tensorflow::FunctionDefLibrary& lib, const std::string& file,
                    const std::string& where, Report* r) {
  std::map<std::string, std::vector<std::string>> calls;
  for (const auto& f : lib.function()) calls[f.signature().name()];
  for (const auto& f : lib.function()) {
    std::vector<std::string> callees;
    for (const auto& n : f.node_def()) graph::AppendCalledFunctions(n, &callees);
    auto& edges = calls[f.signature().name()];
    for (std::string& c : callees) {
      if (calls.count(c) > 0) edges.push_back(std::move(c));
    }
  }
  enum Color { kWhite, kGray, kBlack };
  std::map<std::string, Color> color;
  for (const auto& [root, unused] : calls) {
    if (color[root] != kWhite) continue;
    // Stack of (function, index of its next callee).
    std::vector<std::pair<std::string, size_t>> stack{{root, 0}};
    color[root] = kGray;
    while (!stack.empty()) {
      auto& [fn, next] = stack.back();
      const auto& edges = calls[fn];
      if (next == edges.size()) {
        color[fn] = kBlack;
        stack.pop_back();
        continue;
      }
      const std::string callee = edges[next++];
      if (color[callee] == kWhite) {
        color[callee] = kGray;
        stack.push_back({callee, 0});
      } else if (color[callee] == kGray) {
        std::string cycle;
        size_t k = 0;
        while (stack[k].first != callee) ++k;
        for (; k < stack.size(); ++k) cycle += stack[k].first + " -> ";
        r->Add(Defect{DefectCode::kRecursiveFunction, file, std::nullopt, "",
                      StrCat(where, ": function '", callee, "' calls itself (", cycle, callee,
                             "): TensorFlow's runtime would recurse without end "
                             "(CVE-2022-23591)")});
      }
    }
  }
}

}  // namespace

CheckedGraph CheckGraphDef(const tensorflow::GraphDef& def, const std::string& file,
                           const std::string& where, Report* r) {
  CheckedGraph out;
  for (const auto& n : def.node()) {
    if (n.op() == "Const") CheckConst(n, file, where, r);
  }
  CheckFunctionBodies(def.library(), file, where, r);
  CheckRecursion(def.library(), file, where, r);
  out.registry = graph::NewServingOpRegistry(def.library());
  if (!out.registry->status().ok()) {
    AddGraph(r, file, StrCat(where, ": the function library: ", out.registry->status().message()));
    return out;
  }
  // export_meta_graph(export_scope=...) writes the inputs from outside the
  // scope as "$unbound_inputs_<name>", bound by import_meta_graph's
  // input_map: sources of unknown type here, not dangling inputs.
  const tensorflow::GraphDef* to_build = &def;
  tensorflow::GraphDef bound;
  constexpr std::string_view kUnbound = "$unbound_inputs_";
  std::set<std::string> unbound;
  for (const auto& n : def.node()) {
    for (const std::string& in : n.input()) {
      if (in.compare(0, kUnbound.size(), kUnbound) == 0) unbound.insert(in.substr(0, in.find(':')));
    }
  }
  if (!unbound.empty()) {
    bound = def;
    for (auto& n : *bound.mutable_node()) {
      for (std::string& in : *n.mutable_input()) {
        if (in.compare(0, kUnbound.size(), kUnbound) == 0) in = "tfckpt_unbound/" + in.substr(1);
      }
    }
    for (const std::string& name : unbound) {
      auto* n = bound.add_node();
      n->set_name("tfckpt_unbound/" + name.substr(1));
      n->set_op("_UnboundInput");  // no such op: untyped, like any unknown op
    }
    to_build = &bound;
    r->notes.push_back(StrCat(where, " of ", file, " has ", unbound.size(),
                              " unbound input(s) (export_scope), bound at import by input_map"));
  }
  graph::GraphOptions options;
  options.registry = out.registry.get();
  options.allow_unregistered_ops = true;
  auto g = graph::Graph::Build(*to_build, options);
  if (!g.ok()) {
    AddGraph(r, file, StrCat(where, ": ", g.status().message()));
    return out;
  }
  out.graph = std::move(*g);
  return out;
}

}  // namespace tfckpt::check
