#include "src/check/validator.h"

#include <map>
#include <set>

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

// The `checkpoint` state file of `dir` and every checkpoint it lists, but
// `already_checked` (a checkpoint validated with its graph) only once.
void CheckStateFile(io::Env* env, const std::string& dir, const std::string& already_checked,
                    const ValidateOptions& options, Report* r) {
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
    if (resolved.ok() && !already_checked.empty() && p == already_checked) {
      r->notes.push_back(StrCat(state_path, " lists ", p, ", validated above"));
      continue;
    }
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

void CheckStateDir(io::Env* env, const std::string& dir, const ValidateOptions& options,
                   Report* r) {
  r->kind = "state_dir";
  CheckStateFile(env, dir, "", options, r);
}

// A SavedModel or session bundle directory is loaded without its `checkpoint`
// state file (TF Serving's bad_half_plus_two has one naming /tmp paths), but
// the file is part of what `validate DIR` vouches for: if there is one, it
// is validated too.
void CheckStateFileBeside(io::Env* env, const path::ResolvedPath& form,
                          const ValidateOptions& options, Report* r) {
  const std::string state_path = state::CheckpointStatePath(form.model);
  if (!env->FileExists(state_path)) return;
  r->notes.push_back(StrCat("validated ", state_path,
                            " too (the loader does not read it; tf.train.latest_checkpoint does)"));
  CheckStateFile(env, form.model, form.checkpoint, options, r);
}

std::string DirOf(const std::string& file) {
  const std::string d = io::Dirname(file);
  return d.empty() ? "." : d;
}

// A path the resolver refuses: nothing there (or a directory of several
// checkpoints) is NOT_FOUND with the resolver's message; a directory that
// cannot be listed is an I/O error.
void AddUnresolved(const Status& s, const std::string& path, Report* r) {
  const bool not_found =
      s.code() == StatusCode::kNotFound || s.code() == StatusCode::kInvalidArgument;
  Add(r, not_found ? DefectCode::kNotFound : DefectCode::kIoError, path, std::string(s.message()));
}

// A checkpoint alone: a V2 prefix or a V1 file or shard pattern.
void CheckResolvedCheckpoint(io::Env* env, const path::ResolvedPath& c,
                             const ValidateOptions& options, Report* r) {
  const bool v2 = c.format == path::Format::kV2;
  r->kind = v2 ? "v2" : "v1";
  if (c.checkpoint != c.given || !c.how.empty()) {
    r->notes.push_back(StrCat("validated ", v2 ? "prefix " : "V1 checkpoint ", c.checkpoint,
                              c.how.empty() ? "" : StrCat(" (", c.how, ")")));
  }
  if (v2) {
    CheckBundle(env, c.checkpoint, options, r);
  } else {
    CheckSlices(env, c.checkpoint, options, r);
  }
}

// A .meta with the checkpoint `run` restores it from (path::Resolve rule
// F4, following the state file). A state file naming no checkpoint leaves
// the graph to check: the state file's fault is its own validation's.
void CheckMetaGraphAsRun(io::Env* env, const path::ResolvedPath& form,
                         const ValidateOptions& options, Report* r) {
  if (form.state_file.empty()) {
    CheckMetaGraphFile(env, form.model, form, options, r);
    return;
  }
  auto followed = path::Resolve(env, form.given);
  CheckMetaGraphFile(env, form.model, followed.ok() ? *followed : path::ResolvedPath{}, options,
                     r);
  if (!followed.ok()) r->notes.push_back(std::string(followed.status().message()));
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
  // What PATH is, by the one resolver (docs/CLI.md "Paths"), stopping at a
  // state file: the validator checks the file and every path it lists.
  path::ResolveOptions at_state_file;
  at_state_file.follow_state_file = false;
  auto form = path::Resolve(env, path, at_state_file);
  if (!form.ok()) {
    AddUnresolved(form.status(), path, &r);
    return r;
  }
  switch (form->kind) {
    case path::Kind::kSavedModel:
      CheckSavedModel(env, *form, options, &r);
      CheckStateFileBeside(env, *form, options, &r);
      break;
    case path::Kind::kSessionBundle:
      CheckMetaGraphFile(env, io::JoinPath(form->model, "export.meta"), *form, options, &r);
      CheckStateFileBeside(env, *form, options, &r);
      break;
    case path::Kind::kMetaGraph:
      CheckMetaGraphAsRun(env, *form, options, &r);
      break;
    case path::Kind::kGraphDef:
      CheckGraphDefFile(env, form->model, &r);
      break;
    case path::Kind::kCheckpoint:
      if (!form->state_file.empty()) {
        CheckStateDir(env, DirOf(form->state_file), options, &r);
      } else {
        CheckResolvedCheckpoint(env, *form, options, &r);
      }
      break;
  }
  return r;
}

}  // namespace tfckpt::check
