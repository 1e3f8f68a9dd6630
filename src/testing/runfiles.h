// Paths for tests run by Bazel: a data file of the workspace (Runfile) and
// a fresh scratch directory (TempDir), so each test does not carry its own
// copy of the TEST_SRCDIR / TEST_TMPDIR conventions.
#ifndef TFCKPT_TESTING_RUNFILES_H_
#define TFCKPT_TESTING_RUNFILES_H_

#include <string>

namespace tfckpt::testing {

// $TEST_SRCDIR/tfckpt/<rel> (./tfckpt/<rel> outside Bazel): a file of the
// test's `data`, e.g. Runfile("golden/MANIFEST.json").
std::string Runfile(const std::string& rel);

// $TEST_TMPDIR/<name> (/tmp/<name> outside Bazel), created with its parents
// (a failure to create it fails the test); existing contents are kept.
std::string TempDir(const std::string& name);

}  // namespace tfckpt::testing

#endif  // TFCKPT_TESTING_RUNFILES_H_
