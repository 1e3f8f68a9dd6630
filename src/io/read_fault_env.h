// ReadFaultEnv: wraps an Env and fails the N-th read, like a disk returning
// EIO, so tests can prove that a read failure is never mistaken for good
// bytes (the validator must report it, never say OK). The write-side twin
// is FaultInjectionEnv (mem_env.h).
//
// Reads are: opening a file for reading, RandomAccessFile::Read and
// ReadRegion, GetFileSize and GetChildren (so Glob). Files opened through
// it expose no MappedData(), so every byte goes through a countable Read.
// Once a read of a path has failed, every later read of that path fails
// too (a bad sector stays bad), so a retry cannot hide the fault.
#ifndef TFCKPT_IO_READ_FAULT_ENV_H_
#define TFCKPT_IO_READ_FAULT_ENV_H_

#include <atomic>
#include <mutex>
#include <set>
#include <string>

#include "src/io/env.h"
#include "src/io/env_wrapper.h"

namespace tfckpt::io {

class ReadFaultEnv : public EnvWrapper {
 public:
  explicit ReadFaultEnv(Env* target) : EnvWrapper(target) {}

  // The `n`-th read from now (0-based) fails with DATA_LOSS; -1 disables.
  void FailRead(int64_t n);
  // Reads seen since construction (to size a sweep).
  int64_t reads() const { return reads_; }
  // Whether a fault has been injected since the last FailRead().
  bool injected() const;
  // "read /x/model.ckpt.index" for the first fault injected since the last
  // FailRead(), else empty.
  std::string fault() const;

  StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override;
  StatusOr<uint64_t> GetFileSize(const std::string& path) override;
  StatusOr<std::vector<std::string>> GetChildren(const std::string& dir) override;

  // Called before every read; non-OK means "inject".
  Status MaybeFail(const char* op, const std::string& path);

 private:
  mutable std::mutex mu_;
  int64_t remaining_ = -1;
  std::atomic<int64_t> reads_{0};
  std::set<std::string> failed_paths_;
  std::string fault_;
};

}  // namespace tfckpt::io

#endif  // TFCKPT_IO_READ_FAULT_ENV_H_
