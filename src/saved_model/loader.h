// Loading models to run them: TF1 SavedModels, MetaGraph + checkpoint,
// legacy TF Serving session bundles and frozen GraphDefs, each into a
// Bundle {Session, MetaGraphDef, signatures} on the reference graph engine
// (src/graph, with the serving ops of serving_ops.h and the graph's function
// library, so TF2 SavedModels' StatefulPartitionedCall signatures run).
//
// LoadSavedModel follows TF's loader (tensorflow/cc/saved_model/loader.cc,
// python/saved_model/loader_impl.py; docs/FORMATS.md §6):
//  1. read <dir>/saved_model.pb, else saved_model.pbtxt (text, recursion
//     bounded); neither: NotFound with Python's text "SavedModel file does
//     not exist at: <dir>/{saved_model.pbtxt|saved_model.pb}";
//  2. take the first MetaGraphDef whose tag *set* equals the requested set;
//     none: NotFound with TF 2.21's Python text (golden/MANIFEST.json,
//     saved_model_simple_save / saved_model_builder errors): "MetaGraphDef
//     associated with tags 'train' could not be found in SavedModel, with
//     available tags '[{'serve'}]'. To inspect available tag-sets in the
//     SavedModel, please use the SavedModel CLI: `saved_model_cli`."
//     (Python prints each set in hash order; we print its tags sorted.)
//     We chose Python's wording over the C++ loader's ("Could not find meta
//     graph def matching supplied tags: { serve }. ...") because it names
//     the available tag-sets;
//  3. create the session (graph validated against the op registry; ops
//     tfckpt lacks are kept unless LoadOptions::allow_unregistered_ops is
//     false -- running one is then the error, naming op and node);
//  4. asset feeds: every AssetFileDef (field asset_file_def, else the
//     saved_model_assets collection of Any(AssetFileDef)) feeds
//     <dir>/assets/<filename> to its tensor, in the restore and init runs;
//  5. restore: when <dir>/variables/variables.index (or a V1 file
//     <dir>/variables/variables, as TF 1.x writes with a V1 Saver) exists and
//     there is a saver_def, run saver_def.restore_op_name with
//     filename_tensor_name fed <dir>/variables/variables; otherwise nothing
//     is restored (noted);
//  6. init op: signature __saved_model_init_op's output of that name, else
//     collection saved_model_main_op, else legacy_init_op (exactly one node:
//     FailedPrecondition "Expected exactly one main op in : <dir>"), run as
//     a target with the asset feeds.
// Every name the MetaGraph refers to for loading (saver tensors, asset
// tensors, init op) must resolve to a node of the graph: otherwise
// InvalidArgument naming the file, the field and the missing name
// (CVE-2020-15206). Signature tensors are checked when a signature runs
// (signature.h), so one bad signature does not prevent using the others.
//
// Errors name the file they concern.
#ifndef TFCKPT_SAVED_MODEL_LOADER_H_
#define TFCKPT_SAVED_MODEL_LOADER_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "proto/meta_graph.pb.h"
#include "proto/saved_model.pb.h"
#include "src/graph/op_registry.h"
#include "src/graph/session.h"
#include "src/io/env.h"
#include "src/io/status.h"

namespace tfckpt::saved_model {

enum class ModelKind {
  kSavedModel,     // <dir>/saved_model.pb(txt)
  kMetaGraph,      // .meta (+ checkpoint)
  kSessionBundle,  // <dir>/export.meta + export / export-?????-of-?????
  kFrozenGraph,    // GraphDef .pb / .pbtxt
};
const char* ModelKindName(ModelKind kind);  // "SavedModel", "MetaGraph", ...

struct LoadOptions {
  // Keep nodes of ops the engine lacks (running one is the error).
  bool allow_unregistered_ops = true;
  io::Env* env = nullptr;  // nullptr: io::Env::Default()
  uint64_t max_tensor_bytes = uint64_t{1} << 30;
  // For a .meta without a saver_def restored from a checkpoint: the
  // MetaGraph with TF's default Saver added, as tf.train.import_meta_graph
  // builds Saver() over the graph's variables then (TF 1.x's
  // export_meta_graph before any Saver existed; golden/tf-1.15/
  // meta_no_saver_def). The Saver builder is src/train, above this layer:
  // callers linking it set this (the CLI). Unset, or no variables: such a
  // .meta cannot be restored (FailedPrecondition).
  std::function<StatusOr<tensorflow::MetaGraphDef>(const tensorflow::MetaGraphDef&)>
      add_default_saver;
};

class Bundle {
 public:
  ModelKind kind() const { return kind_; }
  // The export directory, .meta or .pb as loaded.
  const std::string& path() const { return path_; }
  // For a frozen graph: only graph_def is set.
  const tensorflow::MetaGraphDef& meta_graph_def() const { return meta_graph_def_; }
  // The MetaGraph's signature_def (session bundles: up-converted from their
  // serving_signatures, as TF Serving's bundle_shim does).
  const std::map<std::string, tensorflow::SignatureDef>& signatures() const {
    return signatures_;
  }
  graph::Session* session() const { return session_.get(); }
  // What loading did, one line each ("restored variables from <prefix>",
  // "ran init op group_deps", "no variables/variables.index: nothing
  // restored"...).
  const std::vector<std::string>& log() const { return log_; }
  // Whether variables were restored from a checkpoint.
  bool restored() const { return restored_; }
  // Feeds every run of this bundle needs (asset paths).
  const std::vector<graph::Session::Feed>& asset_feeds() const { return asset_feeds_; }

