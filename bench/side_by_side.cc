// side_by_side: tfckpt's half of the side-by-side benchmark against
// TensorFlow (bench/run_side_by_side.sh; TensorFlow's half is
// bench/tf_side_by_side.py). Both halves work on the same files:
//
//   side_by_side prepare DIR [one_bytes many_count many_total_bytes]
//       writes DIR/one and DIR/many (the storage_bench data sets: the same
//       keys, the same pseudo-random bytes) with BundleWriter, then syncfs.
//       TensorFlow reads these and writes DIR/tf_one and DIR/tf_many from
//       the tensors it read.
//   side_by_side time DIR REPS FSYNC_REPS [one_bytes many_count many_total_bytes]
//       times tfckpt on the same data: write (fsync skipped, and as
//       shipped) from the same source tensors, and read and validate of
//       DIR/<layout> (tfckpt's file) and DIR/tf_<layout> (TensorFlow's, when
//       present). One JSON line per measurement on stdout:
//       {"impl":"tfckpt","op":...,"layout":...,"file":"tfckpt"|"tf",
//        "bytes":N,"wall":[s...],"cpu":[s...]}
//
// Timing is as in storage_bench: one operation per repetition between two
// reads of a steady clock and of the process CPU clock (all threads);
// deleting a previous output, syncfs before a write and dropping a read's
// result are outside it.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <string>
#include <vector>

#include "bench/storage_ops.h"
#include "src/bundle/naming.h"
#include "src/io/env.h"

namespace tfckpt::bench {
namespace {

double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

void SyncFs(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::syncfs(fd);
    ::close(fd);
  }
}

std::string List(const std::vector<double>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%s%.6f", i ? "," : "", v[i]);
    out += buf;
  }
  return out + "]";
}

// Runs `op` reps times (after `before`, untimed, each time) and prints its
// JSON line. Returns false (after printing the error) if any run fails.
bool Measure(const std::string& op, Layout layout, const std::string& file, uint64_t bytes,
             int reps, const std::function<void()>& before, const std::function<Status()>& run) {
  std::vector<double> wall, cpu;
  for (int i = 0; i < reps; ++i) {
    if (before) before();
    const double c0 = CpuSeconds();
    const auto t0 = std::chrono::steady_clock::now();
    const Status s = run();
    const double w = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double c = CpuSeconds() - c0;
    if (!s.ok()) {
      std::fprintf(stderr, "side_by_side: %s %s (%s file): %s\n", op.c_str(), LayoutName(layout),
                   file.c_str(), s.ToString().c_str());
      return false;
    }
    wall.push_back(w);
    cpu.push_back(c);
  }
  std::printf(
      "{\"impl\":\"tfckpt\",\"op\":\"%s\",\"layout\":\"%s\",\"file\":\"%s\",\"bytes\":%llu,"
      "\"wall\":%s,\"cpu\":%s}\n",
      op.c_str(), LayoutName(layout), file.c_str(), static_cast<unsigned long long>(bytes),
      List(wall).c_str(), List(cpu).c_str());
  std::fflush(stdout);
  return true;
}

int Prepare(const std::string& dir, const Sizes& sizes) {
  for (Layout layout : {Layout::kOne, Layout::kMany}) {
    auto src = MakeSource(sizes, layout);
    const std::string prefix = io::JoinPath(dir, LayoutName(layout));
    RemoveBundle(prefix);
    const Status s = src.ok() ? WriteBundle(io::Env::Default(), prefix, *src) : src.status();
    if (!s.ok()) {
      std::fprintf(stderr, "side_by_side prepare: %s\n", s.ToString().c_str());
      return 1;
    }
  }
  SyncFs(dir);
  return 0;
}

int Time(const std::string& dir, const Sizes& sizes, int reps, int fsync_reps) {
  bool ok = true;
  for (Layout layout : {Layout::kOne, Layout::kMany}) {
    auto src = MakeSource(sizes, layout);
    if (!src.ok()) {
      std::fprintf(stderr, "side_by_side: %s\n", src.status().ToString().c_str());
      return 1;
    }
    const uint64_t bytes = src->total_bytes;
    // Writes, from the tensors in memory, to a fresh prefix each time.
    const std::string out = io::JoinPath(dir, std::string("tfckpt_out_") + LayoutName(layout));
    const auto fresh = [&] {
      RemoveBundle(out);
      SyncFs(dir);
    };
    ok &= Measure("write_nofsync", layout, "tfckpt", bytes, reps, fresh,
                  [&] { return WriteBundle(NoSyncEnv(), out, *src); });
    ok &= Measure("write_fsync", layout, "tfckpt", bytes, fsync_reps, fresh,
                  [&] { return WriteBundle(io::Env::Default(), out, *src); });
    RemoveBundle(out);
    // Reads and validation of tfckpt's file and of TensorFlow's.
    for (const std::string who : {"tfckpt", "tf"}) {
      const std::string prefix =
          io::JoinPath(dir, (who == "tf" ? "tf_" : "") + std::string(LayoutName(layout)));
      if (!io::Env::Default()->FileExists(bundle::MetaFilename(prefix))) continue;
      for (const bool zero_copy : {true, false}) {
        ReadSpec spec;
        spec.options.zero_copy = zero_copy;
        ok &= Measure(zero_copy ? "read_zero_copy" : "read_copy", layout, who, bytes, reps,
                      nullptr, [&] {
                        auto r = ReadBundle(io::Env::Mmap(), prefix, src->keys,
                                            src->largest_bytes, spec);
                        return r.status();
                      });
      }
      for (const int threads : {0, 1}) {
        ok &= Measure(threads == 0 ? "validate" : "validate_1thread", layout, who, bytes, reps,
                      nullptr,
                      [&] { return ValidateBundle(io::Env::Mmap(), prefix, bytes, threads); });
      }
    }
  }
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace tfckpt::bench

int main(int argc, char** argv) {
  using namespace tfckpt::bench;
  const std::string cmd = argc > 1 ? argv[1] : "";
  const int fixed = cmd == "prepare" ? 3 : cmd == "time" ? 5 : -1;
  if (fixed < 0 || (argc != fixed && argc != fixed + 3)) {
    std::fprintf(stderr,
                 "usage: side_by_side prepare DIR [one_bytes many_count many_total_bytes]\n"
                 "       side_by_side time DIR REPS FSYNC_REPS [one_bytes many_count "
                 "many_total_bytes]\n");
    return 2;
  }
  Sizes sizes;
  if (argc == fixed + 3) {
    sizes.one_bytes = std::strtoull(argv[fixed], nullptr, 10);
    sizes.many_count = std::atoi(argv[fixed + 1]);
    sizes.many_total_bytes = std::strtoull(argv[fixed + 2], nullptr, 10);
  }
  const std::string dir = argv[2];
  if (cmd == "prepare") return Prepare(dir, sizes);
  return Time(dir, sizes, std::atoi(argv[3]), std::atoi(argv[4]));
}
