#include "src/state/checkpoint_state.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/io/env.h"
#include "src/io/mem_env.h"
#include "src/state/python_path.h"

namespace tfckpt::state {
namespace {

std::string TestTmpDir() {
  const char* t = std::getenv("TEST_TMPDIR");
  return t != nullptr ? t : "/tmp";
}

// Rows are TF 2.21's own results: a throwaway script patched
// os.getcwd = lambda: "/w/cur" and file_io.atomic_write_string_to_file (to
// capture instead of write) and called
// checkpoint_management.update_checkpoint_state_internal(save_dir, path,
// all_model_checkpoint_paths=..., save_relative_paths=...).
struct UpdateCase {
  const char* save_dir;
  const char* model_checkpoint_path;
  std::vector<std::string> all_paths;
  bool save_relative_paths;
  bool tf_ok;
  const char* file_or_error_type;
  const char* text_or_error;
};

const std::vector<UpdateCase>& TfUpdateCases() {
  static const auto* cases = new std::vector<UpdateCase>{
  {"/abs/d", "/abs/d/model-0", {}, false, true, "/abs/d/checkpoint", "model_checkpoint_path: \"/abs/d/model-0\"\nall_model_checkpoint_paths: \"/abs/d/model-0\"\n"},
  {"/abs/d", "/abs/d/model-2", {"/abs/d/model-1"}, false, true, "/abs/d/checkpoint", "model_checkpoint_path: \"/abs/d/model-2\"\nall_model_checkpoint_paths: \"/abs/d/model-1\"\nall_model_checkpoint_paths: \"/abs/d/model-2\"\n"},
  {"/abs/d", "/abs/d/model-2", {"/abs/d/model-1", "/abs/d/model-2"}, false, true, "/abs/d/checkpoint", "model_checkpoint_path: \"/abs/d/model-2\"\nall_model_checkpoint_paths: \"/abs/d/model-1\"\nall_model_checkpoint_paths: \"/abs/d/model-2\"\n"},
  {"/abs/d", "model-2", {"model-1"}, false, true, "/abs/d/checkpoint", "model_checkpoint_path: \"model-2\"\nall_model_checkpoint_paths: \"model-1\"\nall_model_checkpoint_paths: \"model-2\"\n"},
  {"/abs/d", "/abs/d/model-2", {"model-1", "/abs/d/model-2"}, true, true, "/abs/d/checkpoint", "model_checkpoint_path: \"model-2\"\nall_model_checkpoint_paths: \"model-1\"\nall_model_checkpoint_paths: \"model-2\"\n"},
  {"/abs/d", "/abs/d/sub/model-2", {"/other/m", "/abs/d/sub/model-2"}, true, true, "/abs/d/checkpoint", "model_checkpoint_path: \"sub/model-2\"\nall_model_checkpoint_paths: \"../../other/m\"\nall_model_checkpoint_paths: \"sub/model-2\"\n"},
  {"/abs/d/", "/abs/d/model-2", {}, true, true, "/abs/d/checkpoint", "model_checkpoint_path: \"model-2\"\nall_model_checkpoint_paths: \"model-2\"\n"},
  {"train", "train/model-0", {}, false, true, "train/checkpoint", "model_checkpoint_path: \"model-0\"\nall_model_checkpoint_paths: \"model-0\"\n"},
  {"train", "train/model-2", {"/w/cur/model-0", "train/model-2"}, false, true, "train/checkpoint", "model_checkpoint_path: \"model-2\"\nall_model_checkpoint_paths: \"/w/cur/model-0\"\nall_model_checkpoint_paths: \"model-2\"\n"},
  {"train", "model-0", {"../x/model-1", "/abs/m", "train/model-0"}, false, true, "train/checkpoint", "model_checkpoint_path: \"../model-0\"\nall_model_checkpoint_paths: \"../../x/model-1\"\nall_model_checkpoint_paths: \"/abs/m\"\nall_model_checkpoint_paths: \"model-0\"\nall_model_checkpoint_paths: \"../model-0\"\n"},
  {"train", "/w/cur/train/m-1", {}, true, true, "train/checkpoint", "model_checkpoint_path: \"../m-1\"\nall_model_checkpoint_paths: \"../m-1\"\n"},
  {"train", "train/m-1", {"train/m-0"}, true, true, "train/checkpoint", "model_checkpoint_path: \"m-1\"\nall_model_checkpoint_paths: \"m-0\"\nall_model_checkpoint_paths: \"m-1\"\n"},
  {"train", "/w/cur/train/m-1", {"/w/cur/train/m-0", "/w/cur/train/m-1"}, true, true, "train/checkpoint", "model_checkpoint_path: \"../m-1\"\nall_model_checkpoint_paths: \"../m-0\"\nall_model_checkpoint_paths: \"../m-1\"\n"},
  {"", "model-0", {}, false, true, "checkpoint", "model_checkpoint_path: \"model-0\"\nall_model_checkpoint_paths: \"model-0\"\n"},
  {"", "model-0", {"model-0"}, true, true, "checkpoint", "model_checkpoint_path: \"model-0\"\nall_model_checkpoint_paths: \"model-0\"\n"},
  {".", "./model-0", {}, false, true, "./checkpoint", "model_checkpoint_path: \"model-0\"\nall_model_checkpoint_paths: \"model-0\"\n"},
  {"./train/", "./train/sub/../model-0", {}, false, true, "./train/checkpoint", "model_checkpoint_path: \"model-0\"\nall_model_checkpoint_paths: \"model-0\"\n"},
  {"../up", "../up/m", {}, false, true, "../up/checkpoint", "model_checkpoint_path: \"m\"\nall_model_checkpoint_paths: \"m\"\n"},
  {"a/b", "a/b/c/d-1", {}, false, true, "a/b/checkpoint", "model_checkpoint_path: \"c/d-1\"\nall_model_checkpoint_paths: \"c/d-1\"\n"},
  {"/abs/d", "/abs/d/checkpoint", {}, false, false, "RuntimeError", "Save path '/abs/d/checkpoint' conflicts with path used for checkpoint state.  Please use a different save path."},
  {"/abs/d", "/abs/d/checkpoint", {}, true, true, "/abs/d/checkpoint", "model_checkpoint_path: \"checkpoint\"\nall_model_checkpoint_paths: \"checkpoint\"\n"},
  {"train", "train/checkpoint", {}, false, true, "train/checkpoint", "model_checkpoint_path: \"checkpoint\"\nall_model_checkpoint_paths: \"checkpoint\"\n"},
  {"train", "checkpoint", {}, true, true, "train/checkpoint", "model_checkpoint_path: \"../checkpoint\"\nall_model_checkpoint_paths: \"../checkpoint\"\n"},
  {"/abs/d", "checkpoint", {}, true, true, "/abs/d/checkpoint", "model_checkpoint_path: \"checkpoint\"\nall_model_checkpoint_paths: \"checkpoint\"\n"},
  {"/abs/d", "/abs/d/m-1????\?-of-00002", {}, false, true, "/abs/d/checkpoint", "model_checkpoint_path: \"/abs/d/m-1????\?-of-00002\"\nall_model_checkpoint_paths: \"/abs/d/m-1????\?-of-00002\"\n"},
  };
  return *cases;
}

// Where we deliberately refuse what TF accepts: the stored model path reads
// back as the state file itself (TF only compares the stored string).
bool WeRejectAsSelfReference(const UpdateCase& c) {
  const std::string dir = c.save_dir;
  const std::string p = c.model_checkpoint_path;
  return (dir == "/abs/d" && p == "/abs/d/checkpoint") ||
         (dir == "train" && p == "train/checkpoint") ||
         (dir == "/abs/d" && p == "checkpoint");
}

TEST(CheckpointStateTest, UpdateMatchesTensorFlow) {
  for (const UpdateCase& c : TfUpdateCases()) {
    SCOPED_TRACE(std::string(c.save_dir) + " + " + c.model_checkpoint_path +
                 (c.save_relative_paths ? " (relative)" : ""));
    StateUpdate u;
    u.save_dir = c.save_dir;
    u.model_checkpoint_path = c.model_checkpoint_path;
    u.all_model_checkpoint_paths = c.all_paths;
    u.save_relative_paths = c.save_relative_paths;
    u.cwd = "/w/cur";
    auto got = RenderCheckpointStateUpdate(u);
    if (c.tf_ok && !WeRejectAsSelfReference(c)) {
      ASSERT_TRUE(got.ok()) << got.status();
      EXPECT_EQ(got->path, c.file_or_error_type);
      EXPECT_EQ(got->text, c.text_or_error);
    } else {
      ASSERT_FALSE(got.ok());
      EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
      EXPECT_EQ(got.status().message(),
                StrCat("Save path '", c.model_checkpoint_path,
                       "' conflicts with path used for checkpoint state.  "
                       "Please use a different save path."));
    }
  }
}

TEST(CheckpointStateTest, GenerateMatchesTfCheckpointStateTests) {
  // checkpoint_management_test.py testAbsPath / testRelPath /
  // testAllModelCheckpointPaths.
  auto abs = GenerateCheckpointState("/tmp/abs_paths", "/tmp/abs_paths/model-0");
  ASSERT_TRUE(abs.ok());
  EXPECT_EQ(abs->model_checkpoint_path(), "/tmp/abs_paths/model-0");
  ASSERT_EQ(abs->all_model_checkpoint_paths_size(), 1);
  auto rel = GenerateCheckpointState("train", "train/model-0");
  ASSERT_TRUE(rel.ok());
  EXPECT_EQ(rel->model_checkpoint_path(), "model-0");
  EXPECT_EQ(rel->all_model_checkpoint_paths(0), "model-0");
  auto two = GenerateCheckpointState("/d", "/d/model-0", {"model-2"});
  ASSERT_TRUE(two.ok());
  ASSERT_EQ(two->all_model_checkpoint_paths_size(), 2);
  EXPECT_EQ(two->all_model_checkpoint_paths(1), "/d/model-0");
}

TEST(CheckpointStateTest, TimestampCountMismatchIsTfValueError) {
  // Python: generate_checkpoint_state_proto("d", "d/a", ["d/a","d/b"], [1.0])
  auto s = GenerateCheckpointState("d", "d/a", {"d/a", "d/b"}, {1.0});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.status().message(),
            "Checkpoint timestamps, if provided, must match checkpoint paths "
            "(got paths ['d/a', 'd/b', 'd/a'] and timestamps [1.0])");
}

TEST(CheckpointStateTest, TimestampsAndLastPreservedAreWritten) {
  io::MemEnv env;
  ASSERT_TRUE(UpdateCheckpointState(&env, "/m", "/m/ckpt-2",
                                    {"/m/ckpt-1", "/m/ckpt-2"},
                                    {1700000000.123456, 1700000100.0},
                                    1699999999.5, /*save_relative_paths=*/true)
                  .ok());
  auto text = env.ReadFileToString("/m/checkpoint");
  ASSERT_TRUE(text.ok());
  // What CheckpointManager writes (save_relative_paths=True), per TF 2.21.
  EXPECT_EQ(*text,
            "model_checkpoint_path: \"ckpt-2\"\n"
            "all_model_checkpoint_paths: \"ckpt-1\"\n"
            "all_model_checkpoint_paths: \"ckpt-2\"\n"
            "all_model_checkpoint_timestamps: 1700000000.123456\n"
            "all_model_checkpoint_timestamps: 1700000100.0\n"
            "last_preserved_timestamp: 1699999999.5\n");
  auto back = GetCheckpointState(&env, "/m");
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_TRUE(back->has_value());
  const CheckpointState& s = **back;
  EXPECT_EQ(s.model_checkpoint_path(), "/m/ckpt-2");
  EXPECT_EQ(s.all_model_checkpoint_paths(0), "/m/ckpt-1");
  EXPECT_EQ(s.all_model_checkpoint_timestamps(0), 1700000000.123456);
  EXPECT_EQ(s.last_preserved_timestamp(), 1699999999.5);
}

TEST(CheckpointStateTest, LatestFilenameMustNotContainSeparator) {
  io::MemEnv env;
  for (const char* name : {"sub/checkpoint", "/checkpoint", ""}) {
    Status s = UpdateCheckpointState(&env, "/m", "/m/ckpt-1", {}, {},
                                     std::nullopt, false, name);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << name;
    EXPECT_NE(s.message().find("must not contain path components"),
              std::string::npos);
  }
  EXPECT_TRUE(UpdateCheckpointState(&env, "/m", "/m/ckpt-1", {}, {},
                                    std::nullopt, false, "latest")
                  .ok());
  EXPECT_TRUE(env.FileExists("/m/latest"));
  auto s = GetCheckpointState(&env, "/m", "latest");
  ASSERT_TRUE(s.ok() && s->has_value());
  auto absent = GetCheckpointState(&env, "/m");  // default name: none
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(absent->has_value());
}

TEST(CheckpointStateTest, NonUtf8PathIsRefusedBeforeWriting) {
  io::MemEnv env;
  env.PutFile("/m/checkpoint", "model_checkpoint_path: \"old\"\n");
  Status s = UpdateCheckpointState(&env, "/m", "/m/ck\xff");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*env.ReadFileToString("/m/checkpoint"),
            "model_checkpoint_path: \"old\"\n");
}

