#include "bench/bench_main.h"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>

namespace tfckpt::bench {

BenchFlags& BenchFlags::Add(const char* name, std::string* value) {
  flags_.push_back({name, false, [value](const std::string& v) { *value = v; }});
  return *this;
}

BenchFlags& BenchFlags::Add(const char* name, int* value) {
  flags_.push_back({name, false, [value](const std::string& v) { *value = std::atoi(v.c_str()); }});
  return *this;
}

BenchFlags& BenchFlags::Add(const char* name, uint64_t* value) {
  flags_.push_back({name, false, [value](const std::string& v) {
                      *value = std::strtoull(v.c_str(), nullptr, 10);
                    }});
  return *this;
}

BenchFlags& BenchFlags::AddSwitch(const char* name, bool* value) {
  flags_.push_back({name, true, [value](const std::string&) { *value = true; }});
  return *this;
}

std::vector<char*> BenchFlags::Parse(int argc, char** argv) const {
  std::vector<char*> rest = {argv[0]};
  for (int i = 1; i < argc; ++i) {
    const char* arg = argv[i];
    const Flag* match = nullptr;
    for (const Flag& f : flags_) {
      const size_t n = f.name.size();
      if (std::strncmp(arg, "--", 2) != 0 || std::strncmp(arg + 2, f.name.c_str(), n) != 0) {
        continue;
      }
      if (f.is_switch ? arg[2 + n] == '\0' : arg[2 + n] == '=') match = &f;
    }
    if (match == nullptr) {
      rest.push_back(argv[i]);
    } else {
      match->set(match->is_switch ? "" : arg + 3 + match->name.size());
    }
  }
  return rest;
}

int RunBenchmarks(std::vector<char*> args) {
  int argc = static_cast<int>(args.size());
  benchmark::Initialize(&argc, args.data());
  if (benchmark::ReportUnrecognizedArguments(argc, args.data())) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace tfckpt::bench
