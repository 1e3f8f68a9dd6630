// golden/generate/gen_ema.py replayed: ExponentialMovingAverage names, the
// shadow value 0.09999990463256836 (bit-exact), restore through a rename
// map and variables_to_restore(), num_updates and zero_debias, and the
// checkpoints TF wrote (byte for byte), the .meta (with the control-flow
// conds TF uses to initialise a shadow) byte for byte, and TF's graph run by
// the engine.
#include <set>

#include "gtest/gtest.h"
#include "src/graph/session.h"
#include "src/saved_model/loader.h"
#include "src/train/ema.h"
#include "src/train/ops.h"
#include "src/train/saver.h"
#include "src/train/client_session.h"
#include "src/train/test_util.h"
#include "src/train/variables.h"

namespace tfckpt::train {
namespace {

using namespace testing;  // NOLINT
using tensor::Tensor;

const char kScenario[] = "ema";

Tensor Scalar(float v) { return Tensor::FromVector<float>(tensorflow::DT_FLOAT, {}, {v}); }

Variable ScalarVariable(Graph* g, const std::string& name, float v, bool trainable = true) {
  auto var = MakeVariable(g, Scalar(v), name, trainable);
  EXPECT_TRUE(var.ok()) << var.status();
  return *var;
}

void ExpectOutputs(ClientSession* sess, const std::vector<TensorRef>& fetches,
                   const std::vector<std::string>& names, const json& run) {
  auto out = sess->Run({}, fetches);
  ASSERT_TRUE(out.ok()) << out.status();
  for (size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(TensorMismatch((*out)[i], OutputOf(run, names[i])), "") << names[i];
  }
}

void ExpectSameFiles(const std::string& prefix) {
  for (const std::string& f : {prefix + ".index", prefix + ".data-00000-of-00001"}) {
    EXPECT_TRUE(ReadFile(f) == ReadFile(Golden(kScenario, f))) << f;
  }
}

json ToJson(const std::map<std::string, Variable>& m) {
  json out = json::object();
  for (const auto& [k, v] : m) out[k] = v.name();
  return out;
}

TEST(EmaGoldenTest, BasicShadowRestoreAndGraph) {
  const std::string dir = TempDir("ema");
  ScopedCwd cwd(dir);
  Graph g;
  Variable v = ScalarVariable(&g, "v", 0.0f);
  ExponentialMovingAverage ema(&g, 0.99);
  auto maintain = ema.Apply(std::vector<Averageable>{v});
  ASSERT_TRUE(maintain.ok()) << maintain.status();
  EXPECT_EQ(maintain->name, "ExponentialMovingAverage");
  Variable shadow = *ema.Average(v);
  EXPECT_EQ(ema.AverageName(v), Note(kScenario, "average_name"));
  EXPECT_EQ(shadow.name(), Note(kScenario, "shadow_variable_name"));
  Output assign = v.Assign(10.0f);
  auto saver = Saver::Create(&g);
  ASSERT_TRUE(saver.ok());
  ClientSession sess(&g);
  ASSERT_TRUE(sess.Run({GlobalVariablesInitializer(&g)}).ok());
  ExpectOutputs(&sess, {v, shadow}, {"v:0", "v/ExponentialMovingAverage:0"},
                RunOf(kScenario, "initial"));
  ASSERT_TRUE(sess.Run({assign}).ok());
  ASSERT_TRUE(sess.Run({*maintain}).ok());
  ExpectOutputs(&sess, {v, shadow}, {"v:0", "v/ExponentialMovingAverage:0"},
                RunOf(kScenario, "after_one_update"));
  ASSERT_TRUE((*saver)->Save(&sess, "model.ckpt").ok());
  ExpectSameFiles("model.ckpt");

  // TF's graph node for node (the two initialized_value conds included),
  // then the whole .meta byte for byte.
  const auto golden = ReadMetaGraph(Golden(kScenario, "model.ckpt.meta"));
  const auto mine = ReadMetaGraph("model.ckpt.meta");
  ASSERT_EQ(mine.graph_def().node_size(), golden.graph_def().node_size());
  for (int i = 0; i < golden.graph_def().node_size(); ++i) {
    EXPECT_EQ(ProtoDiff(golden.graph_def().node(i), mine.graph_def().node(i)), "")
        << golden.graph_def().node(i).name();
  }
  // The four CondContextDefs.
  ASSERT_EQ(mine.collection_def().count("cond_context"), 1u);
  const auto& want_ctx = golden.collection_def().at("cond_context").bytes_list();
  const auto& got_ctx = mine.collection_def().at("cond_context").bytes_list();
  ASSERT_EQ(got_ctx.value_size(), 4);
  for (int i = 0; i < want_ctx.value_size(); ++i) {
    EXPECT_EQ(got_ctx.value(i), want_ctx.value(i)) << "cond_context " << i;
  }
  EXPECT_EQ(ProtoDiff(golden, mine), "");
  EXPECT_TRUE(ReadFile("model.ckpt.meta") == ReadFile(Golden(kScenario, "model.ckpt.meta")));
}

// TF's EMA graph (golden .meta) run by the engine: the shadow's initializer
// goes through both conds, reading v only once v is initialized. Expected
// values: TF 2.21 running the same nodes after import_meta_graph.
TEST(EmaGoldenTest, TensorFlowsCondInitializersRunInTheEngine) {
  const auto golden = ReadMetaGraph(Golden(kScenario, "model.ckpt.meta"));
  auto engine = graph::Session::Create(golden.graph_def());
  ASSERT_TRUE(engine.ok()) << engine.status();
  graph::Session& s = **engine;
  const std::vector<std::string> fetches = {
      "v/ExponentialMovingAverage/Assign:0", "cond/Merge_v/ExponentialMovingAverage:1",
      "cond/Merge:1", "v/ExponentialMovingAverage/cond/Merge:1"};
  // v uninitialized: every cond takes its initial-value branch.
  auto before = s.Run({}, fetches);
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ((*before)[0].flat<float>()[0], 0.0f);
  for (int i = 1; i < 4; ++i) {
    EXPECT_EQ((*before)[i].flat<int32_t>()[0], 0) << fetches[i];
  }
  EXPECT_EQ(s.Run({}, {"v:0"}).status().message(), "Attempting to use uninitialized value v");
  ASSERT_TRUE(s.Run({}, {}, {"Assign"}).ok());  // v = 10
  auto after = s.Run({}, fetches);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ((*after)[0].flat<float>()[0], 10.0f);
  for (int i = 1; i < 4; ++i) {
    EXPECT_EQ((*after)[i].flat<int32_t>()[0], 1) << fetches[i];
  }
  // A branch TF did not take cannot be fetched.
  EXPECT_EQ(s.Run({}, {"cond/Switch_1:0"}).status().message(), "Retval[0] does not have value");
}

// The .meta + checkpoint loader (what `tfckpt run` uses) over TF's files:
// the restored v and shadow are TF's; rerunning the shadow's initializer
// now takes the read branch of both conds and copies v.
TEST(EmaGoldenTest, MetaGraphLoaderRunsTensorFlowsCondGraph) {
  auto bundle = saved_model::LoadMetaGraphAndCheckpoint(Golden(kScenario, "model.ckpt.meta"),
                                                        Golden(kScenario, "model.ckpt"));
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  graph::Session* s = (*bundle)->session();
  const json& run = RunOf(kScenario, "after_one_update");
  auto restored = s->Run({}, {"v:0", "v/ExponentialMovingAverage:0"});
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(TensorMismatch((*restored)[0], OutputOf(run, "v:0")), "");
  EXPECT_EQ(TensorMismatch((*restored)[1], OutputOf(run, "v/ExponentialMovingAverage:0")), "");
  auto reinit = s->Run(
      {}, {"v/ExponentialMovingAverage/Assign:0", "cond/Merge_v/ExponentialMovingAverage:1"});
  ASSERT_TRUE(reinit.ok()) << reinit.status();
  EXPECT_EQ(TensorMismatch((*reinit)[0], OutputOf(run, "v:0")), "");
  EXPECT_EQ((*reinit)[1].flat<int32_t>()[0], 1);
}

TEST(EmaGoldenTest, RestoreShadowIntoVariable) {
  {
    Graph g;
    Variable v = ScalarVariable(&g, "v", 0.0f);
    SaverOptions so;
    so.var_dict = std::map<std::string, Variable>{{"v/ExponentialMovingAverage", v}};
    auto saver = Saver::Create(&g, so);
    ASSERT_TRUE(saver.ok());
    ClientSession sess(&g);
    ASSERT_TRUE((*saver)->Restore(&sess, Golden(kScenario, "model.ckpt")).ok());
    ExpectOutputs(&sess, {v}, {"v:0"}, RunOf(kScenario, "restore_shadow_rename_map"));
  }
  {
    Graph g;
    Variable v = ScalarVariable(&g, "v", 0.0f);
    ExponentialMovingAverage ema(&g, 0.99);
    const auto vtr = ema.VariablesToRestore();
    EXPECT_EQ(ToJson(vtr), Note(kScenario, "variables_to_restore"));
    SaverOptions so;
    so.var_dict = vtr;
    auto saver = Saver::Create(&g, so);
    ASSERT_TRUE(saver.ok());
    ClientSession sess(&g);
    ASSERT_TRUE((*saver)->Restore(&sess, Golden(kScenario, "model.ckpt")).ok());
    ExpectOutputs(&sess, {v}, {"v:0"}, RunOf(kScenario, "restore_variables_to_restore"));
  }
  Graph g;
  Variable v = ScalarVariable(&g, "v", 0.0f);
  ASSERT_TRUE(MakeVariable(&g, Tensor::FromVector<float>(tensorflow::DT_FLOAT, {2}, {1, 2}),
                           "not_averaged", false)
                  .ok());
  ExponentialMovingAverage ema(&g, 0.99);
  const auto vtr = ema.VariablesToRestore();
  EXPECT_EQ(ToJson(vtr), Note(kScenario, "variables_to_restore with a non-trainable variable"));
  EXPECT_EQ(ToJson(ema.VariablesToRestore(std::vector<Variable>{v})),
            Note(kScenario, "variables_to_restore(moving_avg_variables=[v])"));
  SaverOptions so;
  so.var_dict = vtr;
  auto saver = Saver::Create(&g, so);
  ASSERT_TRUE(saver.ok());
  ClientSession sess(&g);
  Status s = (*saver)->Restore(&sess, Golden(kScenario, "model.ckpt"));
  const json& e = ErrorOf(kScenario, "restore_variables_to_restore_missing_key");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), WithoutTraceback(e["message"].get<std::string>()));
}

