// Runs tfckpt's half of the side-by-side benchmark (side_by_side prepare,
// then time) at tiny sizes and checks its JSON lines, and what `prepare`
// wrote validates with the bytes of the storage_bench data sets. No
// TensorFlow and no timing asserted (the real run is
// bench/run_side_by_side.sh).
#include <gtest/gtest.h>

#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

#include "bench/storage_ops.h"
#include "src/io/env.h"

namespace tfckpt::bench {
namespace {

std::string RunCommand(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  EXPECT_EQ(::pclose(p), 0) << cmd;
  return out;
}

TEST(SideBySide, PrepareThenTimeAtTinySizes) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* tmp = std::getenv("TEST_TMPDIR");
  ASSERT_NE(srcdir, nullptr);
  ASSERT_NE(tmp, nullptr);
  const std::string bin = std::string(srcdir) + "/tfckpt/bench/side_by_side";
  const std::string dir = std::string(tmp) + "/sbs";
  ASSERT_TRUE(io::Env::Default()->CreateDirRecursively(dir).ok());
  Sizes sizes;
  sizes.one_bytes = 1 << 20;
  sizes.many_count = 10;
  sizes.many_total_bytes = 1 << 20;
  const std::string size_args = " 1048576 10 1048576";
  RunCommand(bin + " prepare " + dir + size_args);
  // The data sets are storage_bench's: the same keys and bytes validate.
  EXPECT_TRUE(ValidateBundle(io::Env::Default(), dir + "/one", sizes.one_bytes).ok());
  EXPECT_TRUE(ValidateBundle(io::Env::Default(), dir + "/many", sizes.many_bytes()).ok());
  auto src = MakeSource(sizes, Layout::kMany);
  ASSERT_TRUE(src.ok());
  ReadSpec spec;
  auto read = ReadBundle(io::Env::Default(), dir + "/many", src->keys, src->largest_bytes, spec);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->tensors, 10u);

  const std::string out = RunCommand(bin + " time " + dir + " 2 1" + size_args);
  std::set<std::string> ops;
  size_t start = 0;
  while (start < out.size()) {
    const size_t end = out.find('\n', start);
    const std::string line = out.substr(start, end - start);
    start = end == std::string::npos ? out.size() : end + 1;
    const size_t op = line.find("\"op\":\"");
    ASSERT_NE(op, std::string::npos) << line;
    const size_t layout = line.find("\"layout\":\"");
    ASSERT_NE(layout, std::string::npos) << line;
    ops.insert(line.substr(op + 6, line.find('"', op + 6) - op - 6) + "/" +
               line.substr(layout + 10, line.find('"', layout + 10) - layout - 10));
    EXPECT_NE(line.find("\"impl\":\"tfckpt\""), std::string::npos) << line;
    EXPECT_NE(line.find("\"wall\":["), std::string::npos) << line;
  }
  // No TensorFlow files in dir: only tfckpt's are read.
  std::set<std::string> want;
  for (const char* layout : {"one", "many"}) {
    for (const char* op : {"write_nofsync", "write_fsync", "read_zero_copy", "read_copy",
                           "validate", "validate_1thread"}) {
      want.insert(std::string(op) + "/" + layout);
    }
  }
  EXPECT_EQ(ops, want) << out;
}

}  // namespace
}  // namespace tfckpt::bench
