#include "src/tensor/tensor_proto.h"

#include <google/protobuf/text_format.h>

#include <complex>
#include <cstring>
#include <limits>

#include "gtest/gtest.h"

namespace tfckpt::tensor {
namespace {

using tensorflow::TensorProto;

TensorProto Parse(const std::string& text) {
  TensorProto p;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &p)) << text;
  return p;
}

// A tensor of `dtype` and shape [5] whose bytes are distinct and valid for
// the dtype (bool 0/1, int4 in range...).
Tensor Sample(DataType dtype, TensorShape shape = {5}) {
  Tensor t = *Tensor::Allocate(dtype, shape);
  const int64_t n = t.num_elements();
  if (dtype == tensorflow::DT_STRING) {
    for (int64_t i = 0; i < n; ++i) {
      (*t.mutable_strings())[i] = std::string("s") + std::string(i, '\0') + char('a' + i);
    }
    return t;
  }
  unsigned char* raw = reinterpret_cast<unsigned char*>(t.mutable_raw_data());
  const uint64_t bytes = t.TotalBytes();
  for (uint64_t i = 0; i < bytes; ++i) raw[i] = static_cast<unsigned char>(0x80 + 37 * i);
  if (dtype == tensorflow::DT_BOOL) {
    for (int64_t i = 0; i < n; ++i) raw[i] = i % 2;
  } else if (dtype == tensorflow::DT_INT4) {
    for (int64_t i = 0; i < n; ++i) raw[i] = static_cast<unsigned char>(static_cast<int8_t>(i - 3));
  } else if (dtype == tensorflow::DT_UINT4) {
    for (int64_t i = 0; i < n; ++i) raw[i] = static_cast<unsigned char>(i + 9);
  }
  return t;
}

const DataType kAllCodable[] = {
    tensorflow::DT_FLOAT,        tensorflow::DT_DOUBLE,        tensorflow::DT_INT32,
    tensorflow::DT_UINT8,        tensorflow::DT_INT16,         tensorflow::DT_INT8,
    tensorflow::DT_STRING,       tensorflow::DT_COMPLEX64,     tensorflow::DT_INT64,
    tensorflow::DT_BOOL,         tensorflow::DT_QINT8,         tensorflow::DT_QUINT8,
    tensorflow::DT_QINT32,       tensorflow::DT_BFLOAT16,      tensorflow::DT_QINT16,
    tensorflow::DT_QUINT16,      tensorflow::DT_UINT16,        tensorflow::DT_COMPLEX128,
    tensorflow::DT_HALF,         tensorflow::DT_UINT32,        tensorflow::DT_UINT64,
    tensorflow::DT_FLOAT8_E5M2,  tensorflow::DT_FLOAT8_E4M3FN, tensorflow::DT_FLOAT8_E4M3FNUZ,
    tensorflow::DT_FLOAT8_E4M3B11FNUZ, tensorflow::DT_FLOAT8_E5M2FNUZ, tensorflow::DT_INT4,
    tensorflow::DT_UINT4,
};

TEST(TensorProto, EveryDtypeRoundTripsThroughBothLayouts) {
  for (DataType dtype : kAllCodable) {
    SCOPED_TRACE(DataTypeName(dtype));
    for (const TensorShape& shape : {TensorShape{5}, TensorShape{}, TensorShape{2, 0},
                                     TensorShape{1, 3}}) {
      const Tensor t = Sample(dtype, shape);
      TensorProto field, content;
      ASSERT_TRUE(TensorToProtoField(t, &field).ok());
      ASSERT_TRUE(TensorToProtoContent(t, &content).ok());
      EXPECT_TRUE(field.tensor_content().empty());
      EXPECT_EQ(content.tensor_content().empty(), t.num_elements() == 0);
      for (const TensorProto* p : {&field, &content}) {
        auto back = TensorFromProto(*p);
        ASSERT_TRUE(back.ok()) << back.status();
        EXPECT_TRUE(back->BitwiseEquals(t)) << back->DebugString() << " vs " << t.DebugString();
      }
    }
  }
}

