// Validation of a V1 (TensorSlice) checkpoint file or shard pattern.
// Internal to the validator; exposed for its tests.
#ifndef TFCKPT_CHECK_SLICES_CHECK_H_
#define TFCKPT_CHECK_SLICES_CHECK_H_

#include <string>

#include "src/check/validator.h"
#include "src/checkpoint_v1/slice_error.h"

namespace tfckpt::check {

// Appends the defects of the V1 checkpoint `pattern` to `report`. The V1
// reader stops at the first defect of a file's structure, so a damaged V1
// file reports one structural defect (then, if it opens, every tensor whose
// slices leave gaps).
void CheckSlices(io::Env* env, const std::string& pattern, const ValidateOptions& options,
                 Report* report);

DefectCode CodeFor(const checkpoint_v1::SliceError& error);

}  // namespace tfckpt::check

#endif  // TFCKPT_CHECK_SLICES_CHECK_H_
