// UnlistableEnv: a MemEnv in which one directory exists but cannot be
// listed (GetChildren fails with PERMISSION_DENIED, as opendir on a mode-000
// directory), for tests proving that a lookup which could not see a
// directory's entries reports that I/O error, never NOT_FOUND
// (src/path/model_path_test.cc, src/check/validator_test.cc).
#ifndef TFCKPT_TESTING_UNLISTABLE_ENV_H_
#define TFCKPT_TESTING_UNLISTABLE_ENV_H_

#include <string>
#include <utility>
#include <vector>

#include "src/io/mem_env.h"
#include "src/io/status.h"

namespace tfckpt::testing {

class UnlistableEnv : public io::MemEnv {
 public:
  explicit UnlistableEnv(std::string locked) : locked_(std::move(locked)) {}

  StatusOr<std::vector<std::string>> GetChildren(const std::string& dir) override {
    if (dir == locked_) return PermissionDeniedError(locked_ + ": Permission denied");
    return io::MemEnv::GetChildren(dir);
  }

 private:
  const std::string locked_;
};

}  // namespace tfckpt::testing

#endif  // TFCKPT_TESTING_UNLISTABLE_ENV_H_
