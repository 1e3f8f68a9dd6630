#include "bench/storage_ops.h"

#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "src/bundle/bundle_writer.h"
#include "src/bundle/naming.h"
#include "src/check/validator.h"

namespace tfckpt::bench {

int64_t Sizes::many_elements() const {
  const uint64_t per = (many_total_bytes + static_cast<uint64_t>(many_count) - 1) /
                       static_cast<uint64_t>(many_count);
  return static_cast<int64_t>((per + 3) / 4);
}

const char* LayoutName(Layout layout) { return layout == Layout::kOne ? "one" : "many"; }

namespace {

class NoSyncFile final : public io::WritableFile {
 public:
  explicit NoSyncFile(std::unique_ptr<io::WritableFile> base) : base_(std::move(base)) {}
  Status Append(std::string_view data) override { return base_->Append(data); }
  Status Flush() override { return base_->Flush(); }
  Status Sync() override { return base_->Flush(); }  // the point of this class
  Status Close() override { return base_->Close(); }
  uint64_t Size() const override { return base_->Size(); }

 private:
  std::unique_ptr<io::WritableFile> base_;
};

class NoSyncEnvImpl final : public io::Env {
 public:
  StatusOr<std::unique_ptr<io::RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override {
    return base()->NewRandomAccessFile(path);
  }
  StatusOr<std::unique_ptr<io::WritableFile>> NewWritableFile(const std::string& path) override {
    auto f = base()->NewWritableFile(path);
    if (!f.ok()) return f.status();
    return std::unique_ptr<io::WritableFile>(new NoSyncFile(std::move(*f)));
  }
  bool FileExists(const std::string& path) override { return base()->FileExists(path); }
  bool IsDirectory(const std::string& path) override { return base()->IsDirectory(path); }
  StatusOr<uint64_t> GetFileSize(const std::string& path) override {
    return base()->GetFileSize(path);
  }
  StatusOr<std::vector<std::string>> GetChildren(const std::string& dir) override {
    return base()->GetChildren(dir);
  }
  Status DeleteFile(const std::string& path) override { return base()->DeleteFile(path); }
  Status DeleteDir(const std::string& path) override { return base()->DeleteDir(path); }
  Status RenameFile(const std::string& from, const std::string& to) override {
    return base()->RenameFile(from, to);
  }
  Status CreateDirRecursively(const std::string& dir) override {
    return base()->CreateDirRecursively(dir);
  }
  Status SyncDir(const std::string&) override { return OkStatus(); }

 private:
  static io::Env* base() { return io::Env::Default(); }
};

}  // namespace

io::Env* NoSyncEnv() {
  static NoSyncEnvImpl* env = new NoSyncEnvImpl;
  return env;
}

void FillPattern(char* data, uint64_t n, uint64_t seed) {
  uint64_t x = seed * 0x9e3779b97f4a7c15ull + 0x2545f4914f6cdd1dull;
  uint64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    std::memcpy(data + i, &x, 8);
  }
  for (; i < n; ++i) data[i] = static_cast<char>(x >> (8 * (i % 8)));
}

std::vector<std::string> SourceKeys(const Sizes& sizes, Layout layout) {
  if (layout == Layout::kOne) return {"model/embedding/.ATTRIBUTES/VARIABLE_VALUE"};
  std::vector<std::string> keys;
  for (int i = 0; i < sizes.many_count; ++i) {
    char key[64];
    std::snprintf(key, sizeof(key), "model/layer_%05d/kernel/.ATTRIBUTES/VARIABLE_VALUE", i);
    keys.push_back(key);
  }
  return keys;
}

StatusOr<SourceTensors> MakeSource(const Sizes& sizes, Layout layout) {
  SourceTensors src;
  const int64_t elements = layout == Layout::kOne ? sizes.one_elements()
                                                  : sizes.many_elements() * sizes.many_count;
  TFCKPT_ASSIGN_OR_RETURN(
      tensor::Tensor buffer,
      tensor::Tensor::Allocate(tensorflow::DT_FLOAT, tensor::TensorShape({elements})));
  FillPattern(buffer.mutable_raw_data(), buffer.TotalBytes(), 42);
  src.buffer = std::make_shared<tensor::Tensor>(std::move(buffer));
  src.total_bytes = src.buffer->TotalBytes();
  src.keys = SourceKeys(sizes, layout);
  if (layout == Layout::kOne) {
    src.tensors.push_back(*src.buffer);
    src.largest_bytes = src.total_bytes;
    return src;
  }
  const int64_t per = sizes.many_elements();
  for (int i = 0; i < sizes.many_count; ++i) {
    src.tensors.push_back(tensor::Tensor::Borrow(
        tensorflow::DT_FLOAT, tensor::TensorShape({per}),
        src.buffer->raw_data() + static_cast<uint64_t>(i) * static_cast<uint64_t>(per) * 4,
        src.buffer));
  }
  src.largest_bytes = static_cast<uint64_t>(per) * 4;
  return src;
}