TEST(TensorProto, TypedFieldOfEachDtype) {
  struct Case {
    DataType dtype;
    const char* field_text;  // values 1, 2 (or their bit patterns)
  };
  const Case cases[] = {
      {tensorflow::DT_FLOAT, "float_val: 1 float_val: 2"},
      {tensorflow::DT_DOUBLE, "double_val: 1 double_val: 2"},
      {tensorflow::DT_INT32, "int_val: 1 int_val: 2"},
      {tensorflow::DT_INT64, "int64_val: 1 int64_val: 2"},
      {tensorflow::DT_UINT32, "uint32_val: 1 uint32_val: 2"},
      {tensorflow::DT_UINT64, "uint64_val: 1 uint64_val: 2"},
      {tensorflow::DT_BOOL, "bool_val: true bool_val: false"},
      {tensorflow::DT_HALF, "half_val: 15360 half_val: 16384"},        // 1.0, 2.0
      {tensorflow::DT_BFLOAT16, "half_val: 16256 half_val: 16384"},    // 1.0, 2.0
      {tensorflow::DT_COMPLEX64, "scomplex_val: 1 scomplex_val: 2 scomplex_val: 3 scomplex_val: 4"},
      {tensorflow::DT_COMPLEX128, "dcomplex_val: 1 dcomplex_val: 2 dcomplex_val: 3 dcomplex_val: 4"},
      {tensorflow::DT_STRING, "string_val: 'a' string_val: 'b'"},
      {tensorflow::DT_FLOAT8_E4M3FN, "float8_val: '\\x38\\x40'"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(DataTypeName(c.dtype));
    TensorProto p = Parse(StrCat("dtype: ", tensorflow::DataType_Name(c.dtype),
                                 " tensor_shape { dim { size: 2 } } ", c.field_text));
    auto t = TensorFromProto(p);
    ASSERT_TRUE(t.ok()) << t.status();
    TensorProto again;
    ASSERT_TRUE(TensorToProtoField(*t, &again).ok());
    again.clear_dtype();
    again.clear_tensor_shape();
    TensorProto expect = p;
    expect.clear_dtype();
    expect.clear_tensor_shape();
    EXPECT_EQ(again.SerializeAsString(), expect.SerializeAsString()) << again.DebugString();
  }
  auto c = TensorFromProto(Parse(
      "dtype: DT_COMPLEX64 tensor_shape { dim { size: 2 } } "
      "scomplex_val: 1 scomplex_val: 2 scomplex_val: 3 scomplex_val: 4"));
  EXPECT_EQ(c->flat<std::complex<float>>()[1], std::complex<float>(3, 4));
  auto h = TensorFromProto(Parse("dtype: DT_HALF tensor_shape { } half_val: 15360"));
  EXPECT_EQ(h->flat<uint16_t>()[0], 0x3c00);
}

TEST(TensorProto, SmallIntsAreStaticCastLikeTensorFlow) {
  auto t = TensorFromProto(Parse(
      "dtype: DT_INT8 tensor_shape { dim { size: 3 } } int_val: -1 int_val: 127 int_val: 300"));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->flat<int8_t>()[0], -1);
  EXPECT_EQ(t->flat<int8_t>()[1], 127);
  EXPECT_EQ(t->flat<int8_t>()[2], static_cast<int8_t>(300));
  auto u = TensorFromProto(
      Parse("dtype: DT_UINT16 tensor_shape { dim { size: 1 } } int_val: 65535"));
  EXPECT_EQ(u->flat<uint16_t>()[0], 65535);
}

TEST(TensorProto, FewerValuesRepeatTheLast) {
  auto t = TensorFromProto(Parse(
      "dtype: DT_FLOAT tensor_shape { dim { size: 2 } dim { size: 3 } } float_val: 1 float_val: 7"));
  ASSERT_TRUE(t.ok());
  const float* v = t->flat<float>();
  EXPECT_EQ(std::vector<float>(v, v + 6), (std::vector<float>{1, 7, 7, 7, 7, 7}));
  auto s = TensorFromProto(Parse(
      "dtype: DT_STRING tensor_shape { dim { size: 3 } } string_val: 'x' string_val: 'yz'"));
  EXPECT_EQ(s->strings(), (std::vector<std::string>{"x", "yz", "yz"}));
  auto c = TensorFromProto(Parse(
      "dtype: DT_COMPLEX128 tensor_shape { dim { size: 3 } } dcomplex_val: 1 dcomplex_val: -2"));
  EXPECT_EQ(c->flat<std::complex<double>>()[2], std::complex<double>(1, -2));
  auto b = TensorFromProto(
      Parse("dtype: DT_BFLOAT16 tensor_shape { dim { size: 4 } } half_val: 16256"));
  for (int i = 0; i < 4; ++i) EXPECT_EQ(b->flat<uint16_t>()[i], 16256);
}

TEST(TensorProto, NoValuesMeansZeros) {
  for (DataType dtype : kAllCodable) {
    SCOPED_TRACE(DataTypeName(dtype));
    TensorProto p;
    p.set_dtype(dtype);
    p.mutable_tensor_shape()->add_dim()->set_size(4);
    auto t = TensorFromProto(p);
    ASSERT_TRUE(t.ok()) << t.status();
    EXPECT_TRUE(t->BitwiseEquals(*Tensor::Allocate(dtype, {4})));
  }
}

