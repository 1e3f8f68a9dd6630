#include "src/train/saver.h"

#include <set>

#include "src/bundle/bundle_reader.h"
#include "src/io/atomic_file.h"
#include "src/state/latest_checkpoint.h"
#include "src/state/python_path.h"
#include "src/train/meta_graph.h"

namespace tfckpt::train {
namespace {

io::Env* EnvOr(io::Env* env) { return env != nullptr ? env : io::Env::Default(); }

// The node a kernel error names: "...\n\t [[{{node save/RestoreV2}}]]".
std::string ErrorNode(const std::string& message) {
  const std::string open = "{{node ";
  const size_t a = message.rfind(open);
  if (a == std::string::npos) return "";
  const size_t b = message.find("}}", a);
  return b == std::string::npos ? "" : message.substr(a + open.size(), b - a - open.size());
}

// tf.errors.OpError.message as a graph-mode Session.run formats it (minus
// the Python traceback TF prints under "defined at").
std::string GraphExecutionError(const std::string& message) {
  const std::string node = ErrorNode(message);
  if (node.empty()) return message;
  return StrCat("Graph execution error:\n\nDetected at node '", node,
                "' defined at (most recent call last):\nNode: '", node, "'\n", message);
}

Status WrapRestoreError(const Status& s, const std::string& verbiage) {
  return Status(s.code(),
                StrCat("Restoring from checkpoint failed. This is most likely due to ", verbiage,
                       " from the checkpoint. Please ensure that you have not altered the graph "
                       "expected based on the checkpoint. Original error:\n\n",
                       GraphExecutionError(s.message())));
}

}  // namespace

StatusOr<std::vector<SaveableVariable>> CollectSaveables(Graph* g, const SaverOptions& options) {
  std::vector<SaveableVariable> saveables;
  if (options.var_dict) {
    for (const auto& [key, var] : *options.var_dict) {
      if (!var.valid()) return InvalidArgumentError(StrCat("Variable for key ", key, " is invalid"));
      saveables.push_back({key, var, ""});
    }
    for (const auto& [key, parts] : options.var_dict_slices) {
      for (const Variable& v : parts) {
        if (!v.valid() || !v.data()->save_slice_info) {
          return InvalidArgumentError(StrCat("Slices must all be slices: ", key));
        }
        saveables.push_back({key, v, SliceSpec(*v.data()->save_slice_info)});
      }
    }
    std::stable_sort(saveables.begin(), saveables.end(),
                     [](const auto& a, const auto& b) { return a.key < b.key; });
    std::set<const VariableData*> seen;
    for (const auto& s : saveables) {  // sorted by key
      if (!seen.insert(s.variable.data().get()).second) {
        return InvalidArgumentError(
            StrCat("The same saveable will be restored with two names: ", s.key));
      }
    }
  } else {
    const std::vector<Variable> vars =
        options.var_list ? *options.var_list : GlobalVariables(g);
    std::set<std::string> names, sliced;
    for (const Variable& v : vars) {
      if (!v.valid()) return InvalidArgumentError("An invalid Variable was given to the Saver");
      if (v.data()->save_slice_info) {
        const std::string& key = v.data()->save_slice_info->full_name();
        if (names.count(key) != 0) {
          return InvalidArgumentError(
              StrCat("Mixing slices and non-slices with the same name: ", key));
        }
        sliced.insert(key);
        saveables.push_back({key, v, SliceSpec(*v.data()->save_slice_info)});
        continue;
      }
      if (sliced.count(v.op_name()) != 0) {
        return InvalidArgumentError(
            StrCat("Mixing slices and non-slices with the same name: ", v.op_name()));
      }
      if (!names.insert(v.op_name()).second) {
        return InvalidArgumentError(
            StrCat("At least two variables have the same name: ", v.op_name()));
      }
      saveables.push_back({v.op_name(), v, ""});
    }
  }
  return saveables;
}

StatusOr<std::unique_ptr<Saver>> Saver::Create(Graph* g, SaverOptions options) {
  std::unique_ptr<Saver> s(new Saver(g, std::move(options)));
  TFCKPT_RETURN_IF_ERROR(s->Build());
  return s;
}

Status Saver::Build() {
  if (options_.saver_def) {
    saver_def_ = *options_.saver_def;
    if (!options_.name.empty()) {
      saver_def_.set_filename_tensor_name(
          PrependNameScope(saver_def_.filename_tensor_name(), options_.name));
      saver_def_.set_save_tensor_name(PrependNameScope(saver_def_.save_tensor_name(), options_.name));
      saver_def_.set_restore_op_name(PrependNameScope(saver_def_.restore_op_name(), options_.name));
    }
  } else {
    TFCKPT_ASSIGN_OR_RETURN(std::vector<SaveableVariable> saveables,
                            CollectSaveables(g_, options_));
    if (saveables.empty()) {
      if (!options_.allow_empty) return InvalidArgumentError("No variables to save");
      empty_ = true;
    } else {
      for (const auto& s : saveables) keys_.push_back(s.key);
      std::stable_sort(keys_.begin(), keys_.end());
      TFCKPT_ASSIGN_OR_RETURN(saver_def_, BuildSaverDef(g_, saveables, options_));
    }
  }
  const auto format = saver_def_.version() == tensorflow::SaverDef::V1
                          ? state::CheckpointFormat::kV1
                          : state::CheckpointFormat::kV2;
  const int max_to_keep = empty_ ? options_.max_to_keep : saver_def_.max_to_keep();
  const double hours = empty_ ? options_.keep_checkpoint_every_n_hours
                              : saver_def_.keep_checkpoint_every_n_hours();
  if (options_.clock) {
    retention_ = std::make_unique<state::CheckpointRetention>(max_to_keep, hours, options_.clock,
                                                              format);
  } else {
    retention_ = std::make_unique<state::CheckpointRetention>(
        max_to_keep, hours, state::WallClockSeconds(), format);
  }
  return OkStatus();
}

StatusOr<std::string> Saver::Save(ClientSession* sess, const std::string& save_path,
                                  int64_t global_step) {
  SaveOptions o;
  o.global_step = global_step;
  return Save(sess, save_path, o);
}

StatusOr<std::string> Saver::Save(ClientSession* sess, const std::string& save_path,
                                  const SaveOptions& o) {
  io::Env* env = EnvOr(options_.env);
  if (o.latest_filename.find('/') != std::string::npos) {
    return InvalidArgumentError("'latest_filename' must not contain path components");
  }
  std::string checkpoint_file = save_path;
  if (o.global_step) {
    checkpoint_file =
        state::CheckpointFilenameWithStep(save_path, *o.global_step, options_.pad_step_number);
  } else if (io::Basename(save_path) == o.latest_filename && !saver_def_.sharded()) {
    return InvalidArgumentError(StrCat("'latest_filename' collides with 'save_path': '",
                                       o.latest_filename, "' and '", save_path, "'"));
  }
  const std::string parent = state::PyDirname(save_path);
  std::string model_checkpoint_path;
  if (!empty_) {
    TFCKPT_ASSIGN_OR_RETURN(graph::Session * engine, sess->Engine());
    auto saved = graph::SaveWithSaverDef(engine, saver_def_, checkpoint_file);
    if (!saved.ok()) {
      const StatusCode code = saved.status().code();
      if ((code == StatusCode::kFailedPrecondition || code == StatusCode::kNotFound) &&
          (parent.empty() || !env->IsDirectory(parent))) {
        return InvalidArgumentError(
            StrCat("Parent directory of ", save_path, " doesn't exist, can't save."));
      }
      return saved.status();
    }
    model_checkpoint_path = *saved;
    if (o.write_state) {
      state::SaverStateOptions so;
      so.latest_filename = o.latest_filename;
      so.save_relative_paths = options_.save_relative_paths;
      so.meta_graph_suffix = o.meta_graph_suffix;
      const double now = options_.clock ? options_.clock() : state::WallClockSeconds();
      TFCKPT_RETURN_IF_ERROR(state::RecordSaveAndUpdateState(
          env, retention_.get(), parent, model_checkpoint_path, now, so));
    }
  }
  if (o.write_meta_graph) {
    ExportOptions eo;
    eo.filename = state::MetaGraphFilename(checkpoint_file, o.meta_graph_suffix);
    eo.strip_default_attrs = o.strip_default_attrs;
    eo.env = env;
    TFCKPT_RETURN_IF_ERROR(ExportMetaGraph(std::move(eo)).status());
  }
  return model_checkpoint_path;
}

Status Saver::Restore(ClientSession* sess, const std::string& save_path) {
  if (empty_) return OkStatus();
  if (save_path.empty()) return InvalidArgumentError("Can't load save_path when it is None.");
  io::Env* env = EnvOr(options_.env);
  TFCKPT_ASSIGN_OR_RETURN(bool exists, state::CheckpointExists(env, save_path));
  if (!exists) {
    return InvalidArgumentError(
        StrCat("The passed save_path is not a valid checkpoint: ", save_path));
  }
  TFCKPT_ASSIGN_OR_RETURN(graph::Session * engine, sess->Engine());
  Status s = graph::RestoreFromSaverDef(engine, saver_def_, save_path);
  if (s.code() == StatusCode::kNotFound) return RestoreObjectBased(sess, save_path, s);
  if (s.code() == StatusCode::kInvalidArgument) {
    return WrapRestoreError(s, "a mismatch between the current graph and the graph");
  }
  return s;
}

Status Saver::RestoreObjectBased(ClientSession* sess, const std::string& save_path,
                                 const Status& name_based_error) {
  // Saver.restore's NotFoundError branch.
  auto names_to_keys = ObjectGraphKeyMapping(save_path, options_.env);
  if (!names_to_keys.ok()) {
    if (names_to_keys.status().code() != StatusCode::kNotFound) return names_to_keys.status();
    return WrapRestoreError(name_based_error, "a Variable name or other graph key that is missing");
  }
  // TF logs "Restoring an object-based checkpoint using a name-based saver."
  // Its var_list (None for a saver_def Saver: all saveable objects).
  TFCKPT_ASSIGN_OR_RETURN(std::vector<SaveableVariable> saveables, CollectSaveables(g_, options_));
  if (object_restore_saver_ == nullptr) {
    SaverOptions so;
    so.env = options_.env;
    so.clock = options_.clock;
    TFCKPT_ASSIGN_OR_RETURN(object_restore_saver_,
                            SaverFromObjectBasedCheckpoint(g_, save_path, std::move(saveables),
                                                           &*names_to_keys, so));
  } else {
    TFCKPT_RETURN_IF_ERROR(CheckObjectBasedNames(saveables, *names_to_keys));
  }
  return object_restore_saver_->Restore(sess, save_path);
}

Status Saver::RecoverLastCheckpoints(const std::vector<std::string>& paths) {
  io::Env* env = EnvOr(options_.env);
  tensorflow::CheckpointState st;
  for (const auto& p : paths) st.add_all_model_checkpoint_paths(p);
  return retention_->RecoverFromCheckpointState(env, st);
}

StatusOr<tensorflow::MetaGraphDef> Saver::ExportMetaGraph(const std::string& filename,
                                                          bool strip_default_attrs) {
  ExportOptions eo;
  eo.filename = filename;
  eo.strip_default_attrs = strip_default_attrs;
  eo.env = options_.env;
  return ExportMetaGraph(std::move(eo));
}

StatusOr<tensorflow::MetaGraphDef> Saver::ExportMetaGraph(ExportOptions options) {
  options.graph_def = AsGraphDefForExport(*g_);
  options.saver_def.reset();
  if (!empty_) options.saver_def = saver_def_;
  if (options.env == nullptr) options.env = options_.env;
  return train::ExportMetaGraph(g_, options);
}

StatusOr<std::optional<std::string>> LatestCheckpoint(const std::string& dir,
                                                      const std::string& latest_filename,
                                                      io::Env* env) {
  return state::LatestCheckpoint(EnvOr(env), dir, latest_filename);
}

}  // namespace tfckpt::train
