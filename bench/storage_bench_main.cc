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
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench/storage_bench.h"

namespace {

bool TakeFlag(const char* arg, const char* name, std::string* value) {
  const size_t n = std::strlen(name);
  if (std::strncmp(arg, "--", 2) != 0 || std::strncmp(arg + 2, name, n) != 0 ||
      arg[2 + n] != '=') {
    return false;
  }
  *value = arg + 3 + n;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  tfckpt::bench::BenchConfig config;
  std::vector<char*> rest = {argv[0]};
  for (int i = 1; i < argc; ++i) {
    std::string v;
    if (TakeFlag(argv[i], "dir", &v)) {
      config.dir = v;
    } else if (TakeFlag(argv[i], "one_bytes", &v)) {
      config.sizes.one_bytes = std::strtoull(v.c_str(), nullptr, 10);
    } else if (TakeFlag(argv[i], "many_count", &v)) {
      config.sizes.many_count = std::atoi(v.c_str());
    } else if (TakeFlag(argv[i], "many_total_bytes", &v)) {
      config.sizes.many_total_bytes = std::strtoull(v.c_str(), nullptr, 10);
    } else if (TakeFlag(argv[i], "index_entries", &v)) {
      config.sizes.index_entries = std::atoi(v.c_str());
    } else if (TakeFlag(argv[i], "reps", &v)) {
      config.reps = std::atoi(v.c_str());
    } else if (TakeFlag(argv[i], "fsync_reps", &v)) {
      config.fsync_reps = std::atoi(v.c_str());
    } else if (TakeFlag(argv[i], "index_reps", &v)) {
      config.index_reps = std::atoi(v.c_str());
    } else {
      rest.push_back(argv[i]);
    }
  }
  if (config.dir.empty()) {
    std::fprintf(stderr, "storage_bench: --dir=<scratch directory> is required\n");
    return 2;
  }
  const auto& s = config.sizes;
  benchmark::AddCustomContext("tfckpt_dir", config.dir);
  benchmark::AddCustomContext("tfckpt_one_bytes", std::to_string(s.one_bytes));
  benchmark::AddCustomContext("tfckpt_many_count", std::to_string(s.many_count));
  benchmark::AddCustomContext("tfckpt_many_tensor_bytes", std::to_string(s.many_tensor_bytes()));
  benchmark::AddCustomContext("tfckpt_many_bytes", std::to_string(s.many_bytes()));
  benchmark::AddCustomContext("tfckpt_index_entries", std::to_string(s.index_entries));

  tfckpt::bench::RegisterStorageBenchmarks(config);
  int rest_argc = static_cast<int>(rest.size());
  benchmark::Initialize(&rest_argc, rest.data());
  if (benchmark::ReportUnrecognizedArguments(rest_argc, rest.data())) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  tfckpt::bench::CleanupStorageBenchmarks();
  return 0;
}
