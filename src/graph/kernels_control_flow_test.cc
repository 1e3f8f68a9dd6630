// Control flow v1: Switch / RefSwitch / Merge and the executor's deadness.
// The expected values and error texts are what TF 2.21's DirectSession gave
// for the same GraphDefs (tf.raw_ops.Switch/Merge, imported with
// import_graph_def so Python's prevent_fetching does not interfere).
#include "gtest/gtest.h"
#include "src/graph/test_util.h"

namespace tfckpt::graph {
namespace {

using namespace testing;  // NOLINT

constexpr DataType kF = tensorflow::DT_FLOAT;

// p (bool) switches x = 1.0: sw:0 live iff !p, sw:1 live iff p.
// y = Identity(sw:1); m = Merge(sw:0, y); z = Identity(x) after ^y;
// m2 = Merge(sw:0, x) after ^y.
GraphBuilder Switched() {
  GraphBuilder b;
  b.Placeholder("p", tensorflow::DT_BOOL, {});
  b.Const("x", F({}, {1}));
  b.Op("sw", "Switch", {"x", "p"}, {{"T", AType(kF)}});
  b.Op("y", "Identity", {"sw:1"}, {{"T", AType(kF)}});
  b.Op("m", "Merge", {"sw", "y"}, {{"T", AType(kF)}, {"N", AInt(2)}});
  b.Op("z", "Identity", {"x", "^y"}, {{"T", AType(kF)}});
  b.Op("m2", "Merge", {"sw", "x", "^y"}, {{"T", AType(kF)}, {"N", AInt(2)}});
  return b;
}

Session::Feed Pred(bool p) { return {"p:0", B({}, {p})}; }

TEST(Switch, ForwardsDataToTheTakenBranchOnly) {
  auto session = *Session::Create(Switched().def());
  for (bool p : {false, true}) {
    SCOPED_TRACE(p);
    const std::string live = p ? "sw:1" : "sw:0";
    const std::string dead = p ? "sw:0" : "sw:1";
    auto out = session->Run({Pred(p)}, {live});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ(Values<float>((*out)[0]), std::vector<float>{1});
    auto none = session->Run({Pred(p)}, {dead});
    EXPECT_EQ(none.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(none.status().message(), "Retval[0] does not have value");
  }
}

TEST(Switch, DeadnessPropagatesThroughDataAndControlEdges) {
  auto session = *Session::Create(Switched().def());
  for (const char* fetch : {"y:0", "z:0"}) {
    auto out = session->Run({Pred(false)}, {fetch});
    EXPECT_EQ(out.status().message(), "Retval[0] does not have value") << fetch;
    auto live = session->Run({Pred(true)}, {fetch});
    ASSERT_TRUE(live.ok()) << live.status();
    EXPECT_EQ(Values<float>((*live)[0]), std::vector<float>{1});
  }
  // The index is the fetch's.
  EXPECT_EQ(session->Run({Pred(false)}, {"x:0", "y:0"}).status().message(),
            "Retval[1] does not have value");
  // A dead target is not an error; its kernel does not run.
  ASSERT_TRUE(session->Run({Pred(false)}, {}, {"y"}).ok());
  EXPECT_EQ(session->last_run_node_count(), 2);  // x, sw (p is fed; y dead)
}

TEST(Merge, ForwardsWhicheverBranchIsLive) {
  auto session = *Session::Create(Switched().def());
  for (bool p : {false, true}) {
    SCOPED_TRACE(p);
    auto out = session->Run({Pred(p)}, {"m:0", "m:1"});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ(Values<float>((*out)[0]), std::vector<float>{1});
    EXPECT_EQ(Values<int32_t>((*out)[1]), std::vector<int32_t>{p ? 1 : 0});
    // A control input from a dead node does not make a Merge dead.
    auto m2 = session->Run({Pred(p)}, {"m2:0", "m2:1"});
    ASSERT_TRUE(m2.ok()) << m2.status();
    EXPECT_EQ(Values<float>((*m2)[0]), std::vector<float>{1});
    EXPECT_EQ(Values<int32_t>((*m2)[1]), std::vector<int32_t>{p ? 1 : 0});
  }
}

TEST(Merge, IsDeadWhenEveryInputIs) {
  GraphBuilder b = Switched();
  b.Op("y2", "Identity", {"sw:1"}, {{"T", AType(kF)}});
  b.Op("both_dead", "Merge", {"y", "y2"}, {{"T", AType(kF)}, {"N", AInt(2)}});
  b.Op("after", "Identity", {"both_dead"}, {{"T", AType(kF)}});
  auto session = *Session::Create(b.def());
  EXPECT_EQ(session->Run({Pred(false)}, {"after:0"}).status().message(),
            "Retval[0] does not have value");
  auto live = session->Run({Pred(true)}, {"after:0", "both_dead:1"});
  ASSERT_TRUE(live.ok()) << live.status();
  EXPECT_EQ(Values<int32_t>((*live)[1]), std::vector<int32_t>{0});
}

TEST(Switch, PredicateMustBeAScalar) {
  GraphBuilder b;
  b.Const("x", F({}, {1}));
  b.Placeholder("p", tensorflow::DT_BOOL);  // unknown shape: TF checks at run time
  b.Op("sw", "Switch", {"x", "p"}, {{"T", AType(kF)}});
  auto session = *Session::Create(b.def());
  EXPECT_EQ(session->Run({{"p:0", B({2}, {true, false})}}, {"sw:0"}).status().message(),
            "The second input must be a scalar, but it has shape [2]\n\t [[{{node sw}}]]");
}

// Variable.initialized_value() as TF 2.21 builds it (cond v1 over
// IsVariableInitialized): the untaken branch's read of an uninitialized
// variable never runs.
GraphBuilder InitializedValue() {
  GraphBuilder b;
  b.Const("v/initial_value", F({}, {3}));
  b.Op("v", "VariableV2", {}, {{"dtype", AType(kF)}, {"shape", AShape({})}});
  b.Op("v/Assign", "Assign", {"v", "v/initial_value"}, {{"T", AType(kF)}});
  b.Const("seven", F({}, {7}));
  b.Op("v/Assign7", "Assign", {"v", "seven"}, {{"T", AType(kF)}});
  b.Op("IsVariableInitialized", "IsVariableInitialized", {"v"}, {{"dtype", AType(kF)}});
  const Attrs tb = {{"T", AType(tensorflow::DT_BOOL)}};
  b.Op("cond/Switch", "Switch", {"IsVariableInitialized", "IsVariableInitialized"}, tb);
  b.Op("cond/switch_t", "Identity", {"cond/Switch:1"}, tb);
  b.Op("cond/switch_f", "Identity", {"cond/Switch"}, tb);
  b.Op("cond/pred_id", "Identity", {"IsVariableInitialized"}, tb);
  b.Op("cond/read", "Identity", {"cond/read/Switch:1"}, {{"T", AType(kF)}});
  b.Op("cond/read/Switch", "RefSwitch", {"v", "cond/pred_id"}, {{"T", AType(kF)}});
  b.Op("cond/Switch_1", "Switch", {"v/initial_value", "cond/pred_id"}, {{"T", AType(kF)}});
  b.Op("cond/Merge", "Merge", {"cond/Switch_1", "cond/read"}, {{"T", AType(kF)}, {"N", AInt(2)}});
  return b;
}

TEST(RefSwitch, InitializedValueReadsTheVariableOnlyOnceInitialized) {
  auto session = *Session::Create(InitializedValue().def());
  auto before = session->Run({}, {"cond/Merge:0", "cond/Merge:1"});
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(Values<float>((*before)[0]), std::vector<float>{3});
  EXPECT_EQ(Values<int32_t>((*before)[1]), std::vector<int32_t>{0});
  ASSERT_TRUE(session->Run({}, {}, {"v/Assign7"}).ok());
  auto after = session->Run({}, {"cond/Merge:0", "cond/Merge:1", "cond/read/Switch:1"});
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(Values<float>((*after)[0]), std::vector<float>{7});
  EXPECT_EQ(Values<int32_t>((*after)[1]), std::vector<int32_t>{1});
  EXPECT_EQ(Values<float>((*after)[2]), std::vector<float>{7});  // the reference, read
  EXPECT_EQ(session->Run({}, {"cond/read/Switch:0"}).status().message(),
            "Retval[0] does not have value");
}

// _SwitchN (TF's lowering of Case): data goes to output `output_index`, an
// index out of range to the last output (SwitchNOp); the others are dead.
TEST(SwitchN, ForwardsToTheIndexedOutputAndTheLastOutOfRange) {
  GraphBuilder b;
  b.Placeholder("i", tensorflow::DT_INT32, {});
  b.Const("x", F({}, {1}));
  b.Op("sw", "_SwitchN", {"x", "i"}, {{"T", AType(kF)}, {"num_outs", AInt(3)}});
  b.Op("m", "Merge", {"sw:0", "sw:1", "sw:2"}, {{"T", AType(kF)}, {"N", AInt(3)}});
  auto session = *Session::Create(b.def());
  for (int i : {0, 1, 2, 3, -1}) {
    SCOPED_TRACE(i);
    const int live = i == 0 || i == 1 ? i : 2;
    auto out = session->Run({{"i:0", I32({}, {i})}}, {"m:1"});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ(Values<int32_t>((*out)[0]), std::vector<int32_t>{live});
    for (int k = 0; k < 3; ++k) {
      auto got = session->Run({{"i:0", I32({}, {i})}}, {StrCat("sw:", k)});
      EXPECT_EQ(got.ok(), k == live) << k << ": " << got.status();
    }
  }
  auto bad = session->Run({{"i:0", I32({1}, {0})}}, {"m"});
  EXPECT_EQ(Message(bad.status()), "The second input must be a scalar, but it has shape [1]");
}

}  // namespace
}  // namespace tfckpt::graph
