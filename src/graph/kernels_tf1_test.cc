// kernels_tf1.cc against values derived from TF's definitions (math_ops.cc,
// cwise_ops.h); golden/versions_golden_test runs them inside TF 1.15's
// graphs against TF's outputs.
#include <cmath>
#include <cstdint>
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
  Attrs attrs = {{"keep_dims", ABool(keep_dims)}};
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

}  // namespace
}  // namespace tfckpt::graph
