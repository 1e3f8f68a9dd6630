#include "src/testing/shared_dir.h"

#include <cstdlib>
#include <filesystem>

#include "gtest/gtest.h"

namespace tfckpt::testing {
namespace {

TEST(SharedDirTest, FindsSharedBesideCheckoutOrSkips) {
  auto dir = FindSharedDir("src/testing/BUILD");
  if (!dir) GTEST_SKIP() << "../shared not present";
  EXPECT_TRUE(std::filesystem::is_directory(*dir));
  EXPECT_EQ(std::filesystem::path(*dir).filename(), "shared");
}

TEST(SharedDirTest, EnvOverrideWins) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  ASSERT_NE(tmp, nullptr);
  ::setenv("TFCKPT_SHARED_DIR", tmp, 1);
  EXPECT_EQ(FindSharedDir("src/testing/BUILD"), std::string(tmp));
  ::setenv("TFCKPT_SHARED_DIR", "/nonexistent/dir", 1);
  EXPECT_EQ(FindSharedDir("src/testing/BUILD"), std::nullopt);
  ::unsetenv("TFCKPT_SHARED_DIR");
}

TEST(SharedDirTest, MissingAnchorAndNoEnvGivesNullopt) {
  ::unsetenv("TFCKPT_SHARED_DIR");
  ::unsetenv("BUILD_WORKSPACE_DIRECTORY");
  EXPECT_EQ(FindSharedDir("no/such/anchor"), std::nullopt);
}

}  // namespace
}  // namespace tfckpt::testing
