// Writing TF1 SavedModels: tf.compat.v1.saved_model.Builder
// (tensorflow/python/saved_model/builder_impl.py, TF 2.21) and
// tf.compat.v1.saved_model.simple_save, over a train::Graph / train::ClientSession.
//
//   auto b = SavedModelBuilder::Create(env, "export");
//   (*b)->AddMetaGraphAndVariables(&sess, &g, {"serve"}, sigs, assets, main_op);
//   (*b)->AddMetaGraph(&g, {"train"}, train_sigs);
//   (*b)->Save();                              // -> "export/saved_model.pb"
//
// What each step does, as TF's builder does (docs/FORMATS.md §6.1-6.2):
//  - Create: export_dir must not exist or be an empty directory, else
//    FailedPrecondition with TF's text "Export directory already exists, and
//    isn't empty. Please choose a different export directory, or delete all
//    the contents of the specified directory: <dir>".
//  - AddMetaGraphAndVariables (once, first): validates the signatures (every
//    TensorInfo needs name and dtype; the keys __saved_model_init_op /
//    __saved_model_train_op are reserved), records the assets (each a string
//    Const; AssetFileDef {tensor_info.name, filename = basename, "_1"...
//    when two different files share a basename} packed as Any into the
//    graph's collection `saved_model_assets`; files copied to assets/) and
//    the main op (collection `saved_model_main_op`; refused if that or
//    `legacy_init_op` already holds an op), then a Saver(sharded, V2,
//    allow_empty) over all global variables saves to variables/variables
//    (no `checkpoint` state file, no .meta) and its export_meta_graph
//    (clear_devices, strip_default_attrs) is tagged and given the
//    signatures.
//  - AddMetaGraph: the same without saving variables; like TF it builds a
//    new Saver (scope "save_1", ...) whose SaverDef the MetaGraph carries;
//    collections added before (assets, main op) stay in the graph and so
//    appear in every later MetaGraph, as in TF.
//  - Save: saved_model.pb (deterministic, upb map order as TF 2.21's
//    Python), or saved_model.pbtxt (Python text format).
//
// Atomicity (our guarantee; TF writes into export_dir as it goes): nothing
// appears at export_dir before Save. Variables and assets are written into
// a temporary sibling directory "<export_dir>.tmp-<random>"; Save writes
// saved_model.pb(txt) there and renames the directory to export_dir
// (replacing an empty export_dir; POSIX rename is atomic). If export_dir
// became non-empty meanwhile, Save fails with the error above and leaves it
// alone. A builder destroyed without Save removes its temporary directory.
// Save finalizes the builder: later Add*/Save calls are FailedPrecondition.
//
// Compared with TF 2.21 (builder_golden_test): goldens saved_model_simple_save
// and saved_model_builder replayed give saved_model.pb and variables/*
// byte-identical to TF's. The MetaGraph is Saver::ExportMetaGraph's, as TF's
// saver.export_meta_graph (graph_def = as_graph_def(add_shapes=True));
// saved_model_assets holds CollectionItem::Any items (an any_list). Errors
// are TF's texts; TF raises AssertionError / ValueError / TypeError, we
// return FailedPrecondition (builder state, export dir) / InvalidArgument.
//
// fingerprint.pb is not written: TF 2.21's TF1 builder does not write it
// either (golden saved_model_simple_save / saved_model_builder have none;
// only TF2 tf.saved_model.save does, see golden tf2_module_saved_model).
#ifndef TFCKPT_SAVED_MODEL_BUILDER_H_
#define TFCKPT_SAVED_MODEL_BUILDER_H_

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "proto/meta_graph.pb.h"
#include "proto/saved_model.pb.h"
#include "src/io/env.h"
#include "src/io/status.h"
#include "src/train/graph_builder.h"
#include "src/train/client_session.h"

namespace tfckpt::saved_model {

using SignatureDefMap = std::map<std::string, tensorflow::SignatureDef>;

class SavedModelBuilder {
 public:
  // env nullptr: io::Env::Default().
  static StatusOr<std::unique_ptr<SavedModelBuilder>> Create(io::Env* env,
                                                             const std::string& export_dir);
  ~SavedModelBuilder();
  SavedModelBuilder(const SavedModelBuilder&) = delete;
  SavedModelBuilder& operator=(const SavedModelBuilder&) = delete;

  Status AddMetaGraphAndVariables(train::ClientSession* session, train::Graph* graph,
                                  const std::vector<std::string>& tags,
                                  const SignatureDefMap& signature_def_map = {},
                                  const std::vector<train::Output>& assets = {},
                                  const std::optional<train::Operation>& main_op = std::nullopt,
                                  bool clear_devices = false, bool strip_default_attrs = false);
  Status AddMetaGraph(train::Graph* graph, const std::vector<std::string>& tags,
                      const SignatureDefMap& signature_def_map = {},
                      const std::vector<train::Output>& assets = {},
                      const std::optional<train::Operation>& main_op = std::nullopt,
                      bool clear_devices = false, bool strip_default_attrs = false);
  // Returns the path written (<export_dir>/saved_model.pb or .pbtxt).
  StatusOr<std::string> Save(bool as_text = false);

  const tensorflow::SavedModel& saved_model() const { return saved_model_; }
  const std::string& export_dir() const { return export_dir_; }
  // Where files go until Save ("" before the first Add* call).
  const std::string& staging_dir() const { return staging_; }

 private:
  SavedModelBuilder(io::Env* env, std::string export_dir);
  Status EnsureStaging();
  Status AddCollections(train::Graph* graph, const std::vector<train::Output>& assets,
                        const std::optional<train::Operation>& main_op);
  Status ExportAndAdd(train::Graph* graph, const std::vector<std::string>& tags,
                      const SignatureDefMap& signature_def_map, bool clear_devices,
                      bool strip_default_attrs, train::ClientSession* session);

  io::Env* env_;
  std::string export_dir_;
  std::string staging_;
  tensorflow::SavedModel saved_model_;
  bool has_saved_variables_ = false;
  bool saved_ = false;
  std::set<std::string> saved_asset_files_;
};

// tf.compat.v1.saved_model.simple_save: tags {serve}, signature
// serving_default = predict(inputs, outputs) (TensorInfos with the tensors'
// names, dtypes and static shapes), assets from the graph's
// `asset_filepaths` collection, clear_devices, then Save.
Status SimpleSave(train::ClientSession* session, train::Graph* graph, const std::string& export_dir,
                  const std::map<std::string, train::Output>& inputs,
                  const std::map<std::string, train::Output>& outputs,
                  io::Env* env = nullptr);

// signature_def_utils.build_tensor_info(tensor).
tensorflow::TensorInfo BuildTensorInfo(const train::Output& t);
// signature_def_utils.predict_signature_def(inputs, outputs).
tensorflow::SignatureDef PredictSignatureDef(const std::map<std::string, train::Output>& inputs,
                                             const std::map<std::string, train::Output>& outputs);

}  // namespace tfckpt::saved_model

#endif  // TFCKPT_SAVED_MODEL_BUILDER_H_
