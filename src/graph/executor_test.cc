// TF1 while loops in the executor (executor.h): frames, iterations, loop
// invariants, deadness through and around loops, the iteration bound and
// malformed frames, on GraphDefs built as tf.while_loop builds them
// (Enter -> Merge -> LoopCond/Switch -> body -> NextIteration, Exit). Every
// expected value is worked out by hand in the comment above it.
#include "gtest/gtest.h"
#include "src/graph/serving_ops.h"
#include "src/graph/test_util.h"

namespace tfckpt::graph {
namespace {

using namespace testing;  // NOLINT

constexpr DataType kF = tensorflow::DT_FLOAT;
constexpr DataType kI32 = tensorflow::DT_INT32;
constexpr DataType kB = tensorflow::DT_BOOL;

struct LoopVar {
  std::string name;
  std::string init;  // the tensor entering the loop
  DataType dtype;
};

// F/enter_v = Enter(init), F/merge_v = Merge(F/enter_v, F/next_v).
void LoopEnter(GraphBuilder& b, const std::string& f, const std::vector<LoopVar>& vars) {
  for (const LoopVar& v : vars) {
    b.Op(f + "/enter_" + v.name, "Enter", {v.init}, {{"T", AType(v.dtype)}, {"frame_name", AStr(f)}});
    b.Op(f + "/merge_" + v.name, "Merge", {f + "/enter_" + v.name, f + "/next_" + v.name},
         {{"T", AType(v.dtype)}, {"N", AInt(2)}});
  }
}

// A loop invariant: F/name = Enter(input, is_constant).
void Invariant(GraphBuilder& b, const std::string& f, const std::string& name,
               const std::string& input, DataType dtype) {
  b.Op(f + "/" + name, "Enter", {input},
       {{"T", AType(dtype)}, {"frame_name", AStr(f)}, {"is_constant", ABool(true)}});
}

// F/cond = LoopCond(pred); per variable F/switch_v = Switch(F/merge_v,
// F/cond), F/exit_v = Exit(F/switch_v:0), F/body_v = Identity(F/switch_v:1).
void LoopSwitch(GraphBuilder& b, const std::string& f, const std::string& pred,
                const std::vector<LoopVar>& vars) {
  b.Op(f + "/cond", "LoopCond", {pred});
  for (const LoopVar& v : vars) {
    const Attrs t = {{"T", AType(v.dtype)}};
    b.Op(f + "/switch_" + v.name, "Switch", {f + "/merge_" + v.name, f + "/cond"}, t);
    b.Op(f + "/exit_" + v.name, "Exit", {f + "/switch_" + v.name}, t);
    b.Op(f + "/body_" + v.name, "Identity", {f + "/switch_" + v.name + ":1"}, t);
  }
}

// F/next_v = NextIteration(result_v).
void LoopNext(GraphBuilder& b, const std::string& f, const std::vector<LoopVar>& vars,
              const std::vector<std::string>& results) {
  for (size_t k = 0; k < vars.size(); ++k) {
    b.Op(f + "/next_" + vars[k].name, "NextIteration", {results[k]},
         {{"T", AType(vars[k].dtype)}});
  }
}

// A Const inside a frame: a control input from the frame's pivot puts it there.
void ConstIn(GraphBuilder& b, const std::string& name, const Tensor& value,
             const std::string& pivot) {
  b.Const(name, value);
  b.Last()->add_input("^" + pivot);
}

// i = 0, acc = 1.5; while i < 5: i += 1, acc *= 2.
GraphBuilder CountingLoop() {
  GraphBuilder b;
  b.Const("zero", I32({}, {0}));
  b.Const("start", F({}, {1.5f}));
  b.Const("five", I32({}, {5}));
  const std::vector<LoopVar> vars = {{"i", "zero", kI32}, {"acc", "start", kF}};
  LoopEnter(b, "count", vars);
  Invariant(b, "count", "n", "five", kI32);
  b.Binary("count/less", "Less", "count/merge_i", "count/n", kI32);
  LoopSwitch(b, "count", "count/less", vars);
  ConstIn(b, "count/one", I32({}, {1}), "count/body_i");
  ConstIn(b, "count/two", F({}, {2}), "count/body_i");
  b.Binary("count/add", "AddV2", "count/body_i", "count/one", kI32);
  b.Binary("count/mul", "Mul", "count/body_acc", "count/two", kF);
  LoopNext(b, "count", vars, {"count/add", "count/mul"});
  return b;
}

StatusOr<std::unique_ptr<Session>> NewSession(const tensorflow::GraphDef& def,
                                              int64_t max_iterations = int64_t{1} << 20) {
  SessionOptions so;
  so.graph.registry = &ServingOpRegistry();
  so.max_loop_iterations = max_iterations;
  return Session::Create(def, so);
}

StatusOr<std::vector<Tensor>> RunLoop(const tensorflow::GraphDef& def,
                                  const std::vector<std::string>& fetches,
                                  const std::vector<Session::Feed>& feeds = {},
                                  int64_t max_iterations = int64_t{1} << 20) {
  TFCKPT_ASSIGN_OR_RETURN(auto session, NewSession(def, max_iterations));
  return session->Run(feeds, fetches);
}

// The exits carry the last iteration's values: i = 5, acc = 1.5 * 2^5 = 48.
// Each node runs once per iteration of its frame: 3 Consts and 3 Enters in
// the root frame; Merge x2, Less, LoopCond, Switch x2 in each of the 6
// iterations (0..5); the 8 body nodes (2 Identity, 2 Const, AddV2, Mul, 2
// NextIteration) in the 5 iterations whose condition holds; the 2 Exits in
// the last: 6 + 36 + 40 + 2 = 84 kernels.
TEST(WhileLoop, CountsAndCarriesEveryLoopVariable) {
  auto session = NewSession(CountingLoop().def());
  ASSERT_TRUE(session.ok()) << session.status();
  auto out = (*session)->Run({}, {"count/exit_i", "count/exit_acc"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<int32_t>((*out)[0]), std::vector<int32_t>{5});
  EXPECT_EQ(Values<float>((*out)[1]), std::vector<float>{48});
  EXPECT_EQ((*session)->last_run_node_count(), 84);
  // Runs are independent: the same again.
  out = (*session)->Run({}, {"count/exit_acc"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<float>((*out)[0]), std::vector<float>{48});
}

// Feeding the loop's input: start = -1 gives -1 * 2^5 = -32; five = 0 makes
// the condition false at once: the exits carry the inputs, 0 and 1.5.
TEST(WhileLoop, FedInputsAndALoopThatRunsNoIteration) {
  auto out = RunLoop(CountingLoop().def(), {"count/exit_acc"}, {{"start:0", F({}, {-1})}});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<float>((*out)[0]), std::vector<float>{-32});
  out = RunLoop(CountingLoop().def(), {"count/exit_i", "count/exit_acc"}, {{"five:0", I32({}, {0})}});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<int32_t>((*out)[0]), std::vector<int32_t>{0});
  EXPECT_EQ(Values<float>((*out)[1]), std::vector<float>{1.5f});
}

// The counting loop runs its body 5 times: a bound of 5 lets it finish, a
// bound of 4 stops it when the 5th NextIteration would start iteration 5.
TEST(WhileLoop, TheIterationBoundCountsBodyRuns) {
  EXPECT_TRUE(RunLoop(CountingLoop().def(), {"count/exit_i"}, {}, 5).ok());
  auto out = RunLoop(CountingLoop().def(), {"count/exit_i"}, {}, 4);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(out.status().message(),
            "TF1 while loop 'count' ran 4 iterations and its condition 'count/cond' is still "
            "true (tfckpt's bound, SessionOptions::max_loop_iterations)\n\t [[{{node "
            "count/next_i}}]]");
}

// while true: v = v. Without the bound this never ends.
TEST(WhileLoop, ALoopThatNeverEndsFailsAtTheBound) {
  GraphBuilder b;
  b.Const("x", F({}, {1}));
  b.Const("yes", B({}, {true}));
  const std::vector<LoopVar> vars = {{"v", "x", kF}};
  LoopEnter(b, "forever", vars);
  Invariant(b, "forever", "yes", "yes", kB);
  LoopSwitch(b, "forever", "forever/yes", vars);
  LoopNext(b, "forever", vars, {"forever/body_v"});
  auto out = RunLoop(b.def(), {"forever/exit_v"}, {}, 50);
  EXPECT_EQ(out.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(out.status().message().find("TF1 while loop 'forever' ran 50 iterations and its "
                                        "condition 'forever/cond' is still true"),
            std::string::npos)
      << out.status();
}

// for i in 0..3: for j in 0..i-1: total += 1. The inner loop runs 0, 1, 2
// and 3 times: total = 6; the outer exits with i = 4. The inner loop's frame
// is entered once per outer iteration, also in the last one (i = 4), where
// the outer condition is false: there its Enters are dead, and so is all of
// it, down to the outer NextIteration that ends the outer loop.
TEST(WhileLoop, NestedLoopsRunTheInnerOnePerOuterIteration) {
  GraphBuilder b;
  b.Const("zero", I32({}, {0}));
  b.Const("four", I32({}, {4}));
  const std::vector<LoopVar> outer = {{"i", "zero", kI32}, {"total", "zero", kI32}};
  LoopEnter(b, "outer", outer);
  Invariant(b, "outer", "n", "four", kI32);
  b.Binary("outer/less", "Less", "outer/merge_i", "outer/n", kI32);
  LoopSwitch(b, "outer", "outer/less", outer);
  ConstIn(b, "outer/zero_j", I32({}, {0}), "outer/body_i");
  ConstIn(b, "outer/one", I32({}, {1}), "outer/body_i");
  const std::string in = "outer/inner";
  const std::vector<LoopVar> inner = {{"j", "outer/zero_j", kI32}, {"t", "outer/body_total", kI32}};
  LoopEnter(b, in, inner);
  Invariant(b, in, "m", "outer/body_i", kI32);
  b.Binary(in + "/less", "Less", in + "/merge_j", in + "/m", kI32);
  LoopSwitch(b, in, in + "/less", inner);
  ConstIn(b, in + "/one", I32({}, {1}), in + "/body_j");
  b.Binary(in + "/add_j", "AddV2", in + "/body_j", in + "/one", kI32);
  b.Binary(in + "/add_t", "AddV2", in + "/body_t", in + "/one", kI32);
  LoopNext(b, in, inner, {in + "/add_j", in + "/add_t"});
  b.Binary("outer/add_i", "AddV2", "outer/body_i", "outer/one", kI32);
  LoopNext(b, "outer", outer, {"outer/add_i", in + "/exit_t"});
  auto out = RunLoop(b.def(), {"outer/exit_i", "outer/exit_total"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<int32_t>((*out)[0]), std::vector<int32_t>{4});
  EXPECT_EQ(Values<int32_t>((*out)[1]), std::vector<int32_t>{6});
}

// acc = 0; for i in 0..4: acc += 10 if i < 2 else 1 -- a tf.cond inside the
// body: 10 + 10 + 1 + 1 + 1 = 23. The untaken branch of each iteration is
// dead and its Merge forwards the taken one.
TEST(WhileLoop, ACondInsideTheBody) {
  GraphBuilder b;
  b.Const("zero", I32({}, {0}));
  b.Const("fzero", F({}, {0}));
  b.Const("five", I32({}, {5}));
  const std::vector<LoopVar> vars = {{"i", "zero", kI32}, {"acc", "fzero", kF}};
  LoopEnter(b, "w", vars);
  Invariant(b, "w", "n", "five", kI32);
  b.Binary("w/less", "Less", "w/merge_i", "w/n", kI32);
  LoopSwitch(b, "w", "w/less", vars);
  ConstIn(b, "w/two", I32({}, {2}), "w/body_i");
  ConstIn(b, "w/one", I32({}, {1}), "w/body_i");
  b.Binary("w/small", "Less", "w/body_i", "w/two", kI32);
  b.Op("w/c/switch", "Switch", {"w/body_acc", "w/small"}, {{"T", AType(kF)}});
  b.Op("w/c/then", "Identity", {"w/c/switch:1"}, {{"T", AType(kF)}});
  b.Op("w/c/else", "Identity", {"w/c/switch"}, {{"T", AType(kF)}});
  ConstIn(b, "w/c/ten", F({}, {10}), "w/c/then");
  ConstIn(b, "w/c/fone", F({}, {1}), "w/c/else");
  b.Binary("w/c/add10", "AddV2", "w/c/then", "w/c/ten", kF);
  b.Binary("w/c/add1", "AddV2", "w/c/else", "w/c/fone", kF);
  b.Op("w/c/merge", "Merge", {"w/c/add1", "w/c/add10"}, {{"T", AType(kF)}, {"N", AInt(2)}});
  b.Binary("w/add_i", "AddV2", "w/body_i", "w/one", kI32);
  LoopNext(b, "w", vars, {"w/add_i", "w/c/merge"});
  auto out = RunLoop(b.def(), {"w/exit_i", "w/exit_acc"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<int32_t>((*out)[0]), std::vector<int32_t>{5});
  EXPECT_EQ(Values<float>((*out)[1]), std::vector<float>{23});
}

// if p: (v = 3; while v < 100: v *= 2) else -3. Taken: 3 -> 6 -> ... -> 96
// -> 192. Untaken: the loop's Enters are dead, its Merges dead at once (TF's
// dead-Enter rule), its Exits dead once the frame is done, and the outer
// Merge forwards -3.
TEST(WhileLoop, ALoopInACondBranch) {
  GraphBuilder b;
  b.Placeholder("p", kB, {});
  b.Const("x", F({}, {3}));
  b.Op("sw", "Switch", {"x", "p"}, {{"T", AType(kF)}});
  b.Op("then", "Identity", {"sw:1"}, {{"T", AType(kF)}});
  b.Op("else", "Neg", {"sw"}, {{"T", AType(kF)}});
  ConstIn(b, "hundred", F({}, {100}), "then");
  const std::vector<LoopVar> vars = {{"v", "then", kF}};
  LoopEnter(b, "then/loop", vars);
  Invariant(b, "then/loop", "limit", "hundred", kF);
  b.Binary("then/loop/less", "Less", "then/loop/merge_v", "then/loop/limit", kF);
  LoopSwitch(b, "then/loop", "then/loop/less", vars);
  ConstIn(b, "then/loop/two", F({}, {2}), "then/loop/body_v");
  b.Binary("then/loop/mul", "Mul", "then/loop/body_v", "then/loop/two", kF);
  LoopNext(b, "then/loop", vars, {"then/loop/mul"});
  b.Op("merge", "Merge", {"else", "then/loop/exit_v"}, {{"T", AType(kF)}, {"N", AInt(2)}});
  auto taken = RunLoop(b.def(), {"merge:0", "merge:1"}, {{"p:0", B({}, {true})}});
  ASSERT_TRUE(taken.ok()) << taken.status();
  EXPECT_EQ(Values<float>((*taken)[0]), std::vector<float>{192});
  EXPECT_EQ(Values<int32_t>((*taken)[1]), std::vector<int32_t>{1});
  auto untaken = RunLoop(b.def(), {"merge:0", "merge:1"}, {{"p:0", B({}, {false})}});
  ASSERT_TRUE(untaken.ok()) << untaken.status();
  EXPECT_EQ(Values<float>((*untaken)[0]), std::vector<float>{-3});
  EXPECT_EQ(Values<int32_t>((*untaken)[1]), std::vector<int32_t>{0});
  EXPECT_EQ(RunLoop(b.def(), {"then/loop/exit_v"}, {{"p:0", B({}, {false})}}).status().message(),
            "Retval[0] does not have value");
}

// What tf.nn.dynamic_rnn builds: the input scattered into a TensorArray, read
// at step t inside the loop, the step's output written to another array
// (whose flow is a loop variable), gathered after the loop.
// x = [[1,2],[3,4],[5,6]], h = 0; for t in 0..2: h += 2 * x[t]; out[t] = h:
// [2,4], [2+6,4+8] = [8,12], [8+10,12+12] = [18,24].
TEST(WhileLoop, TensorArraysAsDynamicRnnUsesThem) {
  constexpr DataType kR = tensorflow::DT_RESOURCE;
  GraphBuilder b;
  b.Const("x", F({3, 2}, {1, 2, 3, 4, 5, 6}));
  b.Const("three", I32({}, {3}));
  b.Const("zero", I32({}, {0}));
  b.Const("h0", F({2}, {0, 0}));
  b.Const("steps", I32({3}, {0, 1, 2}));
  b.Op("in", "TensorArrayV3", {"three"}, {{"dtype", AType(kF)}, {"element_shape", AShape({2})}});
  b.Op("out", "TensorArrayV3", {"three"}, {{"dtype", AType(kF)}});
  b.Op("scatter", "TensorArrayScatterV3", {"in", "steps", "x", "in:1"}, {{"T", AType(kF)}});
  const std::vector<LoopVar> vars = {{"t", "zero", kI32}, {"h", "h0", kF}, {"flow", "out:1", kF}};
  LoopEnter(b, "rnn", vars);
  Invariant(b, "rnn", "n", "three", kI32);
  Invariant(b, "rnn", "in", "in", kR);
  Invariant(b, "rnn", "in_flow", "scatter", kF);
  Invariant(b, "rnn", "out", "out", kR);
  b.Binary("rnn/less", "Less", "rnn/merge_t", "rnn/n", kI32);
  LoopSwitch(b, "rnn", "rnn/less", vars);
  b.Op("rnn/x_t", "TensorArrayReadV3", {"rnn/in", "rnn/body_t", "rnn/in_flow"},
       {{"dtype", AType(kF)}});
  ConstIn(b, "rnn/two", F({}, {2}), "rnn/body_t");
  ConstIn(b, "rnn/one", I32({}, {1}), "rnn/body_t");
  b.Binary("rnn/x2", "Mul", "rnn/x_t", "rnn/two", kF);
  b.Binary("rnn/h1", "AddV2", "rnn/body_h", "rnn/x2", kF);
  b.Op("rnn/write", "TensorArrayWriteV3", {"rnn/out", "rnn/body_t", "rnn/h1", "rnn/body_flow"},
       {{"T", AType(kF)}});
  b.Binary("rnn/t1", "AddV2", "rnn/body_t", "rnn/one", kI32);
  LoopNext(b, "rnn", vars, {"rnn/t1", "rnn/h1", "rnn/write"});
  b.Op("outputs", "TensorArrayGatherV3", {"out", "steps", "rnn/exit_flow"},
       {{"dtype", AType(kF)}});
  b.Op("size", "TensorArraySizeV3", {"out", "rnn/exit_flow"});
  auto out = RunLoop(b.def(), {"outputs", "rnn/exit_h", "size"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape().DebugString(), "[3,2]");
  EXPECT_EQ(Values<float>((*out)[0]), (std::vector<float>{2, 4, 8, 12, 18, 24}));
  EXPECT_EQ(Values<float>((*out)[1]), (std::vector<float>{18, 24}));
  EXPECT_EQ(Values<int32_t>((*out)[2]), std::vector<int32_t>{3});
}

// A reference variable entering a loop as an invariant (RefEnter, read in
// the body): acc = 1; 3 times acc *= v with v = 2: 8.
TEST(WhileLoop, AReferenceVariableAsALoopInvariant) {
  GraphBuilder b;
  b.Op("v", "VariableV2", {}, {{"dtype", AType(kF)}, {"shape", AShape({})}});
  b.Const("two", F({}, {2}));
  b.Op("init", "Assign", {"v", "two"}, {{"T", AType(kF)}});
  b.Const("zero", I32({}, {0}));
  b.Const("one", F({}, {1}));
  b.Const("three", I32({}, {3}));
  const std::vector<LoopVar> vars = {{"i", "zero", kI32}, {"acc", "one", kF}};
  LoopEnter(b, "r", vars);
  Invariant(b, "r", "n", "three", kI32);
  b.Op("r/v", "RefEnter", {"v"},
       {{"T", AType(kF)}, {"frame_name", AStr("r")}, {"is_constant", ABool(true)}});
  b.Binary("r/less", "Less", "r/merge_i", "r/n", kI32);
  LoopSwitch(b, "r", "r/less", vars);
  ConstIn(b, "r/inc", I32({}, {1}), "r/body_i");
  b.Binary("r/add", "AddV2", "r/body_i", "r/inc", kI32);
  b.Binary("r/mul", "Mul", "r/body_acc", "r/v", kF);
  LoopNext(b, "r", vars, {"r/add", "r/mul"});
  auto session = NewSession(b.def());
  ASSERT_TRUE(session.ok()) << session.status();
  EXPECT_EQ((*session)->Run({}, {"r/exit_acc"}).status().message(),
            "Attempting to use uninitialized value r/v\n\t [[{{node r/mul}}]]");
  ASSERT_TRUE((*session)->Run({}, {}, {"init"}).ok());
  auto out = (*session)->Run({}, {"r/exit_acc"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<float>((*out)[0]), std::vector<float>{8});
}

TEST(WhileLoop, MalformedFramesAreRefusedByName) {
  // A body node reading a tensor of the root frame without an Enter.
  GraphBuilder b = CountingLoop();
  b.Const("root_two", F({}, {2}));
  for (auto& n : *b.def().mutable_node()) {
    if (n.name() == "count/mul") n.set_input(1, "root_two");
  }
  auto out = RunLoop(b.def(), {"count/exit_acc"});
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(out.status().message(),
            "The node 'count/mul' has inputs from different frames. The input 'root_two' is in "
            "the root frame. The node is in while loop frame 'count': a value enters a while "
            "loop only through an Enter and leaves it through an Exit");
  // Not needed by a run, not an error.
  EXPECT_TRUE(RunLoop(b.def(), {"five"}).ok());

  GraphBuilder exit;
  exit.Const("x", F({}, {1}));
  exit.Op("e", "Exit", {"x"}, {{"T", AType(kF)}});
  EXPECT_EQ(RunLoop(exit.def(), {"e"}).status().message(),
            "Exit 'e' is not inside a while loop (no Enter leads to it)");
}

TEST(WhileLoop, TensorsInsideALoopAreNeitherFetchedNorFed) {
  EXPECT_EQ(RunLoop(CountingLoop().def(), {"count/add:0"}).status().message(),
            "Cannot fetch count/add:0: it is inside the while loop frame 'count'; fetch what "
            "the loop's Exit nodes output");
  EXPECT_EQ(RunLoop(CountingLoop().def(), {"count/enter_i"}).status().message(),
            "Cannot fetch count/enter_i: it is inside the while loop frame 'count'; fetch what "
            "the loop's Exit nodes output");
  EXPECT_EQ(RunLoop(CountingLoop().def(), {"count/exit_i"}, {{"count/body_i", I32({}, {0})}})
                .status()
                .message(),
            "Cannot feed count/body_i:0: it is inside the while loop frame 'count' (tfckpt feeds "
            "tensors outside while loops only)");
}

}  // namespace
}  // namespace tfckpt::graph
