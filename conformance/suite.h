// The conformance suite: test cases derived from the files TensorFlow wrote
// (golden/MANIFEST.json and golden/tf-2.21/) and from the defective-file
// catalogue (golden/bad/EXPECTED.json). No expected value is written here by
// hand: tensors, bytes and checkpoint states come from TensorFlow's files
// and records, defect classes from the catalogue (docs/CONFORMANCE.md §3).
//
// Names are "<Level>.<Kind>.<what>", e.g. "Required.Read.V2.dtypes/dtypes",
// "Required.Reject.data_byte_flip", "Recommended.WriteBytes.V2.sharded/..".
// Each case belongs to one profile (protocol.h kProfiles).
#ifndef TFCKPT_CONFORMANCE_SUITE_H_
#define TFCKPT_CONFORMANCE_SUITE_H_

#include <functional>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "src/io/env.h"
#include "src/io/status.h"

namespace tfckpt::conformance {

enum class Level { kRequired, kRecommended };
// "required" / "recommended", as reports print it.
inline const char* LevelName(Level l) {
  return l == Level::kRequired ? "required" : "recommended";
}

struct TestCase {
  std::string name;
  Level level = Level::kRequired;
  nlohmann::json request;
  // Judges a response that is not {"skipped"}: "" if it passes, otherwise
  // one line saying what was wrong (may inspect files the testee wrote).
  // Read and Write cases also list every difference in *differences
  // (tensor_diff.h); the line then summarizes them.
  std::function<std::string(const nlohmann::json& response,
                            std::vector<nlohmann::json>* differences)>
      check;
  // The docs/spec/ clause IDs the case tests (conformance/case_clauses.h).
  std::vector<std::string> clauses;
  std::string profile;  // "read-v2", ... (protocol.h kProfiles)
  // For a case on a defective file: the Read case of the TF checkpoint it
  // was made from (golden/bad/EXPECTED.json "source"), or "". A rejection
  // by a testee that also fails that read proves little ("suspect").
  std::string source_case;
};

struct SuiteOptions {
  // Holds MANIFEST.json, the scenario directory it names (tf-2.21/) and bad/.
  // Made absolute: requests carry absolute paths.
  std::string golden_dir;
  // Write cases put the testee's output under here (must exist; made absolute).
  std::string work_dir;
};

// Every case, in a stable order. Errors: the golden directory or one of its
// catalogues is missing or malformed (the message names the file).
StatusOr<std::vector<TestCase>> BuildSuite(io::Env* env, const SuiteOptions& options);

}  // namespace tfckpt::conformance

#endif  // TFCKPT_CONFORMANCE_SUITE_H_
