// kernels_tf1.cc against values derived from TF's definitions (math_ops.cc,
// cwise_ops.h), and the edge cases of what TF 1.x graphs also use -- Min
// (kernels_pool.cc), Tile, AsString, L2Loss (kernels_estimator.cc) --
// against TF 2.21's values; golden/versions_golden_test runs them inside TF
// 1.15's graphs against TF's outputs.
#include <Eigen/Core>

#include <cmath>
#include <complex>
#include <cstdint>
#include <cstring>
#include <limits>

#include "gtest/gtest.h"
#include "src/graph/serving_ops.h"
#include "src/graph/test_util.h"

namespace tfckpt::graph {
namespace {

using namespace testing;  // NOLINT

StatusOr<Tensor> Op(const std::string& op, const std::vector<Tensor>& inputs, DataType t) {
  return RunServingOp(op, inputs, {{"T", AType(t)}});
}

TEST(Tf1Kernels, Abs) {
  auto f = Op("Abs", {F({4}, {-1.5f, 2.0f, -0.0f, -INFINITY})}, tensorflow::DT_FLOAT);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(Values<float>(*f), (std::vector<float>{1.5f, 2.0f, 0.0f, INFINITY}));
  EXPECT_FALSE(std::signbit(Values<float>(*f)[2]));
  // The most negative int32 wraps to itself, as Eigen's abs on two's complement.
  const int32_t min = std::numeric_limits<int32_t>::min();
  auto i = Op("Abs", {I32({3}, {-7, 7, min})}, tensorflow::DT_INT32);
  ASSERT_TRUE(i.ok()) << i.status();
  EXPECT_EQ(Values<int32_t>(*i), (std::vector<int32_t>{7, 7, min}));
}

TEST(Tf1Kernels, ComparisonsBroadcast) {
  const Tensor x = F({2, 2}, {1, 2, 3, 4});
  const Tensor y = F({2}, {2, 3});
  auto ge = Op("GreaterEqual", {x, y}, tensorflow::DT_FLOAT);
  auto gt = Op("Greater", {x, y}, tensorflow::DT_FLOAT);
  auto le = Op("LessEqual", {x, y}, tensorflow::DT_FLOAT);
  ASSERT_TRUE(ge.ok() && gt.ok() && le.ok());
  EXPECT_EQ(BoolValues(*ge), (std::vector<bool>{false, false, true, true}));
  EXPECT_EQ(BoolValues(*gt), (std::vector<bool>{false, false, true, true}));
  EXPECT_EQ(BoolValues(*le), (std::vector<bool>{true, true, false, false}));
  auto eq = Op("GreaterEqual", {F({1}, {2}), F({1}, {2})}, tensorflow::DT_FLOAT);
  ASSERT_TRUE(eq.ok());
  EXPECT_EQ(BoolValues(*eq), (std::vector<bool>{true}));
  auto bad = Op("GreaterEqual", {F({3}, {1, 2, 3}), F({2}, {1, 2})}, tensorflow::DT_FLOAT);
  EXPECT_FALSE(bad.ok());
}

TEST(Tf1Kernels, DivNoNanIsZeroWhereTheDivisorIs) {
  auto d = Op("DivNoNan", {F({4}, {1, NAN, INFINITY, 6}), F({4}, {0, 0, 0, 4})},
              tensorflow::DT_FLOAT);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(Values<float>(*d), (std::vector<float>{0, 0, 0, 1.5f}));
  auto s = Op("DivNoNan", {F({2}, {3, 5}), F({}, {2})}, tensorflow::DT_FLOAT);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(Values<float>(*s), (std::vector<float>{1.5f, 2.5f}));
}

StatusOr<Tensor> Reduce(const std::string& op, const Tensor& x, const Tensor& axes,
                        bool keep_dims = false) {
  GraphBuilder b;
  b.Const("x", x);
  b.Const("axes", axes);
  Attrs attrs = {{"keep_dims", ABool(keep_dims)}, {"Tidx", AType(axes.dtype())}};
  if (op != "All") attrs["T"] = AType(x.dtype());
  b.Op("op", op, {"x", "axes"}, attrs);
  TFCKPT_ASSIGN_OR_RETURN(auto out, RunServingGraph(b.def(), {"op:0"}));
  return out[0];
}

// Min over rows / columns of [[3, 1], [2, NaN]]: a NaN wins, as in Max.
TEST(Tf1Kernels, MinAndAllReduce) {
  const Tensor x = F({2, 2}, {3, 1, 2, NAN});
  auto rows = Reduce("Min", x, I32({}, {1}));
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(Values<float>(*rows)[0], 1);
  EXPECT_TRUE(std::isnan(Values<float>(*rows)[1]));
  auto all = Reduce("Min", I32({2, 2}, {3, 1, 2, 5}), I32({2}, {0, 1}), true);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->shape().DebugString(), "[1,1]");
  EXPECT_EQ(Values<int32_t>(*all), std::vector<int32_t>{1});
  // All of [[T, F], [T, T]] per column: [T, F]; over nothing: the input.
  const Tensor b = B({2, 2}, {true, false, true, true});
  auto cols = Reduce("All", b, I32({}, {0}));
  ASSERT_TRUE(cols.ok()) << cols.status();
  EXPECT_EQ(BoolValues(*cols), (std::vector<bool>{true, false}));
  auto none = Reduce("All", b, I32({0}, {}));
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(BoolValues(*none), (std::vector<bool>{true, false, true, true}));
}

// Assert passes on true; on false it fails with its data summarized (at most
// `summarize` values each).
TEST(Tf1Kernels, AssertFailsWithItsData) {
  for (bool cond : {true, false}) {
    GraphBuilder b;
    b.Const("cond", B({}, {cond}));
    b.Const("msg", S({}, {"x must be small:"}));
    b.Const("x", I32({5}, {1, 2, 3, 4, 5}));
    b.Op("assert", "Assert", {"cond", "msg", "x"},
         {{"T", ATypes({tensorflow::DT_STRING, tensorflow::DT_INT32})}, {"summarize", AInt(3)}});
    b.Op("y", "Identity", {"x", "^assert"}, {{"T", AType(tensorflow::DT_INT32)}});
    auto out = RunServingGraph(b.def(), {"y:0"});
    if (cond) {
      EXPECT_TRUE(out.ok()) << out.status();
    } else {
      EXPECT_EQ(Message(out.status()), "assertion failed: [x must be small:] [1 2 3...]");
    }
  }
}

// Reductions over no axes, empty dimensions, negative and duplicate axes.
// TF 2.21.0 eager: m = [[3., -1., 2.], [0.5, 4., -2.]];
//   R.Min(input=m, axis=tf.constant([], tf.int32), keep_dims=True)  -> m
//   R.Min(input=tf.zeros([0, 2]), axis=[0]) -> [inf, inf]; int32: [2147483647] * 2
//   R.Min(input=m, axis=[1, 1]) -> "Invalid reduction arguments: Axes contains ..."
//   R.All(input=tf.zeros([0, 2], tf.bool), axis=[0]) -> [True, True]
TEST(Tf1Kernels, MinAndAllEdgeCases) {
  const Tensor m = F({2, 3}, {3, -1, 2, 0.5f, 4, -2});
  for (bool keep : {false, true}) {
    auto none = Reduce("Min", m, I32({0}, {}), keep);
    ASSERT_TRUE(none.ok()) << none.status();
    EXPECT_EQ(none->shape().DebugString(), "[2,3]");
    EXPECT_EQ(Values<float>(*none), Values<float>(m));
  }
  EXPECT_EQ(Values<float>(*Reduce("Min", m, I32({1}, {-2}))), (std::vector<float>{0.5f, -1, -2}));
  auto keep = Reduce("Min", m, I64({1}, {1}), true);
  ASSERT_TRUE(keep.ok()) << keep.status();
  EXPECT_EQ(keep->shape().DebugString(), "[2,1]");
  EXPECT_EQ(Values<float>(*keep), (std::vector<float>{-1, -2}));
  EXPECT_EQ(Values<float>(*Reduce("Min", F({0, 2}, {}), I32({1}, {0}))),
            (std::vector<float>{INFINITY, INFINITY}));
  EXPECT_EQ(Values<int32_t>(*Reduce("Min", I32({0, 2}, {}), I32({1}, {0}))),
            (std::vector<int32_t>{2147483647, 2147483647}));
  EXPECT_EQ(Message(Reduce("Min", m, I32({2}, {1, 1})).status()),
            "Invalid reduction arguments: Axes contains duplicate dimension: 1");
  EXPECT_EQ(Message(Reduce("Min", m, I32({1}, {2})).status()),
            "Invalid reduction dimension (2 for input with 2 dimension(s)");
  const Tensor b = B({2, 3}, {true, false, true, true, true, true});
  EXPECT_EQ(BoolValues(*Reduce("All", b, I32({}, {-1}))), (std::vector<bool>{false, true}));
  auto cols = Reduce("All", b, I32({1}, {0}), true);
  ASSERT_TRUE(cols.ok()) << cols.status();
  EXPECT_EQ(cols->shape().DebugString(), "[1,3]");
  EXPECT_EQ(BoolValues(*cols), (std::vector<bool>{true, false, true}));
  EXPECT_EQ(BoolValues(*Reduce("All", b, I32({2}, {0, 1}))), std::vector<bool>{false});
  EXPECT_EQ(BoolValues(*Reduce("All", B({0, 2}, {}), I32({1}, {0}))),
            (std::vector<bool>{true, true}));
  EXPECT_EQ(Message(Reduce("All", b, I32({1}, {-3})).status()),
            "Invalid reduction dimension (-3 for input with 2 dimension(s)");
}

StatusOr<Tensor> Tile(const Tensor& x, const Tensor& multiples) {
  return RunServingOp("Tile", {x, multiples},
                      {{"T", AType(x.dtype())}, {"Tmultiples", AType(multiples.dtype())}});
}

// TF 2.21.0 eager: R.Tile(input=tf.constant([["a", "b"], ["c", "d"]]),
// multiples=[2, 1]) etc.
TEST(Tf1Kernels, TileStringsZerosAndErrors) {
  const Tensor s = S({2, 2}, {"a", "b", "c", "d"});
  EXPECT_EQ(Values<std::string>(*Tile(s, I32({2}, {2, 1}))),
            (std::vector<std::string>{"a", "b", "c", "d", "a", "b", "c", "d"}));
  EXPECT_EQ(Values<std::string>(*Tile(s, I64({2}, {1, 3}))),
            (std::vector<std::string>{"a", "b", "a", "b", "a", "b", "c", "d", "c", "d", "c", "d"}));
  auto zero = Tile(F({2, 3}, {1, 2, 3, 4, 5, 6}), I32({2}, {0, 2}));
  ASSERT_TRUE(zero.ok()) << zero.status();
  EXPECT_EQ(zero->shape().DebugString(), "[0,6]");
  EXPECT_EQ(Tile(F({0, 2}, {}), I32({2}, {3, 2}))->shape().DebugString(), "[0,4]");
  auto scalar = Tile(I32({}, {7}), I32({0}, {}));
  ASSERT_TRUE(scalar.ok()) << scalar.status();
  EXPECT_EQ(scalar->shape().DebugString(), "[]");
  EXPECT_EQ(Values<int32_t>(*scalar), std::vector<int32_t>{7});
  EXPECT_EQ(BoolValues(*Tile(B({2}, {true, false}), I32({1}, {2}))),
            (std::vector<bool>{true, false, true, false}));
  EXPECT_EQ(Values<int32_t>(*Tile(I32({2, 1, 2}, {0, 1, 2, 3}), I32({3}, {1, 2, 2}))),
            (std::vector<int32_t>{0, 1, 0, 1, 0, 1, 0, 1, 2, 3, 2, 3, 2, 3, 2, 3}));
  EXPECT_EQ(Message(Tile(s, I32({1}, {2})).status()),
            "Expected multiples argument to be a vector of length 2 but got length 1");
  EXPECT_EQ(Message(Tile(s, I32({2}, {1, -1})).status()), "Expected multiples[1] >= 0, but got -1");
  EXPECT_EQ(Message(Tile(s, I32({}, {2})).status()),
            "Expected multiples to be 1-D, but got shape []");
}

StatusOr<std::vector<std::string>> AsString(const Tensor& x, Attrs attrs = {}) {
  attrs["T"] = AType(x.dtype());
  TFCKPT_ASSIGN_OR_RETURN(Tensor out, RunServingOp("AsString", {x}, attrs));
  return Values<std::string>(out);
}

using Strings = std::vector<std::string>;

// TF 2.21.0 eager: f = tf.constant([3.14159, -2.5, 0.0, 1e10, 1.5e-7]);
// R.AsString(input=f, precision=2), (..., scientific=True, precision=3),
// (..., shortest=True), (..., width=10, fill="0", precision=2), ... as below.
TEST(Tf1Kernels, AsStringFormatsLikeTensorFlow) {
  const Tensor f = F({5}, {3.14159f, -2.5f, 0.0f, 1e10f, 1.5e-7f});
  auto as = [&](const Tensor& x, const Attrs& attrs) {
    auto s = AsString(x, attrs);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *s : Strings{};
  };
  EXPECT_EQ(as(f, {}), (Strings{"3.141590", "-2.500000", "0.000000", "10000000000.000000",
                                "0.000000"}));
  EXPECT_EQ(as(f, {{"precision", AInt(2)}}),
            (Strings{"3.14", "-2.50", "0.00", "10000000000.00", "0.00"}));
  EXPECT_EQ(as(f, {{"scientific", ABool(true)}, {"precision", AInt(3)}}),
            (Strings{"3.142e+00", "-2.500e+00", "0.000e+00", "1.000e+10", "1.500e-07"}));
  EXPECT_EQ(as(f, {{"shortest", ABool(true)}}),
            (Strings{"3.14159", "-2.5", "0", "1e+10", "1.5e-07"}));
  EXPECT_EQ(as(f, {{"shortest", ABool(true)}, {"precision", AInt(3)}}),
            (Strings{"3.14", "-2.5", "0", "1e+10", "1.5e-07"}));
  EXPECT_EQ(as(f, {{"width", AInt(12)}, {"precision", AInt(1)}}),
            (Strings{"         3.1", "        -2.5", "         0.0", "10000000000.0",
                     "         0.0"}));
  EXPECT_EQ(as(f, {{"width", AInt(10)}, {"fill", AStr("0")}, {"precision", AInt(2)}}),
            (Strings{"0000003.14", "-000002.50", "0000000.00", "10000000000.00", "0000000.00"}));
  EXPECT_EQ(as(f, {{"width", AInt(10)}, {"fill", AStr("-")}, {"precision", AInt(2)}}),
            (Strings{"3.14      ", "-2.50     ", "0.00      ", "10000000000.00", "0.00      "}));
  EXPECT_EQ(as(f, {{"fill", AStr("+")}, {"precision", AInt(1)}}),
            (Strings{"+3.1", "-2.5", "+0.0", "+10000000000.0", "+0.0"}));
  EXPECT_EQ(as(f, {{"fill", AStr("#")}, {"precision", AInt(0)}}),
            (Strings{"3.", "-2.", "0.", "10000000000.", "0."}));
  EXPECT_EQ(as(F({3}, {INFINITY, -INFINITY, NAN}), {}), (Strings{"inf", "-inf", "nan"}));
  EXPECT_EQ(as(D({2}, {0.1, 1.0 / 3}), {{"shortest", ABool(true)}}), (Strings{"0.1", "0.333333"}));
  const Tensor ints = I32({3}, {-7, 0, 42});
  EXPECT_EQ(as(ints, {{"width", AInt(5)}, {"fill", AStr("0")}}),
            (Strings{"-0007", "00000", "00042"}));
  EXPECT_EQ(as(ints, {{"width", AInt(4)}, {"fill", AStr("-")}}), (Strings{"-7  ", "0   ", "42  "}));
  EXPECT_EQ(as(I64({2}, {INT64_MIN, INT64_MAX}), {}),
            (Strings{"-9223372036854775808", "9223372036854775807"}));
  EXPECT_EQ(as(MakeTensor<uint8_t>(tensorflow::DT_UINT8, {2}, {0, 255}), {}), (Strings{"0", "255"}));
  EXPECT_EQ(as(B({2}, {true, false}), {{"width", AInt(8)}}), (Strings{"true", "false"}));
  // Strings pass through without a width, else pad (and cut to precision).
  const Tensor s = S({2}, {"abcdef", "x"});
  EXPECT_EQ(as(s, {{"precision", AInt(2)}}), (Strings{"abcdef", "x"}));
  EXPECT_EQ(as(s, {{"width", AInt(5)}, {"precision", AInt(2)}}), (Strings{"   ab", "    x"}));
  EXPECT_EQ(as(S({2}, {"ab", ""}), {{"width", AInt(5)}, {"fill", AStr("-")}}),
            (Strings{"ab   ", "     "}));
  EXPECT_EQ(as(S({1}, {"ab"}), {{"width", AInt(5)}, {"fill", AStr("0")}}), (Strings{"   ab"}));
  EXPECT_EQ(as(MakeTensor<std::complex<float>>(tensorflow::DT_COMPLEX64, {1}, {{1.5f, -2.0f}}),
               {{"precision", AInt(1)}}),
            (Strings{"(1.5,-2.0)"}));
  // TF's attribute checks.
  const std::vector<std::pair<Attrs, std::string>> errors = {
      {{{"precision", AInt(2)}}, "precision not supported for datatype int32"},
      {{{"scientific", ABool(true)}}, "scientific and shortest format not supported for datatype int32"},
      {{{"fill", AStr("ab")}}, "Fill string must be one or fewer characters"},
      {{{"fill", AStr("x")}}, "Fill argument not supported: \"x\""},
  };
  for (const auto& [attrs, text] : errors) {
    EXPECT_EQ(Message(AsString(ints, attrs).status()), text);
  }
  EXPECT_EQ(Message(AsString(f, {{"scientific", ABool(true)}, {"shortest", ABool(true)}}).status()),
            "Cannot select both scientific and shortest notation");
}

// TF 2.21.0 eager: R.L2Loss(t=tf.constant([[1., 2.], [3., 4.]])) -> 15.0;
// an empty input -> 0.0; [0.1, 0.2, 0.3] (float32) -> bits 1032805418;
// tf.range(1, 21) / 7 (float32) -> bits 1105873188; half [1, 2, 3] -> 7.
TEST(Tf1Kernels, L2LossIsHalfTheSumOfSquares) {
  auto l2 = [](const Tensor& t) { return RunServingOp("L2Loss", {t}, {{"T", AType(t.dtype())}}); };
  EXPECT_EQ(Values<float>(*l2(F({2, 2}, {1, 2, 3, 4}))), std::vector<float>{15});
  EXPECT_EQ(Values<float>(*l2(F({0, 3}, {}))), std::vector<float>{0});
  EXPECT_EQ(Values<float>(*l2(F({}, {3}))), std::vector<float>{4.5f});
  auto bits = [&](const Tensor& t) {
    auto out = l2(t);
    EXPECT_TRUE(out.ok()) << out.status();
    uint32_t u = 0;
    if (out.ok()) std::memcpy(&u, out->flat<float>(), 4);
    return u;
  };
  EXPECT_EQ(bits(F({3}, {0.1f, 0.2f, 0.3f})), 1032805418u);
  std::vector<float> x(20);
  for (int i = 0; i < 20; ++i) x[i] = static_cast<float>(i + 1) / 7.0f;
  EXPECT_EQ(bits(F({20}, x)), 1105873188u);
  auto half = l2(MakeTensor<Eigen::half>(tensorflow::DT_HALF, {3},
                                         {Eigen::half(1), Eigen::half(2), Eigen::half(3)}));
  ASSERT_TRUE(half.ok()) << half.status();
  EXPECT_EQ(static_cast<float>(half->flat<Eigen::half>()[0]), 7.0f);
}

}  // namespace
}  // namespace tfckpt::graph
