// ReadCountingEnv (progress.h): every byte read through it is counted, and a
// large read is made in pieces, so one large tensor advances the line.
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "src/cli/progress.h"
#include "src/io/mem_env.h"

namespace tfckpt::cli {
namespace {

TEST(ReadCountingEnv, LargeReadAdvancesInPiecesWithTheSameBytes) {
  io::MemEnv mem;
  constexpr size_t kChunk = ReadCountingEnv::kChunk;
  std::string bytes(2 * kChunk + 123, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 131 + i / 7);
  mem.PutFile("/d/big", bytes);
  std::vector<uint64_t> seen;
  ReadCountingEnv env(&mem, [&seen](uint64_t n) { seen.push_back(n); });
  auto f = env.NewRandomAccessFile("/d/big");
  ASSERT_TRUE(f.ok());
  std::string scratch(bytes.size() + 10, 'x');
  std::string_view got;
  ASSERT_TRUE((*f)->Read(0, bytes.size() + 10, &got, scratch.data()).ok());  // past the end
  EXPECT_EQ(got, bytes);
  EXPECT_EQ(seen, (std::vector<uint64_t>{kChunk, 2 * kChunk, 2 * kChunk + 123}));
  // A small read is one piece, counted on top.
  ASSERT_TRUE((*f)->Read(5, 10, &got, scratch.data()).ok());
  EXPECT_EQ(got, bytes.substr(5, 10));
  EXPECT_EQ(env.bytes_read(), 2 * kChunk + 133);
  EXPECT_EQ(seen.back(), 2 * kChunk + 133);
  // ReadFileToString (how model files are read) goes through it too.
  ASSERT_EQ(*env.ReadFileToString("/d/big"), bytes);
  EXPECT_EQ(env.bytes_read(), 4 * kChunk + 256);
}

TEST(ReadCountingEnv, ReadsOnOtherThreadsAreCountedNotReported) {
  io::MemEnv mem;
  mem.PutFile("/f", "abcdef");
  int reports = 0;
  ReadCountingEnv env(&mem, [&reports](uint64_t) { ++reports; });
  auto f = env.NewRandomAccessFile("/f");
  ASSERT_TRUE(f.ok());
  std::thread t([&] {
    char scratch[6];
    std::string_view got;
    ASSERT_TRUE((*f)->Read(0, 6, &got, scratch).ok());
  });
  t.join();
  EXPECT_EQ(env.bytes_read(), 6u);
  EXPECT_EQ(reports, 0);
}

TEST(ReadCountingEnv, CheckpointAndInputBytes) {
  io::MemEnv mem;
  mem.PutFile("/c/m.index", std::string(10, 'i'));
  mem.PutFile("/c/m.data-00000-of-00002", std::string(100, 'd'));
  mem.PutFile("/c/m.data-00001-of-00002", std::string(1000, 'd'));
  mem.PutFile("/c/v1", std::string(7, 'v'));
  mem.PutFile("/c/graph.meta", std::string(3, 'g'));
  EXPECT_EQ(CheckpointBytes(&mem, "/c/m", true, false), 10u);
  EXPECT_EQ(CheckpointBytes(&mem, "/c/m", true, true), 1110u);
  EXPECT_EQ(CheckpointBytes(&mem, "/c/v1", false, true), 7u);
  EXPECT_EQ(InputBytes(&mem, "/c/graph.meta", "/c/m"), 1113u);
  EXPECT_EQ(InputBytes(&mem, "/c/graph.meta", ""), 3u);
}

}  // namespace
}  // namespace tfckpt::cli
