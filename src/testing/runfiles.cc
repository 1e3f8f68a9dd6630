#include "src/testing/runfiles.h"

#include <cstdlib>

#include "gtest/gtest.h"
#include "src/io/env.h"

namespace tfckpt::testing {

std::string Runfile(const std::string& rel) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  return std::string(srcdir != nullptr ? srcdir : ".") + "/tfckpt/" + rel;
}

std::string TempDir(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string dir = io::JoinPath(tmp != nullptr ? tmp : "/tmp", name);
  EXPECT_TRUE(io::Env::Default()->CreateDirRecursively(dir).ok()) << dir;
  return dir;
}

}  // namespace tfckpt::testing
