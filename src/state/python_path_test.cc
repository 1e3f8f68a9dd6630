// Expected values are CPython 3.11's own results, printed by a throwaway
// script that set `os.getcwd = lambda: "/w/cur"` and called
// posixpath.normpath/dirname/join/abspath/relpath on each input below
// (no hand edits).
#include "src/state/python_path.h"

#include <string>

#include "gtest/gtest.h"

namespace tfckpt::state {
namespace {

constexpr char kCwd[] = "/w/cur";

struct Case1 {
  const char* in;
  const char* want;
};
struct Case2 {
  const char* a;
  const char* b;
  const char* want;
};

TEST(PythonPathTest, NormPathMatchesPosixpath) {
  const Case1 cases[] = {
  {"", "."},
  {".", "."},
  {"..", ".."},
  {"/", "/"},
  {"//", "//"},
  {"///", "/"},
  {"a", "a"},
  {"a/", "a"},
  {"a//b", "a/b"},
  {"./a", "a"},
  {"a/./b", "a/b"},
  {"a/../b", "b"},
  {"../a", "../a"},
  {"../../a/..", "../.."},
  {"/..", "/"},
  {"/../a", "/a"},
  {"//a/b", "//a/b"},
  {"///a//b/", "/a/b"},
  {"a/b/../../..", ".."},
  {"train/model-0", "train/model-0"},
  {"/w/cur/train/m", "/w/cur/train/m"},
  {"/w/other/x", "/w/other/x"},
  {"x/..", "."},
  };
  for (const auto& c : cases) EXPECT_EQ(PyNormPath(c.in), c.want) << c.in;
}

TEST(PythonPathTest, DirnameMatchesPosixpath) {
  const Case1 cases[] = {
  {"", ""},
  {".", ""},
  {"..", ""},
  {"/", "/"},
  {"//", "//"},
  {"///", "///"},
  {"a", ""},
  {"a/", "a"},
  {"a//b", "a"},
  {"./a", "."},
  {"a/./b", "a/."},
  {"a/../b", "a/.."},
  {"../a", ".."},
  {"../../a/..", "../../a"},
  {"/..", "/"},
  {"/../a", "/.."},
  {"//a/b", "//a"},
  {"///a//b/", "///a//b"},
  {"a/b/../../..", "a/b/../.."},
  {"train/model-0", "train"},
  {"/w/cur/train/m", "/w/cur/train"},
  {"/w/other/x", "/w/other"},
  {"x/..", "x"},
  };
  for (const auto& c : cases) EXPECT_EQ(PyDirname(c.in), c.want) << c.in;
}

TEST(PythonPathTest, JoinMatchesPosixpath) {
  const Case2 cases[] = {
  {"", "", ""},
  {"", "x", "x"},
  {"", "/y", "/y"},
  {"", "./z", "./z"},
  {"d", "", "d/"},
  {"d", "x", "d/x"},
  {"d", "/y", "/y"},
  {"d", "./z", "d/./z"},
  {"d/", "", "d/"},
  {"d/", "x", "d/x"},
  {"d/", "/y", "/y"},
  {"d/", "./z", "d/./z"},
  {"/", "", "/"},
  {"/", "x", "/x"},
  {"/", "/y", "/y"},
  {"/", "./z", "/./z"},
  {"/abs", "", "/abs/"},
  {"/abs", "x", "/abs/x"},
  {"/abs", "/y", "/y"},
  {"/abs", "./z", "/abs/./z"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(PyJoin(c.a, c.b), c.want) << c.a << " + " << c.b;
  }
}

TEST(PythonPathTest, AbsPathMatchesPosixpath) {
  const Case1 cases[] = {
  {"", "/w/cur"},
  {".", "/w/cur"},
  {"..", "/w"},
  {"/", "/"},
  {"//", "//"},
  {"///", "/"},
  {"a", "/w/cur/a"},
  {"a/", "/w/cur/a"},
  {"a//b", "/w/cur/a/b"},
  {"./a", "/w/cur/a"},
  {"a/./b", "/w/cur/a/b"},
  {"a/../b", "/w/cur/b"},
  {"../a", "/w/a"},
  {"../../a/..", "/"},
  {"/..", "/"},
  {"/../a", "/a"},
  {"//a/b", "//a/b"},
  {"///a//b/", "/a/b"},
  {"a/b/../../..", "/w"},
  {"train/model-0", "/w/cur/train/model-0"},
  {"/w/cur/train/m", "/w/cur/train/m"},
  {"/w/other/x", "/w/other/x"},
  {"x/..", "/w/cur"},
  };
  for (const auto& c : cases) EXPECT_EQ(PyAbsPath(c.in, kCwd), c.want) << c.in;
}

TEST(PythonPathTest, RelPathMatchesPosixpath) {
  // {path, start, relpath(path, start)}
  const Case2 cases[] = {
  {"train/model-0", "", "train/model-0"},
  {"model-0", "", "model-0"},
  {"/w/cur/train/m", "", "train/m"},
  {"/w/other/x", "", "../other/x"},
  {"..", "", ".."},
  {"/", "", "../.."},
  {"train", "", "train"},
  {"../../q", "", "../../q"},
  {"train/model-0", ".", "train/model-0"},
  {"model-0", ".", "model-0"},
  {"/w/cur/train/m", ".", "train/m"},
  {"/w/other/x", ".", "../other/x"},
  {"..", ".", ".."},
  {"/", ".", "../.."},
  {"train", ".", "train"},
  {"../../q", ".", "../../q"},
  {"train/model-0", "train", "model-0"},
  {"model-0", "train", "../model-0"},
  {"/w/cur/train/m", "train", "m"},
  {"/w/other/x", "train", "../../other/x"},
  {"..", "train", "../.."},
  {"/", "train", "../../.."},
  {"train", "train", "."},
  {"../../q", "train", "../../../q"},
  {"train/model-0", "train/", "model-0"},
  {"model-0", "train/", "../model-0"},
  {"/w/cur/train/m", "train/", "m"},
  {"/w/other/x", "train/", "../../other/x"},
  {"..", "train/", "../.."},
  {"/", "train/", "../../.."},
  {"train", "train/", "."},
  {"../../q", "train/", "../../../q"},
  {"train/model-0", "/w/cur/train", "model-0"},
  {"model-0", "/w/cur/train", "../model-0"},
  {"/w/cur/train/m", "/w/cur/train", "m"},
  {"/w/other/x", "/w/cur/train", "../../other/x"},
  {"..", "/w/cur/train", "../.."},
  {"/", "/w/cur/train", "../../.."},
  {"train", "/w/cur/train", "."},
  {"../../q", "/w/cur/train", "../../../q"},
  {"train/model-0", "/", "w/cur/train/model-0"},
  {"model-0", "/", "w/cur/model-0"},
  {"/w/cur/train/m", "/", "w/cur/train/m"},
  {"/w/other/x", "/", "w/other/x"},
  {"..", "/", "w"},
  {"/", "/", "."},
  {"train", "/", "w/cur/train"},
  {"../../q", "/", "q"},
  {"train/model-0", "..", "cur/train/model-0"},
  {"model-0", "..", "cur/model-0"},
  {"/w/cur/train/m", "..", "cur/train/m"},
  {"/w/other/x", "..", "other/x"},
  {"..", "..", "."},
  {"/", "..", ".."},
  {"train", "..", "cur/train"},
  {"../../q", "..", "../q"},
  {"train/model-0", "../x", "../cur/train/model-0"},
  {"model-0", "../x", "../cur/model-0"},
  {"/w/cur/train/m", "../x", "../cur/train/m"},
  {"/w/other/x", "../x", "../other/x"},
  {"..", "../x", ".."},
  {"/", "../x", "../.."},
  {"train", "../x", "../cur/train"},
  {"../../q", "../x", "../../q"},
  {"train/model-0", "/w", "cur/train/model-0"},
  {"model-0", "/w", "cur/model-0"},
  {"/w/cur/train/m", "/w", "cur/train/m"},
  {"/w/other/x", "/w", "other/x"},
  {"..", "/w", "."},
  {"/", "/w", ".."},
  {"train", "/w", "cur/train"},
  {"../../q", "/w", "../q"},
  };
  for (const auto& c : cases) {
    auto got = PyRelPath(c.a, c.b, kCwd);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got, c.want) << c.a << " from " << c.b;
  }
}

TEST(PythonPathTest, RelPathOfEmptyPathIsAnError) {
  auto got = PyRelPath("", "d", kCwd);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(got.status().message(), "no path specified");
}

TEST(PythonPathTest, IsAbs) {
  EXPECT_TRUE(PyIsAbs("/"));
  EXPECT_TRUE(PyIsAbs("//x"));
  EXPECT_FALSE(PyIsAbs(""));
  EXPECT_FALSE(PyIsAbs("./x"));
}

TEST(PythonPathTest, CurrentDirIsAbsolute) {
  EXPECT_TRUE(PyIsAbs(CurrentDir()));
}

}  // namespace
}  // namespace tfckpt::state
