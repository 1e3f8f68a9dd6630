// Expected file sets, last_checkpoints sequences and state texts in the
// Saver scenarios below are what TF 2.21 produced for the same sequence of
// tf.compat.v1.train.Saver.save calls (graph mode, V2, time.time mocked in
// the saver module), with TF's temp directory replaced by ours.
#include "src/state/retention.h"

#include <cstdlib>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/io/atomic_file.h"
#include "src/io/mem_env.h"
#include "src/state/latest_checkpoint.h"

namespace tfckpt::state {
namespace {

using Action = DeletionOutcome::Action;
using Strings = std::vector<std::string>;

// What a V2 Saver.save writes before the state file: data shards, then the
// index (the bundle's commit point).
Status WriteV2Bundle(io::Env* env, const std::string& prefix, int shards = 1) {
  for (int i = 0; i < shards; ++i) {
    char suffix[32];
    std::snprintf(suffix, sizeof suffix, ".data-%05d-of-%05d", i, shards);
    TFCKPT_RETURN_IF_ERROR(
        io::WriteFileAtomically(env, prefix + suffix, "data"));
  }
  return io::WriteFileAtomically(env, prefix + ".index", "index");
}

// One Saver.save(sess, prefix): bundle, state + retention, then meta graph.
Status SaverSave(io::Env* env, CheckpointRetention* r, const std::string& dir,
                 const std::string& prefix, double now,
                 const SaverStateOptions& options = {},
                 DeletionOutcome* outcome = nullptr) {
  TFCKPT_RETURN_IF_ERROR(WriteV2Bundle(env, prefix));
  TFCKPT_RETURN_IF_ERROR(
      RecordSaveAndUpdateState(env, r, dir, prefix, now, options, outcome));
  return io::WriteFileAtomically(env, MetaGraphFilename(prefix), "meta");
}

Strings Children(io::Env* env, const std::string& dir) {
  auto c = env->GetChildren(dir);
  return c.ok() ? *c : Strings{"<error>"};
}

std::string StateText(io::Env* env, const std::string& dir) {
  auto t = env->ReadFileToString(dir + "/checkpoint");
  return t.ok() ? *t : "<" + t.status().ToString() + ">";
}

TEST(RetentionTest, MaxToKeepTwoOverFiveSaves) {
  io::MemEnv env;
  const std::string d = "/abs";
  CheckpointRetention r(/*max_to_keep=*/2, 10000.0, /*start_time=*/1000.0);
  const std::vector<Strings> expected_last = {
      {d + "/model.ckpt-0"},
      {d + "/model.ckpt-0", d + "/model.ckpt-1"},
      {d + "/model.ckpt-1", d + "/model.ckpt-2"},
      {d + "/model.ckpt-2", d + "/model.ckpt-3"},
      {d + "/model.ckpt-3", d + "/model.ckpt-4"},
  };
  for (int step = 0; step < 5; ++step) {
    const std::string prefix = CheckpointFilenameWithStep(d + "/model.ckpt", step);
    DeletionOutcome out;
    ASSERT_TRUE(SaverSave(&env, &r, d, prefix, 1001.0 + step, {}, &out).ok());
    EXPECT_EQ(r.last_checkpoints(), expected_last[step]) << step;
    EXPECT_EQ(out.action, step < 2 ? Action::kNothingQueued : Action::kDeleted);
    EXPECT_TRUE(out.status.ok()) << out.status;
  }
  EXPECT_EQ(Children(&env, d),
            (Strings{"checkpoint", "model.ckpt-3.data-00000-of-00001",
                     "model.ckpt-3.index", "model.ckpt-3.meta",
                     "model.ckpt-4.data-00000-of-00001", "model.ckpt-4.index",
                     "model.ckpt-4.meta"}));
  EXPECT_EQ(StateText(&env, d),
            "model_checkpoint_path: \"/abs/model.ckpt-4\"\n"
            "all_model_checkpoint_paths: \"/abs/model.ckpt-3\"\n"
            "all_model_checkpoint_paths: \"/abs/model.ckpt-4\"\n");
  EXPECT_TRUE(r.pending_deletion().empty());
}

TEST(RetentionTest, DeletionOrderIndexFirst) {
  io::MemEnv env;
  ASSERT_TRUE(WriteV2Bundle(&env, "/o/m-1", 2).ok());
  env.PutFile("/o/m-1.meta", "meta");
  env.PutFile("/o/m-10.index", "another checkpoint");  // must survive
  CheckpointRetention r(1, 10000.0, 0.0);
  r.RecordCheckpoint("/o/m-1", 1.0);
  r.RecordCheckpoint("/o/m-2", 2.0);
  DeletionOutcome out = r.MaybeDeleteOldCheckpoints(&env);
  EXPECT_EQ(out.action, Action::kDeleted);
  EXPECT_EQ(out.prefix, "/o/m-1");
  EXPECT_EQ(out.deleted,
            (Strings{"/o/m-1.index", "/o/m-1.data-00000-of-00002",
                     "/o/m-1.data-00001-of-00002", "/o/m-1.meta"}));
  EXPECT_EQ(Children(&env, "/o"), Strings{"m-10.index"});
}

TEST(RetentionTest, V1PlainAndShardedDeletion) {
  io::MemEnv env;
  env.PutFile("/v/plain", "v1");
  env.PutFile("/v/plain.meta", "m");
  env.PutFile("/v/sh-00000-of-00002", "a");
  env.PutFile("/v/sh-00001-of-00002", "b");
  env.PutFile("/v/sh.meta", "m");
  env.PutFile("/v/keep", "x");
  CheckpointRetention r(1, 10000.0, 0.0, CheckpointFormat::kV1);
  r.RecordCheckpoint("/v/plain", 1.0);
  r.RecordCheckpoint("/v/sh-?????-of-00002", 2.0);
  r.RecordCheckpoint("/v/keep", 3.0);
  DeletionOutcome a = r.MaybeDeleteOldCheckpoints(&env);
  EXPECT_EQ(a.deleted, (Strings{"/v/plain", "/v/plain.meta"}));
  DeletionOutcome b = r.MaybeDeleteOldCheckpoints(&env);
  EXPECT_EQ(b.deleted, (Strings{"/v/sh-00000-of-00002", "/v/sh-00001-of-00002",
                                "/v/sh.meta"}));
  EXPECT_EQ(Children(&env, "/v"), Strings{"keep"});
  EXPECT_EQ(r.MaybeDeleteOldCheckpoints(&env).action, Action::kNothingQueued);
}

TEST(RetentionTest, MissingFilesAreIgnoredAndMetaSuffixHonoured) {
  io::MemEnv env;
  env.PutFile("/n/m-1.index", "i");  // no data, no meta
  env.PutFile("/n/m-1.pbtxt", "text meta");
  CheckpointRetention r(1, 10000.0, 0.0);
  r.RecordCheckpoint("/n/m-1", 1.0);
  r.RecordCheckpoint("/n/m-2", 2.0);
  DeletionOutcome out = r.MaybeDeleteOldCheckpoints(&env, "pbtxt");
  EXPECT_EQ(out.action, Action::kDeleted);
  EXPECT_TRUE(out.status.ok());
  EXPECT_EQ(out.deleted, (Strings{"/n/m-1.index", "/n/m-1.pbtxt"}));
}

TEST(RetentionTest, KeepCheckpointEveryNHoursWithFakeClock) {
  // saver_test.py KeepCheckpointEveryNHoursTest.testNonSharded: keep the
  // last 2 plus one every 0.7 s; the clock starts at 1000 and every save
  // happens at 1001.
  io::MemEnv env;
  const std::string d = "/keep";
  double now = 1000.0;
  CheckpointRetention r(2, 0.7 / 3600, [&now] { return now; });
  // 0.7 s via N hours rounded to float32, as TF's SaverDef holds it.
  const double period = static_cast<float>(0.7 / 3600) * 3600.0;
  EXPECT_TRUE(r.last_checkpoints().empty());
  EXPECT_EQ(r.next_checkpoint_time(), 1000.0 + period);
  EXPECT_NE(r.next_checkpoint_time(), 1000.7);
  now = 1001.0;
  const std::vector<Action> actions = {Action::kNothingQueued,
                                       Action::kNothingQueued,
                                       Action::kKeptForever, Action::kDeleted};
  const std::vector<Strings> expected_last = {
      {d + "/s1"}, {d + "/s1", d + "/s2"}, {d + "/s2", d + "/s3"},
      {d + "/s3", d + "/s4"}};
  for (int i = 0; i < 4; ++i) {
    const std::string prefix = d + "/s" + std::to_string(i + 1);
    ASSERT_TRUE(WriteV2Bundle(&env, prefix).ok());
    r.RecordCheckpoint(prefix);  // clock-driven overload
    ASSERT_TRUE(UpdateCheckpointState(&env, d, prefix, r.last_checkpoints()).ok());
    DeletionOutcome out = r.MaybeDeleteOldCheckpoints(
        &env, "meta", StateFileLocation{d});
    ASSERT_TRUE(io::WriteFileAtomically(&env, prefix + ".meta", "m").ok());
    EXPECT_EQ(out.action, actions[i]) << i;
    EXPECT_EQ(r.last_checkpoints(), expected_last[i]) << i;
  }
  // s1 kept forever (and no longer listed), s2 deleted.
  EXPECT_EQ(Children(&env, d),
            (Strings{"checkpoint", "s1.data-00000-of-00001", "s1.index",
                     "s1.meta", "s3.data-00000-of-00001", "s3.index", "s3.meta",
                     "s4.data-00000-of-00001", "s4.index", "s4.meta"}));
  EXPECT_EQ(StateText(&env, d),
            "model_checkpoint_path: \"/keep/s4\"\n"
            "all_model_checkpoint_paths: \"/keep/s3\"\n"
            "all_model_checkpoint_paths: \"/keep/s4\"\n");
  EXPECT_EQ(r.next_checkpoint_time(), 1000.0 + period + period);
}

TEST(RetentionTest, RelativeSaveDir) {
  // Saver over save_path "rel/m" with global_step 1..3, max_to_keep=2.
  io::MemEnv env;
  CheckpointRetention r(2, 10000.0, 0.0);
  for (int step = 1; step <= 3; ++step) {
    ASSERT_TRUE(SaverSave(&env, &r, "rel", CheckpointFilenameWithStep("rel/m", step),
                          step)
                    .ok());
  }
  EXPECT_EQ(r.last_checkpoints(), (Strings{"rel/m-2", "rel/m-3"}));
  EXPECT_EQ(StateText(&env, "rel"),
            "model_checkpoint_path: \"m-3\"\n"
            "all_model_checkpoint_paths: \"m-2\"\n"
            "all_model_checkpoint_paths: \"m-3\"\n");
  EXPECT_FALSE(env.FileExists("rel/m-1.index"));
  auto latest = LatestCheckpoint(&env, "rel");
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->value_or("-"), "rel/m-3");
}

TEST(RetentionTest, SaveRelativePathsAndPadding) {
  io::MemEnv env;
  CheckpointRetention r(3, 10000.0, 0.0);
  SaverStateOptions opts;
  opts.save_relative_paths = true;
  for (int step = 1; step <= 3; ++step) {
    ASSERT_TRUE(SaverSave(&env, &r, "/ro",
                          CheckpointFilenameWithStep("/ro/m", step, true), step,
                          opts)
                    .ok());
  }
  EXPECT_EQ(StateText(&env, "/ro"),
            "model_checkpoint_path: \"m-00000003\"\n"
            "all_model_checkpoint_paths: \"m-00000001\"\n"
            "all_model_checkpoint_paths: \"m-00000002\"\n"
            "all_model_checkpoint_paths: \"m-00000003\"\n");
}

TEST(RetentionTest, MaxToKeepZeroAndNegativeTrackNothing) {
  for (int max_to_keep : {0, -1}) {
    io::MemEnv env;
    CheckpointRetention r(max_to_keep, 10000.0, 0.0);
    for (int step = 1; step <= 3; ++step) {
      DeletionOutcome out;
      ASSERT_TRUE(SaverSave(&env, &r, "/z", CheckpointFilenameWithStep("/z/m", step),
                            step, {}, &out)
                      .ok());
      EXPECT_NE(out.action, Action::kDeleted);
    }
    EXPECT_TRUE(r.last_checkpoints().empty());
    EXPECT_EQ(StateText(&env, "/z"),
              "model_checkpoint_path: \"/z/m-3\"\n"
              "all_model_checkpoint_paths: \"/z/m-3\"\n");
    for (const char* f : {"/z/m-1.index", "/z/m-2.index", "/z/m-3.index"}) {
      EXPECT_TRUE(env.FileExists(f)) << f << " max_to_keep=" << max_to_keep;
    }
  }
}

TEST(RetentionTest, ResavingTheSamePath) {
  io::MemEnv env;
  CheckpointRetention r(2, 10000.0, 0.0);
  const std::vector<Strings> expected = {
      {"/s/m-1"}, {"/s/m-1", "/s/m-2"}, {"/s/m-2", "/s/m-1"}, {"/s/m-1", "/s/m-3"}};
  const int steps[] = {1, 2, 1, 3};
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(SaverSave(&env, &r, "/s", CheckpointFilenameWithStep("/s/m", steps[i]),
                          i + 1)
                    .ok());
    EXPECT_EQ(r.last_checkpoints(), expected[i]) << i;
  }
  EXPECT_FALSE(env.FileExists("/s/m-2.index"));
  EXPECT_TRUE(env.FileExists("/s/m-1.index"));
  EXPECT_EQ(StateText(&env, "/s"),
            "model_checkpoint_path: \"/s/m-3\"\n"
            "all_model_checkpoint_paths: \"/s/m-1\"\n"
            "all_model_checkpoint_paths: \"/s/m-3\"\n");
}

