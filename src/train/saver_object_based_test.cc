// Saver.restore of TF 2.21's object-based golden (tf2_checkpoint, written by
// tf.train.Checkpoint) into TF1 variables named as the object graph's
// full_names: the values TF restores, the cached second saver, and TF's
// errors. The expectations (which key a repeated full_name maps to, the
// NotFound text) come from running the same TF1 program on TF 2.21:
//   v1.get_variable("extra", [2]), ("scale", []), ("ids", [3], int64),
//   ("w", [3, 1]); v1.train.Saver().restore(sess, ".../ckpt/ckpt-2")
// restores w from model/layers/0/w (the last "w" of the object graph), and
// with variables extra, missing, alpha raises the NotFoundError below.
#include "gtest/gtest.h"
#include "src/train/saver.h"
#include "src/train/client_session.h"
#include "src/train/test_util.h"
#include "src/train/variables.h"

namespace tfckpt::train {
namespace {

using namespace testing;  // NOLINT

const char kScenario[] = "tf2_checkpoint";

std::string Ckpt2() { return Golden(kScenario, "ckpt/ckpt-2"); }

// The MANIFEST record of tensor `key` of checkpoint ckpt/ckpt-2.
const json& CheckpointTensor(const std::string& key) {
  for (const json& c : Scenario(kScenario)["checkpoints"]) {
    if (c["prefix"] != "ckpt/ckpt-2") continue;
    for (const json& t : c["tensors"]) {
      if (t["name"] == key) return t;
    }
  }
  static const json kNull;
  ADD_FAILURE() << "no tensor " << key;
  return kNull;
}

Variable Var(Graph* g, const std::string& name, std::vector<int64_t> shape,
             DataType dtype = tensorflow::DT_FLOAT) {
  auto v = GetVariable(g, name, shape, dtype, Initializer::Zeros());
  EXPECT_TRUE(v.ok()) << v.status();
  return *v;
}

TEST(SaverObjectBasedTest, KeyMappingFromObjectGraph) {
  auto m = ObjectGraphKeyMapping(Ckpt2());
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->at("extra"), "extra/.ATTRIBUTES/VARIABLE_VALUE");
  EXPECT_EQ(m->at("save_counter"), "save_counter/.ATTRIBUTES/VARIABLE_VALUE");
  EXPECT_EQ(m->at("w"), "model/layers/0/w/.ATTRIBUTES/VARIABLE_VALUE");  // the later node wins
  EXPECT_EQ(m->at("b"), "model/layers/0/b/.ATTRIBUTES/VARIABLE_VALUE");
  EXPECT_EQ(m->size(), 8u);  // extra save_counter step note w b scale ids
  auto plain = ObjectGraphKeyMapping(Golden("saver_v2_basic", "model.ckpt"));
  EXPECT_EQ(plain.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(plain.status().message(), "Key _CHECKPOINTABLE_OBJECT_GRAPH not found in checkpoint");
}

TEST(SaverObjectBasedTest, NameBasedSaverRestoresObjectBasedCheckpoint) {
  Graph g;
  ClientSession sess(&g);
  Variable extra = Var(&g, "extra", {2});
  Variable scale = Var(&g, "scale", {});
  Variable ids = Var(&g, "ids", {3}, tensorflow::DT_INT64);
  Variable w = Var(&g, "w", {3, 1});
  auto saver = Saver::Create(&g);
  ASSERT_TRUE(saver.ok()) << saver.status();
  for (int round = 0; round < 2; ++round) {  // the second uses the cached saver
    Status s = (*saver)->Restore(&sess, Ckpt2());
    ASSERT_TRUE(s.ok()) << s;
    const std::pair<Variable*, const char*> want[] = {
        {&extra, "extra/.ATTRIBUTES/VARIABLE_VALUE"},
        {&scale, "model/config/scale/.ATTRIBUTES/VARIABLE_VALUE"},
        {&ids, "model/config/ids/.ATTRIBUTES/VARIABLE_VALUE"},
        {&w, "model/layers/0/w/.ATTRIBUTES/VARIABLE_VALUE"}};
    for (const auto& [v, key] : want) {
      auto t = sess.Eval(v->value());
      ASSERT_TRUE(t.ok()) << t.status();
      EXPECT_EQ(TensorMismatch(*t, CheckpointTensor(key)), "") << key;
    }
    ASSERT_TRUE(sess.Run({GlobalVariablesInitializer(&g)}).ok());  // zeros again
  }
  // TF's Saver(saveables) in scope save_1, built once.
  EXPECT_TRUE(g.HasNode("save_1/restore_all"));
  EXPECT_FALSE(g.HasNode("save_2/restore_all"));
}

TEST(SaverObjectBasedTest, MissingNamesAreTensorFlowsNotFound) {
  Graph g;
  ClientSession sess(&g);
  Var(&g, "extra", {2});
  Var(&g, "missing", {2});
  Var(&g, "alpha", {2});
  auto saver = Saver::Create(&g);
  ASSERT_TRUE(saver.ok()) << saver.status();
  Status s = (*saver)->Restore(&sess, Ckpt2());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(
      s.message(),
      "\n\nExisting variables not in the checkpoint: alpha, missing\n\nVariables names when this "
      "checkpoint was written which don't exist now: b, ids, note, save_counter, scale, step, "
      "w\n\n(1 variable name(s) did match)\n\nCould not find some variables in the checkpoint "
      "(see names above). Saver was attempting to load an object-based checkpoint (saved using "
      "tf.train.Checkpoint or tf.keras.Model.save_weights) using variable names. If the "
      "checkpoint was written with eager execution enabled, it's possible that variable names "
      "have changed (for example missing a '_1' suffix). It's also possible that there are new "
      "variables which did not exist when the checkpoint was written. You can construct a "
      "Saver(var_list=...) with only the variables which previously existed, and if variable "
      "names have changed you may need to make this a dictionary with the old names as keys.");
  EXPECT_FALSE(g.HasNode("save_1/restore_all"));  // no saver was built
}

// A shape mismatch after the key mapping is the restore op's
// InvalidArgument, wrapped once (TF: "... due to a mismatch between the
// current graph and the graph from the checkpoint ... Detected at node
// 'save_1/Assign_3' ... lhs shape= [3,3] rhs shape= [3,1]").
TEST(SaverObjectBasedTest, ShapeMismatchIsWrappedOnce) {
  Graph g;
  ClientSession sess(&g);
  Var(&g, "extra", {2});
  Var(&g, "w", {3, 3});
  auto saver = Saver::Create(&g);
  ASSERT_TRUE(saver.ok()) << saver.status();
  Status s = (*saver)->Restore(&sess, Ckpt2());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  const std::string prefix =
      "Restoring from checkpoint failed. This is most likely due to a mismatch between the "
      "current graph and the graph from the checkpoint.";
  EXPECT_EQ(s.message().rfind(prefix, 0), 0u) << s.message();
  EXPECT_EQ(s.message().find(prefix, 1), std::string::npos) << s.message();
}

TEST(SaverObjectBasedTest, SaverFromNonObjectBasedCheckpoint) {
  Graph g;
  Variable v = Var(&g, "v", {1});
  auto saveables = CollectSaveables(&g, SaverOptions{});
  ASSERT_TRUE(saveables.ok()) << saveables.status();
  const std::string path = Golden("saver_v2_basic", "model.ckpt");
  auto saver = SaverFromObjectBasedCheckpoint(&g, path, *saveables, nullptr);
  ASSERT_FALSE(saver.ok());
  EXPECT_EQ(saver.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(saver.status().message(), "Checkpoint in " + path + " not an object-based checkpoint.");
}

}  // namespace
}  // namespace tfckpt::train
