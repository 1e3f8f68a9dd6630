#include "src/check/model_check.h"

#include <map>
#include <set>
#include <vector>

#include "proto/meta_graph.pb.h"
#include "proto/saved_model.pb.h"
#include "src/bundle/bundle_reader.h"
#include "src/bundle/naming.h"
#include "src/check/bundle_check.h"
#include "src/check/graph_check.h"
#include "src/check/model_object_graph.h"
#include "src/check/slices_check.h"
#include "src/graph/function_body.h"
#include "src/saved_model/constants.h"
#include "src/saved_model/loader.h"

namespace tfckpt::check {
namespace {

using saved_model::kSavedModelInitOpSignatureKey;

void Add(Report* r, DefectCode code, const std::string& file, std::string message,
         std::string key = "") {
  r->Add(Defect{code, file, std::nullopt, std::move(key), std::move(message)});
}

// Resolves the names a MetaGraph uses against its graph: the built graph
// when Graph::Build succeeded, else the NodeDefs' names alone.
class Names {
 public:
  Names(const tensorflow::GraphDef& def, const graph::Graph* g) : g_(g) {
    for (const auto& n : def.node()) {
      nodes_.insert(n.name());
      for (const std::string& in : n.input()) {
        auto t = graph::ParseTensorName(in);
        if (t.ok() && !t->control()) consumer_.emplace(t->node, n.name());
      }
    }
  }

  // A node with a data input from `node` ("" if none).
  std::string ConsumerOf(const std::string& node) const {
    auto it = consumer_.find(node);
    return it == consumer_.end() ? "" : StrCat("node '", it->second, "'");
  }

  // Why `name` is not a tensor ("node:i") of the graph; "" if it is.
  std::string TensorProblem(const std::string& name) const {
    auto t = graph::ParseTensorName(name);
    if (!t.ok() || t->control()) return "is not a tensor name";
    if (nodes_.count(t->node) == 0) return StrCat("names no node of the graph ('", t->node, "')");
    const graph::Node* n = g_ != nullptr ? g_->FindNode(t->node) : nullptr;
    if (n != nullptr && n->registration() != nullptr && t->index >= n->num_outputs()) {
      return StrCat("names output ", t->index, " of node ", t->node, " (", n->op(), "), which has ",
                    n->num_outputs(), " output(s)");
    }
    return "";
  }
  // Why `name` ("op", "^op" or "op:0") names no node; "" if it does.
  std::string NodeProblem(const std::string& name) const {
    auto t = graph::ParseTensorName(!name.empty() && name[0] == '^' ? name.substr(1) : name);
    if (!t.ok() || nodes_.count(t->node) == 0) return "names no node of the graph";
    return "";
  }

