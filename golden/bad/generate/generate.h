// The generator of golden/bad/: broken checkpoints, each with the defect
// code(s) `tfckpt validate` must report (golden/bad/README.md).
//
// Every file is derived deterministically from TensorFlow-written goldens
// (golden/tf-2.21/...) or built by hand with the project's table writer, so
// regenerating gives byte-identical output (checked by
// //golden/bad/generate:generate_check_test).
#ifndef TFCKPT_GOLDEN_BAD_GENERATE_GENERATE_H_
#define TFCKPT_GOLDEN_BAD_GENERATE_GENERATE_H_

#include <string>
#include <vector>

#include "src/io/status.h"

namespace tfckpt::badcorpus {

struct BadCase {
  std::string name;      // directory under golden/bad/
  std::string validate;  // path given to the validator, relative to golden/bad/
  std::string broken;    // what is wrong
  std::string how;       // how it was made (source + manipulation)
  std::vector<std::string> expect;  // DefectCodeName()s; any one must be reported
  // The TF golden it was made from (relative to golden/tf-2.21), "" if none:
  // `tfckpt conform` marks a rejection suspect when the testee cannot read it.
  std::string source;
};

// Writes every case directory, EXPECTED.json and README.md into `out_dir`
// (existing case directories are replaced; other files are left alone),
// reading TF goldens from `golden_dir` (golden/tf-2.21). Returns the cases.
StatusOr<std::vector<BadCase>> GenerateAll(const std::string& golden_dir,
                                           const std::string& out_dir);

}  // namespace tfckpt::badcorpus

#endif  // TFCKPT_GOLDEN_BAD_GENERATE_GENERATE_H_
