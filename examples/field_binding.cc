// Tutorial: field binding ("TFGraphConvertible"). A model object's fields
// are graph tensors, operations and variables; to_graph writes them as a
// field -> tensor-name dictionary (binding.json) next to the checkpoint and
// the meta graph, and from_graph rebinds the fields of a freshly built object
// after import_meta_graph + restore, so the model runs without the code that
// built its graph. Replays golden/generate/gen_meta_graph.py (field_binding).
#include <iostream>

#include "examples/example_util.h"
#include "src/train/field_binding.h"
#include "src/train/meta_graph.h"
#include "src/train/ops.h"
#include "src/train/saver.h"
#include "src/train/client_session.h"

using namespace tfckpt;         // NOLINT
using namespace tfckpt::train;  // NOLINT
using examples::Checker;
using examples::json;
using tensor::Tensor;

namespace {

const char kScenario[] = "field_binding";

// The classifier's forward pass and loss.
class Classifier : public TFGraphConvertible {
 public:
  Classifier() {
    for (auto [name, field] : {std::pair{"x", &x}, {"labels", &labels}, {"logits", &logits},
                               {"probs", &probs}, {"loss", &loss}}) {
      Bind(name, field);
    }
    Bind("w", &w);
    Bind("b", &b);
    Bind("global_step", &global_step);
  }
  Output x, labels, logits, probs, loss;
  Variable w, b, global_step;
};

// gen_meta_graph.Model: the classifier and its training op.
class Model : public Classifier {
 public:
  Model() { Bind("train_op", &train_op); }
  Operation train_op;
};

Variable MakeWeights(Graph* g, const std::string& name, const tensor::TensorShape& shape,
                     const std::vector<float>& values) {
  GetVariableOptions o;
  o.initializer = Constant(g, Tensor::FromVector<float>(tensorflow::DT_FLOAT, shape, values));
  return *GetVariable(g, name, o);
}

std::vector<ClientSession::Feed> Feeds(const Classifier& m, const json& run) {
  return {{m.x, examples::FromRecord(examples::Record(run["inputs"], "x:0"))},
          {m.labels, examples::FromRecord(examples::Record(run["inputs"], "labels:0"))}};
}

bool RunsLikeTensorFlow(ClientSession* sess, const Classifier& m, const json& run) {
  auto out = sess->Run(Feeds(m, run), {m.probs, m.loss});
  if (!out.ok()) {
    std::cout << "  " << out.status().ToString() << "\n";
    return false;
  }
  std::cout << m.probs.name() << " = " << examples::Show((*out)[0]) << "\n"
            << m.loss.name() << " = " << examples::Show((*out)[1]) << "\n";
  return examples::SameAsTensorFlow((*out)[0], examples::Record(run["outputs"], "probs:0")) &&
         examples::SameAsTensorFlow((*out)[1], examples::Record(run["outputs"], "loss:0"));
}

// to_graph: build the classifier, save binding.json + model.ckpt(.meta).
void ToGraph(Checker& check) {
  Graph g;
  Classifier m;
  m.x = Placeholder(&g, tensorflow::DT_FLOAT, std::vector<int64_t>{-1, 3}, "x");
  m.labels = Placeholder(&g, tensorflow::DT_INT64, std::vector<int64_t>{-1}, "labels");
  m.w = MakeWeights(&g, "w", {3, 2}, {0.1f, -0.2f, 0.3f, 0.4f, -0.5f, 0.6f});
  Variable w_out = MakeWeights(&g, "w_out", {2, 3}, {1.0f, 0.0f, -1.0f, 0.5f, 0.5f, 0.5f});
  m.b = MakeWeights(&g, "b", {3}, {0.0f, 0.1f, -0.1f});
  m.logits = Add(&g, MatMul(&g, MatMul(&g, m.x, m.w), w_out), m.b, "logits");
  m.probs = Softmax(&g, m.logits, "probs");
  Output xent = RawOp(&g, "SparseSoftmaxCrossEntropyWithLogits", "SparseSoftmaxCrossEntropyWithLogits",
                      {m.logits, m.labels},
                      {{"T", TypeAttr(tensorflow::DT_FLOAT)}, {"Tlabels", TypeAttr(tensorflow::DT_INT64)}});
  m.loss = ReduceMean(&g, xent, {0}, false, "loss");
  m.global_step = *GetOrCreateGlobalStep(&g);
  check.ExpectOk(g.status(), "graph: logits = x @ w @ w_out + b, probs, loss, global_step");
  auto binding = m.ToGraph();
  check.ExpectOk(binding.status(), "to_graph(): every field bound");
  if (!binding.ok()) return;
  std::cout << "binding: " << binding->dump() << "\n";
  json tf_binding = examples::Scenario(kScenario)["notes"]["binding"];
  tf_binding.erase("train_op");  // no optimizer here: TF's train_op is the one field we lack
  check.Expect(*binding == tf_binding, "each field names the tensor TF's binding.json names");
  check.ExpectOk(m.SaveBinding("binding.json"), "save binding.json");
  auto saver = Saver::Create(&g);
  ClientSession sess(&g);
  check.ExpectOk(sess.Run({GlobalVariablesInitializer(&g)}), "initialise");
  check.ExpectOk((*saver)->Save(&sess, "model.ckpt").status(), "saver.save('model.ckpt') (+ .meta)");
  const json& run = examples::Record(examples::Scenario(kScenario)["runs"], "original_forward");
  check.Expect(RunsLikeTensorFlow(&sess, m, run), "probs and loss in the original graph are TF's, bit-exact");
}

// from_graph on what ToGraph wrote: no model code, a fresh object rebound.
void FromOurGraph(Checker& check) {
  Graph g;
  auto imported = ImportMetaGraph(&g, "model.ckpt.meta");
  check.ExpectOk(imported.status(), "import_meta_graph('model.ckpt.meta')");
  if (!imported.ok()) return;
  Classifier m;
  check.ExpectOk(m.LoadBinding(&g, "binding.json"), "from_graph: rebind a new object from binding.json");
  ClientSession sess(&g);
  check.ExpectOk(imported->saver->Restore(&sess, "model.ckpt"), "saver.restore('model.ckpt')");
  const json& run = examples::Record(examples::Scenario(kScenario)["runs"], "rebound_forward");
  check.Expect(RunsLikeTensorFlow(&sess, m, run), "the rebound fields run to TF's probs and loss");
}

// from_graph on TF's files, then one SGD step through TF's gradient graph.
void FromTensorFlowsGraph(Checker& check) {
  Graph g;
  auto imported = ImportMetaGraph(&g, examples::GoldenFile(kScenario, "model.ckpt.meta"));
  check.ExpectOk(imported.status(), "import_meta_graph(TF's model.ckpt.meta)");
  if (!imported.ok()) return;
  Model m;
  check.ExpectOk(m.LoadBinding(&g, examples::GoldenFile(kScenario, "binding.json")),
                 "rebind the model's fields from TF's binding.json");
  check.Expect(*m.ToJson() == examples::ReadFile(examples::GoldenFile(kScenario, "binding.json")),
               "the binding serialises back to TF's binding.json, byte for byte");
  ClientSession sess(&g);
  check.ExpectOk(imported->saver->Restore(&sess, examples::GoldenFile(kScenario, "model.ckpt")), "restore");
  const json& run = examples::Record(examples::Scenario(kScenario)["runs"], "rebound_forward");
  check.Expect(RunsLikeTensorFlow(&sess, m, run), "the rebound probs and loss give TF's outputs");
  const auto feeds = Feeds(m, run);
  check.ExpectOk(sess.Run({m.train_op}, feeds), "sess.run(train_op): one SGD step (lr 0.5)");
  const json& step = examples::Record(examples::Scenario(kScenario)["runs"], "rebound_after_one_train_step");
  auto after = sess.Run(feeds, {m.w, m.b, m.global_step, m.loss});
  bool same = after.ok();
  for (size_t i = 0; same && i < 4; ++i) {
    const std::string name = std::vector<std::string>{"w:0", "b:0", "global_step:0", "loss:0"}[i];
    std::cout << name << " = " << examples::Show((*after)[i]) << "\n";
    same = examples::SameAsTensorFlow((*after)[i], examples::Record(step["outputs"], name));
  }
  check.Expect(same, "w, b, global_step and loss after the step are TF's, bit-exact");
}

}  // namespace

int main() {
  Checker check;
  examples::EnterWorkDir(kScenario);
  ToGraph(check);
  FromOurGraph(check);
  FromTensorFlowsGraph(check);
  return check.Finish();
}