TEST(EmaGoldenTest, NumUpdates) {
  const std::string dir = TempDir("ema_num_updates");
  ScopedCwd cwd(dir);
  Graph g;
  Variable v = ScalarVariable(&g, "v", 0.0f);
  VariableOptions so;
  so.name = "global_step";
  so.trainable = false;
  Variable step = *MakeVariable(&g, Tensor::FromVector<int64_t>(tensorflow::DT_INT64, {}, {0}), so);
  ExponentialMovingAverage ema(&g, 0.99, Input(step));
  auto maintain = ema.Apply(std::vector<Averageable>{v});
  ASSERT_TRUE(maintain.ok()) << maintain.status();
  Variable shadow = *ema.Average(v);
  for (const char* n : {"ExponentialMovingAverage/num_updates", "ExponentialMovingAverage/add",
                        "ExponentialMovingAverage/add_1", "ExponentialMovingAverage/truediv",
                        "ExponentialMovingAverage/Minimum"}) {
    EXPECT_TRUE(g.HasNode(n)) << n;
  }
  ClientSession sess(&g);
  ASSERT_TRUE(sess.Run({GlobalVariablesInitializer(&g)}).ok());
  ASSERT_TRUE(sess.Run({v.Assign(10.0f)}).ok());
  ASSERT_TRUE(sess.Run({*maintain}).ok());
  ExpectOutputs(&sess, {v, shadow, step},
                {"v:0", "v/ExponentialMovingAverage:0", "global_step:0"},
                RunOf(kScenario, "num_updates_after_one_update"));
  SaveOptions o;
  o.write_meta_graph = false;
  o.latest_filename = "checkpoint_num_updates";
  ASSERT_TRUE(Saver::Create(&g).value()->Save(&sess, "num_updates.ckpt", o).ok());
  ExpectSameFiles("num_updates.ckpt");
  EXPECT_TRUE(ReadFile("checkpoint_num_updates") ==
              ReadFile(Golden(kScenario, "checkpoint_num_updates")));
}

