// Storage benchmarks. Every bulk measurement times exactly one operation
// per iteration with a steady clock (UseManualTime), so setup and teardown
// (deleting the previous output, syncfs, unmapping the result) stay out of
// the number; each is repeated and run_benchmarks.sh takes the median.
//
// Names (the report script keys on them):
//   limit/memcpy/{4k,thp}      memcpy of one_bytes between two faulted-in buffers
//   limit/crc32c/{4k,thp}      io::crc32c::Value over one_bytes
//                              (4 KiB pages / transparent huge pages)
//                              (run first and again last; the report merges them)
//   ref/alloc_first_touch      mmap + memset of one_bytes of fresh memory
//   ref/write/page_cache       write(2) of one_bytes to a new file, no fsync
//   ref/write/fdatasync        ... and fdatasync: the disk's write speed
//   write/<layout>/no_fsync    BundleWriter Add* + Finish, Sync() only flushes
//   write/<layout>/fsync       BundleWriter Add* + Finish as shipped (fsyncs)
//   read/<layout>/zero_copy_crc        Open + Lookup through Env::Mmap (borrow, CRC)
//   read/<layout>/copy_crc             ... with zero_copy = false
//   read/<layout>/zero_copy_nocrc_touch  ... without CRC, then one byte per
//                                        page touched by the caller
//   read/<layout>/pread_crc            Open + Lookup through Env::Default
//                                      (pread into the tensor's buffer, CRC)
//   read/<layout>/get_entry_only       Open + GetEntry of every key (no data)
//   validate/<layout>          check::Validate of the prefix (threads: its choice)
//   validate/<layout>/1thread  ... on one thread
//   validate/<layout>/mmap     ... through Env::Mmap instead of Env::Default (pread)
//   index/*                    per operation, in a bundle of index_entries keys
// <layout> is "one" (one tensor) or "many" (many_count tensors).
#include "bench/storage_bench.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <benchmark/benchmark.h>

#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <random>

#include "src/bundle/bundle_reader.h"
#include "src/bundle/naming.h"
#include "src/io/crc32c.h"
#include "src/table/table.h"

