// The conformance runner behind `tfckpt conform` (docs/CONFORMANCE.md):
// runs every case of suite.h against a testee program (testee_process.h)
// and compares the failures with the testee's failure list, as protobuf's
// conformance runner does. A testee conforms when the set of failing cases
// is exactly its failure list: a listed case that passes is also an error,
// so lists cannot go stale.
#ifndef TFCKPT_CONFORMANCE_RUNNER_H_
#define TFCKPT_CONFORMANCE_RUNNER_H_

#include <functional>
#include <string>
#include <vector>

#include "conformance/suite.h"
#include "nlohmann/json.hpp"
#include "src/io/env.h"
#include "src/io/status.h"

namespace tfckpt::conformance {

struct RunOptions {
  std::vector<std::string> testee;  // argv
  std::string golden_dir;           // SuiteOptions::golden_dir
  std::string failure_list;         // file of expected failures; "" = none
  std::string filter;               // run only cases whose name contains this
  int timeout_seconds = 60;         // per request
  // Scratch space for written checkpoints and the testee's stderr log; a
  // fresh temp directory when empty, removed after a conformant run unless
  // keep_work (kept after any other run, for inspection).
  std::string work_dir;
  bool keep_work = false;
};

enum class Outcome { kPass, kFail, kSkip };

struct CaseResult {
  std::string name;
  Level level = Level::kRequired;
  Outcome outcome = Outcome::kPass;
  std::string detail;    // why it failed / was skipped
  bool listed = false;   // named in the failure list
  std::vector<std::string> clauses;  // docs/spec/ clauses it tests (ListCases only)
};

struct RunReport {
  std::vector<CaseResult> cases;
  int passed = 0, failed = 0, skipped = 0;
  std::vector<std::string> unexpected_failures;  // failed, not listed
  std::vector<std::string> unexpected_passes;    // listed, passed
  std::vector<std::string> unknown_listed;       // listed, no such case
  std::string work_dir;                          // "" once removed
  std::string testee_log;                        // the testee's stderr; "" once removed

  bool conformant() const {
    return unexpected_failures.empty() && unexpected_passes.empty() && unknown_listed.empty();
  }
  nlohmann::json ToJson() const;
};

// Reads a failure list: one case name per line; '#' starts a comment;
// blank lines are ignored. Errors name the file and line (duplicates).
StatusOr<std::vector<std::string>> ReadFailureList(io::Env* env, const std::string& path);

// The cases a run would execute (name and level only), without a testee.
StatusOr<std::vector<CaseResult>> ListCases(io::Env* env, const std::string& golden_dir,
                                           const std::string& filter = "");

// Runs the suite. `on_case` (may be empty) sees each result as it lands.
// Errors are set-up failures only (no golden dir, unreadable failure list,
// a testee that cannot be started); a testee that crashes or hangs fails
// the case at hand and is restarted for the next.
StatusOr<RunReport> RunConformance(io::Env* env, const RunOptions& options,
                                   const std::function<void(const CaseResult&)>& on_case);

}  // namespace tfckpt::conformance

#endif  // TFCKPT_CONFORMANCE_RUNNER_H_
