#include "src/io/env.h"

#include <fnmatch.h>
#include <unistd.h>

#include <cstring>
#include <new>
#include <random>

#include "src/io/status.h"

namespace tfckpt::io {

StatusOr<Region> RandomAccessFile::ReadRegion(uint64_t offset, size_t n) const {
  if (offset > Size() || n > Size() - offset) {
    return DataLossError(StrCat(path(), ": region of ", n, " bytes at offset ", offset,
                                " is outside the file (size ", Size(), ")"));
  }
  if (const char* base = MappedData(); base != nullptr) {
    return Region{base + offset, n, nullptr};
  }
  // No exception for a size the address space cannot hold: an error.
  std::shared_ptr<char[]> buffer(new (std::nothrow) char[n == 0 ? 1 : n]);
  if (buffer == nullptr) {
    return ResourceExhaustedError(StrCat(path(), ": cannot allocate ", n, " bytes to read"));
  }
  std::string_view got;
  TFCKPT_RETURN_IF_ERROR(ReadExact(offset, n, &got, buffer.get()));
  if (got.data() != buffer.get() && n > 0) std::memcpy(buffer.get(), got.data(), n);
  return Region{buffer.get(), n, buffer};
}

Status RandomAccessFile::ReadExact(uint64_t offset, size_t n,
                                         std::string_view* result,
                                         char* scratch) const {
  const uint64_t size = Size();
  if (offset > size || n > size - offset) {
    const uint64_t available = offset > size ? 0 : size - offset;
    return DataLossError(StrCat(
        path(), ": requested ", n, " bytes at offset ", offset, " but only ",
        available, " are available (file size ", size, ")"));
  }
  Status s = Read(offset, n, result, scratch);
  if (!s.ok()) return s;
  if (result->size() != n) {
    return DataLossError(StrCat(path(), ": requested ", n,
                                            " bytes at offset ", offset,
                                            " but read ", result->size()));
  }
  return OkStatus();
}

StatusOr<std::string> Env::ReadFileToString(const std::string& path) {
  auto file = NewRandomAccessFile(path);
  if (!file.ok()) return file.status();
  std::string out((*file)->Size(), '\0');
  std::string_view got;
  Status s = (*file)->ReadExact(0, out.size(), &got, out.data());
  if (!s.ok()) return s;
  if (got.data() != out.data()) out.assign(got);
  return out;
}

StatusOr<std::vector<std::string>> Env::Glob(const std::string& pattern) {
  const std::string dir = Dirname(pattern);
  const std::string base = Basename(pattern);
  std::vector<std::string> out;
  if (!IsDirectory(dir.empty() ? "." : dir)) return out;
  auto children = GetChildren(dir.empty() ? "." : dir);
  if (!children.ok()) return children.status();
  for (const std::string& name : *children) {
    if (fnmatch(base.c_str(), name.c_str(), FNM_PERIOD) == 0) {
      out.push_back(dir.empty() ? name : JoinPath(dir, name));
    }
  }
  return out;
}

std::string JoinPath(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  if (b.empty()) return std::string(a);
  if (IsAbsolutePath(b)) return std::string(b);
  if (a.back() == '/') return StrCat(a, b);
  return StrCat(a, "/", b);
}

std::string Dirname(std::string_view path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return "";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

std::string Basename(std::string_view path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return std::string(path);
  return std::string(path.substr(slash + 1));
}

bool IsAbsolutePath(std::string_view path) {
  return !path.empty() && path[0] == '/';
}

uint64_t RandomUint64() {
  static thread_local std::mt19937_64 gen{std::random_device{}()};
  // A forked child inherits the generator's state; the pid keeps its temp
  // names apart from its parent's.
  return gen() ^ (static_cast<uint64_t>(::getpid()) * 0x9E3779B97F4A7C15ull);
}

}  // namespace tfckpt::io
