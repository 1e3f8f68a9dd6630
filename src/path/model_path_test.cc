// Every form of model_path.h's table (docs/CLI.md "Paths"), on an in-memory
// file system: what it resolves to, and the errors that name what is wrong.
#include "src/path/model_path.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/io/mem_env.h"
#include "src/testing/save_race_env.h"
#include "src/testing/unlistable_env.h"

namespace tfckpt::path {
namespace {

class ModelPathTest : public ::testing::Test {
 protected:
  void V2(const std::string& prefix) {
    env_.PutFile(prefix + ".index", "i");
    env_.PutFile(prefix + ".data-00000-of-00001", "d");
  }
  void State(const std::string& dir, const std::string& p) {
    env_.PutFile(dir + "/checkpoint", "model_checkpoint_path: \"" + p + "\"\n");
  }
  ResolvedPath Ok(const std::string& path) {
    auto r = Resolve(&env_, path);
    EXPECT_TRUE(r.ok()) << path << ": " << r.status().message();
    return r.ok() ? *r : ResolvedPath{};
  }
  Status Err(const std::string& path) {
    auto r = Resolve(&env_, path);
    EXPECT_FALSE(r.ok()) << path << " resolved to " << (r.ok() ? r->checkpoint : "");
    return r.ok() ? OkStatus() : r.status();
  }
  io::MemEnv env_;
};

TEST_F(ModelPathTest, V2PrefixIndexAndDataFile) {
  V2("d/model.ckpt");
  for (const char* p : {"d/model.ckpt", "d/model.ckpt.index", "d/model.ckpt.data-00000-of-00001"}) {
    ResolvedPath r = Ok(p);
    EXPECT_EQ(r.kind, Kind::kCheckpoint) << p;
    EXPECT_EQ(r.format, Format::kV2) << p;
    EXPECT_EQ(r.checkpoint, "d/model.ckpt") << p;
  }
  Status s = Err("d/model.ckpt.data-00001-of-00002");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
}

// After a save crashed between parking the old index and publishing the new
// one, the prefix still names a checkpoint: the parked previous one
// (src/bundle/replace.h), and `how` says so.
TEST_F(ModelPathTest, V2PrefixWithOnlyAParkedIndex) {
  env_.PutFile("d/model.ckpt.index.tfckpt-old", "i");
  env_.PutFile("d/model.ckpt.data-00000-of-00001", "d");
  ResolvedPath r = Ok("d/model.ckpt");
  EXPECT_EQ(r.format, Format::kV2);
  EXPECT_EQ(r.checkpoint, "d/model.ckpt");
  EXPECT_EQ(r.how, "the previous checkpoint, parked as d/model.ckpt.index.tfckpt-old by a save "
                   "that is running or was interrupted");
}

// A directory holding one checkpoint whose save is under way names it.
TEST_F(ModelPathTest, DirectoryWhoseOnlyIndexIsParked) {
  env_.PutFile("d/model.ckpt.index.tfckpt-old", "i");
  env_.PutFile("d/model.ckpt.data-00000-of-00001.tfckpt-old", "d");
  ResolvedPath r = Ok("d");
  EXPECT_EQ(r.format, Format::kV2);
  EXPECT_EQ(r.checkpoint, "d/model.ckpt");
  env_.PutFile("d/model.ckpt.index", "i");  // published: still one checkpoint
  EXPECT_EQ(Ok("d").checkpoint, "d/model.ckpt");
}

// A save of d/m (BUNDLE-2.6's renames) advancing schedule[i] steps just
// before the i-th existence check of its index or parked index.
class ReplacingEnv : public testing::SaveRaceEnv {
 public:
  explicit ReplacingEnv(std::vector<int> schedule) : SaveRaceEnv("d/m", std::move(schedule)) {}
  bool FileExists(const std::string& path) override {
    if (path == "d/m.index" || path == "d/m.index.tfckpt-old") Advance();
    return MemEnv::FileExists(path);
  }
};

// Issue 16: the prefix was "not found" when a save published and dropped
// the parked index between the two lookups. Every interleaving of one
// whole save (6 steps, from each step it may be at) with the lookups finds
// the checkpoint.
TEST(ModelPathRaceTest, PrefixResolvesWhateverOneSaveDoesMeanwhile) {
  for (int start = 0; start < 6; ++start) {
    for (const std::vector<int>& schedule : testing::Schedules(6, 6)) {
      ReplacingEnv env(schedule);
      for (int i = 0; i < start; ++i) env.Step();
      auto r = Resolve(&env, "d/m");
      ASSERT_TRUE(r.ok()) << "start step " << start << ", schedule " << ::testing::PrintToString(schedule)
                          << ": " << r.status().message();
      EXPECT_EQ(r->format, Format::kV2) << start;
    }
  }
}

TEST_F(ModelPathTest, V1FileAndShardPatterns) {
  env_.PutFile("d/v1.ckpt", "sstable");
  ResolvedPath r = Ok("d/v1.ckpt");
  EXPECT_EQ(r.format, Format::kV1);
  EXPECT_EQ(r.checkpoint, "d/v1.ckpt");

  env_.PutFile("d/s.ckpt-00000-of-00002", "a");
  env_.PutFile("d/s.ckpt-00001-of-00002", "b");
  r = Ok("d/s.ckpt-?????-of-00002");
  EXPECT_EQ(r.format, Format::kV1);
  EXPECT_EQ(r.checkpoint, "d/s.ckpt-?????-of-00002");
  // The bare prefix of a sharded V1 save (tfckpt's convenience).
  r = Ok("d/s.ckpt");
  EXPECT_EQ(r.format, Format::kV1);
  EXPECT_EQ(r.checkpoint, "d/s.ckpt-?????-of-?????");
}

TEST_F(ModelPathTest, StateFileIsFollowedNeverReadAsV1) {
  V2("d/model.ckpt-2");
  State("d", "model.ckpt-2");
  for (const char* p : {"d", "d/checkpoint"}) {
    ResolvedPath r = Ok(p);
    EXPECT_EQ(r.format, Format::kV2) << p;
    EXPECT_EQ(r.checkpoint, "d/model.ckpt-2") << p;
    EXPECT_EQ(r.state_file, "d/checkpoint") << p;
  }
}

// Not following the state file (the validator's view): D3, F1 and F4 stop
// at it, even when it is malformed or stale, and read nothing.
TEST_F(ModelPathTest, StateFileNotFollowed) {
  env_.PutFile("d/checkpoint", "not a text proto {{{");
  env_.PutFile("d/graph.meta", "meta");
  ResolveOptions o;
  o.follow_state_file = false;
  for (const char* p : {"d", "d/checkpoint", "d/graph.meta"}) {
    auto r = Resolve(&env_, p, o);
    ASSERT_TRUE(r.ok()) << p << ": " << r.status().message();
    EXPECT_EQ(r->state_file, "d/checkpoint") << p;
    EXPECT_EQ(r->format, Format::kNone) << p;
    EXPECT_EQ(r->checkpoint, "") << p;
    EXPECT_EQ(Resolve(&env_, p).ok(), false) << p;  // following it fails
  }
  EXPECT_EQ(Resolve(&env_, "d/graph.meta", o)->kind, Kind::kMetaGraph);
}

// A directory that exists but cannot be listed leaves "is there a V1 shard"
// open: its I/O error, never NotFound.
TEST_F(ModelPathTest, UnlistableDirectoryIsItsError) {
  tfckpt::testing::UnlistableEnv env("locked");
  env.PutFile("locked/other", "x");
  for (const char* p : {"locked/model.ckpt", "locked/model.ckpt-?????-of-00002"}) {
    auto r = Resolve(&env, p);
    EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied) << p;
    EXPECT_NE(r.status().message().find("cannot list the directory"), std::string::npos)
        << r.status().message();
  }
}

TEST_F(ModelPathTest, StateFileNamingShardedV1Pattern) {
  env_.PutFile("d/m-00000-of-00002", "a");
  env_.PutFile("d/m-00001-of-00002", "b");
  State("d", "m-?????-of-00002");
  ResolvedPath r = Ok("d");
  EXPECT_EQ(r.format, Format::kV1);
  EXPECT_EQ(r.checkpoint, "d/m-?????-of-00002");
}

TEST_F(ModelPathTest, StaleStateFileNamesFileAndHintsAtMovedDirectory) {
  V2("new/model.ckpt-7");
  State("new", "/old/place/model.ckpt-7");
  Status s = Err("new");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("new/checkpoint"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("/old/place/model.ckpt-7"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("looks stale"), std::string::npos) << s.message();
  // The same answer through the state file itself and through a .meta.
  env_.PutFile("new/model.ckpt-7.meta", "meta");
  env_.PutFile("new/other.meta", "meta");
  EXPECT_EQ(Err("new/checkpoint").message(), s.message());
  EXPECT_EQ(Err("new/other.meta").message(), s.message());
  // The .meta whose own checkpoint exists does not consult the state file.
  EXPECT_EQ(Ok("new/model.ckpt-7.meta").checkpoint, "new/model.ckpt-7");
}

TEST_F(ModelPathTest, DirectoryWithOnlyVariables) {
  V2("sm/variables/variables");
  ResolvedPath r = Ok("sm");
  EXPECT_EQ(r.kind, Kind::kCheckpoint);
  EXPECT_EQ(r.checkpoint, "sm/variables/variables");
  // variables/ itself: its single .index.
  EXPECT_EQ(Ok("sm/variables").checkpoint, "sm/variables/variables");
}

TEST_F(ModelPathTest, DirectoryWithSingleIndexOrSeveral) {
  V2("one/x");
  EXPECT_EQ(Ok("one").checkpoint, "one/x");
  V2("two/a");
  V2("two/b");
  Status s = Err("two");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("a, b"), std::string::npos) << s.message();
  ASSERT_TRUE(env_.CreateDirRecursively("empty").ok());
  EXPECT_EQ(Err("empty").code(), StatusCode::kNotFound);
}

TEST_F(ModelPathTest, SavedModelDirectoryAndFile) {
  env_.PutFile("sm/saved_model.pb", "pb");
  V2("sm/variables/variables");
  for (const char* p : {"sm", "sm/saved_model.pb"}) {
    ResolvedPath r = Ok(p);
    EXPECT_EQ(r.kind, Kind::kSavedModel) << p;
    EXPECT_EQ(r.model, "sm") << p;
    EXPECT_EQ(r.format, Format::kV2) << p;
    EXPECT_EQ(r.checkpoint, "sm/variables/variables") << p;
  }
  // Variables as a V1 file (TF 1.x); none at all.
  env_.PutFile("v1sm/saved_model.pbtxt", "pbtxt");
  env_.PutFile("v1sm/variables/variables", "sstable");
  EXPECT_EQ(Ok("v1sm").format, Format::kV1);
  env_.PutFile("novars/saved_model.pb", "pb");
  ResolvedPath r = Ok("novars");
  EXPECT_EQ(r.format, Format::kNone);
  // V1 shards of variables/variables are not the SavedModel's variables
  // (TF's Saver.restore("variables/variables") finds no checkpoint).
  env_.PutFile("shards/saved_model.pb", "pb");
  env_.PutFile("shards/variables/variables-00000-of-00001", "v1");
  EXPECT_EQ(Ok("shards").format, Format::kNone);
  EXPECT_EQ(Ok("shards").checkpoint, "");
  auto c = ResolveCheckpoint(&env_, "novars");
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("without variables"), std::string::npos);
}

