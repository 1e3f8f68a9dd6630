// The command line of a benchmark binary (storage_bench, hostile_bench): its
// own "--name=value" (and bare "--name") flags, everything else for Google
// Benchmark (e.g. --benchmark_format=json), then the run.
//
//   BenchFlags flags;
//   flags.Add("dir", &dir).Add("reps", &reps).AddSwitch("write_only", &write_only);
//   std::vector<char*> rest = flags.Parse(argc, argv);
//   ... register benchmarks ...
//   return RunBenchmarks(rest);
#ifndef TFCKPT_BENCH_BENCH_MAIN_H_
#define TFCKPT_BENCH_BENCH_MAIN_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace tfckpt::bench {

class BenchFlags {
 public:
  BenchFlags& Add(const char* name, std::string* value);
  BenchFlags& Add(const char* name, int* value);
  BenchFlags& Add(const char* name, uint64_t* value);
  BenchFlags& AddSwitch(const char* name, bool* value);  // "--name" sets true

  // Sets the flags it knows; returns argv[0] and the other arguments.
  std::vector<char*> Parse(int argc, char** argv) const;

 private:
  struct Flag {
    std::string name;
    bool is_switch;
    std::function<void(const std::string&)> set;
  };
  std::vector<Flag> flags_;
};

// Google Benchmark over `args` (Parse's rest): 2 on an argument it does not
// know either, else runs the registered benchmarks and returns 0.
int RunBenchmarks(std::vector<char*> args);

}  // namespace tfckpt::bench

#endif  // TFCKPT_BENCH_BENCH_MAIN_H_
