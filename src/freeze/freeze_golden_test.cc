// golden/generate/gen_freeze.py replayed: convert_variables_to_constants
// of add = v1 + v2 (reference and resource variables) and of the MLP gives
// TF's frozen GraphDefs byte for byte; import_graph_def of them runs to
// TF's outputs (bit-exact) with TF's names and error texts.
#include "gtest/gtest.h"
#include "src/freeze/freeze.h"
#include "src/train/import_graph_def.h"
#include "src/train/meta_graph.h"
#include "src/train/ops.h"
#include "src/train/client_session.h"
#include "src/train/test_util.h"
#include "src/train/variables.h"

namespace tfckpt::freeze {
namespace {

using namespace train::testing;  // NOLINT
using tensor::Tensor;
using train::ImportGraphDef;
using train::ImportOptions;
using train::Graph;
using train::Operation;
using train::Output;

Tensor Scalar(float v) { return Tensor::FromVector<float>(tensorflow::DT_FLOAT, {}, {v}); }

class FreezeAddTest : public ::testing::TestWithParam<bool> {
 protected:
  std::string scenario() const { return GetParam() ? "freeze_add_resource" : "freeze_add"; }
};

TEST_P(FreezeAddTest, FrozenGraphAndImport) {
  train::GraphOptions go;
  go.resource_variables = GetParam();
  Graph g(go);
  train::Variable a = *train::MakeVariable(&g, Scalar(1.0f), "v1");
  train::Variable b = *train::MakeVariable(&g, Scalar(2.0f), "v2");
  Output add = train::Add(&g, a, b, "add");
  train::ClientSession sess(&g);
  ASSERT_TRUE(sess.Run({train::GlobalVariablesInitializer(&g)}).ok());
  auto before = sess.Eval(add);
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(TensorMismatch(*before, OutputOf(RunOf(scenario(), "before_freeze"), "add:0")), "");
  auto frozen = ConvertVariablesToConstants(&sess, g.ToGraphDef(), {"add"});
  ASSERT_TRUE(frozen.ok()) << frozen.status();
  const std::string path = TempDir(scenario()) + "/combined_model.pb";
  ASSERT_TRUE(WriteGraphDef(*frozen, path).ok());
  EXPECT_EQ(GraphDiff(train::testing::ReadGraphDef(Golden(scenario(), "combined_model.pb")), *frozen), "");
  EXPECT_TRUE(ReadFile(path) == ReadFile(Golden(scenario(), "combined_model.pb")));
  const std::string text = TempDir(scenario() + "_text") + "/combined_model.pbtxt";
  ASSERT_TRUE(WriteGraphDef(*frozen, text, /*as_text=*/true).ok());
  EXPECT_EQ(ReadFile(text), ReadFile(Golden(scenario(), "combined_model.pbtxt")));
  json nodes = json::array();
  for (const auto& n : frozen->node()) nodes.push_back({{"name", n.name()}, {"op", n.op()}});
  EXPECT_EQ(nodes, Note(scenario(), "frozen_nodes"));

  const tensorflow::GraphDef gd = *ReadGraphDef(path);
  {
    Graph g2;
    ImportOptions o;
    o.return_elements = {"add:0"};
    auto r = ImportGraphDef(&g2, gd, o);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->elements[0].tensor.name(), Note(scenario(), "imported_output_tensor_name"));
    train::ClientSession s2(&g2);
    auto out = s2.Eval(r->elements[0].tensor);
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ(TensorMismatch(*out, OutputOf(RunOf(scenario(), "import_graph_def"), "import/add:0")),
              "");
  }
  Graph g3;
  ImportOptions o;
  o.return_elements = {"add:0"};
  o.name = "";
  auto r = ImportGraphDef(&g3, gd, o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->elements[0].tensor.name(), "add:0");
  train::ClientSession s3(&g3);
  auto out = s3.Eval(r->elements[0].tensor);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(TensorMismatch(*out, OutputOf(RunOf(scenario(), "import_graph_def_no_prefix"), "add:0")),
            "");
  ImportOptions bad;
  bad.return_elements = {"missing:0"};
  bad.name = "again";
  const int nodes_before = g3.num_nodes();
  auto missing = ImportGraphDef(&g3, gd, bad);
  EXPECT_EQ(missing.status().message(),
            ErrorOf(scenario(), "import_missing_return_element")["str"]);
  EXPECT_EQ(g3.num_nodes(), nodes_before);  // the graph is unchanged
}

INSTANTIATE_TEST_SUITE_P(RefAndResource, FreezeAddTest, ::testing::Bool());

TEST(FreezeMlpTest, FrozenFromTheGoldenCheckpointAndImported) {
  Graph g;
  auto imported = train::ImportMetaGraph(&g, Golden("freeze_mlp", "model.ckpt.meta"));
  ASSERT_TRUE(imported.ok()) << imported.status();
  train::ClientSession sess(&g);
  ASSERT_TRUE(imported->saver->Restore(&sess, Golden("freeze_mlp", "model.ckpt")).ok());
  const json& before = RunOf("freeze_mlp", "before_freeze");
  const Tensor x = TensorFromRecord(before["inputs"][0]);
  auto out = sess.Run({{"input:0", x}}, {"probs:0", "logits:0"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(TensorMismatch((*out)[0], OutputOf(before, "probs:0")), "");
  EXPECT_EQ(TensorMismatch((*out)[1], OutputOf(before, "logits:0")), "");
  auto frozen = ConvertVariablesToConstants(&sess, g.ToGraphDef(), {"probs", "logits"});
  ASSERT_TRUE(frozen.ok()) << frozen.status();
  const std::string path = TempDir("freeze_mlp") + "/frozen_mlp.pb";
  ASSERT_TRUE(WriteGraphDef(*frozen, path).ok());
  EXPECT_EQ(GraphDiff(train::testing::ReadGraphDef(Golden("freeze_mlp", "frozen_mlp.pb")), *frozen), "");
  EXPECT_TRUE(ReadFile(path) == ReadFile(Golden("freeze_mlp", "frozen_mlp.pb")));

  Graph g2;
  Output fed = train::Placeholder(&g2, tensorflow::DT_FLOAT, std::vector<int64_t>{-1, 4}, "fed");
  ImportOptions o;
  o.input_map = {{"input:0", fed}};
  o.return_elements = {"probs:0", "logits:0"};
  o.name = "frozen";
  auto r = ImportGraphDef(&g2, train::testing::ReadGraphDef(Golden("freeze_mlp", "frozen_mlp.pb")), o);
  ASSERT_TRUE(r.ok()) << r.status();
  train::ClientSession s2(&g2);
  std::vector<train::ClientSession::Feed> feeds{{fed, x}};
  std::vector<train::TensorRef> fetches{r->elements[0].tensor, r->elements[1].tensor};
  auto res = s2.Run(feeds, fetches);
  ASSERT_TRUE(res.ok()) << res.status();
  const json& run = RunOf("freeze_mlp", "import_graph_def");
  EXPECT_EQ(TensorMismatch((*res)[0], OutputOf(run, "frozen/probs:0")), "");
  EXPECT_EQ(TensorMismatch((*res)[1], OutputOf(run, "frozen/logits:0")), "");
  EXPECT_EQ(g2.FindNode("frozen/hidden/MatMul")->input(0), "fed");
}

TEST(ImportGraphDefTest, Errors) {
  const tensorflow::GraphDef gd = train::testing::ReadGraphDef(Golden("freeze_add", "combined_model.pb"));
  Graph g;
  ImportOptions o;
  o.return_elements = {"nope"};
  EXPECT_EQ(ImportGraphDef(&g, gd, o).status().message(),
            "Requested return node 'nope' not found in graph def");
  o.return_elements = {"add:3"};
  EXPECT_EQ(ImportGraphDef(&g, gd, o).status().message(),
            "Invalid return output 3 of node 'add', which has 1 output(s)");
  ImportOptions m;
  Output c = train::Constant(&g, 1.0f, "c");
  m.input_map = {{"zzz:0", c}};
  EXPECT_EQ(ImportGraphDef(&g, gd, m).status().message(),
            "Attempted to map inputs that were not found in graph_def: [zzz:0]");
  // Two imports without a prefix: the second one's names are made unique.
  Graph g2;
  ImportOptions none;
  none.name = "";
  ASSERT_TRUE(ImportGraphDef(&g2, gd, none).ok());
  auto second = ImportGraphDef(&g2, gd, none);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->names.at("add"), "add_1");
  EXPECT_EQ(g2.FindNode("add_1")->input(0), "v1/read_1");  // each name made unique, as TF
  EXPECT_EQ(ExtractSubGraph(gd, {"nope"}).status().message(), "nope is not in graph");
}

TEST(ImportGraphDefTest, DevicesUnderScopesAndColocation) {
  tensorflow::GraphDef gd = train::testing::ReadGraphDef(Golden("freeze_add", "combined_model.pb"));
  gd.mutable_node(0)->set_device("/device:CPU:1");  // v1; v1/read is colocated with it
  Graph g;
  train::DeviceScope d(&g, "/job:worker");
  ASSERT_TRUE(ImportGraphDef(&g, gd).ok());
  EXPECT_EQ(g.FindNode("import/v1")->device(), "/job:worker/device:CPU:1");
  EXPECT_EQ(g.FindNode("import/v1/read")->device(), "/job:worker/device:CPU:1");
  EXPECT_EQ(g.FindNode("import/v2")->device(), "/job:worker");
  // Under control_dependencies([first]): the ops without imported data inputs.
  Operation first = train::NoOp(&g, "first");
  train::ControlDependencies deps(&g, std::vector<std::string>{first.name});
  ASSERT_TRUE(ImportGraphDef(&g, gd).ok());
  EXPECT_EQ(g.FindNode("import_1/v1")->input(0), "^first");
  EXPECT_EQ(g.FindNode("import_1/add")->input_size(), 2);
}

}  // namespace
}  // namespace tfckpt::freeze
