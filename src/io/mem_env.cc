#include "src/io/mem_env.h"

#include <algorithm>

#include "src/io/status.h"

namespace tfckpt::io {
namespace {

class MemRandomAccessFile final : public RandomAccessFile {
 public:
  MemRandomAccessFile(std::string path, std::shared_ptr<const std::string> data, uint64_t id)
      : path_(std::move(path)), data_(std::move(data)), id_(id) {}
  const std::string& path() const override { return path_; }
  std::string Identity() const override { return StrCat("mem:", id_); }
  uint64_t Size() const override { return data_->size(); }
  Status Read(uint64_t offset, size_t n, std::string_view* result,
                    char* /*scratch*/) const override {
    if (offset >= data_->size()) {
      *result = {};
    } else {
      *result = std::string_view(*data_).substr(offset, n);
    }
    return OkStatus();
  }
  const char* MappedData() const override { return data_->data(); }

 private:
  std::string path_;
  std::shared_ptr<const std::string> data_;  // a snapshot, like an open fd
  uint64_t id_;
};

std::string Normalize(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

}  // namespace

class MemWritableFile final : public WritableFile {
 public:
  MemWritableFile(MemEnv* env, std::string path, uint64_t id)
      : env_(env), path_(std::move(path)), id_(id) {
    std::lock_guard<std::mutex> l(env_->mu_);
    env_->writers_.insert(id_);
  }
  ~MemWritableFile() override { Close().IgnoreError(); }
  Status Append(std::string_view data) override {
    std::lock_guard<std::mutex> l(env_->mu_);
    auto it = env_->files_.find(path_);
    if (it == env_->files_.end()) {
      return NotFoundError(StrCat(path_, ": deleted while open"));
    }
    // Copy-on-write only while an open reader holds a snapshot (appending
    // in place otherwise keeps a long write linear, not quadratic).
    if (it->second.data.use_count() > 1) {
      it->second.data = std::make_shared<std::string>(*it->second.data);
    }
    it->second.data->append(data);
    size_ += data.size();
    return OkStatus();
  }
  Status Flush() override { return OkStatus(); }
  Status Sync() override {
    std::lock_guard<std::mutex> l(env_->mu_);
    auto it = env_->files_.find(path_);
    if (it != env_->files_.end()) it->second.synced = it->second.data->size();
    return OkStatus();
  }
  Status Close() override {
    std::lock_guard<std::mutex> l(env_->mu_);
    if (!closed_) env_->writers_.erase(env_->writers_.find(id_));
    closed_ = true;
    return OkStatus();
  }
  uint64_t Size() const override { return size_; }

