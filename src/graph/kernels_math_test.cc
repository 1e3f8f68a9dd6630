// Math and NN kernels against hand-derived values.
#include <Eigen/Core>

#include <cmath>
#include <complex>
#include <cstring>
#include <limits>

#include "gtest/gtest.h"
#include "src/graph/test_util.h"

namespace tfckpt::graph {
namespace {

using namespace testing;  // NOLINT

constexpr DataType kF = tensorflow::DT_FLOAT;
constexpr DataType kI32 = tensorflow::DT_INT32;
const float kNan = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();

Tensor Bin(const std::string& op, const Tensor& x, const Tensor& y) {
  auto r = RunOp(op, {x, y}, {{"T", AType(x.dtype())}});
  EXPECT_TRUE(r.ok()) << op << ": " << r.status();
  return r.ok() ? *r : Tensor();
}

int64_t UlpDistance(float a, float b) {
  int32_t ia, ib;
  std::memcpy(&ia, &a, 4);
  std::memcpy(&ib, &b, 4);
  if (ia < 0) ia = std::numeric_limits<int32_t>::min() - ia;
  if (ib < 0) ib = std::numeric_limits<int32_t>::min() - ib;
  return std::abs(static_cast<int64_t>(ia) - ib);
}

TEST(Binary, NumpyBroadcasting) {
  const Tensor m = F({2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(Values<float>(Bin("AddV2", m, F({3}, {10, 20, 30}))),
            (std::vector<float>{11, 22, 33, 14, 25, 36}));
  const Tensor col = F({2, 1}, {1, 2});
  const Tensor row = F({1, 3}, {10, 20, 30});
  const Tensor outer = Bin("Mul", col, row);
  EXPECT_EQ(outer.shape(), TensorShape({2, 3}));
  EXPECT_EQ(Values<float>(outer), (std::vector<float>{10, 20, 30, 20, 40, 60}));
  EXPECT_EQ(Values<float>(Bin("Sub", F({}, {1}), m)), (std::vector<float>{0, -1, -2, -3, -4, -5}));
  EXPECT_EQ(Bin("Add", F({0, 3}, {}), F({3}, {1, 2, 3})).shape(), TensorShape({0, 3}));
  EXPECT_EQ(Bin("AddV2", F({1}, {1}), F({}, {2})).shape(), TensorShape({1}));
  auto bad = RunOp("AddV2", {m, F({4}, {1, 2, 3, 4})}, {{"T", AType(kF)}});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(bad.status()), "Incompatible shapes: [2,3] vs. [4]");
}

TEST(Binary, IntegersWrapStringsConcatenate) {
  const int32_t max = std::numeric_limits<int32_t>::max();
  EXPECT_EQ(Values<int32_t>(Bin("AddV2", I32({1}, {max}), I32({1}, {1})))[0],
            std::numeric_limits<int32_t>::min());
  EXPECT_EQ(Values<int32_t>(Bin("Mul", I32({1}, {65536}), I32({1}, {65536})))[0], 0);
  EXPECT_EQ(Values<int64_t>(Bin("Sub", I64({1}, {std::numeric_limits<int64_t>::min()}), I64({1}, {1})))[0],
            std::numeric_limits<int64_t>::max());
  const Tensor u = MakeTensor<uint8_t>(tensorflow::DT_UINT8, {2}, {250, 3});
  EXPECT_EQ(Values<uint8_t>(Bin("AddV2", u, MakeTensor<uint8_t>(tensorflow::DT_UINT8, {}, {10}))),
            (std::vector<uint8_t>{4, 13}));
  const Tensor u16 = MakeTensor<uint16_t>(tensorflow::DT_UINT16, {1}, {65535});
  EXPECT_EQ(Values<uint16_t>(Bin("Mul", u16, u16))[0], 1);
  EXPECT_EQ(Values<std::string>(Bin("Add", S({2}, {"a", "b"}), S({}, {"!"}))),
            (std::vector<std::string>{"a!", "b!"}));
}

TEST(Binary, DivisionMaximumMinimum) {
  const Tensor d = Bin("RealDiv", F({3}, {1, -1, 0}), F({3}, {0, 0, 0}));
  EXPECT_EQ(Values<float>(d)[0], kInf);
  EXPECT_EQ(Values<float>(d)[1], -kInf);
  EXPECT_TRUE(std::isnan(Values<float>(d)[2]));
  EXPECT_EQ(Values<double>(Bin("RealDiv", D({1}, {1}), D({1}, {3})))[0], 1.0 / 3.0);
  auto ints = RunOp("RealDiv", {I32({1}, {1}), I32({1}, {2})}, {{"T", AType(kI32)}});
  EXPECT_EQ(ints.status().code(), StatusCode::kUnimplemented);
  EXPECT_EQ(Message(ints.status()), "RealDiv is not implemented for dtype int32 in tfckpt");
  // NaN propagates in both positions (Eigen::PropagateNaN).
  const Tensor mx = Bin("Maximum", F({4}, {1, kNan, 3, -0.0f}), F({4}, {2, 1, kNan, 0}));
  EXPECT_EQ(Values<float>(mx)[0], 2);
  EXPECT_TRUE(std::isnan(Values<float>(mx)[1]));
  EXPECT_TRUE(std::isnan(Values<float>(mx)[2]));
  EXPECT_EQ(Values<int32_t>(Bin("Minimum", I32({3}, {1, -5, 7}), I32({}, {0}))),
            (std::vector<int32_t>{0, -5, 0}));
}

TEST(Binary, HalfAndBfloat16RoundOncePerOp) {
  auto h = [](float v) { return Eigen::half(v); };
  const Tensor a = MakeTensor<Eigen::half>(tensorflow::DT_HALF, {2}, {h(1.5f), h(2048)});
  const Tensor b = MakeTensor<Eigen::half>(tensorflow::DT_HALF, {2}, {h(2.25f), h(1)});
  const auto sum = Values<Eigen::half>(Bin("AddV2", a, b));
  EXPECT_EQ(static_cast<float>(sum[0]), 3.75f);
  EXPECT_EQ(static_cast<float>(sum[1]), 2048.0f);  // 2049 is not a half: rounds to even
  const Tensor bf = MakeTensor<Eigen::bfloat16>(tensorflow::DT_BFLOAT16, {1}, {Eigen::bfloat16(1.0f)});
  EXPECT_EQ(static_cast<float>(Values<Eigen::bfloat16>(Bin("Mul", bf, bf))[0]), 1.0f);
}

TEST(Equal, BroadcastsAndIncompatibleShapes) {
  EXPECT_EQ(BoolValues(Bin("Equal", F({3}, {1, kNan, 3}), F({3}, {1, kNan, 4}))),
            (std::vector<bool>{true, false, false}));
  EXPECT_EQ(BoolValues(Bin("Equal", S({2}, {"a", "b"}), S({}, {"b"}))),
            (std::vector<bool>{false, true}));
  auto strict = RunOp("Equal", {F({2}, {1, 2}), F({3}, {1, 2, 3})}, {{"T", AType(kF)}});
  EXPECT_EQ(Message(strict.status()), "Incompatible shapes: [2] vs. [3]");
  auto lax = RunOp("Equal", {F({2}, {1, 2}), F({3}, {1, 2, 3})},
                   {{"T", AType(kF)}, {"incompatible_shape_error", ABool(false)}});
  ASSERT_TRUE(lax.ok());
  EXPECT_EQ(lax->shape(), TensorShape({}));
  EXPECT_EQ(BoolValues(*lax), std::vector<bool>{false});
}

TEST(Unary, NegLogSigmoidTanh) {
  EXPECT_EQ(Values<int32_t>(*RunOp("Neg", {I32({2}, {std::numeric_limits<int32_t>::min(), 5})},
                                   {{"T", AType(kI32)}})),
            (std::vector<int32_t>{std::numeric_limits<int32_t>::min(), -5}));
  auto log = *RunOp("Log", {F({4}, {1, 0, -1, kInf})}, {{"T", AType(kF)}});
  EXPECT_EQ(Values<float>(log)[0], 0);
  EXPECT_EQ(Values<float>(log)[1], -kInf);
  EXPECT_TRUE(std::isnan(Values<float>(log)[2]));
  EXPECT_EQ(Values<float>(log)[3], kInf);
  auto sig = *RunOp("Sigmoid", {F({3}, {0, 100, -100})}, {{"T", AType(kF)}});
  EXPECT_EQ(Values<float>(sig)[0], 0.5f);
  EXPECT_EQ(Values<float>(sig)[1], 1.0f);
  EXPECT_LT(Values<float>(sig)[2], 1e-40f);
  auto tanh = *RunOp("Tanh", {F({3}, {0, 20, -20})}, {{"T", AType(kF)}});
  EXPECT_EQ(Values<float>(tanh), (std::vector<float>{0, 1, -1}));
  // Against libm over a range: Eigen's functors stay within a few ulps.
  std::vector<float> xs;
  for (int i = -40; i <= 40; ++i) xs.push_back(i * 0.137f);
  const Tensor x = F({static_cast<int64_t>(xs.size())}, xs);
  const auto t = Values<float>(*RunOp("Tanh", {x}, {{"T", AType(kF)}}));
  const auto s = Values<float>(*RunOp("Sigmoid", {x}, {{"T", AType(kF)}}));
  std::vector<float> pos;
  for (float v : xs) pos.push_back(std::fabs(v) + 0.01f);
  const auto l = Values<float>(*RunOp("Log", {F({static_cast<int64_t>(pos.size())}, pos)}, {{"T", AType(kF)}}));
  for (size_t i = 0; i < xs.size(); ++i) {
    EXPECT_LE(UlpDistance(t[i], static_cast<float>(std::tanh(double{xs[i]}))), 4) << xs[i];
    EXPECT_LE(UlpDistance(s[i], static_cast<float>(1 / (1 + std::exp(-double{xs[i]})))), 4) << xs[i];
    EXPECT_LE(UlpDistance(l[i], static_cast<float>(std::log(double{pos[i]}))), 2) << pos[i];
  }
  auto c = *RunOp("Neg", {MakeTensor<std::complex<float>>(tensorflow::DT_COMPLEX64, {1}, {{1, -2}})},
                  {{"T", AType(tensorflow::DT_COMPLEX64)}});
  EXPECT_EQ(Values<std::complex<float>>(c)[0], std::complex<float>(-1, 2));
}

Tensor Cast(const Tensor& x, DataType dst, bool truncate = false) {
  auto r = RunOp("Cast", {x}, {{"SrcT", AType(x.dtype())}, {"DstT", AType(dst)}, {"Truncate", ABool(truncate)}});
  EXPECT_TRUE(r.ok()) << r.status();
  return *r;
}

TEST(Cast, ConversionsLikeTensorFlowOnX86) {
  EXPECT_EQ(Values<int32_t>(Cast(F({4}, {2.7f, -2.7f, 1e10f, kNan}), kI32)),
            (std::vector<int32_t>{2, -2, std::numeric_limits<int32_t>::min(),
                                  std::numeric_limits<int32_t>::min()}));
  EXPECT_EQ(BoolValues(Cast(F({3}, {0, -0.0f, 0.5f}), tensorflow::DT_BOOL)),
            (std::vector<bool>{false, false, true}));
  EXPECT_EQ(Values<float>(Cast(B({2}, {true, false}), kF)), (std::vector<float>{1, 0}));
  EXPECT_EQ(Values<float>(Cast(I64({1}, {(int64_t{1} << 40) + 1}), kF))[0], 1099511627776.0f);
  EXPECT_EQ(Values<double>(Cast(F({1}, {0.1f}), tensorflow::DT_DOUBLE))[0], double{0.1f});
  EXPECT_EQ(Values<uint8_t>(Cast(I32({2}, {257, -1}), tensorflow::DT_UINT8)),
            (std::vector<uint8_t>{1, 255}));
  // float -> half rounds to nearest even; Truncate drops the bits instead.
  const Tensor x = F({1}, {1.005859375f});  // 1 + 3 * 2^-9
  EXPECT_EQ(static_cast<float>(Values<Eigen::bfloat16>(Cast(x, tensorflow::DT_BFLOAT16))[0]), 1.0078125f);
  EXPECT_EQ(static_cast<float>(Values<Eigen::bfloat16>(Cast(x, tensorflow::DT_BFLOAT16, true))[0]), 1.0f);
  EXPECT_EQ(static_cast<float>(Values<Eigen::half>(Cast(F({1}, {65520}), tensorflow::DT_HALF))[0]), kInf);
  EXPECT_EQ(Values<float>(Cast(MakeTensor<std::complex<float>>(tensorflow::DT_COMPLEX64, {1}, {{3, 4}}), kF))[0], 3);
  EXPECT_EQ(Values<std::complex<double>>(Cast(I32({1}, {2}), tensorflow::DT_COMPLEX128))[0],
            std::complex<double>(2, 0));
  // Same type: forwarded.
  EXPECT_EQ(Values<float>(Cast(F({1}, {3}), kF))[0], 3);
  auto s = RunOp("Cast", {S({}, {"1"})}, {{"SrcT", AType(tensorflow::DT_STRING)}, {"DstT", AType(kF)}});
  EXPECT_EQ(s.status().code(), StatusCode::kUnimplemented);
}

TEST(MatMul, ProductsTransposesAndErrors) {
  const Tensor a = F({2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor b = F({3, 2}, {7, 8, 9, 10, 11, 12});
  auto mm = [](const Tensor& x, const Tensor& y, bool ta, bool tb) {
    return RunOp("MatMul", {x, y},
                 {{"T", AType(x.dtype())}, {"transpose_a", ABool(ta)}, {"transpose_b", ABool(tb)}});
  };
  // [[1*7+2*9+3*11, 1*8+2*10+3*12], [4*7+5*9+6*11, 4*8+5*10+6*12]]
  EXPECT_EQ(Values<float>(*mm(a, b, false, false)), (std::vector<float>{58, 64, 139, 154}));
  const Tensor at = F({3, 2}, {1, 4, 2, 5, 3, 6});
  const Tensor bt = F({2, 3}, {7, 9, 11, 8, 10, 12});
  EXPECT_EQ(Values<float>(*mm(at, bt, true, true)), (std::vector<float>{58, 64, 139, 154}));
  EXPECT_EQ(Values<int32_t>(*mm(I32({1, 2}, {2, 3}), I32({2, 1}, {4, 5}), false, false)),
            std::vector<int32_t>{23});
  EXPECT_EQ(Values<double>(*mm(D({1, 1}, {0.5}), D({1, 2}, {2, 4}), false, false)),
            (std::vector<double>{1, 2}));
  auto half = *mm(MakeTensor<Eigen::half>(tensorflow::DT_HALF, {1, 2}, {Eigen::half(1), Eigen::half(2)}),
                  MakeTensor<Eigen::half>(tensorflow::DT_HALF, {2, 1}, {Eigen::half(3), Eigen::half(4)}),
                  false, false);
  EXPECT_EQ(static_cast<float>(Values<Eigen::half>(half)[0]), 11.0f);
  EXPECT_EQ(mm(F({0, 3}, {}), b, false, false)->shape(), TensorShape({0, 2}));
  EXPECT_EQ(Values<float>(*mm(F({2, 0}, {}), F({0, 2}, {}), false, false)),
            (std::vector<float>{0, 0, 0, 0}));
  EXPECT_EQ(Message(mm(a, a, false, false).status()),
            "Matrix size-incompatible: In[0]: [2,3], In[1]: [2,3]");
  EXPECT_EQ(Message(mm(F({3}, {1, 2, 3}), b, false, false).status()),
            "In[0] is not a matrix. Instead it has shape [3]");
}

TEST(BiasAdd, ChannelsLastAndFirst) {
  EXPECT_EQ(Values<float>(*RunOp("BiasAdd", {F({2, 3}, {1, 2, 3, 4, 5, 6}), F({3}, {10, 20, 30})},
                                 {{"T", AType(kF)}})),
            (std::vector<float>{11, 22, 33, 14, 25, 36}));
  EXPECT_EQ(Values<float>(*RunOp("BiasAdd", {F({1, 2, 2}, {1, 2, 3, 4}), F({2}, {10, 20})},
                                 {{"T", AType(kF)}, {"data_format", AStr("NCHW")}})),
            (std::vector<float>{11, 12, 23, 24}));
  EXPECT_EQ(Message(RunOp("BiasAdd", {F({2, 3}, {}), F({2}, {})}, {{"T", AType(kF)}}).status()),
            "Must provide as many biases as the last dimension of the input tensor: [2] vs. [2,3]");
  EXPECT_EQ(Message(RunOp("BiasAdd", {F({3}, {}), F({3}, {})}, {{"T", AType(kF)}}).status()),
            "Input tensor must be at least 2D: [3]");
}

TEST(Relu, ClampsNegativesKeepsNaN) {
  const auto r = Values<float>(*RunOp("Relu", {F({4}, {-1, 2, kNan, -0.0f})}, {{"T", AType(kF)}}));
  EXPECT_EQ(r[0], 0);
  EXPECT_EQ(r[1], 2);
  EXPECT_TRUE(std::isnan(r[2]));
  EXPECT_TRUE(std::signbit(r[3]));
  EXPECT_EQ(Values<int32_t>(*RunOp("Relu", {I32({2}, {-3, 3})}, {{"T", AType(kI32)}})),
            (std::vector<int32_t>{0, 3}));
}

TEST(Softmax, ExactCasesAndShifting) {
  EXPECT_EQ(Values<float>(*RunOp("Softmax", {F({2, 2}, {0, 0, 1000, 1000})}, {{"T", AType(kF)}})),
            (std::vector<float>{0.5f, 0.5f, 0.5f, 0.5f}));
  EXPECT_EQ(Values<float>(*RunOp("Softmax", {F({4}, {3, 3, 3, 3})}, {{"T", AType(kF)}})),
            std::vector<float>(4, 0.25f));
  // softmax([0, ln 3]) = [1/4, 3/4].
  const auto p = Values<float>(*RunOp("Softmax", {F({1, 2}, {0, std::log(3.0f)})}, {{"T", AType(kF)}}));
  EXPECT_LE(UlpDistance(p[0], 0.25f), 2);
  EXPECT_LE(UlpDistance(p[1], 0.75f), 2);
  EXPECT_EQ(Message(RunOp("Softmax", {F({}, {1})}, {{"T", AType(kF)}}).status()),
            "logits must have >= 1 dimension, got []");
}

Tensor Reduce(const std::string& op, const Tensor& x, const std::vector<int32_t>& axes,
              bool keep_dims = false) {
  auto r = RunOp(op, {x, I32({static_cast<int64_t>(axes.size())}, axes)},
                 {{"T", AType(x.dtype())}, {"keep_dims", ABool(keep_dims)}});
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : Tensor();
}

TEST(SumMean, AxesKeepDimsAndErrors) {
  const Tensor x = F({2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(Values<float>(Reduce("Sum", x, {1})), (std::vector<float>{6, 15}));
  EXPECT_EQ(Values<float>(Reduce("Sum", x, {0})), (std::vector<float>{5, 7, 9}));
  EXPECT_EQ(Values<float>(Reduce("Sum", x, {0, -1})), std::vector<float>{21});
  EXPECT_EQ(Reduce("Sum", x, {0, 1}).shape(), TensorShape({}));
  EXPECT_EQ(Reduce("Sum", x, {1}, true).shape(), TensorShape({2, 1}));
  EXPECT_EQ(Values<float>(Reduce("Sum", x, {})), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(Values<float>(Reduce("Mean", x, {1})), (std::vector<float>{2, 5}));
  EXPECT_EQ(Values<int32_t>(Reduce("Mean", I32({2}, {3, 4}), {0})), std::vector<int32_t>{3});
  EXPECT_EQ(Values<int32_t>(Reduce("Sum", I32({2}, {std::numeric_limits<int32_t>::max(), 1}), {0})),
            std::vector<int32_t>{std::numeric_limits<int32_t>::min()});
  const Tensor cube = F({2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  EXPECT_EQ(Values<float>(Reduce("Sum", cube, {1})), (std::vector<float>{4, 6, 12, 14}));
  EXPECT_EQ(Values<float>(Reduce("Sum", cube, {0, 2})), (std::vector<float>{14, 22}));
  EXPECT_EQ(Values<float>(Reduce("Mean", F({2, 2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}),
                                 {0, 2})),
            (std::vector<float>{6, 7, 10, 11}));
  auto axis = RunOp("Sum", {x, I32({}, {2})}, {{"T", AType(kF)}});
  EXPECT_EQ(Message(axis.status()), "Invalid reduction dimension (2 for input with 2 dimension(s)");
  auto dup = RunOp("Sum", {x, I32({2}, {1, -1})}, {{"T", AType(kF)}});
  EXPECT_EQ(Message(dup.status()),
            "Invalid reduction arguments: Axes contains duplicate dimension: 1");
}

TEST(ArgMax, FirstMaximumAlongAnAxis) {
  const Tensor x = F({2, 3}, {1, 3, 2, 5, 5, 0});
  EXPECT_EQ(Values<int64_t>(*RunOp("ArgMax", {x, I32({}, {1})}, {{"T", AType(kF)}})),
            (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(Values<int32_t>(*RunOp("ArgMax", {x, I32({}, {0})},
                                   {{"T", AType(kF)}, {"output_type", AType(kI32)}})),
            (std::vector<int32_t>{1, 1, 0}));
  EXPECT_EQ(Message(RunOp("ArgMax", {x, I32({}, {2})}, {{"T", AType(kF)}}).status()),
            "Expected dimension in the range [-2, 2), but got 2");
  EXPECT_EQ(Message(RunOp("ArgMax", {F({2, 0}, {}), I32({}, {1})}, {{"T", AType(kF)}}).status()),
            "Reduction axis 1 is empty in shape [2,0]");
  EXPECT_EQ(Message(RunOp("ArgMax", {x, I32({1}, {1})}, {{"T", AType(kF)}}).status()),
            "dim must be a scalar, but received tensor of shape: [1]");
}

}  // namespace
}  // namespace tfckpt::graph
