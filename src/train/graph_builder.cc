#include "src/train/graph_builder.h"

#include <algorithm>
#include <cctype>

#include "src/train/shape_inference.h"
#include "src/train/variables.h"

namespace tfckpt::train {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string InputName(const Output& t) {
  return t.index == 0 ? t.op : StrCat(t.op, ":", t.index);
}

}  // namespace

// ---- Output / Operation / CollectionItem ------------------------------------

std::string Output::name() const { return StrCat(op, ":", index); }
DataType Output::dtype() const {
  return graph == nullptr ? tensorflow::DT_INVALID : graph->OutputType(*this).dtype;
}
bool Output::is_ref() const { return graph != nullptr && graph->OutputType(*this).ref; }
tensorflow::TensorShapeProto Output::shape() const {
  if (graph == nullptr) {
    tensorflow::TensorShapeProto p;
    p.set_unknown_rank(true);
    return p;
  }
  return graph->OutputShape(*this);
}

const tensorflow::NodeDef* Operation::node_def() const {
  return graph == nullptr ? nullptr : graph->FindNode(name);
}

CollectionItem CollectionItem::Int64(int64_t v) {
  CollectionItem c;
  c.kind = Kind::kInt64;
  c.i = v;
  return c;
}
CollectionItem CollectionItem::Float(double v) {
  CollectionItem c;
  c.kind = Kind::kFloat;
  c.f = v;
  return c;
}
CollectionItem CollectionItem::Bytes(std::string v) {
  CollectionItem c;
  c.kind = Kind::kBytes;
  c.text = std::move(v);
  return c;
}
CollectionItem CollectionItem::String(std::string v) {
  CollectionItem c;
  c.kind = Kind::kString;
  c.text = std::move(v);
  return c;
}
CollectionItem CollectionItem::Proto(std::string serialized) {
  CollectionItem c;
  c.kind = Kind::kProto;
  c.text = std::move(serialized);
  return c;
}
CollectionItem CollectionItem::Any(std::string type_url, std::string value) {
  CollectionItem c;
  c.kind = Kind::kAny;
  c.type_url = std::move(type_url);
  c.text = std::move(value);
  return c;
}
CollectionItem CollectionItem::Of(const Output& t) {
  CollectionItem c;
  c.kind = Kind::kTensor;
  c.text = t.name();
  return c;
}
CollectionItem CollectionItem::Of(const Operation& op) {
  CollectionItem c;
  c.kind = Kind::kOperation;
  c.text = op.name;
  return c;
}
std::string CollectionItem::ElementName() const {
  switch (kind) {
    case Kind::kVariable:
      return variable->op_name + ":0";
    case Kind::kTensor:
    case Kind::kOperation:
      return text;
    default:
      return "";
  }
}
bool CollectionItem::operator==(const CollectionItem& o) const {
  return kind == o.kind && variable == o.variable && text == o.text && type_url == o.type_url &&
         i == o.i &&
         (f == o.f || (f != f && o.f != o.f));
}

bool GraphKeys::IsVariableCollection(std::string_view key) {
  return key == kGlobalVariables || key == kTrainableVariables || key == kLocalVariables ||
         key == kModelVariables || key == kMovingAverageVariables || key == kGlobalStep ||
         key == kMetricVariables;
}

// ---- Graph --------------------------------------------------------------------

Graph::Graph(const GraphOptions& options)
    : options_(options),
      registry_(options.registry != nullptr ? options.registry : &TrainingOpRegistry()),
      var_store_(std::make_unique<VarStore>()) {
  def_.mutable_versions()->set_producer(kGraphDefVersion);
}

Graph::~Graph() = default;

void Graph::RecordError(const Status& s) {
  if (status_.ok() && !s.ok()) status_ = s;
}

std::string Graph::UniqueName(const std::string& name_in, bool mark_as_used) {
  std::string name = name_stack_.empty() ? name_in : StrCat(name_stack_, "/", name_in);
  std::string key = Lower(name);
  auto it = names_in_use_.find(key);
  int i = it == names_in_use_.end() ? 0 : it->second;
  if (mark_as_used) names_in_use_[key] = i + 1;
  if (i > 0) {
    const std::string base = key;
    while (names_in_use_.count(key) != 0) {
      key = StrCat(base, "_", i);
      ++i;
    }
    if (mark_as_used) names_in_use_[key] = 1;
    name = StrCat(name, "_", i - 1);
  }
  return name;
}

