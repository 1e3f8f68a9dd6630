// TensorArray V3 ops (kernels_tensor_array.cc): TF's rules and error texts
// (tensor_array.h, tensor_array_ops.cc). A loop over TensorArrays as
// tf.nn.dynamic_rnn builds it is in executor_test.cc.
#include "gtest/gtest.h"
#include "src/graph/serving_ops.h"
#include "src/graph/test_util.h"

namespace tfckpt::graph {
namespace {

using namespace testing;  // NOLINT

constexpr DataType kF = tensorflow::DT_FLOAT;

// ta = TensorArrayV3(size) of float; w0 writes [1,2] at 0 (flow ta:1).
GraphBuilder Array(int size, const Attrs& extra = {}) {
  GraphBuilder b;
  b.Const("size", I32({}, {size}));
  Attrs attrs = {{"dtype", AType(kF)}, {"tensor_array_name", AStr("ta")}};
  attrs.insert(extra.begin(), extra.end());
  b.Op("ta", "TensorArrayV3", {"size"}, attrs);
  b.Const("i0", I32({}, {0}));
  b.Const("i1", I32({}, {1}));
  b.Const("i5", I32({}, {5}));
  b.Const("v", F({2}, {1, 2}));
  b.Op("w0", "TensorArrayWriteV3", {"ta", "i0", "v", "ta:1"}, {{"T", AType(kF)}});
  return b;
}

StatusOr<std::vector<Tensor>> RunArray(GraphBuilder& b, const std::vector<std::string>& fetches) {
  return RunServingGraph(b.def(), fetches);
}

// "TensorArray ta_<n>: rest" -> "TensorArray ta: rest" (n is a process-wide counter).
std::string Text(const Status& s) {
  std::string m = Message(s);
  const size_t at = m.find("ta_");
  if (at == std::string::npos) return m;
  size_t end = at + 3;
  while (end < m.size() && isdigit(static_cast<unsigned char>(m[end]))) ++end;
  return m.substr(0, at + 2) + m.substr(end);
}

TEST(TensorArray, WriteReadSizeAndTheFlowPassesThrough) {
  GraphBuilder b = Array(2);
  b.Op("r", "TensorArrayReadV3", {"ta", "i0", "w0"}, {{"dtype", AType(kF)}});
  b.Op("n", "TensorArraySizeV3", {"ta", "w0"});
  auto out = RunArray(b, {"r", "n", "w0", "ta:1"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<float>((*out)[0]), (std::vector<float>{1, 2}));
  EXPECT_EQ(Values<int32_t>((*out)[1]), std::vector<int32_t>{2});
  EXPECT_EQ(Values<float>((*out)[2]), std::vector<float>{0});  // flow_out = flow_in = 0
  EXPECT_EQ(Values<float>((*out)[3]), std::vector<float>{0});
}

TEST(TensorArray, EachIndexIsWrittenOnceAndReadOnce) {
  GraphBuilder b = Array(2);
  b.Op("w0_again", "TensorArrayWriteV3", {"ta", "i0", "v", "w0"}, {{"T", AType(kF)}});
  EXPECT_EQ(Text(RunArray(b, {"w0_again"}).status()),
            "TensorArray ta: Could not write to TensorArray index 0 because it has already been "
            "written to.");
  b.Op("r", "TensorArrayReadV3", {"ta", "i0", "w0"}, {{"dtype", AType(kF)}});
  b.Op("r_again", "TensorArrayReadV3", {"ta", "i0", "w0", "^r"}, {{"dtype", AType(kF)}});
  EXPECT_EQ(Text(RunArray(b, {"r_again"}).status()),
            "TensorArray ta: Could not read index 0 twice because it was cleared after a previous "
            "read (perhaps try setting clear_after_read = false?).");
  b.Op("r1", "TensorArrayReadV3", {"ta", "i1", "w0"}, {{"dtype", AType(kF)}});
  EXPECT_EQ(Text(RunArray(b, {"r1"}).status()),
            "TensorArray ta: Could not read from TensorArray index 1 because it has not yet been "
            "written to.");
  b.Op("r5", "TensorArrayReadV3", {"ta", "i5", "w0"}, {{"dtype", AType(kF)}});
  EXPECT_EQ(Text(RunArray(b, {"r5"}).status()), "Tried to read from index 5 but array size is: 2");
}

TEST(TensorArray, OnlyADynamicArrayGrows) {
  GraphBuilder fixed = Array(2);
  fixed.Op("w5", "TensorArrayWriteV3", {"ta", "i5", "v", "w0"}, {{"T", AType(kF)}});
  EXPECT_EQ(Text(RunArray(fixed, {"w5"}).status()),
            "TensorArray ta: Tried to write to index 5 but array is not resizeable and size is: 2");
  GraphBuilder grows = Array(2, {{"dynamic_size", ABool(true)}});
  grows.Op("w5", "TensorArrayWriteV3", {"ta", "i5", "v", "w0"}, {{"T", AType(kF)}});
  grows.Op("n", "TensorArraySizeV3", {"ta", "w5"});
  auto out = RunArray(grows, {"n"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<int32_t>((*out)[0]), std::vector<int32_t>{6});
}

TEST(TensorArray, ValuesMatchTheElementShapeAndDtype) {
  GraphBuilder b = Array(2, {{"element_shape", AShape({3})}});
  EXPECT_EQ(Text(RunArray(b, {"w0"}).status()),
            "TensorArray ta: Could not write to TensorArray index 0 because the value shape is [2] "
            "which is incompatible with the TensorArray's inferred element shape: [3] (consider "
            "setting infer_shape=False).");
  // identical_element_shapes: the first write fixes the shape.
  GraphBuilder same = Array(2, {{"identical_element_shapes", ABool(true)}});
  same.Const("v3", F({3}, {1, 2, 3}));
  same.Op("w1", "TensorArrayWriteV3", {"ta", "i1", "v3", "w0"}, {{"T", AType(kF)}});
  EXPECT_EQ(Text(RunArray(same, {"w1"}).status()),
            "TensorArray ta: Could not write to TensorArray index 1 because the value shape is [3] "
            "which is incompatible with the TensorArray's inferred element shape: [2] (consider "
            "setting infer_shape=False).");
  GraphBuilder dtype = Array(2);
  dtype.Op("r", "TensorArrayReadV3", {"ta", "i0", "w0"}, {{"dtype", AType(tensorflow::DT_INT32)}});
  EXPECT_EQ(Message(RunArray(dtype, {"r"}).status()),
            "TensorArray dtype is float but Op requested dtype int32.");
}

// Scatter [[1,2],[3,4],[5,6]] to indices 2,0,1 and gather 0,1,2: rows 2, 3, 1.
TEST(TensorArray, ScatterAndGather) {
  GraphBuilder b;
  b.Const("size", I32({}, {3}));
  b.Op("ta", "TensorArrayV3", {"size"}, {{"dtype", AType(kF)}});
  b.Const("x", F({3, 2}, {1, 2, 3, 4, 5, 6}));
  b.Const("to", I32({3}, {2, 0, 1}));
  b.Const("from", I32({3}, {0, 1, 2}));
  b.Op("s", "TensorArrayScatterV3", {"ta", "to", "x", "ta:1"}, {{"T", AType(kF)}});
  b.Op("g", "TensorArrayGatherV3", {"ta", "from", "s"}, {{"dtype", AType(kF)}});
  auto out = RunArray(b, {"g"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape().DebugString(), "[3,2]");
  EXPECT_EQ(Values<float>((*out)[0]), (std::vector<float>{3, 4, 5, 6, 1, 2}));
  b.Const("two", I32({2}, {0, 1}));
  b.Op("s2", "TensorArrayScatterV3", {"ta", "two", "x", "ta:1"}, {{"T", AType(kF)}});
  EXPECT_EQ(Message(RunArray(b, {"s2"}).status()),
            "Expected len(indices) == values.shape[0], but saw: 2 vs. 3");
  b.Const("far", I32({3}, {0, 1, 7}));
  b.Op("s3", "TensorArrayScatterV3", {"ta", "far", "x", "ta:1"}, {{"T", AType(kF)}});
  EXPECT_EQ(Message(RunArray(b, {"s3"}).status()), "Max scatter index must be < array size (7 vs. 3)");
  // Gathering nothing needs a fully defined element_shape.
  b.Const("none", I32({0}, {}));
  b.Op("g0", "TensorArrayGatherV3", {"ta", "none", "ta:1"}, {{"dtype", AType(kF)}});
  EXPECT_EQ(Message(RunArray(b, {"g0"}).status()),
            "TensorArray has size zero, but element shape <unknown> is not fully defined. "
            "Currently only static shapes are supported when packing zero-size TensorArrays.");
}

TEST(TensorArray, SizesAreBounded) {
  GraphBuilder b = Array(-1);
  EXPECT_EQ(Message(RunArray(b, {"ta:1"}).status()), "Size should be >= 0.");
  GraphBuilder big = Array(2000000000);
  EXPECT_EQ(RunArray(big, {"ta:1"}).status().code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace tfckpt::graph
