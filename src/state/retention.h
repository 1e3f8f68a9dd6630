// The Saver's checkpoint retention policy (tf.compat.v1.train.Saver:
// _RecordLastCheckpoint, _MaybeDeleteOldCheckpoints, set_last_checkpoints*,
// recover_last_checkpoints in tensorflow/python/training/saver.py, and
// remove_checkpoint in checkpoint_management.py), with an injectable clock
// and two safety rules TF lacks.
//
// Policy (TF's):
//  - RecordCheckpoint(p, now): if max_to_keep is 0 (TF: None or 0) nothing
//    is tracked. Else an entry with the same prefix is removed, (p, now) is
//    appended, and if more than max_to_keep remain the oldest is moved to
//    the deletion queue.
//  - MaybeDeleteOldCheckpoints: processes at most ONE queued entry per call
//    (TF calls it once per save). If its timestamp > next_checkpoint_time it
//    is kept forever -- dropped from all tracking -- and next_checkpoint_time
//    += keep_checkpoint_every_n_hours * 3600. Otherwise its files are
//    deleted, ignoring NotFound. next_checkpoint_time starts at
//    start_time + N * 3600 (TF: time.time() when the Saver is built).
//  - The state file a Saver writes lists last_checkpoints() (oldest first),
//    without timestamps; kept-forever checkpoints are not listed.
//
// Safety rules (ours):
//  - Never delete a live checkpoint: a queued entry is dropped WITHOUT
//    deleting anything if it is tracked again (re-saved since it was queued)
//    or if it is what the state file currently names (when the caller says
//    where the state file is). If that state file cannot be read, nothing is
//    deleted and the entry stays queued.
//  - Deletion order (V2): `<p>.index` first, then `<p>.data-?????-of-?????`,
//    then the meta graph; TF deletes the meta graph first. The index is what
//    makes a V2 checkpoint exist (CheckpointExists, LatestCheckpoint,
//    BundleReader), so a crash at any point leaves either the complete
//    checkpoint or an invisible remainder (orphaned data shards, a .meta),
//    never a visible checkpoint with missing data. V1: the `<p>` glob, then
//    the meta graph.
//
// keep_checkpoint_every_n_hours is rounded to float32 first, as TF's
// SaverDef stores it (graph-mode Saver reads it back from the SaverDef).
//
// A negative max_to_keep (TF would pop the checkpoint it just saved and
// delete it) behaves like 0 here, through the live-checkpoint rule.
#ifndef TFCKPT_STATE_RETENTION_H_
#define TFCKPT_STATE_RETENTION_H_

#include <deque>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "src/io/env.h"
#include "src/io/status.h"
#include "src/state/checkpoint_state.h"

namespace tfckpt::state {

// SaverDef.CheckpointFormatVersion values.
enum class CheckpointFormat { kV1 = 1, kV2 = 2 };

struct CheckpointEntry {
  std::string prefix;
  double timestamp = 0;  // seconds since the epoch
  bool operator==(const CheckpointEntry& o) const {
    return prefix == o.prefix && timestamp == o.timestamp;
  }
};

// Where the state file lives, for the live-checkpoint rule.
struct StateFileLocation {
  std::string dir;
  std::string latest_filename = kDefaultLatestFilename;
};

struct DeletionOutcome {
  enum class Action {
    kNothingQueued,
    kKeptForever,  // by keep_checkpoint_every_n_hours
    kDeleted,      // files removed (see `deleted`; possibly none existed)
    kSkippedLive,  // re-saved or named by the state file: left alone
    kDeferred,     // state file unreadable: left queued, see `status`
  };
  Action action = Action::kNothingQueued;
  std::string prefix;
  std::vector<std::string> deleted;  // paths, in deletion order
  // The first error other than NotFound (deletion stops there; TF logs
  // "Ignoring: ..." and carries on with the save), or why kDeferred.
  Status status;
};

// time.time().
double WallClockSeconds();

class CheckpointRetention {
 public:
  using Clock = std::function<double()>;

  // start_time: the clock when the Saver was built.
  explicit CheckpointRetention(int max_to_keep = 5,
                               double keep_checkpoint_every_n_hours = 10000.0,
                               double start_time = WallClockSeconds(),
                               CheckpointFormat format = CheckpointFormat::kV2);
  // The same, reading start_time and later `now`s from `clock`.
  CheckpointRetention(int max_to_keep, double keep_checkpoint_every_n_hours,
                      Clock clock,
                      CheckpointFormat format = CheckpointFormat::kV2);

  void RecordCheckpoint(const std::string& prefix, double now);
  void RecordCheckpoint(const std::string& prefix);  // now = clock()

  DeletionOutcome MaybeDeleteOldCheckpoints(
      io::Env* env, std::string_view meta_graph_suffix = "meta",
      const std::optional<StateFileLocation>& state_file = std::nullopt);

  // Saver.last_checkpoints: tracked prefixes, oldest first.
  std::vector<std::string> last_checkpoints() const;
  const std::deque<CheckpointEntry>& last_checkpoints_with_time() const {
    return last_;
  }
  const std::deque<CheckpointEntry>& pending_deletion() const {
    return to_delete_;
  }
  double next_checkpoint_time() const { return next_checkpoint_time_; }
  int max_to_keep() const { return max_to_keep_; }
  CheckpointFormat format() const { return format_; }

  // set_last_checkpoints_with_time.
  void SetLastCheckpointsWithTime(std::vector<CheckpointEntry> entries);
  // Restores tracking from a state file's lists. `timestamps` must be empty
  // or match `paths` in length (InvalidArgument otherwise); empty means
  // +infinity, TF's set_last_checkpoints rule ("never deleted": such entries
  // are kept forever when they leave the window).
  Status RecoverLastCheckpoints(const std::vector<std::string>& paths,
                                const std::vector<double>& timestamps);
  // recover_last_checkpoints after a restart: the state's retained paths
  // whose checkpoint still exists (TF globs them), with the state's
  // timestamps when it has one per path, else `missing_timestamp` (TF uses
  // file mtimes, which io::Env does not expose).
  Status RecoverFromCheckpointState(
      io::Env* env, const CheckpointState& state,
      double missing_timestamp = std::numeric_limits<double>::infinity());

 private:
  void DeleteFiles(io::Env* env, const std::string& prefix,
                   std::string_view meta_graph_suffix, DeletionOutcome* out);

  int max_to_keep_;
  double keep_hours_;
  CheckpointFormat format_;
  Clock clock_;
  double next_checkpoint_time_;
  std::deque<CheckpointEntry> last_;
  std::deque<CheckpointEntry> to_delete_;
};

// Saver.save's write_state step, in TF's order: RecordCheckpoint, write the
// state file (paths = last_checkpoints(), no timestamps), then
// MaybeDeleteOldCheckpoints guarded by that state file. Returns the state
// write's status (on failure nothing is deleted, as in TF where the
// exception skips deletion); deletion results go to *outcome.
struct SaverStateOptions {
  std::string latest_filename = kDefaultLatestFilename;
  bool save_relative_paths = false;
  std::string meta_graph_suffix = "meta";
  TextFormatOptions text_options;
};
Status RecordSaveAndUpdateState(io::Env* env, CheckpointRetention* retention,
                                const std::string& save_dir,
                                const std::string& model_checkpoint_path,
                                double now,
                                const SaverStateOptions& options = {},
                                DeletionOutcome* outcome = nullptr);

}  // namespace tfckpt::state

#endif  // TFCKPT_STATE_RETENTION_H_
