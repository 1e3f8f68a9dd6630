// Runs every storage benchmark once at tiny sizes, and every rss_probe op,
// to prove they work and check what they compute. Correctness only: no
// timing is asserted (the real runs are bench/run_benchmarks.sh).
#include <benchmark/benchmark.h>
#include <gtest/gtest.h>

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "bench/storage_bench.h"
#include "bench/storage_ops.h"
#include "src/io/env.h"

namespace tfckpt::bench {
namespace {

// A fresh directory under $TEST_TMPDIR, removed by the environment below.
// Under `bazel run` (BUILD_WORKSPACE_DIRECTORY set) the test runs outside
// Bazel's lock with the TEST_TMPDIR a concurrent `bazel test` of the same
// target empties first, so it uses $TMPDIR (or /tmp) there instead.
const std::string& ScratchRoot() {
  static const std::string root = [] {
    const char* tmp = std::getenv("BUILD_WORKSPACE_DIRECTORY") == nullptr
                          ? std::getenv("TEST_TMPDIR")
                          : std::getenv("TMPDIR");
    std::string templ = std::string(tmp != nullptr ? tmp : "/tmp") + "/tfckpt_bench_smoke.XXXXXX";
    const char* made = ::mkdtemp(templ.data());
    if (made == nullptr) std::abort();
    return std::string(made);
  }();
  return root;
}

std::string ScratchDir(const std::string& name) { return io::JoinPath(ScratchRoot(), name); }

class RemoveScratch : public ::testing::Environment {
 public:
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(ScratchRoot(), ignored);
  }
};
const auto* const kRemoveScratch = ::testing::AddGlobalTestEnvironment(new RemoveScratch);

Sizes TinySizes() {
  Sizes s;
  s.one_bytes = 1 << 20;
  s.many_count = 10;
  s.many_total_bytes = 1 << 20;
  s.index_entries = 1000;
  return s;
}

class CollectingReporter : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      names.insert(r.benchmark_name());
      if (r.error_occurred) errors.push_back(r.benchmark_name() + ": " + r.error_message);
    }
  }
  std::set<std::string> names;
  std::vector<std::string> errors;
};

TEST(StorageBenchSmokeTest, EveryBenchmarkRunsCleanly) {
  BenchConfig config;
  config.sizes = TinySizes();
  config.dir = ScratchDir("bench");
  config.smoke = true;
  RegisterStorageBenchmarks(config);
  char arg0[] = "storage_bench_smoke_test";
  char* argv[] = {arg0, nullptr};
  int argc = 1;
  benchmark::Initialize(&argc, argv);
  CollectingReporter reporter;
  const size_t ran = benchmark::RunSpecifiedBenchmarks(&reporter);
  CleanupStorageBenchmarks();
  EXPECT_EQ(ran, 36u);  // the 4 limits run twice
  EXPECT_EQ(reporter.names.size(), 32u);
  for (const std::string& e : reporter.errors) ADD_FAILURE() << e;
  for (const char* name : {"limit/memcpy/thp", "limit/crc32c/4k", "write/one/fsync",
                           "read/many/zero_copy_crc", "read/one/pread_crc", "validate/many", "validate/many/1thread", "validate/many/mmap",
                           "index/open_and_lookup"}) {
    bool found = false;
    for (const std::string& n : reporter.names) found = found || n.rfind(name, 0) == 0;
    EXPECT_TRUE(found) << name;
  }
  // Nothing left behind but the (empty) scratch directory.
  auto children = io::Env::Default()->GetChildren(config.dir);
  ASSERT_TRUE(children.ok());
  EXPECT_TRUE(children->empty()) << children->front();
}

TEST(StorageBenchSmokeTest, EveryProbeOpPrintsItsPeakRss) {
  const std::string dir = ScratchDir("probe");
  for (const std::string& op : ProbeOps()) {
    std::ostringstream out;
    const Status s = RunProbe(op, dir, TinySizes(), out);
    ASSERT_TRUE(s.ok()) << op << ": " << s;
    EXPECT_NE(out.str().find("\"op\":\"" + op + "\""), std::string::npos) << out.str();
    if (op != "prepare") {
      EXPECT_NE(out.str().find("\"max_rss\":"), std::string::npos) << out.str();
    }
  }
  EXPECT_FALSE(RunProbe("no_such_op", dir, TinySizes(), std::cout).ok());
  RemoveBundle(io::JoinPath(dir, "probe_one"));
  RemoveBundle(io::JoinPath(dir, "probe_many"));
  auto children = io::Env::Default()->GetChildren(dir);
  ASSERT_TRUE(children.ok());
  EXPECT_TRUE(children->empty()) << children->front();
}

TEST(StorageBenchSmokeTest, ManyLayoutCoversTheTotal) {
  Sizes s;  // the real sizes: 10k tensors of at least 1 GiB in total
  EXPECT_GE(s.many_bytes(), uint64_t{1} << 30);
  EXPECT_LT(s.many_bytes() - (uint64_t{1} << 30), uint64_t{4} * 10000);
  EXPECT_EQ(s.many_tensor_bytes() % 4, 0u);
}

TEST(StorageBenchSmokeTest, ReleasePagesReadsTheSameBytes) {
  const std::string dir = ScratchDir("release");
  auto src = MakeSource(TinySizes(), Layout::kMany);
  ASSERT_TRUE(src.ok());
  const std::string prefix = io::JoinPath(dir, "b");
  ASSERT_TRUE(WriteBundle(NoSyncEnv(), prefix, *src).ok());
  for (bool release : {false, true}) {
    ReadSpec spec;
    spec.release_pages = release;
    spec.touch_pages = true;
    auto r = ReadBundle(io::Env::Default(), prefix, src->keys, src->largest_bytes, spec);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->tensors, src->keys.size());
    EXPECT_EQ(r->bytes, src->total_bytes);
  }
  EXPECT_TRUE(ValidateBundle(io::Env::Default(), prefix, src->total_bytes).ok());
  EXPECT_FALSE(ValidateBundle(io::Env::Default(), prefix, src->total_bytes + 1).ok());
  RemoveBundle(prefix);
}

}  // namespace
}  // namespace tfckpt::bench