TEST(TensorProto, MoreValuesThanElementsIsAnError) {
  auto t = TensorFromProto(
      Parse("dtype: DT_INT32 tensor_shape { dim { size: 1 } } int_val: 1 int_val: 2"));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(t.status().message(),
            "TensorProto of dtype int32 and shape [1] has 2 values in int_val but only 1 elements");
  EXPECT_FALSE(TensorFromProto(Parse("dtype: DT_FLOAT tensor_shape { dim { size: 0 } } "
                                     "float_val: 1")).ok());
}

TEST(TensorProto, ContentSizeMustMatch) {
  auto t = TensorFromProto(Parse(
      "dtype: DT_FLOAT tensor_shape { dim { size: 3 } } tensor_content: '\\0\\0\\0\\0\\0\\0\\0\\0'"));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(),
            "TensorProto of dtype float and shape [3] needs 3 x 4 bytes of tensor_content, got 8");
  // A huge claimed shape with a few bytes of content never allocates.
  auto big = TensorFromProto(Parse(
      "dtype: DT_DOUBLE tensor_shape { dim { size: 1000000000000 } } tensor_content: 'abcdefgh'"));
  EXPECT_EQ(big.status().code(), StatusCode::kInvalidArgument);
  // Overflowing byte count (elements fit int64, bytes do not).
  auto overflow = TensorFromProto(Parse(
      "dtype: DT_COMPLEX128 tensor_shape { dim { size: 1152921504606846976 } } "
      "tensor_content: 'x'"));
  EXPECT_EQ(overflow.status().code(), StatusCode::kInvalidArgument);
  // Zero elements with content: stricter than TF.
  EXPECT_FALSE(TensorFromProto(Parse(
      "dtype: DT_FLOAT tensor_shape { dim { size: 0 } } tensor_content: 'abcd'")).ok());
}

TEST(TensorProto, BoolContentIsNormalised) {
  auto t = TensorFromProto(
      Parse("dtype: DT_BOOL tensor_shape { dim { size: 3 } } tensor_content: '\\0\\1\\7'"));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(std::string(t->raw_data(), 3), std::string("\0\1\1", 3));
}

TEST(TensorProto, StringContentUsesTheStringListEncoding) {
  auto t = TensorFromProto(Parse(
      "dtype: DT_STRING tensor_shape { dim { size: 2 } } tensor_content: '\\1\\3ab\\0c'"));
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->strings(), (std::vector<std::string>{"a", std::string("b\0c", 3)}));
  for (const char* bad : {"'\\1\\3ab'", "'\\5abc'", "'\\1\\1abc'", "'\\x80'",
                          "'\\xff\\xff\\xff\\xff\\x7f\\0'"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(TensorFromProto(Parse(StrCat("dtype: DT_STRING tensor_shape { dim { size: 2 } } "
                                              "tensor_content: ", bad))).ok());
  }
  // n larger than the content can describe is refused before allocating.
  EXPECT_FALSE(TensorFromProto(Parse("dtype: DT_STRING tensor_shape { dim { size: 100000000000 } } "
                                     "tensor_content: 'ab'")).ok());
}

TEST(TensorProto, BroadcastIsBounded) {
  TensorProtoOptions small;
  small.max_broadcast_bytes = 1000;
  auto ok = TensorFromProto(
      Parse("dtype: DT_FLOAT tensor_shape { dim { size: 250 } } float_val: 3"), small);
  ASSERT_TRUE(ok.ok());
  auto over = TensorFromProto(
      Parse("dtype: DT_FLOAT tensor_shape { dim { size: 251 } } float_val: 3"), small);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(over.status().message(),
            "TensorProto of dtype float and shape [251] would broadcast 1 value of float_val to "
            "251 elements (1004 bytes), over the limit of 1000 bytes");
  // Default limit (1 GiB): a 4 GiB zero tensor described by 10 bytes.
  auto zeros = TensorFromProto(
      Parse("dtype: DT_FLOAT tensor_shape { dim { size: 1073741824 } }"));
  EXPECT_EQ(zeros.status().code(), StatusCode::kResourceExhausted);
  auto huge = TensorFromProto(
      Parse("dtype: DT_INT64 tensor_shape { dim { size: 4611686018427387904 } } int64_val: 1"));
  EXPECT_EQ(huge.status().code(), StatusCode::kResourceExhausted);
  auto strings = TensorFromProto(Parse(
      "dtype: DT_STRING tensor_shape { dim { size: 100000000 } } string_val: 'aaaaaaaaaaaa'"));
  EXPECT_EQ(strings.status().code(), StatusCode::kResourceExhausted);
  // Elements that are all spelled out are not subject to the limit.
  TensorProtoOptions tiny;
  tiny.max_broadcast_bytes = 1;
  EXPECT_TRUE(TensorFromProto(Parse("dtype: DT_FLOAT tensor_shape { dim { size: 2 } } "
                                    "tensor_content: '12345678'"), tiny).ok());
  EXPECT_TRUE(TensorFromProto(Parse("dtype: DT_FLOAT tensor_shape { dim { size: 2 } } "
                                    "float_val: 1 float_val: 2"), tiny).ok());
}

