#include <cstdlib>
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "src/io/atomic_file.h"
#include "src/io/env.h"
#include "src/io/mem_env.h"

namespace tfckpt::io {
namespace {

std::string TestDir() {
  const char* t = std::getenv("TEST_TMPDIR");
  return t != nullptr ? t : "/tmp";
}

// Appends of every size around the POSIX writer's 2 MiB write boundary,
// with a Flush between them, land in order.
TEST(PosixEnv, AppendsOfAnySizeLandInOrder) {
  Env* env = Env::Default();
  const std::string path = JoinPath(TestDir(), "appends.bin");
  std::string want;
  {
    auto f = env->NewWritableFile(path);
    ASSERT_TRUE(f.ok()) << f.status();
    const size_t sizes[] = {1, 107376, (2 << 20) - 1, 2 << 20, (2 << 20) + 1, 5 << 20, 3, 0,
                            (4 << 20) + 17, 999999};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); ++i) {
      std::string piece(sizes[i], '\0');
      for (size_t j = 0; j < piece.size(); ++j) piece[j] = static_cast<char>(i * 31 + j * 7);
      ASSERT_TRUE((*f)->Append(piece).ok());
      want += piece;
      if (i == 4) {  // a write that ends off the boundary
        ASSERT_TRUE((*f)->Flush().ok());
      }
      EXPECT_EQ((*f)->Size(), want.size());
    }
    ASSERT_TRUE((*f)->Close().ok());
  }
  auto got = env->ReadFileToString(path);
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(*got == want) << got->size() << " vs " << want.size();
}

// The same contract holds for both real and in-memory files.
void ExerciseEnv(Env* env, const std::string& dir, bool mapped) {
  const std::string path = JoinPath(dir, "sub/dir/file.bin");
  ASSERT_TRUE(env->CreateDirRecursively(Dirname(path)).ok());
  {
    auto f = env->NewWritableFile(path);
    ASSERT_TRUE(f.ok()) << f.status();
    ASSERT_TRUE((*f)->Append("hello ").ok());
    ASSERT_TRUE((*f)->Append(std::string(3 << 20, 'x')).ok());  // > buffer
    ASSERT_TRUE((*f)->Append("end").ok());
    EXPECT_EQ((*f)->Size(), 6u + (3 << 20) + 3);
    ASSERT_TRUE((*f)->Close().ok());
  }
  EXPECT_TRUE(env->FileExists(path));
  EXPECT_TRUE(env->IsDirectory(Dirname(path)));
  auto size = env->GetFileSize(path);
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, 6u + (3 << 20) + 3);

  auto r = env->NewRandomAccessFile(path);
  ASSERT_TRUE(r.ok()) << r.status();
  std::string scratch(16, '\0');
  std::string_view got;
  ASSERT_TRUE((*r)->ReadExact(0, 6, &got, scratch.data()).ok());
  EXPECT_EQ(got, "hello ");
  ASSERT_TRUE((*r)->ReadExact(*size - 3, 3, &got, scratch.data()).ok());
  EXPECT_EQ(got, "end");
  if (mapped) ASSERT_NE((*r)->MappedData(), nullptr);

  // Reading past the end names the file, the offset and what was there.
  Status s = (*r)->ReadExact(*size - 2, 3, &got, scratch.data());
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_NE(s.message().find("file.bin"), std::string::npos) << s;
  EXPECT_NE(s.message().find("offset"), std::string::npos) << s;

  auto children = env->GetChildren(JoinPath(dir, "sub/dir"));
  ASSERT_TRUE(children.ok());
  EXPECT_EQ(*children, std::vector<std::string>{"file.bin"});

  ASSERT_TRUE(env->RenameFile(path, path + ".2").ok());
  EXPECT_FALSE(env->FileExists(path));
  auto glob = env->Glob(JoinPath(dir, "sub/dir/file.*"));
  ASSERT_TRUE(glob.ok());
  EXPECT_EQ(*glob, std::vector<std::string>{path + ".2"});
  ASSERT_TRUE(env->DeleteFile(path + ".2").ok());
  EXPECT_EQ(env->DeleteFile(path + ".2").code(), StatusCode::kNotFound);
  EXPECT_EQ(env->NewRandomAccessFile(path).status().code(),
            StatusCode::kNotFound);
}

