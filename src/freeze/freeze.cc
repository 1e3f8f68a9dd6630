#include "src/freeze/freeze.h"

#include <algorithm>
#include <deque>
#include <map>
#include <set>

#include <google/protobuf/text_format.h>

#include "src/freeze/propagate.h"
#include "src/io/atomic_file.h"
#include "src/tensor/tensor_proto.h"
#include "src/train/proto_serialize.h"

namespace tfckpt::freeze {
namespace {

// graph_util_impl._node_name: "^x" and "x:1" -> "x".
std::string NodeName(const std::string& input) {
  std::string n = !input.empty() && input[0] == '^' ? input.substr(1) : input;
  const size_t colon = n.find(':');
  return colon == std::string::npos ? n : n.substr(0, colon);
}

bool IsVariable(const std::string& op) {
  return op == "Variable" || op == "VariableV2" || op == "VarHandleOp";
}

}  // namespace

StatusOr<tensorflow::GraphDef> ExtractSubGraph(const tensorflow::GraphDef& graph_def,
                                               const std::vector<std::string>& dest_nodes) {
  std::map<std::string, int> seq;
  std::map<std::string, std::vector<std::string>> inputs;
  for (int i = 0; i < graph_def.node_size(); ++i) {
    const auto& n = graph_def.node(i);
    const std::string name = NodeName(n.name());
    seq[name] = i;
    auto& in = inputs[name];
    in.clear();
    for (const auto& x : n.input()) in.push_back(NodeName(x));
    auto cls = n.attr().find("_class");
    if (cls != n.attr().end()) {
      for (const auto& s : cls->second.list().s()) {
        in.push_back(s.rfind("loc:@", 0) == 0 ? s.substr(5) : s);
      }
    }
  }
  for (const auto& d : dest_nodes) {
    if (seq.count(d) == 0) return InvalidArgumentError(StrCat(d, " is not in graph"));
  }
  std::set<std::string> keep;
  std::deque<std::string> queue(dest_nodes.begin(), dest_nodes.end());
  while (!queue.empty()) {
    const std::string n = queue.front();
    queue.pop_front();
    if (!keep.insert(n).second) continue;
    for (const auto& in : inputs[n]) queue.push_back(in);
  }
  std::vector<std::string> ordered;
  for (const auto& n : keep) {
    if (seq.count(n) == 0) {
      return InvalidArgumentError(StrCat(n, " is not in graph"));  // dangling input
    }
    ordered.push_back(n);
  }
  std::sort(ordered.begin(), ordered.end(),
            [&](const std::string& a, const std::string& b) { return seq[a] < seq[b]; });
  tensorflow::GraphDef out;
  for (const auto& n : ordered) *out.add_node() = graph_def.node(seq[n]);
  *out.mutable_library() = graph_def.library();
  *out.mutable_versions() = graph_def.versions();
  return out;
}

bool SelectedVariable(const std::string& name, const FreezeOptions& o) {
  const auto& allow = o.variable_names_allowlist;
  const auto& deny = o.variable_names_denylist;
  if (allow && std::find(allow->begin(), allow->end(), name) == allow->end()) return false;
  return std::find(deny.begin(), deny.end(), name) == deny.end();
}

StatusOr<tensorflow::GraphDef> ReplaceVariables(const tensorflow::GraphDef& graph,
                                                const std::vector<int>& vars,
                                                const std::vector<tensor::Tensor>& values,
                                                std::vector<std::string>* other_consumers) {
  tensorflow::GraphDef out = graph;
  ConstantPropagation propagation(&out);
  for (size_t v = 0; v < vars.size(); ++v) {
    const tensorflow::NodeDef& original = graph.node(vars[v]);
    const tensorflow::DataType dtype = original.attr().at("dtype").type();
    tensorflow::NodeDef* node = out.mutable_node(vars[v]);
    node->Clear();
    node->set_name(original.name());
    node->set_op("Const");
    (*node->mutable_attr())["dtype"].set_type(dtype);
    TFCKPT_RETURN_IF_ERROR(
        tensor::TensorToProto(values[v], (*node->mutable_attr())["value"].mutable_tensor()));
    propagation.Propagate(original.name(), dtype, values[v].shape().AsProto());
  }
  if (other_consumers != nullptr) *other_consumers = propagation.other_consumers();
  return out;
}

StatusOr<tensorflow::GraphDef> ConvertVariablesToConstants(
    train::ClientSession* session, const tensorflow::GraphDef& graph_def,
    const std::vector<std::string>& output_node_names, const FreezeOptions& o) {
  TFCKPT_ASSIGN_OR_RETURN(tensorflow::GraphDef graph,
                          ExtractSubGraph(graph_def, output_node_names));
  // Variables to convert and the tensors holding their values.
  std::vector<int> vars;
  std::vector<train::TensorRef> fetches;
  for (int i = 0; i < graph.node_size(); ++i) {
    const auto& n = graph.node(i);
    if (!IsVariable(n.op())) continue;
    if (!SelectedVariable(n.name(), o)) continue;
    vars.push_back(i);
    fetches.push_back(n.op() == "VarHandleOp" ? StrCat(n.name(), "/Read/ReadVariableOp:0")
                                              : StrCat(n.name(), ":0"));
  }
  std::vector<tensor::Tensor> values;
  if (!fetches.empty()) {
    TFCKPT_ASSIGN_OR_RETURN(values, session->Run({}, fetches));
  }
  return ReplaceVariables(graph, vars, values, nullptr);
}

Status WriteGraphDef(const tensorflow::GraphDef& graph_def, const std::string& path, bool as_text,
                     io::Env* env) {
  std::string data;
  if (as_text) {
    data = train::PythonTextFormat(graph_def);
  } else {
    data = train::SerializeLikeTensorFlow(graph_def);
  }
  return io::WriteFileAtomically(env != nullptr ? env : io::Env::Default(), path, data);
}

StatusOr<tensorflow::GraphDef> ReadGraphDef(const std::string& path, io::Env* env) {
  env = env != nullptr ? env : io::Env::Default();
  TFCKPT_ASSIGN_OR_RETURN(std::string content, env->ReadFileToString(path));
  tensorflow::GraphDef g;
  if (g.ParseFromString(content)) return g;
  g.Clear();
  if (google::protobuf::TextFormat::ParseFromString(content, &g)) return g;
  return InvalidArgumentError(StrCat("Cannot parse ", path, " as a GraphDef"));
}

}  // namespace tfckpt::freeze