void RemoveBundle(const std::string& prefix) {
  io::Env* env = io::Env::Default();
  for (const std::string& f : {bundle::MetaFilename(prefix), bundle::DataFilename(prefix, 0, 1)}) {
    if (env->FileExists(f)) env->DeleteFile(f).IgnoreError();
  }
}

Status WriteBundle(io::Env* env, const std::string& prefix, const SourceTensors& src) {
  bundle::BundleWriter writer(env, prefix);
  for (size_t i = 0; i < src.tensors.size(); ++i) {
    TFCKPT_RETURN_IF_ERROR(writer.Add(src.keys[i], src.tensors[i]));
  }
  return writer.Finish();
}

StatusOr<ReadResult> ReadBundle(io::Env* env, const std::string& prefix,
                                const std::vector<std::string>& keys, uint64_t bytes_per_key,
                                const ReadSpec& spec) {
  TFCKPT_ASSIGN_OR_RETURN(auto reader, bundle::BundleReader::Open(env, prefix));
  const char* mapped = nullptr;
  if (spec.release_pages) {
    TFCKPT_ASSIGN_OR_RETURN(auto file, reader->DataFile(0));
    mapped = file->MappedData();
  }
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  ReadResult result;
  for (size_t i = 0; i < keys.size(); ++i) {
    TFCKPT_ASSIGN_OR_RETURN(tensor::Tensor t, reader->Lookup(keys[i], nullptr, spec.options));
    if (t.TotalBytes() != bytes_per_key) {
      return InternalError(StrCat(keys[i], ": read ", t.TotalBytes(), " bytes, expected ",
                                  bytes_per_key));
    }
    if (spec.touch_pages) {
      const volatile char* p = t.raw_data();
      uint64_t sum = 0;
      for (uint64_t off = 0; off < bytes_per_key; off += 4096) sum += static_cast<uint8_t>(p[off]);
      result.touch_sum += sum;
    }
    ++result.tensors;
    result.bytes += t.TotalBytes();
    if (spec.keep_last && i + 1 == keys.size()) {
      result.last = std::move(t);
    } else if (mapped != nullptr) {
      t = tensor::Tensor();
      TFCKPT_ASSIGN_OR_RETURN(auto entry, reader->GetEntry(keys[i]));
      // Everything up to the tensor's end, not just its own pages: the
      // kernel's fault-around (and large page-cache folios) map pages just
      // behind a faulting address again, which per-tensor ranges would miss
      // (RSS then still grows by ~70% of the data).
      const uint64_t end = static_cast<uint64_t>(entry.proto.offset() + entry.proto.size());
      if (::madvise(const_cast<char*>(mapped), end / page * page, MADV_DONTNEED) != 0) {
        return InternalError(StrCat("madvise: ", std::strerror(errno)));
      }
    }
  }
  if (spec.before_close) spec.before_close();
  return result;
}

Status ValidateBundle(io::Env* env, const std::string& prefix, uint64_t expected_bytes,
                      int threads) {
  check::ValidateOptions options;
  options.threads = threads;
  check::Report report = check::Validate(env, prefix, options);
  if (!report.ok() || !report.defects.empty()) {
    return InternalError(StrCat("validate ", prefix, ": ", report.defects.size(), " defects"));
  }
  if (report.bytes_checked != expected_bytes) {
    return InternalError(StrCat("validate ", prefix, ": checked ", report.bytes_checked,
                                " bytes, expected ", expected_bytes));
  }
  return OkStatus();
}

std::vector<std::string> IndexKeys(int count) {
  std::vector<std::string> keys;
  keys.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    char key[80];
    std::snprintf(key, sizeof(key), "model/layer_%07d/kernel/.ATTRIBUTES/VARIABLE_VALUE", i);
    keys.push_back(key);
  }
  return keys;  // zero-padded, so already in key order
}

Status WriteIndexBundle(const std::string& prefix, const std::vector<std::string>& keys) {
  bundle::BundleWriter writer(NoSyncEnv(), prefix);
  for (size_t i = 0; i < keys.size(); ++i) {
    const tensor::Tensor t =
        tensor::Tensor::FromVector<float>(tensorflow::DT_FLOAT, {}, {static_cast<float>(i)});
    TFCKPT_RETURN_IF_ERROR(writer.Add(keys[i], t));
  }
  return writer.Finish();
}

