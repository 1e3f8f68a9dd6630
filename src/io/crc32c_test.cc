#include "src/io/crc32c.h"

#include <string>

#include "gtest/gtest.h"

namespace tfckpt::io::crc32c {
namespace {

// Check values from RFC 3720 (iSCSI) §B.4 and the CRC-32C catalogue.
TEST(Crc32c, StandardVectors) {
  EXPECT_EQ(Value("123456789"), 0xe3069283u);
  EXPECT_EQ(Value(std::string(32, '\0')), 0x8a9136aau);
  EXPECT_EQ(Value(std::string(32, '\xff')), 0x62a8ab43u);
  std::string inc;
  for (int i = 0; i < 32; ++i) inc.push_back(static_cast<char>(i));
  EXPECT_EQ(Value(inc), 0x46dd794eu);
}

TEST(Crc32c, ExtendEqualsWhole) {
  const std::string a = "hello ", b = "world";
  EXPECT_EQ(Extend(Value(a), b.data(), b.size()), Value(a + b));
}

TEST(Crc32c, MaskRoundTripsAndDiffers) {
  const uint32_t crc = Value("foo");
  EXPECT_NE(Mask(crc), crc);
  EXPECT_NE(Mask(Mask(crc)), crc);
  EXPECT_EQ(Unmask(Mask(crc)), crc);
  EXPECT_EQ(Unmask(Unmask(Mask(Mask(crc)))), crc);
  EXPECT_EQ(Mask(0), 0xa282ead8u);  // FORMATS.md §2.3: zero-element tensors
}

// docs/FORMATS.md §2.7: float32 0.5 stored as 00 00 00 3f.
TEST(Crc32c, WorkedExampleFromSpec) {
  const char half[4] = {0, 0, 0, 0x3f};
  EXPECT_EQ(Value(half, 4), 0x26973e52u);
  EXPECT_EQ(Mask(Value(half, 4)), 0x1f273806u);
}

}  // namespace
}  // namespace tfckpt::io::crc32c
