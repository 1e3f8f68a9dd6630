#include "src/tensor/tensor_slice.h"

#include <algorithm>
#include <limits>
#include <random>

#include "gtest/gtest.h"
#include "src/io/hex.h"
#include "src/tensor/ordered_code.h"

namespace tfckpt::tensor {
namespace {

// Byte examples from docs/FORMATS.md §2.5.
TEST(OrderedCode, SpecExamples) {
  std::string s;
  ordered_code::WriteNumIncreasing(&s, 0);
  EXPECT_EQ(io::SpacedHex(s), "00");
  s.clear();
  ordered_code::WriteNumIncreasing(&s, 1);
  EXPECT_EQ(io::SpacedHex(s), "01 01");
  s.clear();
  ordered_code::WriteNumIncreasing(&s, 300);
  EXPECT_EQ(io::SpacedHex(s), "02 01 2c");
  s.clear();
  ordered_code::WriteSignedNumIncreasing(&s, 0);
  ordered_code::WriteSignedNumIncreasing(&s, -1);
  ordered_code::WriteSignedNumIncreasing(&s, 5);
  EXPECT_EQ(io::SpacedHex(s), "80 7f 85");
  EXPECT_EQ(io::SpacedHex(EncodeTensorNameSlice("a", TensorSlice(1))),
            "00 61 00 01 01 01 80 7f");
}

std::vector<int64_t> InterestingSigned() {
  std::vector<int64_t> v = {0, 1, -1, 63, 64, -64, -65, 8191, 8192, -8192, -8193,
                            std::numeric_limits<int64_t>::max(),
                            std::numeric_limits<int64_t>::min()};
  for (int b = 1; b < 63; ++b) {
    const int64_t p = int64_t{1} << b;
    for (int64_t x : {p - 1, p, p + 1}) {
      v.push_back(x);
      v.push_back(-x);
    }
  }
  std::mt19937_64 rng(42);
  for (int i = 0; i < 2000; ++i) {
    v.push_back(static_cast<int64_t>(rng()) >> (rng() % 64));
  }
  return v;
}

TEST(OrderedCode, SignedRoundTripAndOrder) {
  std::vector<int64_t> values = InterestingSigned();
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  std::string prev;
  for (size_t i = 0; i < values.size(); ++i) {
    std::string enc;
    ordered_code::WriteSignedNumIncreasing(&enc, values[i]);
    ASSERT_LE(enc.size(), 10u);
    std::string_view in = enc;
    int64_t got;
    ASSERT_TRUE(ordered_code::ReadSignedNumIncreasing(&in, &got)) << values[i];
    EXPECT_EQ(got, values[i]);
    EXPECT_TRUE(in.empty());
    // The defining property: byte order equals numeric order.
    if (i > 0) EXPECT_LT(prev, enc) << values[i - 1] << " vs " << values[i];
    prev = enc;
    // Every strict prefix is rejected, never misread.
    for (size_t n = 0; n < enc.size(); ++n) {
      std::string_view cut(enc.data(), n);
      EXPECT_FALSE(ordered_code::ReadSignedNumIncreasing(&cut, &got));
    }
  }
}

TEST(OrderedCode, UnsignedAndStringRoundTrip) {
  for (uint64_t v : {uint64_t{0}, uint64_t{255}, uint64_t{256}, ~uint64_t{0}}) {
    std::string enc;
    ordered_code::WriteNumIncreasing(&enc, v);
    std::string_view in = enc;
    uint64_t got;
    ASSERT_TRUE(ordered_code::ReadNumIncreasing(&in, &got));
    EXPECT_EQ(got, v);
  }
  const std::string tricky("a\x00\xff\x00\x01z", 6);
  std::string enc;
  ordered_code::WriteString(&enc, tricky);
  std::string_view in = enc;
  std::string got;
  ASSERT_TRUE(ordered_code::ReadString(&in, &got));
  EXPECT_EQ(got, tricky);
  EXPECT_TRUE(in.empty());
  std::string_view bad("abc\x00\x02", 5);
  EXPECT_FALSE(ordered_code::ReadString(&bad, &got));
  std::string_view unterminated("abc");
  EXPECT_FALSE(ordered_code::ReadString(&unterminated, &got));
}

TEST(TensorSlice, ParseAndPrint) {
  auto s = TensorSlice::Parse("-:0,1");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->rank(), 2);
  EXPECT_TRUE(s->extent(0).full());
  EXPECT_EQ(s->extent(1).length, 1);
  EXPECT_EQ(s->DebugString(), "-:0,1");
  EXPECT_FALSE(TensorSlice::Parse("0,-1").ok());
  EXPECT_FALSE(TensorSlice::Parse("x").ok());
  EXPECT_FALSE(TensorSlice::Parse("-1,2").ok());
  EXPECT_FALSE(TensorSlice::Parse("9223372036854775807,1").ok());
}

TEST(TensorSlice, ShapesCoverageIntersection) {
  const TensorShape full{5, 10};
  auto a = *TensorSlice::Parse("-:-");
  auto b = *TensorSlice::Parse("0,5:0,10");
  EXPECT_TRUE(a.CoversAll(full));
  EXPECT_TRUE(b.CoversAll(full));  // equivalent (tensor_bundle_test EquivalentSlice)
  auto c = *TensorSlice::Parse("-:3,4");
  EXPECT_EQ(c.SliceShape(full)->DebugString(), "[5,4]");
  EXPECT_FALSE(TensorSlice::Parse("0,6:-")->SliceShape(full).ok());
  TensorSlice r;
  ASSERT_TRUE(c.Intersect(*TensorSlice::Parse("2,2:5,5"), &r));
  EXPECT_EQ(r.DebugString(), "2,2:5,2");
  EXPECT_FALSE(c.Intersect(*TensorSlice::Parse("-:7,1"), &r));
}

TEST(TensorSlice, ProtoValidation) {
  tensorflow::TensorSliceProto p;
  p.add_extent();  // full
  auto* e = p.add_extent();
  e->set_start(2);
  e->set_length(3);
  auto s = TensorSlice::FromProto(p);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->DebugString(), "-:2,3");
  tensorflow::TensorSliceProto back;
  s->ToProto(&back);
  EXPECT_EQ(back.SerializeAsString(), p.SerializeAsString());