TEST(RetentionTest, NeverDeletesALiveCheckpoint) {
  io::MemEnv env;
  ASSERT_TRUE(WriteV2Bundle(&env, "/l/a").ok());
  ASSERT_TRUE(WriteV2Bundle(&env, "/l/b").ok());
  CheckpointRetention r(1, 10000.0, 0.0);
  // Queue "a" twice without processing, then re-save it: it is live again.
  r.RecordCheckpoint("/l/a", 1.0);
  r.RecordCheckpoint("/l/b", 2.0);  // queue: a
  r.RecordCheckpoint("/l/a", 3.0);  // queue: a, b; tracked: a
  DeletionOutcome first = r.MaybeDeleteOldCheckpoints(&env);
  EXPECT_EQ(first.action, Action::kSkippedLive);
  EXPECT_TRUE(env.FileExists("/l/a.index"));
  // "b" is what the state file names (say the last state write failed).
  env.PutFile("/l/checkpoint", "model_checkpoint_path: \"b\"\n");
  DeletionOutcome second =
      r.MaybeDeleteOldCheckpoints(&env, "meta", StateFileLocation{"/l"});
  EXPECT_EQ(second.action, Action::kSkippedLive);
  EXPECT_TRUE(env.FileExists("/l/b.index"));
  // An unreadable state file defers deletion and keeps the entry queued.
  r.RecordCheckpoint("/l/c", 4.0);  // queue: a
  env.PutFile("/l/checkpoint", "not a state file");
  DeletionOutcome third =
      r.MaybeDeleteOldCheckpoints(&env, "meta", StateFileLocation{"/l"});
  EXPECT_EQ(third.action, Action::kDeferred);
  EXPECT_EQ(third.status.code(), StatusCode::kDataLoss);
  EXPECT_EQ(r.pending_deletion().size(), 1u);
  EXPECT_TRUE(env.FileExists("/l/a.index"));
}