const tensorflow::NodeDef* Graph::FindNode(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &def_.node(it->second);
}

tensorflow::NodeDef* Graph::MutableNode(std::string_view name) {
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return nullptr;
  ++version_;
  return def_.mutable_node(it->second);
}

int Graph::NumOutputs(std::string_view op) const {
  auto it = by_name_.find(op);
  return it == by_name_.end() ? -1 : static_cast<int>(info_[it->second].types.size());
}

graph::EdgeType Graph::OutputType(const Output& t) const {
  auto it = by_name_.find(t.op);
  if (it == by_name_.end()) return {};
  const NodeInfo& info = info_[it->second];
  if (t.index < 0 || t.index >= static_cast<int>(info.types.size())) return {};
  return info.types[t.index];
}

tensorflow::TensorShapeProto Graph::OutputShape(const Output& t) const {
  auto it = by_name_.find(t.op);
  if (it != by_name_.end()) {
    const NodeInfo& info = info_[it->second];
    if (t.index >= 0 && t.index < static_cast<int>(info.shapes.size())) {
      return info.shapes[t.index];
    }
  }
  tensorflow::TensorShapeProto p;
  p.set_unknown_rank(true);
  return p;
}

std::vector<std::string> Graph::ColocationGroups(std::string_view op) const {
  const tensorflow::NodeDef* n = FindNode(op);
  if (n != nullptr) {
    auto it = n->attr().find("_class");
    if (it != n->attr().end() && it->second.list().s_size() > 0) {
      std::vector<std::string> out;
      for (const auto& s : it->second.list().s()) {
        if (s.rfind("loc:@", 0) == 0) out.push_back(s);
      }
      if (!out.empty()) return out;
    }
  }
  return {StrCat("loc:@", op)};
}

void Graph::SetAttr(std::string_view op, const std::string& key, const tensorflow::AttrValue& v) {
  tensorflow::NodeDef* n = MutableNode(op);
  if (n != nullptr) (*n->mutable_attr())[key] = v;
}

std::string Graph::CurrentDevice() const {
  DeviceSpec acc;
  for (const DeviceEntry& e : devices_) {
    if (e.reset) {
      acc = DeviceSpec();
      continue;
    }
    auto spec = DeviceSpec::FromString(e.spec);
    if (spec.ok()) acc = acc.MergedWith(*spec);
  }
  return acc.ToString();
}

std::vector<std::string> Graph::CurrentControlDependencies() const {
  std::vector<std::string> out;
  for (const Controller& c : controllers_) {
    for (const std::string& s : c.control_inputs) {
      if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
    }
  }
  return out;
}

void Graph::IndexNode(int i, NodeInfo info) {
  const std::string& name = def_.node(i).name();
  by_name_[name] = i;
  if (static_cast<int>(info_.size()) <= i) info_.resize(i + 1);
  info_[i] = std::move(info);
  ++version_;
}

std::vector<std::string> Graph::ControlInputsFor(const std::set<std::string>& input_ops) const {
  std::vector<std::string> control;
  for (const Controller& c : controllers_) {
    bool dominated = false;
    for (const std::string& op : input_ops) {
      if (c.seen.count(op) != 0) {
        dominated = true;
        break;
      }
    }
    if (dominated) continue;
    for (const std::string& ci : c.control_inputs) {
      if (input_ops.count(ci) == 0 && std::find(control.begin(), control.end(), ci) == control.end()) {
        control.push_back(ci);
      }
    }
  }
  return control;
}

