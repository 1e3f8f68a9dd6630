// TF2 functional conditionals (kernels_cond.cc): If / StatelessIf and Case /
// StatelessCase over hand-built libraries, against TF's semantics
// (tensorflow/core/kernels/functional_ops.cc: ToBool, CaseOp's "out of range
// runs the last branch") and error texts. The zoo's keras_cond checks them
// against TF's outputs (src/saved_model/zoo_golden_test.cc).
#include <google/protobuf/text_format.h>

#include "gtest/gtest.h"
#include "src/graph/serving_ops.h"
#include "src/graph/test_util.h"

namespace tfckpt::graph {
namespace {

using namespace testing;  // NOLINT

constexpr DataType kF = tensorflow::DT_FLOAT;
constexpr DataType kI32 = tensorflow::DT_INT32;

// dbl(x) = x * 2; neg(x) = -x; sq(x) = x * x; boom(x) fails an Assert;
// to_int(x) returns an int32, two(x) two floats (signature mismatches);
// loop_cond(i, acc) = i < 5; loop_body(i, acc) = (i + 1, i < 2 ? dbl(acc) :
// neg(acc)) through a StatelessIf.
constexpr char kLibrary[] = R"pb(
  function {
    signature { name: "dbl" input_arg { name: "x" type: DT_FLOAT }
                output_arg { name: "y" type: DT_FLOAT } }
    node_def { name: "two" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
               attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape {}
                                                    float_val: 2 } } } }
    node_def { name: "mul" op: "Mul" input: "x" input: "two:output:0"
               attr { key: "T" value { type: DT_FLOAT } } }
    ret { key: "y" value: "mul:z:0" }
  }
  function {
    signature { name: "neg" input_arg { name: "x" type: DT_FLOAT }
                output_arg { name: "y" type: DT_FLOAT } }
    node_def { name: "n" op: "Neg" input: "x" attr { key: "T" value { type: DT_FLOAT } } }
    ret { key: "y" value: "n:y:0" }
  }
  function {
    signature { name: "sq" input_arg { name: "x" type: DT_FLOAT }
                output_arg { name: "y" type: DT_FLOAT } }
    node_def { name: "s" op: "Square" input: "x" attr { key: "T" value { type: DT_FLOAT } } }
    ret { key: "y" value: "s:y:0" }
  }
  function {
    signature { name: "boom" input_arg { name: "x" type: DT_FLOAT }
                output_arg { name: "y" type: DT_FLOAT } is_stateful: true }
    node_def { name: "no" op: "Const" attr { key: "dtype" value { type: DT_BOOL } }
               attr { key: "value" value { tensor { dtype: DT_BOOL tensor_shape {}
                                                    bool_val: false } } } }
    node_def { name: "check" op: "Assert" input: "no:output:0" input: "x"
               attr { key: "T" value { list { type: DT_FLOAT } } } }
    node_def { name: "id" op: "Identity" input: "x" input: "^check"
               attr { key: "T" value { type: DT_FLOAT } } }
    ret { key: "y" value: "id:output:0" }
  }
  function {
    signature { name: "to_int" input_arg { name: "x" type: DT_FLOAT }
                output_arg { name: "y" type: DT_INT32 } }
    node_def { name: "c" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
               attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape {}
                                                    int_val: 7 } } } }
    ret { key: "y" value: "c:output:0" }
  }
  function {
    signature { name: "two" input_arg { name: "x" type: DT_FLOAT }
                output_arg { name: "a" type: DT_FLOAT } output_arg { name: "b" type: DT_FLOAT } }
    ret { key: "a" value: "x" }
    ret { key: "b" value: "x" }
  }
  function {
    signature { name: "loop_cond" input_arg { name: "i" type: DT_INT32 }
                input_arg { name: "acc" type: DT_FLOAT } output_arg { name: "r" type: DT_BOOL } }
    node_def { name: "five" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
               attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape {}
                                                    int_val: 5 } } } }
    node_def { name: "less" op: "Less" input: "i" input: "five:output:0"
               attr { key: "T" value { type: DT_INT32 } } }
    ret { key: "r" value: "less:z:0" }
  }
  function {
    signature { name: "loop_body" input_arg { name: "i" type: DT_INT32 }
                input_arg { name: "acc" type: DT_FLOAT }
                output_arg { name: "i2" type: DT_INT32 } output_arg { name: "acc2" type: DT_FLOAT } }
    node_def { name: "one" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
               attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape {}
                                                    int_val: 1 } } } }
    node_def { name: "two" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
               attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape {}
                                                    int_val: 2 } } } }
    node_def { name: "add" op: "AddV2" input: "i" input: "one:output:0"
               attr { key: "T" value { type: DT_INT32 } } }
    node_def { name: "early" op: "Less" input: "i" input: "two:output:0"
               attr { key: "T" value { type: DT_INT32 } } }
    node_def { name: "if" op: "StatelessIf" input: "early:z:0" input: "acc"
               attr { key: "Tcond" value { type: DT_BOOL } }
               attr { key: "Tin" value { list { type: DT_FLOAT } } }
               attr { key: "Tout" value { list { type: DT_FLOAT } } }
               attr { key: "then_branch" value { func { name: "dbl" } } }
               attr { key: "else_branch" value { func { name: "neg" } } } }
    ret { key: "i2" value: "add:z:0" }
    ret { key: "acc2" value: "if:output:0" }
  }
)pb";

