#include "src/check/model_object_graph.h"

#include <deque>
#include <map>
#include <vector>

#include "proto/saved_object_graph.pb.h"
#include "proto/trackable_object_graph.pb.h"
#include "src/tensor/shape.h"

namespace tfckpt::check {
namespace {

// trackable.OBJECT_GRAPH_PROTO_KEY and the attribute name of a variable's
// value (trackable/base.py VARIABLE_VALUE_KEY).
constexpr char kObjectGraphKey[] = "_CHECKPOINTABLE_OBJECT_GRAPH";
constexpr char kVariableValue[] = "VARIABLE_VALUE";

void Mismatch(Report* r, const std::string& file, const std::string& key, std::string message) {
  r->Add(Defect{DefectCode::kVariableMismatch, file, std::nullopt, key, std::move(message)});
}

// Whether a checkpoint shape can be a variable of `want` (a SavedVariable's
// shape, which may leave its rank or some dims unknown).
bool Compatible(const tensorflow::TensorShapeProto& want, const tensor::TensorShape& got) {
  if (want.unknown_rank()) return true;
  if (want.dim_size() != got.rank()) return false;
  for (int i = 0; i < got.rank(); ++i) {
    if (want.dim(i).size() >= 0 && want.dim(i).size() != got.dim(i)) return false;
  }
  return true;
}

// The checkpoint's own object graph, or why there is none.
StatusOr<tensorflow::TrackableObjectGraph> ReadObjectGraph(const bundle::BundleReader& reader) {
  TFCKPT_ASSIGN_OR_RETURN(tensor::Tensor t, reader.Lookup(kObjectGraphKey));
  tensorflow::TrackableObjectGraph graph;
  if (t.dtype() != tensorflow::DT_STRING || t.strings().size() != 1 ||
      !graph.ParseFromString(t.strings()[0])) {
    return DataLossError(StrCat(kObjectGraphKey, " is not a serialized TrackableObjectGraph"));
  }
  return graph;
}

// SavedModel object id -> checkpoint object id, children paired by local
// name from the roots (node 0 of each), as tf.saved_model.load's restore
// matches the checkpoint to the objects it created.
std::map<int, int> MatchObjects(const tensorflow::SavedObjectGraph& saved,
                                const tensorflow::TrackableObjectGraph& ckpt) {
  std::map<int, int> match;
  std::deque<std::pair<int, int>> queue{{0, 0}};
  while (!queue.empty()) {
    auto [s, c] = queue.front();
    queue.pop_front();
    if (s < 0 || s >= saved.nodes_size() || c < 0 || c >= ckpt.nodes_size() ||
        !match.emplace(s, c).second) {
      continue;
    }
    std::map<std::string, int> children;
    for (const auto& ch : ckpt.nodes(c).children()) children.emplace(ch.local_name(), ch.node_id());
    for (const auto& ch : saved.nodes(s).children()) {
      auto it = children.find(ch.local_name());
      if (it != children.end()) queue.emplace_back(ch.node_id(), it->second);
    }
  }
  return match;
}

}  // namespace

void CheckObjectGraphVariables(const tensorflow::MetaGraphDef& mg,
                               const bundle::BundleReader& reader, const std::string& file,
                               const std::string& where, const std::set<std::string>& skip,
                               Report* r) {
  const auto& nodes = mg.object_graph_def().nodes();
  int variables = 0;
  for (const auto& n : nodes) variables += n.has_variable();
  if (variables == 0) return;
  auto graph = ReadObjectGraph(reader);
  if (!graph.ok()) {
    r->notes.push_back(StrCat(where, "'s object graph holds ", variables, " variable(s), but the "
                              "checkpoint's object graph cannot be read (",
                              graph.status().message(), "): their dtypes and shapes are not "
                              "checked"));
    return;
  }
  const std::map<int, int> match = MatchObjects(mg.object_graph_def(), *graph);
  std::vector<std::string> unsaved;
  for (int i = 0; i < nodes.size(); ++i) {
    if (!nodes[i].has_variable()) continue;
    const tensorflow::SavedVariable& v = nodes[i].variable();
    const std::string what = StrCat("variable '", v.name(), "' (object ", i, " of ", where, ")");
    std::string key;
    auto c = match.find(i);
    if (c != match.end()) {
      for (const auto& a : graph->nodes(c->second).attributes()) {
        if (a.name() == kVariableValue) key = a.checkpoint_key();
      }
    }
    if (key.empty()) {  // not restored; TF fails only if it is read
      unsaved.push_back(v.name());
      continue;
    }
    if (skip.count(key) > 0) continue;
    auto e = reader.GetEntry(key);
    if (!e.ok()) {
      Mismatch(r, file, key, StrCat(what, " is saved as ", key, ", which the checkpoint lacks"));
      continue;
    }
    if (e->proto.dtype() != v.dtype()) {
      Mismatch(r, file, key,
               StrCat(what, " is ", tensor::DataTypeName(v.dtype()), " but the checkpoint holds ",
                      key, " as ", tensor::DataTypeName(e->proto.dtype())));
    }
    if (!Compatible(v.shape(), e->shape)) {
      Mismatch(r, file, key,
               StrCat(what, " has shape ", tensor::ShapeProtoDebugString(v.shape()),
                      " but the checkpoint holds ", key, " with shape ", e->shape.DebugString(),
                      " (tf.saved_model.load: \"Received incompatible tensor with shape ",
                      e->shape.DebugString(), " when attempting to restore variable with shape ",
                      tensor::ShapeProtoDebugString(v.shape()), "\")"));
    }
  }
  if (!unsaved.empty()) {
    r->notes.push_back(StrCat(where, ": ", unsaved.size(), " variable(s) of the object graph (",
                              unsaved[0], unsaved.size() > 1 ? ", ..." : "",
                              ") have no value in the checkpoint's object graph"));
  }
}

}  // namespace tfckpt::check
