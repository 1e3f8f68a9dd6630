// Runs every hostile-file benchmark once at tiny sizes: each case is made,
// validated (the files that claim what is not there with errors, the valid
// ones clean; the benchmark skips with an error otherwise) and measured in a child. No time
// or memory is asserted here (bench/hostile_bench is the real run).
#include <benchmark/benchmark.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "bench/hostile_bench.h"
#include "bench/hostile_files.h"

namespace tfckpt::bench {
namespace {

class CollectingReporter : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      names.insert(r.benchmark_name());
      if (r.error_occurred) errors.push_back(r.benchmark_name() + ": " + r.error_message);
      if (!r.error_occurred && r.counters.count("disk_bytes") == 0) {
        errors.push_back(r.benchmark_name() + ": no disk_bytes counter");
      }
    }
  }
  std::set<std::string> names;
  std::vector<std::string> errors;
};

TEST(HostileBenchSmokeTest, EveryCaseRunsOnce) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string dir = std::string(tmp != nullptr ? tmp : "/tmp") + "/hostile.XXXXXX";
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  auto files = WriteHostileFiles(dir, TinyHostileSizes());
  ASSERT_TRUE(files.ok()) << files.status();
  ASSERT_EQ(files->size(), 7u);
  for (const HostileFile& f : *files) {
    EXPECT_GT(f.bytes_on_disk, 0u) << f.name;
    const ChildValidation v = ValidateInChild(f.path);
    EXPECT_TRUE(v.ran) << f.name;
    EXPECT_EQ(v.errors > 0, f.expect_defects) << f.name << ": " << v.errors << " errors";
    EXPECT_LE(v.listed, v.errors) << f.name;
  }
  RegisterHostileBenchmarks(*files, /*smoke=*/true);
  char arg0[] = "hostile_bench_smoke_test";
  char* argv[] = {arg0, nullptr};
  int argc = 1;
  benchmark::Initialize(&argc, argv);
  CollectingReporter reporter;
  EXPECT_EQ(benchmark::RunSpecifiedBenchmarks(&reporter), 7u);
  for (const std::string& e : reporter.errors) ADD_FAILURE() << e;
  for (const HostileFile& f : *files) {
    bool found = false;
    for (const std::string& n : reporter.names) found |= n.rfind("hostile/" + f.name + "/", 0) == 0;
    EXPECT_TRUE(found) << f.name;
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

}  // namespace
}  // namespace tfckpt::bench
