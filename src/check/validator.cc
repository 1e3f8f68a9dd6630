#include "src/check/validator.h"

#include <map>
#include <set>

#include "src/bundle/naming.h"
#include "src/check/bundle_check.h"
#include "src/check/model_check.h"
#include "src/check/slices_check.h"
#include "src/path/model_path.h"
#include "src/state/checkpoint_state.h"

namespace tfckpt::check {
namespace {

void Add(Report* r, DefectCode code, std::string file, std::string message) {
  r->Add(Defect{code, std::move(file), std::nullopt, "", std::move(message)});
}

// Rule C of path::Resolve: an index, or one parked by a save in progress
// or interrupted (src/bundle/replace.h), which BundleReader reads.
bool IsV2Prefix(io::Env* env, const std::string& prefix) {
  auto r = path::ResolvePrefix(env, prefix);
  return r.ok() && r->format == path::Format::kV2;
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
  for (const std::string& listed : paths) {
    // Each listed path means what it means to every command: rule C of
    // path::Resolve (src/path/model_path.h).
    auto resolved = path::ResolvePrefix(env, listed);
    const std::string& p = resolved.ok() ? resolved->checkpoint : listed;
    if (resolved.ok() && resolved->format == path::Format::kV2) {
      r->notes.push_back(StrCat("validated checkpoint ", p, " (listed in ", state_path, ")"));
      CheckBundle(env, p, options, r);
    } else if (resolved.ok()) {
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
    } else if (env->FileExists(io::JoinPath(path, "export.meta"))) {
      // A legacy session bundle: its export.meta with its checkpoint.
      auto model = path::Resolve(env, path);
      CheckMetaGraphFile(env, io::JoinPath(path, "export.meta"), model.ok() ? model->checkpoint : "",
                         options, &r);
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
  // A model file: a .meta (with the checkpoint `run` would restore), a
  // GraphDef, saved_model.pb(txt) or export.meta: path::Resolve's rules
  // F2, F4, F5 (a checkpoint of that name came first).
  if (auto model = path::Resolve(env, path); model.ok() && model->kind != path::Kind::kCheckpoint) {
    switch (model->kind) {
      case path::Kind::kGraphDef:
        CheckGraphDefFile(env, model->model, &r);
        break;
      case path::Kind::kMetaGraph:
        CheckMetaGraphFile(env, model->model, model->checkpoint, options, &r);
        break;
      case path::Kind::kSessionBundle:
        CheckMetaGraphFile(env, io::JoinPath(model->model, "export.meta"), model->checkpoint,
                           options, &r);
        break;
      default:
        CheckSavedModel(env, model->model, options, &r);
    }
    return r;
  } else if (!model.ok() && path.size() > 5 && path.substr(path.size() - 5) == ".meta" &&
             env->FileExists(path)) {
    // The .meta's directory names a checkpoint that is not there: the graph
    // is still checked; the state file's fault is its own validation's.
    CheckMetaGraphFile(env, path, "", options, &r);
    r.notes.push_back(std::string(model.status().message()));
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