MemoryStats ReadMemoryStats() {
  MemoryStats m;
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) == 0) m.max_rss = static_cast<uint64_t>(ru.ru_maxrss) * 1024;
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    unsigned long long kb = 0;
    if (std::sscanf(line.c_str(), "RssAnon: %llu kB", &kb) == 1) m.rss_anon = kb * 1024;
    if (std::sscanf(line.c_str(), "RssFile: %llu kB", &kb) == 1) m.rss_file = kb * 1024;
  }
  return m;
}

namespace {

std::string ProbePrefix(const std::string& dir, const char* name) {
  return io::JoinPath(dir, name);
}

void PrintProbe(std::ostream& out, const std::string& op, const MemoryStats& at_end,
                uint64_t largest, uint64_t data_bytes) {
  const MemoryStats now = ReadMemoryStats();  // max_rss is monotonic: take the latest
  out << "{\"op\":\"" << op << "\",\"max_rss\":" << now.max_rss
      << ",\"rss_anon_at_end\":" << at_end.rss_anon << ",\"rss_file_at_end\":" << at_end.rss_file
      << ",\"largest_tensor\":" << largest << ",\"data_bytes\":" << data_bytes << "}\n";
}

}  // namespace

std::vector<std::string> ProbeOps() {
  return {"prepare",      "baseline",       "write_one",         "write_many",
          "read_one",     "read_many",      "read_many_madvise", "read_one_copy",
          "read_many_copy", "validate_one", "validate_many"};
}

Status RunProbe(const std::string& op, const std::string& dir, const Sizes& sizes,
                std::ostream& out) {
  const std::string r_one = ProbePrefix(dir, "probe_one");
  const std::string r_many = ProbePrefix(dir, "probe_many");
  io::Env* env = io::Env::Mmap();
  TFCKPT_RETURN_IF_ERROR(env->CreateDirRecursively(dir));

  if (op == "prepare") {
    for (Layout layout : {Layout::kOne, Layout::kMany}) {
      TFCKPT_ASSIGN_OR_RETURN(SourceTensors src, MakeSource(sizes, layout));
      TFCKPT_RETURN_IF_ERROR(
          WriteBundle(NoSyncEnv(), layout == Layout::kOne ? r_one : r_many, src));
    }
    out << "{\"op\":\"prepare\"}\n";
    return OkStatus();
  }
  if (op == "baseline") {
    PrintProbe(out, op, ReadMemoryStats(), 0, 0);
    return OkStatus();
  }
  if (op == "write_one" || op == "write_many") {
    const Layout layout = op == "write_one" ? Layout::kOne : Layout::kMany;
    TFCKPT_ASSIGN_OR_RETURN(SourceTensors src, MakeSource(sizes, layout));
    const std::string prefix = ProbePrefix(dir, "probe_write");
    TFCKPT_RETURN_IF_ERROR(WriteBundle(env, prefix, src));  // as shipped: with fsync
    const MemoryStats end = ReadMemoryStats();
    RemoveBundle(prefix);
    PrintProbe(out, op, end, src.largest_bytes, src.total_bytes);
    return OkStatus();
  }
  const bool one = op.find("_one") != std::string::npos;
  const std::string prefix = one ? r_one : r_many;
  const uint64_t per = one ? static_cast<uint64_t>(sizes.one_elements()) * 4
                           : sizes.many_tensor_bytes();
  const uint64_t total = one ? per : sizes.many_bytes();
  if (op.rfind("validate_", 0) == 0) {
    TFCKPT_RETURN_IF_ERROR(ValidateBundle(env, prefix, total));
    PrintProbe(out, op, ReadMemoryStats(), per, total);
    return OkStatus();
  }
  if (op.rfind("read_", 0) == 0) {
    const std::vector<std::string> keys = SourceKeys(sizes, one ? Layout::kOne : Layout::kMany);
    ReadSpec spec;  // verify_crc, materialize, zero_copy: Lookup's defaults
    spec.options.zero_copy = op.find("_copy") == std::string::npos;
    spec.release_pages = op.find("_madvise") != std::string::npos;
    spec.keep_last = true;  // the caller holds the (last) tensor it asked for
    MemoryStats end;
    spec.before_close = [&end] { end = ReadMemoryStats(); };
    TFCKPT_ASSIGN_OR_RETURN(ReadResult r, ReadBundle(env, prefix, keys, per, spec));
    if (r.bytes != total) return InternalError("short read");
    PrintProbe(out, op, end, per, total);
    return OkStatus();
  }
  return InvalidArgumentError(StrCat("unknown probe op ", op));
}

}  // namespace tfckpt::bench
