// Tutorial: checkpoint keys that differ from variable names -- a Saver
// with a dict (rename map) and a partial restore (a Saver over a subset).
// Replays golden/generate/gen_saver.py's rename_map and partial_restore.
#include <iostream>

#include "examples/example_util.h"
#include "src/train/ops.h"
#include "src/train/saver.h"
#include "src/train/client_session.h"
#include "src/train/variables.h"

using namespace tfckpt;         // NOLINT
using namespace tfckpt::train;  // NOLINT
using examples::Checker;
using tensor::Tensor;

Tensor F(std::vector<int64_t> dims, std::vector<float> v) {
  return Tensor::FromVector<float>(tensorflow::DT_FLOAT, *tensor::TensorShape::Make(dims), v);
}

int main() {
  Checker check;
  examples::EnterWorkDir("rename_map");
  {
    // Saver({"v1": other_v1, "v2": other_v2}): graph variables saved under other keys.
    Graph g;
    Variable o1 = *MakeVariable(&g, F({2}, {1, 2}), "other_v1");
    Variable o2 = *MakeVariable(&g, F({1, 3}, {3, 4, 5}), "other_v2");
    SaverOptions so;
    so.var_dict = std::map<std::string, Variable>{{"v1", o1}, {"v2", o2}};
    auto saver = Saver::Create(&g, so);
    ClientSession sess(&g);
    check.ExpectOk(sess.Run({GlobalVariablesInitializer(&g)}), "initialise");
    check.ExpectOk((*saver)->Save(&sess, "model.ckpt").status(), "save under keys v1, v2");
    for (const char* f : {"model.ckpt.index", "model.ckpt.data-00000-of-00001", "model.ckpt.meta"}) {
      check.Expect(examples::ReadFile(f) == examples::ReadFile(examples::GoldenFile("rename_map", f)),
                   std::string(f) + " is TF's");
    }
  }
  {
    // Restore into differently named variables through a rename map.
    Graph g;
    Variable w1 = *MakeVariable(&g, Zeros(&g, {2}, tensorflow::DT_FLOAT), VariableOptions{"w1"});
    Variable w2 = *MakeVariable(&g, Zeros(&g, {1, 3}, tensorflow::DT_FLOAT), VariableOptions{"w2"});
    SaverOptions so;
    so.var_dict = std::map<std::string, Variable>{{"v1", w1}, {"v2", w2}};
    ClientSession sess(&g);
    check.ExpectOk((*Saver::Create(&g, so))->Restore(&sess, "model.ckpt"), "restore v1->w1, v2->w2");
    const auto& run = examples::Record(examples::Scenario("rename_map")["runs"], "restore_renamed");
    for (const Variable& v : {w1, w2}) {
      auto t = sess.Eval(v);
      std::cout << v.name() << " = " << examples::Show(*t) << "\n";
      check.Expect(examples::SameAsTensorFlow(*t, examples::Record(run["outputs"], v.name())),
                   v.name() + " as TF restored it");
    }
  }
  {
    // A default Saver over other_v1/other_v2 looks for keys that are not there.
    Graph g;
    MakeVariable(&g, Zeros(&g, {2}, tensorflow::DT_FLOAT), VariableOptions{"other_v1"}).status().IgnoreError();
    MakeVariable(&g, Zeros(&g, {1, 3}, tensorflow::DT_FLOAT), VariableOptions{"other_v2"}).status().IgnoreError();
    ClientSession sess(&g);
    Status s = (*Saver::Create(&g))->Restore(&sess, "model.ckpt");
    std::cout << "default Saver: " << s.ToString() << "\n";
    const auto& e = examples::Record(examples::Scenario("rename_map")["errors"], "restore_original_names");
    check.Expect(s.message() == examples::WithoutTraceback(e["message"]),
                 "TF's NotFoundError text (without TF's Python traceback)");
  }
  // Partial restore: Saver(var_list=[v1]) restores only v1.
  Graph g;
  Variable a = *MakeVariable(&g, F({2}, {0, 0}), "v1");
  Variable b = *MakeVariable(&g, F({1, 2}, {-1, -1}), "v2");
  ClientSession sess(&g);
  check.ExpectOk(sess.Run({GlobalVariablesInitializer(&g)}), "initialise v1=[0,0], v2=[[-1,-1]]");
  SaverOptions only_v1;
  only_v1.var_list = std::vector<Variable>{a};
  check.ExpectOk((*Saver::Create(&g, only_v1))->Restore(&sess, examples::GoldenFile("partial_restore", "full.ckpt")),
                 "Saver(var_list=[v1]).restore(TF's full.ckpt)");
  const auto& run = examples::Record(examples::Scenario("partial_restore")["runs"], "restore_var_list_v1");
  for (const Variable& v : {a, b}) {
    auto t = sess.Eval(v);
    std::cout << v.name() << " = " << examples::Show(*t) << "\n";
    check.Expect(examples::SameAsTensorFlow(*t, examples::Record(run["outputs"], v.name())),
                 v.name() + (v == a ? " restored" : " untouched"));
  }
  const std::string partial = examples::GoldenFile("partial_restore", "partial.ckpt");
  SaverOptions dict;
  dict.var_dict = std::map<std::string, Variable>{{"v1", a}};
  check.ExpectOk((*Saver::Create(&g, dict))->Restore(&sess, partial),
                 "Saver({'v1': v1}).restore(TF's partial.ckpt)");
  // The graph's third Saver ("save_2") wants v2, which partial.ckpt lacks.
  Status missing = (*Saver::Create(&g))->Restore(&sess, partial);
  std::cout << "Saver().restore(partial.ckpt): " << missing.ToString() << "\n";
  const auto& e = examples::Record(examples::Scenario("partial_restore")["errors"], "restore_missing_key");
  check.Expect(missing.message() == examples::WithoutTraceback(e["message"]),
               "TF's NotFoundError text (without TF's Python traceback)", missing.message());
  return check.Finish();
}
