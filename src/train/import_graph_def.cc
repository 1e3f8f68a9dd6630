#include "src/train/import_graph_def.h"

#include <algorithm>
#include <memory>
#include <set>

#include <google/protobuf/util/message_differencer.h>

#include "src/graph/graph.h"

namespace tfckpt::train {
namespace {

// Number of outputs of a GraphDef node, -1 if unknown (unregistered op).
int NumOutputs(const Graph& g, tensorflow::NodeDef node) {
  const graph::OpRegistration* reg = g.registry().Find(node.op());
  if (reg == nullptr) {
    auto it = node.attr().find("_output_shapes");
    return it == node.attr().end() ? -1 : it->second.list().shape_size();
  }
  for (const auto& a : reg->op_def.attr()) {
    if (a.has_default_value() && node.attr().count(a.name()) == 0) {
      (*node.mutable_attr())[a.name()] = a.default_value();
    }
  }
  std::vector<graph::EdgeType> in, out;
  if (!graph::InOutTypes(node, reg->op_def, &in, &out).ok()) return -1;
  return static_cast<int>(out.size());
}

std::string Canonical(const graph::TensorName& t) {
  return t.control() ? StrCat("^", t.node) : StrCat(t.node, ":", t.index);
}

void RemoveProducerDefaults(const Graph& g, const tensorflow::OpList& producer,
                            tensorflow::NodeDef* node) {
  const graph::OpRegistration* reg = g.registry().Find(node->op());
  if (reg == nullptr) return;
  const tensorflow::OpDef* prod = nullptr;
  for (const auto& op : producer.op()) {
    if (op.name() == node->op()) prod = &op;
  }
  if (prod == nullptr) return;
  std::vector<std::string> drop;
  for (const auto& [key, value] : node->attr()) {
    if (key.empty() || key[0] == '_') continue;
    bool known = false;
    for (const auto& a : reg->op_def.attr()) known = known || a.name() == key;
    if (known) continue;
    for (const auto& a : prod->attr()) {
      if (a.name() == key && a.has_default_value() &&
          google::protobuf::util::MessageDifferencer::Equals(a.default_value(), value)) {
        drop.push_back(key);
      }
    }
  }
  for (const auto& k : drop) node->mutable_attr()->erase(k);
}

}  // namespace

StatusOr<ImportResult> ImportGraphDef(Graph* g, const tensorflow::GraphDef& gd,
                                      const ImportOptions& o) {
  ImportResult res;
  {
    NameScope ns(g, o.name ? *o.name : std::string("import"));
    res.prefix = ns.scope().empty() ? "" : ns.scope().substr(0, ns.scope().size() - 1);
  }
  std::map<std::string, int> index;
  for (int i = 0; i < gd.node_size(); ++i) {
    if (!index.insert({gd.node(i).name(), i}).second) {
      return InvalidArgumentError(StrCat("Node '", gd.node(i).name(), "' is not unique"));
    }
  }
  std::map<std::string, Output> input_map;  // canonical key -> tensor
  for (const auto& [key, value] : o.input_map) {
    TFCKPT_ASSIGN_OR_RETURN(graph::TensorName t, graph::ParseTensorName(key));
    if (!value.valid()) return InvalidArgumentError(StrCat("input_map value for ", key, " is invalid"));
    input_map[Canonical(t)] = value;
  }
  // Return elements are checked before anything is added: tensors first.
  std::vector<std::pair<graph::TensorName, bool>> requested;
  for (const std::string& e : o.return_elements) {
    if (e.find(':') != std::string::npos) {
      TFCKPT_ASSIGN_OR_RETURN(graph::TensorName t, graph::ParseTensorName(e));
      requested.push_back({t, true});
    } else {
      requested.push_back({graph::TensorName{e, 0}, false});
    }
  }
  for (const auto& [t, is_tensor] : requested) {
    if (!is_tensor || input_map.count(Canonical(t)) != 0) continue;
    auto it = index.find(t.node);
    if (it == index.end()) {
      return InvalidArgumentError(StrCat("Requested return tensor '", t.node, ":", t.index,
                                         "' not found in graph def"));
    }
    const int n = NumOutputs(*g, gd.node(it->second));
    if (n >= 0 && (t.index < 0 || t.index >= n)) {
      return InvalidArgumentError(StrCat("Invalid return output ", t.index, " of node '", t.node,
                                         "', which has ", n, " output(s)"));
    }
  }
  for (const auto& [t, is_tensor] : requested) {
    if (!is_tensor && index.count(t.node) == 0) {
      return InvalidArgumentError(
          StrCat("Requested return node '", t.node, "' not found in graph def"));
    }
  }
  // New names (prefix, then uniquified against the graph).
  std::set<std::string> prefixed;
  for (const auto& n : gd.node()) {
    prefixed.insert(res.prefix.empty() ? n.name() : StrCat(res.prefix, "/", n.name()));
  }
  std::set<std::string> taken;
  for (const auto& n : gd.node()) {
    const std::string base = res.prefix.empty() ? n.name() : StrCat(res.prefix, "/", n.name());
    std::string name = base;
    int count = 0;
    while (g->HasNode(name) || taken.count(name) != 0 || (count > 0 && prefixed.count(name) != 0)) {
      name = StrCat(base, "_", ++count);
    }
    taken.insert(name);
    res.names[n.name()] = name;
  }
  // Dependencies and TF's processing order.
  std::vector<std::vector<int>> outputs(gd.node_size());
  std::vector<int> pending(gd.node_size(), 0);
  std::set<std::string> used_keys;
  for (int i = 0; i < gd.node_size(); ++i) {
    for (const std::string& in : gd.node(i).input()) {
      TFCKPT_ASSIGN_OR_RETURN(graph::TensorName t, graph::ParseTensorName(in));
      if (input_map.count(Canonical(t)) != 0) continue;
      auto it = index.find(t.node);
      if (it == index.end()) {
        return InvalidArgumentError(
            StrCat("Node '", gd.node(i).name(), "': Unknown input node '", in, "'"));
      }
      outputs[it->second].push_back(i);
      ++pending[i];
    }
  }
  std::set<int> ready;
  for (int i = 0; i < gd.node_size(); ++i) {
    if (pending[i] == 0) ready.insert(i);
  }
  std::vector<int> order;
  while (!ready.empty()) {
    const int i = *ready.begin();
    ready.erase(ready.begin());
    order.push_back(i);
    for (int j : outputs[i]) {
      if (--pending[j] == 0) ready.insert(j);
    }
  }
  if (order.size() != static_cast<size_t>(gd.node_size())) {
    std::string names;
    int shown = 0;
    for (int i = 0; i < gd.node_size() && shown < 3; ++i) {
      if (pending[i] > 0) {
        names += StrCat(shown++ == 0 ? "" : ", ", gd.node(i).name());
      }
    }
    return InvalidArgumentError(StrCat("Graph is invalid, contains a cycle with ",
                                       gd.node_size() - order.size(),
                                       " nodes, including: ", names));
  }
  std::vector<std::pair<std::string, std::vector<std::string>>> colocated;
  for (int i : order) {
    tensorflow::NodeDef node = gd.node(i);
    node.set_name(res.names[gd.node(i).name()]);
    for (int k = 0; k < node.input_size(); ++k) {
      TFCKPT_ASSIGN_OR_RETURN(graph::TensorName t, graph::ParseTensorName(node.input(k)));
      auto mapped = input_map.find(Canonical(t));
      if (mapped != input_map.end()) {
        used_keys.insert(mapped->first);
        const Output& m = mapped->second;
        node.set_input(k, t.control() ? StrCat("^", m.op)
                                      : (m.index == 0 ? m.op : StrCat(m.op, ":", m.index)));
        continue;
      }
      const std::string& src = res.names[t.node];
      node.set_input(k, t.control() ? StrCat("^", src)
                                    : (t.index == 0 ? src : StrCat(src, ":", t.index)));
    }
    auto cls = node.mutable_attr()->find("_class");
    if (cls != node.mutable_attr()->end()) {
      for (auto& s : *cls->second.mutable_list()->mutable_s()) {
        if (s.rfind("loc:@", 0) != 0) continue;
        auto it = res.names.find(s.substr(5));
        if (it != res.names.end()) s = StrCat("loc:@", it->second);
      }
    }
    if (o.producer_op_list != nullptr) RemoveProducerDefaults(*g, *o.producer_op_list, &node);
    // importer._ProcessNewOps: ops colocated with another op take that op's
    // device (second pass below); the others get their device merged under
    // the active device scopes.
    std::vector<std::string> coloc;
    auto c = node.attr().find("_class");
    if (c != node.attr().end()) {
      for (const auto& s : c->second.list().s()) {
        if (s.rfind("loc:@", 0) == 0 && s.substr(5) != node.name()) coloc.push_back(s.substr(5));
      }
    }
    if (!coloc.empty()) {
      colocated.push_back({node.name(), coloc});
      node.clear_device();
    } else {
      auto original = DeviceSpec::FromString(node.device());
      auto current = DeviceSpec::FromString(g->CurrentDevice());
      if (original.ok() && current.ok()) node.set_device(current->MergedWith(*original).ToString());
    }
    // _add_new_tf_operations: the active control dependencies, unless a data
    // input was itself created under them.
    std::set<std::string> input_ops;
    for (const auto& in : node.input()) {
      if (!in.empty() && in[0] != '^') input_ops.insert(in.substr(0, in.find(':')));
    }
    for (const std::string& ci : g->ControlInputsFor(input_ops)) {
      const std::string control = StrCat("^", ci);
      if (std::find(node.input().begin(), node.input().end(), control) == node.input().end()) {
        node.add_input(control);
      }
    }
    TFCKPT_RETURN_IF_ERROR(g->AddNodeDef(std::move(node)));
  }
  for (const auto& [name, targets] : colocated) {
    for (const std::string& t : targets) {
      const tensorflow::NodeDef* target = g->FindNode(t);
      if (target != nullptr && !target->device().empty()) {
        g->MutableNode(name)->set_device(target->device());
        break;
      }
    }
  }
  std::vector<std::string> unused;
  for (const auto& [key, value] : input_map) {
    if (used_keys.count(key) != 0) continue;
    TFCKPT_ASSIGN_OR_RETURN(graph::TensorName t, graph::ParseTensorName(key));
    auto it = index.find(t.node);
    if (it == index.end()) {
      unused.push_back(key);
      continue;
    }
    const int n = NumOutputs(*g, gd.node(it->second));
    if (!t.control() && n >= 0 && t.index >= n) unused.push_back(key);
  }
  if (!unused.empty()) {
    std::string list;
    for (size_t i = 0; i < unused.size(); ++i) list += StrCat(i > 0 ? ", " : "", unused[i]);
    return InvalidArgumentError(
        StrCat("Attempted to map inputs that were not found in graph_def: [", list, "]"));
  }
  for (const auto& [t, is_tensor] : requested) {
    ReturnElement e;
    e.is_tensor = is_tensor;
    if (is_tensor) {
      auto mapped = input_map.find(Canonical(t));
      e.tensor = mapped != input_map.end() ? mapped->second
                                           : Output{g, res.names[t.node], t.index};
    } else {
      e.op = Operation{g, res.names[t.node]};
    }
    res.elements.push_back(e);
  }
  return res;
}

}  // namespace tfckpt::train
