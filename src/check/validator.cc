#include "src/check/validator.h"

#include <map>
#include <set>

#include "proto/graph.pb.h"

#include "proto/saved_model.pb.h"
#include "proto/variable.pb.h"
#include "src/bundle/bundle_reader.h"
#include "src/bundle/naming.h"
#include "src/check/bundle_check.h"
#include "src/check/slices_check.h"
#include "src/state/checkpoint_state.h"

namespace tfckpt::check {
namespace {

void Add(Report* r, DefectCode code, std::string file, std::string message) {
  r->Add(Defect{code, std::move(file), std::nullopt, "", std::move(message)});
}

bool IsV2Prefix(io::Env* env, const std::string& prefix) {
  return env->FileExists(bundle::MetaFilename(prefix));
}

void CheckStateDir(io::Env* env, const std::string& dir, const ValidateOptions& options,
                   Report* r) {
  r->kind = "state_dir";
  const std::string state_path = state::CheckpointStatePath(dir);
  r->files.push_back(state_path);
  if (auto temp = env->Glob(state_path + ".tempstate*"); temp.ok()) {
    for (const std::string& f : *temp) {
      if (env->HasLiveWriter(f)) continue;  // an update is writing it
      Add(r, DefectCode::kStaleTempFile, f,
          "temporary state file of an update that was killed before renaming it into place "
          "(no process is writing it)");
    }
  } else {
    Add(r, DefectCode::kIoError, dir, StrCat("cannot list ", dir, ": ", temp.status().message()));
  }
  auto st = state::GetCheckpointState(env, dir);
  if (!st.ok()) {
    // A state file that exists but cannot be read (permissions, EIO) is an
    // I/O error; one that reads but is malformed is a STATE_FILE defect.
    const StatusCode c = st.status().code();
    const bool unreadable = c != StatusCode::kInvalidArgument &&
                            c != StatusCode::kDataLoss &&  // "Can't parse checkpoint state"
                            c != StatusCode::kFailedPrecondition &&
                            c != StatusCode::kResourceExhausted;
    Add(r, unreadable ? DefectCode::kIoError : DefectCode::kStateFile, state_path,
        st.status().message());
    return;
  }
  if (!st->has_value()) {
    Add(r, DefectCode::kNotFound, state_path, "no checkpoint state file");
    return;
  }
  const auto& cs = **st;
  std::vector<std::string> paths(cs.all_model_checkpoint_paths().begin(),
                                 cs.all_model_checkpoint_paths().end());
  if (std::find(paths.begin(), paths.end(), cs.model_checkpoint_path()) == paths.end()) {
    paths.push_back(cs.model_checkpoint_path());
  }
  for (const std::string& p : paths) {
    if (IsV2Prefix(env, p)) {
      r->notes.push_back(StrCat("validated checkpoint ", p, " (listed in ", state_path, ")"));
      CheckBundle(env, p, options, r);
    } else if (env->FileExists(p)) {
      // The state file is input too: a path it names that is not a table
      // at all (say /etc/passwd) is reported without echoing its bytes.
      Report v1;
      v1.max_defects_per_file = r->max_defects_per_file;
      CheckSlices(env, p, options, &v1);
      if (v1.defects.size() == 1 && v1.defects[0].code == DefectCode::kBadMagic) {
        Add(r, DefectCode::kStalePath, state_path,
            StrCat("the state file names checkpoint ", p, ", but there is no ", p,
                   ".index and ", p, " is not a V1 checkpoint (not a table file)"));
        continue;
      }
      r->notes.push_back(StrCat("validated V1 checkpoint ", p, " (listed in ", state_path, ")"));
      r->files.insert(r->files.end(), v1.files.begin(), v1.files.end());
      for (Defect& d : v1.defects) r->Add(std::move(d));
      for (const auto& [file, n] : v1.suppressed) {
        r->suppressed[file].errors += n.errors;
        r->suppressed[file].warnings += n.warnings;
      }
      r->tensors_checked += v1.tensors_checked;
      r->bytes_checked += v1.bytes_checked;
    } else {
      Add(r, DefectCode::kStalePath, state_path,
          StrCat("the state file names checkpoint ", p,
                 io::IsAbsolutePath(p) ? " (an absolute path)" : "",
                 ", but neither ", p, ".index nor a V1 file ", p, " exists"));
    }
  }
}

// The keys each MetaGraph's Saver restores (the string Const feeding every
// RestoreV2 of the saver's scope, with its `dtypes`) must be in the bundle
// with that dtype, and with the shape of the graph variable of that name.
void CheckSavedModelVariables(const tensorflow::SavedModel& sm, const bundle::BundleReader& reader,
                              const std::string& pb_path, Report* r) {
  for (int m = 0; m < sm.meta_graphs_size(); ++m) {
    const auto& mg = sm.meta_graphs(m);
    const std::string& restore_op = mg.saver_def().restore_op_name();
    if (restore_op.empty()) continue;
    const std::string scope = restore_op.substr(0, restore_op.find('/') + 1);
    std::map<std::string, const tensorflow::NodeDef*> nodes;
    for (const auto& node : mg.graph_def().node()) nodes[node.name()] = &node;
    for (const auto& node : mg.graph_def().node()) {
      if (node.op() != "RestoreV2" || node.name().compare(0, scope.size(), scope) != 0 ||
          node.input_size() < 2) {
        continue;
      }
      const std::string names_node = node.input(1).substr(0, node.input(1).find(':'));
      auto n = nodes.find(names_node);
      auto dtypes = node.attr().find("dtypes");
      if (n == nodes.end() || n->second->attr().count("value") == 0 || dtypes == node.attr().end()) {
        continue;
      }
      const auto& names = n->second->attr().at("value").tensor().string_val();
      for (int i = 0; i < names.size(); ++i) {
        const std::string& key = names[i];
        auto e = reader.GetEntry(key);
        if (!e.ok()) {
          r->Add(Defect{DefectCode::kVariableMismatch, pb_path, std::nullopt, key,
                                      StrCat("MetaGraph ", m, " restores ", key, " (", node.name(),
                                             ") but the variables bundle has no such key")});
          continue;
        }
        if (i < dtypes->second.list().type_size() &&
            dtypes->second.list().type(i) != e->proto.dtype()) {
          r->Add(Defect{
              DefectCode::kVariableMismatch, pb_path, std::nullopt, key,
              StrCat("MetaGraph ", m, " restores ", key, " as ",
                     tensor::DataTypeName(dtypes->second.list().type(i)), " but the bundle holds ",
                     tensor::DataTypeName(e->proto.dtype()))});
        }
        auto var = nodes.find(key);
        if (var == nodes.end()) continue;
        auto sh = var->second->attr().find("shape");
        if (sh == var->second->attr().end() || sh->second.shape().unknown_rank()) continue;
        auto graph_shape = tensor::TensorShape::FromProto(sh->second.shape());
        if (graph_shape.ok() && *graph_shape != e->shape) {
          r->Add(Defect{
              DefectCode::kVariableMismatch, pb_path, std::nullopt, key,
              StrCat("variable ", key, " has shape ", graph_shape->DebugString(),
                     " in the graph but ", e->shape.DebugString(), " in the bundle")});
        }
      }
    }
  }
}

void CheckSavedModel(io::Env* env, const std::string& dir, const ValidateOptions& options,
                     Report* r) {
  r->kind = "saved_model";
  const std::string pb_path = io::JoinPath(dir, "saved_model.pb");
  tensorflow::SavedModel sm;
  bool have_graph = false;
  if (env->FileExists(pb_path)) {
    r->files.push_back(pb_path);
    auto bytes = env->ReadFileToString(pb_path);
    if (!bytes.ok()) {
      Add(r, DefectCode::kIoError, pb_path, bytes.status().message());
    } else if (bytes->size() > (uint64_t{2} << 30) - 1 || !sm.ParseFromString(*bytes)) {
      Add(r, DefectCode::kSavedModel, pb_path, "saved_model.pb does not parse as a SavedModel");
    } else {
      have_graph = true;
    }
  } else {
    r->notes.push_back("saved_model.pbtxt is not parsed by the validator; only variables/ is checked");
  }
  const std::string prefix = io::JoinPath(dir, "variables/variables");
  if (!IsV2Prefix(env, prefix)) {
    r->notes.push_back("no variables/variables.index: a SavedModel without variables");
    return;
  }
  const uint64_t before = r->errors() + r->warnings();
  CheckBundle(env, prefix, options, r);
  if (!have_graph || r->errors() + r->warnings() != before) return;
  auto reader = bundle::BundleReader::Open(env, prefix);
  if (reader.ok()) CheckSavedModelVariables(sm, **reader, pb_path, r);
}

}  // namespace

bool Report::ok() const { return errors() == 0; }

void Report::Add(Defect d) {
  size_t& n = listed_[d.file];
  if (max_defects_per_file == 0 || n < max_defects_per_file) {
    ++n;
    defects.push_back(std::move(d));
    return;
  }
  Suppressed& s = suppressed[d.file];
  ++(IsWarning(d.code) ? s.warnings : s.errors);
}

uint64_t Report::errors() const {
  uint64_t n = 0;
  for (const Defect& d : defects) n += IsWarning(d.code) ? 0 : 1;
  for (const auto& [file, s] : suppressed) n += s.errors;
  return n;
}

uint64_t Report::warnings() const {
  uint64_t n = 0;
  for (const Defect& d : defects) n += IsWarning(d.code) ? 1 : 0;
  for (const auto& [file, s] : suppressed) n += s.warnings;
  return n;
}

Report Validate(io::Env* env, const std::string& path, const ValidateOptions& options) {
  Report r;
  r.max_defects_per_file = options.max_defects_per_file;
  r.path = path;
  r.kind = "unknown";
  if (env->IsDirectory(path)) {
    if (env->FileExists(io::JoinPath(path, "saved_model.pb")) ||
        env->FileExists(io::JoinPath(path, "saved_model.pbtxt"))) {
      CheckSavedModel(env, path, options, &r);
    } else if (env->FileExists(state::CheckpointStatePath(path))) {
      CheckStateDir(env, path, options, &r);
    } else {
      Add(&r, DefectCode::kNotFound, path,
          "directory holds neither saved_model.pb nor a `checkpoint` state file");
    }
    return r;
  }
  if (auto prefix = bundle::PrefixFromBundleFilename(path); prefix && IsV2Prefix(env, *prefix)) {
    r.kind = "v2";
    r.notes.push_back(StrCat("validated prefix ", *prefix));
    CheckBundle(env, *prefix, options, &r);
    return r;
  }
  if (IsV2Prefix(env, path)) {
    r.kind = "v2";
    CheckBundle(env, path, options, &r);
    return r;
  }
  if (io::Basename(path) == state::kDefaultLatestFilename && env->FileExists(path)) {
    CheckStateDir(env, io::Dirname(path).empty() ? "." : io::Dirname(path), options, &r);
    return r;
  }
  if (env->FileExists(path)) {
    r.kind = "v1";
    CheckSlices(env, path, options, &r);
    return r;
  }
  // A sharded V1 save is named by the pattern TF's Saver returns and
  // records in `checkpoint` ("model.ckpt-?????-of-00008"), or by its prefix.
  const bool is_pattern = path.find_first_of("?*[") != std::string::npos;
  const std::string v1_pattern = is_pattern ? path : path + "-" "?????" "-of-" "?????";
  auto v1_shards = env->Glob(v1_pattern);
  if (!v1_shards.ok()) {
    Add(&r, DefectCode::kIoError, io::Dirname(path),
        StrCat("cannot list the directory to look for V1 shards ", v1_pattern, ": ",
               v1_shards.status().message()));
    return r;
  }
  if (!v1_shards->empty()) {
    r.kind = "v1";
    if (!is_pattern) r.notes.push_back(StrCat("validated V1 shards ", v1_pattern));
    CheckSlices(env, v1_pattern, options, &r);
    return r;
  }
  Add(&r, DefectCode::kNotFound, path,
      StrCat("no checkpoint at ", path, ": expected a prefix with ", path,
             ".index, a .index/.data-* file, a V1 file, a checkpoint directory or a SavedModel"));
  return r;
}

}  // namespace tfckpt::check
