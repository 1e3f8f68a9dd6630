// tf.compat.v1.train.Saver (tensorflow/python/training/saver.py,
// BulkSaverBuilder) on a train::Graph: the same save/restore subgraph TF
// adds, node for node (TF 2.21):
//
//   save/filename/input  Const "model"       save/RestoreV2/tensor_names  (on /device:CPU:0)
//   save/filename        PlaceholderWithDefault  save/RestoreV2/shape_and_slices
//   save/Const           PlaceholderWithDefault  save/RestoreV2           RestoreV2
//   save/SaveV2/tensor_names, .../shape_and_slices  save/Assign, save/Assign_1 ... (reference)
//   save/SaveV2          SaveV2                   save/Identity + save/AssignVariableOp (resource)
//   save/control_dependency  Identity           save/restore_all         NoOp
//
// sharded=true: StaticRegexFullMatch/Select/StringJoin "_temp/part" suffix,
// ShardedFilename + SaveV2 per device (keys grouped by canonical device,
// sorted), Pack + MergeV2Checkpoints, save/Identity; restore per device
// (restore_shard) grouped into restore_all. write_version V1: SaveSlices
// ("save/save"), sharded V1 ShardedFilename/ShardedFilespec. A second Saver
// of a graph uses scope "save_1".
//
// SaverDef: filename_tensor_name "save/Const:0", save_tensor_name
// "save/control_dependency:0" (sharded "save/Identity:0"), restore_op_name
// "save/restore_all", max_to_keep, keep_checkpoint_every_n_hours, sharded,
// version.
//
// Keys: a list of variables is keyed by their op names ("foo/v"), a dict
// (`var_dict`) by its keys (rename map); keys are sorted. Errors (TF's
// ValueError texts, InvalidArgument): "No variables to save", "At least two
// variables have the same name: v", "The same saveable will be restored
// with two names: w".
//
// Save / Restore follow Saver.save / Saver.restore: the prefix for a global
// step ("model.ckpt-1000", pad_step_number "model.ckpt-00001000"), the
// `checkpoint` state file and retention (max_to_keep,
// keep_checkpoint_every_n_hours) through src/state, the .meta graph; a
// restore of a missing prefix is "The passed save_path is not a valid
// checkpoint: <p>", a missing key is NotFound "Restoring from checkpoint
// failed. This is most likely due to a Variable name or other graph key
// that is missing from the checkpoint. ..." (TF's text; TF's Python
// traceback lines are absent).
//
// Restoring an object-based (TF2, tf.train.Checkpoint) checkpoint: when the
// restore op fails NotFound and the checkpoint holds
// `_CHECKPOINTABLE_OBJECT_GRAPH`, Restore does what Saver.restore does
// (saver_object_based.cc): maps each saveable's name to a checkpoint key
// through the TrackableObjectGraph's SerializedTensor full_name ->
// checkpoint_key (ObjectGraphKeyMapping), builds a second Saver over the
// renamed keys once ("save_1"..., cached for later restores, as TF's
// _object_restore_saver) and restores with it. A name without a full_name
// is TF's NotFound text ("\n\nExisting variables not in the checkpoint:
// ..."). Without an object graph the NotFound is wrapped as above.
#ifndef TFCKPT_TRAIN_SAVER_H_
#define TFCKPT_TRAIN_SAVER_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "proto/meta_graph.pb.h"
#include "proto/saver.pb.h"
#include "src/io/env.h"
#include "src/state/retention.h"
#include "src/train/graph_builder.h"
#include "src/train/client_session.h"
#include "src/train/variables.h"

namespace tfckpt::train {

struct ExportOptions;  // meta_graph.h

struct SaverOptions {
  // nullopt (and no var_dict): every global variable.
  std::optional<std::vector<Variable>> var_list;
  // Checkpoint key -> variable (a rename map); overrides var_list.
  std::optional<std::map<std::string, Variable>> var_dict;
  // Checkpoint key -> the parts of a partitioned variable (saved as slices
  // of the key), with var_dict.
  std::map<std::string, std::vector<Variable>> var_dict_slices;
  bool reshape = false;
  bool sharded = false;
  int max_to_keep = 5;
  double keep_checkpoint_every_n_hours = 10000.0;
  std::string name;  // the name scope ("" -> "save", "save_1"...)
  tensorflow::SaverDef::CheckpointFormatVersion write_version = tensorflow::SaverDef::V2;
  bool pad_step_number = false;
  bool save_relative_paths = false;
  bool allow_empty = false;
  std::string filename = "model";  // save/filename's default
  // Use this SaverDef (its names prefixed by `name` if set) instead of
  // building ops: the Saver of an imported meta graph.
  std::optional<tensorflow::SaverDef> saver_def;
  io::Env* env = nullptr;               // nullptr: io::Env::Default()
  std::function<double()> clock;        // retention clock; default wall clock
};

struct SaveOptions {
  std::optional<int64_t> global_step;
  std::string latest_filename = "checkpoint";
  std::string meta_graph_suffix = "meta";
  bool write_meta_graph = true;
  bool write_state = true;
  bool strip_default_attrs = false;
};

class Saver {
 public:
  static StatusOr<std::unique_ptr<Saver>> Create(Graph* g, SaverOptions options = {});

