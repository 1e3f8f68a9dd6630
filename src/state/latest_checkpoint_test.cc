#include "src/state/latest_checkpoint.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/io/mem_env.h"
#include "src/state/text_format.h"
#include "src/testing/save_race_env.h"
#include "src/testing/shared_dir.h"

namespace tfckpt::state {
namespace {

TEST(MetaGraphFilenameTest, MatchesTensorFlow) {
  // {prefix, meta_graph_filename(p), meta_graph_filename(p, "pbtxt")} as
  // printed by TF 2.21's checkpoint_management.meta_graph_filename.
  struct Case {
    const char* prefix;
    const char* meta;
    const char* pbtxt;
  };
  const Case cases[] = {
  {"model.ckpt", "model.ckpt.meta", "model.ckpt.pbtxt"},
  {"model.ckpt-123456-?\??\??-of-00005", "model.ckpt-123456.meta", "model.ckpt-123456.pbtxt"},
  {"model.ckpt-123456-00001-of-00002", "model.ckpt-123456.meta", "model.ckpt-123456.pbtxt"},
  {"/a/b-?\??\??-of-00002", "/a/b.meta", "/a/b.pbtxt"},
  {"x-1-of-", "x-1-of-.meta", "x-1-of-.pbtxt"},
  {"x--of-2", "x--of-2.meta", "x--of-2.pbtxt"},
  {"x-a-of-2", "x-a-of-2.meta", "x-a-of-2.pbtxt"},
  {"x-1-of-2\n", "x\n.meta", "x\n.pbtxt"},
  {"x-1-of-2\n\n", "x-1-of-2\n\n.meta", "x-1-of-2\n\n.pbtxt"},
  {"x-1-of-2a", "x-1-of-2a.meta", "x-1-of-2a.pbtxt"},
  {"-1-of-1-of-2", "-1-of.meta", "-1-of.pbtxt"},
  {"x-1-of-1-of-2", "x-1-of.meta", "x-1-of.pbtxt"},
  {"x-?-of-0", "x.meta", "x.pbtxt"},
  {"ckpt-00000001", "ckpt-00000001.meta", "ckpt-00000001.pbtxt"},
  {"x-1-OF-2", "x-1-OF-2.meta", "x-1-OF-2.pbtxt"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(MetaGraphFilename(c.prefix), c.meta) << c.prefix;
    EXPECT_EQ(MetaGraphFilename(c.prefix, "pbtxt"), c.pbtxt) << c.prefix;
  }
}

TEST(CheckpointFilenameWithStepTest, SaverNaming) {
  EXPECT_EQ(CheckpointFilenameWithStep("/tmp/m/model.ckpt", 1000),
            "/tmp/m/model.ckpt-1000");
  EXPECT_EQ(CheckpointFilenameWithStep("model.ckpt", 1000, true),
            "model.ckpt-00001000");
  EXPECT_EQ(CheckpointFilenameWithStep("m", 123456789012LL, true),
            "m-123456789012");
  // "%s-%s" % (p, "{:08d}".format(-5)) == "m--0000005"
  EXPECT_EQ(CheckpointFilenameWithStep("m", -5, true), "m--0000005");
  EXPECT_EQ(CheckpointFilenameWithStep("m", -5), "m--5");
}

TEST(CheckpointExistsTest, V2V1AndShardedV1) {
  io::MemEnv env;
  env.PutFile("/c/v2.index", "i");
  env.PutFile("/c/v2.data-00000-of-00001", "d");
  env.PutFile("/c/orphan.data-00000-of-00001", "d");  // no index
  env.PutFile("/c/v1", "table");
  env.PutFile("/c/sh-00000-of-00002", "a");
  env.PutFile("/c/sh-00001-of-00002", "b");
  EXPECT_TRUE(*CheckpointExists(&env, "/c/v2"));
  EXPECT_FALSE(*CheckpointExists(&env, "/c/orphan"));
  EXPECT_TRUE(*CheckpointExists(&env, "/c/v1"));
  EXPECT_TRUE(*CheckpointExists(&env, "/c/sh-?????-of-00002"));
  EXPECT_FALSE(*CheckpointExists(&env, "/c/sh"));  // TF: no suffix probe
  EXPECT_FALSE(*CheckpointExists(&env, "/c/missing"));
  EXPECT_FALSE(*CheckpointExists(&env, "/nodir/x"));
}

TEST(LatestCheckpointTest, FollowsStateFile) {
  io::MemEnv env;
  auto none = LatestCheckpoint(&env, "/d");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  env.PutFile("/d/ckpt-1.index", "i");
  env.PutFile("/d/checkpoint",
              "model_checkpoint_path: \"ckpt-1\"\n"
              "all_model_checkpoint_paths: \"ckpt-1\"\n");
  auto rel = LatestCheckpoint(&env, "/d");
  ASSERT_TRUE(rel.ok()) << rel.status();
  EXPECT_EQ(rel->value_or("-"), "/d/ckpt-1");

  env.PutFile("/d/checkpoint", "model_checkpoint_path: \"/d/ckpt-2\"\n");
  std::string warning;
  auto gone = LatestCheckpoint(&env, "/d", kDefaultLatestFilename, &warning);
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
  EXPECT_EQ(warning, "Couldn't match files for checkpoint /d/ckpt-2");

  env.PutFile("/d/v1-00000-of-00002", "x");
  env.PutFile("/d/other", "model_checkpoint_path: \"v1-?????-of-00002\"\n");
  auto v1 = LatestCheckpoint(&env, "/d", "other");
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(v1->value_or("-"), "/d/v1-?????-of-00002");

  env.PutFile("/d/checkpoint", "garbage");
  auto bad = LatestCheckpoint(&env, "/d");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kDataLoss);
}

TEST(LatestCheckpointTest, AfterUpdateCheckpointState) {
  io::MemEnv env;
  env.PutFile("/r/model.ckpt-7.index", "i");
  ASSERT_TRUE(UpdateCheckpointState(&env, "/r", "/r/model.ckpt-7", {}, {},
                                    std::nullopt, /*save_relative_paths=*/true)
                  .ok());
  EXPECT_EQ(*env.ReadFileToString("/r/checkpoint"),
            "model_checkpoint_path: \"model.ckpt-7\"\n"
            "all_model_checkpoint_paths: \"model.ckpt-7\"\n");
  auto latest = LatestCheckpoint(&env, "/r");
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->value_or("-"), "/r/model.ckpt-7");
}

// A save replacing /d/ckpt (one shard, BUNDLE-2.6's order) that performs
// schedule[i] more steps just before the i-th directory listing (so the
// i-th Glob).
class ReplacingEnv : public testing::SaveRaceEnv {
 public:
  explicit ReplacingEnv(std::vector<int> schedule) : SaveRaceEnv("/d/ckpt", std::move(schedule)) {
    PutFile("/d/checkpoint", "model_checkpoint_path: \"ckpt\"\n");
  }
  StatusOr<std::vector<std::string>> GetChildren(const std::string& dir) override {
    Advance();
    return MemEnv::GetChildren(dir);
  }
};

// Issue 16: LatestCheckpoint said "no checkpoint" while a save had parked
// the index. Whatever step a save is at, and however one whole save (6
// steps) interleaves with the lookups, the checkpoint is found.
TEST(LatestCheckpointTest, SeesTheCheckpointWhateverOneSaveDoesMeanwhile) {
  for (int start = 0; start < 6; ++start) {
    for (const std::vector<int>& schedule : testing::Schedules(7, 6)) {
      ReplacingEnv env(schedule);
      for (int i = 0; i < start; ++i) env.Step();
      std::string warning;
      auto latest = LatestCheckpoint(&env, "/d", kDefaultLatestFilename, &warning);
      ASSERT_TRUE(latest.ok()) << latest.status();
      ASSERT_EQ(latest->value_or("none"), "/d/ckpt")
          << "start step " << start << ", schedule " << ::testing::PrintToString(schedule)
          << ": " << warning;
    }
  }
}

// After a crash that left only the parked index (before the commit point),
// the checkpoint exists: BundleReader reads the parked one (BUNDLE-2.7).
TEST(CheckpointExistsTest, ParkedIndexOfAnInterruptedSave) {
  io::MemEnv env;
  env.PutFile("/c/m.index.tfckpt-old", "i");
  env.PutFile("/c/m.data-00000-of-00001.tfckpt-old", "d");
  EXPECT_TRUE(*CheckpointExists(&env, "/c/m"));
  env.PutFile("/c/checkpoint", "model_checkpoint_path: \"m\"\n");
  auto latest = LatestCheckpoint(&env, "/c");
  ASSERT_TRUE(latest.ok()) << latest.status();
  EXPECT_EQ(latest->value_or("none"), "/c/m");
}

// A state file written by real TensorFlow (TF Serving's bad_half_plus_two
// test data), read in place from shared/ -- never copied into the repo. Its
// absolute /tmp paths no longer resolve.
TEST(RealTfStateFileTest, BadHalfPlusTwo) {
  auto dir = testing::FindSharedPath(
      "src/state/BUILD", "tf-golden/serving/bad_half_plus_two/00000123");
  if (!dir) {
    GTEST_SKIP() << "shared/tf-golden/serving/bad_half_plus_two not found "
                    "(set TFCKPT_SHARED_DIR to the shared/ directory)";
  }
  io::Env* env = io::Env::Default();
  const std::string file = CheckpointStatePath(*dir);
  auto raw = env->ReadFileToString(file);
  ASSERT_TRUE(raw.ok()) << raw.status();

  auto parsed = ParseCheckpointStateText(*raw, file);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->model_checkpoint_path(),
            "/tmp/bad_half_plus_two/00000123/export");
  ASSERT_EQ(parsed->all_model_checkpoint_paths_size(), 1);
  EXPECT_EQ(parsed->all_model_checkpoint_paths(0),
            "/tmp/bad_half_plus_two/00000123/export");
  // Our writer reproduces TF's bytes exactly, in both escape modes (the
  // file is ASCII).
  EXPECT_EQ(CheckpointStateToText(*parsed), *raw);
  EXPECT_EQ(CheckpointStateToText(*parsed, TextFormatOptions{false}), *raw);

  auto state = GetCheckpointState(env, *dir);
  ASSERT_TRUE(state.ok()) << state.status();
  ASSERT_TRUE(state->has_value());
  EXPECT_EQ((*state)->model_checkpoint_path(),
            "/tmp/bad_half_plus_two/00000123/export");  // absolute: not joined

  // The checkpoint itself sits beside the state file (a V1 file "export").
  EXPECT_TRUE(*CheckpointExists(env, *dir + "/export"));
  if (!env->FileExists("/tmp/bad_half_plus_two")) {
    std::string warning;
    auto latest = LatestCheckpoint(env, *dir, kDefaultLatestFilename, &warning);
    ASSERT_TRUE(latest.ok()) << latest.status();
    EXPECT_FALSE(latest->has_value());
    EXPECT_EQ(warning,
              "Couldn't match files for checkpoint "
              "/tmp/bad_half_plus_two/00000123/export");
  }
}

}  // namespace
}  // namespace tfckpt::state
