// Env::Default(): POSIX files, pread(2) for reads (no mapping, so no
// SIGBUS when a file shrinks), buffered writes with fsync.
// Env::Mmap(): the same with mmap for reads (zero-copy; SIGBUS if a mapped
// file shrinks).
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>

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

std::string StatIdentity(const struct stat& st) {
  return StrCat(static_cast<uint64_t>(st.st_dev), ":", static_cast<uint64_t>(st.st_ino));
}

// A read-only file. The whole file is mapped on first use of Read() or
// MappedData() (table blocks); ReadRegion() maps just the range asked for,
// so tensor data is resident only while a tensor borrows it.
class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd, uint64_t size, bool use_mmap)
      : path_(std::move(path)), fd_(fd), size_(size), use_mmap_(use_mmap) {}
  ~PosixRandomAccessFile() override {
    if (owns_mapping_) munmap(const_cast<char*>(base_), size_);
    ::close(fd_);
  }
  const std::string& path() const override { return path_; }
  uint64_t Size() const override { return size_; }
  std::string Identity() const override {
    struct stat st;
    return ::fstat(fd_, &st) == 0 ? StatIdentity(st) : "";
  }
  Status Read(uint64_t offset, size_t n, std::string_view* result,
              char* scratch) const override {
    if (!use_mmap_) return PRead(offset, n, result, scratch);
    const char* base = MappedData();
    if (base == nullptr) return IoError(StrCat(path_, " (mmap)"), map_errno_);
    if (offset >= size_) {
      *result = {};
      return OkStatus();
    }
    (void)scratch;
    *result = std::string_view(base + offset, std::min<uint64_t>(n, size_ - offset));
    return OkStatus();
  }
  bool LendsRegions() const override { return use_mmap_; }
  const char* MappedData() const override {
    if (!use_mmap_) return nullptr;
    std::call_once(map_once_, [this] {
      if (size_ == 0) {
        base_ = "";
        return;
      }
      void* m = ::mmap(nullptr, size_, PROT_READ, MAP_SHARED, fd_, 0);
      if (m == MAP_FAILED) {
        map_errno_ = errno;
        return;
      }
      base_ = static_cast<const char*>(m);
      owns_mapping_ = true;
    });
    return base_;
  }
  StatusOr<Region> ReadRegion(uint64_t offset, size_t n) const override {
    if (offset > size_ || n > size_ - offset) {
      return DataLossError(StrCat(path_, ": region of ", n, " bytes at offset ", offset,
                                  " is outside the file (size ", size_, ")"));
    }
    if (n == 0) return Region{"", 0, nullptr};
    if (!use_mmap_) return RandomAccessFile::ReadRegion(offset, n);
    // Small ranges are views into a shared 8 MiB window (one mmap for many
    // tensors); ranges that are large or straddle a window get their own.
    const uint64_t w = offset / kWindow;
    if (n <= kWindow / 4 && (offset + n - 1) / kWindow == w) {
      TFCKPT_ASSIGN_OR_RETURN(std::shared_ptr<const char> window, Window(w));
      return Region{window.get() + (offset - w * kWindow), n, window};
    }
    TFCKPT_ASSIGN_OR_RETURN(std::shared_ptr<const char> m, Map(offset, n));
    return Region{m.get(), n, m};
  }

 private:
  static constexpr uint64_t kWindow = 8ull << 20;

  // Up to n bytes at offset into scratch; fewer only at the end of the
  // file as it is now (it may have shrunk since it was opened).
  Status PRead(uint64_t offset, size_t n, std::string_view* result, char* scratch) const {
    size_t got = 0;
    while (got < n) {
      const ssize_t r = ::pread(fd_, scratch + got, n - got, static_cast<off_t>(offset + got));
      if (r < 0) {
        if (errno == EINTR) continue;
        return IoError(StrCat(path_, " (read of ", n, " bytes at offset ", offset, ")"), errno);
      }
      if (r == 0) break;
      got += static_cast<size_t>(r);
    }
    *result = std::string_view(scratch, got);
    return OkStatus();
  }

  // Maps [offset, offset+n). Not prefaulted: MAP_POPULATE walks the range
  // page by page (get_user_pages) and cost 1.4x the CPU time of letting the
  // reader's first touch fault it in, where the kernel maps 16 cached pages
  // per fault (fault-around): 100 vs 72 ms to CRC a 1 GiB file cached in
  // 4 KiB pages, the same for one cached in 2 MiB folios (docs/PERFORMANCE.md).
  // The pointer is to `offset`; the mapping goes with the last owner.
  StatusOr<std::shared_ptr<const char>> Map(uint64_t offset, uint64_t n) const {
    static const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
    const uint64_t start = offset / page * page;
    const size_t len = n + (offset - start);
    void* m = ::mmap(nullptr, len, PROT_READ, MAP_SHARED, fd_, start);
    if (m == MAP_FAILED) return IoError(StrCat(path_, " (mmap of ", n, " bytes)"), errno);
    char* base = static_cast<char*>(m);
    return std::shared_ptr<const char>(base + (offset - start), [base, len](const char*) {
      ::munmap(base, len);
    });
  }

  // Window w, shared while any tensor holds it; only the most recent one is
  // kept alive by the file itself, so resident memory stays bounded.
  StatusOr<std::shared_ptr<const char>> Window(uint64_t w) const {
    std::lock_guard<std::mutex> l(window_mu_);
    if (current_ != nullptr && current_index_ == w) return current_;
    auto it = windows_.find(w);
    if (it != windows_.end()) {
      if (auto alive = it->second.lock()) {
        current_ = alive;
        current_index_ = w;
        return alive;
      }
    }
    const uint64_t start = w * kWindow;
    TFCKPT_ASSIGN_OR_RETURN(std::shared_ptr<const char> m,
                            Map(start, std::min(kWindow, size_ - start)));
    for (auto i = windows_.begin(); i != windows_.end();) {
      i = i->second.expired() ? windows_.erase(i) : std::next(i);
    }
    windows_[w] = m;
    current_ = m;
    current_index_ = w;
    return m;
  }

  mutable std::mutex window_mu_;
  mutable std::map<uint64_t, std::weak_ptr<const char>> windows_;
  mutable std::shared_ptr<const char> current_;
  mutable uint64_t current_index_ = 0;

 
  std::string path_;
  int fd_;
  uint64_t size_;
  mutable std::once_flag map_once_;
  mutable const char* base_ = nullptr;
  mutable bool owns_mapping_ = false;
  mutable int map_errno_ = 0;
  bool use_mmap_;
};

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {
    buffer_.reserve(kBufferSize);
  }
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }
  // Every write(2) but the last ends on a kBufferSize boundary of the file
  // and, once the first has, starts on one: the page cache then holds the
  // file in large folios, which mmap readers map with few page-table
  // entries (mapping + CRC of 256 MiB written in 966,384-byte pieces, as
  // the 1 MiB buffer cut 107 KiB tensors: 16 ms of CPU; in aligned 2 MiB
  // writes: 10 ms; docs/PERFORMANCE.md). Large appends go straight from the caller's
  // bytes, after at most kBufferSize of them topped up the buffer.
  Status Append(std::string_view data) override {
    size_ += data.size();
    while (!data.empty()) {
      const size_t room = kBufferSize - static_cast<size_t>((size_ - data.size()) % kBufferSize);
      if (buffer_.empty() && room == kBufferSize && data.size() >= kBufferSize) {
        const size_t direct = data.size() / kBufferSize * kBufferSize;
        Status s = WriteRaw(data.data(), direct);
        if (!s.ok()) return s;
        data.remove_prefix(direct);
        continue;
      }
      const size_t take = std::min(room, data.size());
      buffer_.append(data.data(), take);
      data.remove_prefix(take);
      if (take == room) {
        Status s = FlushBuffer();
        if (!s.ok()) return s;
      }
    }
    return OkStatus();
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
  static constexpr size_t kBufferSize = 2 << 20;  // a PMD-mappable folio

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

// What a file that is not a regular file is, for the error message.
const char* FileTypeName(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "not a regular file";
}

class PosixEnv final : public Env {
 public:
  explicit PosixEnv(bool use_mmap) : use_mmap_(use_mmap) {}

  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
  // writer forever; anything but a regular file is refused before a read.
  StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return IoError(path, errno);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      const int err = errno;
      ::close(fd);
      return IoError(path, err);
    }
    if (!S_ISREG(st.st_mode)) {
      ::close(fd);
      return FailedPreconditionError(
          StrCat(path, ": is ", FileTypeName(st.st_mode), ", expected a regular file"));
    }
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    return std::unique_ptr<RandomAccessFile>(
        new PosixRandomAccessFile(path, fd, size, use_mmap_));
  }

  StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path) override {
    const int fd =
        ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return IoError(path, errno);
    // Held until close, so HasLiveWriter can tell a live save's temp file
    // from a killed one's (where flock is unsupported nothing is removed).
    (void)::flock(fd, LOCK_EX | LOCK_NB);
    return std::unique_ptr<WritableFile>(new PosixWritableFile(path, fd));
  }

  bool HasLiveWriter(const std::string& path) override {
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return errno != ENOENT;
    struct stat st;
    // Anything but EWOULDBLOCK's "held" is also "cannot tell".
    const bool held = ::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
                      ::flock(fd, LOCK_EX | LOCK_NB) != 0;
    ::close(fd);
    return held;
  }

  bool FileExists(const std::string& path) override {
    return ::access(path.c_str(), F_OK) == 0;
  }

  bool IsDirectory(const std::string& path) override {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  }

  std::string FileIdentity(const std::string& path) override {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 ? StatIdentity(st) : "";
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

 private:
  const bool use_mmap_;
};

}  // namespace

Env* Env::Default() {
  static PosixEnv* env = new PosixEnv(/*use_mmap=*/false);
  return env;
}

Env* Env::Pread() { return Default(); }

Env* Env::Mmap() {
  static PosixEnv* env = new PosixEnv(/*use_mmap=*/true);
  return env;
}

}  // namespace tfckpt::io
