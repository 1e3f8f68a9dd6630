#include "src/io/hex.h"

#include "gtest/gtest.h"
#include "src/io/sha256.h"

namespace tfckpt::io {
namespace {

TEST(Hex, EncodesEveryByteValue) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  const std::string hex = Hex(all);
  ASSERT_EQ(hex.size(), 512u);
  EXPECT_EQ(hex.substr(0, 8), "00010203");
  EXPECT_EQ(hex.substr(504), "fcfdfeff");
  EXPECT_EQ(*Unhex(hex), all);
  EXPECT_EQ(SpacedHex(std::string("\x0a\x1b\xff", 3)), "0a 1b ff");
  EXPECT_EQ(SpacedHex(""), "");
}

TEST(Hex, UnhexNamesWhatAndOffset) {
  EXPECT_EQ(*Unhex("0A1b"), std::string("\x0a\x1b", 2));
  EXPECT_EQ(Unhex("abc", "tensor \"x\" data_hex").status().message(),
            "tensor \"x\" data_hex: odd number of hex digits (3)");
  EXPECT_EQ(Unhex("00zz").status().message(), "hex: not a hex digit at offset 2");
}

// FIPS 180-2 test vectors.
TEST(Sha256, KnownAnswers) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace tfckpt::io