TEST(TensorProto, DtypeAndShapeAreValidated) {
  EXPECT_EQ(TensorFromProto(Parse("tensor_shape { }")).status().message(),
            "TensorProto has no dtype (DT_INVALID)");
  TensorProto bad;
  bad.set_dtype(static_cast<DataType>(77));
  EXPECT_EQ(TensorFromProto(bad).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(TensorFromProto(Parse("dtype: DT_FLOAT_REF")).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(TensorFromProto(Parse("dtype: DT_RESOURCE")).status().code(),
            StatusCode::kUnimplemented);
  EXPECT_EQ(TensorFromProto(Parse("dtype: DT_VARIANT")).status().code(),
            StatusCode::kUnimplemented);
  for (const char* shape : {"unknown_rank: true", "dim { size: -1 }",
                            "dim { size: 4294967296 } dim { size: 4294967296 }"}) {
    SCOPED_TRACE(shape);
    auto t = TensorFromProto(Parse(StrCat("dtype: DT_FLOAT tensor_shape { ", shape, " }")));
    EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(TensorProto, EncodesLikeMakeTensorProto) {
  // Numeric content types with more than one element: tensor_content.
  for (DataType dtype : kAllCodable) {
    SCOPED_TRACE(DataTypeName(dtype));
    TensorProto p;
    ASSERT_TRUE(TensorToProto(Sample(dtype), &p).ok());
    const bool content = dtype != tensorflow::DT_BOOL && dtype != tensorflow::DT_STRING &&
                         dtype != tensorflow::DT_COMPLEX64 && dtype != tensorflow::DT_COMPLEX128 &&
                         dtype != tensorflow::DT_UINT16 && dtype != tensorflow::DT_INT4 &&
                         dtype != tensorflow::DT_UINT4;  // TF 2.21's _TENSOR_CONTENT_TYPES
    EXPECT_EQ(!p.tensor_content().empty(), content);
    EXPECT_EQ(UsesTensorContent(dtype, 5), content);
    TensorProto scalar;
    ASSERT_TRUE(TensorToProto(Sample(dtype, {}), &scalar).ok());
    EXPECT_TRUE(scalar.tensor_content().empty());
  }
  // The bytes make_tensor_proto writes for np.array([1, 2], np.int32) and 1.0.
  TensorProto p;
  ASSERT_TRUE(TensorToProto(Tensor::FromVector<int32_t>(tensorflow::DT_INT32, {2}, {1, 2}), &p).ok());
  EXPECT_EQ(p.SerializeAsString(),
            Parse("dtype: DT_INT32 tensor_shape { dim { size: 2 } } "
                  "tensor_content: '\\1\\0\\0\\0\\2\\0\\0\\0'").SerializeAsString());
  ASSERT_TRUE(TensorToProto(Tensor::FromVector<float>(tensorflow::DT_FLOAT, {}, {1.0f}), &p).ok());
  EXPECT_EQ(p.SerializeAsString(),
            Parse("dtype: DT_FLOAT tensor_shape { } float_val: 1").SerializeAsString());
  TensorProto empty;
  ASSERT_TRUE(TensorToProto(*Tensor::Allocate(tensorflow::DT_FLOAT, {0, 3}), &empty).ok());
  EXPECT_EQ(empty.SerializeAsString(),
            Parse("dtype: DT_FLOAT tensor_shape { dim { size: 0 } dim { size: 3 } }")
                .SerializeAsString());
}

TEST(TensorProto, NonFiniteFloatsKeepTheirBits) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Tensor t = Tensor::FromVector<float>(tensorflow::DT_FLOAT, {4},
                                       {-0.0f, nan, std::numeric_limits<float>::infinity(), 1e-45f});
  for (auto encode : {&TensorToProtoField, &TensorToProtoContent}) {
    TensorProto p;
    ASSERT_TRUE(encode(t, &p).ok());
    EXPECT_TRUE(TensorFromProto(p)->BitwiseEquals(t));
  }
}

TEST(TensorProto, UnsupportedDtypesAreRefusedWhenEncoding) {
  TensorProto p;
  Tensor resource = Tensor::Borrow(tensorflow::DT_RESOURCE, {}, nullptr, nullptr);
  EXPECT_EQ(TensorToProto(resource, &p).code(), StatusCode::kUnimplemented);
  EXPECT_FALSE(IsProtoCodableDataType(tensorflow::DT_VARIANT));
  EXPECT_FALSE(IsProtoCodableDataType(tensorflow::DT_INT2));
  EXPECT_TRUE(IsProtoCodableDataType(tensorflow::DT_INT4));
}

}  // namespace
}  // namespace tfckpt::tensor