TEST(CheckpointStateTest, ConflictLeavesPreviousStateUntouched) {
  io::MemEnv env;
  ASSERT_TRUE(UpdateCheckpointState(&env, "/m", "/m/ckpt-1").ok());
  const std::string before = *env.ReadFileToString("/m/checkpoint");
  Status s = UpdateCheckpointState(&env, "/m", "/m/checkpoint");
  EXPECT_EQ(s.message(),
            "Save path '/m/checkpoint' conflicts with path used for checkpoint "
            "state.  Please use a different save path.");
  EXPECT_EQ(*env.ReadFileToString("/m/checkpoint"), before);
  auto children = env.GetChildren("/m");
  ASSERT_TRUE(children.ok());
  EXPECT_EQ(*children, std::vector<std::string>{"checkpoint"});  // no temp
}

TEST(CheckpointStateTest, ReadCompletesRelativePathsLikeTf) {
  // testCheckPointCompletesRelativePaths: "./" is kept by os.path.join.
  io::MemEnv env;
  env.PutFile("/s/checkpoint",
              "\n        model_checkpoint_path: \"./model.ckpt-687529\"\n"
              "        all_model_checkpoint_paths: \"./model.ckpt-687500\"\n"
              "        all_model_checkpoint_paths: \"./model.ckpt-687529\"\n"
              "        ");
  auto s = GetCheckpointState(&env, "/s");
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_TRUE(s->has_value());
  EXPECT_EQ((*s)->model_checkpoint_path(), "/s/./model.ckpt-687529");
  EXPECT_EQ((*s)->all_model_checkpoint_paths(0), "/s/./model.ckpt-687500");
  EXPECT_EQ((*s)->all_model_checkpoint_paths(1), "/s/./model.ckpt-687529");
  // A trailing slash on the directory is kept as given: join("/s/", p).
  auto t = GetCheckpointState(&env, "/s/");
  ASSERT_TRUE(t.ok() && t->has_value());
  EXPECT_EQ((*t)->model_checkpoint_path(), "/s/./model.ckpt-687529");
}

