// storage_bench: the storage benchmarks at the storage issue's sizes.
//
//   storage_bench --dir=/tmp/x [--one_bytes=N] [--many_count=N]
//                 [--many_total_bytes=N] [--index_entries=N] [--reps=N]
//                 [--fsync_reps=N] [--index_reps=N] [Google Benchmark flags]
//
// Writes about 4 GiB under --dir (removed at exit) and keeps about 2 GiB of
// source tensors in memory. bench/run_benchmarks.sh is the usual driver.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <vector>

#include "bench/bench_main.h"
#include "bench/storage_bench.h"

int main(int argc, char** argv) {
  tfckpt::bench::BenchConfig config;
  auto& s = config.sizes;
  std::vector<char*> rest = tfckpt::bench::BenchFlags()
                                .Add("dir", &config.dir)
                                .Add("one_bytes", &s.one_bytes)
                                .Add("many_count", &s.many_count)
                                .Add("many_total_bytes", &s.many_total_bytes)
                                .Add("index_entries", &s.index_entries)
                                .Add("reps", &config.reps)
                                .Add("fsync_reps", &config.fsync_reps)
                                .Add("index_reps", &config.index_reps)
                                .Parse(argc, argv);
  if (config.dir.empty()) {
    std::fprintf(stderr, "storage_bench: --dir=<scratch directory> is required\n");
    return 2;
  }
  benchmark::AddCustomContext("tfckpt_dir", config.dir);
  benchmark::AddCustomContext("tfckpt_one_bytes", std::to_string(s.one_bytes));
  benchmark::AddCustomContext("tfckpt_many_count", std::to_string(s.many_count));
  benchmark::AddCustomContext("tfckpt_many_tensor_bytes", std::to_string(s.many_tensor_bytes()));
  benchmark::AddCustomContext("tfckpt_many_bytes", std::to_string(s.many_bytes()));
  benchmark::AddCustomContext("tfckpt_index_entries", std::to_string(s.index_entries));

  tfckpt::bench::RegisterStorageBenchmarks(config);
  const int rc = tfckpt::bench::RunBenchmarks(rest);
  tfckpt::bench::CleanupStorageBenchmarks();
  return rc;
}