TEST_F(ModelPathTest, SessionBundle) {
  env_.PutFile("sb/export.meta", "meta");
  env_.PutFile("sb/export-00000-of-00001", "v1");
  ResolvedPath r = Ok("sb");
  EXPECT_EQ(r.kind, Kind::kSessionBundle);
  EXPECT_EQ(r.format, Format::kV1);
  EXPECT_EQ(r.checkpoint, "sb/export-?????-of-?????");
}

TEST_F(ModelPathTest, MetaGraphAndGraphDef) {
  env_.PutFile("m/model.ckpt.meta", "meta");
  ResolvedPath r = Ok("m/model.ckpt.meta");
  EXPECT_EQ(r.kind, Kind::kMetaGraph);
  EXPECT_EQ(r.format, Format::kNone);
  EXPECT_EQ(ResolveCheckpoint(&env_, "m/model.ckpt.meta").status().code(),
            StatusCode::kInvalidArgument);
  V2("m/model.ckpt");
  r = Ok("m/model.ckpt.meta");
  EXPECT_EQ(r.checkpoint, "m/model.ckpt");
  EXPECT_EQ(ResolveCheckpoint(&env_, "m/model.ckpt.meta")->checkpoint, "m/model.ckpt");
  // Through the directory's state file when nothing is beside it.
  env_.PutFile("m/graph.meta", "meta");
  State("m", "model.ckpt");
  r = Ok("m/graph.meta");
  EXPECT_EQ(r.checkpoint, "m/model.ckpt");
  EXPECT_EQ(r.state_file, "m/checkpoint");

  env_.PutFile("g/frozen.pb", "pb");
  env_.PutFile("g/frozen.pbtxt", "node {}");
  EXPECT_EQ(Ok("g/frozen.pb").kind, Kind::kGraphDef);
  EXPECT_EQ(Ok("g/frozen.pbtxt").kind, Kind::kGraphDef);
  auto c = ResolveCheckpoint(&env_, "g/frozen.pb");
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("not a checkpoint"), std::string::npos);
  // A V2 prefix that happens to end in .pb is a checkpoint.
  V2("g/weights.pb");
  EXPECT_EQ(Ok("g/weights.pb").format, Format::kV2);
}

TEST_F(ModelPathTest, MissingPathListsCheckpointsOfItsDirectory) {
  V2("d/model.ckpt-1");
  V2("d/model.ckpt-2");
  Status s = Err("d/model.ckpt");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("no such file or directory"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("model.ckpt-1, model.ckpt-2"), std::string::npos) << s.message();
  EXPECT_EQ(Err("").code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tfckpt::path