 private:
  MemEnv* env_;
  std::string path_;
  uint64_t size_ = 0;
  uint64_t id_;
  bool closed_ = false;
};

StatusOr<std::unique_ptr<RandomAccessFile>> MemEnv::NewRandomAccessFile(
    const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = files_.find(Normalize(path));
  if (it == files_.end()) {
    return NotFoundError(StrCat(path, ": No such file or directory"));
  }
  return std::unique_ptr<RandomAccessFile>(
      new MemRandomAccessFile(path, it->second.data, it->second.id));
}

StatusOr<std::unique_ptr<WritableFile>> MemEnv::NewWritableFile(
    const std::string& path) {
  const std::string p = Normalize(path);
  uint64_t id;
  {
    std::lock_guard<std::mutex> l(mu_);
    File f;
    f.id = id = next_id_++;
    files_[p] = std::move(f);
  }
  return std::unique_ptr<WritableFile>(new MemWritableFile(this, p, id));
}

bool MemEnv::FileExists(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  const std::string p = Normalize(path);
  return files_.count(p) > 0 || dirs_.count(p) > 0;
}

bool MemEnv::IsDirectory(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  const std::string p = Normalize(path);
  if (p.empty() || p == "." || p == "/" || dirs_.count(p) > 0) return true;
  // A directory exists implicitly if some file lives below it.
  const std::string prefix = p + "/";
  auto it = files_.lower_bound(prefix);
  return it != files_.end() && it->first.compare(0, prefix.size(), prefix) == 0;
}

std::string MemEnv::FileIdentity(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = files_.find(Normalize(path));
  return it == files_.end() ? "" : StrCat("mem:", it->second.id);
}

bool MemEnv::HasLiveWriter(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = files_.find(Normalize(path));
  return it != files_.end() && writers_.count(it->second.id) > 0;
}

StatusOr<uint64_t> MemEnv::GetFileSize(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = files_.find(Normalize(path));
  if (it == files_.end()) {
    return NotFoundError(StrCat(path, ": No such file or directory"));
  }
  return it->second.data->size();
}

StatusOr<std::vector<std::string>> MemEnv::GetChildren(
    const std::string& dir) {
  std::lock_guard<std::mutex> l(mu_);
  const std::string d = Normalize(dir);
  const std::string prefix = (d.empty() || d == ".") ? "" : d == "/" ? d : d + "/";
  std::set<std::string> names;
  auto collect = [&](const std::string& path) {
    if (path.compare(0, prefix.size(), prefix) != 0 || path.size() == prefix.size()) return;
    const std::string rest = path.substr(prefix.size());
    names.insert(rest.substr(0, rest.find('/')));
  };
  for (const auto& [path, file] : files_) collect(path);
  for (const auto& path : dirs_) collect(path);
  return std::vector<std::string>(names.begin(), names.end());
}

Status MemEnv::DeleteFile(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  if (files_.erase(Normalize(path)) == 0) {
    return NotFoundError(StrCat(path, ": No such file or directory"));
  }
  return OkStatus();
}

Status MemEnv::DeleteDir(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  dirs_.erase(Normalize(path));
  return OkStatus();
}

Status MemEnv::RenameFile(const std::string& from, const std::string& to) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = files_.find(Normalize(from));
  if (it == files_.end()) {
    return NotFoundError(StrCat("rename ", from, " -> ", to,
                                            ": No such file or directory"));
  }
  File f = it->second;
  files_.erase(it);
  files_[Normalize(to)] = std::move(f);
  return OkStatus();
}

Status MemEnv::CreateDirRecursively(const std::string& dir) {
  std::lock_guard<std::mutex> l(mu_);
  std::string d = Normalize(dir);
  while (!d.empty() && d != "/" && d != ".") {
    dirs_.insert(d);
    d = Dirname(d);
  }
  return OkStatus();
}

void MemEnv::PutFile(const std::string& path, std::string contents) {
  std::lock_guard<std::mutex> l(mu_);
  File f;
  f.data = std::make_shared<std::string>(std::move(contents));
  f.synced = f.data->size();
  f.id = next_id_++;
  files_[Normalize(path)] = std::move(f);
}

std::string* MemEnv::MutableFile(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = files_.find(Normalize(path));
  if (it == files_.end()) return nullptr;
  it->second.data = std::make_shared<std::string>(*it->second.data);
  return it->second.data.get();
}

void MemEnv::DropUnsyncedData() {
  std::lock_guard<std::mutex> l(mu_);
  for (auto& [path, file] : files_) {
    if (file.data->size() > file.synced) {
      file.data = std::make_shared<std::string>(file.data->substr(0, file.synced));
    }
  }
}

// ---- FaultInjectionEnv ------------------------------------------------------

namespace {
class FaultWritableFile final : public WritableFile {
 public:
  FaultWritableFile(FaultInjectionEnv* env, std::string path,
                    std::unique_ptr<WritableFile> target)
      : env_(env), path_(std::move(path)), target_(std::move(target)) {}
  Status Append(std::string_view data) override {
    Status s = env_->MaybeFail("append", path_);
    return s.ok() ? target_->Append(data) : s;
  }
  Status Flush() override {
    Status s = env_->MaybeFail("flush", path_);
    return s.ok() ? target_->Flush() : s;
  }
  Status Sync() override {
    Status s = env_->MaybeFail("sync", path_);
    return s.ok() ? target_->Sync() : s;
  }
  Status Close() override {
    Status s = env_->MaybeFail("close", path_);
    return s.ok() ? target_->Close() : s;
  }
  uint64_t Size() const override { return target_->Size(); }