class Cond : public ::testing::Test {
 protected:
  Cond() {
    EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(kLibrary, b_.def().mutable_library()));
    b_.Const("x", F({2}, {1.5f, -3}));
  }

  // If `name` (op `op`) over `cond` (a Const) and x, with the given branches.
  void If(const std::string& name, const Tensor& cond, const std::string& then_branch = "dbl",
          const std::string& else_branch = "neg", const std::string& op = "If") {
    b_.Const(name + "_cond", cond);
    b_.Op(name, op, {name + "_cond", "x"},
          {{"Tcond", AType(cond.dtype())}, {"Tin", ATypes({kF})}, {"Tout", ATypes({kF})},
           {"then_branch", AFunc(then_branch)}, {"else_branch", AFunc(else_branch)}});
  }

  // Case `name` over branch_index `index` and x.
  void Case(const std::string& name, const Tensor& index,
            const std::vector<std::string>& branches = {"dbl", "neg", "sq"},
            const std::string& op = "Case") {
    b_.Const(name + "_index", index);
    tensorflow::AttrValue list;
    for (const std::string& f : branches) list.mutable_list()->add_func()->set_name(f);
    b_.Op(name, op, {name + "_index", "x"},
          {{"Tin", ATypes({kF})}, {"Tout", ATypes({kF})}, {"branches", list}});
  }

  StatusOr<Tensor> Run(const std::string& fetch) {
    auto registry = NewServingOpRegistry(b_.def().library());
    SessionOptions so;
    so.graph.registry = registry.get();
    TFCKPT_ASSIGN_OR_RETURN(auto session, Session::Create(b_.def(), so));
    TFCKPT_ASSIGN_OR_RETURN(auto out, session->Run({}, {fetch}));
    return out[0];
  }

  // The values of fetching `fetch`, or the error text.
  std::string Got(const std::string& fetch) {
    auto t = Run(fetch);
    if (!t.ok()) return t.status().ToString();
    std::string out;
    for (float v : Values<float>(*t)) out += StrCat(out.empty() ? "" : " ", v);
    return out;
  }

  GraphBuilder b_;
};

TEST_F(Cond, IfRunsThenOnTrueAndElseOnFalse) {
  for (const char* op : {"If", "StatelessIf"}) {
    SCOPED_TRACE(op);
    If(StrCat(op, "_t"), B({}, {true}), "dbl", "neg", op);
    If(StrCat(op, "_f"), B({}, {false}), "dbl", "neg", op);
    EXPECT_EQ(Got(StrCat(op, "_t")), "3 -6");
    EXPECT_EQ(Got(StrCat(op, "_f")), "-1.5 3");
  }
}

TEST_F(Cond, TheUntakenBranchDoesNotRun) {
  If("safe", B({}, {true}), "dbl", "boom");
  If("hit", B({}, {false}), "dbl", "boom");
  EXPECT_EQ(Got("safe"), "3 -6");
  auto hit = Run("hit");
  ASSERT_FALSE(hit.ok());
  EXPECT_NE(hit.status().message().find("assertion failed: [1.5 -3]\n\t [[{{function_node "
                                        "boom}}{{node check}}]]"),
            std::string::npos)
      << hit.status();
}

// TF's ToBool: a scalar is true when nonzero (a string: non-empty); any
// other shape when it has elements, whatever they are. Every case here is
// what TF 2.21.0 gives, as
//   spec = [tf.TensorSpec([2], tf.float32)]; x = tf.constant([1.5, -3.0])
//   dbl = tf.function(lambda x: x * 2.0).get_concrete_function(*spec)  # neg too
//   tf.function(lambda c: tf.raw_ops.If(cond=c, input=[x], Tout=[tf.float32],
//                                       then_branch=dbl, else_branch=neg))(cond)
// (and StatelessIf). A uint16 cond aborts TF's process (its IfOp reports
// ToBool's error with OP_REQUIRES_OK in an async kernel); here it is
// ToBool's error.
TEST_F(Cond, ConditionsFollowTFsToBool) {
  If("f0", Scalar(0));
  If("f_half", Scalar(0.5f));
  If("i_neg", I32({}, {-3}));
  If("i64_0", I64({}, {0}));
  If("d_0", D({}, {0.0}));
  If("s_empty", S({}, {""}));
  If("s_x", S({}, {"x"}));
  If("zeros", F({2}, {0, 0}));        // non-empty: true
  If("falses", B({1, 1}, {false}));   // non-empty: true
  If("empty", F({0}, {}));            // no elements: false
  If("empty_s", S({2, 0}, {}));
  EXPECT_EQ(Got("f0"), "-1.5 3");
  EXPECT_EQ(Got("f_half"), "3 -6");
  EXPECT_EQ(Got("i_neg"), "3 -6");
  EXPECT_EQ(Got("i64_0"), "-1.5 3");
  EXPECT_EQ(Got("d_0"), "-1.5 3");
  EXPECT_EQ(Got("s_empty"), "-1.5 3");
  EXPECT_EQ(Got("s_x"), "3 -6");
  EXPECT_EQ(Got("zeros"), "3 -6");
  EXPECT_EQ(Got("falses"), "3 -6");
  EXPECT_EQ(Got("empty"), "-1.5 3");
  EXPECT_EQ(Got("empty_s"), "-1.5 3");
  If("u16", MakeTensor<uint16_t>(tensorflow::DT_UINT16, {}, {1}));
  EXPECT_NE(Got("u16").find("uint16 cannot be converted to a boolean"), std::string::npos)
      << Got("u16");
}

