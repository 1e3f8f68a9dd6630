// TF2 loops and what Keras' recurrent layers build around them: While /
// StatelessWhile over library functions (kernels_function.cc), the
// TensorList ops (kernels_list.cc), Transpose / Split / LogicalAnd / Prod
// (kernels_sequence.cc), and Conv3D / MaxPool3D (kernels_volume.cc), against
// hand-derived values and TF's error texts. The zoo's keras_simple_rnn,
// keras_lstm, keras_gru and keras_cnn3d check them against TF's outputs
// (src/saved_model/zoo_golden_test.cc).
#include <google/protobuf/text_format.h>

#include "gtest/gtest.h"
#include "src/graph/serving_ops.h"
#include "src/graph/test_util.h"

namespace tfckpt::graph {
namespace {

using namespace testing;  // NOLINT

constexpr DataType kF = tensorflow::DT_FLOAT;
constexpr DataType kI32 = tensorflow::DT_INT32;

// cond(i, acc, list): i < 5.  body: (i + 1, acc * 2, list[i] = acc * 2).
constexpr char kLibrary[] = R"pb(
  function {
    signature {
      name: "cond"
      input_arg { name: "i" type: DT_INT32 }
      input_arg { name: "acc" type: DT_FLOAT }
      input_arg { name: "list" type: DT_VARIANT }
      output_arg { name: "r" type: DT_BOOL }
    }
    node_def {
      name: "n"
      op: "Const"
      attr { key: "dtype" value { type: DT_INT32 } }
      attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape {} int_val: 5 } } }
    }
    node_def { name: "less" op: "Less" input: "i" input: "n:output:0"
               attr { key: "T" value { type: DT_INT32 } } }
    ret { key: "r" value: "less:z:0" }
  }
  function {
    signature {
      name: "body"
      input_arg { name: "i" type: DT_INT32 }
      input_arg { name: "acc" type: DT_FLOAT }
      input_arg { name: "list" type: DT_VARIANT }
      output_arg { name: "i2" type: DT_INT32 }
      output_arg { name: "acc2" type: DT_FLOAT }
      output_arg { name: "list2" type: DT_VARIANT }
    }
    node_def {
      name: "one"
      op: "Const"
      attr { key: "dtype" value { type: DT_INT32 } }
      attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape {} int_val: 1 } } }
    }
    node_def {
      name: "two"
      op: "Const"
      attr { key: "dtype" value { type: DT_FLOAT } }
      attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape {} float_val: 2 } } }
    }
    node_def { name: "add" op: "AddV2" input: "i" input: "one:output:0"
               attr { key: "T" value { type: DT_INT32 } } }
    node_def { name: "mul" op: "Mul" input: "acc" input: "two:output:0"
               attr { key: "T" value { type: DT_FLOAT } } }
    node_def { name: "set" op: "TensorListSetItem" input: "list" input: "i" input: "mul:z:0"
               attr { key: "element_dtype" value { type: DT_FLOAT } } }
    ret { key: "i2" value: "add:z:0" }
    ret { key: "acc2" value: "mul:z:0" }
    ret { key: "list2" value: "set:output_handle:0" }
  }
  function {
    signature {
      name: "forever"
      input_arg { name: "i" type: DT_INT32 }
      input_arg { name: "acc" type: DT_FLOAT }
      input_arg { name: "list" type: DT_VARIANT }
      output_arg { name: "r" type: DT_BOOL }
    }
    node_def {
      name: "t"
      op: "Const"
      attr { key: "dtype" value { type: DT_BOOL } }
      attr { key: "value" value { tensor { dtype: DT_BOOL tensor_shape {} bool_val: true } } }
    }
    ret { key: "r" value: "t:output:0" }
  }
)pb";

// i0 = 0, acc0 = 1, a reserved list of `n` floats; While(cond, body); the
// stacked list.
StatusOr<std::vector<Tensor>> RunLoop(const std::string& cond, int64_t max_iterations,
                                      const std::string& op = "While", int32_t n = 5) {
  GraphBuilder b;
  b.Const("i0", I32({}, {0}));
  b.Const("acc0", Scalar(1));
  b.Const("elem", I32({0}, {}));
  b.Const("n", I32({}, {n}));
  b.Op("reserve", "TensorListReserve", {"elem", "n"},
       {{"element_dtype", AType(kF)}, {"shape_type", AType(kI32)}});
  b.Op("loop", op, {"i0", "acc0", "reserve"},
       {{"T", ATypes({kI32, kF, tensorflow::DT_VARIANT})}, {"cond", AFunc(cond)},
        {"body", AFunc("body")}});
  b.Op("stack", "TensorListStack", {"loop:2", "elem"}, {{"element_dtype", AType(kF)}});
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(kLibrary, b.def().mutable_library()));
  auto registry = NewServingOpRegistry(b.def().library());
  SessionOptions so;
  so.graph.registry = registry.get();
  so.max_loop_iterations = max_iterations;
  TFCKPT_ASSIGN_OR_RETURN(auto session, Session::Create(b.def(), so));
  return session->Run({}, {"loop:0", "loop:1", "stack"});
}