namespace tfckpt::bench {
namespace {

struct ReadDataset {
  std::string prefix;
  std::vector<std::string> keys;
  uint64_t bytes_per_key = 0;
  uint64_t total_bytes = 0;
};

struct IndexDataset {
  std::string prefix;
  std::vector<std::string> keys;
  std::vector<uint32_t> order;  // random permutation (prefix) of key indexes
  uint64_t index_file_bytes = 0;
};

struct Context {
  BenchConfig config;
  std::map<Layout, std::unique_ptr<SourceTensors>> sources;
  std::map<Layout, std::unique_ptr<ReadDataset>> reads;
  std::unique_ptr<IndexDataset> index;
};

Context* ctx() {
  static Context* c = new Context;
  return c;
}

std::string Path(const std::string& name) { return io::JoinPath(ctx()->config.dir, name); }

// Wall-clock and process CPU time of one call. The wall clock is the
// measurement; CPU time (user + system, this process only) shows how much of
// it other jobs on a shared machine took away.
struct Timing {
  double wall = 0;
  double cpu = 0;
};

double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

template <typename F>
Timing TimeIt(F&& f) {
  const double cpu0 = CpuSeconds();
  const auto start = std::chrono::steady_clock::now();
  f();
  Timing t;
  t.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  t.cpu = CpuSeconds() - cpu0;
  return t;
}

// Records one iteration (every bulk benchmark runs Iterations(1)).
void Record(benchmark::State& state, const Timing& t) {
  state.SetIterationTime(t.wall);
  state.counters["cpu_secs"] = t.cpu;
}

// Flushes the scratch file system so that writeback (or the discard of a
// deleted file's blocks) left over from the previous iteration does not run
// inside the next one.
void SyncScratchFs() {
  const int fd = ::open(ctx()->config.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::syncfs(fd);
    ::close(fd);
  }
}

void SetBytes(benchmark::State& state, uint64_t bytes) {
  state.SetBytesProcessed(static_cast<int64_t>(bytes) * state.iterations());
  state.counters["bytes"] = static_cast<double>(bytes);
}

const SourceTensors* Source(Layout layout, benchmark::State& state) {
  auto& slot = ctx()->sources[layout];
  if (slot == nullptr) {
    auto src = MakeSource(ctx()->config.sizes, layout);
    if (!src.ok()) {
      state.SkipWithError(src.status().ToString().c_str());
      return nullptr;
    }
    slot = std::make_unique<SourceTensors>(std::move(*src));
  }
  return slot.get();
}

const ReadDataset* Dataset(Layout layout, benchmark::State& state) {
  auto& slot = ctx()->reads[layout];
  if (slot == nullptr) {
    const SourceTensors* src = Source(layout, state);
    if (src == nullptr) return nullptr;
    auto ds = std::make_unique<ReadDataset>();
    ds->prefix = Path(std::string("read_") + LayoutName(layout));
    ds->keys = src->keys;
    ds->bytes_per_key = src->largest_bytes;  // all tensors of a layout have one size
    ds->total_bytes = src->total_bytes;
    RemoveBundle(ds->prefix);
    const Status s = WriteBundle(NoSyncEnv(), ds->prefix, *src);
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      return nullptr;
    }
    SyncScratchFs();  // reads then see a clean, fully cached file
    slot = std::move(ds);
  }
  return slot.get();
}

const IndexDataset* Index(benchmark::State& state) {
  auto& slot = ctx()->index;
  if (slot == nullptr) {
    auto ds = std::make_unique<IndexDataset>();
    ds->prefix = Path("index");
    ds->keys = IndexKeys(ctx()->config.sizes.index_entries);
    RemoveBundle(ds->prefix);
    const Status s = WriteIndexBundle(ds->prefix, ds->keys);
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      return nullptr;
    }
    auto size = io::Env::Default()->GetFileSize(bundle::MetaFilename(ds->prefix));
    ds->index_file_bytes = size.ok() ? *size : 0;
    ds->order.resize(std::min<size_t>(ds->keys.size(), size_t{1} << 20));
    std::mt19937_64 rng(1234);
    std::uniform_int_distribution<uint32_t> pick(0, static_cast<uint32_t>(ds->keys.size() - 1));
    for (uint32_t& i : ds->order) i = pick(rng);
    SyncScratchFs();
    slot = std::move(ds);
  }
  return slot.get();
}

// ---- limits -----------------------------------------------------------------

