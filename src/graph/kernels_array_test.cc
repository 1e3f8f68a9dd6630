// Array kernels against hand-derived values and TF's error texts.
#include "gtest/gtest.h"
#include "src/graph/test_util.h"

namespace tfckpt::graph {
namespace {

using namespace testing;  // NOLINT

constexpr DataType kF = tensorflow::DT_FLOAT;
constexpr DataType kI32 = tensorflow::DT_INT32;

TEST(Const, ValuesAndErrors) {
  GraphBuilder b;
  b.Const("c", F({2, 2}, {1, 2, 3, 4}));
  b.Const("s", S({2}, {"a", std::string("\0b", 2)}));
  auto out = RunGraph(b.def(), {"c:0", "s:0"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<float>((*out)[0]), (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ((*out)[0].shape(), TensorShape({2, 2}));
  EXPECT_EQ(Values<std::string>((*out)[1]), (std::vector<std::string>{"a", std::string("\0b", 2)}));

  GraphBuilder mismatch;
  mismatch.Op("c", "Const", {}, {{"dtype", AType(kI32)}, {"value", ATensor(F({}, {1}))}});
  auto m = RunGraph(mismatch.def(), {"c:0"});
  EXPECT_EQ(m.status().message(),
            "Type mismatch between value (float) and dtype (int32)\n\t [[{{node c}}]]");

  // A few bytes asking for 4 GiB of zeros: refused, not allocated.
  GraphBuilder big;
  tensorflow::AttrValue value;
  value.mutable_tensor()->set_dtype(kF);
  value.mutable_tensor()->mutable_tensor_shape()->add_dim()->set_size(int64_t{1} << 30);
  big.Op("c", "Const", {}, {{"dtype", AType(kF)}, {"value", value}});
  auto bg = RunGraph(big.def(), {"c:0"});
  EXPECT_EQ(bg.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(Message(bg.status()).rfind("Cannot parse tensor from proto: TensorProto of dtype float", 0), 0u);
}

TEST(Placeholder, MustBeFedWithTensorFlowsMessage) {
  GraphBuilder b;
  b.Placeholder("x", kF, {-1, 4});
  b.Placeholder("y", tensorflow::DT_INT64);
  b.Placeholder("z", kF, {});
  auto x = RunGraph(b.def(), {"x:0"});
  EXPECT_EQ(x.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(x.status().message(),
            "You must feed a value for placeholder tensor 'x' with dtype float and shape "
            "[?,4]\n\t [[{{node x}}]]");
  EXPECT_EQ(Message(RunGraph(b.def(), {"y:0"}).status()),
            "You must feed a value for placeholder tensor 'y' with dtype int64");
  EXPECT_EQ(Message(RunGraph(b.def(), {"z:0"}).status()),
            "You must feed a value for placeholder tensor 'z' with dtype float");
  auto fed = RunGraph(b.def(), {"x:0"}, {{"x:0", F({1, 4}, {1, 2, 3, 4})}});
  ASSERT_TRUE(fed.ok());
  EXPECT_EQ(Values<float>((*fed)[0]), (std::vector<float>{1, 2, 3, 4}));
}

TEST(PlaceholderWithDefault, DefaultOrFed) {
  GraphBuilder b;
  b.Const("d", S({}, {"model"}));
  b.Op("p", "PlaceholderWithDefault", {"d"},
       {{"dtype", AType(tensorflow::DT_STRING)}, {"shape", AShape({})}});
  EXPECT_EQ(Values<std::string>((*RunGraph(b.def(), {"p:0"}))[0])[0], "model");
  EXPECT_EQ(Values<std::string>((*RunGraph(b.def(), {"p:0"}, {{"p:0", S({}, {"other"})}}))[0])[0],
            "other");
  auto bad = RunGraph(b.def(), {"p:0"}, {{"p:0", S({2}, {"a", "b"})}});
  EXPECT_EQ(bad.status().message(),
            "Cannot feed value of shape (2,) for Tensor p:0, which has shape ()");
}

TEST(Identity, ForwardsValues) {
  EXPECT_EQ(Values<int32_t>(*RunOp("Identity", {I32({2}, {5, 6})}, {{"T", AType(kI32)}})),
            (std::vector<int32_t>{5, 6}));
  GraphBuilder b;
  b.Const("a", F({}, {1}));
  b.Const("s", S({}, {"x"}));
  b.Op("n", "IdentityN", {"a", "s"}, {{"T", ATypes({kF, tensorflow::DT_STRING})}});
  auto out = RunGraph(b.def(), {"n:0", "n:1"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<float>((*out)[0])[0], 1);
  EXPECT_EQ(Values<std::string>((*out)[1])[0], "x");
  EXPECT_TRUE(RunGraph(b.def(), {}, {}, {"n"}).ok());
}

Status ReshapeError(const Tensor& in, const std::vector<int32_t>& sizes) {
  auto r = RunOp("Reshape", {in, I32({static_cast<int64_t>(sizes.size())}, sizes)},
                 {{"T", AType(in.dtype())}});
  return r.ok() ? OkStatus() : Status(r.status().code(), Message(r.status()));
}

TEST(Reshape, InfersMinusOneAndRejectsLikeTensorFlow) {
  const Tensor x = F({2, 3}, {1, 2, 3, 4, 5, 6});
  auto r = RunOp("Reshape", {x, I32({2}, {3, -1})}, {{"T", AType(kF)}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->shape(), TensorShape({3, 2}));
  EXPECT_EQ(Values<float>(*r), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(RunOp("Reshape", {x, I64({1}, {-1})}, {{"T", AType(kF)}, {"Tshape", AType(tensorflow::DT_INT64)}})
                ->shape(),
            TensorShape({6}));
  EXPECT_EQ(RunOp("Reshape", {F({0, 3}, {}), I32({2}, {-1, 3})}, {{"T", AType(kF)}})->shape(),
            TensorShape({0, 3}));
  EXPECT_EQ(ReshapeError(x, {-1, -1}).message(), "Only one input size may be -1, not both 0 and 1");
  EXPECT_EQ(ReshapeError(x, {3, -2}).message(), "Size 1 must be non-negative, not -2");
  EXPECT_EQ(ReshapeError(x, {2, 2}).message(),
            "Input to reshape is a tensor with 6 values, but the requested shape has 4");
  EXPECT_EQ(ReshapeError(x, {4, -1}).message(),
            "Input to reshape is a tensor with 6 values, but the requested shape requires a "
            "multiple of 4");
  auto matrix = RunOp("Reshape", {x, I32({1, 2}, {3, 2})}, {{"T", AType(kF)}});
  EXPECT_EQ(Message(matrix.status()), "sizes input must be 1-D, not [1,2]");
  auto s = RunOp("Reshape", {S({2}, {"a", "b"}), I32({2}, {1, 2})}, {{"T", AType(tensorflow::DT_STRING)}});
  EXPECT_EQ(s->shape(), TensorShape({1, 2}));
  EXPECT_EQ(Values<std::string>(*s), (std::vector<std::string>{"a", "b"}));
}

TEST(Shape, Int32AndInt64) {
  EXPECT_EQ(Values<int32_t>(*RunOp("Shape", {F({2, 0, 5}, {})}, {{"T", AType(kF)}})),
            (std::vector<int32_t>{2, 0, 5}));
  auto s = RunOp("Shape", {F({}, {1})}, {{"T", AType(kF)}, {"out_type", AType(tensorflow::DT_INT64)}});
  EXPECT_EQ(s->dtype(), tensorflow::DT_INT64);
  EXPECT_EQ(s->shape(), TensorShape({0}));
}

TEST(Fill, ValuesErrorsAndTheAllocationCap) {
  auto f = RunOp("Fill", {I32({2}, {2, 3}), F({}, {7})}, {{"T", AType(kF)}});
  EXPECT_EQ(f->shape(), TensorShape({2, 3}));
  EXPECT_EQ(Values<float>(*f), std::vector<float>(6, 7));
  auto s = RunOp("Fill", {I32({1}, {2}), S({}, {"ab"})}, {{"T", AType(tensorflow::DT_STRING)}});
  EXPECT_EQ(Values<std::string>(*s), (std::vector<std::string>{"ab", "ab"}));
  EXPECT_EQ(Message(RunOp("Fill", {I32({1, 1}, {2}), F({}, {7})}, {{"T", AType(kF)}}).status()),
            "dims must represent a vector, got shape [1,1]");
  EXPECT_EQ(Message(RunOp("Fill", {I32({1}, {2}), F({2}, {7, 7})}, {{"T", AType(kF)}}).status()),
            "value must represent a scalar, got shape [2]");
  EXPECT_EQ(Message(RunOp("Fill", {I32({2}, {2, -1}), F({}, {7})}, {{"T", AType(kF)}}).status()),
            "Dimension -1 must be >= 0");
  auto huge = RunOp("Fill", {I32({2}, {1 << 16, 1 << 15}), F({}, {7})}, {{"T", AType(kF)}});
  EXPECT_EQ(huge.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(Message(huge.status()).rfind("OOM when allocating tensor with shape [65536,32768] and "
                                         "type float",
                                         0),
            0u);
}

TEST(ZerosLikeOnesLike, EveryKind) {
  EXPECT_EQ(Values<int32_t>(*RunOp("ZerosLike", {I32({3}, {4, 5, 6})}, {{"T", AType(kI32)}})),
            (std::vector<int32_t>{0, 0, 0}));
  EXPECT_EQ(Values<std::string>(*RunOp("ZerosLike", {S({2}, {"a", "b"})},
                                       {{"T", AType(tensorflow::DT_STRING)}})),
            (std::vector<std::string>{"", ""}));
  EXPECT_EQ(Values<float>(*RunOp("OnesLike", {F({2}, {4, 5})}, {{"T", AType(kF)}})),
            (std::vector<float>{1, 1}));
  EXPECT_EQ(BoolValues(*RunOp("OnesLike", {B({2}, {false, true})},
                              {{"T", AType(tensorflow::DT_BOOL)}})),
            (std::vector<bool>{true, true}));
}

TEST(Pack, AxesAndErrors) {
  GraphBuilder b;
  b.Const("a", I32({2}, {1, 2}));
  b.Const("c", I32({2}, {3, 4}));
  for (int axis : {0, 1, -1}) {
    b.Op(StrCat("p", axis + 1), "Pack", {"a", "c"},
         {{"T", AType(kI32)}, {"N", AInt(2)}, {"axis", AInt(axis)}});
  }
  auto out = RunGraph(b.def(), {"p1:0", "p2:0", "p0:0"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), TensorShape({2, 2}));
  EXPECT_EQ(Values<int32_t>((*out)[0]), (std::vector<int32_t>{1, 2, 3, 4}));
  EXPECT_EQ(Values<int32_t>((*out)[1]), (std::vector<int32_t>{1, 3, 2, 4}));
  EXPECT_EQ(Values<int32_t>((*out)[2]), (std::vector<int32_t>{1, 3, 2, 4}));
  auto bad_axis = RunOp("Pack", {I32({2}, {1, 2})}, {{"T", AType(kI32)}, {"N", AInt(1)}, {"axis", AInt(2)}});
  EXPECT_EQ(Message(bad_axis.status()), "axis = 2 not in [-2, 2)");
  GraphBuilder m;
  m.Const("a", I32({2}, {1, 2}));
  m.Const("c", I32({3}, {3, 4, 5}));
  m.Op("p", "Pack", {"a", "c"}, {{"T", AType(kI32)}, {"N", AInt(2)}});
  EXPECT_EQ(Message(RunGraph(m.def(), {"p:0"}).status()),
            "Shapes of all inputs must match: values[0].shape = [2] != values[1].shape = [3]");
  auto strings = RunOp("Pack", {S({}, {"x"})}, {{"T", AType(tensorflow::DT_STRING)}, {"N", AInt(1)}});
  EXPECT_EQ(strings->shape(), TensorShape({1}));
}

TEST(ConcatV2, AxesAndErrors) {
  GraphBuilder b;
  b.Const("a", F({2, 2}, {1, 2, 3, 4}));
  b.Const("c", F({2, 1}, {5, 6}));
  b.Const("axis1", I32({}, {1}));
  b.Const("axism1", I64({}, {-1}));
  b.Const("axis0", I32({}, {0}));
  b.Op("cat", "ConcatV2", {"a", "c", "axis1"}, {{"T", AType(kF)}, {"N", AInt(2)}});
  b.Op("catm1", "ConcatV2", {"a", "c", "axism1"},
       {{"T", AType(kF)}, {"N", AInt(2)}, {"Tidx", AType(tensorflow::DT_INT64)}});
  b.Op("cat0", "ConcatV2", {"a", "a", "axis0"}, {{"T", AType(kF)}, {"N", AInt(2)}});
  b.Op("bad", "ConcatV2", {"a", "c", "axis0"}, {{"T", AType(kF)}, {"N", AInt(2)}});
  auto out = RunGraph(b.def(), {"cat:0", "catm1:0", "cat0:0"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), TensorShape({2, 3}));
  EXPECT_EQ(Values<float>((*out)[0]), (std::vector<float>{1, 2, 5, 3, 4, 6}));
  EXPECT_TRUE((*out)[1].BitwiseEquals((*out)[0]));
  EXPECT_EQ(Values<float>((*out)[2]), (std::vector<float>{1, 2, 3, 4, 1, 2, 3, 4}));
  EXPECT_EQ(Message(RunGraph(b.def(), {"bad:0"}).status()),
            "ConcatOp : Dimension 1 in both shapes must be equal: shape[0] = [2,2] vs. shape[1] = "
            "[2,1]");
  auto axis = RunOp("ConcatV2", {F({2}, {1, 2}), F({1}, {3}), I32({}, {1})},
                    {{"T", AType(kF)}, {"N", AInt(2)}});
  EXPECT_EQ(Message(axis.status()),
            "ConcatOp : Expected concatenating dimensions in the range [-1, 1), but got 1");
  auto rank = RunOp("ConcatV2", {F({2}, {1, 2}), F({1, 1}, {3}), I32({}, {0})},
                    {{"T", AType(kF)}, {"N", AInt(2)}});
  EXPECT_EQ(Message(rank.status()),
            "ConcatOp : Ranks of all input tensors should match: shape[0] = [2] vs. shape[1] = [1,1]");
}

TEST(Select, ScalarRowsAndElementwise) {
  const Tensor t = I32({2, 2}, {1, 2, 3, 4});
  const Tensor e = I32({2, 2}, {-1, -2, -3, -4});
  EXPECT_EQ(Values<int32_t>(*RunOp("Select", {B({}, {false}), t, e}, {{"T", AType(kI32)}})),
            (std::vector<int32_t>{-1, -2, -3, -4}));
  EXPECT_EQ(Values<int32_t>(*RunOp("Select", {B({2}, {false, true}), t, e}, {{"T", AType(kI32)}})),
            (std::vector<int32_t>{-1, -2, 3, 4}));
  EXPECT_EQ(Values<int32_t>(*RunOp("Select", {B({2, 2}, {true, false, false, true}), t, e},
                                   {{"T", AType(kI32)}})),
            (std::vector<int32_t>{1, -2, -3, 4}));
  EXPECT_EQ(Values<std::string>(*RunOp("Select", {B({}, {true}), S({}, {".part"}), S({}, {"_temp/part"})},
                                       {{"T", AType(tensorflow::DT_STRING)}})),
            (std::vector<std::string>{".part"}));
  EXPECT_EQ(Message(RunOp("Select", {B({}, {true}), t, I32({4}, {1, 2, 3, 4})}, {{"T", AType(kI32)}})
                        .status()),
            "'then' and 'else' must have the same size.  but received: [2,2] vs. [4]");
  EXPECT_EQ(Message(RunOp("Select", {B({3}, {true, true, true}), t, e}, {{"T", AType(kI32)}}).status()),
            "Number of batches of 'then' must match size of 'cond', but saw: 2 vs. 3");
  EXPECT_EQ(Message(RunOp("Select", {B({1, 4}, {}), t, e}, {{"T", AType(kI32)}}).status()),
            "Inputs to operation op of type Select must have the same size and shape.  Input 0: "
            "[1,4] != input 1: [2,2]");
}

TEST(SelectV2, Broadcasts) {
  auto r = RunOp("SelectV2", {B({2, 1}, {true, false}), I32({1, 3}, {1, 2, 3}), I32({}, {0})},
                 {{"T", AType(kI32)}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->shape(), TensorShape({2, 3}));
  EXPECT_EQ(Values<int32_t>(*r), (std::vector<int32_t>{1, 2, 3, 0, 0, 0}));
  EXPECT_EQ(Message(RunOp("SelectV2", {B({2}, {}), I32({3}, {}), I32({}, {0})}, {{"T", AType(kI32)}})
                        .status()),
            "condition [2], then [3], and else [] must be broadcastable");
}

TEST(NoOp, RunsAsATarget) {
  GraphBuilder b;
  b.Op("n", "NoOp");
  EXPECT_TRUE(RunGraph(b.def(), {}, {}, {"n"}).ok());
}

}  // namespace
}  // namespace tfckpt::graph
