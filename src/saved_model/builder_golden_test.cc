// golden/generate/gen_saved_model.py saved_model_simple_save replayed in
// C++: the same graph and variable values, SimpleSave, then saved_model.pb
// compared with TF 2.21's (as a SavedModel proto and byte for byte), the
// variables bundle byte for byte, and the export loaded with LoadSavedModel
// and run to TF's recorded outputs.
#include <filesystem>

#include "gtest/gtest.h"
#include "proto/saved_model.pb.h"
#include "src/saved_model/builder.h"
#include "src/saved_model/loader.h"
#include "src/saved_model/signature.h"
#include "src/train/ops.h"
#include "src/train/session.h"
#include "src/train/test_util.h"
#include "src/train/variables.h"

namespace tfckpt::saved_model {
namespace {

using namespace train::testing;  // NOLINT
using tensor::Tensor;

const char kScenario[] = "saved_model_simple_save";

tensorflow::SavedModel ReadSavedModel(const std::string& path) {
  tensorflow::SavedModel sm;
  EXPECT_TRUE(sm.ParseFromString(ReadFile(path))) << path;
  return sm;
}

const json& InputOf(const json& run, const std::string& name) {
  for (const json& t : run["inputs"]) {
    if (t["name"] == name) return t;
  }
  static const json kNull;
  ADD_FAILURE() << "no input " << name;
  return kNull;
}

// The graph of gen_saved_model.saved_model_simple_save, initialized.
struct SimpleSaveGraph {
  train::Graph g;
  train::Session sess{&g};
  train::Output x, y;

  void Build() {
    x = train::Placeholder(&g, tensorflow::DT_FLOAT, std::vector<int64_t>{-1, 4}, "myInput");
    auto w = train::MakeVariable(
        &g,
        Tensor::FromVector<float>(tensorflow::DT_FLOAT, {4, 3},
                                  {0.5f, -0.25f, 0.0f, 1.0f, 0.75f, -1.0f, -0.5f, 0.25f, 2.0f,
                                   0.125f, -2.0f, 1.5f}),
        "W");
    ASSERT_TRUE(w.ok()) << w.status();
    auto b = train::MakeVariable(
        &g, Tensor::FromVector<float>(tensorflow::DT_FLOAT, {3}, {0.1f, -0.2f, 0.3f}), "b");
    ASSERT_TRUE(b.ok()) << b.status();
    y = train::Softmax(&g, train::MatMul(&g, x, *w) + *b, "myOutput");
    ASSERT_TRUE(g.status().ok()) << g.status();
    ASSERT_TRUE(sess.Run({train::GlobalVariablesInitializer(&g)}).ok());
  }
};

TEST(BuilderGoldenTest, SimpleSaveLikeTensorFlow) {
  const std::string dir = TempDir("builder_golden_simple_save");
  const std::string export_dir = dir + "/saved_model";
  SimpleSaveGraph m;
  ASSERT_NO_FATAL_FAILURE(m.Build());
  const json& before = RunOf(kScenario, "before_save");
  const Tensor inputs = TensorFromRecord(InputOf(before, "myInput:0"));
  auto out = m.sess.Run({{m.x, inputs}}, {m.y});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(TensorMismatch((*out)[0], OutputOf(before, "myOutput:0")), "");

  Status s = SimpleSave(&m.sess, &m.g, export_dir, {{"myInput", m.x}}, {{"myOutput", m.y}});
  ASSERT_TRUE(s.ok()) << s;
  // Nothing but the export next to it (the staging directory was renamed).
  EXPECT_EQ(ListDir(dir), std::vector<std::string>{"saved_model"});
  EXPECT_EQ(ListDir(export_dir), (std::vector<std::string>{"saved_model.pb", "variables"}));
  EXPECT_EQ(ListDir(export_dir + "/variables"),
            (std::vector<std::string>{"variables.data-00000-of-00001", "variables.index"}));

  const std::string golden_pb = Golden(kScenario, "saved_model/saved_model.pb");
  const tensorflow::SavedModel mine = ReadSavedModel(export_dir + "/saved_model.pb");
  const tensorflow::SavedModel tf = ReadSavedModel(golden_pb);
  ASSERT_EQ(mine.meta_graphs_size(), 1);
  ASSERT_EQ(tf.meta_graphs_size(), 1);
  EXPECT_EQ(MetaGraphDiff(tf.meta_graphs(0), mine.meta_graphs(0)), "");
  EXPECT_EQ(ProtoDiff(tf, mine), "");
  const std::string a = ReadFile(export_dir + "/saved_model.pb"), b = ReadFile(golden_pb);
  EXPECT_TRUE(a == b) << "saved_model.pb: " << a.size() << " vs TF's " << b.size() << " bytes";
  for (const char* f :
       {"variables/variables.index", "variables/variables.data-00000-of-00001"}) {
    EXPECT_TRUE(ReadFile(export_dir + "/" + f) == ReadFile(Golden(kScenario, std::string("saved_model/") + f)))
        << f;
  }

  // Load what we wrote and run serving_default to TF's outputs.
  auto bundle = LoadSavedModel(export_dir, {"serve"});
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  EXPECT_TRUE((*bundle)->restored());
  const json& run = RunOf(kScenario, "load_serving_default");
  auto res = RunSignature(**bundle, "serving_default", {{"myInput", inputs}});
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(TensorMismatch(res->at("myOutput"), OutputOf(run, "myOutput:0")), "");

  // A second export to the same, now non-empty, directory: TF's error.
  auto again = SavedModelBuilder::Create(nullptr, export_dir);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().message(),
            "Export directory already exists, and isn't empty. Please choose a different export "
            "directory, or delete all the contents of the specified directory: " +
                export_dir);
}

// The golden export written as text parses back to the same SavedModel.
TEST(BuilderGoldenTest, SaveAsText) {
  const std::string dir = TempDir("builder_golden_text");
  SimpleSaveGraph m;
  ASSERT_NO_FATAL_FAILURE(m.Build());
  auto builder = SavedModelBuilder::Create(nullptr, dir + "/sm");
  ASSERT_TRUE(builder.ok()) << builder.status();
  ASSERT_TRUE((*builder)
                  ->AddMetaGraphAndVariables(
                      &m.sess, &m.g, {"serve"},
                      {{"serving_default", PredictSignatureDef({{"myInput", m.x}},
                                                               {{"myOutput", m.y}})}},
                      {}, std::nullopt, /*clear_devices=*/true)
                  .ok());
  auto path = (*builder)->Save(/*as_text=*/true);
  ASSERT_TRUE(path.ok()) << path.status();
  EXPECT_EQ(*path, dir + "/sm/saved_model.pbtxt");
  auto bundle = LoadSavedModel(dir + "/sm", {"serve"});
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  const tensorflow::SavedModel tf =
      ReadSavedModel(Golden(kScenario, "saved_model/saved_model.pb"));
  EXPECT_EQ(ProtoDiff(tf.meta_graphs(0), (*bundle)->meta_graph_def()), "");
}

}  // namespace
}  // namespace tfckpt::saved_model