// A buffer for the limits, backed by 4 KiB pages (like Tensor::Allocate's)
// or by transparent huge pages where the kernel grants them (fewer TLB
// misses; the page cache may use large folios too). The limit reported is
// the faster of the two, so no operation can beat its limit by page size.
class LimitBuffer {
 public:
  LimitBuffer(uint64_t n, bool huge) : n_(n) {
    constexpr uint64_t kHuge = uint64_t{2} << 20;
    mapped_ = (n + kHuge - 1) / kHuge * kHuge;
    void* p = ::mmap(nullptr, mapped_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return;
    data_ = static_cast<char*>(p);
    ::madvise(data_, mapped_, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
  }
  ~LimitBuffer() {
    if (data_ != nullptr) ::munmap(data_, mapped_);
  }
  char* data() const { return data_; }
  uint64_t size() const { return n_; }

 private:
  uint64_t n_;
  uint64_t mapped_ = 0;
  char* data_ = nullptr;
};

// A field of /proc/self/smaps_rollup in bytes (0 if absent): AnonHugePages
// shows whether THP was granted to a limit buffer, FilePmdMapped whether a
// data file's page cache is mapped with 2 MiB entries.
double SmapsRollup(const char* field) {
  std::ifstream in("/proc/self/smaps_rollup");
  std::string line;
  const std::string prefix = std::string(field) + ":";
  while (std::getline(in, line)) {
    unsigned long long kb = 0;
    if (line.rfind(prefix, 0) == 0 &&
        std::sscanf(line.c_str() + prefix.size(), "%llu", &kb) == 1) {
      return kb * 1024.0;
    }
  }
  return 0;
}
double AnonHugePages() { return SmapsRollup("AnonHugePages"); }

void BM_Memcpy(benchmark::State& state, bool huge) {
  const SourceTensors* src = Source(Layout::kOne, state);
  if (src == nullptr) return;
  const uint64_t n = src->total_bytes;
  LimitBuffer from(n, huge), to(n, huge);
  if (from.data() == nullptr || to.data() == nullptr) return state.SkipWithError("mmap failed");
  std::memcpy(from.data(), src->buffer->raw_data(), n);
  std::memset(to.data(), 1, n);  // fault in
  state.counters["anon_huge_bytes"] = AnonHugePages();
  for (auto _ : state) {
    const Timing t = TimeIt([&] { std::memcpy(to.data(), from.data(), n); });
    benchmark::DoNotOptimize(to.data());
    benchmark::ClobberMemory();
    Record(state, t);
  }
  if (std::memcmp(to.data(), src->buffer->raw_data(), n) != 0) {
    state.SkipWithError("memcpy result differs");
  }
  SetBytes(state, n);
}

void BM_Crc32c(benchmark::State& state, bool huge) {
  const SourceTensors* src = Source(Layout::kOne, state);
  if (src == nullptr) return;
  const uint64_t n = src->total_bytes;
  LimitBuffer buf(n, huge);
  if (buf.data() == nullptr) return state.SkipWithError("mmap failed");
  std::memcpy(buf.data(), src->buffer->raw_data(), n);
  state.counters["anon_huge_bytes"] = AnonHugePages();
  const uint32_t expected = io::crc32c::Value(src->buffer->raw_data(), n);
  uint32_t crc = 0;
  for (auto _ : state) {
    const Timing t = TimeIt([&] { crc = io::crc32c::Value(buf.data(), n); });
    benchmark::DoNotOptimize(crc);
    Record(state, t);
  }
  if (crc != expected) state.SkipWithError("crc differs");
  SetBytes(state, n);
}

// Fresh anonymous memory (4 KiB pages) written once: what a new tensor
// buffer costs before any byte of it is useful (page faults, zeroing).
void BM_FirstTouch(benchmark::State& state) {
  const uint64_t n = ctx()->config.sizes.one_bytes;
  for (auto _ : state) {
    LimitBuffer* buf = nullptr;
    const Timing t = TimeIt([&] {
      buf = new LimitBuffer(n, false);
      if (buf->data() != nullptr) std::memset(buf->data(), 1, n);
    });
    const bool ok = buf->data() != nullptr;
    delete buf;  // untimed munmap
    if (!ok) {
      state.SkipWithError("mmap failed");
      break;
    }
    Record(state, t);
  }
  SetBytes(state, n);
}

Status PlainWrite(const std::string& path, const char* data, uint64_t n, bool sync) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return InternalError(StrCat("open ", path, ": ", std::strerror(errno)));
  while (n > 0) {
    const ssize_t w = ::write(fd, data, std::min<uint64_t>(n, uint64_t{1} << 30));
    if (w < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return InternalError(StrCat("write ", path, ": ", std::strerror(errno)));
    }
    data += w;
    n -= static_cast<uint64_t>(w);
  }
  if (sync && ::fdatasync(fd) != 0) {
    ::close(fd);
    return InternalError(StrCat("fdatasync ", path, ": ", std::strerror(errno)));
  }
  ::close(fd);
  return OkStatus();
}

void BM_RefWrite(benchmark::State& state, bool sync) {
  const SourceTensors* src = Source(Layout::kOne, state);
  if (src == nullptr) return;
  const std::string path = Path("ref_write");
  for (auto _ : state) {
    ::unlink(path.c_str());
    SyncScratchFs();
    Status s;
    const Timing t =
        TimeIt([&] { s = PlainWrite(path, src->buffer->raw_data(), src->total_bytes, sync); });
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
    Record(state, t);
  }
  ::unlink(path.c_str());
  SetBytes(state, src->total_bytes);
}

// ---- bundle write / read / validate ------------------------------------------

void BM_Write(benchmark::State& state, Layout layout, bool fsync) {
  const SourceTensors* src = Source(layout, state);
  if (src == nullptr) return;
  const std::string prefix = Path(std::string("write_") + LayoutName(layout));
  io::Env* env = fsync ? io::Env::Default() : NoSyncEnv();
  for (auto _ : state) {
    RemoveBundle(prefix);
    SyncScratchFs();
    Status s;
    const Timing t = TimeIt([&] { s = WriteBundle(env, prefix, *src); });
    if (s.ok()) {
      auto size = env->GetFileSize(bundle::DataFilename(prefix, 0, 1));
      if (!size.ok() || *size != src->total_bytes) s = InternalError("data file has wrong size");
    }
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
    Record(state, t);
  }
  RemoveBundle(prefix);
  SetBytes(state, src->total_bytes);
  state.counters["tensors"] = static_cast<double>(src->tensors.size());
}

enum class ReadMode { kZeroCopyCrc, kCopyCrc, kZeroCopyNoCrcTouch };

// env: Env::Mmap() (zero-copy: the tensor borrows the page cache) or
// Env::Default() (pread into the tensor's own buffer; no SIGBUS when a file
// shrinks), for the cost of that choice.
void BM_Read(benchmark::State& state, Layout layout, ReadMode mode, io::Env* env) {
  const ReadDataset* ds = Dataset(layout, state);
  if (ds == nullptr) return;
  ReadSpec spec;
  spec.options.zero_copy = mode != ReadMode::kCopyCrc;
  spec.options.verify_crc = mode != ReadMode::kZeroCopyNoCrcTouch;
  spec.touch_pages = mode == ReadMode::kZeroCopyNoCrcTouch;
  // The caller keeps what it read; releasing it (munmap/free) is not timed.
  spec.keep_last = true;
  for (auto _ : state) {
    std::optional<StatusOr<ReadResult>> r;
    const Timing t = TimeIt(
        [&] { r.emplace(ReadBundle(env, ds->prefix, ds->keys, ds->bytes_per_key, spec)); });
    Status s = r->status();
    if (s.ok() && (*r)->bytes != ds->total_bytes) s = InternalError("short read");
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize((*r)->touch_sum);
    Record(state, t);
    if (spec.options.zero_copy && env == io::Env::Mmap()) {
      // The last tensor still borrows the data file's mapping.
      state.counters["file_pmd_mapped_bytes"] = SmapsRollup("FilePmdMapped");
    }
    r.reset();  // untimed teardown
  }
  SetBytes(state, ds->total_bytes);
  state.counters["tensors"] = static_cast<double>(ds->keys.size());
}

// Diagnostic: Open + GetEntry of every key, no tensor bytes read: what the
// index costs a Lookup.
void BM_GetEntryOnly(benchmark::State& state, Layout layout) {
  const ReadDataset* ds = Dataset(layout, state);
  if (ds == nullptr) return;
  for (auto _ : state) {
    Status s;
    const Timing t = TimeIt([&] {
      auto reader = bundle::BundleReader::Open(io::Env::Mmap(), ds->prefix);
      s = reader.status();
      for (size_t i = 0; s.ok() && i < ds->keys.size(); ++i) {
        auto e = (*reader)->GetEntry(ds->keys[i]);
        s = e.status();
        if (s.ok() && static_cast<uint64_t>(e->proto.size()) != ds->bytes_per_key) {
          s = InternalError("wrong entry size");
        }
      }
    });
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
    Record(state, t);
  }
  state.counters["tensors"] = static_cast<double>(ds->keys.size());
}

// threads: ValidateOptions::threads (0: the validator's choice). env:
// Env::Default() (pread) as `tfckpt validate` reads (no SIGBUS when a file
// shrinks), or Env::Mmap() for the cost of that choice.
void BM_Validate(benchmark::State& state, Layout layout, int threads, io::Env* env) {
  const ReadDataset* ds = Dataset(layout, state);
  if (ds == nullptr) return;
  for (auto _ : state) {
    Status s;
    const Timing t =
        TimeIt([&] { s = ValidateBundle(env, ds->prefix, ds->total_bytes, threads); });
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
    Record(state, t);
  }
  SetBytes(state, ds->total_bytes);
  state.counters["tensors"] = static_cast<double>(ds->keys.size());
}

// ---- index -----------------------------------------------------------------

void IndexCounters(benchmark::State& state, const IndexDataset& ds) {
  state.counters["entries"] = static_cast<double>(ds.keys.size());
  state.counters["index_file_bytes"] = static_cast<double>(ds.index_file_bytes);
}

void BM_TableOpen(benchmark::State& state) {
  const IndexDataset* ds = Index(state);
  if (ds == nullptr) return;
  const std::string path = bundle::MetaFilename(ds->prefix);
  for (auto _ : state) {
    auto file = io::Env::Mmap()->NewRandomAccessFile(path);
    if (!file.ok()) {
      state.SkipWithError(file.status().ToString().c_str());
      break;
    }
    auto table = table::Table::Open(std::move(*file));
    if (!table.ok()) {
      state.SkipWithError(table.status().ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(table->get());
  }
  IndexCounters(state, *ds);
}

void BM_TableGet(benchmark::State& state) {
  const IndexDataset* ds = Index(state);
  if (ds == nullptr) return;
  auto file = io::Env::Mmap()->NewRandomAccessFile(bundle::MetaFilename(ds->prefix));
  if (!file.ok()) return state.SkipWithError(file.status().ToString().c_str());
  auto table = table::Table::Open(std::move(*file));
  if (!table.ok()) return state.SkipWithError(table.status().ToString().c_str());
  size_t i = 0;
  for (auto _ : state) {
    const std::string& key = ds->keys[ds->order[i++ % ds->order.size()]];
    auto v = (*table)->Get(key);
    if (!v.ok() || !v->has_value()) {
      state.SkipWithError(StrCat("Get(", key, ") failed").c_str());
      break;
    }
    benchmark::DoNotOptimize(v->value().data());
  }
  IndexCounters(state, *ds);
}

void BM_BundleOpen(benchmark::State& state) {
  const IndexDataset* ds = Index(state);
  if (ds == nullptr) return;
  for (auto _ : state) {
    auto reader = bundle::BundleReader::Open(io::Env::Mmap(), ds->prefix);
    if (!reader.ok()) {
      state.SkipWithError(reader.status().ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(reader->get());
  }
  IndexCounters(state, *ds);
}

Status LookupScalar(const bundle::BundleReader& reader, const IndexDataset& ds, uint32_t i) {
  auto t = reader.Lookup(ds.keys[i]);
  if (!t.ok()) return t.status();
  if (t->num_elements() != 1 || t->flat<float>()[0] != static_cast<float>(i)) {
    return InternalError(StrCat("wrong value for ", ds.keys[i]));
  }
  return OkStatus();
}

void BM_BundleLookup(benchmark::State& state) {
  const IndexDataset* ds = Index(state);
  if (ds == nullptr) return;
  auto reader = bundle::BundleReader::Open(io::Env::Mmap(), ds->prefix);
  if (!reader.ok()) return state.SkipWithError(reader.status().ToString().c_str());
  size_t i = 0;
  for (auto _ : state) {
    const Status s = LookupScalar(**reader, *ds, ds->order[i++ % ds->order.size()]);
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
  }
  IndexCounters(state, *ds);
}

void BM_OpenAndLookup(benchmark::State& state) {
  const IndexDataset* ds = Index(state);
  if (ds == nullptr) return;
  size_t i = 0;
  for (auto _ : state) {
    auto reader = bundle::BundleReader::Open(io::Env::Mmap(), ds->prefix);
    Status s = reader.status();
    if (s.ok()) s = LookupScalar(**reader, *ds, ds->order[i++ % ds->order.size()]);
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
  }
  IndexCounters(state, *ds);
}

}  // namespace

void RegisterStorageBenchmarks(const BenchConfig& config) {
  ctx()->config = config;
  const BenchConfig& c = ctx()->config;
  io::Env::Default()->CreateDirRecursively(c.dir).IgnoreError();

  const auto bulk = [&c](const std::string& name, auto fn, bool fsync) {
    benchmark::internal::Benchmark* b = benchmark::RegisterBenchmark(name.c_str(), fn);
    b->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(1);
    b->Repetitions(c.smoke ? 1 : (fsync ? c.fsync_reps : c.reps));
  };
  const auto per_op = [&c](const std::string& name, auto fn) {
    benchmark::internal::Benchmark* b = benchmark::RegisterBenchmark(name.c_str(), fn);
    b->Unit(benchmark::kMicrosecond)->UseRealTime();
    if (c.smoke) {
      b->Iterations(3);
    } else {
      b->MinTime(0.5)->Repetitions(c.index_reps);
    }
  };

  // The limits run first and again last (same names): other jobs on a
  // shared machine come and go, and the best of both windows is the limit.
  const auto limits = [&bulk] {
    bulk("limit/memcpy/4k", [](benchmark::State& s) { BM_Memcpy(s, false); }, false);
    bulk("limit/memcpy/thp", [](benchmark::State& s) { BM_Memcpy(s, true); }, false);
    bulk("limit/crc32c/4k", [](benchmark::State& s) { BM_Crc32c(s, false); }, false);
    bulk("limit/crc32c/thp", [](benchmark::State& s) { BM_Crc32c(s, true); }, false);
  };
  limits();
  bulk("ref/alloc_first_touch", BM_FirstTouch, false);
  bulk("ref/write/page_cache", [](benchmark::State& s) { BM_RefWrite(s, false); }, false);
  bulk("ref/write/fdatasync", [](benchmark::State& s) { BM_RefWrite(s, true); }, true);
  for (Layout layout : {Layout::kOne, Layout::kMany}) {
    const std::string l = LayoutName(layout);
    bulk("write/" + l + "/no_fsync", [layout](benchmark::State& s) { BM_Write(s, layout, false); },
         false);
    bulk("write/" + l + "/fsync", [layout](benchmark::State& s) { BM_Write(s, layout, true); },
         true);
  }
  for (Layout layout : {Layout::kOne, Layout::kMany}) {
    const std::string l = LayoutName(layout);
    io::Env* mmap = io::Env::Mmap();
    bulk("read/" + l + "/zero_copy_crc",
         [layout, mmap](benchmark::State& s) { BM_Read(s, layout, ReadMode::kZeroCopyCrc, mmap); },
         false);
    bulk("read/" + l + "/copy_crc",
         [layout, mmap](benchmark::State& s) { BM_Read(s, layout, ReadMode::kCopyCrc, mmap); },
         false);
    bulk("read/" + l + "/zero_copy_nocrc_touch",
         [layout, mmap](benchmark::State& s) {
           BM_Read(s, layout, ReadMode::kZeroCopyNoCrcTouch, mmap);
         },
         false);
    // What the library reads through by default (Env::Default: pread).
    bulk("read/" + l + "/pread_crc",
         [layout](benchmark::State& s) {
           BM_Read(s, layout, ReadMode::kZeroCopyCrc, io::Env::Default());
         },
         false);
    bulk("read/" + l + "/get_entry_only",
         [layout](benchmark::State& s) { BM_GetEntryOnly(s, layout); }, false);
    bulk("validate/" + l,
         [layout](benchmark::State& s) { BM_Validate(s, layout, 0, io::Env::Default()); }, false);
    bulk("validate/" + l + "/1thread",
         [layout](benchmark::State& s) { BM_Validate(s, layout, 1, io::Env::Default()); }, false);
    bulk("validate/" + l + "/mmap",
         [layout](benchmark::State& s) { BM_Validate(s, layout, 0, io::Env::Mmap()); }, false);
  }
  per_op("index/table_open", BM_TableOpen);
  per_op("index/table_get_random", BM_TableGet);
  per_op("index/bundle_open", BM_BundleOpen);
  per_op("index/bundle_lookup_random", BM_BundleLookup);
  per_op("index/open_and_lookup", BM_OpenAndLookup);
  limits();
}

void CleanupStorageBenchmarks() {
  Context* c = ctx();
  for (auto& [layout, ds] : c->reads) {
    if (ds != nullptr) RemoveBundle(ds->prefix);
  }
  if (c->index != nullptr) RemoveBundle(c->index->prefix);
  c->reads.clear();
  c->sources.clear();
  c->index.reset();
  RemoveBundle(Path("write_one"));
  RemoveBundle(Path("write_many"));
  ::unlink(Path("ref_write").c_str());
}

}  // namespace tfckpt::bench