TEST(While, RunsBodyWhileCondHoldsAndAccumulatesIntoAList) {
  for (const char* op : {"While", "StatelessWhile"}) {
    auto out = RunLoop("cond", 100, op);
    ASSERT_TRUE(out.ok()) << op << ": " << out.status();
    EXPECT_EQ(Values<int32_t>((*out)[0]), std::vector<int32_t>{5});
    EXPECT_EQ(Values<float>((*out)[1]), std::vector<float>{32});
    EXPECT_EQ(Values<float>((*out)[2]), (std::vector<float>{2, 4, 8, 16, 32}));
  }
}

TEST(While, ALoopThatDoesNotEndFailsAtTheIterationBound) {
  auto out = RunLoop("forever", 50, "While", 100);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(out.status().message().find("While loop loop ran 50 iterations and its condition "
                                        "'forever' is still true"),
            std::string::npos)
      << out.status();
}

TEST(While, TheBoundCountsBodyRuns) {
  // Exactly max_iterations body runs are allowed.
  EXPECT_TRUE(RunLoop("cond", 5).ok());
  EXPECT_EQ(RunLoop("cond", 4).status().code(), StatusCode::kResourceExhausted);
}

StatusOr<Tensor> RunOne(GraphBuilder& b, const std::string& fetch) {
  SessionOptions so;
  so.graph.registry = &ServingOpRegistry();
  TFCKPT_ASSIGN_OR_RETURN(auto session, Session::Create(b.def(), so));
  TFCKPT_ASSIGN_OR_RETURN(auto out, session->Run({}, {fetch}));
  return out[0];
}

TEST(TensorList, FromTensorGetItemAndTFsErrors) {
  GraphBuilder b;
  b.Const("t", F({3, 2}, {1, 2, 3, 4, 5, 6}));
  b.Const("elem", I32({1}, {2}));
  b.Op("list", "TensorListFromTensor", {"t", "elem"},
       {{"element_dtype", AType(kF)}, {"shape_type", AType(kI32)}});
  b.Const("i", I32({}, {1}));
  b.Const("bad", I32({}, {3}));
  b.Op("get", "TensorListGetItem", {"list", "i", "elem"}, {{"element_dtype", AType(kF)}});
  b.Op("oob", "TensorListGetItem", {"list", "bad", "elem"}, {{"element_dtype", AType(kF)}});
  b.Op("len", "TensorListLength", {"list"});
  auto got = RunOne(b, "get");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(Values<float>(*got), (std::vector<float>{3, 4}));
  EXPECT_EQ(Values<int32_t>(*RunOne(b, "len")), std::vector<int32_t>{3});
  auto oob = RunOne(b, "oob");
  ASSERT_FALSE(oob.ok());
  EXPECT_NE(oob.status().message().find("Trying to access element 3 in a list with 3 elements."),
            std::string::npos)
      << oob.status();
}

TEST(TensorList, UnsetItemsReadAsZerosOnlyWithAFullShape) {
  GraphBuilder b;
  b.Const("n", I32({}, {2}));
  b.Const("full", I32({1}, {3}));
  b.Const("partial", I32({1}, {-1}));
  b.Const("i", I32({}, {1}));
  for (const char* s : {"full", "partial"}) {
    b.Op(StrCat("r_", s), "TensorListReserve", {s, "n"},
         {{"element_dtype", AType(kF)}, {"shape_type", AType(kI32)}});
    b.Op(StrCat("get_", s), "TensorListGetItem", {StrCat("r_", s), "i", s},
         {{"element_dtype", AType(kF)}});
    b.Op(StrCat("stack_", s), "TensorListStack", {StrCat("r_", s), s},
         {{"element_dtype", AType(kF)}});
  }
  EXPECT_EQ(Values<float>(*RunOne(b, "get_full")), (std::vector<float>{0, 0, 0}));
  EXPECT_EQ(RunOne(b, "stack_full")->shape().DebugString(), TensorShape::Make({2, 3})->DebugString());
  auto get = RunOne(b, "get_partial");
  ASSERT_FALSE(get.ok());
  EXPECT_NE(get.status().message().find("Trying to read an uninitialized tensor but "
                                        "element_shape is not fully defined: [?]"),
            std::string::npos)
      << get.status();
  auto stack = RunOne(b, "stack_partial");
  ASSERT_FALSE(stack.ok());
  EXPECT_NE(stack.status().message().find("Tried to stack list which only contains "
                                          "uninitialized tensors"),
            std::string::npos)
      << stack.status();
}

