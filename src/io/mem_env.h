// In-memory Env for tests, and a fault-injecting wrapper that fails the
// N-th mutating operation (and every one after it, like a crashed process)
// so tests can prove a failed save never damages what was on disk before.
// The wrapper also models power loss of namespace operations: a create,
// rename or delete is durable only once its directory is synced (Crash).
#ifndef TFCKPT_IO_MEM_ENV_H_
#define TFCKPT_IO_MEM_ENV_H_

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "src/io/env.h"
#include "src/io/env_wrapper.h"

namespace tfckpt::io {

class MemEnv : public Env {
 public:
  StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override;
  StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path) override;
  bool FileExists(const std::string& path) override;
  bool IsDirectory(const std::string& path) override;
  std::string FileIdentity(const std::string& path) override;
  bool HasLiveWriter(const std::string& path) override;
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
    uint64_t id = 0;  // kept by renames, new for every created file
  };
  std::mutex mu_;
  uint64_t next_id_ = 1;
  std::map<std::string, File> files_;
  std::set<std::string> dirs_;
  std::multiset<uint64_t> writers_;  // File::id of each open MemWritableFile
};

class FaultInjectionEnv : public EnvWrapper {
 public:
  explicit FaultInjectionEnv(Env* target) : EnvWrapper(target) {}

  // The `n`-th mutating operation from now (0-based) and all later ones fail
  // with UNAVAILABLE. -1 disables injection.
  void FailAfter(int64_t n) {
    remaining_ = n;
  }
  // Mutating operations seen since construction (to size a sweep).
  int64_t operations() const { return operations_; }

  // Reads forward to the target (EnvWrapper); these are the mutations.
  StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path) override;
  Status DeleteFile(const std::string& path) override;
  Status DeleteDir(const std::string& path) override;
  Status RenameFile(const std::string& from,
                          const std::string& to) override;
  Status CreateDirRecursively(const std::string& dir) override;
  Status SyncDir(const std::string& dir) override;

  // Called before every mutating operation; non-OK means "inject".
  Status MaybeFail(const char* op, const std::string& path);

  // Power loss of the namespace. Creates, renames and deletes done through
  // this Env are durable only after SyncDir of their directory; until then
  // they are "unsynced", in order. Crash(keep) undoes (through the target,
  // newest first) every unsynced one but the first `keep`, as if the machine
  // stopped with only those on disk, and forgets the rest; file contents
  // are not touched (pair it with MemEnv::DropUnsyncedData). Injection is
  // switched off. Undoing needs the replaced files' bytes, so each
  // operation first reads what it is about to replace or delete.
  size_t unsynced_operations() const { return unsynced_.size(); }
  Status Crash(size_t keep);

 private:
  struct Undo {
    enum Kind { kCreate, kRename, kDelete } kind;
    std::string dir;   // whose SyncDir makes it durable
    std::string path;  // created, renamed to, or deleted
    std::string from;  // kRename
    std::optional<std::string> replaced;  // bytes `path` held before, if any
  };
  void Record(Undo::Kind kind, const std::string& path, const std::string& from);
  Status Restore(const std::string& path, const std::string& bytes);

  int64_t remaining_ = -1;
  int64_t operations_ = 0;
  std::vector<Undo> unsynced_;
};

}  // namespace tfckpt::io

#endif  // TFCKPT_IO_MEM_ENV_H_
