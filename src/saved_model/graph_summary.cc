#include "src/saved_model/graph_summary.h"

#include <set>
#include <string_view>

#include "src/graph/serving_ops.h"

namespace tfckpt::saved_model {
namespace {

std::string NodeOfInput(const std::string& input) {
  if (input.empty()) return input;
  std::string n = input.substr(input[0] == '^' ? 1 : 0);
  return n.substr(0, n.find(':'));
}

bool SaverNode(const std::string& name) {
  const std::string scope = name.substr(0, name.find('/'));
  if (scope == name) return false;
  if (scope == "save") return true;
  if (scope.rfind("save_", 0) != 0 || scope.size() == 5) return false;
  return scope.find_first_not_of("0123456789", 5) == std::string::npos;
}

bool NotAnOutput(const tensorflow::NodeDef& node) {
  static const std::set<std::string> kOps = {
      "NoOp", "Const", "Placeholder", "PlaceholderWithDefault", "VariableV2", "Variable",
      "VarHandleOp", "Assign", "AssignVariableOp", "AssignAdd", "AssignSub",
      "AssignAddVariableOp", "AssignSubVariableOp", "SaveV2", "RestoreV2", "Save",
      "SaveSlices", "Restore", "RestoreSlice", "MergeV2Checkpoints"};
  const std::string& n = node.name();
  auto ends = [&](std::string_view suffix) {
    return n.size() > suffix.size() && n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  // A TF1 variable's `<v>/read` Identity; a TF2 resource's `<v>/Read/ReadVariableOp`.
  const bool variable_read = (node.op() == "Identity" && ends("/read")) ||
                             (node.op() == "ReadVariableOp" && ends("/Read/ReadVariableOp"));
  return kOps.count(node.op()) > 0 || SaverNode(n) || variable_read;
}

}  // namespace

GraphSummary SummarizeGraph(const tensorflow::GraphDef& graph, const tensorflow::SaverDef* saver) {
  GraphSummary s;
  s.nodes = graph.node_size();
  s.functions = graph.library().function_size();
  std::set<std::string> consumed, functions;
  for (const auto& f : graph.library().function()) functions.insert(f.signature().name());
  const graph::OpRegistry& registry = graph::ServingOpRegistry();
  const std::string saver_filename =
      saver != nullptr ? NodeOfInput(saver->filename_tensor_name()) : std::string();
  auto check_op = [&](const std::string& op) {
    if (registry.Find(op) == nullptr && functions.count(op) == 0) ++s.unsupported_ops[op];
  };
  for (const auto& node : graph.node()) {
    ++s.op_counts[node.op()];
    check_op(node.op());
    for (const std::string& in : node.input()) consumed.insert(NodeOfInput(in));
    if ((node.op() == "Placeholder" || node.op() == "PlaceholderWithDefault") &&
        !SaverNode(node.name()) && node.name() != saver_filename) {
      PlaceholderInfo p;
      p.name = node.name();
      auto dt = node.attr().find("dtype");
      if (dt != node.attr().end()) p.dtype = dt->second.type();
      auto sh = node.attr().find("shape");
      if (sh != node.attr().end()) {
        p.has_shape = true;
        p.shape = sh->second.shape();
      }
      s.placeholders.push_back(std::move(p));
    }
  }
  for (const auto& f : graph.library().function()) {
    for (const auto& node : f.node_def()) check_op(node.op());
  }
  if (saver != nullptr) {  // the save and restore ops (TF2: function calls)
    consumed.insert(NodeOfInput(saver->save_tensor_name()));
    consumed.insert(NodeOfInput(saver->restore_op_name()));
  }
  for (const auto& node : graph.node()) {
    if (consumed.count(node.name()) == 0 && !NotAnOutput(node)) {
      s.likely_outputs.push_back(node.name());
    }
  }
  return s;
}

}  // namespace tfckpt::saved_model
