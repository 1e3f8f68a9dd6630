#include "src/io/escape.h"

#include <gtest/gtest.h>

namespace tfckpt::io {
namespace {

using namespace std::string_literals;

TEST(EscapeBytesTest, PrintableAsciiAsIs) {
  EXPECT_EQ(EscapeBytes("dense/kernel:0 [x]"), "dense/kernel:0 [x]");
  EXPECT_EQ(EscapeBytes("a", kEscapeQuoted), "\"a\"");
}

TEST(EscapeBytesTest, OneRuleForEveryOtherByte) {
  const std::string raw = "\0pv\x01\x7f\xff\\\n\t\r\""s;
  EXPECT_EQ(EscapeBytes(raw), "\\x00pv\\x01\\x7f\\xff\\\\\\n\\t\\r\"");
  EXPECT_EQ(EscapeBytes(raw, kEscapeQuoted), "\"\\x00pv\\x01\\x7f\\xff\\\\\\n\\t\\r\\\"\"");
  // Every output byte is printable ASCII, whatever the input.
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  for (char c : EscapeBytes(all)) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << int(c);
}

TEST(EscapeBytesTest, KeepUtf8OnlyWhenTheWholeStringIsValid) {
  EXPECT_EQ(EscapeBytes("h\xc3\xa9", kEscapeKeepUtf8), "h\xc3\xa9");
  EXPECT_EQ(EscapeBytes("h\xc3\xa9"), "h\\xc3\\xa9");
  EXPECT_EQ(EscapeBytes("h\xc3\xa9\xff", kEscapeKeepUtf8), "h\\xc3\\xa9\\xff");
  // Control bytes are escaped even in valid UTF-8.
  EXPECT_EQ(EscapeBytes("\x01\xc3\xa9", kEscapeKeepUtf8 | kEscapeQuoted), "\"\\x01\xc3\xa9\"");
}

TEST(EscapeBytesTest, MaxBytesCutsTheInput) {
  EXPECT_EQ(EscapeBytes(std::string(70, 'k'), kEscapeQuoted, 64),
            "\"" + std::string(64, 'k') + "\"...");
  EXPECT_EQ(EscapeBytes("\xff\xff\xff", 0, 2), "\\xff\\xff...");
  EXPECT_EQ(EscapeBytes("ab", 0, 2), "ab");
}

TEST(IsValidUtf8Test, Strict) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("\xf4\x8f\xbf\xbf"));   // U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xe0\x80\xaf"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  size_t bad = 99;
  EXPECT_FALSE(IsValidUtf8("ab\xe2\x82", &bad));  // truncated
  EXPECT_EQ(bad, 2u);
  EXPECT_EQ(Utf8SequenceLength("a\xe2\x82\xac", 1), 3u);
  EXPECT_EQ(Utf8SequenceLength("\xed\xa0\x80", 0), 0u);
}

}  // namespace
}  // namespace tfckpt::io
