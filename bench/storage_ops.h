// Shared pieces of the storage benchmarks (bench/storage_bench.cc), the
// peak-RSS probe (bench/rss_probe.cc) and their smoke test: the data sets
// (one big float tensor, N tensors of the same total size, an index of M
// entries), the operations being measured, an Env that skips fsync, and
// process memory statistics. Nothing here times anything.
#ifndef TFCKPT_BENCH_STORAGE_OPS_H_
#define TFCKPT_BENCH_STORAGE_OPS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "src/bundle/bundle_reader.h"
#include "src/bundle/tensor_data.h"
#include "src/io/env.h"
#include "src/io/status.h"
#include "src/tensor/tensor.h"

namespace tfckpt::bench {

// Sizes of the data sets. The defaults are the storage issue's: 1 GiB as
// one tensor and as 10k tensors, an index of 1M entries.
struct Sizes {
  uint64_t one_bytes = uint64_t{1} << 30;        // the single float tensor
  int many_count = 10000;                        // the "many tensors" layout
  uint64_t many_total_bytes = uint64_t{1} << 30; // ... and their total (rounded up)
  int index_entries = 1000000;                   // scalar tensors in the index bundle

  int64_t one_elements() const { return static_cast<int64_t>(one_bytes / 4); }
  // Floats per tensor of the many layout: ceil(total / count / 4).
  int64_t many_elements() const;
  uint64_t many_tensor_bytes() const { return static_cast<uint64_t>(many_elements()) * 4; }
  uint64_t many_bytes() const { return many_tensor_bytes() * static_cast<uint64_t>(many_count); }
};

enum class Layout { kOne, kMany };
const char* LayoutName(Layout layout);  // "one", "many"

// Env::Default() except that WritableFile::Sync only flushes and SyncDir
// does nothing: BundleWriter's work without the durability cost.
io::Env* NoSyncEnv();

// Fills `n` bytes with a fast pseudo-random pattern (never all zero, so no
// page is a shared zero page and nothing compresses).
void FillPattern(char* data, uint64_t n, uint64_t seed);

// Tensors to save, all views of one shared buffer (so the many layout costs
// no extra memory and every byte is distinct).
struct SourceTensors {
  std::shared_ptr<tensor::Tensor> buffer;  // owns the bytes
  std::vector<std::string> keys;
  std::vector<tensor::Tensor> tensors;
  uint64_t total_bytes = 0;
  uint64_t largest_bytes = 0;
};
StatusOr<SourceTensors> MakeSource(const Sizes& sizes, Layout layout);
// The keys MakeSource uses, in key order.
std::vector<std::string> SourceKeys(const Sizes& sizes, Layout layout);

// Removes <prefix>.index and its data file (absent files are fine).
void RemoveBundle(const std::string& prefix);

// Writes `src` as a bundle at `prefix` through `env` (Add in key order,
// then Finish).
Status WriteBundle(io::Env* env, const std::string& prefix, const SourceTensors& src);

// Reading: BundleReader::Open, then Lookup of every key in `keys` with
// spec.options; each tensor is dropped before the next Lookup (a streaming
// restore) except the last one with keep_last. Fails unless every key is
// found with `bytes_per_key` bytes.
struct ReadSpec {
  bundle::ReadDataOptions options;
  // Also read one byte of every 4 KiB page of each tensor: what the caller
  // of a lazily mapped tensor pays on first use when verify_crc is off.
  bool touch_pages = false;
  // Return the last tensor in ReadResult::last (a borrowed tensor keeps the
  // data file's mapping alive).
  bool keep_last = false;
  // What-if, not library behaviour: after each tensor is dropped, tell the
  // kernel the mapping up to that tensor's end is no longer needed
  // (MADV_DONTNEED; the pages stay in the page cache). For reads in file
  // order, as here.
  bool release_pages = false;
  // Called once after the last Lookup, before the reader is destroyed.
  std::function<void()> before_close;
};
struct ReadResult {
  uint64_t tensors = 0;
  uint64_t bytes = 0;
  uint64_t touch_sum = 0;  // keeps touch_pages from being optimised away
  tensor::Tensor last;
};
StatusOr<ReadResult> ReadBundle(io::Env* env, const std::string& prefix,
                                const std::vector<std::string>& keys, uint64_t bytes_per_key,
                                const ReadSpec& spec);

// check::Validate of a prefix (ValidateOptions::threads = `threads`; 0:
// the validator's choice); fails unless the report is clean and every data
// byte was CRC-checked.
Status ValidateBundle(io::Env* env, const std::string& prefix, uint64_t expected_bytes,
                      int threads = 0);

// The index data set: `count` scalar float tensors with TF2-style keys
// ("model/layer_000123/kernel/.ATTRIBUTES/VARIABLE_VALUE"), written with
// NoSyncEnv(). Returns the keys in key order.
std::vector<std::string> IndexKeys(int count);
Status WriteIndexBundle(const std::string& prefix, const std::vector<std::string>& keys);

// Process memory: getrusage's ru_maxrss (peak RSS, bytes) and the current
// RssAnon / RssFile of /proc/self/status (bytes; 0 if unavailable).
struct MemoryStats {
  uint64_t max_rss = 0;
  uint64_t rss_anon = 0;
  uint64_t rss_file = 0;
};
MemoryStats ReadMemoryStats();

// One peak-RSS probe operation (see rss_probe.cc for the list), run in the
// calling process against data under `dir`; prints one JSON line to `out`.
// "prepare" writes the bundles the read/validate probes use.
Status RunProbe(const std::string& op, const std::string& dir, const Sizes& sizes,
                std::ostream& out);
// Every probe op, "prepare" first.
std::vector<std::string> ProbeOps();

}  // namespace tfckpt::bench

#endif  // TFCKPT_BENCH_STORAGE_OPS_H_
