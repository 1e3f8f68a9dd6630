// The safetensors layout from its spec: header size, JSON, aligned order,
// padding, raw little-endian bytes; what has no safetensors form is refused
// before anything is written; a failed write leaves the old file.
#include "src/safetensors/safetensors_writer.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "gtest/gtest.h"

namespace tfckpt::safetensors {
namespace {

using tensor::Tensor;

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return StrCat(dir != nullptr ? dir : "/tmp", "/", name);
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Status Write(const std::string& path, const std::vector<Tensor>& values,
             const std::vector<std::string>& names, std::map<std::string, std::string> metadata = {}) {
  std::vector<SafetensorsEntry> entries;
  for (size_t i = 0; i < values.size(); ++i) entries.push_back({names[i], values[i].dtype(), values[i].shape()});
  return WriteSafetensors(io::Env::Default(), path, entries,
                          [&](size_t i) -> StatusOr<Tensor> { return values[i]; }, metadata);
}

TEST(SafetensorsWriterTest, LayoutFromTheSpec) {
  const std::string path = TempPath("layout.safetensors");
  ASSERT_TRUE(Write(path,
                    {Tensor::FromVector<int8_t>(tensorflow::DT_INT8, {3}, {1, -2, 3}),
                     Tensor::FromVector<float>(tensorflow::DT_FLOAT, {2}, {1.0f, -2.5f}),
                     Tensor::FromVector<uint16_t>(tensorflow::DT_UINT16, {}, {0xbeef})},
                    {"a", "b", "c"}, {{"format", "numpy"}})
                  .ok());
  const std::string file = ReadAll(path);
  // Largest elements first (F32, U16, I8), offsets relative to the buffer.
  std::string json =
      R"({"__metadata__":{"format":"numpy"},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
      R"("c":{"dtype":"U16","shape":[],"data_offsets":[8,10]},"a":{"dtype":"I8","shape":[3],"data_offsets":[10,13]}})";
  json.append((8 - json.size() % 8) % 8, ' ');
  ASSERT_EQ(file.size(), 8 + json.size() + 13);
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(file[i]);
  EXPECT_EQ(n, json.size());
  EXPECT_EQ(n % 8, 0u);
  EXPECT_EQ(file.substr(8, n), json);
  EXPECT_EQ(file.substr(8 + n), std::string("\x00\x00\x80\x3f\x00\x00\x20\xc0\xef\xbe\x01\xfe\x03", 13));
}

TEST(SafetensorsWriterTest, RefusesWhatItCannotRepresentAndKeepsTheOldFile) {
  const std::string path = TempPath("refused.safetensors");
  const Tensor f = Tensor::FromVector<float>(tensorflow::DT_FLOAT, {1}, {1.0f});
  ASSERT_TRUE(Write(path, {f}, {"old"}).ok());
  const std::string before = ReadAll(path);
  Status s = Write(path, {Tensor::FromStrings({1}, {"x"})}, {"words"});
  EXPECT_EQ(s.message(), path + ": tensor \"words\": dtype string has no safetensors equivalent");
  s = Write(path, {f, f}, {"w", "w"});
  EXPECT_EQ(s.message(), path + ": tensor \"w\": two tensors have this name");
  s = Write(path, {f}, {std::string("bad\xff", 4)});
  EXPECT_NE(s.message().find("not valid UTF-8"), std::string::npos) << s;
  s = Write(path, {f}, {"__metadata__"});
  EXPECT_NE(s.message().find("reserved"), std::string::npos) << s;
  // A fetch failing midway: the old file stays whole.
  std::vector<SafetensorsEntry> entries = {{"a", tensorflow::DT_FLOAT, {1}}, {"b", tensorflow::DT_FLOAT, {1}}};
  s = WriteSafetensors(io::Env::Default(), path, entries, [&](size_t i) -> StatusOr<Tensor> {
    if (i == 1) return DataLossError("tensor b: checksum mismatch");
    return f;
  });
  EXPECT_EQ(s.message(), "tensor b: checksum mismatch");
  // A fetched tensor unlike its announced entry.
  s = WriteSafetensors(io::Env::Default(), path, {{"a", tensorflow::DT_FLOAT, {2}}},
                       [&](size_t) -> StatusOr<Tensor> { return f; });
  EXPECT_EQ(s.message(), path + ": tensor \"a\": got float [1], announced float [2]");
  EXPECT_EQ(ReadAll(path), before);
}

}  // namespace
}  // namespace tfckpt::safetensors
