#include "src/freeze/propagate.h"

#include <algorithm>
#include <cctype>

#include "src/io/status.h"

namespace tfckpt::freeze {
namespace {

bool IsIntermediate(const std::string& op) {
  return op == "Identity" || op == "Switch" || op == "Merge" || op == "Enter" || op == "Exit" ||
         op == "NextIteration" || op == "_SwitchN";
}

// convert_to_constants' _FunctionCaller subclasses: which inputs go to the
// called functions (from `first` on), the attr typing them, the function attrs.
struct CallerKind {
  int first;
  const char* type_attr;
  std::vector<const char*> functions;
};

const CallerKind* CallerOf(const std::string& op) {
  static const CallerKind kCall{0, "Tin", {"f"}};
  static const CallerKind kIf{1, "Tin", {"then_branch", "else_branch"}};
  static const CallerKind kCase{1, "Tin", {"branches"}};
  static const CallerKind kWhile{0, "T", {"cond", "body"}};
  if (op == "PartitionedCall" || op == "StatefulPartitionedCall") return &kCall;
  if (op == "If" || op == "StatelessIf") return &kIf;
  if (op == "Case" || op == "StatelessCase") return &kCase;
  if (op == "While" || op == "StatelessWhile") return &kWhile;
  return nullptr;
}

// convert_to_constants' resolve_input: "x", "x:1" (graph) or "arg",
// "n:out_arg:1" (function) -> source name and output index (the last
// numeric field, else 0).
std::pair<std::string, int> Source(const std::string& input) {
  const size_t first = input.find(':');
  if (first == std::string::npos) return {input, 0};
  const size_t last = input.rfind(':');
  const std::string tail = input.substr(last + 1);
  int index = 0;
  if (!tail.empty() && tail.size() < 9 &&
      std::all_of(tail.begin(), tail.end(), [](char c) { return std::isdigit(c) != 0; })) {
    index = std::stoi(tail);
  }
  return {input.substr(0, first), index};
}

// Entry `index` of a type or list(type) attr becomes `dtype`.
void SetType(tensorflow::NodeDef* node, const char* attr, int index, tensorflow::DataType dtype) {
  auto it = node->mutable_attr()->find(attr);
  if (it == node->mutable_attr()->end()) return;
  if (it->second.has_list()) {
    if (index < it->second.list().type_size()) it->second.mutable_list()->set_type(index, dtype);
  } else {
    it->second.set_type(dtype);
  }
}

int64_t AttrInt(const tensorflow::NodeDef& node, const char* name) {
  auto it = node.attr().find(name);
  return it == node.attr().end() ? 0 : it->second.i();
}

void CopyAttr(const tensorflow::NodeDef& from, const char* name, tensorflow::NodeDef* to,
              const char* as) {
  auto it = from.attr().find(name);
  if (it != from.attr().end()) (*to->mutable_attr())[as] = it->second;
}

void MakeUnknownRank(tensorflow::AttrValue* shapes, int index) {
  if (!shapes->has_list() || index >= shapes->list().shape_size()) return;
  tensorflow::TensorShapeProto* s = shapes->mutable_list()->mutable_shape(index);
  s->clear_dim();
  s->set_unknown_rank(true);
}

}  // namespace

ConstantPropagation::ConstantPropagation(tensorflow::GraphDef* graph) : graph_(graph) {
  for (auto& f : *graph->mutable_library()->mutable_function()) {
    functions_[f.signature().name()] = &f;
  }
}

ConstantPropagation::Scope* ConstantPropagation::ScopeOf(const std::string& function) {
  auto it = scopes_.find(function);
  if (it != scopes_.end()) return it->second.get();
  auto scope = std::make_unique<Scope>();
  scope->function = function;
  if (function.empty()) {
    scope->nodes = graph_->mutable_node();
  } else {
    scope->fdef = functions_.at(function);
    scope->nodes = scope->fdef->mutable_node_def();
  }
  for (int i = 0; i < scope->nodes->size(); ++i) {
    const tensorflow::NodeDef& n = scope->nodes->Get(i);
    for (int k = 0; k < n.input_size(); ++k) {
      if (n.input(k).empty() || n.input(k)[0] == '^') continue;
      auto [name, output] = Source(n.input(k));
      scope->uses[name].push_back({i, k, output});
    }
  }
  return scopes_.emplace(function, std::move(scope)).first->second.get();
}

void ConstantPropagation::Propagate(const std::string& node, tensorflow::DataType dtype,
                                    const tensorflow::TensorShapeProto& shape) {
  dtype_ = dtype;
  shape_ = shape;
  consumed_.clear();
  converted_args_.clear();
  Follow(ScopeOf(""), node, -1);
  while (!queue_.empty()) {
    auto [scope, use] = queue_.front();
    queue_.pop_front();
    Consume(scope, use);
  }
}

void ConstantPropagation::Follow(Scope* scope, const std::string& source, int output) {
  auto it = scope->uses.find(source);
  if (it == scope->uses.end()) return;
  for (const Use& use : it->second) {
    if (output < 0 || use.output == output) queue_.emplace_back(scope, use);
  }
}

void ConstantPropagation::Consume(Scope* scope, const Use& use) {
  if (!consumed_.emplace(scope->function, use.node, use.input).second) return;
  tensorflow::NodeDef* node = scope->nodes->Mutable(use.node);
  const std::string op = node->op();
  if (op == "ReadVariableOp") {
    const tensorflow::NodeDef before = *node;
    node->Clear();
    node->set_name(before.name());
    node->set_op("Identity");
    node->add_input(before.input(0));
    auto dtype = before.attr().find("dtype");
    if (dtype != before.attr().end()) (*node->mutable_attr())["T"] = dtype->second;
    auto cls = before.attr().find("_class");
    if (cls != before.attr().end()) (*node->mutable_attr())["_class"] = cls->second;
    if (scope->fdef == nullptr) return;
    // Its readers named output "value"; an Identity's is "output".
    const std::string from = StrCat(before.name(), ":value:");
    const std::string to = StrCat(before.name(), ":output:");
    auto rename = [&](std::string* input) {
      if (input->rfind(from, 0) == 0) *input = to + input->substr(from.size());
    };
    for (const Use& reader : scope->uses[before.name()]) {
      rename(scope->nodes->Mutable(reader.node)->mutable_input(reader.input));
    }
    for (auto& [key, ret] : *scope->fdef->mutable_ret()) rename(&ret);
  } else if (IsIntermediate(op) || op == "IdentityN") {
    SetType(node, "T", use.input, dtype_);
    node->mutable_attr()->erase("_output_shapes");
    Follow(scope, node->name(), op == "IdentityN" ? use.input : -1);
  } else if (CallerOf(op) != nullptr) {
    ConvertCaller(node, use.input);
  } else if (op == "ResourceGather" && scope->fdef == nullptr && use.input == 0 &&
             AttrInt(*node, "batch_dims") == 0) {
    ConvertGather(use.node);
  } else if (op == "ResourceGatherNd" && use.input == 0) {
    const tensorflow::NodeDef before = *node;
    node->Clear();
    node->set_name(before.name());
    node->set_op("GatherNd");
    node->add_input(before.input(0));
    node->add_input(before.input(1));
    CopyAttr(before, "dtype", node, "Tparams");
    CopyAttr(before, "Tindices", node, "Tindices");
    CopyAttr(before, "_class", node, "_class");
  } else {
    others_.push_back(StrCat(scope->function.empty() ? "" : scope->function + "/", node->name(),
                             " (", op, ")"));
  }
}

void ConstantPropagation::ConvertCaller(tensorflow::NodeDef* node, int input) {
  const CallerKind& kind = *CallerOf(node->op());
  const int index = input - kind.first;
  if (index < 0) return;  // a condition or branch index, not a function input
  SetType(node, kind.type_attr, index, dtype_);
  std::vector<std::string> called;
  for (const char* attr : kind.functions) {
    auto it = node->attr().find(attr);
    if (it == node->attr().end()) continue;
    if (it->second.has_func()) called.push_back(it->second.func().name());
    for (const auto& f : it->second.list().func()) called.push_back(f.name());
  }
  if (node->op() == "While" || node->op() == "StatelessWhile") {
    // Output k is the loop variable k: its shape is the constant's (in the
    // `_output_shapes` a function body's node carries too, which TF's
    // importer checks).
    for (const char* attr : {"output_shapes", "_output_shapes"}) {
      auto shapes = node->mutable_attr()->find(attr);
      if (shapes != node->mutable_attr()->end() && index < shapes->second.list().shape_size()) {
        *shapes->second.mutable_list()->mutable_shape(index) = shape_;
      }
    }
    auto body = node->attr().find("body");
    if (body != node->attr().end()) {
      auto f = functions_.find(body->second.func().name());
      if (f != functions_.end() && index < f->second->signature().output_arg_size()) {
        f->second->mutable_signature()->mutable_output_arg(index)->set_type(dtype_);
      }
    }
  }
  for (const std::string& f : called) ConvertArg(f, index);
}

// TF's _ResourceGather (graph nodes only; TF skips those in functions):
// GatherV2 of the constant along axis 0, a new Const "<name>/axis" (of
// Tindices' type) beside it.
void ConstantPropagation::ConvertGather(int index) {
  const tensorflow::NodeDef before = graph_->node(index);
  const std::string axis_name = StrCat(before.name(), "/axis");
  tensorflow::DataType itype = tensorflow::DT_INT32;
  auto tindices = before.attr().find("Tindices");
  if (tindices != before.attr().end()) itype = tindices->second.type();
  bool exists = false;
  for (const auto& n : graph_->node()) exists = exists || n.name() == axis_name;
  if (!exists) {
    tensorflow::NodeDef* axis = graph_->add_node();
    axis->set_name(axis_name);
    axis->set_op("Const");
    (*axis->mutable_attr())["dtype"].set_type(itype);
    tensorflow::TensorProto* value = (*axis->mutable_attr())["value"].mutable_tensor();
    value->set_dtype(itype);
    value->mutable_tensor_shape();
    if (itype == tensorflow::DT_INT64) {
      value->add_int64_val(0);
    } else {
      value->add_int_val(0);
    }
  }
  tensorflow::NodeDef* node = graph_->mutable_node(index);
  node->Clear();
  node->set_name(before.name());
  node->set_op("GatherV2");
  node->add_input(before.input(0));
  node->add_input(before.input(1));
  node->add_input(axis_name);
  CopyAttr(before, "dtype", node, "Tparams");
  CopyAttr(before, "Tindices", node, "Tindices");
  (*node->mutable_attr())["Taxis"].set_type(itype);
  CopyAttr(before, "_class", node, "_class");
}

void ConstantPropagation::ConvertArg(const std::string& function, int index) {
  if (!converted_args_.emplace(function, index).second) return;
  auto it = functions_.find(function);
  if (it == functions_.end()) {
    others_.push_back(StrCat(function, " (missing function)"));
    return;
  }
  tensorflow::FunctionDef* f = it->second;
  if (index >= f->signature().input_arg_size()) {
    others_.push_back(StrCat(function, " (no input ", index, ")"));
    return;
  }
  tensorflow::OpDef::ArgDef* arg = f->mutable_signature()->mutable_input_arg(index);
  arg->set_type(dtype_);
  // TF clears what it cannot recompute (b/176982859).
  auto input_shapes = f->mutable_attr()->find("_input_shapes");
  if (input_shapes != f->mutable_attr()->end()) MakeUnknownRank(&input_shapes->second, index);
  auto arg_attr = f->mutable_arg_attr()->find(index);
  if (arg_attr != f->mutable_arg_attr()->end()) {
    auto shapes = arg_attr->second.mutable_attr()->find("_output_shapes");
    if (shapes != arg_attr->second.mutable_attr()->end()) MakeUnknownRank(&shapes->second, 0);
  }
  Follow(ScopeOf(function), arg->name(), -1);
}

}  // namespace tfckpt::freeze
