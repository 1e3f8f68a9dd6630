// The conformance runner behind `tfckpt conform` (docs/CONFORMANCE.md):
// greets the testee (protocol.h "hello": which profiles it claims), runs
// every case of suite.h of a claimed profile against it
// (testee_process.h), and compares the failures with the testee's failure
// list, as protobuf's conformance runner does. A testee conforms when it
// claims at least one profile and the set of failing cases is exactly its
// failure list: a listed case that passes is also an error, so lists
// cannot go stale. A Required case of a claimed profile that the testee
// skips fails; cases of unclaimed profiles are not sent.
#ifndef TFCKPT_CONFORMANCE_RUNNER_H_
#define TFCKPT_CONFORMANCE_RUNNER_H_

#include <functional>
#include <string>
#include <vector>

#include "conformance/suite.h"
#include "conformance/testee_process.h"
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
  TesteeLimits limits;
  // Scratch space for written checkpoints and the testee's stderr log
  // (testee.stderr, emptied at the start of every run); a fresh temp
  // directory when empty, removed after a conformant run unless keep_work
  // (kept after any other run, for inspection).
  std::string work_dir;
  bool keep_work = false;
};

// kNotClaimed: the case's profile is not claimed; it was not sent.
enum class Outcome { kPass, kFail, kSkip, kNotClaimed };
const char* OutcomeName(Outcome o);  // "pass", "fail", "skip", "not_claimed"

struct CaseResult {
  std::string name;
  Level level = Level::kRequired;
  std::string profile;
  Outcome outcome = Outcome::kPass;
  std::string detail;         // one line: why it failed / was skipped / what was refused
  nlohmann::json differences = nlohmann::json::array();  // every one (tensor_diff.h)
  std::string error;          // the testee's "error" text, whole, if it refused
  std::string error_class;    // and its "error_class", if any
  bool listed = false;        // named in the failure list
  // A passing case on a defective file whose source checkpoint (TestCase::
  // source_case) this testee failed to read: the refusal proves little.
  bool suspect = false;
  std::string source_case;
  std::vector<std::string> clauses;  // docs/spec/ clauses it tests (ListCases only)
};

// What the testee said in its hello.
struct TesteeInfo {
  std::string name, version;
  std::vector<std::string> profiles;  // claimed, in kProfiles order
  std::string hello_error;            // why the hello failed or claimed nothing; "" if fine
};

struct ProfileSummary {
  std::string profile;
  bool claimed = false;
  int passed = 0, failed = 0, skipped = 0;
  int unexpected = 0;  // unexpected failures + passes
};

struct RunReport {
  TesteeInfo testee;
  std::vector<CaseResult> cases;
  std::vector<ProfileSummary> profiles;  // kProfiles order
  int passed = 0, failed = 0, skipped = 0, not_claimed = 0;
  std::vector<std::string> unexpected_failures;  // failed, not listed
  std::vector<std::string> unexpected_passes;    // listed, passed
  std::vector<std::string> unknown_listed;       // listed, no such case
  std::vector<std::string> listed_not_claimed;   // listed, profile not claimed
  std::vector<std::string> suspect;              // passes that prove little
  // The testee could not be (re)started and answer hello; later cases
  // were not sent and failed. Reported once.
  std::string startup_error;
  std::string work_dir;    // "" once removed
  std::string testee_log;  // the testee's stderr; "" once removed

  bool conformant() const {
    return testee.hello_error.empty() && !testee.profiles.empty() && startup_error.empty() &&
           unexpected_failures.empty() && unexpected_passes.empty() && unknown_listed.empty() &&
           listed_not_claimed.empty();
  }
  // "CONFORMANT for read-v2, write-v2; not claimed: validate" or
  // "NOT CONFORMANT: ..." saying why.
  std::string Verdict() const;
  nlohmann::json ToJson() const;
};

// Reads a failure list: one case name per line; '#' starts a comment;
// blank lines are ignored. Errors name the file and line (duplicates).
StatusOr<std::vector<std::string>> ReadFailureList(io::Env* env, const std::string& path);

// The cases a run would execute (name, level and profile), without a testee.
StatusOr<std::vector<CaseResult>> ListCases(io::Env* env, const std::string& golden_dir,
                                           const std::string& filter = "");

// Runs the suite. `on_case` (may be empty) sees each result as it lands.
// Errors are set-up failures only (no golden dir, unreadable failure list,
// a testee program that cannot be executed); a testee that fails its hello
// is reported in the RunReport (not conformant); one that crashes or hangs
// later fails the case at hand and is restarted for the next.
StatusOr<RunReport> RunConformance(io::Env* env, const RunOptions& options,
                                   const std::function<void(const CaseResult&)>& on_case);

}  // namespace tfckpt::conformance

#endif  // TFCKPT_CONFORMANCE_RUNNER_H_
