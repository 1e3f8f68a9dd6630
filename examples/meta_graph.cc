// Tutorial: export a meta graph with collections, then rebuild the graph
// from it (import_meta_graph), restore from latest_checkpoint and run it
// without any model code (field binding: examples/field_binding.cc).
// Replays golden/generate/gen_meta_graph.py (meta_graph).
#include <iostream>

#include "examples/example_util.h"
#include "src/train/meta_graph.h"
#include "src/train/ops.h"
#include "src/train/saver.h"
#include "src/train/client_session.h"

using namespace tfckpt;         // NOLINT
using namespace tfckpt::train;  // NOLINT
using examples::Checker;
using tensor::Tensor;

int main() {
  Checker check;
  const auto& scenario = examples::Scenario("meta_graph");
  examples::EnterWorkDir("meta_graph");
  {
    Graph g;
    Output x, y;
    {
      DeviceScope cpu(&g, "/device:CPU:0");
      x = Placeholder(&g, tensorflow::DT_FLOAT, std::vector<int64_t>{-1, 2}, "x");
      VariableScope model(&g, "model");
      GetVariableOptions wo, bo;
      wo.initializer = Constant(&g, Tensor::FromVector<float>(tensorflow::DT_FLOAT, {2, 2}, {1, -2, 0.5f, 3}));
      Variable w = *GetVariable(&g, "w", wo);
      bo.initializer = Constant(&g, Tensor::FromVector<float>(tensorflow::DT_FLOAT, {2}, {0.25f, -0.75f}));
      Variable b = *GetVariable(&g, "b", bo);
      y = Add(&g, MatMul(&g, x, w), b, "y");
      g.AddToCollection("my_custom_collection", CollectionItem::Of(y));
      g.AddToCollection("my_custom_collection", VariableItem(w));
    }
    {
      DeviceScope cpu(&g, "/device:CPU:0");
      VariableOptions step;
      step.name = "step";
      step.trainable = false;
      MakeVariable(&g, Tensor::FromVector<int64_t>(tensorflow::DT_INT64, {}, {42}), step).status().IgnoreError();
    }
    g.AddToCollection("my_custom_collection", CollectionItem::Of(Operation{&g, x.op}));
    for (int64_t i : {int64_t{7}, int64_t{-3}, int64_t{1} << 40}) g.AddToCollection("my_int64s", CollectionItem::Int64(i));
    g.AddToCollection("my_floats", CollectionItem::Float(1.5));
    g.AddToCollection("my_floats", CollectionItem::Float(-0.1));
    g.AddToCollection("my_bytes", CollectionItem::Bytes(std::string("hello\0world", 11)));
    g.AddToCollection("my_bytes", CollectionItem::Bytes("model/y"));
    g.AddToCollection("my_strings", CollectionItem::String("unicod\xc3\xa9"));
    auto saver = Saver::Create(&g);
    ClientSession sess(&g);
    check.ExpectOk(sess.Run({GlobalVariablesInitializer(&g)}), "initialise");
    check.ExpectOk((*saver)->Save(&sess, "model.ckpt").status(), "save model.ckpt (+ .meta)");
    check.Expect(examples::ReadFile("model.ckpt.meta") ==
                     examples::ReadFile(examples::GoldenFile("meta_graph", "model.ckpt.meta")),
                 "model.ckpt.meta (devices, 7 collections) is byte-identical to TF's");
    ExportOptions scoped;
    scoped.filename = "exported_scope_model.meta";
    scoped.export_scope = "model";
    check.ExpectOk(ExportMetaGraph(&g, scoped).status(), "export_meta_graph(export_scope='model')");
    check.Expect(examples::ReadFile("exported_scope_model.meta") ==
                     examples::ReadFile(examples::GoldenFile("meta_graph", "exported_scope_model.meta")),
                 "exported_scope_model.meta is byte-identical to TF's");
  }
  {
    // No model code: everything comes from the meta graph.
    Graph g;
    ImportMetaGraphOptions o;
    o.import_scope = "imported";
    auto imported = ImportMetaGraph(&g, "model.ckpt.meta", o);
    check.ExpectOk(imported.status(), "import_meta_graph('model.ckpt.meta', import_scope='imported')");
    ClientSession sess(&g);
    auto latest = LatestCheckpoint(".");
    check.ExpectOk(imported->saver->Restore(&sess, **latest), "saver.restore(latest_checkpoint('.'))");
    const auto& run = examples::Record(scenario["runs"], "import_meta_graph_import_scope");
    Tensor x = Tensor::FromVector<float>(tensorflow::DT_FLOAT, {2, 2}, {1, 2, -3, 0.5f});
    auto y = sess.Run({{"imported/x:0", x}}, {"imported/model/y:0"});
    std::cout << "imported/model/y:0 = " << examples::Show((*y)[0]) << "\n";
    check.Expect(examples::SameAsTensorFlow((*y)[0], examples::Record(run["outputs"], "imported/model/y:0")),
                 "y = x @ w + b as TF computed it");
    for (const auto& c : g.GetCollection("my_custom_collection")) std::cout << "  my_custom_collection: " << c.ElementName() << "\n";
  }
  return check.Finish();
}
