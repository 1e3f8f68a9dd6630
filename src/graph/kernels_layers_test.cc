// The layer kernels of the serving registry (kernels_activation.cc,
// kernels_pool.cc, kernels_shape.cc, kernels_norm.cc, DepthwiseConv2dNative,
// kernels_attention.cc) against hand-derived values, TF's values and TF's
// error texts. The zoo
// (src/saved_model/zoo_golden_test.cc) checks them against TF's outputs.
#include <cmath>
#include <limits>
#include <numeric>

#include "gtest/gtest.h"
#include "src/graph/serving_ops.h"
#include "src/graph/test_util.h"

namespace tfckpt::graph {
namespace {

using namespace testing;  // NOLINT

constexpr DataType kF = tensorflow::DT_FLOAT;
constexpr DataType kI32 = tensorflow::DT_INT32;
constexpr DataType kI64 = tensorflow::DT_INT64;

// One node `op` over Const inputs; output `index`.
StatusOr<Tensor> Op(const std::string& op, const std::vector<Tensor>& inputs, const Attrs& attrs,
                    int index = 0) {
  return RunServingOp(op, inputs, attrs, index);
}

std::vector<float> FloatsOf(const StatusOr<Tensor>& t) {
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? Values<float>(*t) : std::vector<float>{};
}

std::vector<int64_t> DimsOf(const StatusOr<Tensor>& t) {
  EXPECT_TRUE(t.ok()) << t.status();
  if (!t.ok()) return {};
  return std::vector<int64_t>(t->shape().dims().begin(), t->shape().dims().end());
}

tensorflow::AttrValue AInts(const std::vector<int64_t>& v) {
  tensorflow::AttrValue a;
  for (int64_t i : v) a.mutable_list()->add_i(i);
  return a;
}

std::vector<float> Unary(const std::string& op, const std::vector<float>& x, Attrs attrs = {}) {
  attrs["T"] = AType(kF);
  return FloatsOf(Op(op, {F({static_cast<int64_t>(x.size())}, x)}, attrs));
}

TEST(Activation, ValuesFromTheDefinitions) {
  const float em1 = std::exp(-1.0f) - 1.0f;
  EXPECT_EQ(Unary("Elu", {-1, 0, 2}), (std::vector<float>{em1, 0, 2}));
  const auto selu = Unary("Selu", {1, -1});
  EXPECT_FLOAT_EQ(selu[0], 1.0507009873554805f);
  EXPECT_FLOAT_EQ(selu[1], 1.7580993408473768f * em1);
  // Softplus: log1p(exp(x)); x beyond -log(eps)-2 is x, below log(eps)+2 exp(x).
  const auto sp = Unary("Softplus", {0, 20, -20});
  EXPECT_FLOAT_EQ(sp[0], std::log(2.0f));
  EXPECT_EQ(sp[1], 20.0f);
  EXPECT_FLOAT_EQ(sp[2], std::exp(-20.0f));
  EXPECT_EQ(Unary("Softsign", {3, -1, 0}), (std::vector<float>{0.75f, -0.5f, 0}));
  EXPECT_EQ(Unary("Relu6", {-1, 3, 7}), (std::vector<float>{0, 3, 6}));
  EXPECT_EQ(Unary("LeakyRelu", {-1, 2}, {{"alpha", AFloat(0.2f)}}),
            (std::vector<float>{-0.2f, 2}));
  // alpha > 1 is not a max (TF's comment): the negative side is scaled.
  EXPECT_EQ(Unary("LeakyRelu", {-1, 2}, {{"alpha", AFloat(2)}}), (std::vector<float>{-2, 2}));
  EXPECT_EQ(Unary("Exp", {0}), std::vector<float>{1});
  EXPECT_EQ(Unary("Erfc", {0}), std::vector<float>{1});
  EXPECT_EQ(Unary("Rsqrt", {4, 0.25f}), (std::vector<float>{0.5f, 2}));
  EXPECT_EQ(Unary("Square", {3, -2}), (std::vector<float>{9, 4}));
  auto i = Op("Relu6", {I32({3}, {-5, 4, 9})}, {{"T", AType(kI32)}});
  ASSERT_TRUE(i.ok()) << i.status();
  EXPECT_EQ(Values<int32_t>(*i), (std::vector<int32_t>{0, 4, 6}));
}

TEST(Activation, BinaryOpsBroadcast) {
  EXPECT_EQ(FloatsOf(Op("SquaredDifference", {F({2}, {1, 2}), F({}, {3})}, {{"T", AType(kF)}})),
            (std::vector<float>{4, 1}));
  auto sd = Op("SquaredDifference", {I32({2}, {1, -2}), I32({1}, {3})}, {{"T", AType(kI32)}});
  ASSERT_TRUE(sd.ok());
  EXPECT_EQ(Values<int32_t>(*sd), (std::vector<int32_t>{4, 25}));
  auto less = Op("Less", {F({3}, {1, 2, 3}), F({1}, {2})}, {{"T", AType(kF)}});
  ASSERT_TRUE(less.ok());
  EXPECT_EQ(BoolValues(*less), (std::vector<bool>{true, false, false}));
  auto bad = Op("Less", {F({3}, {1, 2, 3}), F({2}, {1, 2})}, {{"T", AType(kF)}});
  EXPECT_EQ(Message(bad.status()), "Incompatible shapes: [3] vs. [2]");
  EXPECT_EQ(FloatsOf(Op("StopGradient", {F({2}, {1, 2})}, {{"T", AType(kF)}})),
            (std::vector<float>{1, 2}));
}

Attrs PoolAttrs(const char* padding, int64_t k, int64_t s) {
  return {{"T", AType(kF)}, {"ksize", AInts({1, k, k, 1})}, {"strides", AInts({1, s, s, 1})},
          {"padding", AStr(padding)}};
}

TEST(Pool, MaxAndAverageWindows) {
  std::vector<float> v(16);
  for (int i = 0; i < 16; ++i) v[i] = static_cast<float>(i + 1);
  EXPECT_EQ(FloatsOf(Op("MaxPool", {F({1, 4, 4, 1}, v)}, PoolAttrs("VALID", 2, 2))),
            (std::vector<float>{6, 8, 14, 16}));
  const Tensor nine = F({1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  EXPECT_EQ(FloatsOf(Op("MaxPool", {nine}, PoolAttrs("SAME", 2, 2))),
            (std::vector<float>{5, 6, 8, 9}));
  // Padding is not counted: edge windows average fewer inputs.
  auto avg = Op("AvgPool", {nine}, PoolAttrs("SAME", 2, 2));
  EXPECT_EQ(FloatsOf(avg), (std::vector<float>{3, 4.5f, 7.5f, 9}));
  EXPECT_EQ(DimsOf(avg), (std::vector<int64_t>{1, 2, 2, 1}));
  EXPECT_EQ(FloatsOf(Op("AvgPool", {nine}, PoolAttrs("VALID", 2, 1))),
            (std::vector<float>{3, 4, 6, 7}));
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Attrs row = PoolAttrs("VALID", 1, 1);
  row["ksize"] = AInts({1, 1, 2, 1});
  for (const Tensor& t : {F({1, 1, 2, 1}, {nan, 1}), F({1, 1, 2, 1}, {1, nan})}) {
    const auto m = FloatsOf(Op("MaxPool", {t}, row));
    ASSERT_EQ(m.size(), 1u);
    EXPECT_TRUE(std::isnan(m[0]));
  }
  Attrs batch = PoolAttrs("VALID", 2, 2);
  batch["ksize"] = AInts({2, 1, 1, 1});
  EXPECT_EQ(Message(Op("MaxPool", {nine}, batch).status()),
            "Pooling is not yet supported on the batch dimension.");
  Attrs nchw = PoolAttrs("VALID", 2, 2);
  nchw["data_format"] = AStr("NCHW");
  EXPECT_EQ(Message(Op("AvgPool", {nine}, nchw).status()),
            "Default AvgPoolingOp only supports NHWC on device type CPU");
}

TEST(Pool, MaxReduction) {
  const Tensor m = F({2, 2}, {1, 5, 7, 2});
  Attrs a = {{"T", AType(kF)}, {"Tidx", AType(kI32)}};
  EXPECT_EQ(FloatsOf(Op("Max", {m, I32({}, {1})}, a)), (std::vector<float>{5, 7}));
  EXPECT_EQ(FloatsOf(Op("Max", {m, I32({1}, {0})}, a)), (std::vector<float>{7, 5}));
  a["keep_dims"] = ABool(true);
  EXPECT_EQ(DimsOf(Op("Max", {m, I32({1}, {-1})}, a)), (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(Message(Op("Max", {m, I32({1}, {2})}, a).status()),
            "Invalid reduction dimension (2 for input with 2 dimension(s)");
}

TEST(Shape, ExpandDimsAndSqueeze) {
  const Tensor x = F({2, 3}, {1, 2, 3, 4, 5, 6});
  Attrs e = {{"T", AType(kF)}, {"Tdim", AType(kI32)}};
  EXPECT_EQ(DimsOf(Op("ExpandDims", {x, I32({}, {-1})}, e)), (std::vector<int64_t>{2, 3, 1}));
  EXPECT_EQ(DimsOf(Op("ExpandDims", {x, I32({1}, {0})}, e)), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(Message(Op("ExpandDims", {x, I32({}, {3})}, e).status()),
            "Tried to expand dim index 3 for tensor with 2 dimensions.");
  const Tensor y = F({1, 2, 1}, {1, 2});
  EXPECT_EQ(DimsOf(Op("Squeeze", {y}, {{"T", AType(kF)}})), (std::vector<int64_t>{2}));
  EXPECT_EQ(DimsOf(Op("Squeeze", {y}, {{"T", AType(kF)}, {"squeeze_dims", AInts({0})}})),
            (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(Message(Op("Squeeze", {y}, {{"T", AType(kF)}, {"squeeze_dims", AInts({1})}}).status()),
            "Can not squeeze dim[1], expected a dimension of 1, got 2");
  EXPECT_EQ(Message(Op("Squeeze", {y}, {{"T", AType(kF)}, {"squeeze_dims", AInts({3})}}).status()),
            "Tried to squeeze dim index 3 for tensor with 3 dimensions.");
}

TEST(Shape, Range) {
  auto r = Op("Range", {I32({}, {1}), I32({}, {10}), I32({}, {3})}, {{"Tidx", AType(kI32)}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Values<int32_t>(*r), (std::vector<int32_t>{1, 4, 7}));
  EXPECT_EQ(FloatsOf(Op("Range", {F({}, {0}), F({}, {1}), F({}, {0.25f})}, {{"Tidx", AType(kF)}})),
            (std::vector<float>{0, 0.25f, 0.5f, 0.75f}));
  auto down = Op("Range", {I64({}, {5}), I64({}, {0}), I64({}, {-2})}, {{"Tidx", AType(kI64)}});
  ASSERT_TRUE(down.ok());
  EXPECT_EQ(Values<int64_t>(*down), (std::vector<int64_t>{5, 3, 1}));
  EXPECT_EQ(Message(Op("Range", {I32({}, {0}), I32({}, {1}), I32({}, {0})}, {{"Tidx", AType(kI32)}})
                        .status()),
            "Requires delta != 0: 0");
  EXPECT_EQ(Message(Op("Range", {I32({}, {5}), I32({}, {1}), I32({}, {1})}, {{"Tidx", AType(kI32)}})
                        .status()),
            "Requires start <= limit when delta > 0: 5/1");
  EXPECT_EQ(Message(Op("Range", {I32({2}, {0, 1}), I32({}, {1}), I32({}, {1})},
                       {{"Tidx", AType(kI32)}}).status()),
            "start must be a scalar, not shape [2]");
}

TEST(Shape, GatherV2) {
  const Tensor p = F({3, 2}, {1, 2, 3, 4, 5, 6});
  Attrs a = {{"Tparams", AType(kF)}, {"Tindices", AType(kI32)}, {"Taxis", AType(kI32)}};
  auto rows = Op("GatherV2", {p, I32({2}, {2, 0}), I32({}, {0})}, a);
  EXPECT_EQ(FloatsOf(rows), (std::vector<float>{5, 6, 1, 2}));
  EXPECT_EQ(DimsOf(rows), (std::vector<int64_t>{2, 2}));
  auto cols = Op("GatherV2", {p, I32({1, 1}, {1}), I32({}, {1})}, a);
  EXPECT_EQ(FloatsOf(cols), (std::vector<float>{2, 4, 6}));
  EXPECT_EQ(DimsOf(cols), (std::vector<int64_t>{3, 1, 1}));
  EXPECT_EQ(Message(Op("GatherV2", {p, I32({1, 2}, {0, 3}), I32({}, {0})}, a).status()),
            "indices[0,1] = 3 is not in [0, 3)");
  EXPECT_EQ(Message(Op("GatherV2", {p, I32({1}, {0}), I32({}, {2})}, a).status()),
            "Expected axis in the range [-2, 2), but got 2");
}

TEST(Shape, ResourceGatherReadsTheVariable) {
  GraphBuilder b;
  b.Op("v", "VarHandleOp", {},
       {{"dtype", AType(kF)}, {"shape", AShape({3, 2})}, {"shared_name", AStr("v")}});
  b.Const("init", F({3, 2}, {1, 2, 3, 4, 5, 6}));
  b.Op("assign", "AssignVariableOp", {"v", "init"}, {{"dtype", AType(kF)}});
  b.Const("ids", I64({2}, {2, 2}));
  b.Op("g", "ResourceGather", {"v", "ids"}, {{"dtype", AType(kF)}, {"Tindices", AType(kI64)}});
  auto out = RunServingGraph(b.def(), {"g:0"}, {}, {"assign"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<float>((*out)[0]), (std::vector<float>{5, 6, 5, 6}));
  auto uninit = RunServingGraph(b.def(), {"g:0"});
  EXPECT_EQ(uninit.status().code(), StatusCode::kNotFound) << uninit.status();
}

TEST(Norm, FusedBatchNormInference) {
  // (x - mean) * rsqrt(var + eps) * scale + offset, eps = 1:
  // channel 0: (1 - 1) * 0.5 * 1 + 0 = 0; channel 1: (2 - 0) * 1 * 2 + 1 = 5.
  Attrs a = {{"T", AType(kF)}, {"U", AType(kF)}, {"epsilon", AFloat(1)},
             {"is_training", ABool(false)}};
  std::vector<Tensor> in = {F({1, 1, 1, 2}, {1, 2}), F({2}, {1, 2}), F({2}, {0, 1}),
                            F({2}, {1, 0}), F({2}, {3, 0})};
  EXPECT_EQ(FloatsOf(Op("FusedBatchNormV3", in, a)), (std::vector<float>{0, 5}));
  EXPECT_EQ(FloatsOf(Op("FusedBatchNormV3", in, a, 2)), (std::vector<float>{3, 0}));
  EXPECT_EQ(DimsOf(Op("FusedBatchNormV3", in, a, 5)), (std::vector<int64_t>{0}));
  a["is_training"] = ABool(true);
  EXPECT_EQ(Op("FusedBatchNormV3", in, a).status().code(), StatusCode::kUnimplemented);
  a["is_training"] = ABool(false);
  in[1] = F({3}, {1, 2, 3});
  EXPECT_EQ(Message(Op("FusedBatchNormV3", in, a).status()),
            "scale must have the same number of elements as the channels of x, got 3 and 2");
}

TEST(Norm, SparseSoftmaxCrossEntropy) {
  Attrs a = {{"T", AType(kF)}, {"Tlabels", AType(kI64)}};
  const Tensor logits = F({2, 2}, {0, 0, 5, 5});
  EXPECT_EQ(FloatsOf(Op("SparseSoftmaxCrossEntropyWithLogits", {logits, I64({2}, {1, 0})}, a)),
            (std::vector<float>{std::log(2.0f), std::log(2.0f)}));
  EXPECT_EQ(FloatsOf(Op("SparseSoftmaxCrossEntropyWithLogits", {logits, I64({2}, {1, 0})}, a, 1)),
            (std::vector<float>{0.5f, -0.5f, -0.5f, 0.5f}));
  EXPECT_EQ(Message(Op("SparseSoftmaxCrossEntropyWithLogits", {logits, I64({2}, {2, 0})}, a)
                        .status()),
            "Received a label value of 2 which is outside the valid range of [0, 2).  Label "
            "values: 2 0");
  EXPECT_EQ(Message(Op("SparseSoftmaxCrossEntropyWithLogits", {logits, I64({1}, {0})}, a)
                        .status()),
            "logits and labels must have the same first dimension, got logits shape [2,2] and "
            "labels shape [1]");
}

TEST(Conv, DepthwiseMultipliesEachChannelByItsOwnFilters) {
  // 1x1 filter, 2 channels, multiplier 2: out[d * 2 + m] = in[d] * f[d][m].
  const Tensor in = F({1, 1, 2, 2}, {1, 10, 2, 20});
  const Tensor f = F({1, 1, 2, 2}, {1, 2, 3, 4});
  Attrs a = {{"T", AType(kF)}, {"strides", AInts({1, 1, 1, 1})}, {"padding", AStr("VALID")}};
  auto out = Op("DepthwiseConv2dNative", {in, f}, a);
  EXPECT_EQ(FloatsOf(out), (std::vector<float>{1, 2, 30, 40, 2, 4, 60, 80}));
  EXPECT_EQ(DimsOf(out), (std::vector<int64_t>{1, 1, 2, 4}));
  // 2x2 window, SAME: sums the in-bounds taps.
  const Tensor ones = F({1, 2, 2, 1}, {1, 2, 3, 4});
  const Tensor f2 = F({2, 2, 1, 1}, {1, 1, 1, 1});
  EXPECT_EQ(FloatsOf(Op("DepthwiseConv2dNative", {ones, f2},
                        {{"T", AType(kF)}, {"strides", AInts({1, 1, 1, 1})}, {"padding", AStr("SAME")}})),
            (std::vector<float>{10, 6, 7, 4}));
  EXPECT_EQ(Message(Op("DepthwiseConv2dNative", {in, F({1, 1, 3, 1}, {1, 1, 1})}, a).status()),
            "input and filter must have the same depth: 2 vs 3");
}

// 0, 1, ..., n-1 shaped `dims` (tf.reshape(tf.range(n, dtype), dims)).
Tensor Iota(const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  std::vector<float> v(n);
  std::iota(v.begin(), v.end(), 0.0f);
  return F(dims, v);
}

// Expected values and texts: TF 2.21.0 eager, e.g.
//   R = tf.raw_ops; r = lambda *s: tf.reshape(tf.range(np.prod(s), dtype=tf.float32), s)
//   R.BatchMatMulV2(x=r(2, 1, 2, 3), y=r(3, 3, 2))
//   R.BatchMatMulV2(x=r(1, 3, 2), y=r(2, 4, 3), adj_x=True, adj_y=True)
//   R.BatchMatMulV2(x=tf.constant([[2147483647, 1]]), y=tf.constant([[2], [1]]))
//   R.BatchMatMulV2(x=tf.zeros([2, 2, 3]), y=tf.zeros([2, 2, 3]))  # and the other errors
TEST(Attention, BatchMatMulV2BroadcastsAdjointsAndWraps) {
  const Attrs f = {{"T", AType(kF)}};
  auto b = Op("BatchMatMulV2", {Iota({2, 1, 2, 3}), Iota({3, 3, 2})}, f);
  EXPECT_EQ(DimsOf(b), (std::vector<int64_t>{2, 3, 2, 2}));
  EXPECT_EQ(FloatsOf(b), (std::vector<float>{10, 13, 28, 40, 28, 31, 100, 112, 46, 49, 172, 184,
                                             46, 67, 64, 94, 172, 193, 244, 274, 298, 319, 424,
                                             454}));
  Attrs adj = f;
  adj["adj_x"] = ABool(true);
  adj["adj_y"] = ABool(true);
  auto a = Op("BatchMatMulV2", {Iota({1, 3, 2}), Iota({2, 4, 3})}, adj);
  EXPECT_EQ(DimsOf(a), (std::vector<int64_t>{2, 2, 4}));
  EXPECT_EQ(FloatsOf(a), (std::vector<float>{10, 28, 46, 64, 13, 40, 67, 94, 82, 100, 118, 136,
                                             121, 148, 175, 202}));
  EXPECT_EQ(FloatsOf(Op("BatchMatMulV2", {Iota({2, 3}), Iota({3, 2})}, f)),
            (std::vector<float>{10, 13, 28, 40}));
  EXPECT_EQ(DimsOf(Op("BatchMatMulV2", {Iota({2, 0, 3}), Iota({3, 4})}, f)),
            (std::vector<int64_t>{2, 0, 4}));
  EXPECT_EQ(FloatsOf(Op("BatchMatMulV2", {Iota({2, 0}), Iota({0, 3})}, f)),
            (std::vector<float>(6, 0.0f)));  // an empty sum
  auto wrap = Op("BatchMatMulV2", {I32({1, 2}, {2147483647, 1}), I32({2, 1}, {2, 1})},
                 {{"T", AType(kI32)}});
  ASSERT_TRUE(wrap.ok()) << wrap.status();
  EXPECT_EQ(Values<int32_t>(*wrap), std::vector<int32_t>{-1});
  auto i64 = Op("BatchMatMulV2", {I64({1, 1, 2}, {2, 3}), I64({1, 2, 1}, {4, 5})},
                {{"T", AType(kI64)}});
  ASSERT_TRUE(i64.ok()) << i64.status();
  EXPECT_EQ(Values<int64_t>(*i64), std::vector<int64_t>{23});
  EXPECT_EQ(Message(Op("BatchMatMulV2", {Iota({2, 2, 3}), Iota({2, 2, 3})}, f).status()),
            "Matrix size-incompatible: In[0]: [2,2,3], In[1]: [2,2,3]");
  EXPECT_EQ(Message(Op("BatchMatMulV2", {Iota({2, 2, 3}), Iota({3, 3, 2})}, f).status()),
            "In[0] and In[1] must have compatible batch dimensions: [2,2,3] vs. [3,3,2]");
  EXPECT_EQ(Message(Op("BatchMatMulV2", {Iota({3}), Iota({3, 2})}, f).status()),
            "In[0] ndims must be >= 2: 1");
}

StatusOr<Tensor> Einsum(const std::string& equation, const Tensor& a, const Tensor& b) {
  return Op("Einsum", {a, b},
            {{"T", AType(a.dtype())}, {"N", AInt(2)}, {"equation", AStr(equation)}});
}

// TF 2.21.0 eager: R.Einsum(inputs=[a, b], equation=...) with a = r(2, 3),
// b = r(3, 4), c = r(2, 2, 3), d = r(2, 3, 2) as above.
TEST(Attention, EinsumTwoOperandForms) {
  const Tensor a = Iota({2, 3}), b = Iota({3, 4}), c = Iota({2, 2, 3}), d = Iota({2, 3, 2});
  EXPECT_EQ(FloatsOf(Einsum("ij,jk->ik", a, b)),
            (std::vector<float>{20, 23, 26, 29, 56, 68, 80, 92}));
  auto t = Einsum("ij,jk->ki", a, b);
  EXPECT_EQ(DimsOf(t), (std::vector<int64_t>{4, 2}));
  EXPECT_EQ(FloatsOf(t), (std::vector<float>{20, 56, 23, 68, 26, 80, 29, 92}));
  EXPECT_EQ(FloatsOf(Einsum("i,j->ij", F({2}, {1, 2}), F({3}, {3, 4, 5}))),
            (std::vector<float>{3, 4, 5, 6, 8, 10}));
  const Tensor a1 = F({2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(FloatsOf(Einsum("ij,ij->ij", a, a1)), (std::vector<float>{0, 2, 6, 12, 20, 30}));
  auto dot = Einsum("ij,ij->", a, a1);
  EXPECT_EQ(DimsOf(dot), std::vector<int64_t>{});
  EXPECT_EQ(FloatsOf(dot), std::vector<float>{70});
  EXPECT_EQ(FloatsOf(Einsum("bij,bjk->bik", c, d)),
            (std::vector<float>{10, 13, 28, 40, 172, 193, 244, 274}));
  EXPECT_EQ(FloatsOf(Einsum("bij,bjk->bki", c, d)),
            (std::vector<float>{10, 28, 13, 40, 172, 244, 193, 274}));
  EXPECT_EQ(FloatsOf(Einsum("ijk,jkl->il", c, d)), (std::vector<float>{110, 125, 290, 341}));
  EXPECT_EQ(FloatsOf(Einsum("ij,jk->ik", Iota({2, 0}), Iota({0, 3}))),
            (std::vector<float>(6, 0.0f)));
  auto ints = Einsum("ij,jk->ik", I32({1, 2}, {1, 2}), I32({2, 1}, {3, 4}));
  ASSERT_TRUE(ints.ok()) << ints.status();
  EXPECT_EQ(Values<int32_t>(*ints), std::vector<int32_t>{11});
  // TF's texts for bad shapes.
  EXPECT_EQ(Message(Einsum("ij,jk->ik", a, Iota({4, 2})).status()),
            "Expected dimension 3 at axis 0 of the input shaped [4,2] but got dimension 4");
  EXPECT_EQ(Message(Einsum("ij,jk->ik", a, Iota({3})).status()),
            "Expected input 1 to have rank 2 but got: 1");
  // Forms TF computes (ij,jk->i: 98, 296) that this kernel refuses by name.
  auto summed = Einsum("ij,jk->i", a, b);
  EXPECT_EQ(summed.status().code(), StatusCode::kUnimplemented);
  EXPECT_EQ(Message(summed.status()), "Einsum equation 'ij,jk->i' is not implemented in tfckpt: "
                                      "label 'k' is summed out of one operand");
  EXPECT_EQ(Message(Einsum("...ij,...jk->...ik", c, d).status()),
            "Einsum equation '...ij,...jk->...ik' is not implemented in tfckpt: labels other "
            "than letters (ellipsis, spaces)");
  EXPECT_EQ(Message(Einsum("ii,ij->j", Iota({2, 2}), Iota({2, 2})).status()),
            "Einsum equation 'ii,ij->j' is not implemented in tfckpt: label 'i' repeats in an "
            "operand");
}

}  // namespace
}  // namespace tfckpt::graph
