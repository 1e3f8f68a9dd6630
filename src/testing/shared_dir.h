// Locates the project's shared/ directory (a sibling of the repository
// checkout, holding tf-golden/, spec/...) from inside a Bazel test, where the
// working directory is the runfiles tree rather than the source tree.
//
// Lookup order:
//  1. $TFCKPT_SHARED_DIR, if set (and a directory).
//  2. The real path of `anchor`, a runfile the test lists in `data` (e.g.
//     "src/table/BUILD", relative to the workspace root): runfiles are
//     symlinks into the source tree, so resolving one gives the checkout;
//     shared/ is <checkout>/../shared.
//  3. $BUILD_WORKSPACE_DIRECTORY/../shared (set under `bazel run`).
// Returns nullopt when none exists; tests then GTEST_SKIP().
#ifndef TFCKPT_TESTING_SHARED_DIR_H_
#define TFCKPT_TESTING_SHARED_DIR_H_

#include <optional>
#include <string>
#include <string_view>

namespace tfckpt::testing {

std::optional<std::string> FindSharedDir(std::string_view anchor);

// FindSharedDir(anchor) + "/" + relative, if that path exists.
std::optional<std::string> FindSharedPath(std::string_view anchor,
                                          std::string_view relative);

}  // namespace tfckpt::testing

#endif  // TFCKPT_TESTING_SHARED_DIR_H_