 private:
  FaultInjectionEnv* env_;
  std::string path_;
  std::unique_ptr<WritableFile> target_;
};
}  // namespace

Status FaultInjectionEnv::MaybeFail(const char* op, const std::string& path) {
  ++operations_;
  if (remaining_ < 0) return OkStatus();
  if (remaining_ == 0) {
    return UnavailableError(
        StrCat("injected fault: ", op, " ", path));
  }
  --remaining_;
  return OkStatus();
}

StatusOr<std::unique_ptr<WritableFile>> FaultInjectionEnv::NewWritableFile(
    const std::string& path) {
  Status s = MaybeFail("create", path);
  if (!s.ok()) return s;
  Record(Undo::kCreate, path, "");
  auto f = target()->NewWritableFile(path);
  if (!f.ok()) {
    unsynced_.pop_back();
    return f.status();
  }
  return std::unique_ptr<WritableFile>(
      new FaultWritableFile(this, path, std::move(*f)));
}

Status FaultInjectionEnv::DeleteFile(const std::string& path) {
  Status s = MaybeFail("delete", path);
  if (!s.ok()) return s;
  Record(Undo::kDelete, path, "");
  s = target()->DeleteFile(path);
  if (!s.ok()) unsynced_.pop_back();
  return s;
}

Status FaultInjectionEnv::DeleteDir(const std::string& path) {
  Status s = MaybeFail("rmdir", path);
  return s.ok() ? target()->DeleteDir(path) : s;
}

Status FaultInjectionEnv::RenameFile(const std::string& from,
                                           const std::string& to) {
  Status s = MaybeFail("rename", from);
  if (!s.ok()) return s;
  Record(Undo::kRename, to, from);
  s = target()->RenameFile(from, to);
  if (!s.ok()) unsynced_.pop_back();
  return s;
}

Status FaultInjectionEnv::CreateDirRecursively(const std::string& dir) {
  Status s = MaybeFail("mkdir", dir);
  return s.ok() ? target()->CreateDirRecursively(dir) : s;
}

Status FaultInjectionEnv::SyncDir(const std::string& dir) {
  Status s = MaybeFail("syncdir", dir);
  if (s.ok()) s = target()->SyncDir(dir);
  if (!s.ok()) return s;
  const std::string d = (dir.empty() || dir == ".") ? "" : dir;
  std::vector<Undo> still;
  for (Undo& u : unsynced_) {
    if (u.dir != d) still.push_back(std::move(u));
  }
  unsynced_ = std::move(still);
  return OkStatus();
}

void FaultInjectionEnv::Record(Undo::Kind kind, const std::string& path,
                               const std::string& from) {
  std::string dir = Dirname(path);
  if (dir == ".") dir.clear();
  Undo u{kind, std::move(dir), path, from, std::nullopt};
  if (target()->FileExists(path) && !target()->IsDirectory(path)) {
    auto bytes = target()->ReadFileToString(path);
    if (bytes.ok()) u.replaced = std::move(*bytes);
  }
  unsynced_.push_back(std::move(u));
}

Status FaultInjectionEnv::Restore(const std::string& path, const std::string& bytes) {
  TFCKPT_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, target()->NewWritableFile(path));
  TFCKPT_RETURN_IF_ERROR(f->Append(bytes));
  TFCKPT_RETURN_IF_ERROR(f->Sync());
  return f->Close();
}

Status FaultInjectionEnv::Crash(size_t keep) {
  remaining_ = -1;
  for (size_t i = unsynced_.size(); i-- > keep;) {
    const Undo& u = unsynced_[i];
    switch (u.kind) {
      case Undo::kCreate:
        if (u.replaced.has_value()) {
          TFCKPT_RETURN_IF_ERROR(Restore(u.path, *u.replaced));
        } else if (target()->FileExists(u.path)) {
          TFCKPT_RETURN_IF_ERROR(target()->DeleteFile(u.path));
        }
        break;
      case Undo::kRename:
        TFCKPT_RETURN_IF_ERROR(target()->RenameFile(u.path, u.from));
        if (u.replaced.has_value()) TFCKPT_RETURN_IF_ERROR(Restore(u.path, *u.replaced));
        break;
      case Undo::kDelete:
        if (u.replaced.has_value()) TFCKPT_RETURN_IF_ERROR(Restore(u.path, *u.replaced));
        break;
    }
  }
  unsynced_.clear();
  return OkStatus();
}

}  // namespace tfckpt::io
