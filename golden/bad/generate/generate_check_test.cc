// Regenerating golden/bad/ gives exactly the committed files: the corpus is
// deterministic and nobody edited a file, EXPECTED.json or README.md by hand.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "gtest/gtest.h"
#include "golden/bad/generate/generate.h"
#include "src/testing/runfiles.h"

namespace tfckpt::badcorpus {
namespace {

namespace fs = std::filesystem;

using ::tfckpt::testing::Runfile;

std::string Read(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Every regular file under `root` (following symlinks: runfiles are links),
// relative path -> contents.
std::map<std::string, std::string> Files(const fs::path& root) {
  std::map<std::string, std::string> out;
  for (auto it = fs::recursive_directory_iterator(
           root, fs::directory_options::follow_directory_symlink);
       it != fs::recursive_directory_iterator(); ++it) {
    if (fs::is_regular_file(it->path())) {
      out[it->path().lexically_relative(root).string()] = Read(it->path());
    }
  }
  return out;
}

TEST(GenerateCheck, RegeneratedCorpusIsByteIdentical) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  ASSERT_NE(tmp, nullptr);
  const fs::path out = fs::path(tmp) / "bad";
  auto cases = GenerateAll(Runfile("golden/tf-2.21"), out.string());
  ASSERT_TRUE(cases.ok()) << cases.status().ToString();
  EXPECT_GE(cases->size(), 30u);

  auto fresh = Files(out);
  auto committed = Files(Runfile("golden/bad"));
  committed.erase("BUILD");
  for (auto it = committed.begin(); it != committed.end();) {
    // The test's own runfiles (generate/ is another package) are not corpus.
    it = it->first.rfind("generate/", 0) == 0 ? committed.erase(it) : std::next(it);
  }
  for (const auto& [path, bytes] : fresh) {
    auto c = committed.find(path);
    if (c == committed.end()) {
      ADD_FAILURE() << path << " is generated but not committed (run bazel run //golden/bad/generate)";
    } else {
      EXPECT_TRUE(c->second == bytes) << path << " differs from the generator's output";
    }
  }
  for (const auto& [path, bytes] : committed) {
    EXPECT_TRUE(fresh.count(path)) << path << " is committed but no longer generated";
  }
}

}  // namespace
}  // namespace tfckpt::badcorpus
