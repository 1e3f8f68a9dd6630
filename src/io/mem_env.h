// In-memory Env for tests, and a fault-injecting wrapper that fails the
// N-th mutating operation (and every one after it, like a crashed process)
// so tests can prove a failed save never damages what was on disk before.
#ifndef TFCKPT_IO_MEM_ENV_H_
#define TFCKPT_IO_MEM_ENV_H_

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "src/io/env.h"

namespace tfckpt::io {

class MemEnv : public Env {
 public:
  StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override;
  StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path) override;
  bool FileExists(const std::string& path) override;
  bool IsDirectory(const std::string& path) override;
  StatusOr<uint64_t> GetFileSize(const std::string& path) override;
  StatusOr<std::vector<std::string>> GetChildren(
      const std::string& dir) override;
  Status DeleteFile(const std::string& path) override;
  Status DeleteDir(const std::string& path) override;
  Status RenameFile(const std::string& from,
                          const std::string& to) override;
  Status CreateDirRecursively(const std::string& dir) override;

  // Test helpers.
  void PutFile(const std::string& path, std::string contents);
  std::string* MutableFile(const std::string& path);  // nullptr if absent
  // Simulates power loss: every file loses the bytes not covered by Sync().
  void DropUnsyncedData();

 private:
  friend class MemWritableFile;
  struct File {
    std::shared_ptr<std::string> data = std::make_shared<std::string>();
    size_t synced = 0;
  };
  std::mutex mu_;
  std::map<std::string, File> files_;
  std::set<std::string> dirs_;
};

class FaultInjectionEnv : public Env {
 public:
  explicit FaultInjectionEnv(Env* target) : target_(target) {}

  // The `n`-th mutating operation from now (0-based) and all later ones fail
  // with UNAVAILABLE. -1 disables injection.
  void FailAfter(int64_t n) {
    remaining_ = n;
  }
  // Mutating operations seen since construction (to size a sweep).
  int64_t operations() const { return operations_; }

  StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override {
    return target_->NewRandomAccessFile(path);
  }
  StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path) override;
  bool FileExists(const std::string& path) override {
    return target_->FileExists(path);
  }
  bool IsDirectory(const std::string& path) override {
    return target_->IsDirectory(path);
  }
  StatusOr<uint64_t> GetFileSize(const std::string& path) override {
    return target_->GetFileSize(path);
  }
  StatusOr<std::vector<std::string>> GetChildren(
      const std::string& dir) override {
    return target_->GetChildren(dir);
  }
  Status DeleteFile(const std::string& path) override;
  Status DeleteDir(const std::string& path) override;
  Status RenameFile(const std::string& from,
                          const std::string& to) override;
  Status CreateDirRecursively(const std::string& dir) override;
  Status SyncDir(const std::string& dir) override;

  // Called before every mutating operation; non-OK means "inject".
  Status MaybeFail(const char* op, const std::string& path);

 private:
  Env* target_;
  int64_t remaining_ = -1;
  int64_t operations_ = 0;
};

}  // namespace tfckpt::io

#endif  // TFCKPT_IO_MEM_ENV_H_
