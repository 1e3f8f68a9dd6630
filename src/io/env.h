// The file-system seam. Every byte tfckpt reads or writes goes through an
// Env, so tests can run in memory and inject faults at any write
// (LevelDB's Env, reduced to what checkpoints need).
//
// Contracts:
//  - RandomAccessFile::Read returns fewer than n bytes only at end of file;
//    *result may point into `scratch` or into a mapping owned by the file.
//  - MappedData() is non-null when the whole file is addressable (mmap or
//    memory); readers use it for zero-copy access to small structures
//    (table blocks). ReadRegion() serves large ranges (tensor data).
//  - NewWritableFile truncates. Nothing is visible under the final name of a
//    file written with AtomicFileWriter (atomic_file.h) until Commit().
#ifndef TFCKPT_IO_ENV_H_
#define TFCKPT_IO_ENV_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "src/io/status.h"

namespace tfckpt::io {

// A read-only byte range of a file; `data` stays valid while `owner` (or,
// for views into a whole-file mapping, the file) lives.
struct Region {
  const char* data = nullptr;
  size_t size = 0;
  std::shared_ptr<const void> owner;
};

class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  virtual const std::string& path() const = 0;
  virtual uint64_t Size() const = 0;
  virtual Status Read(uint64_t offset, size_t n, std::string_view* result,
                            char* scratch) const = 0;
  virtual const char* MappedData() const { return nullptr; }

  // [offset, offset+n), which must lie inside the file, without copying
  // when possible. POSIX maps just that range and unmaps it
  // when the owner goes, so a reader's resident memory follows the tensors
  // it holds rather than every page it ever checked. The default views
  // MappedData() or reads into a heap buffer.
  virtual StatusOr<Region> ReadRegion(uint64_t offset, size_t n) const;

  // Whether ReadRegion() lends bytes that already exist in memory (a
  // mapping, an in-memory file) rather than reading them into a new
  // buffer. When false, a reader that wants the bytes in its own buffer
  // reads them there with ReadExact (one copy, no intermediate buffer).
  virtual bool LendsRegions() const { return MappedData() != nullptr; }

  // Reads exactly n bytes at offset or fails with DataLoss naming the file,
  // the offset and how many bytes were available.
  Status ReadExact(uint64_t offset, size_t n, std::string_view* result,
                         char* scratch) const;

  // Which file this is (device:inode on POSIX), equal to Env::FileIdentity
  // of any name the file has; "" when the Env cannot tell. Lets a reader
  // notice that a name was replaced after it opened the file.
  virtual std::string Identity() const { return ""; }
};

class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  virtual Status Flush() = 0;
  virtual Status Sync() = 0;
  virtual Status Close() = 0;
  // Bytes appended so far.
  virtual uint64_t Size() const = 0;
};

class Env {
 public:
  virtual ~Env() = default;

  // The process-wide POSIX environment. Reads use pread(2), never a
  // mapping: a file that shrinks underneath (truncated by another process
  // while it is read) gives a short read, an error naming the file and the
  // offset, where touching a mapping past the new end of file is SIGBUS and
  // kills the process (issue 16). Every command of the CLI and every
  // library default reads through it. It refuses to open anything but a
  // regular file (a FIFO, device or socket), without blocking.
  static Env* Default();
  // The same object as Default() (the name `tfckpt validate` used when only
  // it read through pread).
  static Env* Pread();
  // POSIX with mmap(2) for reads: zero-copy (a tensor borrows the page
  // cache; docs/PERFORMANCE.md measures both), but a file truncated while
  // mapped kills the process with SIGBUS. Only for callers that own the
  // files' lifetime (no other process may shrink them while they are open
  // or while a borrowed tensor lives).
  static Env* Mmap();

  virtual StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) = 0;
  virtual StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path) = 0;
  virtual bool FileExists(const std::string& path) = 0;
  virtual bool IsDirectory(const std::string& path) = 0;
  virtual StatusOr<uint64_t> GetFileSize(const std::string& path) = 0;
  // Names (not paths) of the entries of a directory, sorted.
  virtual StatusOr<std::vector<std::string>> GetChildren(
      const std::string& dir) = 0;
  virtual Status DeleteFile(const std::string& path) = 0;
  virtual Status DeleteDir(const std::string& path) = 0;
  // Atomic where the underlying file system is (POSIX rename).
  virtual Status RenameFile(const std::string& from,
                                  const std::string& to) = 0;
  virtual Status CreateDirRecursively(const std::string& dir) = 0;
  // Identity (see RandomAccessFile::Identity) of the file now named `path`;
  // "" if there is none or the Env cannot tell.
  virtual std::string FileIdentity(const std::string& path) {
    (void)path;
    return "";
  }
  // False only if the Env can tell that no writer, in any process, has
  // the file named `path` open (NewWritableFile, under any name since), or
  // there is no such file: POSIX writers hold an flock(2) on their files
  // until closed. Lets a save remove temp files of killed saves.
  virtual bool HasLiveWriter(const std::string& path) {
    (void)path;
    return true;
  }
  // Makes a completed rename durable (fsync of the directory on POSIX).
  virtual Status SyncDir(const std::string& dir) {
    (void)dir;
    return OkStatus();
  }

  // Whole-file helpers built on the primitives above.
  StatusOr<std::string> ReadFileToString(const std::string& path);
  // Paths in dirname(pattern) whose basename matches the basename of
  // `pattern` (fnmatch syntax: `?`, `*`, `[...]`), sorted.
  StatusOr<std::vector<std::string>> Glob(const std::string& pattern);
};

// Path helpers (POSIX separators only; TF's paths are the same).
std::string JoinPath(std::string_view a, std::string_view b);
std::string Dirname(std::string_view path);
std::string Basename(std::string_view path);
bool IsAbsolutePath(std::string_view path);

// Random non-negative number for temp-file suffixes.
uint64_t RandomUint64();

}  // namespace tfckpt::io

#endif  // TFCKPT_IO_ENV_H_
