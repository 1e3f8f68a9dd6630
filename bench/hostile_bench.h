// The hostile-file benchmark (docs/PERFORMANCE.md "Hostile files"): what
// `tfckpt validate` costs on each file of hostile_files.h, in time and
// peak memory, against the bytes the case has on disk.
#ifndef TFCKPT_BENCH_HOSTILE_BENCH_H_
#define TFCKPT_BENCH_HOSTILE_BENCH_H_

#include <cstdint>
#include <string>
#include <vector>

#include "bench/hostile_files.h"
#include "src/check/validator.h"

namespace tfckpt::bench {

// One validation in a forked child (so its peak memory is its own): the
// child's peak RSS above that of a child that does nothing, and the
// defects it found.
struct ChildValidation {
  bool ran = false;        // the child exited normally
  int64_t peak_rss_delta = 0;  // bytes
  uint64_t errors = 0;     // listed + suppressed
  uint64_t listed = 0;
};
ChildValidation ValidateInChild(const std::string& path);

// Registers "hostile/<name>" for each file: check::Validate through
// io::Env::Default (what `tfckpt validate` does), timed per iteration, with
// counters disk_bytes, ns_per_disk_byte, errors, listed_defects and
// peak_rss_delta_bytes (once, in a child). `smoke`: one iteration each.
void RegisterHostileBenchmarks(const std::vector<HostileFile>& files, bool smoke);

}  // namespace tfckpt::bench

#endif  // TFCKPT_BENCH_HOSTILE_BENCH_H_
