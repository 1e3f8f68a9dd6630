#include "src/graph/graph.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <queue>
#include <set>
#include <unordered_map>

namespace tfckpt::graph {
namespace {

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
         c == '/';
}

bool IsNameStart(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_';
}

// TF's IsValidNodeName (internal ops allowed): pieces separated by '>',
// each [A-Za-z0-9._][A-Za-z0-9_.\-/]*.
bool IsValidNodeName(std::string_view s) {
  size_t i = 0;
  while (true) {
    if (i >= s.size() || !IsNameStart(s[i])) return false;
    ++i;
    while (i < s.size() && IsNameChar(s[i])) ++i;
    if (i == s.size()) return true;
    if (s[i] != '>') return false;
    ++i;
  }
}

std::string NodeError(std::string_view node, std::string_view what) {
  return StrCat("Node '", node, "': ", what);
}

std::string TypeListString(const std::vector<EdgeType>& types) {
  std::string out;
  for (size_t i = 0; i < types.size(); ++i) {
    if (i > 0) out += ", ";
    out += types[i].DebugString();
  }
  return out;
}

Status AttrValueHasType(const tensorflow::AttrValue& v, const std::string& type) {
  const std::string actual = AttrValueTypeName(v);
  if (actual.empty()) {
    return InvalidArgumentError(StrCat("AttrValue missing value with expected type '", type, "'"));
  }
  if (actual == type || (actual == "list" && type.rfind("list(", 0) == 0)) return OkStatus();
  return InvalidArgumentError(StrCat("AttrValue had value with type '", actual, "' when '",
                                     type, "' expected"));
}

bool IsValidAttrType(int dt) {
  return dt != tensorflow::DT_INVALID && dt < 100 && tensor::IsKnownDataType(dt);
}

std::string Quoted(const std::string& s) { return StrCat("\"", s, "\""); }

Status ValidateAttr(const tensorflow::OpDef::AttrDef& a, const tensorflow::AttrValue& v) {
  TFCKPT_RETURN_IF_ERROR(AttrValueHasType(v, a.type()));
  std::vector<int> types;
  if (a.type() == "type") types.push_back(v.type());
  if (a.type() == "list(type)") types.assign(v.list().type().begin(), v.list().type().end());
  for (int dt : types) {
    if (!IsValidAttrType(dt)) {
      return InvalidArgumentError(StrCat("Value for attr '", a.name(), "' of ",
                                         tensor::DataTypeName(dt), " is not a valid DataType"));
    }
  }
  if (a.has_allowed_values()) {
    const auto& allowed = a.allowed_values().list();
    for (int dt : types) {
      if (std::find(allowed.type().begin(), allowed.type().end(), dt) == allowed.type().end()) {
        std::string names;
        for (int t : allowed.type()) names += StrCat(names.empty() ? "" : ", ", tensor::DataTypeName(t));
        return InvalidArgumentError(StrCat("Value for attr '", a.name(), "' of ",
                                           tensor::DataTypeName(dt),
                                           " is not in the list of allowed values: ", names));
      }
    }
    std::vector<std::string> strings;
    if (a.type() == "string") strings.push_back(v.s());
    if (a.type() == "list(string)") strings.assign(v.list().s().begin(), v.list().s().end());
    for (const std::string& s : strings) {
      if (std::find(allowed.s().begin(), allowed.s().end(), s) == allowed.s().end()) {
        std::string names;
        for (const std::string& t : allowed.s()) names += StrCat(names.empty() ? "" : ", ", Quoted(t));
        return InvalidArgumentError(StrCat("Value for attr '", a.name(), "' of ", Quoted(s),
                                           " is not in the list of allowed values: ", names));
      }
    }
  }
  if (a.has_minimum()) {
    if (a.type() == "int" && v.i() < a.minimum()) {
      return InvalidArgumentError(StrCat("Value for attr '", a.name(), "' of ", v.i(),
                                         " must be at least minimum ", a.minimum()));
    }
    if (a.type().rfind("list(", 0) == 0) {
      const auto& l = v.list();
      const int64_t length = l.s_size() + l.i_size() + l.f_size() + l.b_size() + l.type_size() +
                             l.shape_size() + l.tensor_size() + l.func_size();
      if (length < a.minimum()) {
        return InvalidArgumentError(StrCat("Length for attr '", a.name(), "' of ", length,
                                           " must be at least minimum ", a.minimum()));
      }
    }
  }
  return OkStatus();
}

}  // namespace

