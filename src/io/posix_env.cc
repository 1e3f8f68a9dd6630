// Env::Default(): POSIX files, mmap for reads, buffered writes with fsync.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "src/io/status.h"
#include "src/io/env.h"

namespace tfckpt::io {
namespace {

Status IoError(const std::string& context, int err) {
  const std::string msg = StrCat(context, ": ", std::strerror(err));
  if (err == ENOENT) return NotFoundError(msg);
  if (err == EACCES || err == EPERM) return PermissionDeniedError(msg);
  if (err == EEXIST) return AlreadyExistsError(msg);
  if (err == ENOSPC) return ResourceExhaustedError(msg);
  return InternalError(msg);
}

// Read-only mapping of a whole file. Empty files are not mapped.
class MmapFile final : public RandomAccessFile {
 public:
  MmapFile(std::string path, const char* base, uint64_t size)
      : path_(std::move(path)), base_(base), size_(size) {}
  ~MmapFile() override {
    if (base_ != nullptr) munmap(const_cast<char*>(base_), size_);
  }
  const std::string& path() const override { return path_; }
  uint64_t Size() const override { return size_; }
  Status Read(uint64_t offset, size_t n, std::string_view* result,
                    char* /*scratch*/) const override {
    if (offset >= size_) {
      *result = {};
      return OkStatus();
    }
    *result = std::string_view(base_ + offset,
                               std::min<uint64_t>(n, size_ - offset));
    return OkStatus();
  }
  const char* MappedData() const override {
    return base_ != nullptr ? base_ : "";
  }

 private:
  std::string path_;
  const char* base_;
  uint64_t size_;
};

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {
    buffer_.reserve(kBufferSize);
  }
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }
  Status Append(std::string_view data) override {
    size_ += data.size();
    if (buffer_.size() + data.size() <= kBufferSize) {
      buffer_.append(data);
      return OkStatus();
    }
    Status s = FlushBuffer();
    if (!s.ok()) return s;
    if (data.size() < kBufferSize) {
      buffer_.append(data);
      return OkStatus();
    }
    return WriteRaw(data.data(), data.size());  // large: no extra copy
  }
  Status Flush() override { return FlushBuffer(); }
  Status Sync() override {
    Status s = FlushBuffer();
    if (!s.ok()) return s;
    if (::fdatasync(fd_) != 0) return IoError(path_, errno);
    return OkStatus();
  }
  Status Close() override {
    Status s = FlushBuffer();
    if (fd_ >= 0 && ::close(fd_) != 0 && s.ok()) s = IoError(path_, errno);
    fd_ = -1;
    return s;
  }
  uint64_t Size() const override { return size_; }

 private:
  static constexpr size_t kBufferSize = 1 << 20;

  Status FlushBuffer() {
    Status s = WriteRaw(buffer_.data(), buffer_.size());
    buffer_.clear();
    return s;
  }
  Status WriteRaw(const char* p, size_t n) {
    while (n > 0) {
      const ssize_t w = ::write(fd_, p, n);
      if (w < 0) {
        if (errno == EINTR) continue;
        return IoError(path_, errno);
      }
      p += w;
      n -= static_cast<size_t>(w);
    }
    return OkStatus();
  }

  std::string path_;
  int fd_;
  std::string buffer_;
  uint64_t size_ = 0;
};

class PosixEnv final : public Env {
 public:
  StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return IoError(path, errno);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      const int err = errno;
      ::close(fd);
      return IoError(path, err);
    }
    if (S_ISDIR(st.st_mode)) {
      ::close(fd);
      return FailedPreconditionError(
          StrCat(path, ": is a directory, expected a file"));
    }
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    const char* base = nullptr;
    if (size > 0) {
      void* m = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
      if (m == MAP_FAILED) {
        const int err = errno;
        ::close(fd);
        return IoError(StrCat(path, " (mmap)"), err);
      }
      base = static_cast<const char*>(m);
    }
    ::close(fd);  // the mapping stays valid
    return std::unique_ptr<RandomAccessFile>(new MmapFile(path, base, size));
  }

  StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path) override {
    const int fd =
        ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return IoError(path, errno);
    return std::unique_ptr<WritableFile>(new PosixWritableFile(path, fd));
  }

  bool FileExists(const std::string& path) override {
    return ::access(path.c_str(), F_OK) == 0;
  }

  bool IsDirectory(const std::string& path) override {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  }

  StatusOr<uint64_t> GetFileSize(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return IoError(path, errno);
    return static_cast<uint64_t>(st.st_size);
  }

  StatusOr<std::vector<std::string>> GetChildren(
      const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return IoError(dir, errno);
    std::vector<std::string> out;
    while (struct dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      if (name != "." && name != "..") out.push_back(name);
    }
    ::closedir(d);
    std::sort(out.begin(), out.end());
    return out;
  }

  Status DeleteFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return IoError(path, errno);
    return OkStatus();
  }

  Status DeleteDir(const std::string& path) override {
    if (::rmdir(path.c_str()) != 0) return IoError(path, errno);
    return OkStatus();
  }

  Status RenameFile(const std::string& from,
                          const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return IoError(StrCat("rename ", from, " -> ", to), errno);
    }
    return OkStatus();
  }

  Status CreateDirRecursively(const std::string& dir) override {
    if (dir.empty() || IsDirectory(dir)) return OkStatus();
    const std::string parent = Dirname(dir);
    if (!parent.empty() && parent != dir) {
      Status s = CreateDirRecursively(parent);
      if (!s.ok()) return s;
    }
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
      return IoError(dir, errno);
    }
    return OkStatus();
  }

  Status SyncDir(const std::string& dir) override {
    const int fd = ::open(dir.empty() ? "." : dir.c_str(),
                          O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return IoError(dir, errno);
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0) return IoError(dir, err);
    return OkStatus();
  }
};

}  // namespace

Env* Env::Default() {
  static PosixEnv* env = new PosixEnv;
  return env;
}

}  // namespace tfckpt::io
