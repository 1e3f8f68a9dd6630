// golden/generate/gen_saver.py replayed with train::Saver: the .meta TF's
// Saver writes (byte for byte), the checkpoints (byte for byte), the
// `checkpoint` state file text, restored values, retention (max_to_keep)
// and TF's restore error texts.
#include "gtest/gtest.h"
#include "src/train/meta_graph.h"
#include "src/train/ops.h"
#include "src/train/saver.h"
#include "src/train/client_session.h"
#include "src/train/test_util.h"
#include "src/train/variables.h"

namespace tfckpt::train {
namespace {

using namespace testing;  // NOLINT
using tensor::Tensor;

Variable Must(StatusOr<Variable> v) {
  EXPECT_TRUE(v.ok()) << v.status();
  return v.ok() ? *v : Variable();
}

std::unique_ptr<Saver> MustSaver(Graph* g, SaverOptions o = {}) {
  auto s = Saver::Create(g, std::move(o));
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? std::move(*s) : nullptr;
}

Tensor F(std::vector<int64_t> dims, std::vector<float> v) {
  return Tensor::FromVector<float>(tensorflow::DT_FLOAT, *tensor::TensorShape::Make(dims), v);
}

void ExpectSameFile(const std::string& mine, const std::string& scenario, const std::string& f) {
  const std::string a = ReadFile(mine), b = ReadFile(Golden(scenario, f));
  EXPECT_TRUE(a == b) << scenario << "/" << f << " differs: " << a.size() << " vs TF's " << b.size()
                      << " bytes";
}

void ExpectValues(ClientSession* sess, const std::vector<Variable>& vars, const json& run) {
  for (const Variable& v : vars) {
    auto t = sess->Eval(v);
    ASSERT_TRUE(t.ok()) << t.status();
    EXPECT_EQ(TensorMismatch(*t, OutputOf(run, v.name())), "") << v.name();
  }
}

// saver_v2_basic / saver_v2_resource / saver_v1_basic.
struct BasicCase {
  const char* scenario;
  bool resource;
  tensorflow::SaverDef::CheckpointFormatVersion version;
};

class BasicSaverTest : public ::testing::TestWithParam<BasicCase> {};

TEST_P(BasicSaverTest, MetaStateAndRestore) {
  const BasicCase c = GetParam();
  const std::string dir = TempDir(c.scenario);
  ScopedCwd cwd(dir);
  {
    GraphOptions go;
    go.resource_variables = c.resource;
    Graph g(go);
    g.SetRandomSeed(42);
    Variable a = Must(MakeVariable(&g, RandomNormal(&g, {1, 2}), VariableOptions{"v1"}));
    Variable b = Must(MakeVariable(&g, RandomNormal(&g, {2, 3}), VariableOptions{"v2"}));
    SaverOptions so;
    so.write_version = c.version;
    auto saver = MustSaver(&g, so);
    ClientSession sess(&g);
    ASSERT_TRUE(sess.Run({GlobalVariablesInitializer(&g)}).ok());
    auto path = saver->Save(&sess, "model.ckpt");
    ASSERT_TRUE(path.ok()) << path.status();
    EXPECT_EQ(*path, Note(c.scenario, "save_returned_path"));
    EXPECT_EQ(ReadFile("checkpoint"), Note(c.scenario, "checkpoint_file_text"));
    EXPECT_EQ(MetaGraphDiff(ReadMetaGraph(Golden(c.scenario, "model.ckpt.meta")),
                            ReadMetaGraph("model.ckpt.meta")),
              "");
    ExpectSameFile("model.ckpt.meta", c.scenario, "model.ckpt.meta");
    auto latest = LatestCheckpoint(".");
    ASSERT_TRUE(latest.ok() && latest->has_value());
    EXPECT_EQ(**latest, Note(c.scenario, "latest_checkpoint"));
  }
  // Restore TF's checkpoint into a fresh graph (zeros), then save it again:
  // the files TF wrote.
  GraphOptions go;
  go.resource_variables = c.resource;
  Graph g(go);
  Variable a = Must(MakeVariable(&g, Zeros(&g, {1, 2}, tensorflow::DT_FLOAT), VariableOptions{"v1"}));
  Variable b = Must(MakeVariable(&g, Zeros(&g, {2, 3}, tensorflow::DT_FLOAT), VariableOptions{"v2"}));
  SaverOptions so;
  so.write_version = c.version;
  auto saver = MustSaver(&g, so);
  ClientSession sess(&g);
  const std::string golden_prefix = Golden(c.scenario, "model.ckpt");
  ASSERT_TRUE(saver->Restore(&sess, golden_prefix).ok());
  ExpectValues(&sess, {a, b}, RunOf(c.scenario, "restore"));
  ASSERT_TRUE(saver->Save(&sess, "again.ckpt").ok());
  if (c.version == tensorflow::SaverDef::V1) {
    EXPECT_TRUE(ReadFile("again.ckpt") == ReadFile(golden_prefix));
  } else {
    EXPECT_TRUE(ReadFile("again.ckpt.index") == ReadFile(golden_prefix + ".index"));
    EXPECT_TRUE(ReadFile("again.ckpt.data-00000-of-00001") ==
                ReadFile(golden_prefix + ".data-00000-of-00001"));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Goldens, BasicSaverTest,
    ::testing::Values(BasicCase{"saver_v2_basic", false, tensorflow::SaverDef::V2},
                      BasicCase{"saver_v2_resource", true, tensorflow::SaverDef::V2},
                      BasicCase{"saver_v1_basic", false, tensorflow::SaverDef::V1}),
    [](const auto& info) { return std::string(info.param.scenario); });

TEST(SaverGoldenTest, Sharded) {
  const std::string dir = TempDir("sharded");
  ScopedCwd cwd(dir);
  Graph g;
  std::vector<Variable> vars;
  for (int i = 0; i < 3; ++i) {
    DeviceScope d(&g, StrCat("/cpu:", i));
    std::vector<float> values;
    for (int k = 0; k < 4 * (i + 1); ++k) values.push_back(static_cast<float>(k + 100 * i));
    vars.push_back(Must(MakeVariable(&g, F({i + 1, 4}, values), StrCat("s", i))));
  }
  {
    DeviceScope d(&g, "/cpu:0");
    vars.push_back(Must(MakeVariable(
        &g, Tensor::FromVector<int64_t>(tensorflow::DT_INT64, {}, {-7}), "step")));
  }
  SaverOptions so;
  so.sharded = true;
  auto saver = MustSaver(&g, so);
  ClientSession sess(&g);
  ASSERT_TRUE(sess.Run({GlobalVariablesInitializer(&g)}).ok());
  auto path = saver->Save(&sess, "model.ckpt");
  ASSERT_TRUE(path.ok()) << path.status();
  EXPECT_EQ(*path, Note("sharded", "save_returned_path"));
  EXPECT_EQ(ReadFile("checkpoint"), Note("sharded", "checkpoint_file_text"));
  EXPECT_EQ(MetaGraphDiff(ReadMetaGraph(Golden("sharded", "model.ckpt.meta")),
                          ReadMetaGraph("model.ckpt.meta")),
            "");
  for (const char* f : {"model.ckpt.meta", "model.ckpt.index", "model.ckpt.data-00000-of-00003",
                        "model.ckpt.data-00001-of-00003", "model.ckpt.data-00002-of-00003"}) {
    ExpectSameFile(f, "sharded", f);
  }
  for (const Variable& v : vars) {
    EXPECT_EQ(CanonicalDevice(v.device()), Note("sharded", "variable_devices")[v.op_name()]);
  }
}

TEST(SaverGoldenTest, RenameMap) {
  const std::string dir = TempDir("rename_map");
  ScopedCwd cwd(dir);
  {
    Graph g;
    Variable o1 = Must(MakeVariable(&g, F({2}, {1, 2}), "other_v1"));
    Variable o2 = Must(MakeVariable(&g, F({1, 3}, {3, 4, 5}), "other_v2"));
    SaverOptions so;
    so.var_dict = std::map<std::string, Variable>{{"v1", o1}, {"v2", o2}};
    auto saver = MustSaver(&g, so);
    ClientSession sess(&g);
    ASSERT_TRUE(sess.Run({GlobalVariablesInitializer(&g)}).ok());
    ASSERT_TRUE(saver->Save(&sess, "model.ckpt").ok());
    for (const char* f : {"model.ckpt.meta", "model.ckpt.index", "model.ckpt.data-00000-of-00001",
                          "checkpoint"}) {
      ExpectSameFile(f, "rename_map", f);
    }
  }
  {
    Graph g;
    Variable w1 = Must(MakeVariable(&g, Zeros(&g, {2}, tensorflow::DT_FLOAT), VariableOptions{"w1"}));
    Variable w2 = Must(MakeVariable(&g, Zeros(&g, {1, 3}, tensorflow::DT_FLOAT), VariableOptions{"w2"}));
    SaverOptions so;
    so.var_dict = std::map<std::string, Variable>{{"v1", w1}, {"v2", w2}};
    auto saver = MustSaver(&g, so);
    ClientSession sess(&g);
    ASSERT_TRUE(saver->Restore(&sess, "model.ckpt").ok());
    ExpectValues(&sess, {w1, w2}, RunOf("rename_map", "restore_renamed"));
  }
  {
    Graph g;
    Variable a = Must(MakeVariable(&g, Zeros(&g, {2}, tensorflow::DT_FLOAT), VariableOptions{"v1"}));
    Variable b = Must(MakeVariable(&g, Zeros(&g, {1, 3}, tensorflow::DT_FLOAT), VariableOptions{"v2"}));
    auto saver = MustSaver(&g);
    ClientSession sess(&g);
    ASSERT_TRUE(saver->Restore(&sess, "model.ckpt").ok());
    ExpectValues(&sess, {a, b}, RunOf("rename_map", "restore_default_names"));
  }
  Graph g;
  Must(MakeVariable(&g, Zeros(&g, {2}, tensorflow::DT_FLOAT), VariableOptions{"other_v1"}));
  Must(MakeVariable(&g, Zeros(&g, {1, 3}, tensorflow::DT_FLOAT), VariableOptions{"other_v2"}));
  auto saver = MustSaver(&g);
  ClientSession sess(&g);
  Status s = saver->Restore(&sess, "model.ckpt");
  const json& e = ErrorOf("rename_map", "restore_original_names");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), WithoutTraceback(e["message"].get<std::string>()));
}

TEST(SaverGoldenTest, PartialRestore) {
  const std::string dir = TempDir("partial_restore");
  ScopedCwd cwd(dir);
  {
    Graph g;
    Variable a = Must(MakeVariable(&g, F({2}, {1.5, 2.5}), "v1"));
    Variable b = Must(MakeVariable(&g, F({1, 2}, {7, 8}), "v2"));
    ClientSession sess(&g);
    ASSERT_TRUE(sess.Run({GlobalVariablesInitializer(&g)}).ok());
    SaveOptions full;
    full.write_meta_graph = false;
    full.latest_filename = "checkpoint_full";
    ASSERT_TRUE(MustSaver(&g)->Save(&sess, "full.ckpt", full).ok());
    SaverOptions so;
    so.var_list = std::vector<Variable>{a};
    SaveOptions partial = full;
    partial.latest_filename = "checkpoint_partial";
    ASSERT_TRUE(MustSaver(&g, so)->Save(&sess, "partial.ckpt", partial).ok());
    for (const char* f : {"checkpoint_full", "checkpoint_partial", "full.ckpt.index",
                          "full.ckpt.data-00000-of-00001", "partial.ckpt.index",
                          "partial.ckpt.data-00000-of-00001"}) {
      ExpectSameFile(f, "partial_restore", f);
    }
    EXPECT_EQ(ListDir("."), (std::vector<std::string>{
                                "checkpoint_full", "checkpoint_partial",
                                "full.ckpt.data-00000-of-00001", "full.ckpt.index",
                                "partial.ckpt.data-00000-of-00001", "partial.ckpt.index"}));
  }
  Graph g;
  Variable a = Must(MakeVariable(&g, F({2}, {0, 0}), "v1"));
  Variable b = Must(MakeVariable(&g, F({1, 2}, {-1, -1}), "v2"));
  ClientSession sess(&g);
  ASSERT_TRUE(sess.Run({GlobalVariablesInitializer(&g)}).ok());
  SaverOptions only_v1;
  only_v1.var_list = std::vector<Variable>{a};
  ASSERT_TRUE(MustSaver(&g, only_v1)->Restore(&sess, "full.ckpt").ok());
  ExpectValues(&sess, {a, b}, RunOf("partial_restore", "restore_var_list_v1"));
  SaverOptions dict;
  dict.var_dict = std::map<std::string, Variable>{{"v1", a}};
  ASSERT_TRUE(MustSaver(&g, dict)->Restore(&sess, "partial.ckpt").ok());
  Status missing_key = MustSaver(&g)->Restore(&sess, "partial.ckpt");
  const json& e = ErrorOf("partial_restore", "restore_missing_key");
  EXPECT_EQ(missing_key.code(), StatusCode::kNotFound);
  EXPECT_EQ(missing_key.message(), WithoutTraceback(e["message"].get<std::string>()));
  Status missing_ckpt = MustSaver(&g)->Restore(&sess, "does_not_exist.ckpt");
  EXPECT_EQ(missing_ckpt.message(),
            ErrorOf("partial_restore", "restore_missing_checkpoint")["str"].get<std::string>());
}

TEST(SaverGoldenTest, MaxToKeep) {
  const std::string dir = TempDir("max_to_keep");
  ScopedCwd cwd(dir);
  Graph g;
  Variable v = Must(MakeVariable(&g, Tensor::FromVector<float>(tensorflow::DT_FLOAT, {}, {0}), "v"));
  Output val = Placeholder(&g, tensorflow::DT_FLOAT, std::vector<int64_t>{}, "val");
  Output assign = v.Assign(val);
  SaverOptions so;
  so.max_to_keep = 2;
  auto saver = MustSaver(&g, so);
  ClientSession sess(&g);
  ASSERT_TRUE(sess.Run({GlobalVariablesInitializer(&g)}).ok());
  const json& history = Note("max_to_keep", "history");
  for (int step = 1; step <= 5; ++step) {
    Tensor x = Tensor::FromVector<float>(tensorflow::DT_FLOAT, {}, {step * 1.5f});
    ASSERT_TRUE(sess.Run({assign}, {{val, x}}).ok());
    auto path = saver->Save(&sess, "model.ckpt", step);
    ASSERT_TRUE(path.ok()) << path.status();
    const json& h = history[step - 1];
    EXPECT_EQ(*path, h["returned_path"]);
    EXPECT_EQ(json(ListDir(".")), h["files"]) << "step " << step;
    EXPECT_EQ(ReadFile("checkpoint"), h["checkpoint_file_text"]);
    EXPECT_EQ(json(saver->last_checkpoints()), h["last_checkpoints"]);
  }
  for (const char* f : {"model.ckpt-4.meta", "model.ckpt-4.index",
                        "model.ckpt-4.data-00000-of-00001", "model.ckpt-5.meta",
                        "model.ckpt-5.index", "model.ckpt-5.data-00000-of-00001"}) {
    ExpectSameFile(f, "max_to_keep", f);
  }
  auto latest = LatestCheckpoint(".");
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ(**latest, Note("max_to_keep", "latest_checkpoint"));
}

TEST(SaverTest, Errors) {
  Graph g;
  auto none = Saver::Create(&g);
  EXPECT_EQ(none.status().message(), "No variables to save");
  Variable a = Must(MakeVariable(&g, F({1}, {1}), "a"));
  SaverOptions dup;
  dup.var_list = std::vector<Variable>{a, a};
  EXPECT_EQ(Saver::Create(&g, dup).status().message(),
            "At least two variables have the same name: a");
  SaverOptions twice;
  twice.var_dict = std::map<std::string, Variable>{{"x", a}, {"y", a}};
  EXPECT_EQ(Saver::Create(&g, twice).status().message(),
            "The same saveable will be restored with two names: y");
  SaverOptions empty;
  empty.allow_empty = true;
  empty.var_list = std::vector<Variable>{};
  auto e = Saver::Create(&g, empty);
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE((*e)->empty());
  auto s = MustSaver(&g);
  ClientSession sess(&g);
  EXPECT_EQ(s->Restore(&sess, "").message(), "Can't load save_path when it is None.");
  const std::string dir = TempDir("saver_errors");
  EXPECT_EQ(s->Save(&sess, dir + "/no/such/dir/model.ckpt").status().message(),
            StrCat("Parent directory of ", dir, "/no/such/dir/model.ckpt doesn't exist, can't save."));
  SaveOptions bad;
  bad.latest_filename = "a/b";
  EXPECT_EQ(s->Save(&sess, dir + "/m", bad).status().message(),
            "'latest_filename' must not contain path components");
  // Failed and empty Savers add no ops: this one is "save".
  EXPECT_EQ(s->saver_def().filename_tensor_name(), "save/Const:0");
}

TEST(SaverTest, ShardedV1ReshapePaddingAndRelativePaths) {
  const std::string dir = TempDir("saver_options");
  ScopedCwd cwd(dir);
  {
    Graph g;
    Variable a, b;
    {
      DeviceScope d(&g, "/cpu:0");
      a = Must(MakeVariable(&g, F({6}, {1, 2, 3, 4, 5, 6}), "a"));
    }
    {
      DeviceScope d(&g, "/cpu:1");
      b = Must(MakeVariable(&g, F({2}, {7, 8}), "b"));
    }
    SaverOptions so;
    so.sharded = true;
    so.write_version = tensorflow::SaverDef::V1;
    so.pad_step_number = true;
    so.save_relative_paths = true;
    auto saver = MustSaver(&g, so);
    EXPECT_EQ(saver->saver_def().save_tensor_name(), "save/ShardedFilespec:0");
    ClientSession sess(&g);
    ASSERT_TRUE(sess.Run({GlobalVariablesInitializer(&g)}).ok());
    auto path = saver->Save(&sess, dir + "/v1.ckpt", 5);
    ASSERT_TRUE(path.ok()) << path.status();
    EXPECT_EQ(*path, dir + "/v1.ckpt-00000005-?????-of-00002");
    EXPECT_EQ(ListDir("."), (std::vector<std::string>{"checkpoint", "v1.ckpt-00000005-00000-of-00002",
                                                     "v1.ckpt-00000005-00001-of-00002",
                                                     "v1.ckpt-00000005.meta"}));
    EXPECT_EQ(ReadFile("checkpoint"),
              "model_checkpoint_path: \"v1.ckpt-00000005-?????-of-00002\"\n"
              "all_model_checkpoint_paths: \"v1.ckpt-00000005-?????-of-00002\"\n");
  }
  // reshape=True restores a [6] tensor into a [2,3] variable.
  Graph g;
  Variable a = Must(MakeVariable(&g, Zeros(&g, {2, 3}, tensorflow::DT_FLOAT), VariableOptions{"a"}));
  Variable b = Must(MakeVariable(&g, Zeros(&g, {2}, tensorflow::DT_FLOAT), VariableOptions{"b"}));
  SaverOptions so;
  so.reshape = true;
  auto saver = MustSaver(&g, so);
  ClientSession sess(&g);
  auto latest = LatestCheckpoint(".");
  ASSERT_TRUE(latest.ok() && latest->has_value());
  Status s = saver->Restore(&sess, **latest);
  ASSERT_TRUE(s.ok()) << s;
  auto t = sess.Eval(a);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->shape().DebugString(), "[2,3]");
  EXPECT_EQ(t->flat<float>()[5], 6.0f);
  // Without reshape, TF's shape error wrapped as a graph mismatch.
  Status mismatch = MustSaver(&g)->Restore(&sess, **latest);
  EXPECT_EQ(mismatch.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(mismatch.message().rfind("Restoring from checkpoint failed. This is most likely due to "
                                     "a mismatch between the current graph and the graph from "
                                     "the checkpoint.",
                                     0),
            0u)
      << mismatch.message();
}

TEST(SaverTest, KeepCheckpointEveryNHours) {
  const std::string dir = TempDir("saver_keep");
  ScopedCwd cwd(dir);
  Graph g;
  Must(MakeVariable(&g, F({1}, {1}), "v"));
  double now = 1000.0;
  SaverOptions so;
  so.max_to_keep = 1;
  so.keep_checkpoint_every_n_hours = 1.0;
  so.clock = [&now] { return now; };
  auto saver = MustSaver(&g, so);
  ClientSession sess(&g);
  ASSERT_TRUE(sess.Run({GlobalVariablesInitializer(&g)}).ok());
  SaveOptions o;
  o.write_meta_graph = false;
  for (int step = 1; step <= 3; ++step) {
    now += step == 2 ? 3600.0 : 60.0;
    o.global_step = step;
    ASSERT_TRUE(saver->Save(&sess, "m", o).ok());
  }
  // next_checkpoint_time = 1000 + 3600. m-1 (t=1060) leaves the window
  // before it and is deleted; m-2 (t=4660) is after it: kept forever.
  EXPECT_EQ(ListDir("."), (std::vector<std::string>{"checkpoint", "m-2.data-00000-of-00001",
                                                   "m-2.index", "m-3.data-00000-of-00001",
                                                   "m-3.index"}));
  EXPECT_EQ(saver->last_checkpoints(), std::vector<std::string>{"m-3"});
}

}  // namespace
}  // namespace tfckpt::train
