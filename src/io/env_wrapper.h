// EnvWrapper: an Env that forwards every call to another (as LevelDB's
// EnvWrapper), for wrappers that change a few calls: the CLI's progress Env
// (reads counted), ReadFaultEnv (reads fail) and FaultInjectionEnv
// (mutations fail).
#ifndef TFCKPT_IO_ENV_WRAPPER_H_
#define TFCKPT_IO_ENV_WRAPPER_H_

#include <memory>
#include <string>
#include <vector>

#include "src/io/env.h"

namespace tfckpt::io {

class EnvWrapper : public Env {
 public:
  explicit EnvWrapper(Env* target) : target_(target) {}
  Env* target() const { return target_; }

  StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override {
    return target_->NewRandomAccessFile(path);
  }
  StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    return target_->NewWritableFile(path);
  }
  bool FileExists(const std::string& path) override { return target_->FileExists(path); }
  bool IsDirectory(const std::string& path) override { return target_->IsDirectory(path); }
  StatusOr<uint64_t> GetFileSize(const std::string& path) override {
    return target_->GetFileSize(path);
  }
  StatusOr<std::vector<std::string>> GetChildren(const std::string& dir) override {
    return target_->GetChildren(dir);
  }
  Status DeleteFile(const std::string& path) override { return target_->DeleteFile(path); }
  Status DeleteDir(const std::string& path) override { return target_->DeleteDir(path); }
  Status RenameFile(const std::string& from, const std::string& to) override {
    return target_->RenameFile(from, to);
  }
  Status CreateDirRecursively(const std::string& dir) override {
    return target_->CreateDirRecursively(dir);
  }
  Status SyncDir(const std::string& dir) override { return target_->SyncDir(dir); }
  bool HasLiveWriter(const std::string& path) override { return target_->HasLiveWriter(path); }
  std::string FileIdentity(const std::string& path) override {
    return target_->FileIdentity(path);
  }

 private:
  Env* target_;
};

}  // namespace tfckpt::io

#endif  // TFCKPT_IO_ENV_WRAPPER_H_