TEST(EmaGoldenTest, ZeroDebias) {
  const std::string dir = TempDir("ema_zero_debias");
  ScopedCwd cwd(dir);
  Graph g;
  Variable v = ScalarVariable(&g, "v", 0.0f);
  Output t = Multiply(&g, v, 1.0f, "v_times_1");
  Output c = Add(&g, Constant(&g, 4.0f), 0.0f, "plain_tensor");
  ExponentialMovingAverage ema(&g, 0.99, std::nullopt, /*zero_debias=*/true);
  auto maintain = ema.Apply(std::vector<Averageable>{t, c});
  ASSERT_TRUE(maintain.ok()) << maintain.status();
  std::vector<std::string> names;
  for (const Variable& x : GlobalVariables(&g)) names.push_back(x.name());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(json(names), Note(kScenario, "zero_debias_variables"));
  ClientSession sess(&g);
  ASSERT_TRUE(sess.Run({GlobalVariablesInitializer(&g)}).ok());
  ASSERT_TRUE(sess.Run({v.Assign(10.0f)}).ok());
  ASSERT_TRUE(sess.Run({*maintain}).ok());
  const json& run = RunOf(kScenario, "zero_debias_after_one_update");
  for (const Variable& x : GlobalVariables(&g)) {
    auto value = sess.Eval(x);
    ASSERT_TRUE(value.ok()) << value.status();
    EXPECT_EQ(TensorMismatch(*value, OutputOf(run, x.name())), "") << x.name();
  }
  SaveOptions o;
  o.write_meta_graph = false;
  o.latest_filename = "checkpoint_zero_debias";
  ASSERT_TRUE(Saver::Create(&g).value()->Save(&sess, "zero_debias.ckpt", o).ok());
  ExpectSameFiles("zero_debias.ckpt");
}