TEST(CheckpointStateTest, EmptyOrPathlessStateIsInvalid) {
  // testCheckPointStateFailsWhenIncomplete: an empty file is a ValueError.
  io::MemEnv env;
  for (const char* text : {"", "all_model_checkpoint_paths: \"a\"\n",
                           "# only a comment\n"}) {
    env.PutFile("/e/checkpoint", text);
    auto s = GetCheckpointState(&env, "/e");
    ASSERT_FALSE(s.ok()) << text;
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(s.status().message(), "Invalid checkpoint state loaded from /e");
    auto tf = GetCheckpointStateOrNone(&env, "/e");
    ASSERT_FALSE(tf.ok());  // TF raises here too
    EXPECT_EQ(tf.status().message(), "Invalid checkpoint state loaded from /e");
  }
}

TEST(CheckpointStateTest, UnparseableIsAnErrorOrTfStyleNone) {
  io::MemEnv env;
  env.PutFile("/p/checkpoint", "model_checkpoint_path: \"a\"\nfoo: 1\n");
  auto strict = GetCheckpointState(&env, "/p");
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(strict.status().message().find("/p/checkpoint: 2:"),
            std::string::npos) << strict.status();
  std::string warning;
  auto tf = GetCheckpointStateOrNone(&env, "/p", kDefaultLatestFilename,
                                     &warning);
  ASSERT_TRUE(tf.ok()) << tf.status();
  EXPECT_FALSE(tf->has_value());
  EXPECT_EQ(warning.rfind("ParseError: ", 0), 0u) << warning;
  EXPECT_NE(warning.find("\n/p/checkpoint: Checkpoint ignored"),
            std::string::npos) << warning;
}