TEST(Sequence, TransposeSplitProdLogicalAnd) {
  GraphBuilder b;
  b.Const("x", F({2, 3}, {1, 2, 3, 4, 5, 6}));
  b.Const("perm", I32({2}, {1, 0}));
  b.Op("t", "Transpose", {"x", "perm"}, {{"T", AType(kF)}});
  b.Const("one", I32({}, {1}));
  b.Const("y", F({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8}));
  b.Op("split", "Split", {"one", "y"}, {{"T", AType(kF)}, {"num_split", AInt(2)}});
  b.Const("ints", I32({2, 3}, {1, 2, 3, 4, 5, 6}));
  b.Op("prod", "Prod", {"ints", "one"}, {{"T", AType(kI32)}});
  b.Const("p", B({2}, {true, true}));
  b.Const("q", B({2}, {true, false}));
  b.Op("and", "LogicalAnd", {"p", "q"});
  EXPECT_EQ(Values<float>(*RunOne(b, "t")), (std::vector<float>{1, 4, 2, 5, 3, 6}));
  EXPECT_EQ(Values<float>(*RunOne(b, "split:0")), (std::vector<float>{1, 2, 5, 6}));
  EXPECT_EQ(Values<float>(*RunOne(b, "split:1")), (std::vector<float>{3, 4, 7, 8}));
  EXPECT_EQ(Values<int32_t>(*RunOne(b, "prod")), (std::vector<int32_t>{6, 120}));
  EXPECT_EQ(BoolValues(*RunOne(b, "and")), (std::vector<bool>{true, false}));
  b.Const("odd", I32({}, {0}));
  b.Op("bad_split", "Split", {"odd", "x"}, {{"T", AType(kF)}, {"num_split", AInt(3)}});
  auto bad = RunOne(b, "bad_split:0");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("Number of ways to split should evenly divide the "
                                        "split dimension, but got split_dim 0 (size = 2) and "
                                        "num_split 3"),
            std::string::npos)
      << bad.status();
}

tensorflow::AttrValue AInts(const std::vector<int64_t>& v) {
  tensorflow::AttrValue a;
  for (int64_t i : v) a.mutable_list()->add_i(i);
  return a;
}

TEST(Volume, Conv3DAndMaxPool3D) {
  // A 2x2x2 single-channel volume 1..8; a 2x2x2 filter of ones sums it.
  GraphBuilder b;
  b.Const("x", F({1, 2, 2, 2, 1}, {1, 2, 3, 4, 5, 6, 7, 8}));
  b.Const("w", F({2, 2, 2, 1, 2}, {1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1}));
  b.Op("conv", "Conv3D", {"x", "w"},
       {{"T", AType(kF)}, {"strides", AInts({1, 1, 1, 1, 1})}, {"padding", AStr("VALID")},
        {"data_format", AStr("NDHWC")}});
  b.Op("same", "Conv3D", {"x", "w"},
       {{"T", AType(kF)}, {"strides", AInts({1, 2, 2, 2, 1})}, {"padding", AStr("SAME")},
        {"data_format", AStr("NDHWC")}});
  b.Op("pool", "MaxPool3D", {"x"},
       {{"T", AType(kF)}, {"ksize", AInts({1, 2, 2, 1, 1})}, {"strides", AInts({1, 1, 1, 1, 1})},
        {"padding", AStr("VALID")}, {"data_format", AStr("NDHWC")}});
  auto conv = RunOne(b, "conv");
  ASSERT_TRUE(conv.ok()) << conv.status();
  EXPECT_EQ(conv->shape().DebugString(), TensorShape::Make({1, 1, 1, 1, 2})->DebugString());
  EXPECT_EQ(Values<float>(*conv), (std::vector<float>{36, 8}));  // sum; the last input
  EXPECT_EQ(Values<float>(*RunOne(b, "same")), (std::vector<float>{36, 8}));
  auto pool = RunOne(b, "pool");
  ASSERT_TRUE(pool.ok()) << pool.status();
  EXPECT_EQ(Values<float>(*pool), (std::vector<float>{7, 8}));  // max over planes and rows
}

}  // namespace
}  // namespace tfckpt::graph
