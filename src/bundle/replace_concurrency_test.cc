// Readers of a prefix that a writer keeps replacing, on real POSIX files:
// every read must see one whole checkpoint, old or new (docs/FORMATS.md
// §2.7). Each save g stores g in every tensor and varies the tensors' sizes,
// so a read that mixed two saves shows either as a failure (CRC, range) or
// as values from two generations; both are counted.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "src/bundle/bundle_reader.h"
#include "src/bundle/bundle_writer.h"
#include "src/bundle/replace.h"

namespace tfckpt::bundle {
namespace {

using tensor::Tensor;
using tensor::TensorShape;

constexpr int kRewrites = 300;
constexpr int kReaders = 2;
// The test stops early (and says so) past this, to stay cheap on a busy
// machine; it still requires the minimum counts below.
constexpr auto kDeadline = std::chrono::seconds(15);
constexpr int kMinRewrites = 100;
constexpr int kMinReads = 1000;

Status Save(io::Env* env, const std::string& prefix, int64_t g) {
  BundleWriter w(env, prefix);
  const int64_t n = 64 + (g % 5) * 16;  // layouts differ between saves
  Status s = w.Add("a", Tensor::FromVector<float>(tensorflow::DT_FLOAT, TensorShape{n},
                                                  std::vector<float>(n, static_cast<float>(g))));
  if (s.ok()) {
    s = w.Add("b", Tensor::FromVector<int64_t>(tensorflow::DT_INT64, TensorShape{g % 7 + 1},
                                               std::vector<int64_t>(g % 7 + 1, g)));
  }
  if (s.ok()) {
    s = w.Add("gen", Tensor::FromVector<int64_t>(tensorflow::DT_INT64, TensorShape{}, {g}));
  }
  return s.ok() ? w.Finish() : s;
}

// The generation every tensor agrees on, -1 for a mix, or the read error.
StatusOr<int64_t> ReadGeneration(io::Env* env, const std::string& prefix) {
  TFCKPT_ASSIGN_OR_RETURN(std::unique_ptr<BundleReader> r, BundleReader::Open(env, prefix));
  TFCKPT_ASSIGN_OR_RETURN(Tensor gen, r->Lookup("gen"));
  TFCKPT_ASSIGN_OR_RETURN(Tensor a, r->Lookup("a"));
  TFCKPT_ASSIGN_OR_RETURN(Tensor b, r->Lookup("b"));
  const int64_t g = gen.flat<int64_t>()[0];
  if (a.num_elements() != 64 + (g % 5) * 16 || b.num_elements() != g % 7 + 1) return -1;
  for (int64_t i = 0; i < a.num_elements(); ++i) {
    if (a.flat<float>()[i] != static_cast<float>(g)) return -1;
  }
  for (int64_t i = 0; i < b.num_elements(); ++i) {
    if (b.flat<int64_t>()[i] != g) return -1;
  }
  return g;
}

TEST(ReplaceConcurrency, ReadersSeeOldOrNewNeverFailOrMix) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string dir = std::string(tmp != nullptr ? tmp : "/tmp") + "/replace_concurrency";
  io::Env* env = io::Env::Default();
  ASSERT_TRUE(env->CreateDirRecursively(dir).ok());
  const std::string prefix = dir + "/model.ckpt";
  ASSERT_TRUE(Save(env, prefix, 0).ok());

  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  std::atomic<bool> done{false};
  std::atomic<int64_t> written{0};
  std::atomic<int> reads{0}, failed{0}, mixed{0}, backwards{0};
  // What `validate` would warn about (INTERRUPTED_SAVE) while saves run, and
  // how often parked files were merely present (the warning's old rule).
  std::atomic<int> interrupted{0}, parked_seen{0};
  std::mutex mu;
  std::vector<std::string> samples;
  std::vector<std::thread> readers;
  for (int t = 0; t < kReaders; ++t) {
    readers.emplace_back([&] {
      int64_t last = 0;
      while (!done.load()) {
        const int64_t floor = written.load();  // every save up to here has finished
        auto g = ReadGeneration(env, prefix);
        reads.fetch_add(1);
        if (!g.ok() || *g < 0) {
          (g.ok() ? mixed : failed).fetch_add(1);
          std::lock_guard<std::mutex> l(mu);
          if (samples.size() < 5) {
            samples.push_back(g.ok() ? "mixed generations" : g.status().ToString());
          }
        } else if (*g < floor || *g < last) {
          backwards.fetch_add(1);  // an older checkpoint than one already complete
        } else {
          last = *g;
        }
        auto files = InterruptedSaveFiles(env, prefix);
        if (!files.ok() || !files->empty()) interrupted.fetch_add(1);
        if (env->FileExists(prefix + ".index.tfckpt-old")) parked_seen.fetch_add(1);
        // Leave the writer some CPU on a busy machine (still thousands of reads).
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
    });
  }
  int rewrites = 0;
  Status write_status;
  for (int64_t g = 1; g <= kRewrites && std::chrono::steady_clock::now() < deadline; ++g) {
    write_status = Save(env, prefix, g);
    if (!write_status.ok()) break;
    written.store(g);
    ++rewrites;
  }
  done.store(true);
  for (std::thread& t : readers) t.join();
  std::printf("%d rewrites, %d reads: %d failed, %d mixed, %d went back in time%s\n", rewrites,
              reads.load(), failed.load(), mixed.load(), backwards.load(),
              rewrites < kRewrites ? " (stopped at the deadline)" : "");
  std::printf("interrupted-save reports: %d (parked index present at %d looks)\n",
              interrupted.load(), parked_seen.load());
  for (const std::string& s : samples) std::printf("  e.g. %s\n", s.c_str());
  ASSERT_TRUE(write_status.ok()) << write_status;
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(mixed.load(), 0);
  EXPECT_EQ(backwards.load(), 0);
  EXPECT_EQ(interrupted.load(), 0);
  EXPECT_GE(rewrites, kMinRewrites);
  EXPECT_GE(reads.load(), kMinReads);
}

// A save killed mid-way leaves its full-size temp file; the next save of the
// prefix removes it, but not the temp file of a save still running.
TEST(ReplaceConcurrency, NextSaveRemovesKilledSavesTempFilesOnly) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string dir = std::string(tmp != nullptr ? tmp : "/tmp") + "/stale_temp";
  io::Env* env = io::Env::Default();
  ASSERT_TRUE(env->CreateDirRecursively(dir).ok());
  const std::string prefix = dir + "/model.ckpt";
  ASSERT_TRUE(Save(env, prefix, 1).ok());
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    BundleWriter w(env, prefix);
    (void)w.Add("big", Tensor::FromVector<float>(tensorflow::DT_FLOAT, TensorShape{1 << 20},
                                                 std::vector<float>(1 << 20, 1.0f)));
    raise(SIGKILL);
  }
  int wstatus = 0;
  ASSERT_EQ(waitpid(child, &wstatus, 0), child);
  ASSERT_TRUE(WIFSIGNALED(wstatus));
  auto killed = TempFiles(env, prefix);
  ASSERT_TRUE(killed.ok() && killed->size() == 1u);
  EXPECT_GE(*env->GetFileSize((*killed)[0]), 2u << 20);  // full-size, as in the issue
  {
    BundleWriter running(env, prefix);  // the next save; its temp data file stays open
    auto during = TempFiles(env, prefix);
    ASSERT_TRUE(during.ok());
    ASSERT_EQ(during->size(), 1u);
    EXPECT_NE((*during)[0], (*killed)[0]) << "the killed save's temp file was not removed";
    ASSERT_TRUE(Save(env, prefix, 2).ok());  // another save meanwhile
    auto after = TempFiles(env, prefix);
    ASSERT_TRUE(after.ok());
    EXPECT_EQ(*after, *during) << "a running save's temp file was removed";
    ASSERT_TRUE(running.Add("gen", Tensor::FromVector<int64_t>(tensorflow::DT_INT64,
                                                               TensorShape{}, {3}))
                    .ok());
    ASSERT_TRUE(running.Finish().ok());
  }
  auto left = TempFiles(env, prefix);
  ASSERT_TRUE(left.ok());
  EXPECT_TRUE(left->empty());
  auto r = BundleReader::Open(env, prefix);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)->Lookup("gen")->flat<int64_t>()[0], 3);
}

}  // namespace
}  // namespace tfckpt::bundle
