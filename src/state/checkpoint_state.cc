#include "src/state/checkpoint_state.h"

#include <utility>

#include "src/io/atomic_file.h"
#include "src/io/escape.h"
#include "src/state/python_path.h"

namespace tfckpt::state {
namespace {

// Why a state file could not be loaded, so the strict and TF-compatible
// readers can treat the cases differently.
enum class LoadFailure { kNone, kMissing, kRead, kNotUtf8, kParse };

struct Loaded {
  LoadFailure failure = LoadFailure::kNone;
  Status status;  // for kRead, kNotUtf8, kParse
  CheckpointState state;
};

Loaded LoadStateFile(io::Env* env, const std::string& file) {
  Loaded out;
  if (!env->FileExists(file)) {
    out.failure = LoadFailure::kMissing;
    return out;
  }
  auto fail = [&out](LoadFailure kind, Status s) {
    out.failure = kind;
    out.status = std::move(s);
    return out;
  };
  if (env->IsDirectory(file)) {
    return fail(LoadFailure::kRead,
                FailedPreconditionError(StrCat(file, ": Is a directory")));
  }
  auto size = env->GetFileSize(file);
  if (!size.ok()) return fail(LoadFailure::kRead, size.status());
  if (*size > kMaxStateFileBytes) {
    return fail(LoadFailure::kRead,
                ResourceExhaustedError(StrCat(
                    file, ": checkpoint state file is ", *size,
                    " bytes, more than the ", kMaxStateFileBytes,
                    "-byte limit")));
  }
  auto text = env->ReadFileToString(file);
  if (!text.ok()) return fail(LoadFailure::kRead, text.status());
  if (!io::IsValidUtf8(*text)) {
    // ParseCheckpointStateText words the error (offset and byte).
    return fail(LoadFailure::kNotUtf8,
                ParseCheckpointStateText(*text, file).status());
  }
  auto state = ParseCheckpointStateText(*text, file);
  if (!state.ok()) return fail(LoadFailure::kParse, state.status());
  out.state = std::move(*state);
  return out;
}

// The tail of get_checkpoint_state once the text parsed.
StatusOr<std::optional<CheckpointState>> Finish(const std::string& dir,
                                                CheckpointState state) {
  if (state.model_checkpoint_path().empty()) {
    return InvalidArgumentError(
        StrCat("Invalid checkpoint state loaded from ", dir));
  }
  if (!PyIsAbs(state.model_checkpoint_path())) {
    state.set_model_checkpoint_path(
        PyJoin(dir, state.model_checkpoint_path()));
  }
  for (std::string& p : *state.mutable_all_model_checkpoint_paths()) {
    if (!PyIsAbs(p)) p = PyJoin(dir, p);
  }
  return std::optional<CheckpointState>(std::move(state));
}

// Python's repr() of a list of str / float, for TF's ValueError text.
// (Simplified: always single quotes, escaping \ and '.)
std::string PyListRepr(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    out += '\'';
    for (char c : items[i]) {
      if (c == '\\' || c == '\'') out += '\\';
      out += c;
    }
    out += '\'';
  }
  return out + "]";
}
std::string PyListRepr(const std::vector<double>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    out += PythonFloatRepr(items[i]);
  }
  return out + "]";
}

Status CheckUtf8Paths(const std::string& model_checkpoint_path,
                      const std::vector<std::string>& paths) {
  auto check = [](const std::string& p) {
    size_t bad = 0;
    if (io::IsValidUtf8(p, &bad)) return OkStatus();
    return InvalidArgumentError(
        StrCat("Checkpoint path is not valid UTF-8 (byte ", bad,
               "); TensorFlow cannot store it in a CheckpointState: ",
               TextEscape(p, /*as_utf8=*/false)));
  };
  TFCKPT_RETURN_IF_ERROR(check(model_checkpoint_path));
  for (const std::string& p : paths) TFCKPT_RETURN_IF_ERROR(check(p));
  return OkStatus();
}

}  // namespace

std::string CheckpointStatePath(const std::string& dir,
                                const std::string& latest_filename) {
  return PyJoin(dir, latest_filename);
}

StatusOr<std::optional<CheckpointState>> GetCheckpointState(
    io::Env* env, const std::string& dir, const std::string& latest_filename) {
  Loaded loaded = LoadStateFile(env, CheckpointStatePath(dir, latest_filename));
  switch (loaded.failure) {
    case LoadFailure::kMissing:
      return std::optional<CheckpointState>();
    case LoadFailure::kNone:
      return Finish(dir, std::move(loaded.state));
    default:
      return loaded.status;
  }
}

StatusOr<std::optional<CheckpointState>> GetCheckpointStateOrNone(
    io::Env* env, const std::string& dir, const std::string& latest_filename,
    std::string* warning) {
  const std::string file = CheckpointStatePath(dir, latest_filename);
  Loaded loaded = LoadStateFile(env, file);
  switch (loaded.failure) {
    case LoadFailure::kMissing:
      return std::optional<CheckpointState>();
    case LoadFailure::kNone:
      return Finish(dir, std::move(loaded.state));
    case LoadFailure::kNotUtf8:
      return loaded.status;
    case LoadFailure::kRead:
    case LoadFailure::kParse:
      if (warning != nullptr) {
        *warning = StrCat(
            loaded.failure == LoadFailure::kParse
                ? "ParseError"
                : std::string(StatusCodeName(loaded.status.code())),
            ": ", loaded.status.message(), "\n", file, ": Checkpoint ignored");
      }
      return std::optional<CheckpointState>();
  }
  return std::optional<CheckpointState>();
}

