// Validation of one V2 bundle (index + data shards), reporting every defect.
// Internal to the validator; exposed for its tests.
#ifndef TFCKPT_CHECK_BUNDLE_CHECK_H_
#define TFCKPT_CHECK_BUNDLE_CHECK_H_

#include <string>

#include "src/bundle/bundle_error.h"
#include "src/check/validator.h"

namespace tfckpt::check {

// Appends the defects of the bundle at `prefix` to `report`.
void CheckBundle(io::Env* env, const std::string& prefix, const ValidateOptions& options,
                 Report* report);

// The defect code for a reader error.
DefectCode CodeFor(const bundle::BundleError& error);
DefectCode CodeFor(const table::TableError& error);

}  // namespace tfckpt::check

#endif  // TFCKPT_CHECK_BUNDLE_CHECK_H_
