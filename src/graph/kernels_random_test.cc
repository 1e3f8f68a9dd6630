// Random ops: dtype, shape, distribution bounds and seeds (values are not
// TF's Philox streams).
#include <Eigen/Core>

#include <cmath>

#include "gtest/gtest.h"
#include "src/graph/test_util.h"

namespace tfckpt::graph {
namespace {

using namespace testing;  // NOLINT

GraphBuilder RandomGraph(int64_t seed, int64_t seed2) {
  GraphBuilder b;
  b.Const("shape", I32({2}, {50, 40}));
  for (const char* op : {"RandomStandardNormal", "TruncatedNormal", "RandomUniform"}) {
    b.Op(op, op, {"shape"},
         {{"dtype", AType(tensorflow::DT_FLOAT)}, {"T", AType(tensorflow::DT_INT32)},
          {"seed", AInt(seed)}, {"seed2", AInt(seed2)}});
  }
  b.Op("half", "RandomUniform", {"shape"},
       {{"dtype", AType(tensorflow::DT_HALF)}, {"T", AType(tensorflow::DT_INT32)},
        {"seed", AInt(seed)}, {"seed2", AInt(seed2)}});
  b.Op("double", "RandomStandardNormal", {"shape"},
       {{"dtype", AType(tensorflow::DT_DOUBLE)}, {"T", AType(tensorflow::DT_INT32)},
        {"seed", AInt(seed)}, {"seed2", AInt(seed2)}});
  return b;
}

const std::vector<std::string> kFetches = {"RandomStandardNormal:0", "TruncatedNormal:0",
                                           "RandomUniform:0", "half:0", "double:0"};

TEST(Random, ShapesDtypesAndRanges) {
  auto out = RunGraph(RandomGraph(1, 2).def(), kFetches);
  ASSERT_TRUE(out.ok()) << out.status();
  for (const Tensor& t : *out) EXPECT_EQ(t.shape(), TensorShape({50, 40}));
  EXPECT_EQ((*out)[3].dtype(), tensorflow::DT_HALF);
  EXPECT_EQ((*out)[4].dtype(), tensorflow::DT_DOUBLE);
  double sum = 0, sum2 = 0;
  for (float v : Values<float>((*out)[0])) {
    sum += v;
    sum2 += double{v} * v;
  }
  EXPECT_NEAR(sum / 2000, 0, 0.1);
  EXPECT_NEAR(sum2 / 2000, 1, 0.15);
  for (float v : Values<float>((*out)[1])) EXPECT_LE(std::fabs(v), 2.0f);
  for (float v : Values<float>((*out)[2])) {
    EXPECT_GE(v, 0.0f);
    EXPECT_LT(v, 1.0f);
  }
  for (Eigen::half v : Values<Eigen::half>((*out)[3])) EXPECT_LT(static_cast<float>(v), 1.0f);
}

TEST(Random, SeedsMakeStreamsReproducible) {
  auto a = *Session::Create(RandomGraph(7, 0).def());
  auto b = *Session::Create(RandomGraph(7, 0).def());
  auto a1 = *a->Run({}, kFetches);
  auto b1 = *b->Run({}, kFetches);
  for (size_t i = 0; i < a1.size(); ++i) EXPECT_TRUE(a1[i].BitwiseEquals(b1[i]));
  // The stream advances across runs, like TF's per-kernel generator.
  auto a2 = *a->Run({}, kFetches);
  EXPECT_FALSE(a2[0].BitwiseEquals(a1[0]));
  auto c = *RunGraph(RandomGraph(7, 1).def(), kFetches);
  EXPECT_FALSE(c[0].BitwiseEquals(a1[0]));
  // seed = seed2 = 0: a fresh seed each session.
  auto d = *RunGraph(RandomGraph(0, 0).def(), kFetches);
  auto e = *RunGraph(RandomGraph(0, 0).def(), kFetches);
  EXPECT_FALSE(d[0].BitwiseEquals(e[0]));
}

TEST(Random, ShapeErrorsAndTheAllocationCap) {
  auto bad = RunOp("RandomUniform", {I32({}, {3})},
                   {{"dtype", AType(tensorflow::DT_FLOAT)}, {"T", AType(tensorflow::DT_INT32)}});
  EXPECT_EQ(Message(bad.status()), "shape must be a vector of {int32,int64}, got shape []");
  auto neg = RunOp("RandomUniform", {I32({1}, {-3})},
                   {{"dtype", AType(tensorflow::DT_FLOAT)}, {"T", AType(tensorflow::DT_INT32)}});
  EXPECT_EQ(Message(neg.status()), "Dimension -3 must be >= 0");
  auto huge = RunOp("RandomUniform", {I64({2}, {1 << 20, 1 << 20})},
                    {{"dtype", AType(tensorflow::DT_FLOAT)}, {"T", AType(tensorflow::DT_INT64)}});
  EXPECT_EQ(huge.status().code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace tfckpt::graph
