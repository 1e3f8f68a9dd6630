// Tutorial: save and restore variables with a Saver (TF1 graph mode).
// Replays golden/generate/gen_saver.py's saver_v2_basic:
//
//   tf.compat.v1.set_random_seed(42)
//   v1 = tf.compat.v1.Variable(tf.compat.v1.random_normal([1, 2]), name="v1")
//   v2 = tf.compat.v1.Variable(tf.compat.v1.random_normal([2, 3]), name="v2")
//   saver = tf.compat.v1.train.Saver()
//   sess.run(tf.compat.v1.global_variables_initializer())
//   saver.save(sess, "model.ckpt")
//   ... then a fresh graph with zeros restores TF's model.ckpt.
//
// The random values differ from TF's (the engine's random ops do not
// reproduce TF's Philox streams), so the restore reads TF's own checkpoint:
// its values arrive bit-exact, and saving them again writes TF's bytes.
#include <iostream>

#include "examples/example_util.h"
#include "src/train/ops.h"
#include "src/train/saver.h"
#include "src/train/client_session.h"
#include "src/train/variables.h"

using namespace tfckpt;         // NOLINT
using namespace tfckpt::train;  // NOLINT
using examples::Checker;

int main() {
  Checker check;
  const char* kScenario = "saver_v2_basic";
  const auto& notes = examples::Scenario(kScenario)["notes"];
  examples::EnterWorkDir("save_restore");
  {
    Graph g;
    g.SetRandomSeed(42);
    Variable v1 = *MakeVariable(&g, RandomNormal(&g, {1, 2}), VariableOptions{"v1"});
    Variable v2 = *MakeVariable(&g, RandomNormal(&g, {2, 3}), VariableOptions{"v2"});
    auto saver = Saver::Create(&g);
    ClientSession sess(&g);
    check.ExpectOk(sess.Run({GlobalVariablesInitializer(&g)}), "global_variables_initializer");
    auto path = (*saver)->Save(&sess, "model.ckpt");
    check.ExpectOk(path.status(), "saver.save(sess, 'model.ckpt')");
    std::cout << "saved to " << *path << ", keys:";
    for (const auto& k : (*saver)->keys()) std::cout << " " << k;
    std::cout << "\n";
    check.Expect(*path == notes["save_returned_path"], "save returns 'model.ckpt'");
    check.Expect(examples::ReadFile("checkpoint") == notes["checkpoint_file_text"],
                 "the checkpoint state file is TF's");
    check.Expect(examples::ReadFile("model.ckpt.meta") ==
                     examples::ReadFile(examples::GoldenFile(kScenario, "model.ckpt.meta")),
                 "model.ckpt.meta is byte-identical to TF's (graph, SaverDef, collections)");
    auto latest = LatestCheckpoint(".");
    check.Expect(latest.ok() && latest->has_value() && **latest == notes["latest_checkpoint"],
                 "tf.train.latest_checkpoint('.') == './model.ckpt'");
  }
  // A fresh graph restores TF's checkpoint.
  Graph g;
  Variable v1 = *MakeVariable(&g, Zeros(&g, {1, 2}, tensorflow::DT_FLOAT), VariableOptions{"v1"});
  Variable v2 = *MakeVariable(&g, Zeros(&g, {2, 3}, tensorflow::DT_FLOAT), VariableOptions{"v2"});
  auto saver = Saver::Create(&g);
  ClientSession sess(&g);
  const std::string tf_prefix = examples::GoldenFile(kScenario, "model.ckpt");
  check.ExpectOk((*saver)->Restore(&sess, tf_prefix), "saver.restore(sess, TF's model.ckpt)");
  const auto& restored = examples::Record(examples::Scenario(kScenario)["runs"], "restore");
  for (const Variable& v : {v1, v2}) {
    auto t = sess.Eval(v);
    std::cout << v.name() << " = " << examples::Show(*t) << "\n";
    check.Expect(examples::SameAsTensorFlow(*t, examples::Record(restored["outputs"], v.name())),
                 v.name() + " restored bit-exact");
  }
  check.ExpectOk((*saver)->Save(&sess, "again.ckpt").status(), "save the restored values");
  check.Expect(examples::ReadFile("again.ckpt.index") == examples::ReadFile(tf_prefix + ".index") &&
                   examples::ReadFile("again.ckpt.data-00000-of-00001") ==
                       examples::ReadFile(tf_prefix + ".data-00000-of-00001"),
               "the re-saved checkpoint is byte-identical to TF's");
  return check.Finish();
}
