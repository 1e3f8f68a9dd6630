// The validator on real files (Env::Pread, what `tfckpt validate` uses):
// findings 2 and 6 of issue 16. A data or index file that shrinks while it
// is read never kills the process (SIGBUS under a mapping), and a FIFO,
// device or socket in place of a checkpoint file is refused at once
// instead of blocking the open forever.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <future>
#include <string>
#include <thread>

#include "gtest/gtest.h"
#include "src/bundle/bundle_reader.h"
#include "src/bundle/bundle_writer.h"
#include "src/bundle/naming.h"
#include "src/bundle/test_tensors.h"
#include "src/check/report_test_util.h"
#include "src/check/validator.h"
#include "src/io/env.h"
#include "src/testing/runfiles.h"

namespace tfckpt::check {
namespace {

using tensor::TensorShape;

using ::tfckpt::testing::TempDir;

// Runs `f` on another thread; fails the test (and exits, since the thread
// cannot be stopped) if it has not returned within `seconds`.
template <typename F>
auto WithDeadline(int seconds, F f) {
  auto done = std::async(std::launch::async, f);
  if (done.wait_for(std::chrono::seconds(seconds)) != std::future_status::ready) {
    ADD_FAILURE() << "still blocked after " << seconds << " s";
    std::_Exit(1);
  }
  return done.get();
}

// A bundle of several MiB in a few tensors, so a validation takes long
// enough for the truncating thread to catch it mid-read.
void WriteBig(io::Env* env, const std::string& prefix) {
  bundle::BundleWriter w(env, prefix);
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(w.Add(StrCat("t", i), bundle::testing::MakeTensor(tensorflow::DT_FLOAT,
                                                                   TensorShape{256 << 10}, i))
                    .ok());
  }
  ASSERT_TRUE(w.Finish().ok());
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Finding 2: a file truncated (and restored) while validate reads it, in
// a loop. Under a shared mapping, touching a page past the new end is
// SIGBUS and kills the process; with pread it is a short read, reported.
void TruncateDuringValidation(const std::string& victim_suffix) {
  io::Env* env = io::Env::Pread();
  const std::string prefix = TempDir("shrink" + victim_suffix) + "/m";
  WriteBig(io::Env::Default(), prefix);
  const std::string victim = victim_suffix == "index" ? bundle::MetaFilename(prefix)
                                                      : bundle::DataFilename(prefix, 0, 1);
  const std::string original = Slurp(victim);
  ASSERT_TRUE(Validate(env, prefix).ok());
  std::atomic<bool> stop{false};
  std::thread cutter([&] {
    for (uint64_t i = 0; !stop.load(); ++i) {
      ASSERT_EQ(::truncate(victim.c_str(), static_cast<off_t>(i % 2 == 0 ? original.size() / 3 : 0)), 0);
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      const int fd = ::open(victim.c_str(), O_WRONLY);
      ASSERT_GE(fd, 0);
      ASSERT_EQ(::pwrite(fd, original.data(), original.size(), 0),
                static_cast<ssize_t>(original.size()));
      ::close(fd);
    }
  });
  int invalid = 0;
  const int kRuns = 200;
  for (int i = 0; i < kRuns; ++i) {
    const Report r = Validate(env, prefix);
    invalid += r.ok() ? 0 : 1;
  }
  stop = true;
  cutter.join();
  // Alive, and the race was real: some runs saw the file cut.
  EXPECT_GT(invalid, 0);
  ::testing::Test::RecordProperty("invalid_runs", invalid);
  ASSERT_TRUE(Validate(env, prefix).ok());
}

TEST(ValidatorPosix, DataFileShrinkingDuringValidationIsNoCrash) {
  TruncateDuringValidation("data");
}

TEST(ValidatorPosix, IndexShrinkingDuringValidationIsNoCrash) {
  TruncateDuringValidation("index");
}

// Finding 6: special files are refused without blocking, by validate and
// by the readers behind dump/inspect (the shared open in io::Env).
TEST(ValidatorPosix, FifoDeviceAndSocketAreRefusedWithoutBlocking) {
  const std::string dir = TempDir("special");
  io::Env* env = io::Env::Pread();
  // .index a FIFO.
  const std::string fifo_prefix = dir + "/fifo";
  ASSERT_EQ(::mkfifo(bundle::MetaFilename(fifo_prefix).c_str(), 0644), 0);
  for (io::Env* e : {io::Env::Default(), io::Env::Mmap()}) {
    const Report r = WithDeadline(20, [&] { return Validate(e, fifo_prefix); });
    EXPECT_FALSE(r.ok());
    EXPECT_NE(Codes(r).find("FIFO"), std::string::npos) << Codes(r);
    const bool opened = WithDeadline(20, [&] { return bundle::BundleReader::Open(e, fifo_prefix).ok(); });
    EXPECT_FALSE(opened);
  }
  // A good index whose data file is a FIFO.
  const std::string data_prefix = dir + "/datafifo";
  WriteBig(io::Env::Default(), data_prefix);
  const std::string data = bundle::DataFilename(data_prefix, 0, 1);
  ASSERT_EQ(::unlink(data.c_str()), 0);
  ASSERT_EQ(::mkfifo(data.c_str(), 0644), 0);
  Report r = WithDeadline(20, [&] { return Validate(env, data_prefix); });
  EXPECT_FALSE(r.ok());
  EXPECT_NE(Codes(r).find("FIFO"), std::string::npos) << Codes(r);
  // A state file that is a socket; a V1 path that is a character device.
  // A socket path must fit sockaddr_un (108 bytes): not under TEST_TMPDIR.
  char sock_template[] = "/tmp/tfckpt-sock-XXXXXX";
  ASSERT_NE(::mkdtemp(sock_template), nullptr);
  const std::string sock_dir = sock_template;
  const std::string sock_path = sock_dir + "/checkpoint";
  const int sock = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(sock, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  ASSERT_LT(sock_path.size(), sizeof(addr.sun_path));
  std::copy(sock_path.begin(), sock_path.end(), addr.sun_path);
  ASSERT_EQ(::bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  r = WithDeadline(20, [&] { return Validate(env, sock_dir); });
  EXPECT_FALSE(r.ok());  // open(2) itself refuses a socket (ENXIO)
  EXPECT_NE(Codes(r).find(sock_path), std::string::npos) << Codes(r);
  ::close(sock);
  ::unlink(sock_path.c_str());
  ::rmdir(sock_dir.c_str());
  r = WithDeadline(20, [&] { return Validate(env, "/dev/zero"); });
  EXPECT_FALSE(r.ok());
  EXPECT_NE(Codes(r).find("character device"), std::string::npos) << Codes(r);
}

}  // namespace
}  // namespace tfckpt::check
