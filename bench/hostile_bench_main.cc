// hostile_bench: what validation costs on hostile files (bench/hostile_files.h),
// against a real checkpoint, in time and peak memory per byte on disk.
//
//   hostile_bench [--dir=D] [--real_bytes=N] [--shared_range_entries=N]
//                 [--shared_range_bytes=N] [--slices=N] [--block_entries=N]
//                 [--write_only] [Google Benchmark flags, e.g. --benchmark_format=json]
//
// Writes the cases under --dir (default: a mktemp -d under $TMPDIR or /tmp,
// removed at exit). --write_only (needs --dir) writes them, lists them and
// exits, e.g. to time another build's `tfckpt validate` on the same files.
// docs/PERFORMANCE.md "Hostile files" has a run.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/bench_main.h"
#include "bench/hostile_bench.h"
#include "bench/hostile_files.h"

int main(int argc, char** argv) {
  tfckpt::bench::HostileSizes sizes;
  std::string dir;
  bool write_only = false;
  std::vector<char*> rest = tfckpt::bench::BenchFlags()
                                .AddSwitch("write_only", &write_only)
                                .Add("dir", &dir)
                                .Add("real_bytes", &sizes.real_bytes)
                                .Add("shared_range_entries", &sizes.shared_range_entries)
                                .Add("shared_range_bytes", &sizes.shared_range_bytes)
                                .Add("slices", &sizes.slices)
                                .Add("block_entries", &sizes.block_entries)
                                .Parse(argc, argv);
  bool made = false;
  if (write_only && dir.empty()) {
    std::fprintf(stderr, "hostile_bench: --write_only needs --dir\n");
    return 2;
  }
  if (dir.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = std::string(tmp != nullptr ? tmp : "/tmp") + "/hostile_bench.XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr) return 2;
    dir = templ;
    made = true;
  }
  auto files = tfckpt::bench::WriteHostileFiles(dir, sizes);
  if (!files.ok()) {
    std::fprintf(stderr, "hostile_bench: %s\n", files.status().ToString().c_str());
    return 2;
  }
  if (write_only) {
    for (const auto& f : *files) {
      std::printf("%s\t%llu bytes\t%s\t%s\n", f.name.c_str(),
                  static_cast<unsigned long long>(f.bytes_on_disk), f.path.c_str(), f.what.c_str());
    }
    return 0;
  }
  for (const auto& f : *files) {
    benchmark::AddCustomContext("case_" + f.name,
                                std::to_string(f.bytes_on_disk) + " bytes on disk: " + f.what);
  }
  tfckpt::bench::RegisterHostileBenchmarks(*files, /*smoke=*/false);
  const int rc = tfckpt::bench::RunBenchmarks(rest);
  std::error_code ignored;
  if (made) std::filesystem::remove_all(dir, ignored);
  return rc;
}