TEST(RetentionTest, RecoverLastCheckpoints) {
  CheckpointRetention r(2, 10000.0, 0.0);
  EXPECT_EQ(r.RecoverLastCheckpoints({"a", "b"}, {1.0}).code(),
            StatusCode::kInvalidArgument);
  ASSERT_TRUE(r.RecoverLastCheckpoints({"a", "b"}, {1.0, 2.0}).ok());
  EXPECT_EQ(r.last_checkpoints_with_time(),
            (std::deque<CheckpointEntry>{{"a", 1.0}, {"b", 2.0}}));
  // Without timestamps: +inf, so an evicted entry is kept forever.
  io::MemEnv env;
  ASSERT_TRUE(WriteV2Bundle(&env, "/r/a").ok());
  ASSERT_TRUE(r.RecoverLastCheckpoints({"/r/a", "/r/b"}, {}).ok());
  r.RecordCheckpoint("/r/c", 5.0);
  EXPECT_EQ(r.MaybeDeleteOldCheckpoints(&env).action, Action::kKeptForever);
  EXPECT_TRUE(env.FileExists("/r/a.index"));
}

TEST(RetentionTest, RecoverFromCheckpointStateSkipsMissing) {
  io::MemEnv env;
  ASSERT_TRUE(WriteV2Bundle(&env, "/q/m-2").ok());
  ASSERT_TRUE(WriteV2Bundle(&env, "/q/m-3").ok());
  ASSERT_TRUE(UpdateCheckpointState(&env, "/q", "/q/m-3",
                                    {"/q/m-1", "/q/m-2", "/q/m-3"},
                                    {10.0, 20.0, 30.0})
                  .ok());
  auto state = GetCheckpointState(&env, "/q");
  ASSERT_TRUE(state.ok() && state->has_value());
  CheckpointRetention r(2, 10000.0, 0.0);
  ASSERT_TRUE(r.RecoverFromCheckpointState(&env, **state).ok());
  EXPECT_EQ(r.last_checkpoints_with_time(),
            (std::deque<CheckpointEntry>{{"/q/m-2", 20.0}, {"/q/m-3", 30.0}}));
  // Continue saving: m-2 goes.
  ASSERT_TRUE(SaverSave(&env, &r, "/q", "/q/m-4", 40.0).ok());
  EXPECT_FALSE(env.FileExists("/q/m-2.index"));
  EXPECT_EQ(r.last_checkpoints(), (Strings{"/q/m-3", "/q/m-4"}));
}