TEST(CheckpointStateTest, MalformedInputsNeverCrash) {
  io::MemEnv env;
  const std::vector<std::string> inputs = {
      std::string("\x00\x01\x02\xff\xfe\x80 binary junk\x00", 20),
      std::string(1 << 16, '\0'),
      [] {  // deeply nested unknown messages
        std::string s;
        for (int i = 0; i < 200000; ++i) s += "a { ";
        return s;
      }(),
      [] {  // deeply nested list brackets
        std::string s = "all_model_checkpoint_paths: ";
        s.append(200000, '[');
        return s;
      }(),
      "model_checkpoint_path: \"" + std::string(1 << 20, '\\'),
      "model_checkpoint_path: \"\\",
      "model_checkpoint_path: \"\\x\"",
      "model_checkpoint_path: \"\\400\"",
      "all_model_checkpoint_timestamps: 1e999999999999\n",
      "all_model_checkpoint_timestamps: --1\n",
      "last_preserved_timestamp: 0x\n",
      "model_checkpoint_path: 12\n",
      "model_checkpoint_path { }\n",
      "[ext.field]: 1\n",
      "model_checkpoint_path: \"a\" model_checkpoint_path:",
  };
  for (const std::string& in : inputs) {
    env.PutFile("/j/checkpoint", in);
    auto s = GetCheckpointState(&env, "/j");
    EXPECT_FALSE(s.ok() && s->has_value() &&
                 (*s)->model_checkpoint_path().empty());
    if (s.ok()) continue;  // a lenient parse is fine; crashing is not
    EXPECT_NE(s.status().message().find("/j"), std::string::npos)
        << s.status();
  }
}