  e->set_length(-5);  // TF's fuzzer class "negative extent"
  EXPECT_FALSE(TensorSlice::FromProto(p).ok());
  e->set_start(std::numeric_limits<int64_t>::max() - 1);
  e->set_length(5);  // "extent end overflow"
  EXPECT_FALSE(TensorSlice::FromProto(p).ok());
}

TEST(TensorSlice, KeyRoundTrip) {
  auto s = *TensorSlice::Parse("-:10,20:0,1");
  const std::string key = EncodeTensorNameSlice(std::string("w\x00/x", 4), s);
  std::string name;
  TensorSlice back;
  ASSERT_TRUE(DecodeTensorNameSlice(key, &name, &back).ok());
  EXPECT_EQ(name, std::string("w\x00/x", 4));
  EXPECT_EQ(back, s);
  EXPECT_FALSE(DecodeTensorNameSlice(key.substr(0, key.size() - 1), &name, &back).ok());
  EXPECT_FALSE(DecodeTensorNameSlice(key + "x", &name, &back).ok());
  EXPECT_FALSE(DecodeTensorNameSlice("\x01" + key.substr(1), &name, &back).ok());
}

TEST(ShapeAndSlice, Parses) {
  auto w = ParseShapeAndSlice("");
  ASSERT_TRUE(w.ok());
  EXPECT_TRUE(w->whole);
  auto p = ParseShapeAndSlice("10 5 0,5:0,5");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_FALSE(p->whole);
  EXPECT_EQ(p->full_shape.DebugString(), "[10,5]");
  EXPECT_EQ(p->slice.DebugString(), "0,5:0,5");
  EXPECT_FALSE(ParseShapeAndSlice("10 5 0,11:-").ok());
  EXPECT_FALSE(ParseShapeAndSlice("10 x -:-").ok());
}

}  // namespace
}  // namespace tfckpt::tensor