TEST(EmaTest, ResourceVariablesGiveTheSameShadow) {
  GraphOptions go;
  go.resource_variables = true;
  Graph g(go);
  Variable v = ScalarVariable(&g, "v", 0.0f);
  ExponentialMovingAverage ema(&g, 0.99);
  auto maintain = ema.Apply(std::vector<Averageable>{v});
  ASSERT_TRUE(maintain.ok()) << maintain.status();
  Variable shadow = *ema.Average(v);
  EXPECT_TRUE(shadow.is_resource());
  EXPECT_EQ(shadow.name(), "v/ExponentialMovingAverage:0");
  // TF 2.21's names (control_flow_test checks the whole graph).
  EXPECT_EQ(g.FindNode("ExponentialMovingAverage/AssignMovingAvg/AssignSubVariableOp")->op(),
            "AssignSubVariableOp");
  EXPECT_TRUE(g.HasNode("ExponentialMovingAverage/AssignMovingAvg/sub_1/ReadVariableOp"));
  ClientSession sess(&g);
  ASSERT_TRUE(sess.Run({GlobalVariablesInitializer(&g)}).ok());
  ASSERT_TRUE(sess.Run({v.Assign(10.0f)}).ok());
  ASSERT_TRUE(sess.Run({*maintain}).ok());
  ExpectOutputs(&sess, {shadow}, {"v/ExponentialMovingAverage:0"},
                RunOf(kScenario, "after_one_update"));
}

TEST(EmaTest, RejectsIntegers) {
  Graph g;
  Variable i = *MakeVariable(&g, Tensor::FromVector<int32_t>(tensorflow::DT_INT32, {}, {1}), "i");
  ExponentialMovingAverage ema(&g, 0.9);
  EXPECT_EQ(ema.Apply(std::vector<Averageable>{i}).status().message(),
            "The variables must be half, float, or double: i:0");
}

}  // namespace
}  // namespace tfckpt::train