TEST(CheckpointStateTest, HugeFiles) {
  io::MemEnv env;
  // Over the limit: refused by size, before reading.
  env.PutFile("/h/checkpoint", std::string(kMaxStateFileBytes + 1, ' '));
  auto big = GetCheckpointState(&env, "/h");
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(big.status().message().find("/h/checkpoint"), std::string::npos);
  // Large but legal (100k retained checkpoints): parses.
  std::string text = "model_checkpoint_path: \"ckpt-99999\"\n";
  for (int i = 0; i < 100000; ++i) {
    text += StrCat("all_model_checkpoint_paths: \"ckpt-", i, "\"\n");
  }
  env.PutFile("/h/checkpoint", text);
  auto ok = GetCheckpointState(&env, "/h");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ((*ok)->all_model_checkpoint_paths_size(), 100000);
  EXPECT_EQ((*ok)->all_model_checkpoint_paths(99999), "/h/ckpt-99999");
}

TEST(CheckpointStateTest, DirectoryInPlaceOfFile) {
  io::MemEnv env;
  ASSERT_TRUE(env.CreateDirRecursively("/x/checkpoint").ok());
  auto strict = GetCheckpointState(&env, "/x");
  ASSERT_FALSE(strict.ok());
  EXPECT_NE(strict.status().message().find("/x/checkpoint"), std::string::npos);
  std::string warning;
  auto tf = GetCheckpointStateOrNone(&env, "/x", kDefaultLatestFilename,
                                     &warning);
  ASSERT_TRUE(tf.ok());
  EXPECT_FALSE(tf->has_value());
  EXPECT_NE(warning.find("Checkpoint ignored"), std::string::npos);
}

