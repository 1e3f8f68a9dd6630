// The load cases of the conformance suite (profile load-model): models
// TensorFlow wrote (golden/tf-*/) loaded through protocol.h's load_model --
// imported, restored by their Saver, initialized -- then saved again by the
// same Saver, or imported with a return tensor TF could not find. Expected
// values are TensorFlow's: the saved tensors must equal the checkpoint TF
// recorded in MANIFEST.json (raw_sha256), and a refusal is expected where
// TF's own import failed (the scenario's "errors" record). Nothing expected
// is written here by hand.
//
//   Required.LoadSave.<scenario>/<dir>         a SavedModel loaded with its
//       first tag set (TF1 load order: assets, restore, init op), then its
//       Saver saves: = variables/ (SMODEL-3.3, META-2.2)
//   Required.LoadSave.<scenario>/<x>.meta      a .meta restored from the
//       checkpoint <x> by its saver_def, then saved: = <x> (META-2.1, META-2.2;
//       META-3.3 and BASE-4.3 for files whose maps TF serialized in hash
//       order: ema's, and every TF 1.15 file flagged "deterministic": false)
//   Required.InitSave.<scenario>/<x>.meta      a .meta whose variables are
//       initialized (not restored), then saved: = <x>, for the scenarios TF
//       saved right after global_variables_initializer with constant
//       initializers stored as one value for many elements (META-4.2)
//   Required.ImportMissing.<scenario>/<file>   a frozen graph imported with
//       a return tensor it lacks: refused, the message naming it (FROZEN-2.4)
//   Required.LoadRefused.<bad>                 a golden/bad SavedModel whose
//       names do not resolve: loading is refused (SMODEL-3.2)
#ifndef TFCKPT_CONFORMANCE_SUITE_LOAD_H_
#define TFCKPT_CONFORMANCE_SUITE_LOAD_H_

#include <string>
#include <vector>

#include "conformance/suite.h"
#include "nlohmann/json.hpp"
#include "src/io/env.h"

namespace tfckpt::conformance {

struct LoadCaseContext {
  io::Env* env = nullptr;
  std::string work_dir;  // save_to prefixes go in fresh directories under it
  int* counter = nullptr;  // numbers those directories
};

// Appends the load cases of MANIFEST scenario `scenario` (files in `dir`,
// case names prefixed by `label`, e.g. "tf-1.15/") to *out.
Status AddLoadCases(const LoadCaseContext& ctx, const nlohmann::json& scenario,
                    const std::string& dir, const std::string& label,
                    std::vector<TestCase>* out);

// Appends Required.LoadRefused for golden/bad entry `bad_case` (a SavedModel
// at `path`) when its clauses include SMODEL-3.2.
void AddLoadRefusedCase(const nlohmann::json& bad_case, const std::string& path,
                        std::vector<TestCase>* out);

}  // namespace tfckpt::conformance

#endif  // TFCKPT_CONFORMANCE_SUITE_LOAD_H_