StatusOr<CheckpointState> GenerateCheckpointState(
    const std::string& save_dir, const std::string& model_checkpoint_path,
    std::vector<std::string> all_model_checkpoint_paths,
    const std::vector<double>& all_model_checkpoint_timestamps,
    std::optional<double> last_preserved_timestamp, const std::string& cwd_in) {
  std::vector<std::string>& paths = all_model_checkpoint_paths;
  if (paths.empty() || paths.back() != model_checkpoint_path) {
    paths.push_back(model_checkpoint_path);
  }
  if (!all_model_checkpoint_timestamps.empty() &&
      all_model_checkpoint_timestamps.size() != paths.size()) {
    return InvalidArgumentError(StrCat(
        "Checkpoint timestamps, if provided, must match checkpoint paths (got "
        "paths ",
        PyListRepr(paths), " and timestamps ",
        PyListRepr(all_model_checkpoint_timestamps), ")"));
  }
  std::string model_path = model_checkpoint_path;
  if (!PyIsAbs(save_dir)) {
    const std::string cwd = cwd_in.empty() ? CurrentDir() : cwd_in;
    if (!PyIsAbs(model_path)) {
      TFCKPT_ASSIGN_OR_RETURN(model_path, PyRelPath(model_path, save_dir, cwd));
    }
    for (std::string& p : paths) {
      if (!PyIsAbs(p)) {
        TFCKPT_ASSIGN_OR_RETURN(p, PyRelPath(p, save_dir, cwd));
      }
    }
  }
  CheckpointState state;
  state.set_model_checkpoint_path(model_path);
  for (std::string& p : paths) state.add_all_model_checkpoint_paths(std::move(p));
  for (double t : all_model_checkpoint_timestamps) {
    state.add_all_model_checkpoint_timestamps(t);
  }
  if (last_preserved_timestamp) {
    state.set_last_preserved_timestamp(*last_preserved_timestamp);
  }
  return state;
}

StatusOr<StateFileContents> RenderCheckpointStateUpdate(
    const StateUpdate& u) {
  if (u.latest_filename.empty() ||
      u.latest_filename.find('/') != std::string::npos) {
    return InvalidArgumentError(
        StrCat("'latest_filename' must not contain path components: '",
               u.latest_filename, "'"));
  }
  TFCKPT_RETURN_IF_ERROR(
      CheckUtf8Paths(u.model_checkpoint_path, u.all_model_checkpoint_paths));
  const std::string cwd = u.cwd.empty() ? CurrentDir() : u.cwd;
  const std::string state_file =
      CheckpointStatePath(u.save_dir, u.latest_filename);
  std::string model_path = u.model_checkpoint_path;
  std::vector<std::string> paths = u.all_model_checkpoint_paths;
  if (u.save_relative_paths) {
    if (PyIsAbs(model_path)) {
      TFCKPT_ASSIGN_OR_RETURN(model_path,
                              PyRelPath(model_path, u.save_dir, cwd));
    }
    for (std::string& p : paths) {
      if (PyIsAbs(p)) {
        TFCKPT_ASSIGN_OR_RETURN(p, PyRelPath(p, u.save_dir, cwd));
      }
    }
  }
  TFCKPT_ASSIGN_OR_RETURN(
      CheckpointState state,
      GenerateCheckpointState(u.save_dir, model_path, std::move(paths),
                              u.all_model_checkpoint_timestamps,
                              u.last_preserved_timestamp, cwd));
  const std::string& stored = state.model_checkpoint_path();
  const bool tf_conflict = stored == state_file;
  const bool read_back_conflict =
      PyNormPath(PyIsAbs(stored) ? stored : PyJoin(u.save_dir, stored)) ==
      PyNormPath(state_file);
  if (tf_conflict || read_back_conflict) {
    return InvalidArgumentError(
        StrCat("Save path '", u.model_checkpoint_path,
               "' conflicts with path used for checkpoint state.  Please use "
               "a different save path."));
  }
  return StateFileContents{state_file,
                           CheckpointStateToText(state, u.text_options)};
}

Status WriteCheckpointStateUpdate(io::Env* env, const StateUpdate& update) {
  TFCKPT_ASSIGN_OR_RETURN(StateFileContents contents,
                          RenderCheckpointStateUpdate(update));
  return io::WriteFileAtomically(env, contents.path, contents.text);
}

Status UpdateCheckpointState(
    io::Env* env, const std::string& save_dir,
    const std::string& model_checkpoint_path,
    const std::vector<std::string>& all_model_checkpoint_paths,
    const std::vector<double>& all_model_checkpoint_timestamps,
    std::optional<double> last_preserved_timestamp, bool save_relative_paths,
    const std::string& latest_filename,
    const TextFormatOptions& text_options) {
  StateUpdate u;
  u.save_dir = save_dir;
  u.model_checkpoint_path = model_checkpoint_path;
  u.all_model_checkpoint_paths = all_model_checkpoint_paths;
  u.all_model_checkpoint_timestamps = all_model_checkpoint_timestamps;
  u.last_preserved_timestamp = last_preserved_timestamp;
  u.save_relative_paths = save_relative_paths;
  u.latest_filename = latest_filename;
  u.text_options = text_options;
  return WriteCheckpointStateUpdate(env, u);
}

}  // namespace tfckpt::state
