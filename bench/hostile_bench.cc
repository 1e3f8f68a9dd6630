#include "bench/hostile_bench.h"

#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "src/io/env.h"

namespace tfckpt::bench {
namespace {

// ru_maxrss (KiB) of a child that runs `f` and reports into `out` (a pipe).
template <typename F>
bool RunChild(F f, int64_t* maxrss_kib, std::string* out) {
  int fds[2];
  if (::pipe(fds) != 0) return false;
  const pid_t pid = ::fork();
  if (pid < 0) return false;
  if (pid == 0) {
    ::close(fds[0]);
    const std::string msg = f();
    (void)!::write(fds[1], msg.data(), msg.size());
    ::_exit(0);
  }
  ::close(fds[1]);
  char buf[256];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) out->append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  struct rusage ru;
  std::memset(&ru, 0, sizeof ru);
  if (::wait4(pid, &status, 0, &ru) != pid) return false;
  *maxrss_kib = ru.ru_maxrss;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

ChildValidation ValidateInChild(const std::string& path) {
  ChildValidation v;
  int64_t base_kib = 0, kib = 0;
  std::string ignored, report;
  if (!RunChild([] { return std::string(); }, &base_kib, &ignored)) return v;
  v.ran = RunChild(
      [&path] {
        const check::Report r = check::Validate(io::Env::Default(), path);
        return StrCat(r.errors(), " ", r.defects.size());
      },
      &kib, &report);
  if (!v.ran) return v;
  v.peak_rss_delta = (kib - base_kib) * 1024;
  unsigned long long errors = 0, listed = 0;
  if (std::sscanf(report.c_str(), "%llu %llu", &errors, &listed) == 2) {
    v.errors = errors;
    v.listed = listed;
  }
  return v;
}

void RegisterHostileBenchmarks(const std::vector<HostileFile>& files, bool smoke) {
  for (const HostileFile& file : files) {
    auto* b = benchmark::RegisterBenchmark(
        ("hostile/" + file.name).c_str(), [file](benchmark::State& state) {
          check::Report last;
          for (auto _ : state) {
            last = check::Validate(io::Env::Default(), file.path);
            benchmark::DoNotOptimize(last.defects.data());
          }
          if (file.expect_defects == last.ok()) {
            state.SkipWithError(last.ok() ? "a file with defects validated OK"
                                          : "a valid file has defects");
            return;
          }
          const ChildValidation child = ValidateInChild(file.path);
          if (!child.ran) {
            state.SkipWithError("validation in a child process failed");
            return;
          }
          state.counters["disk_bytes"] = static_cast<double>(file.bytes_on_disk);
          state.counters["ns_per_disk_byte"] = benchmark::Counter(
              static_cast<double>(file.bytes_on_disk) * 1e-9,
              benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
          state.counters["errors"] = static_cast<double>(child.errors);
          state.counters["listed_defects"] = static_cast<double>(child.listed);
          state.counters["peak_rss_delta_bytes"] = static_cast<double>(child.peak_rss_delta);
        });
    b->Unit(benchmark::kMillisecond)->UseRealTime();
    if (smoke) {
      b->Iterations(1);
    } else {
      b->MinTime(0.5);
    }
  }
}

}  // namespace tfckpt::bench