namespace {

// Every input names an existing output.
Status CheckInputs(const Graph& g, const std::string& type, const std::vector<Output>& inputs) {
  for (const Output& in : inputs) {
    if (!in.valid()) {
      return InvalidArgumentError(StrCat("An input of the new ", type, " op is invalid"));
    }
    const int n = g.NumOutputs(in.op);
    if (n < 0) return InvalidArgumentError(StrCat("Input node '", in.op, "' is not in the graph"));
    if (in.index < 0 || in.index >= n) {
      return InvalidArgumentError(StrCat("Input '", in.name(), "': op ", in.op, " has ", n,
                                         " outputs"));
    }
  }
  return OkStatus();
}

// Colocation: the scopes' (`coloc`), then (innermost) the reference inputs',
// whose device the op takes; otherwise the current device. Sets the node's
// device and "_class".
void ColocateAndPlace(const Graph& g, const graph::OpRegistration* reg,
                      const std::vector<Output>& inputs, std::vector<std::string> coloc,
                      tensorflow::NodeDef* nd) {
  bool devices_suspended = false;
  if (reg != nullptr) {
    size_t k = 0;
    for (const auto& arg : reg->op_def.input_arg()) {
      if (k >= inputs.size()) break;
      if (arg.is_ref()) {
        coloc.push_back(inputs[k].op);
        devices_suspended = true;
      }
      ++k;  // the ops we build have no list-valued reference arguments
    }
  }
  std::string device = devices_suspended ? "" : g.CurrentDevice();
  if (!coloc.empty()) {
    std::set<std::string> groups;
    bool device_set = false;
    for (auto it = coloc.rbegin(); it != coloc.rend(); ++it) {
      for (auto& group : g.ColocationGroups(*it)) groups.insert(group);
      const tensorflow::NodeDef* c = g.FindNode(*it);
      if (!device_set && c != nullptr && !c->device().empty()) {
        device = c->device();
        device_set = true;
      }
    }
    tensorflow::AttrValue cls;
    for (const auto& group : groups) cls.mutable_list()->add_s(group);
    (*nd->mutable_attr())["_class"] = cls;
  }
  nd->set_device(device);
}

// Control inputs (TF's _control_dependencies_for_inputs) in the order TF
// adds them (the scopes', outer first, then explicit ones); ToGraphDef
// sorts them, as TF's Graph::ToGraphDef does.
Status AddControlInputs(const Graph& g, const std::vector<Output>& inputs,
                        const std::vector<std::string>& explicit_inputs, tensorflow::NodeDef* nd) {
  std::set<std::string> input_ops;
  for (const Output& in : inputs) input_ops.insert(in.op);
  std::vector<std::string> control = g.ControlInputsFor(input_ops);
  for (const std::string& ci : explicit_inputs) {
    if (std::find(control.begin(), control.end(), ci) == control.end()) control.push_back(ci);
  }
  for (const std::string& ci : control) {
    if (g.FindNode(ci) == nullptr) {
      return InvalidArgumentError(StrCat("Control input '", ci, "' is not in the graph"));
    }
    nd->add_input(StrCat("^", ci));
  }
  return OkStatus();
}

// The node's output types; each input's type must be what the op takes.
Status CheckTypes(const Graph& g, const tensorflow::NodeDef& nd, const graph::OpRegistration& reg,
                  const std::vector<Output>& inputs, std::vector<graph::EdgeType>* out_types) {
  std::vector<graph::EdgeType> in_types;
  Status s = graph::InOutTypes(nd, reg.op_def, &in_types, out_types);
  if (!s.ok()) return InvalidArgumentError(StrCat("Node '", nd.name(), "': ", s.message()));
  if (in_types.size() != inputs.size()) {
    return InvalidArgumentError(StrCat("Node '", nd.name(), "': op ", nd.op(), " takes ",
                                       in_types.size(), " inputs, ", inputs.size(), " given"));
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    const graph::EdgeType got = g.OutputType(inputs[i]);
    const graph::EdgeType& want = in_types[i];
    if (got.dtype == tensorflow::DT_INVALID) continue;  // unregistered producer
    if (got.dtype != want.dtype || (want.ref && !got.ref)) {
      return InvalidArgumentError(StrCat("Input ", i, " of node ", nd.name(), " was passed ",
                                         got.DebugString(), " from ", inputs[i].name(),
                                         " incompatible with expected ", want.DebugString(),
                                         "."));
    }
  }
  return OkStatus();
}

}  // namespace

