#include "src/io/coding.h"

#include <limits>

#include "gtest/gtest.h"

namespace tfckpt::io {
namespace {

TEST(Coding, FixedIsLittleEndian) {
  std::string s;
  PutFixed32(&s, 0x04030201u);
  PutFixed64(&s, 0x0807060504030201ull);
  EXPECT_EQ(s, std::string("\x01\x02\x03\x04\x01\x02\x03\x04\x05\x06\x07\x08", 12));
  EXPECT_EQ(DecodeFixed32(s.data()), 0x04030201u);
  EXPECT_EQ(DecodeFixed64(s.data() + 4), 0x0807060504030201ull);
}

TEST(Coding, VarintRoundTrip) {
  const uint64_t values[] = {0,          1,          127,        128,
                             300,        16383,      16384,      (1ull << 32) - 1,
                             1ull << 32, (1ull << 63), std::numeric_limits<uint64_t>::max()};
  for (uint64_t v : values) {
    std::string s;
    PutVarint64(&s, v);
    EXPECT_EQ(static_cast<int>(s.size()), VarintLength(v));
    std::string_view in(s);
    uint64_t got = 0;
    ASSERT_TRUE(GetVarint64(&in, &got)) << v;
    EXPECT_EQ(got, v);
    EXPECT_TRUE(in.empty());
  }
  std::string s;
  PutVarint32(&s, 300);
  EXPECT_EQ(s, "\xac\x02");  // the protobuf documentation's example
}

TEST(Coding, TruncatedVarintIsRejected) {
  std::string s;
  PutVarint64(&s, 1ull << 40);
  for (size_t len = 0; len < s.size(); ++len) {
    std::string_view in(s.data(), len);
    uint64_t v;
    EXPECT_FALSE(GetVarint64(&in, &v)) << len;
  }
}

TEST(Coding, OverlongVarint32IsRejected) {
  // 2^32 does not fit a varint32.
  std::string s;
  PutVarint64(&s, 1ull << 32);
  std::string_view in(s);
  uint32_t v;
  EXPECT_FALSE(GetVarint32(&in, &v));
  // Eleven continuation bytes never terminate a varint64.
  std::string eleven(11, '\x80');
  std::string_view in64(eleven);
  uint64_t v64;
  EXPECT_FALSE(GetVarint64(&in64, &v64));
}

}  // namespace
}  // namespace tfckpt::io