  // Saver.save; returns the checkpoint prefix TF returns ("" for an empty
  // saver built with allow_empty).
  StatusOr<std::string> Save(ClientSession* sess, const std::string& save_path,
                             const SaveOptions& options = {});
  StatusOr<std::string> Save(ClientSession* sess, const std::string& save_path,
                             int64_t global_step);
  // Saver.restore.
  Status Restore(ClientSession* sess, const std::string& save_path);

  const tensorflow::SaverDef& saver_def() const { return saver_def_; }
  bool empty() const { return empty_; }
  // Saver.last_checkpoints (oldest first).
  std::vector<std::string> last_checkpoints() const { return retention_->last_checkpoints(); }
  // Saver.recover_last_checkpoints: tracks the paths that still exist.
  Status RecoverLastCheckpoints(const std::vector<std::string>& paths);
  // Saver.export_meta_graph: export_meta_graph with graph_def =
  // as_graph_def(add_shapes=True) (AsGraphDefForExport) and this SaverDef;
  // `options` gives filename, as_text, collection_list, export_scope,
  // clear_devices, strip_default_attrs (its graph_def / saver_def are
  // replaced).
  StatusOr<tensorflow::MetaGraphDef> ExportMetaGraph(const std::string& filename = "",
                                                     bool strip_default_attrs = false);
  StatusOr<tensorflow::MetaGraphDef> ExportMetaGraph(ExportOptions options);
  // The checkpoint keys, in order (what save/SaveV2/tensor_names holds).
  const std::vector<std::string>& keys() const { return keys_; }

 private:
  Saver(Graph* g, SaverOptions options) : g_(g), options_(std::move(options)) {}
  Status Build();
  Status RestoreObjectBased(ClientSession* sess, const std::string& save_path,
                            const Status& name_based_error);

  Graph* g_;
  SaverOptions options_;
  tensorflow::SaverDef saver_def_;
  std::vector<std::string> keys_;
  bool empty_ = false;
  std::unique_ptr<state::CheckpointRetention> retention_;
  std::unique_ptr<Saver> object_restore_saver_;  // TF's _object_restore_saver
};

// tf.train.latest_checkpoint(dir): nullopt if none.
StatusOr<std::optional<std::string>> LatestCheckpoint(const std::string& dir,
                                                      const std::string& latest_filename =
                                                          "checkpoint",
                                                      io::Env* env = nullptr);

// The ops a SaverDef names, built into `g` (saver_builder.cc).
struct SaveableVariable {
  std::string key;
  Variable variable;
  std::string slice_spec;  // "" or the part's SaveSliceInfo spec
};
StatusOr<tensorflow::SaverDef> BuildSaverDef(Graph* g, std::vector<SaveableVariable> saveables,
                                             const SaverOptions& options);

// The saveables a Saver with these options saves: var_dict (+ slices),
// var_list, else all global variables (validate_and_slice_inputs; TF's
// ValueError texts as InvalidArgument).
StatusOr<std::vector<SaveableVariable>> CollectSaveables(Graph* g, const SaverOptions& options);

// saver.object_graph_key_mapping: SerializedTensor full_name ->
// checkpoint_key over the nodes in order (a later full_name wins, as in
// Python's dict). NotFound "Key _CHECKPOINTABLE_OBJECT_GRAPH not found in
// checkpoint" when the checkpoint has no object graph.
StatusOr<std::map<std::string, std::string>> ObjectGraphKeyMapping(
    const std::string& checkpoint_path, io::Env* env = nullptr);

// saver_from_object_based_checkpoint: a Saver (options: name, env...)
// over `saveables` with their keys replaced by names_to_keys[key]
// (nullptr: ObjectGraphKeyMapping, and InvalidArgument "Checkpoint in <p>
// not an object-based checkpoint." without an object graph); NotFound
// with TF's text if a key has no full_name.
StatusOr<std::unique_ptr<Saver>> SaverFromObjectBasedCheckpoint(
    Graph* g, const std::string& checkpoint_path, std::vector<SaveableVariable> saveables,
    const std::map<std::string, std::string>* names_to_keys, SaverOptions options = {});
// The NotFound check alone (names -> keys).
Status CheckObjectBasedNames(const std::vector<SaveableVariable>& saveables,
                             const std::map<std::string, std::string>& names_to_keys);

}  // namespace tfckpt::train

#endif  // TFCKPT_TRAIN_SAVER_H_
