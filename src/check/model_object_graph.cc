#include "src/check/model_object_graph.h"

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
    Mismatch(r, file, kObjectGraphKey,
             StrCat(where, "'s object graph holds ", variables, " variable(s), but the "
                    "checkpoint's object graph cannot be read (", graph.status().message(),
                    "): tf.saved_model.load cannot tell where they are saved"));
    return;
  }
  for (int i = 0; i < nodes.size(); ++i) {
    if (!nodes[i].has_variable()) continue;
    const tensorflow::SavedVariable& v = nodes[i].variable();
    const std::string what = StrCat("variable '", v.name(), "' (object ", i, " of ", where, ")");
    if (i >= graph->nodes_size()) {
      Mismatch(r, file, kObjectGraphKey,
               StrCat(what, " has no node in the checkpoint's object graph, which has ",
                      graph->nodes_size(), " nodes"));
      continue;
    }
    std::string key;
    for (const auto& a : graph->nodes(i).attributes()) {
      if (a.name() == kVariableValue) key = a.checkpoint_key();
    }
    if (key.empty()) {
      Mismatch(r, file, kObjectGraphKey,
               StrCat(what, ": node ", i, " of the checkpoint's object graph saves no ",
                      kVariableValue));
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
}

}  // namespace tfckpt::check
