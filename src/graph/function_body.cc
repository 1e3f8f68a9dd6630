#include "src/graph/function_body.h"

#include <map>
#include <set>

namespace tfckpt::graph {
namespace {

// How many tensors output arg `arg` of `op` has for a node with `attrs`.
StatusOr<int> ArgCount(const tensorflow::OpDef::ArgDef& arg,
                       const google::protobuf::Map<std::string, tensorflow::AttrValue>& attrs,
                       const tensorflow::OpDef& op) {
  auto attr = [&](const std::string& name) -> const tensorflow::AttrValue* {
    auto it = attrs.find(name);
    if (it != attrs.end()) return &it->second;
    for (const auto& a : op.attr()) {
      if (a.name() == name && a.has_default_value()) return &a.default_value();
    }
    return nullptr;
  };
  if (!arg.number_attr().empty()) {
    const tensorflow::AttrValue* v = attr(arg.number_attr());
    if (v == nullptr) return InvalidArgumentError(StrCat("missing attr '", arg.number_attr(), "'"));
    return static_cast<int>(v->i());
  }
  if (!arg.type_list_attr().empty()) {
    const tensorflow::AttrValue* v = attr(arg.type_list_attr());
    if (v == nullptr) return InvalidArgumentError(StrCat("missing attr '", arg.type_list_attr(), "'"));
    return v->list().type_size();
  }
  return 1;
}

bool IsFixedSingle(const tensorflow::OpDef::ArgDef& arg) {
  return arg.type() != tensorflow::DT_INVALID && arg.number_attr().empty() &&
         arg.type_list_attr().empty() && arg.type_attr().empty();
}

}  // namespace

StatusOr<FunctionBodyDef> FunctionBodyToGraphDef(const tensorflow::FunctionDef& fdef,
                                                 const OpRegistry& registry) {
  const std::string& fname = fdef.signature().name();
  auto fail = [&](StatusCode code, const std::string& what) {
    return Status(code, StrCat("Function '", fname, "': ", what));
  };
  if (fdef.signature().attr_size() > 0) {
    return fail(StatusCode::kUnimplemented,
                "has attrs (a polymorphic function); tfckpt runs concrete functions only");
  }
  FunctionBodyDef body;
  std::map<std::string, const tensorflow::NodeDef*> nodes;
  for (const auto& n : fdef.node_def()) nodes.emplace(n.name(), &n);
  std::set<std::string> arg_names;
  for (const auto& arg : fdef.signature().input_arg()) {
    if (!IsFixedSingle(arg)) {
      return fail(StatusCode::kUnimplemented,
                  StrCat("input '", arg.name(), "' is not a single tensor of a fixed type"));
    }
    if (nodes.count(arg.name()) > 0 || !arg_names.insert(arg.name()).second) {
      return fail(StatusCode::kInvalidArgument, StrCat("input '", arg.name(), "' is not unique"));
    }
    tensorflow::NodeDef* n = body.graph.add_node();
    n->set_name(arg.name());
    n->set_op("Placeholder");
    (*n->mutable_attr())["dtype"].set_type(arg.type());
    (*n->mutable_attr())["shape"].mutable_shape()->set_unknown_rank(true);
    body.args.push_back(arg.name());
    body.arg_types.push_back(arg.type());
  }
  // "n:out:i" / "arg" / "^n" -> GraphDef input syntax.
  auto convert = [&](const std::string& in, const std::string& consumer) -> StatusOr<std::string> {
    if (!in.empty() && in[0] == '^') return in;
    const size_t c1 = in.find(':');
    if (c1 == std::string::npos) {
      if (arg_names.count(in) > 0 || nodes.count(in) > 0) return in;
      return fail(StatusCode::kInvalidArgument,
                  StrCat("node '", consumer, "' has unknown input '", in, "'"));
    }
    const std::string src = in.substr(0, c1);
    const size_t c2 = in.find(':', c1 + 1);
    const std::string out_arg = in.substr(c1 + 1, c2 == std::string::npos ? std::string::npos : c2 - c1 - 1);
    int index = 0;
    if (c2 != std::string::npos) {
      const std::string digits = in.substr(c2 + 1);
      if (digits.empty() || digits.size() > 9 ||
          digits.find_first_not_of("0123456789") != std::string::npos) {
        return fail(StatusCode::kInvalidArgument, StrCat("node '", consumer, "': bad input '", in, "'"));
      }
      index = std::stoi(digits);
    }
    auto it = nodes.find(src);
    if (it == nodes.end()) {
      return fail(StatusCode::kInvalidArgument,
                  StrCat("node '", consumer, "' has unknown input '", in, "'"));
    }
    const OpRegistration* reg = registry.Find(it->second->op());
    if (reg == nullptr) {
      return fail(StatusCode::kNotFound, StrCat("node '", src, "': Op type not registered '",
                                                it->second->op(), "' in tfckpt's graph engine"));
    }
    int offset = 0;
    for (const auto& arg : reg->op_def.output_arg()) {
      TFCKPT_ASSIGN_OR_RETURN(int count, ArgCount(arg, it->second->attr(), reg->op_def));
      if (arg.name() == out_arg) {
        if (index < 0 || index >= count) {
          return fail(StatusCode::kInvalidArgument,
                      StrCat("node '", consumer, "': input '", in, "' is out of range (", count,
                             " tensors in output '", out_arg, "' of ", it->second->op(), ")"));
        }
        return StrCat(src, ":", offset + index);
      }
      offset += count;
    }
    return fail(StatusCode::kInvalidArgument,
                StrCat("node '", consumer, "': op ", it->second->op(), " has no output '", out_arg,
                       "' (input '", in, "')"));
  };
  for (const auto& n : fdef.node_def()) {
    for (const auto& [key, value] : n.attr()) {
      if (!value.placeholder().empty()) {
        return fail(StatusCode::kUnimplemented,
                    StrCat("node '", n.name(), "' attr '", key, "' refers to a function attr"));
      }
    }
    tensorflow::NodeDef* out = body.graph.add_node();
    *out = n;
    out->clear_input();
    for (const std::string& in : n.input()) {
      TFCKPT_ASSIGN_OR_RETURN(std::string converted, convert(in, n.name()));
      out->add_input(converted);
    }
  }
  for (const auto& arg : fdef.signature().output_arg()) {
    if (!IsFixedSingle(arg)) {
      return fail(StatusCode::kUnimplemented,
                  StrCat("output '", arg.name(), "' is not a single tensor of a fixed type"));
    }
    auto ret = fdef.ret().find(arg.name());
    if (ret == fdef.ret().end()) {
      return fail(StatusCode::kInvalidArgument, StrCat("output '", arg.name(), "' has no ret"));
    }
    TFCKPT_ASSIGN_OR_RETURN(std::string converted, convert(ret->second, "<ret>"));
    if (converted[0] == '^') {
      return fail(StatusCode::kInvalidArgument, StrCat("bad ret '", ret->second, "'"));
    }
    body.rets.push_back(converted);
    body.ret_types.push_back(arg.type());
  }
  for (const auto& [name, node] : fdef.control_ret()) {
    if (nodes.count(node) == 0) {
      return fail(StatusCode::kInvalidArgument, StrCat("control_ret '", name, "' names no node"));
    }
    body.control_rets.push_back(node);
  }
  return body;
}

void AppendAttrFunctions(const tensorflow::NodeDef& node, std::vector<std::string>* out) {
  for (const auto& [name, attr] : node.attr()) {
    if (attr.has_func()) out->push_back(attr.func().name());
    for (const auto& f : attr.list().func()) out->push_back(f.name());
  }
}

void AppendCalledFunctions(const tensorflow::NodeDef& node, std::vector<std::string>* out) {
  out->push_back(node.op());
  AppendAttrFunctions(node, out);
}

std::vector<const tensorflow::FunctionDef*> ReachableFunctions(
    const tensorflow::FunctionDefLibrary& library, std::vector<std::string> calls) {
  std::map<std::string, const tensorflow::FunctionDef*> functions;
  for (const auto& f : library.function()) functions[f.signature().name()] = &f;
  std::vector<const tensorflow::FunctionDef*> reached;
  std::set<std::string> seen;
  while (!calls.empty()) {
    const std::string name = std::move(calls.back());
    calls.pop_back();
    auto f = functions.find(name);
    if (f == functions.end() || !seen.insert(name).second) continue;
    reached.push_back(f->second);
    for (const auto& n : f->second->node_def()) AppendCalledFunctions(n, &calls);
  }
  return reached;
}

}  // namespace tfckpt::graph