 private:
  friend class Loader;
  ModelKind kind_ = ModelKind::kSavedModel;
  std::string path_;
  tensorflow::MetaGraphDef meta_graph_def_;
  std::map<std::string, tensorflow::SignatureDef> signatures_;
  std::vector<std::string> log_;
  bool restored_ = false;
  std::vector<graph::Session::Feed> asset_feeds_;
  // Declared before session_: nodes point into the registry.
  std::unique_ptr<graph::OpRegistry> registry_;
  std::unique_ptr<graph::Session> session_;
};

// Steps 1-2 of LoadSavedModel alone: the MetaGraphDef whose tag set equals
// `tags`, with the same errors, without creating a session (for tools that
// only need the graph, e.g. `tfckpt freeze`).
struct SavedModelMetaGraph {
  tensorflow::MetaGraphDef meta_graph;
  std::string file;  // <dir>/saved_model.pb or .pbtxt
  int index = -1;    // position in the SavedModel's meta_graphs
};
StatusOr<SavedModelMetaGraph> ReadSavedModelMetaGraph(const std::string& export_dir,
                                                     const std::vector<std::string>& tags,
                                                     io::Env* env = nullptr);

// Step 1 alone: every MetaGraph of <dir>/saved_model.pb (else .pbtxt), with
// the same errors; *file (if non-null) gets the file read.
StatusOr<tensorflow::SavedModel> ReadSavedModel(const std::string& export_dir,
                                                io::Env* env = nullptr,
                                                std::string* file = nullptr);

// A MetaGraphDef / GraphDef file: binary, else text; errors name the file.
Status ReadModelFile(const std::string& path, google::protobuf::Message* msg,
                     io::Env* env = nullptr);

// Step 4's AssetFileDefs of a MetaGraph: field asset_file_def, else the
// saved_model_assets collection of Any(AssetFileDef); a malformed collection
// is InvalidArgument naming `file`. (Also used by `tfckpt validate`.)
StatusOr<std::vector<tensorflow::AssetFileDef>> AssetFileDefs(const tensorflow::MetaGraphDef& m,
                                                              const std::string& file);

StatusOr<std::unique_ptr<Bundle>> LoadSavedModel(const std::string& export_dir,
                                                 const std::vector<std::string>& tags,
                                                 const LoadOptions& options = {});

// A MetaGraphDef file (binary, else text) restored from `checkpoint`: a V2
// prefix, a V1 file or shard pattern, or a directory with a `checkpoint`
// state file (its latest checkpoint). Empty `checkpoint`: nothing restored.
// No init op runs (as after tf.train.import_meta_graph + Saver.restore).
StatusOr<std::unique_ptr<Bundle>> LoadMetaGraphAndCheckpoint(const std::string& meta_path,
                                                             const std::string& checkpoint,
                                                             const LoadOptions& options = {});

// A legacy session bundle (TF Serving's session_bundle.cc): export.meta,
// graph from the serving_graph collection when present, assets from
// serving_assets, variables <dir>/export (or export.index) else
// <dir>/export-?????-of-?????, init op serving_init_op. Signatures from
// serving_signatures (tensorflow.serving.Signatures, decoded field by field:
// regression, classification and generic signatures) are up-converted like
// bundle_shim.cc: a default regression/classification signature becomes
// "serving_default" (regress/classify), named generic "inputs" + "outputs"
// become a predict signature ("serving_default", or
// "serving_default_from_named" when taken), other named regression /
// classification signatures keep their names.
StatusOr<std::unique_ptr<Bundle>> LoadSessionBundle(const std::string& export_dir,
                                                    const LoadOptions& options = {});

// A GraphDef file (binary, else text). No signatures: run tensors by name.
StatusOr<std::unique_ptr<Bundle>> LoadFrozenGraph(const std::string& path,
                                                  const LoadOptions& options = {});

// Picks the loader for `path`: a directory with saved_model.pb(txt) ->
// SavedModel (tags); with export.meta -> session bundle; a file named
// saved_model.pb(txt) -> its directory as SavedModel; "*.meta" -> MetaGraph
// (checkpoint: `checkpoint`, else the .meta's own prefix if a checkpoint
// exists there, else the directory's `checkpoint` state); anything else ->
// frozen GraphDef.
struct ModelSpec {
  std::string path;
  std::vector<std::string> tags = {"serve"};
  std::string checkpoint;
};
StatusOr<std::unique_ptr<Bundle>> LoadModel(const ModelSpec& spec, const LoadOptions& options = {});

// Python's repr of a str ('serve', "it's"), for messages quoting TF's.
std::string PythonRepr(const std::string& s);

}  // namespace tfckpt::saved_model

#endif  // TFCKPT_SAVED_MODEL_LOADER_H_
