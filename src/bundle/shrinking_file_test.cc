// Issue 16, finding 2, for every reader (not only the validator): a data or
// index file truncated by another process while BundleReader reads it, in a
// loop. Through io::Env::Default (pread) a read past the new end is a short
// read, reported as an error naming the file and the offset; through a
// shared mapping (io::Env::Mmap) the same loop dies of SIGBUS. A read that
// succeeds returns exactly the tensor that was written.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <thread>

#include "gtest/gtest.h"
#include "src/bundle/bundle_reader.h"
#include "src/bundle/bundle_writer.h"
#include "src/bundle/naming.h"
#include "src/bundle/test_tensors.h"
#include "src/io/env.h"

namespace tfckpt::bundle {
namespace {

using tensor::Tensor;
using tensor::TensorShape;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

bool SameTensor(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype() || !(a.shape() == b.shape())) return false;
  if (a.is_string()) return a.strings() == b.strings();
  return a.TotalBytes() == b.TotalBytes() &&
         std::memcmp(a.raw_data(), b.raw_data(), a.TotalBytes()) == 0;
}

// Cuts `victim` to a third of its size or to nothing and writes it back, in
// a loop, until stopped.
class Cutter {
 public:
  explicit Cutter(std::string victim) : victim_(std::move(victim)), original_(Slurp(victim_)) {
    thread_ = std::thread([this] {
      for (uint64_t i = 0; !stop_.load(); ++i) {
        const off_t cut = static_cast<off_t>(i % 2 == 0 ? original_.size() / 3 : 0);
        ASSERT_EQ(::truncate(victim_.c_str(), cut), 0);
        std::this_thread::sleep_for(std::chrono::microseconds(300));
        const int fd = ::open(victim_.c_str(), O_WRONLY);
        ASSERT_GE(fd, 0);
        ASSERT_EQ(::pwrite(fd, original_.data(), original_.size(), 0),
                  static_cast<ssize_t>(original_.size()));
        ::close(fd);
        std::this_thread::sleep_for(std::chrono::microseconds(300));
      }
    });
  }
  ~Cutter() {
    stop_ = true;
    thread_.join();
  }

 private:
  const std::string victim_;
  const std::string original_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

class ShrinkingFileTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    const std::string dir = StrCat(tmp != nullptr ? tmp : "/tmp", "/shrink_", GetParam());
    ASSERT_TRUE(io::Env::Default()->CreateDirRecursively(dir).ok());
    prefix_ = dir + "/m";
    // Several MiB in a few tensors (and a string tensor), so a read takes
    // long enough for the cutter to catch it.
    BundleWriter w(io::Env::Default(), prefix_);
    for (int i = 0; i < 6; ++i) {
      written_[StrCat("t", i)] =
          testing::MakeTensor(tensorflow::DT_FLOAT, TensorShape{256 << 10}, i);
    }
    written_["s"] = testing::MakeTensor(tensorflow::DT_STRING, TensorShape{4096}, 7);
    for (const auto& [key, t] : written_) ASSERT_TRUE(w.Add(key, t).ok());
    ASSERT_TRUE(w.Finish().ok());
    victim_ = std::string(GetParam()) == "index" ? MetaFilename(prefix_)
                                                 : DataFilename(prefix_, 0, 1);
  }

  // One reader's whole job; false if any step failed (then `why` says why).
  bool ReadAll(std::string* why) {
    auto reader = BundleReader::Open(io::Env::Default(), prefix_);
    if (!reader.ok()) return Failed(reader.status(), why);
    auto listed = (*reader)->ListTensors();
    if (!listed.ok()) return Failed(listed.status(), why);
    for (const auto& [key, want] : written_) {
      for (const bool zero_copy : {true, false}) {
        ReadDataOptions options;
        options.zero_copy = zero_copy;
        auto got = (*reader)->Lookup(key, nullptr, options);
        if (!got.ok()) return Failed(got.status(), why);
        EXPECT_TRUE(SameTensor(*got, want)) << key << ": a successful read returned other bytes";
      }
    }
    return true;
  }

  // Every failure names the file that was cut and where.
  bool Failed(const Status& s, std::string* why) {
    *why = std::string(s.message());
    EXPECT_NE(why->find(victim_), std::string::npos) << *why;
    EXPECT_TRUE(why->find("offset") != std::string::npos || why->find("bytes") != std::string::npos)
        << *why;
    return false;
  }

  std::string prefix_;
  std::string victim_;
  std::map<std::string, Tensor> written_;
};

TEST_P(ShrinkingFileTest, ReadersNeverCrashAndNameTheFile) {
  std::string why;
  ASSERT_TRUE(ReadAll(&why)) << why;
  int failed = 0;
  {
    Cutter cutter(victim_);
    for (int run = 0; run < 80; ++run) failed += ReadAll(&why) ? 0 : 1;
  }
  // Alive, and the race was real: some reads saw the file cut.
  EXPECT_GT(failed, 0);
  ::testing::Test::RecordProperty("failed_reads", failed);
  ASSERT_TRUE(ReadAll(&why)) << why;
}

INSTANTIATE_TEST_SUITE_P(Victims, ShrinkingFileTest, ::testing::Values("data", "index"));

}  // namespace
}  // namespace tfckpt::bundle
