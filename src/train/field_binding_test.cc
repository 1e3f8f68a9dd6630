// TFGraphConvertible: the golden field_binding scenario's binding.json
// rebinds to the graph import_meta_graph rebuilds and is written back byte
// for byte; the rebound fields run to TF's outputs; nested objects and
// import scopes round-trip; TF's lookup errors.
#include "gtest/gtest.h"
#include "src/train/field_binding.h"
#include "src/train/meta_graph.h"
#include "src/train/ops.h"
#include "src/train/saver.h"
#include "src/train/client_session.h"
#include "src/train/test_util.h"

namespace tfckpt::train {
namespace {

using namespace testing;  // NOLINT
using tensor::Tensor;

// gen_meta_graph.Model.
class Model : public TFGraphConvertible {
 public:
  Model() {
    Bind("x", &x);
    Bind("labels", &labels);
    Bind("w", &w);
    Bind("b", &b);
    Bind("logits", &logits);
    Bind("probs", &probs);
    Bind("loss", &loss);
    Bind("train_op", &train_op);
    Bind("global_step", &global_step);
  }
  Output x, labels, logits, probs, loss;
  Variable w, b, global_step;
  Operation train_op;
};

TEST(FieldBindingGoldenTest, RebindsAfterImportAndRoundTrips) {
  Graph g;
  auto imported = ImportMetaGraph(&g, Golden("field_binding", "model.ckpt.meta"));
  ASSERT_TRUE(imported.ok()) << imported.status();
  Model m;
  ASSERT_TRUE(m.LoadBinding(&g, Golden("field_binding", "binding.json")).ok());
  EXPECT_EQ(m.w.op_name(), "w");
  EXPECT_TRUE(m.w.trainable());
  EXPECT_FALSE(m.global_step.trainable());
  EXPECT_EQ(m.train_op.node_def()->op(), "AssignAdd");
  auto text = m.ToJson();
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, ReadFile(Golden("field_binding", "binding.json")));
  EXPECT_EQ(*m.ToGraph(), Note("field_binding", "binding"));

  ClientSession sess(&g);
  ASSERT_TRUE(imported->saver->Restore(&sess, Golden("field_binding", "model.ckpt")).ok());
  const json& run = RunOf("field_binding", "rebound_forward");
  std::vector<ClientSession::Feed> feeds{{m.x, TensorFromRecord(run["inputs"][0])},
                                   {m.labels, TensorFromRecord(run["inputs"][1])}};
  auto forward = sess.Run(feeds, {m.probs, m.loss});
  ASSERT_TRUE(forward.ok()) << forward.status();
  EXPECT_EQ(TensorMismatch((*forward)[0], OutputOf(run, "probs:0")), "");
  EXPECT_EQ(TensorMismatch((*forward)[1], OutputOf(run, "loss:0")), "");
  // One SGD step through TF's gradient graph (GradientDescentOptimizer(0.5)).
  Status trained = sess.Run({m.train_op}, feeds);
  ASSERT_TRUE(trained.ok()) << trained;
  const json& step = RunOf("field_binding", "rebound_after_one_train_step");
  auto after = sess.Run(feeds, {m.w, m.b, m.global_step, m.loss});
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(TensorMismatch((*after)[0], OutputOf(step, "w:0")), "");
  EXPECT_EQ(TensorMismatch((*after)[1], OutputOf(step, "b:0")), "");
  EXPECT_EQ(TensorMismatch((*after)[2], OutputOf(step, "global_step:0")), "");
  EXPECT_EQ(TensorMismatch((*after)[3], OutputOf(step, "loss:0")), "");
  auto w = sess.Eval(m.w);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->shape().DebugString(), "[3,2]");
}

class Layer : public TFGraphConvertible {
 public:
  Layer() {
    Bind("kernel", &kernel);
    Bind("out", &out);
  }
  Variable kernel;
  Output out;
};

class Net : public TFGraphConvertible {
 public:
  Net() {
    Bind("input", &input);
    Bind("hidden", &hidden);
    Bind("init", &init);
  }
  Output input;
  Layer hidden;
  Operation init;
};

TEST(FieldBindingTest, NestedObjectsAndImportScope) {
  const std::string dir = TempDir("field_binding_nested");
  Net net;
  {
    Graph g;
    net.input = Placeholder(&g, tensorflow::DT_FLOAT, std::vector<int64_t>{-1, 2}, "in");
    {
      VariableScope s(&g, "hidden");
      net.hidden.kernel = *GetVariable(&g, "kernel", {2, 2}, tensorflow::DT_FLOAT,
                                       Initializer::Constant(0.5));
      net.hidden.out = MatMul(&g, net.input, net.hidden.kernel);
    }
    net.init = GlobalVariablesInitializer(&g);
    auto saver = Saver::Create(&g);
    ASSERT_TRUE(saver.ok());
    ClientSession sess(&g);
    ASSERT_TRUE(sess.Run({net.init}).ok());
    ASSERT_TRUE((*saver)->Save(&sess, dir + "/model.ckpt").ok());
    ASSERT_TRUE(net.SaveBinding(dir + "/binding.json").ok());
  }
  EXPECT_EQ(ReadFile(dir + "/binding.json"),
            "{\n \"hidden\": {\n  \"kernel\": \"hidden/kernel:0\",\n  \"out\": "
            "\"hidden/MatMul:0\"\n },\n \"init\": \"init\",\n \"input\": \"in:0\"\n}\n");
  Graph g;
  ImportMetaGraphOptions o;
  o.import_scope = "copy";
  auto imported = ImportMetaGraph(&g, dir + "/model.ckpt.meta", o);
  ASSERT_TRUE(imported.ok()) << imported.status();
  Net again;
  ASSERT_TRUE(again.LoadBinding(&g, dir + "/binding.json", "copy").ok());
  EXPECT_EQ(again.hidden.kernel.name(), "copy/hidden/kernel:0");
  EXPECT_EQ(again.hidden.out.name(), "copy/hidden/MatMul:0");
  ClientSession sess(&g);
  ASSERT_TRUE(imported->saver->Restore(&sess, dir + "/model.ckpt").ok());
  auto out = sess.Run({{again.input, Tensor::FromVector<float>(tensorflow::DT_FLOAT, {1, 2},
                                                               {1.0f, 3.0f})}},
                      {again.hidden.out});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].flat<float>()[0], 2.0f);
}

TEST(FieldBindingTest, Errors) {
  Graph g;
  Output x = Placeholder(&g, tensorflow::DT_FLOAT, std::nullopt, "x");
  Layer l;
  EXPECT_EQ(l.ToGraph().status().message(), "Field 'kernel' is not bound to the graph");
  EXPECT_EQ(l.FromGraph(&g, json{{"kernel", "k:0"}}).message(), "The binding has no field 'out'");
  EXPECT_EQ(l.FromGraph(&g, json{{"kernel", "k:0"}, {"out", "x:0"}, {"extra", "x:0"}}).message(),
            "The binding names an unknown field 'extra'");
  EXPECT_EQ(l.FromGraph(&g, json{{"kernel", "k:0"}, {"out", "x:0"}}).message(),
            "No variable named k:0 in the graph's variable collections");
  Net n;
  Status s = n.FromGraph(&g, json{{"input", "y:0"}, {"hidden", json::object()}, {"init", "x"}});
  EXPECT_EQ(s.message(),
            "The name 'y:0' refers to a Tensor which does not exist. The operation, 'y', does "
            "not exist in the graph.");
}

}  // namespace
}  // namespace tfckpt::train
