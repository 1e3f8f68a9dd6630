// Cond, initialized_value() and the uninitialized-dependency guard against
// the graphs TF 2.21 builds for the same Python (graph mode, control flow
// v1). The expected node lists -- name, op, inputs, `_class` -- were printed
// by TF 2.21 (tf.compat.v1, disable_v2_behavior) for the programs quoted
// above each list; the values are TF's session results for them.
#include <vector>

#include "gtest/gtest.h"
#include "src/train/control_flow.h"
#include "src/train/ema.h"
#include "src/train/ops.h"
#include "src/train/client_session.h"
#include "src/train/variables.h"

namespace tfckpt::train {
namespace {

using tensor::Tensor;

struct NodeSpec {
  std::string name, op;
  std::vector<std::string> inputs;
  std::vector<std::string> colocation;  // _class
};

void ExpectNodes(const Graph& g, const std::vector<NodeSpec>& want) {
  const tensorflow::GraphDef def = g.ToGraphDef();
  std::vector<std::string> got_names, want_names;
  for (const auto& n : def.node()) got_names.push_back(n.name());
  for (const auto& n : want) want_names.push_back(n.name);
  ASSERT_EQ(got_names, want_names);
  for (int i = 0; i < def.node_size(); ++i) {
    const tensorflow::NodeDef& n = def.node(i);
    SCOPED_TRACE(want[i].name);
    EXPECT_EQ(n.name(), want[i].name);
    EXPECT_EQ(n.op(), want[i].op);
    EXPECT_EQ(std::vector<std::string>(n.input().begin(), n.input().end()), want[i].inputs);
    std::vector<std::string> cls;
    auto it = n.attr().find("_class");
    if (it != n.attr().end()) cls.assign(it->second.list().s().begin(), it->second.list().s().end());
    EXPECT_EQ(cls, want[i].colocation);
  }
}

Tensor Scalar(float v) { return Tensor::FromVector<float>(tensorflow::DT_FLOAT, {}, {v}); }

float Value(const Tensor& t) { return t.flat<float>()[0]; }

Tensor Bool(bool b) {
  Tensor t = *Tensor::Allocate(tensorflow::DT_BOOL, tensor::TensorShape{});
  t.mutable_flat<bool>()[0] = b;
  return t;
}

// p = placeholder(bool, []); x = constant(3.0, name="x")
// r = tf.compat.v1.cond(p, lambda: tf.constant(1.0, name="one"),
//                       lambda: tf.add(x, 2.0, name="add"))
TEST(Cond, BranchesSwitchExternalInputsAndAnchorConstantsOnThePivot) {
  Graph g;
  Output p = Placeholder(&g, tensorflow::DT_BOOL, std::vector<int64_t>{}, "p");
  Output x = Constant(&g, 3.0f, "x");
  auto r = Cond(
      &g, p,
      [&](CondBranch* b) -> StatusOr<Output> {
        Output one = Constant(&g, 1.0f, "one");
        TFCKPT_RETURN_IF_ERROR(b->AddOp(one.op));
        return one;
      },
      [&](CondBranch* b) -> StatusOr<Output> {
        Output sum = Add(&g, x, 2.0f, "add");
        TFCKPT_RETURN_IF_ERROR(b->AddOp(sum.op + "/y"));
        TFCKPT_RETURN_IF_ERROR(b->AddOp(sum.op));
        return sum;
      });
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->name(), "cond/Merge:0");
  ExpectNodes(g, {
      {"p", "Placeholder", {}, {}},
      {"x", "Const", {}, {}},
      {"cond/Switch", "Switch", {"p", "p"}, {}},
      {"cond/switch_t", "Identity", {"cond/Switch:1"}, {}},
      {"cond/switch_f", "Identity", {"cond/Switch"}, {}},
      {"cond/pred_id", "Identity", {"p"}, {}},
      {"cond/one", "Const", {"^cond/switch_t"}, {}},
      {"cond/add/y", "Const", {"^cond/switch_f"}, {}},
      {"cond/add", "AddV2", {"cond/add/Switch", "cond/add/y"}, {}},
      {"cond/add/Switch", "Switch", {"x", "cond/pred_id"}, {"loc:@x"}},
      {"cond/Merge", "Merge", {"cond/add", "cond/one"}, {}},
  });
  ASSERT_EQ(g.GetCollection(kCondContextCollection).size(), 2u);
  ClientSession sess(&g);
  for (bool pv : {true, false}) {
    auto out = sess.Run({{"p:0", Bool(pv)}}, {*r});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ(Value((*out)[0]), pv ? 1.0f : 5.0f);
  }
}

// v = tf.compat.v1.Variable(1.0, name="v")
// w = tf.compat.v1.Variable(v * 2.0, name="w")
TEST(GuardAgainstUninitializedDependencies, InitialValueReadingAVariableGoesThroughItsCond) {
  Graph g;
  Variable v = *MakeVariable(&g, Scalar(1.0f), "v");
  Output doubled = PyMul(&g, v, 2.0f);
  VariableOptions o;
  o.name = "w";
  auto w = MakeVariable(&g, doubled, o);
  ASSERT_TRUE(w.ok()) << w.status();
  ExpectNodes(g, {
      {"v/initial_value", "Const", {}, {}},
      {"v", "VariableV2", {}, {}},
      {"v/Assign", "Assign", {"v", "v/initial_value"}, {"loc:@v"}},
      {"v/read", "Identity", {"v"}, {"loc:@v"}},
      {"mul/y", "Const", {}, {}},
      {"mul", "Mul", {"v/read", "mul/y"}, {}},
      {"w", "VariableV2", {}, {}},
      {"w/IsVariableInitialized", "IsVariableInitialized", {"v"}, {"loc:@v"}},
      {"w/cond/Switch", "Switch", {"w/IsVariableInitialized", "w/IsVariableInitialized"}, {}},
      {"w/cond/switch_t", "Identity", {"w/cond/Switch:1"}, {}},
      {"w/cond/switch_f", "Identity", {"w/cond/Switch"}, {}},
      {"w/cond/pred_id", "Identity", {"w/IsVariableInitialized"}, {}},
      {"w/cond/read", "Identity", {"w/cond/read/Switch:1"}, {}},
      {"w/cond/read/Switch", "RefSwitch", {"v", "w/cond/pred_id"}, {"loc:@v"}},
      {"w/cond/Switch_1", "Switch", {"v/initial_value", "w/cond/pred_id"},
       {"loc:@v/initial_value"}},
      {"w/cond/Merge", "Merge", {"w/cond/Switch_1", "w/cond/read"}, {}},
      {"v/read_w", "Identity", {"w/cond/Merge"}, {"loc:@v"}},
      {"mul_w", "Mul", {"v/read_w", "mul/y"}, {}},
      {"w/Assign", "Assign", {"w", "mul_w"}, {"loc:@w"}},
      {"w/read", "Identity", {"w"}, {"loc:@w"}},
  });
  EXPECT_EQ(w->initial_value().name(), "mul:0");  // the VariableDef keeps the unguarded value
  EXPECT_EQ(g.GetCollection(kCondContextCollection).size(), 2u);
  // w's initializer runs before v is initialized (v's initial value) and
  // after v changed (v's value).
  ClientSession sess(&g);
  ASSERT_TRUE(sess.Run({w->initializer()}).ok());
  EXPECT_EQ(Value(*sess.Eval(*w)), 2.0f);
  ASSERT_TRUE(sess.Run({v.initializer()}).ok());
  ASSERT_TRUE(sess.Run({v.Assign(5.0f)}).ok());
  ASSERT_TRUE(sess.Run({w->initializer()}).ok());
  EXPECT_EQ(Value(*sess.Eval(*w)), 10.0f);
}

TEST(GuardAgainstUninitializedDependencies, LeavesConstantInitialValuesAlone) {
  Graph g;
  ASSERT_TRUE(MakeVariable(&g, Scalar(1.0f), "v").ok());
  const tensorflow::GraphDef def = g.ToGraphDef();
  for (const auto& n : def.node()) EXPECT_NE(n.op(), "Switch") << n.name();
  EXPECT_TRUE(g.GetCollection(kCondContextCollection).empty());
}

// tf.compat.v1.enable_resource_variables()
// v = tf.compat.v1.Variable(0.0, name="v")
// ExponentialMovingAverage(0.99).apply([v])
TEST(InitializedValue, ResourceVariableEmaIsTensorFlowsGraph) {
  GraphOptions go;
  go.resource_variables = true;
  Graph g(go);
  Variable v = *MakeVariable(&g, Scalar(0.0f), "v");
  ExponentialMovingAverage ema(&g, 0.99);
  ASSERT_TRUE(ema.Apply(std::vector<Averageable>{v}).ok());
  const std::string a = "ExponentialMovingAverage/AssignMovingAvg/";
  ExpectNodes(g, {
      {"v/Initializer/initial_value", "Const", {}, {"loc:@v"}},
      {"v", "VarHandleOp", {}, {"loc:@v"}},
      {"v/IsInitialized/VarIsInitializedOp", "VarIsInitializedOp", {"v"}, {}},
      {"v/Assign", "AssignVariableOp", {"v", "v/Initializer/initial_value"}, {}},
      {"v/Read/ReadVariableOp", "ReadVariableOp", {"v"}, {}},
      {"VarIsInitializedOp", "VarIsInitializedOp", {"v"}, {}},
      {"cond/Switch", "Switch", {"VarIsInitializedOp", "VarIsInitializedOp"}, {}},
      {"cond/switch_t", "Identity", {"cond/Switch:1"}, {}},
      {"cond/switch_f", "Identity", {"cond/Switch"}, {}},
      {"cond/pred_id", "Identity", {"VarIsInitializedOp"}, {}},
      {"cond/Read/ReadVariableOp", "ReadVariableOp", {"cond/Read/ReadVariableOp/Switch:1"}, {}},
      {"cond/Read/ReadVariableOp/Switch", "Switch", {"v", "cond/pred_id"}, {"loc:@v"}},
      {"cond/Identity", "Identity", {"cond/Read/ReadVariableOp"}, {}},
      {"cond/Switch_1", "Switch", {"v/Initializer/initial_value", "cond/pred_id"}, {"loc:@v"}},
      {"cond/Merge", "Merge", {"cond/Switch_1", "cond/Identity"}, {}},
      {"v/ExponentialMovingAverage", "VarHandleOp", {}, {"loc:@v"}},
      {"v/ExponentialMovingAverage/IsInitialized/VarIsInitializedOp", "VarIsInitializedOp",
       {"v/ExponentialMovingAverage"}, {"loc:@v"}},
      {"v/ExponentialMovingAverage/Assign", "AssignVariableOp",
       {"v/ExponentialMovingAverage", "cond/Merge"}, {}},
      {"v/ExponentialMovingAverage/Read/ReadVariableOp", "ReadVariableOp",
       {"v/ExponentialMovingAverage"}, {"loc:@v"}},
      {"ExponentialMovingAverage/decay", "Const", {}, {}},
      {a + "sub/x", "Const", {}, {}},
      {a + "sub", "Sub", {a + "sub/x", "ExponentialMovingAverage/decay"}, {}},
      {a + "ReadVariableOp", "ReadVariableOp", {"v/ExponentialMovingAverage"}, {}},
      {a + "sub_1/ReadVariableOp", "ReadVariableOp", {"v"}, {}},
      {a + "sub_1", "Sub", {a + "ReadVariableOp", a + "sub_1/ReadVariableOp"}, {}},
      {a + "mul", "Mul", {a + "sub_1", a + "sub"}, {}},
      {a + "AssignSubVariableOp", "AssignSubVariableOp",
       {"v/ExponentialMovingAverage", a + "mul"}, {}},
      {a + "ReadVariableOp_1", "ReadVariableOp",
       {"v/ExponentialMovingAverage", "^" + a + "AssignSubVariableOp"}, {}},
      {"ExponentialMovingAverage", "NoOp", {"^" + a + "AssignSubVariableOp"}, {}},
  });
}

TEST(Cond, RefusesWhatItCannotBuildLikeTensorFlow) {
  Graph g;
  Variable v = *MakeVariable(&g, Scalar(0.0f), "v");
  Output p = Placeholder(&g, tensorflow::DT_BOOL, std::vector<int64_t>{}, "p");
  auto ref = [&](CondBranch*) -> StatusOr<Output> { return v.ref(); };
  EXPECT_EQ(Cond(&g, p, ref, ref).status().code(), StatusCode::kUnimplemented);
  EXPECT_EQ(Cond(&g, Output(v.snapshot()), ref, ref).status().code(),
            StatusCode::kInvalidArgument);  // a float predicate
}

TEST(InitializedValue, NeedsAnInitialValue) {
  Graph g;
  Variable v = *MakeVariable(&g, Scalar(0.0f), "v");
  v.data()->initial_value.clear();
  EXPECT_EQ(InitializedValue(&g, v).status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace tfckpt::train
