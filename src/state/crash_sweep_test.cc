// Kill-mid-write sweep over a whole Saver run: six saves (max_to_keep=2,
// keep_checkpoint_every_n_hours of one second, so evictions alternate
// between deleting and keeping forever). For every mutating file-system
// operation index k, the run is repeated with the k-th and every later
// operation failing (a crash), unsynced bytes are dropped (power loss), the
// creates/renames/deletes not yet made durable by a directory sync are
// either all kept or all lost, and the directory must still hold a usable
// history:
//  - the state file parses and names the last checkpoint whose state write
//    was acknowledged, or the one in flight, and that checkpoint exists;
//  - every retained path it lists exists;
//  - every visible V2 checkpoint (index present) still has its data;
//  - a restarted Saver recovers from the state file and saves on.
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/io/atomic_file.h"
#include "src/io/mem_env.h"
#include "src/state/checkpoint_state.h"
#include "src/state/latest_checkpoint.h"
#include "src/state/retention.h"

namespace tfckpt::state {
namespace {

constexpr char kDir[] = "/sweep";
constexpr int kSaves = 6;
constexpr double kStart = 1000.0;

std::string Prefix(int step) {
  return CheckpointFilenameWithStep(std::string(kDir) + "/model.ckpt", step);
}

// The progress of a (possibly crashed) run.
struct Progress {
  std::optional<std::string> acknowledged;  // last state write that returned OK
  std::optional<std::string> in_flight;     // state write started, not acked
};

// One Saver.save: data, index, state + retention, meta. Stops at the first
// error, including a failed deletion (the process is assumed dead).
Status Save(io::Env* env, CheckpointRetention* r, int step, Progress* p) {
  const std::string prefix = Prefix(step);
  TFCKPT_RETURN_IF_ERROR(io::WriteFileAtomically(
      env, prefix + ".data-00000-of-00001", "data " + prefix));
  TFCKPT_RETURN_IF_ERROR(
      io::WriteFileAtomically(env, prefix + ".index", "index " + prefix));
  p->in_flight = prefix;
  DeletionOutcome outcome;
  TFCKPT_RETURN_IF_ERROR(RecordSaveAndUpdateState(
      env, r, kDir, prefix, kStart + 0.5 * (step + 1), {}, &outcome));
  p->acknowledged = prefix;
  p->in_flight.reset();
  TFCKPT_RETURN_IF_ERROR(outcome.status);
  return io::WriteFileAtomically(env, MetaGraphFilename(prefix), "meta");
}

Status RunSaves(io::Env* env, Progress* p) {
  CheckpointRetention r(2, 1.0 / 3600, kStart);
  for (int step = 0; step < kSaves; ++step) {
    TFCKPT_RETURN_IF_ERROR(Save(env, &r, step, p));
  }
  return OkStatus();
}

void CheckInvariants(io::MemEnv* env, const Progress& p,
                     const std::string& label) {
  SCOPED_TRACE(label);
  auto state = GetCheckpointState(env, kDir);
  ASSERT_TRUE(state.ok()) << state.status();
  if (!p.acknowledged && !state->has_value()) return;  // nothing saved yet
  ASSERT_TRUE(state->has_value()) << "acknowledged state file vanished";
  const std::string named = (*state)->model_checkpoint_path();
  EXPECT_TRUE(named == p.acknowledged.value_or("") ||
              named == p.in_flight.value_or(""))
      << "state names " << named;
  auto latest = LatestCheckpoint(env, kDir);
  ASSERT_TRUE(latest.ok()) << latest.status();
  EXPECT_EQ(latest->value_or("<none>"), named);
  for (const std::string& retained : (*state)->all_model_checkpoint_paths()) {
    auto exists = CheckpointExists(env, retained);
    ASSERT_TRUE(exists.ok());
    EXPECT_TRUE(*exists) << "listed checkpoint gone: " << retained;
  }
  auto indexes = env->Glob(std::string(kDir) + "/*.index");
  ASSERT_TRUE(indexes.ok());
  for (const std::string& index : *indexes) {
    const std::string prefix = index.substr(0, index.size() - 6);
    EXPECT_TRUE(env->FileExists(prefix + ".data-00000-of-00001"))
        << "visible checkpoint lost its data: " << prefix;
    auto data = env->ReadFileToString(prefix + ".data-00000-of-00001");
    if (data.ok()) {
      EXPECT_EQ(*data, "data " + prefix);  // synced before the rename
    }
  }
}

// A new process: restore tracking from the state file, save twice more.
void RestartAndContinue(io::MemEnv* env, const std::string& label) {
  SCOPED_TRACE(label + " (restart)");
  auto state = GetCheckpointState(env, kDir);
  ASSERT_TRUE(state.ok()) << state.status();
  CheckpointRetention r(2, 1.0 / 3600, kStart + 100);
  if (state->has_value()) {
    ASSERT_TRUE(r.RecoverFromCheckpointState(env, **state, kStart + 50).ok());
  }
  Progress p;
  for (int step = 100; step < 102; ++step) {
    ASSERT_TRUE(Save(env, &r, step, &p).ok());
  }
  CheckInvariants(env, p, label + " (after restart)");
  auto after = GetCheckpointState(env, kDir);
  ASSERT_TRUE(after.ok() && after->has_value());
  EXPECT_EQ((*after)->all_model_checkpoint_paths_size(), 2);
  EXPECT_EQ((*after)->model_checkpoint_path(), Prefix(101));
}

TEST(CrashSweepTest, EveryMutatingOperation) {
  int64_t total = 0;
  {
    io::MemEnv mem;
    io::FaultInjectionEnv faulty(&mem);
    Progress p;
    ASSERT_TRUE(RunSaves(&faulty, &p).ok());
    total = faulty.operations();
    CheckInvariants(&mem, p, "clean run");
    // The clean run itself (saves at 1000.5, 1001.0, ... every 0.5 s; the
    // period is float32(1/3600) * 3600, a hair over 1 s): step 2 (1001.5) is
    // the only eviction later than next_checkpoint_time, so it is kept
    // forever; steps 0, 1, 3 are deleted; 4 and 5 are retained.
    for (int step : {2, 4, 5}) {
      EXPECT_TRUE(mem.FileExists(Prefix(step) + ".index")) << step;
    }
    for (int step : {0, 1, 3}) {
      EXPECT_FALSE(mem.FileExists(Prefix(step) + ".index")) << step;
    }
  }
  ASSERT_GT(total, 50);
  int crashed = 0;
  for (int64_t k = 0; k <= total; ++k) {
    // Power loss keeps unsynced bytes of no file and, of the unsynced
    // creates/renames/deletes, only the first `keep` (all, or none).
    for (const bool lose_unsynced_names : {false, true}) {
      io::MemEnv mem;
      io::FaultInjectionEnv faulty(&mem);
      faulty.FailAfter(k);
      Progress p;
      Status s = RunSaves(&faulty, &p);
      if (!s.ok() && !lose_unsynced_names) {
        ++crashed;
        EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s;
      }
      const size_t unsynced = faulty.unsynced_operations();
      ASSERT_TRUE(faulty.Crash(lose_unsynced_names ? 0 : unsynced).ok());
      mem.DropUnsyncedData();
      const std::string label = StrCat("crash at operation ", k, " of ", total,
                                       lose_unsynced_names ? StrCat(", ", unsynced,
                                                                    " unsynced namespace ops lost")
                                                           : "");
      CheckInvariants(&mem, p, label);
      RestartAndContinue(&mem, label);
      if (HasFatalFailure()) return;
    }
  }
  EXPECT_EQ(crashed, total);  // every index but the last one crashed
}

}  // namespace
}  // namespace tfckpt::state