std::string TensorName::ToString() const {
  return control() ? StrCat("^", node) : StrCat(node, ":", index);
}

StatusOr<TensorName> ParseTensorName(std::string_view text) {
  TensorName t;
  if (!text.empty() && text[0] == '^') {
    t.node = std::string(text.substr(1));
    t.index = -1;
  } else {
    const size_t colon = text.rfind(':');
    t.node = std::string(text.substr(0, colon));
    if (colon != std::string_view::npos) {
      const std::string_view digits = text.substr(colon + 1);
      if (digits.empty() || digits.size() > 9 ||
          !std::all_of(digits.begin(), digits.end(),
                       [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
        return InvalidArgumentError(StrCat("'", text, "' is not a valid tensor name"));
      }
      t.index = std::stoi(std::string(digits));
    }
  }
  if (t.node.empty()) {
    return InvalidArgumentError(StrCat("'", text, "' is not a valid tensor name"));
  }
  return t;
}

StatusOr<PartialShape> PartialShape::FromProto(const tensorflow::TensorShapeProto& p) {
  PartialShape s;
  if (p.unknown_rank()) {
    if (p.dim_size() > 0) {
      return InvalidArgumentError("Shape has unknown rank but also lists dimensions");
    }
    return s;
  }
  if (p.dim_size() > tensor::TensorShape::kMaxRank) {
    return InvalidArgumentError(StrCat("Shape has ", p.dim_size(),
                                       " dimensions which is over the limit of ",
                                       tensor::TensorShape::kMaxRank));
  }
  s.unknown_rank_ = false;
  for (const auto& d : p.dim()) {
    if (d.size() < -1) {
      return InvalidArgumentError(StrCat("Shape ", tensor::ShapeProtoDebugString(p),
                                         " has a negative dimension"));
    }
    s.dims_.push_back(d.size());
  }
  return s;
}

PartialShape PartialShape::Known(const tensor::TensorShape& t) {
  PartialShape s;
  s.unknown_rank_ = false;
  s.dims_ = t.dims();
  return s;
}

bool PartialShape::IsFullyDefined() const {
  return !unknown_rank_ && std::all_of(dims_.begin(), dims_.end(), [](int64_t d) { return d >= 0; });
}

std::optional<tensor::TensorShape> PartialShape::AsTensorShape() const {
  if (!IsFullyDefined()) return std::nullopt;
  auto s = tensor::TensorShape::Make(dims_);
  if (!s.ok()) return std::nullopt;
  return *s;
}

bool PartialShape::IsCompatibleWith(const tensor::TensorShape& s) const {
  if (unknown_rank_) return true;
  if (static_cast<int>(dims_.size()) != s.rank()) return false;
  for (int i = 0; i < s.rank(); ++i) {
    if (dims_[i] >= 0 && dims_[i] != s.dim(i)) return false;
  }
  return true;
}

std::string PartialShape::DebugString() const {
  if (unknown_rank_) return "<unknown>";
  std::string out = "[";
  for (size_t i = 0; i < dims_.size(); ++i) {
    if (i > 0) out += ",";
    out += dims_[i] < 0 ? "?" : std::to_string(dims_[i]);
  }
  return out + "]";
}

std::string PartialShape::PythonString() const {
  if (unknown_rank_) return "<unknown>";
  std::string out = "(";
  for (size_t i = 0; i < dims_.size(); ++i) {
    if (i > 0) out += ", ";
    out += dims_[i] < 0 ? "None" : std::to_string(dims_[i]);
  }
  if (dims_.size() == 1) out += ",";
  return out + ")";
}

std::string EdgeType::DebugString() const {
  return StrCat(tensor::DataTypeName(dtype), ref ? "_ref" : "");
}

std::string AttrValueTypeName(const tensorflow::AttrValue& v) {
  switch (v.value_case()) {
    case tensorflow::AttrValue::kS: return "string";
    case tensorflow::AttrValue::kI: return "int";
    case tensorflow::AttrValue::kF: return "float";
    case tensorflow::AttrValue::kB: return "bool";
    case tensorflow::AttrValue::kType: return "type";
    case tensorflow::AttrValue::kShape: return "shape";
    case tensorflow::AttrValue::kTensor: return "tensor";
    case tensorflow::AttrValue::kFunc: return "func";
    case tensorflow::AttrValue::kPlaceholder: return "placeholder";
    case tensorflow::AttrValue::kList: {
      const auto& l = v.list();
      if (l.s_size() > 0) return "list(string)";
      if (l.i_size() > 0) return "list(int)";
      if (l.f_size() > 0) return "list(float)";
      if (l.b_size() > 0) return "list(bool)";
      if (l.type_size() > 0) return "list(type)";
      if (l.shape_size() > 0) return "list(shape)";
      if (l.tensor_size() > 0) return "list(tensor)";
      if (l.func_size() > 0) return "list(func)";
      return "list";  // empty: any list type
    }
    default: return "";
  }
}

Status InOutTypes(const tensorflow::NodeDef& def, const tensorflow::OpDef& op,
                  std::vector<EdgeType>* inputs, std::vector<EdgeType>* outputs) {
  auto attr = [&](const std::string& name) -> const tensorflow::AttrValue* {
    auto it = def.attr().find(name);
    return it == def.attr().end() ? nullptr : &it->second;
  };
  auto expand = [&](const google::protobuf::RepeatedPtrField<tensorflow::OpDef::ArgDef>& args,
                    std::vector<EdgeType>* out) -> Status {
    out->clear();
    for (const auto& arg : args) {
      if (!arg.type_list_attr().empty()) {
        const auto* v = attr(arg.type_list_attr());
        if (v == nullptr) return InvalidArgumentError(StrCat("missing attr ", arg.type_list_attr()));
        for (int dt : v->list().type()) {
          out->push_back({static_cast<DataType>(dt), arg.is_ref()});
        }
        continue;
      }
      int64_t count = 1;
      if (!arg.number_attr().empty()) {
        const auto* v = attr(arg.number_attr());
        if (v == nullptr) return InvalidArgumentError(StrCat("missing attr ", arg.number_attr()));
        count = v->i();
        if (count < 0 || count > (1 << 24)) {
          return InvalidArgumentError(StrCat("attr ", arg.number_attr(), " = ", count,
                                             " is not a valid argument count"));
        }
      }
      DataType dt = arg.type();
      if (!arg.type_attr().empty()) {
        const auto* v = attr(arg.type_attr());
        if (v == nullptr) return InvalidArgumentError(StrCat("missing attr ", arg.type_attr()));
        dt = v->type();
      }
      for (int64_t i = 0; i < count; ++i) out->push_back({dt, arg.is_ref()});
    }
    return OkStatus();
  };
  TFCKPT_RETURN_IF_ERROR(expand(op.input_arg(), inputs));
  return expand(op.output_arg(), outputs);
}

const tensorflow::AttrValue* Node::FindAttr(std::string_view name) const {
  auto it = def_.attr().find(std::string(name));
  return it == def_.attr().end() ? nullptr : &it->second;
}

#define TFCKPT_NODE_ATTR(Method, Type, Expected, Expr)                                   \
  StatusOr<Type> Node::Method(std::string_view name) const {                             \
    const tensorflow::AttrValue* v = FindAttr(name);                                     \
    if (v == nullptr) {                                                                  \
      return InvalidArgumentError(NodeError(this->name(), StrCat("missing attr '", name, "'"))); \
    }                                                                                    \
    Status s = AttrValueHasType(*v, Expected);                                           \
    if (!s.ok()) return s.WithContext(NodeError(this->name(), StrCat("attr '", name, "'"))); \
    return Expr;                                                                         \
  }
TFCKPT_NODE_ATTR(AttrType, DataType, "type", static_cast<DataType>(v->type()))
TFCKPT_NODE_ATTR(AttrInt, int64_t, "int", v->i())
TFCKPT_NODE_ATTR(AttrBool, bool, "bool", v->b())
TFCKPT_NODE_ATTR(AttrFloat, float, "float", v->f())
TFCKPT_NODE_ATTR(AttrString, std::string, "string", v->s())
TFCKPT_NODE_ATTR(AttrTensor, const tensorflow::TensorProto*, "tensor", &v->tensor())
#undef TFCKPT_NODE_ATTR

StatusOr<PartialShape> Node::AttrShape(std::string_view name) const {
  const tensorflow::AttrValue* v = FindAttr(name);
  if (v == nullptr) {
    return InvalidArgumentError(NodeError(this->name(), StrCat("missing attr '", name, "'")));
  }
  Status s = AttrValueHasType(*v, "shape");
  if (!s.ok()) return s.WithContext(NodeError(this->name(), StrCat("attr '", name, "'")));
  auto shape = PartialShape::FromProto(v->shape());
  if (!shape.ok()) {
    return shape.status().WithContext(NodeError(this->name(), StrCat("attr '", name, "'")));
  }
  return shape;
}

StatusOr<std::vector<DataType>> Node::AttrTypeList(std::string_view name) const {
  const tensorflow::AttrValue* v = FindAttr(name);
  if (v == nullptr) {
    return InvalidArgumentError(NodeError(this->name(), StrCat("missing attr '", name, "'")));
  }
  Status s = AttrValueHasType(*v, "list(type)");
  if (!s.ok()) return s.WithContext(NodeError(this->name(), StrCat("attr '", name, "'")));
  std::vector<DataType> out;
  for (int dt : v->list().type()) out.push_back(static_cast<DataType>(dt));
  return out;
}

const Node* Graph::FindNode(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : nodes_[it->second].get();
}

StatusOr<std::unique_ptr<Graph>> Graph::Build(const tensorflow::GraphDef& def,
                                              const GraphOptions& options) {
  const OpRegistry& registry = options.registry ? *options.registry : OpRegistry::Global();
  auto g = std::make_unique<Graph>();
  g->producer_ = def.versions().producer();
  std::set<std::string> functions;
  for (const auto& f : def.library().function()) functions.insert(f.signature().name());

  // Names.
  for (int i = 0; i < def.node_size(); ++i) {
    const std::string& name = def.node(i).name();
    if (name.empty()) return InvalidArgumentError(StrCat("Node ", i, " of the GraphDef has no name"));
    if (!IsValidNodeName(name)) {
      return InvalidArgumentError(NodeError(name, "Node name contains invalid characters"));
    }
    if (!g->by_name_.emplace(name, i).second) {
      return InvalidArgumentError(StrCat("Node '", name, "' is not unique"));
    }
    auto node = std::make_unique<Node>();
    node->id_ = i;
    node->graph_ = g.get();
    g->nodes_.push_back(std::move(node));
  }

  // Ops, attrs, argument types.
  std::vector<std::vector<TensorName>> data_inputs(def.node_size());
  for (int i = 0; i < def.node_size(); ++i) {
    Node& n = *g->nodes_[i];
    n.def_ = def.node(i);
    const std::string& name = n.def_.name();
    if (n.def_.op().empty()) return InvalidArgumentError(NodeError(name, "NodeDef has no op"));
    n.registration_ = registry.Find(n.def_.op());
    if (n.registration_ == nullptr) {
      if (functions.count(n.def_.op()) > 0) {
        return UnimplementedError(NodeError(
            name, StrCat("calls function '", n.def_.op(),
                         "' of the graph's library; tfckpt's graph engine does not execute "
                         "functions")));
      }
      if (!options.allow_unregistered_ops) {
        return NotFoundError(NodeError(
            name, StrCat("Op type not registered '", n.def_.op(), "' in tfckpt's graph engine")));
      }
    }
    bool seen_control = false;
    for (const std::string& in : n.def_.input()) {
      auto t = ParseTensorName(in);
      if (!t.ok()) return InvalidArgumentError(NodeError(name, t.status().message()));
      if (t->control()) {
        seen_control = true;
        auto it = g->by_name_.find(t->node);
        if (it == g->by_name_.end()) {
          return InvalidArgumentError(NodeError(name, StrCat("Unknown input node '", in, "'")));
        }
        n.control_inputs_.push_back(it->second);
      } else {
        if (seen_control) {
          return InvalidArgumentError(
              NodeError(name, StrCat("Non-control input '", in, "' after control input")));
        }
        data_inputs[i].push_back(*t);
      }
    }
    if (n.registration_ == nullptr) continue;
    const tensorflow::OpDef& op = n.registration_->op_def;
    auto* attrs = n.def_.mutable_attr();
    for (const auto& a : op.attr()) {
      if (attrs->count(a.name()) == 0 && a.has_default_value()) {
        (*attrs)[a.name()] = a.default_value();
      }
    }
    for (const auto& a : op.attr()) {
      auto it = attrs->find(a.name());
      if (it == attrs->end()) {
        return InvalidArgumentError(
            NodeError(name, StrCat("NodeDef missing attr '", a.name(), "' from op ", op.name())));
      }
      Status s = ValidateAttr(a, it->second);
      if (!s.ok()) {
        return InvalidArgumentError(
            NodeError(name, StrCat(s.message(), " (attr '", a.name(), "' of op ", op.name(), ")")));
      }
    }
    for (const auto& [key, value] : *attrs) {
      if (key.empty() || key[0] == '_') continue;
      bool known = false;
      for (const auto& a : op.attr()) known = known || a.name() == key;
      if (!known) {
        return InvalidArgumentError(
            NodeError(name, StrCat("NodeDef mentions attr '", key, "' not in op ", op.name())));
      }
    }
    TFCKPT_RETURN_IF_ERROR(InOutTypes(n.def_, op, &n.input_types_, &n.output_types_));
    if (n.input_types_.size() != data_inputs[i].size()) {
      return InvalidArgumentError(NodeError(
          name, StrCat("NodeDef expected inputs '", TypeListString(n.input_types_),
                       "' do not match ", data_inputs[i].size(), " inputs specified (op ",
                       op.name(), ")")));
    }
  }

  // Edges.
  for (int i = 0; i < def.node_size(); ++i) {
    Node& n = *g->nodes_[i];
    for (size_t k = 0; k < data_inputs[i].size(); ++k) {
      const TensorName& t = data_inputs[i][k];
      auto it = g->by_name_.find(t.node);
      if (it == g->by_name_.end()) {
        return InvalidArgumentError(
            NodeError(n.name(), StrCat("Unknown input node '", n.def_.input(k), "'")));
      }
      Node& src = *g->nodes_[it->second];
      if (src.registration_ == nullptr) {
        // Unknown op: its outputs are whatever its consumers use, untyped.
        if (t.index >= src.num_outputs()) src.output_types_.resize(t.index + 1);
      } else if (t.index >= src.num_outputs()) {
        return InvalidArgumentError(NodeError(
            n.name(), StrCat("Connecting to invalid output ", t.index, " of source node ",
                             src.name(), " which has ", src.num_outputs(), " outputs.")));
      }
      n.inputs_.push_back({src.id_, t.index});
      if (n.registration_ == nullptr) n.input_types_.push_back({});
    }
  }
  for (int i = 0; i < def.node_size(); ++i) {
    const Node& n = *g->nodes_[i];
    if (n.registration_ == nullptr) continue;
    for (int k = 0; k < n.num_inputs(); ++k) {
      const Node& src = *g->nodes_[n.inputs_[k].node];
      if (src.registration_ == nullptr) continue;
      const EdgeType& have = src.output_types_[n.inputs_[k].index];
      const EdgeType& want = n.input_types_[k];
      if (have.dtype != want.dtype || (want.ref && !have.ref)) {
        return InvalidArgumentError(StrCat("Input ", k, " of node ", n.name(), " was passed ",
                                           have.DebugString(), " from ", src.name(), ":",
                                           n.inputs_[k].index, " incompatible with expected ",
                                           want.DebugString(), "."));
      }
    }
  }

  // Topological order (Kahn), smallest ready id first.
  const int num = def.node_size();
  std::vector<int> pending(num, 0);
  std::vector<std::vector<int>> consumers(num);
  for (int i = 0; i < num; ++i) {
    const Node& n = *g->nodes_[i];
    for (const Edge& e : n.inputs_) consumers[e.node].push_back(i);
    for (int c : n.control_inputs_) consumers[c].push_back(i);
    pending[i] = static_cast<int>(n.inputs_.size() + n.control_inputs_.size());
    if (n.op() == "Merge" || n.op() == "RefMerge") {
      for (const Edge& e : n.inputs_) {
        const std::string& src = g->nodes_[e.node]->op();
        if (src == "NextIteration" || src == "RefNextIteration") {
          pending[i] = static_cast<int>(n.control_inputs_.size()) + 1;
          break;
        }
      }
    }
  }
  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
  for (int i = 0; i < num; ++i) {
    if (pending[i] == 0) ready.push(i);
  }
  while (!ready.empty()) {
    const int i = ready.top();
    ready.pop();
    g->order_.push_back(i);
    for (int c : consumers[i]) {
      if (--pending[c] == 0) ready.push(c);  // a loop Merge goes negative later
    }
  }
  if (static_cast<int>(g->order_.size()) < num) {
    // Walk producer-ward from an unordered node until a node repeats: every
    // unordered node has an unordered input, so the walk finds a cycle.
    int cur = 0;
    while (pending[cur] <= 0) ++cur;
    std::vector<int> path;
    std::unordered_map<int, size_t> position;
    while (position.count(cur) == 0) {
      position[cur] = path.size();
      path.push_back(cur);
      const Node& n = *g->nodes_[cur];
      int next = -1;
      for (const Edge& e : n.inputs_) {
        if (pending[e.node] > 0) { next = e.node; break; }
      }
      if (next < 0) {
        for (int c : n.control_inputs_) {
          if (pending[c] > 0) { next = c; break; }
        }
      }
      cur = next;
    }
    // path[k+1] feeds path[k], and cur feeds path.back(): the cycle in
    // data-flow order is cur, path.back(), ..., path[position[cur] + 1], cur.
    std::vector<int> cycle_nodes{cur};
    for (size_t k = path.size(); k-- > position[cur] + 1;) cycle_nodes.push_back(path[k]);
    cycle_nodes.push_back(cur);
    std::string cycle;
    const size_t len = cycle_nodes.size();
    for (size_t k = 0; k < len; ++k) {
      if (len > 21 && k == 10) {
        cycle += StrCat(" -> ... (", len - 1, " nodes)");
        k = len - 11;
      }
      cycle += StrCat(k > 0 ? " -> " : "", g->nodes_[cycle_nodes[k]]->name());
    }
    return InvalidArgumentError(
        StrCat(num - static_cast<int>(g->order_.size()), " nodes in a cycle: ", cycle));
  }
  return g;
}

std::map<std::string, std::vector<std::string>> Graph::MissingOps() const {
  std::map<std::string, std::vector<std::string>> missing;
  for (const auto& n : nodes_) {
    if (n->registration() == nullptr) missing[n->op()].push_back(n->name());
  }
  return missing;
}

std::string MissingOpsText(const std::map<std::string, std::vector<std::string>>& missing) {
  std::string out = StrCat(missing.size(), missing.size() == 1 ? " op" : " ops", " tfckpt lacks: ");
  bool first = true;
  for (const auto& [op, nodes] : missing) {
    out += StrCat(first ? "" : ", ", op, " (");
    first = false;
    if (nodes.size() > 1) out += StrCat(nodes.size(), " nodes: ");
    else out += "node ";
    for (size_t i = 0; i < nodes.size() && i < 3; ++i) out += StrCat(i ? ", '" : "'", nodes[i], "'");
    if (nodes.size() > 3) out += ", ...";
    out += ")";
  }
  return out;
}

}  // namespace tfckpt::graph