// Env::Default reads with pread (no mapping); Env::Mmap maps.
TEST(PosixEnv, Contract) {
  ExerciseEnv(Env::Default(), TestDir() + "/posix", /*mapped=*/false);
  ExerciseEnv(Env::Mmap(), TestDir() + "/mmap", /*mapped=*/true);
}

TEST(MemEnv, Contract) {
  MemEnv env;
  ExerciseEnv(&env, "/mem", /*mapped=*/true);
}

TEST(PosixEnv, EmptyFileIsReadable) {
  const std::string path = TestDir() + "/empty";
  ASSERT_TRUE(WriteFileAtomically(Env::Default(), path, "").ok());
  auto r = Env::Default()->NewRandomAccessFile(path);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->Size(), 0u);
}

TEST(AtomicFile, NothingVisibleUntilPublished) {
  MemEnv env;
  env.PutFile("/d/f", "old");
  auto w = AtomicFileWriter::Create(&env, "/d/f");
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->file()->Append("new contents").ok());
  ASSERT_TRUE((*w)->Seal().ok());
  EXPECT_EQ(*env.ReadFileToString("/d/f"), "old");
  ASSERT_TRUE((*w)->Publish().ok());
  EXPECT_EQ(*env.ReadFileToString("/d/f"), "new contents");
  EXPECT_EQ(*env.GetChildren("/d"), std::vector<std::string>{"f"});
}

TEST(AtomicFile, AbandonedWriterLeavesNoTempFile) {
  MemEnv env;
  env.PutFile("/d/f", "old");
  {
    auto w = AtomicFileWriter::Create(&env, "/d/f");
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->file()->Append("partial").ok());
  }
  EXPECT_EQ(*env.ReadFileToString("/d/f"), "old");
  EXPECT_EQ(*env.GetChildren("/d"), std::vector<std::string>{"f"});
}

// Failing at every mutating step of an atomic write leaves the old file.
TEST(AtomicFile, FaultAtEveryStepKeepsOldFile) {
  MemEnv base;
  FaultInjectionEnv probe(&base);
  ASSERT_TRUE(WriteFileAtomically(&probe, "/d/f", "v1").ok());
  const int64_t steps = probe.operations();
  ASSERT_GT(steps, 3);
  for (int64_t i = 0; i < steps; ++i) {
    MemEnv mem;
    mem.PutFile("/d/f", "v1");
    FaultInjectionEnv env(&mem);
    env.FailAfter(i);
    Status s = WriteFileAtomically(&env, "/d/f", "v2 longer");
    mem.DropUnsyncedData();
    const std::string now = *mem.ReadFileToString("/d/f");
    if (s.ok()) {
      EXPECT_EQ(now, "v2 longer") << "step " << i;
    } else {
      EXPECT_EQ(s.code(), StatusCode::kUnavailable);
      EXPECT_TRUE(now == "v1" || now == "v2 longer") << "step " << i << ": " << now;
    }
  }
}

TEST(Paths, JoinDirnameBasename) {
  EXPECT_EQ(JoinPath("a", "b"), "a/b");
  EXPECT_EQ(JoinPath("a/", "b"), "a/b");
  EXPECT_EQ(JoinPath("a", "/b"), "/b");
  EXPECT_EQ(Dirname("/x/y/z"), "/x/y");
  EXPECT_EQ(Dirname("z"), "");
  EXPECT_EQ(Dirname("/z"), "/");
  EXPECT_EQ(Basename("/x/y/z"), "z");
}

}  // namespace
}  // namespace tfckpt::io