TEST(CheckpointStateTest, NotUtf8FileIsAnErrorEvenTfStyle) {
  io::MemEnv env;
  env.PutFile("/u/checkpoint", "model_checkpoint_path: \"a\xff\"\n");
  auto tf = GetCheckpointStateOrNone(&env, "/u");
  ASSERT_FALSE(tf.ok());  // TF: UnicodeDecodeError escapes get_checkpoint_state
  EXPECT_NE(tf.status().message().find("not valid UTF-8"), std::string::npos);
}

TEST(CheckpointStateTest, PosixRoundTripAbsoluteDir) {
  io::Env* env = io::Env::Default();
  const std::string dir = io::JoinPath(TestTmpDir(), "posix_abs");
  ASSERT_TRUE(env->CreateDirRecursively(dir).ok());
  ASSERT_TRUE(UpdateCheckpointState(env, dir, dir + "/model.ckpt-4",
                                    {dir + "/model.ckpt-3", dir + "/model.ckpt-4"})
                  .ok());
  auto text = env->ReadFileToString(dir + "/checkpoint");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "model_checkpoint_path: \"" + dir + "/model.ckpt-4\"\n" +
                       "all_model_checkpoint_paths: \"" + dir +
                       "/model.ckpt-3\"\n" + "all_model_checkpoint_paths: \"" +
                       dir + "/model.ckpt-4\"\n");
  auto s = GetCheckpointState(env, dir);
  ASSERT_TRUE(s.ok() && s->has_value()) << s.status();
  EXPECT_EQ((*s)->model_checkpoint_path(), dir + "/model.ckpt-4");
  auto children = env->GetChildren(dir);
  ASSERT_TRUE(children.ok());
  EXPECT_EQ(*children, std::vector<std::string>{"checkpoint"});
}

TEST(CheckpointStateTest, PosixRoundTripRelativeDir) {
  // testUpdateCheckpointState: relative save_dir, run from its parent.
  io::Env* env = io::Env::Default();
  const std::string base = io::JoinPath(TestTmpDir(), "posix_rel");
  ASSERT_TRUE(env->CreateDirRecursively(base + "/train").ok());
  const std::filesystem::path old_cwd = std::filesystem::current_path();
  std::filesystem::current_path(base);
  const std::string abs_path = PyJoin(CurrentDir(), "model-0");
  Status s = UpdateCheckpointState(env, "train", "train/model-2",
                                   {abs_path, "train/model-2"});
  auto text = env->ReadFileToString("train/checkpoint");
  auto state = GetCheckpointState(env, "train");
  std::filesystem::current_path(old_cwd);
  ASSERT_TRUE(s.ok()) << s;
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "model_checkpoint_path: \"model-2\"\n"
                   "all_model_checkpoint_paths: \"" + abs_path + "\"\n"
                   "all_model_checkpoint_paths: \"model-2\"\n");
  ASSERT_TRUE(state.ok() && state->has_value()) << state.status();
  EXPECT_EQ((*state)->model_checkpoint_path(), "train/model-2");
  EXPECT_EQ((*state)->all_model_checkpoint_paths(0), abs_path);
  EXPECT_EQ((*state)->all_model_checkpoint_paths(1), "train/model-2");
}

}  // namespace
}  // namespace tfckpt::state