// TF 2.21.0: tf.raw_ops.Case / StatelessCase(branch_index=i, input=[x],
// Tout=[tf.float32], branches=[dbl, neg, sq]) in a tf.function, as above.
TEST_F(Cond, CaseRunsTheIndexedBranchAndTheLastOutOfRange) {
  for (const char* op : {"Case", "StatelessCase"}) {
    SCOPED_TRACE(op);
    for (int i : {0, 1, 2, 3, -1, 1000}) Case(StrCat(op, i), I32({}, {i}), {"dbl", "neg", "sq"}, op);
    EXPECT_EQ(Got(StrCat(op, 0)), "3 -6");
    EXPECT_EQ(Got(StrCat(op, 1)), "-1.5 3");
    EXPECT_EQ(Got(StrCat(op, 2)), "2.25 9");
    EXPECT_EQ(Got(StrCat(op, 3)), "2.25 9");
    EXPECT_EQ(Got(StrCat(op, -1)), "2.25 9");
    EXPECT_EQ(Got(StrCat(op, 1000)), "2.25 9");
  }
  Case("one", I32({}, {5}), {"neg"});
  EXPECT_EQ(Got("one"), "-1.5 3");
  Case("vector", I32({1}, {0}));
  EXPECT_NE(Got("vector").find("branch_index must be scalar (Case node 'vector' got shape [1])"),
            std::string::npos)
      << Got("vector");
}

TEST_F(Cond, IfInsideAWhileBodyRunsPerIteration) {
  b_.Const("i0", I32({}, {0}));
  b_.Const("acc0", Scalar(1));
  b_.Op("loop", "While", {"i0", "acc0"},
        {{"T", ATypes({kI32, kF})}, {"cond", AFunc("loop_cond")}, {"body", AFunc("loop_body")}});
  // i = 0, 1: doubled (2, 4); i = 2, 3, 4: negated (-4, 4, -4).
  EXPECT_EQ(Got("loop:1"), "-4");
}

TEST_F(Cond, BranchesNotMatchingTinAndToutFailNamingTheNode) {
  If("bad_type", B({}, {true}), "dbl", "to_int");
  EXPECT_NE(Got("bad_type").find("If node 'bad_type': its else_branch 'to_int' takes (float) "
                                 "and returns 1 values (int32), but the node has Tin (float) "
                                 "and expects 1 outputs of Tout (float)"),
            std::string::npos)
      << Got("bad_type");
  Case("bad_count", I32({}, {0}), {"dbl", "two"});
  EXPECT_NE(Got("bad_count").find("Case node 'bad_count': its branches[1] 'two' takes (float) "
                                  "and returns 2 values (float, float), but the node has Tin "
                                  "(float) and expects 1 outputs of Tout (float)"),
            std::string::npos)
      << Got("bad_count");
  If("missing", B({}, {true}), "dbl", "nowhere");
  EXPECT_NE(Got("missing").find("Function 'nowhere' is not in the graph's function library"),
            std::string::npos)
      << Got("missing");
}

TEST(CondRegistry, WithoutALibraryABranchIsNotFound) {
  GraphBuilder b;
  b.Const("c", B({}, {true}));
  b.Const("x", Scalar(1));
  b.Op("if", "If", {"c", "x"},
       {{"Tcond", AType(tensorflow::DT_BOOL)}, {"Tin", ATypes({kF})}, {"Tout", ATypes({kF})},
        {"then_branch", AFunc("a")}, {"else_branch", AFunc("b")}});
  auto out = RunServingGraph(b.def(), {"if"});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kNotFound);
  EXPECT_NE(out.status().message().find("Function 'a' cannot run: the graph was loaded without "
                                        "its function library"),
            std::string::npos)
      << out.status();
}

}  // namespace
}  // namespace tfckpt::graph