StatusOr<Operation> Graph::CreateOp(const std::string& type, const std::string& name,
                                    const std::vector<Output>& inputs, AttrMap attrs,
                                    const OpOptions& options) {
  TFCKPT_RETURN_IF_ERROR(CheckInputs(*this, type, inputs));
  std::string op_name;
  if (!name.empty() && name.back() == '/') {
    op_name = name.substr(0, name.size() - 1);
  } else {
    op_name = UniqueName(name.empty() ? type : name);
  }
  if (by_name_.count(op_name) != 0) {
    return InvalidArgumentError(StrCat("Duplicate node name in graph: '", op_name, "'"));
  }
  const graph::OpRegistration* reg = registry_->Find(type);
  if (reg == nullptr && !options_.allow_unregistered_ops) {
    return NotFoundError(StrCat("Op type not registered '", type, "' in tfckpt's graph engine"));
  }
  tensorflow::NodeDef nd;
  nd.set_name(op_name);
  nd.set_op(type);
  for (const Output& in : inputs) nd.add_input(InputName(in));
  auto& attr = *nd.mutable_attr();
  for (auto& [k, v] : attrs) attr[k] = std::move(v);
  for (auto it = attr_scopes_.rbegin(); it != attr_scopes_.rend(); ++it) {
    for (const auto& [k, v] : *it) attr.insert({k, v});
  }
  if (reg != nullptr) {
    for (const auto& a : reg->op_def.attr()) {
      if (a.has_default_value() && attr.count(a.name()) == 0) attr[a.name()] = a.default_value();
    }
  }
  ColocateAndPlace(*this, reg, inputs, colocation_, &nd);
  TFCKPT_RETURN_IF_ERROR(AddControlInputs(*this, inputs, options.control_inputs, &nd));

  NodeInfo info;
  if (reg != nullptr) TFCKPT_RETURN_IF_ERROR(CheckTypes(*this, nd, *reg, inputs, &info.types));
  info.shapes = InferOutputShapes(*this, nd, static_cast<int>(info.types.size()));
  const int index = def_.node_size();
  *def_.add_node() = std::move(nd);
  IndexNode(index, std::move(info));
  for (Controller& c : controllers_) c.seen.insert(op_name);
  return Operation{this, op_name};
}

Status Graph::AddNodeDef(tensorflow::NodeDef node) {
  if (by_name_.count(node.name()) != 0) {
    return InvalidArgumentError(StrCat("Duplicate node name in graph: '", node.name(), "'"));
  }
  NodeInfo info;
  const graph::OpRegistration* reg = registry_->Find(node.op());
  if (reg == nullptr && !options_.allow_unregistered_ops) {
    return NotFoundError(StrCat("Op type not registered '", node.op(),
                                "' in tfckpt's graph engine"));
  }
  if (reg != nullptr) {
    for (const auto& a : reg->op_def.attr()) {
      if (a.has_default_value() && node.attr().count(a.name()) == 0) {
        (*node.mutable_attr())[a.name()] = a.default_value();
      }
    }
    std::vector<graph::EdgeType> in_types;
    Status s = graph::InOutTypes(node, reg->op_def, &in_types, &info.types);
    if (!s.ok()) return InvalidArgumentError(StrCat("Node '", node.name(), "': ", s.message()));
  }
  auto it = node.attr().find("_output_shapes");
  if (it != node.attr().end()) {
    for (const auto& sh : it->second.list().shape()) info.shapes.push_back(sh);
    node.mutable_attr()->erase("_output_shapes");
    if (reg == nullptr) info.types.resize(info.shapes.size());
  }
  if (info.shapes.size() != info.types.size()) {
    info.shapes = InferOutputShapes(*this, node, static_cast<int>(info.types.size()));
  }
  names_in_use_.insert({Lower(node.name()), 1});
  const int index = def_.node_size();
  const std::string name = node.name();
  *def_.add_node() = std::move(node);
  IndexNode(index, std::move(info));
  for (Controller& c : controllers_) c.seen.insert(name);
  return OkStatus();
}

tensorflow::GraphDef Graph::ToGraphDef(bool add_shapes, bool sort_control_inputs) const {
  tensorflow::GraphDef out = def_;
  if (sort_control_inputs) {
    for (auto& node : *out.mutable_node()) {
      auto* in = node.mutable_input();
      auto first = std::find_if(in->begin(), in->end(),
                                [](const std::string& s) { return !s.empty() && s[0] == '^'; });
      std::sort(first, in->end());
    }
  }
  if (add_shapes) {
    for (int i = 0; i < out.node_size(); ++i) {
      const NodeInfo& info = info_[i];
      if (info.shapes.empty()) continue;
      auto* list = (*out.mutable_node(i)->mutable_attr())["_output_shapes"].mutable_list();
      for (const auto& s : info.shapes) *list->add_shape() = s;
    }
  }
  return out;
}

