// The specification clauses (docs/spec/) that each kind of conformance case
// tests, so that every case names them: `tfckpt conform --list` prints them
// and docs/spec/coverage.md (conformance/coverage/) tabulates them.
//
// Checkpoint cases derive their clauses from the golden's MANIFEST.json
// record (format, dtypes, object-graph keys: what TensorFlow reads) and from
// the file's layout as the library reads it (snappy blocks, big-endian,
// partitioned entries), so a new golden is traced without editing this
// file; bad-file cases take theirs from golden/bad/EXPECTED.json ("clauses").
#ifndef TFCKPT_CONFORMANCE_CASE_CLAUSES_H_
#define TFCKPT_CONFORMANCE_CASE_CLAUSES_H_

#include <string>
#include <vector>

#include "conformance/checkpoint_tensors.h"
#include "nlohmann/json.hpp"

namespace tfckpt::conformance {

// `checkpoint` is one element of a MANIFEST scenario's "checkpoints";
// `layout` is ReadCheckpointLayout of its files.
// Required.Read: a reader reads every tensor of TensorFlow's file.
std::vector<std::string> ReadClauses(const nlohmann::json& checkpoint,
                                     const CheckpointLayout& layout);
// Required.Validate.Clean: a validator accepts TensorFlow's (conforming) file.
std::vector<std::string> CleanClauses(const nlohmann::json& checkpoint,
                                      const CheckpointLayout& layout);
// Required.Write: a writer produces a conforming file holding the tensors.
std::vector<std::string> WriteClauses(const nlohmann::json& checkpoint,
                                      const CheckpointLayout& layout);
// Recommended.WriteBytes: a writer reproduces TensorFlow's bytes.
std::vector<std::string> WriteBytesClauses(const nlohmann::json& checkpoint,
                                           const CheckpointLayout& layout);
// Required.State: reading a `checkpoint` state file.
std::vector<std::string> StateClauses();
// Reject / Validate / ValidateCode of a golden/bad entry: its "clauses".
std::vector<std::string> BadFileClauses(const nlohmann::json& bad_case);

}  // namespace tfckpt::conformance

#endif  // TFCKPT_CONFORMANCE_CASE_CLAUSES_H_
