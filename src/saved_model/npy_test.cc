// .npy/.npz per numpy/lib/format.py: WriteNpy's header layout, ReadNpy of
// every supported descr (byte orders, Fortran order, 'S' and 'U' strings),
// round trips, and refusals that name the file.
#include "src/saved_model/npy.h"

#include <cstring>
#include <string>

#include "gtest/gtest.h"

namespace tfckpt::saved_model {
namespace {

// A version 1.0 .npy: magic, 2-byte little-endian header length, header.
std::string Npy(const std::string& dict, const std::string& data) {
  std::string header = dict;
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  std::string out("\x93NUMPY\x01\x00", 8);
  out.push_back(static_cast<char>(header.size() & 0xFF));
  out.push_back(static_cast<char>(header.size() >> 8));
  return out + header + data;
}

TEST(Npy, WritesNumpysLayout) {
  tensor::Tensor t = tensor::Tensor::FromVector<float>(
      tensorflow::DT_FLOAT, *tensor::TensorShape::Make({2, 3}), {1, 2, 3, 4, 5, 6});
  auto bytes = WriteNpy(t);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  // numpy: "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
  // padded with spaces to 64 bytes in all, ending in '\n'.
  EXPECT_EQ(bytes->substr(0, 10), std::string("\x93NUMPY\x01\x00\x76\x00", 10));
  EXPECT_EQ(bytes->substr(10, 59), "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }");
  EXPECT_EQ((*bytes)[127], '\n');
  EXPECT_EQ(bytes->size(), 128u + 24u);
  auto one = WriteNpy(tensor::Tensor::FromVector<int64_t>(tensorflow::DT_INT64,
                                                          *tensor::TensorShape::Make({1}), {7}));
  EXPECT_NE(one->find("'shape': (1,), }"), std::string::npos);
  auto scalar = WriteNpy(tensor::Tensor::FromVector<int32_t>(tensorflow::DT_INT32,
                                                             *tensor::TensorShape::Make({}), {7}));
  EXPECT_NE(scalar->find("'shape': (), }"), std::string::npos);
}

TEST(Npy, RoundTripsEveryDtype) {
  const auto shape = *tensor::TensorShape::Make({2, 2});
  for (auto dt : {tensorflow::DT_BOOL, tensorflow::DT_INT8, tensorflow::DT_INT16,
                  tensorflow::DT_INT32, tensorflow::DT_INT64, tensorflow::DT_UINT8,
                  tensorflow::DT_UINT16, tensorflow::DT_UINT32, tensorflow::DT_UINT64,
                  tensorflow::DT_HALF, tensorflow::DT_FLOAT, tensorflow::DT_DOUBLE,
                  tensorflow::DT_COMPLEX64, tensorflow::DT_COMPLEX128}) {
    auto t = tensor::Tensor::Allocate(dt, shape);
    ASSERT_TRUE(t.ok());
    for (uint64_t i = 0; i < t->TotalBytes(); ++i) t->mutable_raw_data()[i] = static_cast<char>(i % 2);
    auto bytes = WriteNpy(*t);
    ASSERT_TRUE(bytes.ok()) << tensor::DataTypeName(dt);
    auto back = ReadNpy(*bytes, "x.npy");
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(back->dtype(), dt);
    EXPECT_EQ(back->shape(), shape);
    EXPECT_EQ(std::memcmp(back->raw_data(), t->raw_data(), t->TotalBytes()), 0)
        << tensor::DataTypeName(dt);
  }
  auto s = tensor::Tensor::FromStrings(*tensor::TensorShape::Make({3}), {"a", "", "xyz"});
  auto back = ReadNpy(*WriteNpy(s), "s.npy");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->strings(), s.strings());
  EXPECT_EQ(WriteNpy(*tensor::Tensor::Allocate(tensorflow::DT_BFLOAT16, shape)).status().code(),
            StatusCode::kUnimplemented);
}

TEST(Npy, ReadsBigEndianFortranAndUnicode) {
  // >i4 [2, 3] in Fortran order: memory holds columns 1 4 | 2 5 | 3 6.
  std::string data;
  for (int v : {1, 4, 2, 5, 3, 6}) data += std::string{0, 0, 0, static_cast<char>(v)};
  auto t = ReadNpy(Npy("{'descr': '>i4', 'fortran_order': True, 'shape': (2, 3), }", data), "f.npy");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->dtype(), tensorflow::DT_INT32);
  std::vector<int32_t> got(t->flat<int32_t>(), t->flat<int32_t>() + 6);
  EXPECT_EQ(got, (std::vector<int32_t>{1, 2, 3, 4, 5, 6}));
  // <U2 ["é", "ab"]: UTF-32LE code points, NUL padded.
  std::string u("\xe9\0\0\0\0\0\0\0a\0\0\0b\0\0\0", 16);
  auto s = ReadNpy(Npy("{'descr': '<U2', 'fortran_order': False, 'shape': (2,), }", u), "u.npy");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->strings(), (std::vector<std::string>{"\xc3\xa9", "ab"}));
}

TEST(Npy, RefusesWithTheFileNamed) {
  auto o = ReadNpy(Npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", "12345678"), "o.npy");
  EXPECT_NE(o.status().message().find("o.npy: numpy dtype '|O' is not supported (object"),
            std::string::npos) << o.status();
  auto short_data = ReadNpy(Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", "1234"), "t.npy");
  EXPECT_NE(short_data.status().message().find("t.npy: .npy data holds 4 bytes"), std::string::npos)
      << short_data.status();
  EXPECT_FALSE(ReadNpy("PK\x03\x04", "z.npy").ok());
}

TEST(Npz, ReadsStoredMembers) {
  // A zip with one stored member "x.npy" (local file header only, as read).
  const std::string npy = *WriteNpy(tensor::Tensor::FromVector<float>(
      tensorflow::DT_FLOAT, *tensor::TensorShape::Make({1}), {2.5f}));
  auto le32 = [](uint32_t v) { return std::string{char(v), char(v >> 8), char(v >> 16), char(v >> 24)}; };
  std::string zip = le32(0x04034b50) + std::string("\x14\0\0\0\0\0\0\0\0\0", 10) + le32(0) +
                    le32(npy.size()) + le32(npy.size()) + std::string("\x05\0\0\0", 4) + "x.npy" + npy;
  auto arrays = ReadNpz(zip, "a.npz");
  ASSERT_TRUE(arrays.ok()) << arrays.status();
  ASSERT_EQ(arrays->count("x"), 1u);
  EXPECT_EQ(arrays->at("x").flat<float>()[0], 2.5f);
  zip[8] = 8;  // method 8: deflate (np.savez_compressed)
  EXPECT_EQ(ReadNpz(zip, "a.npz").status().code(), StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace tfckpt::saved_model
