#include "src/testing/shared_dir.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace tfckpt::testing {
namespace {

namespace fs = std::filesystem;

bool IsDir(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

// Candidate locations of `anchor` inside the runfiles tree.
std::optional<fs::path> FindRunfile(const fs::path& anchor) {
  std::error_code ec;
  if (fs::exists(anchor, ec)) return anchor;  // cwd is the runfiles root
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  if (srcdir != nullptr) {
    const fs::path base(srcdir);
    const fs::path p = workspace != nullptr ? base / workspace / anchor
                                            : base / "tfckpt" / anchor;
    if (fs::exists(p, ec)) return p;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> FindSharedDir(std::string_view anchor) {
  if (const char* env = std::getenv("TFCKPT_SHARED_DIR");
      env != nullptr && *env != '\0') {
    if (IsDir(env)) return std::string(env);
    return std::nullopt;  // an explicit setting wins, even if wrong
  }
  const fs::path anchor_path(anchor);
  if (auto runfile = FindRunfile(anchor_path)) {
    std::error_code ec;
    fs::path real = fs::canonical(*runfile, ec);
    if (!ec) {
      // Climb one level per component of the anchor to reach the checkout.
      fs::path root = real;
      for (auto it = anchor_path.begin(); it != anchor_path.end(); ++it) {
        root = root.parent_path();
      }
      const fs::path shared = root.parent_path() / "shared";
      if (IsDir(shared)) return shared.string();
    }
  }
  if (const char* ws = std::getenv("BUILD_WORKSPACE_DIRECTORY");
      ws != nullptr && *ws != '\0') {
    const fs::path shared = fs::path(ws).parent_path() / "shared";
    if (IsDir(shared)) return shared.string();
  }
  return std::nullopt;
}

std::optional<std::string> FindSharedPath(std::string_view anchor,
                                          std::string_view relative) {
  auto dir = FindSharedDir(anchor);
  if (!dir) return std::nullopt;
  const fs::path p = fs::path(*dir) / fs::path(relative);
  std::error_code ec;
  if (!fs::exists(p, ec)) return std::nullopt;
  return p.string();
}

}  // namespace tfckpt::testing