StatusOr<Output> Graph::GetTensorByName(const std::string& name) {
  const size_t colon = name.rfind(':');
  if (colon == std::string::npos) {
    if (HasNode(name)) {
      return InvalidArgumentError(StrCat("The name '", name,
                                         "' refers to an Operation, not a Tensor. Tensor names "
                                         "must be of the form \"<op_name>:<output_index>\"."));
    }
    return InvalidArgumentError(StrCat("The name '", name,
                                       "' looks like an (invalid) Operation name, not a Tensor. "
                                       "Tensor names must be of the form "
                                       "\"<op_name>:<output_index>\"."));
  }
  const std::string op = name.substr(0, colon);
  int index = 0;
  try {
    size_t used = 0;
    index = std::stoi(name.substr(colon + 1), &used);
    if (used != name.size() - colon - 1) throw std::invalid_argument("x");
  } catch (...) {
    return InvalidArgumentError(StrCat("The name '", name,
                                       "' looks a like a Tensor name, but is not a valid one. "
                                       "Tensor names must be of the form "
                                       "\"<op_name>:<output_index>\"."));
  }
  const int n = NumOutputs(op);
  if (n < 0) {
    return NotFoundError(StrCat("The name '", name, "' refers to a Tensor which does not exist. ",
                                "The operation, '", op, "', does not exist in the graph."));
  }
  if (index < 0 || index >= n) {
    return NotFoundError(StrCat("The name '", name, "' refers to a Tensor which does not exist. ",
                                "The operation, '", op, "', exists but only has ", n,
                                " outputs."));
  }
  return Output{this, op, index};
}

StatusOr<Operation> Graph::GetOperationByName(const std::string& name) {
  if (name.find(':') != std::string::npos) {
    return InvalidArgumentError(
        StrCat("Name '", name, "' appears to refer to a Tensor, not a Operation."));
  }
  if (!HasNode(name)) {
    return NotFoundError(StrCat("The name '", name, "' refers to an Operation not in the graph."));
  }
  return Operation{this, name};
}

// ---- collections --------------------------------------------------------------

void Graph::AddToCollection(const std::string& key, CollectionItem item) {
  collections_[key].push_back(std::move(item));
}

void Graph::AddToCollections(const std::vector<std::string>& keys, const CollectionItem& item) {
  std::set<std::string> seen;
  for (const std::string& k : keys) {
    if (seen.insert(k).second) AddToCollection(k, item);
  }
}

std::vector<CollectionItem> Graph::GetCollection(const std::string& key,
                                                 const std::string& scope) const {
  auto it = collections_.find(key);
  if (it == collections_.end()) return {};
  if (scope.empty()) return it->second;
  std::vector<CollectionItem> out;
  for (const CollectionItem& c : it->second) {
    const std::string n = c.ElementName();
    if (!n.empty() && n.rfind(scope, 0) == 0) out.push_back(c);
  }
  return out;
}

std::vector<CollectionItem>* Graph::MutableCollection(const std::string& key) {
  return &collections_[key];
}

void Graph::ClearCollection(const std::string& key) { collections_.erase(key); }

std::vector<std::string> Graph::GetAllCollectionKeys() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : collections_) out.push_back(k);
  return out;
}

std::pair<int64_t, int64_t> Graph::GetSeed(std::optional<int64_t> op_seed) {
  constexpr int64_t kMaxInt32 = (int64_t{1} << 31) - 1;
  constexpr int64_t kDefaultGraphSeed = 87654321;
  auto truncate = [&](int64_t s) { return s % kMaxInt32; };
  int64_t a = 0, b = 0;
  if (seed_.has_value()) {
    if (!op_seed.has_value()) op_seed = seed_offset_++;
    a = truncate(*seed_);
    b = truncate(*op_seed);
  } else if (op_seed.has_value()) {
    a = kDefaultGraphSeed;
    b = truncate(*op_seed);
  } else {
    return {0, 0};  // (None, None): the ops' seed attrs stay 0
  }
  if (a == 0 && b == 0) return {0, kMaxInt32};
  return {a, b};
}

}  // namespace tfckpt::train
