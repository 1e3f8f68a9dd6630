// The storage benchmarks (docs/PERFORMANCE.md): machine limits (memcpy,
// CRC32C), BundleWriter, BundleReader::Lookup, check::Validate and index
// lookups, registered with Google Benchmark. storage_bench_main.cc runs them
// at the storage issue's sizes; storage_bench_smoke_test.cc runs each once
// at tiny sizes for correctness only.
#ifndef TFCKPT_BENCH_STORAGE_BENCH_H_
#define TFCKPT_BENCH_STORAGE_BENCH_H_

#include <string>

#include "bench/storage_ops.h"

namespace tfckpt::bench {

struct BenchConfig {
  Sizes sizes;
  std::string dir;     // scratch directory (created; emptied by Cleanup)
  int reps = 5;        // repetitions of each page-cache bulk measurement
  int fsync_reps = 3;  // repetitions of each measurement that fsyncs 1 GiB
  int index_reps = 3;  // repetitions of each per-operation index measurement
  // Smoke mode: a fixed handful of iterations everywhere, no min time.
  bool smoke = false;
};

// Registers every benchmark. Data sets are built lazily on first use and
// kept for the process's lifetime. Call once.
void RegisterStorageBenchmarks(const BenchConfig& config);

// Frees the data sets and removes every file the benchmarks wrote.
void CleanupStorageBenchmarks();

}  // namespace tfckpt::bench

#endif  // TFCKPT_BENCH_STORAGE_BENCH_H_
