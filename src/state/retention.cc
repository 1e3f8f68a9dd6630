#include "src/state/retention.h"

#include <chrono>
#include <utility>

#include "src/state/latest_checkpoint.h"
#include "src/state/python_path.h"

namespace tfckpt::state {

double WallClockSeconds() {
  using std::chrono::duration;
  using std::chrono::system_clock;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

CheckpointRetention::CheckpointRetention(int max_to_keep,
                                         double keep_checkpoint_every_n_hours,
                                         double start_time,
                                         CheckpointFormat format)
    : max_to_keep_(max_to_keep),
      keep_hours_(static_cast<float>(keep_checkpoint_every_n_hours)),
      format_(format),
      clock_(&WallClockSeconds),
      next_checkpoint_time_(start_time + keep_hours_ * 3600) {}

CheckpointRetention::CheckpointRetention(int max_to_keep,
                                         double keep_checkpoint_every_n_hours,
                                         Clock clock, CheckpointFormat format)
    : CheckpointRetention(max_to_keep, keep_checkpoint_every_n_hours, clock(),
                          format) {
  clock_ = std::move(clock);
}

void CheckpointRetention::RecordCheckpoint(const std::string& prefix,
                                           double now) {
  if (max_to_keep_ == 0) return;
  for (auto it = last_.begin(); it != last_.end();) {
    it = it->prefix == prefix ? last_.erase(it) : it + 1;
  }
  last_.push_back({prefix, now});
  if (static_cast<long long>(last_.size()) > max_to_keep_) {
    to_delete_.push_back(std::move(last_.front()));
    last_.pop_front();
  }
}

void CheckpointRetention::RecordCheckpoint(const std::string& prefix) {
  RecordCheckpoint(prefix, clock_());
}

std::vector<std::string> CheckpointRetention::last_checkpoints() const {
  std::vector<std::string> out;
  out.reserve(last_.size());
  for (const CheckpointEntry& e : last_) out.push_back(e.prefix);
  return out;
}

void CheckpointRetention::SetLastCheckpointsWithTime(
    std::vector<CheckpointEntry> entries) {
  last_.assign(std::make_move_iterator(entries.begin()),
               std::make_move_iterator(entries.end()));
}

Status CheckpointRetention::RecoverLastCheckpoints(
    const std::vector<std::string>& paths,
    const std::vector<double>& timestamps) {
  if (!timestamps.empty() && timestamps.size() != paths.size()) {
    return InvalidArgumentError(
        StrCat("RecoverLastCheckpoints: ", paths.size(), " paths but ",
               timestamps.size(), " timestamps"));
  }
  std::vector<CheckpointEntry> entries;
  for (size_t i = 0; i < paths.size(); ++i) {
    entries.push_back({paths[i], timestamps.empty()
                                     ? std::numeric_limits<double>::infinity()
                                     : timestamps[i]});
  }
  SetLastCheckpointsWithTime(std::move(entries));
  return OkStatus();
}

Status CheckpointRetention::RecoverFromCheckpointState(
    io::Env* env, const CheckpointState& state, double missing_timestamp) {
  const int n = state.all_model_checkpoint_paths_size();
  const bool have_times = state.all_model_checkpoint_timestamps_size() == n;
  std::vector<CheckpointEntry> entries;
  for (int i = 0; i < n; ++i) {
    const std::string& p = state.all_model_checkpoint_paths(i);
    TFCKPT_ASSIGN_OR_RETURN(bool exists, CheckpointExists(env, p));
    if (!exists) continue;
    entries.push_back(
        {p, have_times ? state.all_model_checkpoint_timestamps(i)
                       : missing_timestamp});
  }
  SetLastCheckpointsWithTime(std::move(entries));
  return OkStatus();
}

void CheckpointRetention::DeleteFiles(io::Env* env, const std::string& prefix,
                                      std::string_view meta_graph_suffix,
                                      DeletionOutcome* out) {
  std::vector<std::string> patterns;
  if (format_ == CheckpointFormat::kV2) {
    // "<p>.data-?????-of-?????" (split to dodge the ??- trigraph warning).
    patterns = {prefix + ".index", StrCat(prefix, ".data-", "?????", "-of-",
                                          "?????")};
  } else {
    patterns = {prefix};
  }
  patterns.push_back(MetaGraphFilename(prefix, meta_graph_suffix));
  for (const std::string& pattern : patterns) {
    auto matches = env->Glob(pattern);
    if (!matches.ok()) {
      out->status = matches.status();
      return;
    }
    for (const std::string& path : *matches) {
      Status s = env->DeleteFile(path);
      if (s.code() == StatusCode::kNotFound) continue;  // someone else did
      if (!s.ok()) {
        out->status = s;
        return;
      }
      out->deleted.push_back(path);
    }
  }
}

DeletionOutcome CheckpointRetention::MaybeDeleteOldCheckpoints(
    io::Env* env, std::string_view meta_graph_suffix,
    const std::optional<StateFileLocation>& state_file) {
  DeletionOutcome out;
  if (to_delete_.empty()) return out;
  CheckpointEntry entry = std::move(to_delete_.front());
  to_delete_.pop_front();
  out.prefix = entry.prefix;

  const std::string cwd = CurrentDir();
  const std::string key = PyAbsPath(entry.prefix, cwd);
  bool live = false;
  for (const CheckpointEntry& e : last_) {
    live = live || PyAbsPath(e.prefix, cwd) == key;
  }
  if (!live && state_file) {
    auto state =
        GetCheckpointState(env, state_file->dir, state_file->latest_filename);
    if (!state.ok()) {
      out.action = DeletionOutcome::Action::kDeferred;
      out.status = state.status();
      to_delete_.push_front(std::move(entry));
      return out;
    }
    live = state->has_value() &&
           PyAbsPath((*state)->model_checkpoint_path(), cwd) == key;
  }
  if (live) {
    out.action = DeletionOutcome::Action::kSkippedLive;
    return out;
  }
  if (entry.timestamp > next_checkpoint_time_) {
    next_checkpoint_time_ += keep_hours_ * 3600;
    out.action = DeletionOutcome::Action::kKeptForever;
    return out;
  }
  out.action = DeletionOutcome::Action::kDeleted;
  DeleteFiles(env, entry.prefix, meta_graph_suffix, &out);
  return out;
}

Status RecordSaveAndUpdateState(io::Env* env, CheckpointRetention* retention,
                                const std::string& save_dir,
                                const std::string& model_checkpoint_path,
                                double now, const SaverStateOptions& options,
                                DeletionOutcome* outcome) {
  retention->RecordCheckpoint(model_checkpoint_path, now);
  StateUpdate u;
  u.save_dir = save_dir;
  u.model_checkpoint_path = model_checkpoint_path;
  u.all_model_checkpoint_paths = retention->last_checkpoints();
  u.save_relative_paths = options.save_relative_paths;
  u.latest_filename = options.latest_filename;
  u.text_options = options.text_options;
  TFCKPT_RETURN_IF_ERROR(WriteCheckpointStateUpdate(env, u));
  DeletionOutcome result = retention->MaybeDeleteOldCheckpoints(
      env, options.meta_graph_suffix,
      StateFileLocation{save_dir, options.latest_filename});
  if (outcome != nullptr) *outcome = std::move(result);
  return OkStatus();
}

}  // namespace tfckpt::state
