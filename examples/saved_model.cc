// Tutorial: export a model as a TF1 SavedModel and serve it without the
// model code -- simple_save (tag "serve", signature "serving_default"), then
// SavedModelBuilder with two tag sets, a "predict" signature, a vocabulary
// asset and a main op; loader.load by tags, run a signature and run by tensor
// name. Replays golden/generate/gen_saved_model.py (saved_model_simple_save,
// saved_model_builder).
#include <fstream>
#include <iostream>

#include "examples/example_util.h"
#include "src/io/env.h"
#include "src/saved_model/builder.h"
#include "src/saved_model/loader.h"
#include "src/saved_model/signature.h"
#include "src/train/lookup_ops.h"
#include "src/train/ops.h"
#include "src/train/client_session.h"
#include "src/train/variables.h"

using namespace tfckpt;         // NOLINT
using namespace tfckpt::train;  // NOLINT
using examples::Checker;
using tensor::Tensor;

namespace {

bool SameFile(const std::string& mine, const std::string& scenario, const std::string& file) {
  return examples::ReadFile(mine) == examples::ReadFile(examples::GoldenFile(scenario, file));
}

// simple_save of a softmax regression; load it back by tag and run it.
void SimpleSave(Checker& check) {
  const char kScenario[] = "saved_model_simple_save";
  const auto& scenario = examples::Scenario(kScenario);
  Graph g;
  Output x = Placeholder(&g, tensorflow::DT_FLOAT, std::vector<int64_t>{-1, 4}, "myInput");
  auto w = MakeVariable(&g, Tensor::FromVector<float>(tensorflow::DT_FLOAT, {4, 3},
                                                      {0.5f, -0.25f, 0.0f, 1.0f, 0.75f, -1.0f,
                                                       -0.5f, 0.25f, 2.0f, 0.125f, -2.0f, 1.5f}),
                        "W");
  auto b = MakeVariable(&g, Tensor::FromVector<float>(tensorflow::DT_FLOAT, {3}, {0.1f, -0.2f, 0.3f}), "b");
  Output y = Softmax(&g, MatMul(&g, x, *w) + *b, "myOutput");
  ClientSession sess(&g);
  check.ExpectOk(sess.Run({GlobalVariablesInitializer(&g)}), "initialise W [4,3] and b [3]");
  check.ExpectOk(saved_model::SimpleSave(&sess, &g, "saved_model", {{"myInput", x}}, {{"myOutput", y}}),
                 "simple_save(sess, 'saved_model', inputs={'myInput': x}, outputs={'myOutput': y})");
  check.Expect(SameFile("saved_model/saved_model.pb", kScenario, "saved_model/saved_model.pb"),
               "saved_model.pb is byte-identical to TF's");
  check.Expect(SameFile("saved_model/variables/variables.index", kScenario, "saved_model/variables/variables.index") &&
                   SameFile("saved_model/variables/variables.data-00000-of-00001", kScenario,
                            "saved_model/variables/variables.data-00000-of-00001"),
               "variables/variables.{index,data-00000-of-00001} are byte-identical to TF's");

  auto bundle = saved_model::LoadSavedModel("saved_model", {"serve"});
  check.ExpectOk(bundle.status(), "loader.load(sess, ['serve'], 'saved_model')");
  if (!bundle.ok()) return;
  const auto& run = examples::Record(scenario["runs"], "load_serving_default");
  const Tensor input = examples::FromRecord(run["inputs"][0]);
  auto out = saved_model::RunSignature(**bundle, "serving_default", {{"myInput", input}});
  check.ExpectOk(out.status(), "run signature serving_default");
  if (out.ok()) {
    std::cout << "serving_default myOutput = " << examples::Show(out->at("myOutput")) << "\n";
    check.Expect(examples::SameAsTensorFlow(out->at("myOutput"), examples::Record(run["outputs"], "myOutput:0")),
                 "softmax outputs are TF's, bit-exact");
  }
  // The same by tensor name, as the tutorial's sess.run('myOutput:0', {'myInput:0': ...}).
  auto by_name = saved_model::RunTensors(**bundle, {{"myInput:0", input}}, {"myOutput:0"});
  check.Expect(by_name.ok() && out.ok() && (*by_name)[0].BitwiseEquals(out->at("myOutput")),
               "run by tensor name myInput:0 -> myOutput:0 gives the same", by_name.status().ToString());

  for (const char* name : {"load_missing_tag", "load_missing_dir"}) {
    const auto& e = examples::Record(scenario["errors"], name);
    auto failed = std::string(name) == "load_missing_tag"
                      ? saved_model::LoadSavedModel("saved_model", {"train"})
                      : saved_model::LoadSavedModel("no_such_dir", {"serve"});
    std::cout << e["what"].get<std::string>() << ": " << failed.status().ToString() << "\n";
    check.Expect(!failed.ok() && failed.status().message() == e["str"].get<std::string>(),
                 std::string(name) + ": TF's error text", failed.status().ToString());
  }
}

// SavedModelBuilder: {serve, custom_tag} with variables, a vocabulary asset
// and a main op (table init + counter reset), then {train}.
void Builder(Checker& check) {
  const char kScenario[] = "saved_model_builder";
  const auto& scenario = examples::Scenario(kScenario);
  io::Env::Default()->CreateDirRecursively("asset_src").IgnoreError();
  std::ofstream("asset_src/vocab.txt") << "apple\nbanana\ncherry\n";
  Graph g;
  Output x = Placeholder(&g, tensorflow::DT_FLOAT, std::vector<int64_t>{-1, 3}, "x");
  Output words = Placeholder(&g, tensorflow::DT_STRING, std::vector<int64_t>{-1}, "words");
  auto w = MakeVariable(&g, Tensor::FromVector<float>(tensorflow::DT_FLOAT, {3, 2},
                                                      {1.0f, 2.0f, -1.0f, 0.5f, 0.25f, -0.25f}),
                        "W");
  auto b = MakeVariable(&g, Tensor::FromVector<float>(tensorflow::DT_FLOAT, {2}, {10.0f, -10.0f}), "b");
  auto counter = MakeVariable(&g, Tensor::FromVector<int64_t>(tensorflow::DT_INT64, {}, {5}), "counter",
                              /*trainable=*/false);
  Output y = Add(&g, MatMul(&g, x, *w), *b, "y");
  Output asset = StringConstant(&g, {"asset_src/vocab.txt"}, true, "vocab_filename");
  g.AddToCollection("asset_filepaths", CollectionItem::Of(asset));
  TextFileInitializer init;
  init.filename = asset;  // key: the whole line, value: the line number
  auto table = StaticHashTable::Create(&g, init, int64_t{-1}, "vocab_table");
  Output ids = Identity(&g, *table->Lookup(words), "ids");
  Output count = Identity(&g, *counter, "count");
  Operation tables = TablesInitializer(&g);  // created first, as Python evaluates tf.group's arguments
  Output reset = Assign(&g, counter->ref(), int64_t{100}, std::nullopt);
  Operation main_op = Group(&g, {tables, Operation{&g, reset.op}}, "main_op");
  check.ExpectOk(g.status(), "graph: y = x @ W + b, ids = vocab_table.lookup(words), count");
  auto predict = saved_model::PredictSignatureDef({{"x", x}, {"words", words}},
                                                  {{"y", y}, {"ids", ids}, {"count", count}});
  auto train_predict = saved_model::PredictSignatureDef({{"x", x}}, {{"y", y}});
  ClientSession sess(&g);
  check.ExpectOk(sess.Run({GlobalVariablesInitializer(&g)}), "initialise");

  std::vector<Output> assets;  // the Const, and again from TextFileInitializer
  for (const CollectionItem& item : g.GetCollection("asset_filepaths")) assets.push_back(*g.GetTensorByName(item.text));
  auto builder = saved_model::SavedModelBuilder::Create(nullptr, "saved_model");
  check.ExpectOk(builder.status(), "builder = SavedModelBuilder('saved_model')");
  if (!builder.ok()) return;
  check.ExpectOk((*builder)->AddMetaGraphAndVariables(&sess, &g, {"serve", "custom_tag"},
                                                      {{"predict", predict}, {"serving_default", predict}},
                                                      assets, main_op, false, /*strip_default_attrs=*/true),
                 "add_meta_graph_and_variables(['serve', 'custom_tag'], predict, assets, main_op)");
  check.ExpectOk((*builder)->AddMetaGraph(&g, {"train"}, {{"train_predict", train_predict}}, {},
                                          std::nullopt, false, /*strip_default_attrs=*/true),
                 "add_meta_graph(['train'], train_predict)");
  auto written = (*builder)->Save();
  check.Expect(written.ok() && *written == scenario["notes"]["builder_save_returned"].get<std::string>(),
               "builder.save() wrote " + scenario["notes"]["builder_save_returned"].get<std::string>());
  for (const char* f : {"saved_model.pb", "variables/variables.index", "variables/variables.data-00000-of-00001",
                        "assets/vocab.txt"}) {
    check.Expect(SameFile(std::string("saved_model/") + f, kScenario, std::string("saved_model/") + f),
                 std::string(f) + " is byte-identical to TF's");
  }

  // Serving: the tag set selects the MetaGraph; loading runs the main op.
  auto bundle = saved_model::LoadSavedModel("saved_model", {"serve", "custom_tag"});
  check.ExpectOk(bundle.status(), "loader.load(sess, ['serve', 'custom_tag'], 'saved_model')");
  if (!bundle.ok()) return;
  for (const auto& line : (*bundle)->log()) std::cout << "  load: " << line << "\n";
  const auto& run = examples::Record(scenario["runs"], "load_serve_custom_tag_predict");
  auto out = saved_model::RunSignature(**bundle, "predict",
                                       {{"x", examples::FromRecord(examples::Record(run["inputs"], "x:0"))},
                                        {"words", examples::FromRecord(examples::Record(run["inputs"], "words:0"))}});
  check.ExpectOk(out.status(), "run signature predict");
  if (out.ok()) {
    bool same = true;
    for (const char* k : {"y", "ids", "count"}) {
      std::cout << "predict " << k << " = " << examples::Show(out->at(k)) << "\n";
      same = same && examples::SameAsTensorFlow(out->at(k), examples::Record(run["outputs"], std::string(k) + ":0"));
    }
    check.Expect(same, "y, ids (apple=0 banana=1 cherry=2 unknown=-1) and count=100 are TF's");
  }
  auto train = saved_model::LoadSavedModel("saved_model", {"train"});
  const auto& train_run = examples::Record(scenario["runs"], "load_train");
  auto y_train = train.ok() ? saved_model::RunTensors(**train, {{"x:0", examples::FromRecord(train_run["inputs"][0])}},
                                                       {"y:0"})
                            : StatusOr<std::vector<Tensor>>(train.status());
  check.Expect(y_train.ok() && examples::SameAsTensorFlow((*y_train)[0], examples::Record(train_run["outputs"], "y:0")),
               "loader.load(['train']) and run y:0 by name: TF's outputs", y_train.status().ToString());
  const auto& e = examples::Record(scenario["errors"], "load_subset_of_tags");
  auto subset = saved_model::LoadSavedModel("saved_model", {"serve"});
  check.Expect(!subset.ok() && subset.status().message() == e["str"].get<std::string>(),
               "load(['serve']) when the tag set is {serve, custom_tag}: TF's error text",
               subset.status().ToString());
}

}  // namespace

int main() {
  Checker check;
  examples::EnterWorkDir("saved_model_simple_save");
  SimpleSave(check);
  examples::EnterWorkDir("saved_model_builder");
  Builder(check);
  return check.Finish();
}
