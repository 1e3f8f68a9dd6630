// Tutorial: ExponentialMovingAverage -- maintain shadow variables, save
// them, and restore the averages into the model's variables for
// evaluation. Replays golden/generate/gen_ema.py:
//
//   v = tf.compat.v1.Variable(0.0, name="v")
//   ema = tf.compat.v1.train.ExponentialMovingAverage(0.99)
//   maintain = ema.apply([v])
//   sess.run(v.assign(10.0)); sess.run(maintain)   # shadow: 0.099999905
//   saver.save(sess, "model.ckpt")
//   tf.compat.v1.train.Saver(ema.variables_to_restore()).restore(...)
#include <iostream>

#include "examples/example_util.h"
#include "src/train/ema.h"
#include "src/train/ops.h"
#include "src/train/saver.h"
#include "src/train/client_session.h"
#include "src/train/variables.h"

using namespace tfckpt;         // NOLINT
using namespace tfckpt::train;  // NOLINT
using examples::Checker;
using tensor::Tensor;

int main() {
  Checker check;
  const auto& scenario = examples::Scenario("ema");
  examples::EnterWorkDir("ema");
  const Tensor zero = Tensor::FromVector<float>(tensorflow::DT_FLOAT, {}, {0.0f});
  {
    Graph g;
    Variable v = *MakeVariable(&g, zero, "v");
    ExponentialMovingAverage ema(&g, 0.99);
    Operation maintain = *ema.Apply(std::vector<Averageable>{v});
    Variable shadow = *ema.Average(v);
    std::cout << "average_name(v) = " << ema.AverageName(v) << ", shadow " << shadow.name() << "\n";
    check.Expect(ema.AverageName(v) == scenario["notes"]["average_name"],
                 "the shadow is v/ExponentialMovingAverage");
    Output assign = v.Assign(10.0f);
    auto saver = Saver::Create(&g);
    ClientSession sess(&g);
    check.ExpectOk(sess.Run({GlobalVariablesInitializer(&g)}), "initialise (shadow = v = 0)");
    check.ExpectOk(sess.Run({assign}), "v.assign(10.0)");
    check.ExpectOk(sess.Run({maintain}), "one ema.apply update");
    const auto& after = examples::Record(scenario["runs"], "after_one_update");
    auto t = sess.Eval(shadow);
    std::cout << "shadow after one update: " << examples::Show(*t) << "\n";
    check.Expect(examples::SameAsTensorFlow(*t, examples::Record(after["outputs"], shadow.name())),
                 "shadow == 0.99*0 + 0.01*10 in float32, bit-exact (0.09999990463256836)");
    check.ExpectOk((*saver)->Save(&sess, "model.ckpt").status(), "save");
    check.Expect(examples::ReadFile("model.ckpt.data-00000-of-00001") ==
                         examples::ReadFile(examples::GoldenFile("ema", "model.ckpt.data-00000-of-00001")) &&
                     examples::ReadFile("model.ckpt.index") ==
                         examples::ReadFile(examples::GoldenFile("ema", "model.ckpt.index")),
                 "the checkpoint is TF's, byte for byte");
  }
  // Evaluation graph: only v; the averages are restored into it.
  Graph g;
  Variable v = *MakeVariable(&g, zero, "v");
  ExponentialMovingAverage ema(&g, 0.99);
  SaverOptions so;
  so.var_dict = ema.VariablesToRestore();
  for (const auto& [key, var] : *so.var_dict) std::cout << "restore " << key << " -> " << var.name() << "\n";
  ClientSession sess(&g);
  check.ExpectOk((*Saver::Create(&g, so))->Restore(&sess, "model.ckpt"),
                 "Saver(ema.variables_to_restore()).restore");
  auto t = sess.Eval(v);
  const auto& run = examples::Record(scenario["runs"], "restore_variables_to_restore");
  check.Expect(examples::SameAsTensorFlow(*t, examples::Record(run["outputs"], "v:0")),
               "v holds the moving average");
  return check.Finish();
}