 private:
  const graph::Graph* g_;
  std::set<std::string> nodes_;
  std::map<std::string, std::string> consumer_;  // node -> its first consumer
};

// Every tensor name a TensorInfo holds (dense, COO sparse, composite).
void TensorInfoNames(const tensorflow::TensorInfo& info, std::vector<std::string>* out) {
  if (info.has_coo_sparse()) {
    out->push_back(info.coo_sparse().values_tensor_name());
    out->push_back(info.coo_sparse().indices_tensor_name());
    out->push_back(info.coo_sparse().dense_shape_tensor_name());
  } else if (info.has_composite_tensor()) {
    for (const auto& c : info.composite_tensor().components()) TensorInfoNames(c, out);
  } else {
    out->push_back(info.name());
  }
}

void CheckSignatures(const tensorflow::MetaGraphDef& mg, const Names& names,
                     const std::string& file, const std::string& where, Report* r) {
  for (const auto& [key, sig] : mg.signature_def()) {
    // The init/train "signatures" name an op to run, not tensors.
    const bool op_only = key == kSavedModelInitOpSignatureKey ||
                         key == saved_model::kSavedModelTrainOpSignatureKey;
    for (const auto* side : {&sig.inputs(), &sig.outputs()}) {
      const char* kind = side == &sig.inputs() ? "input" : "output";
      for (const auto& [arg, info] : *side) {
        std::vector<std::string> tensors;
        TensorInfoNames(info, &tensors);
        for (const std::string& t : tensors) {
          const std::string why = op_only ? names.NodeProblem(t) : names.TensorProblem(t);
          if (why.empty()) continue;
          Add(r, op_only ? DefectCode::kBadMetaGraph : DefectCode::kBadSignature, file,
              StrCat(where, ": signature '", key, "' ", kind, " '", arg, "' is '", t, "', which ",
                     why));
        }
      }
    }
  }
}

// saver_def, assets and the init op: names TF's loader resolves.
void CheckLoaderNames(const tensorflow::MetaGraphDef& mg, const Names& names,
                      const std::string& file, const std::string& where, Report* r) {
  auto bad = [&](const std::string& what, const std::string& name, const std::string& why) {
    if (!why.empty()) {
      Add(r, DefectCode::kBadMetaGraph, file, StrCat(where, ": ", what, " '", name, "' ", why));
    }
  };
  if (mg.has_saver_def()) {
    const auto& s = mg.saver_def();
    bad("saver_def.filename_tensor_name", s.filename_tensor_name(),
        names.TensorProblem(s.filename_tensor_name()));
    bad("saver_def.restore_op_name", s.restore_op_name(), names.NodeProblem(s.restore_op_name()));
    if (!s.save_tensor_name().empty()) {
      bad("saver_def.save_tensor_name", s.save_tensor_name(),
          names.TensorProblem(s.save_tensor_name()));
    }
  }
  for (const char* key : {saved_model::kSavedModelMainOpKey,
                          saved_model::kSavedModelLegacyInitOpKey}) {
    auto it = mg.collection_def().find(key);
    if (it == mg.collection_def().end()) continue;
    for (const std::string& op : it->second.node_list().value()) {
      bad(StrCat("collection ", key, " op"), op, names.NodeProblem(op));
    }
  }
}

// Assets: tensors resolve; in a SavedModel (assets_dir non-empty) each file
// is in assets/.
void CheckAssets(io::Env* env, const tensorflow::MetaGraphDef& mg, const Names& names,
                 const std::string& file, const std::string& where, const std::string& assets_dir,
                 Report* r) {
  auto assets = saved_model::AssetFileDefs(mg, file);
  if (!assets.ok()) {
    Add(r, DefectCode::kBadMetaGraph, file, StrCat(where, ": ", assets.status().message()));
    return;
  }
  std::set<std::string> missing;
  for (const auto& a : *assets) {
    const std::string& t = a.tensor_info().name();
    if (std::string why = names.TensorProblem(t); !why.empty()) {
      Add(r, DefectCode::kBadMetaGraph, file, StrCat(where, ": asset tensor '", t, "' ", why));
    }
    if (assets_dir.empty()) continue;
    const std::string path = io::JoinPath(assets_dir, a.filename());
    if ((!a.filename().empty() && env->FileExists(path) && !env->IsDirectory(path)) ||
        !missing.insert(a.filename()).second) {
      continue;
    }
    // TF's loader only feeds the path; what fails is an op reading it. An
    // asset tensor nothing consumes (TF Serving's half_plus_two "foo.txt")
    // loads and runs in TF: noted, not a defect.
    auto tn = graph::ParseTensorName(t);
    const std::string consumer = tn.ok() ? names.ConsumerOf(tn->node) : "";
    if (consumer.empty()) {
      r->notes.push_back(StrCat(where, ": asset '", a.filename(), "' is not in ", assets_dir,
                                ", but no op consumes its tensor ", t));
      continue;
    }
    Add(r, DefectCode::kMissingAsset, file,
        StrCat(where, ": asset '", a.filename(), "' is not a file: ", path,
               " does not exist; TensorFlow's loader feeds its path to ", t, ", and ",
               consumer, ", which reads it, fails"));
  }
}

struct RestoreKey {
  std::string key;
  tensor::DataType dtype = tensorflow::DT_INVALID;  // DT_INVALID: not stated
  std::string node;                                 // the RestoreV2
};

// The keys of RestoreV2 nodes, each with its tensor_names Const found by
// the name its input 1 gives (`nodes`: the graph's or a function body's).
void KeysOf(const google::protobuf::RepeatedPtrField<tensorflow::NodeDef>& body,
            const std::string& scope, const std::string& prefix, std::vector<RestoreKey>* out) {
  std::map<std::string, const tensorflow::NodeDef*> nodes;
  for (const auto& n : body) nodes[n.name()] = &n;
  for (const auto& n : body) {
    if (n.op() != "RestoreV2" || n.input_size() < 2 || n.name().compare(0, scope.size(), scope)) {
      continue;
    }
    auto c = nodes.find(n.input(1).substr(0, n.input(1).find(':')));
    if (c == nodes.end() || c->second->attr().count("value") == 0) continue;
    auto dtypes = n.attr().find("dtypes");
    const auto& keys = c->second->attr().at("value").tensor().string_val();
    for (int i = 0; i < keys.size(); ++i) {
      RestoreKey k{keys[i], tensorflow::DT_INVALID, prefix + n.name()};
      if (dtypes != n.attr().end() && i < dtypes->second.list().type_size()) {
        k.dtype = static_cast<tensor::DataType>(dtypes->second.list().type(i));
      }
      out->push_back(std::move(k));
    }
  }
}

// What the MetaGraph's Saver restores: RestoreV2 nodes of the saver's scope
// (TF1), or of the library functions its restore op calls (TF2).
std::vector<RestoreKey> RestoreKeys(const tensorflow::MetaGraphDef& mg) {
  std::vector<RestoreKey> keys;
  const std::string& restore_op = mg.saver_def().restore_op_name();
  if (restore_op.empty()) return keys;
  const auto& g = mg.graph_def();
  KeysOf(g.node(), restore_op.substr(0, restore_op.find('/') + 1), "", &keys);
  std::vector<std::string> calls;
  for (const auto& n : g.node()) {
    if (n.name() == restore_op) graph::AppendCalledFunctions(n, &calls);
  }
  for (const tensorflow::FunctionDef* f : graph::ReachableFunctions(g.library(), calls)) {
    KeysOf(f->node_def(), "", StrCat(f->signature().name(), "/"), &keys);
  }
  return keys;
}

// Each restored key is in the bundle with the RestoreV2's dtype; a graph
// node named like the key (a TF1 variable) has the bundle's shape. Returns
// the keys it reported.
std::set<std::string> CheckRestoredKeys(const tensorflow::MetaGraphDef& mg,
                                        const std::vector<RestoreKey>& keys,
                                        const bundle::BundleReader& reader,
                                        const std::string& file, const std::string& where,
                                        Report* r) {
  std::set<std::string> reported;
  std::map<std::string, const tensorflow::NodeDef*> nodes;
  for (const auto& n : mg.graph_def().node()) nodes[n.name()] = &n;
  for (const RestoreKey& k : keys) {
    auto e = reader.GetEntry(k.key);
    if (!e.ok()) {
      Add(r, DefectCode::kVariableMismatch, file,
          StrCat(where, " restores ", k.key, " (", k.node,
                 ") but the checkpoint has no such key"), k.key);
      reported.insert(k.key);
      continue;
    }
    if (k.dtype != tensorflow::DT_INVALID && k.dtype != e->proto.dtype()) {
      Add(r, DefectCode::kVariableMismatch, file,
          StrCat(where, " restores ", k.key, " as ", tensor::DataTypeName(k.dtype),
                 " but the checkpoint holds ", tensor::DataTypeName(e->proto.dtype())), k.key);
      reported.insert(k.key);
    }
    auto var = nodes.find(k.key);
    if (var == nodes.end()) continue;
    auto sh = var->second->attr().find("shape");
    if (sh == var->second->attr().end() || sh->second.shape().unknown_rank()) continue;
    auto graph_shape = tensor::TensorShape::FromProto(sh->second.shape());
    if (graph_shape.ok() && *graph_shape != e->shape) {
      Add(r, DefectCode::kVariableMismatch, file,
          StrCat("variable ", k.key, " has shape ", graph_shape->DebugString(), " in ", where,
                 " but ", e->shape.DebugString(), " in the checkpoint"), k.key);
      reported.insert(k.key);
    }
  }
  return reported;
}

// The checkpoint of a model (path::Resolve's answer, format not kNone):
// validated; nullptr unless it is a V2 bundle without defects (then its
// reader, to match the Saver's keys).
std::unique_ptr<bundle::BundleReader> CheckCheckpoint(io::Env* env, const path::ResolvedPath& c,
                                                      const ValidateOptions& options, Report* r) {
  const uint64_t before = r->errors() + r->warnings();
  const std::string& ckpt = c.checkpoint;
  if (c.format == path::Format::kV2) {
    CheckBundle(env, ckpt, options, r);
    if (r->errors() + r->warnings() != before) return nullptr;
    auto reader = bundle::BundleReader::Open(env, ckpt);
    return reader.ok() ? std::move(*reader) : nullptr;
  }
  CheckSlices(env, ckpt, options, r);
  r->notes.push_back(StrCat(ckpt, " is a V1 checkpoint: validated; the Saver's keys are not "
                            "matched against it"));
  return nullptr;
}

// One MetaGraph: graph, names, signatures, assets; then its Saver's keys
// against `reader` (or MISSING_VARIABLES when `has_checkpoint` is false).
void CheckMetaGraph(io::Env* env, const tensorflow::MetaGraphDef& mg, const std::string& file,
                    const std::string& where, const std::string& assets_dir, bool has_checkpoint,
                    const bundle::BundleReader* reader, Report* r) {
  CheckedGraph cg = CheckGraphDef(mg.graph_def(), file, where, r);
  const Names names(mg.graph_def(), cg.graph.get());
  CheckLoaderNames(mg, names, file, where, r);
  CheckSignatures(mg, names, file, where, r);
  CheckAssets(env, mg, names, file, where, assets_dir, r);
  const std::vector<RestoreKey> keys = RestoreKeys(mg);
  if (!has_checkpoint && !keys.empty()) {
    Add(r, DefectCode::kMissingVariables, file,
        StrCat(where, "'s Saver restores ", keys.size(), " key(s) (", keys[0].key,
               keys.size() > 1 ? ", ..." : "", ") but there is no checkpoint to restore them "
               "from; TensorFlow's loader fails (\"Unsuccessful TensorSliceReader constructor: "
               "Failed to find any matching files\")"));
  }
  if (reader == nullptr) return;
  const std::set<std::string> reported = CheckRestoredKeys(mg, keys, *reader, file, where, r);
  CheckObjectGraphVariables(mg, *reader, file, where, reported, r);
}

}  // namespace

void CheckSavedModel(io::Env* env, const path::ResolvedPath& saved_model,
                     const ValidateOptions& options, Report* r) {
  r->kind = "saved_model";
  const std::string& dir = saved_model.model;
  std::string file;
  auto sm = saved_model::ReadSavedModel(dir, env, &file);
  r->files.push_back(file.empty() ? io::JoinPath(dir, saved_model::kSavedModelFilenamePb) : file);
  const bool has_checkpoint = saved_model.format != path::Format::kNone;
  std::unique_ptr<bundle::BundleReader> reader;
  if (has_checkpoint) {
    reader = CheckCheckpoint(env, saved_model, options, r);
  } else {
    r->notes.push_back(StrCat(
        "no ", bundle::MetaFilename(io::JoinPath(dir, "variables/variables")),
        ": a SavedModel without variables"));
  }
  if (!sm.ok()) {
    Add(r, DefectCode::kSavedModel, r->files.back(),
        StrCat("TensorFlow's loader cannot read the SavedModel: ", sm.status().message()));
    return;
  }
  if (sm->meta_graphs_size() == 0) {
    Add(r, DefectCode::kSavedModel, file, "the SavedModel holds no MetaGraph");
  }
  const std::string assets_dir = io::JoinPath(dir, saved_model::kSavedModelAssetsDirectory);
  for (int m = 0; m < sm->meta_graphs_size(); ++m) {
    CheckMetaGraph(env, sm->meta_graphs(m), file, StrCat("MetaGraph ", m), assets_dir,
                   has_checkpoint, reader.get(), r);
  }
}

void CheckMetaGraphFile(io::Env* env, const std::string& meta,
                        const path::ResolvedPath& checkpoint, const ValidateOptions& options,
                        Report* r) {
  r->kind = "meta_graph";
  r->files.push_back(meta);
  std::unique_ptr<bundle::BundleReader> reader;
  if (checkpoint.format != path::Format::kNone) {
    r->notes.push_back(StrCat("validated ", meta, " with checkpoint ", checkpoint.checkpoint));
    reader = CheckCheckpoint(env, checkpoint, options, r);
  } else {
    r->notes.push_back(StrCat("no checkpoint found for ", meta, ": the graph alone is checked"));
  }
  tensorflow::MetaGraphDef mg;
  if (Status s = saved_model::ReadModelFile(meta, &mg, env); !s.ok()) {
    Add(r, DefectCode::kBadMetaGraph, meta, std::string(s.message()));
    return;
  }
  // A .meta alone is what import_meta_graph reads: a Saver without a
  // checkpoint is not a defect of the file (it is restored later, if ever).
  CheckMetaGraph(env, mg, meta, "the MetaGraph", "", /*has_checkpoint=*/true, reader.get(), r);
}

void CheckGraphDefFile(io::Env* env, const std::string& path, Report* r) {
  r->kind = "graph_def";
  r->files.push_back(path);
  tensorflow::GraphDef g;
  Status s = saved_model::ReadModelFile(path, &g, env);
  if (s.ok()) {
    CheckGraphDef(g, path, "the graph", r);
    return;
  }
  // `export_meta_graph(as_text=True)` names its files *.meta.pbtxt, say.
  tensorflow::MetaGraphDef mg;
  if (saved_model::ReadModelFile(path, &mg, env).ok()) {
    r->kind = "meta_graph";
    r->notes.push_back(StrCat(path, " is a MetaGraphDef (not a GraphDef): checked as one"));
    CheckMetaGraph(env, mg, path, "the MetaGraph", "", /*has_checkpoint=*/true, nullptr, r);
    return;
  }
  Add(r, DefectCode::kBadGraph, path, std::string(s.message()));
}

}  // namespace tfckpt::check
