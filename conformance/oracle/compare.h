// Reads a checkpoint with tfckpt (BundleReader for V2, TensorSliceReader for
// V1) and compares it with expected tensor records: every listed key read
// whole, the key set, and every "restores" region. Used by read_compare (TF
// wrote the checkpoint) and corpus_roundtrip_test (tfckpt wrote it).
#ifndef TFCKPT_CONFORMANCE_ORACLE_COMPARE_H_
#define TFCKPT_CONFORMANCE_ORACLE_COMPARE_H_

#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace tfckpt::conformance {

struct CompareReport {
  int ok = 0;
  std::vector<std::string> lines;       // "ok       <what>" / "MISMATCH <what>: <why>"
  std::vector<std::string> mismatches;  // the MISMATCH lines
};

// `expected`: {"format": "V2" | "V1", "tensors": [<tensor record>],
// "restores": [{"key", "shape_and_slice", "expected"}]}. Without "format",
// a write_corpus case object ("kind": "v1" means V1) is accepted as is.
CompareReport CompareCheckpoint(const std::string& prefix, const nlohmann::json& expected);

}  // namespace tfckpt::conformance

#endif  // TFCKPT_CONFORMANCE_ORACLE_COMPARE_H_
