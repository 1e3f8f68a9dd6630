#include "src/tensor/tensor.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"

namespace tfckpt::tensor {
namespace {

TEST(DataType, SizesAndNames) {
  EXPECT_EQ(DataTypeSize(tensorflow::DT_FLOAT), 4);
  EXPECT_EQ(DataTypeSize(tensorflow::DT_COMPLEX128), 16);
  EXPECT_EQ(DataTypeSize(tensorflow::DT_BFLOAT16), 2);
  EXPECT_EQ(DataTypeSize(tensorflow::DT_BOOL), 1);
  EXPECT_EQ(DataTypeSize(tensorflow::DT_STRING), 0);
  EXPECT_EQ(DataTypeName(tensorflow::DT_FLOAT), "float");
  EXPECT_EQ(DataTypeName(tensorflow::DT_FLOAT_REF), "float_ref");
  EXPECT_EQ(DataTypeName(999), "unknown dtype 999");
  EXPECT_EQ(DataTypeFromName("half"), tensorflow::DT_HALF);
  EXPECT_FALSE(IsKnownDataType(0));
  EXPECT_FALSE(IsKnownDataType(101));
  EXPECT_FALSE(IsSaveable(tensorflow::DT_RESOURCE));
  // Every enum value the proto declares (but refs and INVALID) is known.
  const auto* e = tensorflow::DataType_descriptor();
  for (int i = 0; i < e->value_count(); ++i) {
    const int v = e->value(i)->number();
    EXPECT_EQ(IsKnownDataType(v), v > 0 && v < 100) << e->value(i)->name();
  }
}

TEST(TensorShape, ValidatesLikeTensorFlow) {
  tensorflow::TensorShapeProto p;
  p.add_dim()->set_size(2);
  p.add_dim()->set_size(3);
  auto s = TensorShape::FromProto(p);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->num_elements(), 6);
  EXPECT_EQ(s->DebugString(), "[2,3]");

  p.add_dim()->set_size(-1);
  EXPECT_FALSE(TensorShape::FromProto(p).ok());

  tensorflow::TensorShapeProto huge;
  for (int i = 0; i < 4; ++i) huge.add_dim()->set_size(int64_t{1} << 20);
  EXPECT_FALSE(TensorShape::FromProto(huge).ok());  // 2^80 elements

  tensorflow::TensorShapeProto unknown;
  unknown.set_unknown_rank(true);
  EXPECT_FALSE(TensorShape::FromProto(unknown).ok());

  tensorflow::TensorShapeProto deep;
  for (int i = 0; i < 255; ++i) deep.add_dim()->set_size(1);
  EXPECT_FALSE(TensorShape::FromProto(deep).ok());
  deep.mutable_dim()->RemoveLast();
  EXPECT_TRUE(TensorShape::FromProto(deep).ok());

  tensorflow::TensorShapeProto zero;
  zero.add_dim()->set_size(0);
  zero.add_dim()->set_size(int64_t{1} << 62);
  auto z = TensorShape::FromProto(zero);
  ASSERT_TRUE(z.ok());
  EXPECT_EQ(z->num_elements(), 0);
}

TEST(Tensor, AllocateBorrowCopyOnWrite) {
  auto t = Tensor::Allocate(tensorflow::DT_FLOAT, TensorShape{2, 3});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->TotalBytes(), 24u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t->raw_data()) % 64, 0u);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(t->flat<float>()[i], 0.0f);

  static const float kValues[2] = {1.5f, -2.0f};
  auto owner = std::make_shared<int>(0);
  Tensor b = Tensor::Borrow(tensorflow::DT_FLOAT, TensorShape{2},
                            reinterpret_cast<const char*>(kValues), owner);
  EXPECT_EQ(b.raw_data(), reinterpret_cast<const char*>(kValues));
  b.mutable_flat<float>()[0] = 7.0f;  // copies, never writes the source
  EXPECT_EQ(kValues[0], 1.5f);
  EXPECT_EQ(b.flat<float>()[0], 7.0f);
  EXPECT_EQ(b.flat<float>()[1], -2.0f);
}

TEST(Tensor, AllocationLimits) {
  EXPECT_EQ(Tensor::Allocate(tensorflow::DT_DOUBLE, TensorShape{1000}, 100)
                .status().code(),
            StatusCode::kResourceExhausted);
  EXPECT_FALSE(Tensor::Allocate(tensorflow::DT_RESOURCE, TensorShape{1}).ok());
}

TEST(Tensor, BitwiseEqualsSeesNanPayloadsAndSignedZero) {
  const float nan1 = std::numeric_limits<float>::quiet_NaN();
  const float nan2 = -nan1;
  Tensor a = Tensor::FromVector<float>(tensorflow::DT_FLOAT, TensorShape{2}, {nan1, 0.0f});
  Tensor b = Tensor::FromVector<float>(tensorflow::DT_FLOAT, TensorShape{2}, {nan1, 0.0f});
  Tensor c = Tensor::FromVector<float>(tensorflow::DT_FLOAT, TensorShape{2}, {nan2, 0.0f});
  Tensor d = Tensor::FromVector<float>(tensorflow::DT_FLOAT, TensorShape{2}, {nan1, -0.0f});
  EXPECT_TRUE(a.BitwiseEquals(b));
  EXPECT_FALSE(a.BitwiseEquals(c));
  EXPECT_FALSE(a.BitwiseEquals(d));
  Tensor s1 = Tensor::FromStrings(TensorShape{2}, {std::string("a\0b", 3), ""});
  Tensor s2 = Tensor::FromStrings(TensorShape{2}, {std::string("a\0c", 3), ""});
  EXPECT_FALSE(s1.BitwiseEquals(s2));
}

}  // namespace
}  // namespace tfckpt::tensor