TEST(RetentionTest, PosixMaxToKeepTwoOverFiveSaves) {
  io::Env* env = io::Env::Default();
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string d = std::string(tmp != nullptr ? tmp : "/tmp") + "/posix_retention";
  ASSERT_TRUE(env->CreateDirRecursively(d).ok());
  CheckpointRetention r(2, 10000.0, 1000.0);
  for (int step = 0; step < 5; ++step) {
    ASSERT_TRUE(SaverSave(env, &r, d, CheckpointFilenameWithStep(d + "/model.ckpt", step),
                          1001.0 + step)
                    .ok());
  }
  EXPECT_EQ(Children(env, d),
            (Strings{"checkpoint", "model.ckpt-3.data-00000-of-00001",
                     "model.ckpt-3.index", "model.ckpt-3.meta",
                     "model.ckpt-4.data-00000-of-00001", "model.ckpt-4.index",
                     "model.ckpt-4.meta"}));
  EXPECT_EQ(StateText(env, d),
            "model_checkpoint_path: \"" + d + "/model.ckpt-4\"\n" +
                "all_model_checkpoint_paths: \"" + d + "/model.ckpt-3\"\n" +
                "all_model_checkpoint_paths: \"" + d + "/model.ckpt-4\"\n");
}

}  // namespace
}  // namespace tfckpt::state
