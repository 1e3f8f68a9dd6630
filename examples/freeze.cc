// Tutorial: freeze a model (variables -> constants) and load the frozen
// GraphDef with import_graph_def. Replays golden/generate/gen_freeze.py:
// freeze_add (add = v1 + v2) and the MLP of freeze_mlp, frozen from TF's
// own checkpoint and meta graph.
#include <iostream>

#include "examples/example_util.h"
#include "src/freeze/freeze.h"
#include "src/train/import_graph_def.h"
#include "src/train/meta_graph.h"
#include "src/train/ops.h"
#include "src/train/client_session.h"
#include "src/train/variables.h"

using namespace tfckpt;         // NOLINT
using namespace tfckpt::train;  // NOLINT
using examples::Checker;
using tensor::Tensor;

int main() {
  Checker check;
  examples::EnterWorkDir("freeze");
  {
    Graph g;
    Variable v1 = *MakeVariable(&g, Tensor::FromVector<float>(tensorflow::DT_FLOAT, {}, {1}), "v1");
    Variable v2 = *MakeVariable(&g, Tensor::FromVector<float>(tensorflow::DT_FLOAT, {}, {2}), "v2");
    Output add = Add(&g, v1, v2, "add");
    ClientSession sess(&g);
    check.ExpectOk(sess.Run({GlobalVariablesInitializer(&g)}), "initialise");
    auto frozen = freeze::ConvertVariablesToConstants(&sess, g.ToGraphDef(), {"add"});
    check.ExpectOk(frozen.status(), "convert_variables_to_constants(sess, graph_def, ['add'])");
    for (const auto& n : frozen->node()) std::cout << "  " << n.name() << " (" << n.op() << ")\n";
    check.ExpectOk(freeze::WriteGraphDef(*frozen, "combined_model.pb"), "write combined_model.pb");
    check.Expect(examples::ReadFile("combined_model.pb") ==
                     examples::ReadFile(examples::GoldenFile("freeze_add", "combined_model.pb")),
                 "combined_model.pb is byte-identical to TF's");
  }
  {
    Graph g;
    train::ImportOptions o;
    o.return_elements = {"add:0"};
    auto r = train::ImportGraphDef(&g, *freeze::ReadGraphDef("combined_model.pb"), o);
    check.ExpectOk(r.status(), "import_graph_def(return_elements=['add:0'])");
    ClientSession sess(&g);
    auto t = sess.Eval(r->elements[0].tensor);
    std::cout << r->elements[0].tensor.name() << " = " << examples::Show(*t) << "\n";
    check.Expect(r->elements[0].tensor.name() == "import/add:0" && t->flat<float>()[0] == 3.0f,
                 "import/add:0 evaluates to 3.0");
    o.return_elements = {"missing:0"};
    auto missing = train::ImportGraphDef(&g, *freeze::ReadGraphDef("combined_model.pb"), o);
    check.Expect(missing.status().message() ==
                     examples::Record(examples::Scenario("freeze_add")["errors"],
                                      "import_missing_return_element")["str"],
                 "TF's error for a missing return element");
  }
  // The MLP: TF's meta graph and checkpoint, frozen here.
  Graph g;
  auto imported = ImportMetaGraph(&g, examples::GoldenFile("freeze_mlp", "model.ckpt.meta"));
  ClientSession sess(&g);
  check.ExpectOk(imported->saver->Restore(&sess, examples::GoldenFile("freeze_mlp", "model.ckpt")),
                 "import_meta_graph + restore TF's MLP");
  auto frozen = freeze::ConvertVariablesToConstants(&sess, g.ToGraphDef(), {"probs", "logits"});
  check.ExpectOk(freeze::WriteGraphDef(*frozen, "frozen_mlp.pb"), "freeze outputs probs, logits");
  check.Expect(examples::ReadFile("frozen_mlp.pb") ==
                   examples::ReadFile(examples::GoldenFile("freeze_mlp", "frozen_mlp.pb")),
               "frozen_mlp.pb is byte-identical to TF's");
  Graph served;
  Output fed = Placeholder(&served, tensorflow::DT_FLOAT, std::vector<int64_t>{-1, 4}, "fed");
  train::ImportOptions o;
  o.input_map = {{"input:0", fed}};
  o.return_elements = {"probs:0"};
  o.name = "frozen";
  auto r = train::ImportGraphDef(&served, *freeze::ReadGraphDef("frozen_mlp.pb"), o);
  const auto& run = examples::Record(examples::Scenario("freeze_mlp")["runs"], "import_graph_def");
  const auto& in = run["inputs"][0];
  Tensor x = *Tensor::Allocate(tensorflow::DT_FLOAT, {3, 4});
  for (int i = 0; i < 12; ++i) x.mutable_flat<float>()[i] = in["values"][i].get<float>();
  ClientSession s2(&served);
  auto probs = s2.Run({{fed, x}}, {r->elements[0].tensor});
  std::cout << "frozen/probs:0 = " << examples::Show((*probs)[0]) << "\n";
  check.Expect(examples::SameAsTensorFlow((*probs)[0], examples::Record(run["outputs"], "frozen/probs:0")),
               "probabilities bit-exact to TF's");
  return check.Finish();
}
