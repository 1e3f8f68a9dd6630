#include "src/table/format.h"

#include <snappy.h>

#include <limits>
#include <set>
#include <string>

#include "gtest/gtest.h"
#include "src/io/coding.h"
#include "src/io/crc32c.h"
#include "src/table/test_util.h"

namespace tfckpt::table {
namespace {

using testing::StringSource;

TEST(BlockHandleTest, RoundTripAndMaxLength) {
  for (uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{127}, uint64_t{128},
                     uint64_t{1} << 35,
                     std::numeric_limits<uint64_t>::max() - 5}) {
    BlockHandle h{v, v / 2};
    std::string enc = h.Encode();
    EXPECT_LE(enc.size(), kMaxBlockHandleLength);
    std::string_view in = enc;
    BlockHandle d;
    bool canonical = false;
    ASSERT_TRUE(d.DecodeFrom(&in, &canonical));
    EXPECT_TRUE(in.empty());
    EXPECT_TRUE(canonical);
    EXPECT_EQ(d, h);
  }
  BlockHandle big{std::numeric_limits<uint64_t>::max(),
                  std::numeric_limits<uint64_t>::max() - kBlockTrailerSize};
  EXPECT_EQ(big.Encode().size(), kMaxBlockHandleLength);
}

TEST(BlockHandleTest, RejectsTruncatedAndOverflowingSize) {
  const std::string enc = BlockHandle{300, 400}.Encode();
  for (size_t n = 0; n < enc.size(); ++n) {
    std::string_view in(enc.data(), n);
    BlockHandle d;
    EXPECT_FALSE(d.DecodeFrom(&in)) << n;
  }
  // size + 5 would overflow (CVE-2018-7575).
  for (uint64_t sz : {std::numeric_limits<uint64_t>::max(),
                      std::numeric_limits<uint64_t>::max() - 4}) {
    std::string bad;
    io::PutVarint64(&bad, 0);
    io::PutVarint64(&bad, sz);
    std::string_view in = bad;
    BlockHandle d;
    EXPECT_FALSE(d.DecodeFrom(&in));
  }
  // Non-canonical but valid: 0x8e 0x00 == 14.
  std::string_view in("\x00\x8e\x00", 3);
  BlockHandle d;
  bool canonical = true;
  ASSERT_TRUE(d.DecodeFrom(&in, &canonical));
  EXPECT_EQ(d.size, 14u);
  EXPECT_FALSE(canonical);
}

TEST(FooterTest, EncodingMatchesSpec) {
  Footer f;
  f.metaindex_handle = {37, 8};
  f.index_handle = {50, 14};
  const std::string enc = f.Encode();
  ASSERT_EQ(enc.size(), 48u);
  std::string expected("\x25\x08\x32\x0e", 4);
  expected.append(36, '\0');
  expected.append("\x57\xfb\x80\x8b\x24\x75\x47\xdb", 8);
  EXPECT_EQ(enc, expected);

  Footer d;
  ASSERT_TRUE(d.DecodeFrom(enc, 69).ok());
  EXPECT_EQ(d.metaindex_handle, f.metaindex_handle);
  EXPECT_EQ(d.index_handle, f.index_handle);
  EXPECT_TRUE(d.padding_is_zero);
  EXPECT_TRUE(d.handles_canonical);
}

TEST(FooterTest, BadMagicNamesFoundBytes) {
  std::string enc = Footer().Encode();
  enc[47] = 0x00;
  Footer d;
  TableError err;
  Status s = d.DecodeFrom(enc, 100, &err);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_EQ(err.kind, TableErrorKind::kBadMagic);
  EXPECT_EQ(err.offset, 140u);
  EXPECT_NE(s.message().find("not an sstable (bad magic number)"),
            std::string::npos);
  EXPECT_NE(s.message().find("57 fb 80 8b 24 75 47 00"), std::string::npos);
  EXPECT_EQ(err.message, s.message());
}

TEST(FooterTest, PaddingIsReportedNotRejected) {
  std::string enc = Footer().Encode();
  enc[30] = 1;
  Footer d;
  ASSERT_TRUE(d.DecodeFrom(enc, 0).ok());
  EXPECT_FALSE(d.padding_is_zero);
}

TEST(FooterTest, BadHandle) {
  std::string enc = Footer().Encode();
  for (int i = 0; i < 40; ++i) enc[i] = '\xff';  // endless varints
  Footer d;
  TableError err;
  EXPECT_FALSE(d.DecodeFrom(enc, 0, &err).ok());
  EXPECT_EQ(err.kind, TableErrorKind::kBadBlockHandle);
}

// A file holding one block (with trailer) at offset `pad`.
std::string FileWithBlock(std::string_view contents, CompressionType type,
                          size_t pad = 0) {
  std::string file(pad, 'x');
  AppendBlockWithTrailer(contents, type, &file);
  return file;
}

class ReadBlockTest : public ::testing::TestWithParam<bool> {};

TEST_P(ReadBlockTest, UncompressedZeroCopyOnlyWhenMapped) {
  const bool mapped = GetParam();
  StringSource file(FileWithBlock("hello", CompressionType::kNone, 3), mapped);
  BlockContents c;
  ASSERT_TRUE(ReadBlock(file, {3, 5}, true, &c).ok());
  EXPECT_EQ(c.data, "hello");
  EXPECT_EQ(c.zero_copy(), mapped);
  EXPECT_EQ(c.stored_type, CompressionType::kNone);
  if (mapped) {
    EXPECT_EQ(c.data.data(), file.MappedData() + 3);
  }
}

TEST_P(ReadBlockTest, Snappy) {
  const std::string raw(1000, 'z');
  std::string compressed;
  snappy::Compress(raw.data(), raw.size(), &compressed);
  StringSource file(FileWithBlock(compressed, CompressionType::kSnappy),
                    GetParam());
  BlockContents c;
  ASSERT_TRUE(ReadBlock(file, {0, compressed.size()}, true, &c).ok());
  EXPECT_EQ(c.data, raw);
  EXPECT_FALSE(c.zero_copy());
  EXPECT_EQ(c.stored_type, CompressionType::kSnappy);
}

TEST_P(ReadBlockTest, ChecksumMismatchNamesBoth) {
  std::string bytes = FileWithBlock("12345678", CompressionType::kNone, 37);
  bytes[40] ^= 1;
  StringSource file(bytes, GetParam(), "x.index");
  BlockContents c;
  TableError err;
  Status s = ReadBlock(file, {37, 8}, true, &c, &err);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_EQ(err.kind, TableErrorKind::kBlockChecksum);
  EXPECT_EQ(err.offset, 37u);
  EXPECT_NE(s.message().find("x.index: block checksum mismatch at offset 37 "
                             "(size 8"),
            std::string::npos)
      << s;
  EXPECT_NE(s.message().find("stored 0x"), std::string::npos);
  EXPECT_NE(s.message().find("computed 0x"), std::string::npos);
  // Without verification the (wrong) bytes come back.
  ASSERT_TRUE(ReadBlock(file, {37, 8}, false, &c).ok());
}

TEST_P(ReadBlockTest, OutOfRangeBeforeAllocating) {
  StringSource file(FileWithBlock("abc", CompressionType::kNone), GetParam());
  const uint64_t kMax = std::numeric_limits<uint64_t>::max();
  struct Case {
    BlockHandle h;
    TableErrorKind kind;
  } cases[] = {
      {{0, 4}, TableErrorKind::kBlockOutOfRange},
      {{1, 3}, TableErrorKind::kBlockOutOfRange},
      {{9, 0}, TableErrorKind::kBlockOutOfRange},
      {{kMax, 0}, TableErrorKind::kBlockOutOfRange},
      {{kMax - 4, 3}, TableErrorKind::kBlockOutOfRange},
      {{0, kMax - 5}, TableErrorKind::kBlockOutOfRange},
      {{0, kMax}, TableErrorKind::kBadBlockHandle},
      {{1, kMax - 4}, TableErrorKind::kBadBlockHandle},
  };
  for (const auto& c : cases) {
    BlockContents out;
    TableError err;
    Status s = ReadBlock(file, c.h, true, &out, &err);
    EXPECT_EQ(s.code(), StatusCode::kDataLoss) << c.h.offset << "+" << c.h.size;
    EXPECT_EQ(err.kind, c.kind) << s;
  }
  BlockContents out;
  EXPECT_TRUE(ReadBlock(file, {0, 3}, true, &out).ok());
}

TEST_P(ReadBlockTest, UnknownType) {
  StringSource file(FileWithBlock("abc", static_cast<CompressionType>(2)),
                    GetParam());
  BlockContents c;
  TableError err;
  Status s = ReadBlock(file, {0, 3}, true, &c, &err);
  EXPECT_EQ(err.kind, TableErrorKind::kUnknownBlockType);
  EXPECT_NE(s.message().find("bad block type 2"), std::string::npos) << s;
}

TEST_P(ReadBlockTest, BadSnappy) {
  // Declares 1 GiB from a 5-byte block: refused before allocating.
  std::string huge;
  io::PutVarint32(&huge, 1u << 30);
  StringSource f1(FileWithBlock(huge, CompressionType::kSnappy), GetParam());
  BlockContents c;
  TableError err;
  Status s = ReadBlock(f1, {0, huge.size()}, true, &c, &err);
  EXPECT_EQ(err.kind, TableErrorKind::kBadCompression);
  EXPECT_NE(s.message().find("corrupted compressed block contents"),
            std::string::npos);
  // Bad length header.
  const std::string junk("\xff\xff\xff\xff\xff\xff", 6);
  StringSource f2(FileWithBlock(junk, CompressionType::kSnappy), GetParam());
  EXPECT_FALSE(ReadBlock(f2, {0, junk.size()}, true, &c, &err).ok());
  EXPECT_EQ(err.kind, TableErrorKind::kBadCompression);
  // Plausible length, broken stream.
  std::string compressed;
  const std::string raw(200, 'q');
  snappy::Compress(raw.data(), raw.size(), &compressed);
  compressed.resize(compressed.size() - 1);
  StringSource f3(FileWithBlock(compressed, CompressionType::kSnappy),
                  GetParam());
  EXPECT_FALSE(ReadBlock(f3, {0, compressed.size()}, true, &c, &err).ok());
  EXPECT_EQ(err.kind, TableErrorKind::kBadCompression);
}

INSTANTIATE_TEST_SUITE_P(MappedAndNot, ReadBlockTest, ::testing::Bool());

TEST(TableErrorTest, KindNamesAreDistinct) {
  std::set<std::string_view> names;
  for (int k = 0; k <= static_cast<int>(TableErrorKind::kIoError); ++k) {
    names.insert(TableErrorKindName(static_cast<TableErrorKind>(k)));
  }
  EXPECT_EQ(names.size(), static_cast<size_t>(TableErrorKind::kIoError) + 1);
}

TEST(PrintableKeyTest, Escapes) {
  EXPECT_EQ(PrintableKey(std::string("a\xff\"", 3)), "\"a\\xff\\\"\"");
  EXPECT_EQ(PrintableKey(std::string(70, 'k')),
            "\"" + std::string(64, 'k') + "\"...");
}

}  // namespace
}  // namespace tfckpt::table
