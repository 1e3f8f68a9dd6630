// Session::Run: pruning, feeds, fetches, targets, error texts, the
// SaverDef helpers.
#include <cstdlib>

#include "gtest/gtest.h"
#include "src/graph/test_util.h"
#include "src/io/env.h"

namespace tfckpt::graph {
namespace {

using namespace testing;  // NOLINT

constexpr DataType kF = tensorflow::DT_FLOAT;

// x (placeholder [?,2]) -> double = x + x; unused: a placeholder nobody feeds
// and a failing Reshape.
GraphBuilder Pipeline() {
  GraphBuilder b;
  b.Placeholder("x", kF, {-1, 2});
  b.Binary("double", "AddV2", "x", "x", kF);
  b.Const("one", F({}, {1}));
  b.Binary("plus_one", "AddV2", "double", "one", kF);
  b.Placeholder("unfed", kF);
  b.Const("bad_shape", I32({1}, {7}));
  b.Op("broken", "Reshape", {"one", "bad_shape"}, {{"T", AType(kF)}});
  return b;
}

TEST(Session, RunsOnlyWhatFetchesNeed) {
  auto session = *Session::Create(Pipeline().def());
  auto out = session->Run({{"x:0", F({1, 2}, {1, 2})}}, {"plus_one:0", "double:0"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<float>((*out)[0]), (std::vector<float>{3, 5}));
  EXPECT_EQ(Values<float>((*out)[1]), (std::vector<float>{2, 4}));
  EXPECT_EQ(session->last_run_node_count(), 3);  // double, one, plus_one (x is fed)
  // The same tensor twice, and a fed tensor fetched back.
  auto twice = session->Run({{"x", F({1, 2}, {5, 6})}}, {"double", "double:0", "x:0"});
  ASSERT_TRUE(twice.ok()) << twice.status();
  EXPECT_TRUE((*twice)[0].BitwiseEquals((*twice)[1]));
  EXPECT_EQ(Values<float>((*twice)[2]), (std::vector<float>{5, 6}));
  EXPECT_EQ(session->last_run_node_count(), 1);
}

TEST(Session, FeedingAnIntermediateTensorCutsItsInputs) {
  auto session = *Session::Create(Pipeline().def());
  auto out = session->Run({{"double:0", F({1}, {10})}}, {"plus_one:0"});
  ASSERT_TRUE(out.ok()) << out.status();  // x need not be fed
  EXPECT_EQ(Values<float>((*out)[0]), std::vector<float>{11});
}

TEST(Session, FeedErrors) {
  auto session = *Session::Create(Pipeline().def());
  auto unknown = session->Run({{"nope:0", F({}, {1})}}, {"one:0"});
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(unknown.status().message(), "FeedInputs: unable to find feed output nope:0");
  EXPECT_EQ(session->Run({{"x:1", F({1, 2}, {})}}, {"one:0"}).status().message(),
            "FeedInputs: unable to find feed output x:1 (node x has 1 outputs)");
  auto dtype = session->Run({{"x:0", I32({1, 2}, {1, 2})}}, {"double:0"});
  EXPECT_EQ(dtype.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(dtype.status().message(), "Type mismatch: actual int32 vs. expect float (feed x:0)");
  auto shape = session->Run({{"x:0", F({3}, {1, 2, 3})}}, {"double:0"});
  EXPECT_EQ(shape.status().message(),
            "Cannot feed value of shape (3,) for Tensor x:0, which has shape (None, 2)");
  auto dup = session->Run({{"x:0", F({1, 2}, {})}, {"x", F({1, 2}, {})}}, {"double:0"});
  EXPECT_EQ(dup.status().message(), "x:0 is fed more than once");
  // Unfed placeholders fail only when needed.
  auto unfed = session->Run({}, {"double:0"});
  EXPECT_EQ(unfed.status().message(),
            "You must feed a value for placeholder tensor 'x' with dtype float and shape "
            "[?,2]\n\t [[{{node x}}]]");
}

TEST(Session, FetchAndTargetErrors) {
  auto session = *Session::Create(Pipeline().def());
  auto missing = session->Run({}, {"nope:0"});
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "FetchOutputs node nope:0: not found");
  EXPECT_EQ(session->Run({}, {"one:1"}).status().message(),
            "FetchOutputs node one:1: output index 1 out of range, node one has 1 outputs");
  EXPECT_EQ(session->Run({}, {"^one"}).status().message(), "FetchOutputs node ^one: not found");
  auto targets = session->Run({}, {}, {"one", "a", "b"});
  EXPECT_EQ(targets.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(targets.status().message(), "PruneForTargets: Some target nodes not found: a, b");
  auto broken = session->Run({}, {}, {"broken"});
  EXPECT_EQ(broken.status().message(),
            "Input to reshape is a tensor with 1 values, but the requested shape has 7\n\t "
            "[[{{node broken}}]]");
  EXPECT_TRUE(session->Run({}, {}, {"one", "^one"}).ok());
  std::vector<Tensor> out;
  EXPECT_FALSE(session->Run({}, {"one:0"}, {}, nullptr).ok());
  EXPECT_TRUE(session->Run({}, {}, {"one"}, nullptr).ok());
}

TEST(Session, ControlDependenciesRunFirst) {
  GraphBuilder b;
  b.Const("c", F({}, {3}));
  b.Op("v", "VariableV2", {}, {{"dtype", AType(kF)}, {"shape", AShape({})}});
  b.Op("assign", "Assign", {"v", "c"}, {{"T", AType(kF)}});
  b.Op("read", "Identity", {"v", "^assign"}, {{"T", AType(kF)}});
  auto out = RunGraph(b.def(), {"read:0"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<float>((*out)[0]), std::vector<float>{3});
}

TEST(Session, SaverDefHelpersSaveAndRestore) {
  // A miniature Saver graph, as tf.compat.v1.train.Saver builds it.
  GraphBuilder b;
  b.Const("v/initial_value", F({2}, {1, 2}));
  b.Op("v", "VariableV2", {}, {{"dtype", AType(kF)}, {"shape", AShape({2})}});
  b.Op("v/Assign", "Assign", {"v", "v/initial_value"}, {{"T", AType(kF)}});
  b.Op("init", "NoOp", {"^v/Assign"});
  b.Const("save/filename/input", S({}, {"model"}));
  b.Op("save/filename", "PlaceholderWithDefault", {"save/filename/input"},
       {{"dtype", AType(tensorflow::DT_STRING)}, {"shape", AShape({})}});
  b.Op("save/Const", "PlaceholderWithDefault", {"save/filename"},
       {{"dtype", AType(tensorflow::DT_STRING)}, {"shape", AShape({})}});
  b.Const("save/SaveV2/tensor_names", S({1}, {"v"}));
  b.Const("save/SaveV2/shape_and_slices", S({1}, {""}));
  b.Op("save/SaveV2", "SaveV2", {"save/Const", "save/SaveV2/tensor_names", "save/SaveV2/shape_and_slices", "v"},
       {{"dtypes", ATypes({kF})}});
  b.Op("save/control_dependency", "Identity", {"save/Const", "^save/SaveV2"},
       {{"T", AType(tensorflow::DT_STRING)}});
  b.Op("save/RestoreV2", "RestoreV2",
       {"save/Const", "save/SaveV2/tensor_names", "save/SaveV2/shape_and_slices"},
       {{"dtypes", ATypes({kF})}});
  b.Op("save/Assign", "Assign", {"v", "save/RestoreV2"}, {{"T", AType(kF)}});
  b.Op("save/restore_all", "NoOp", {"^save/Assign"});
  tensorflow::SaverDef saver;
  saver.set_filename_tensor_name("save/Const:0");
  saver.set_save_tensor_name("save/control_dependency:0");
  saver.set_restore_op_name("save/restore_all");

  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string prefix = StrCat(tmp != nullptr ? tmp : "/tmp", "/saverdef/model.ckpt");
  auto session = *Session::Create(b.def());
  // Saving before init reads an uninitialized variable.
  EXPECT_EQ(Message(SaveWithSaverDef(session.get(), saver, prefix).status()),
            "Attempting to use uninitialized value v");
  ASSERT_TRUE(session->Run({}, {}, {"init"}).ok());
  auto path = SaveWithSaverDef(session.get(), saver, prefix);
  ASSERT_TRUE(path.ok()) << path.status();
  EXPECT_EQ(*path, prefix);
  auto fresh = *Session::Create(b.def());
  ASSERT_TRUE(RestoreFromSaverDef(fresh.get(), saver, prefix).ok());
  EXPECT_EQ(Values<float>((*fresh->Run({}, {"v:0"}))[0]), (std::vector<float>{1, 2}));
  EXPECT_EQ(RestoreFromSaverDef(fresh.get(), tensorflow::SaverDef(), prefix).code(),
            StatusCode::kInvalidArgument);
}

// A graph with reference variable v and resource variable r (both float
// scalars), initialized to 1 and 2.
GraphBuilder TwoVariables() {
  GraphBuilder b;
  b.Const("one", F({}, {1}));
  b.Const("two", F({}, {2}));
  b.Op("v", "VariableV2", {}, {{"dtype", AType(kF)}, {"shape", AShape({})}});
  b.Op("v/Assign", "Assign", {"v", "one"}, {{"T", AType(kF)}});
  b.Op("r", "VarHandleOp", {}, {{"dtype", AType(kF)}, {"shape", AShape({})},
                                {"shared_name", AStr("r")}});
  b.Op("r/Assign", "AssignVariableOp", {"r", "two"}, {{"dtype", AType(kF)}});
  b.Op("r/Read", "ReadVariableOp", {"r"}, {{"dtype", AType(kF)}});
  b.Op("init", "NoOp", {"^v/Assign", "^r/Assign"});
  return b;
}

TEST(Session, AdoptVariablesFromCarriesValuesIntoAGrownGraph) {
  auto old_session = *Session::Create(TwoVariables().def());
  ASSERT_TRUE(old_session->Run({}, {}, {"init"}).ok());
  GraphBuilder grown = TwoVariables();
  grown.Binary("sum", "AddV2", "v", "r/Read", kF);
  auto fresh = *Session::Create(grown.def());
  EXPECT_EQ(fresh->Run({}, {"sum:0"}).status().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(fresh->AdoptVariablesFrom(old_session.get()).ok());
  auto sum = fresh->Run({}, {"sum:0"});
  ASSERT_TRUE(sum.ok()) << sum.status();
  EXPECT_EQ(Values<float>((*sum)[0]), std::vector<float>{3});
  EXPECT_EQ(fresh->state().ref_variables().size(), 1u);
  EXPECT_EQ(fresh->state().resource_variables().size(), 1u);
  // The old session is left as if new: its kernels no longer reach the
  // adopted variables.
  EXPECT_TRUE(old_session->state().ref_variables().empty());
  EXPECT_TRUE(old_session->state().resource_variables().empty());
  EXPECT_EQ(Message(old_session->Run({}, {"v:0"}).status()),
            "Attempting to use uninitialized value v");
  ASSERT_TRUE(old_session->Run({}, {}, {"init"}).ok());
  ASSERT_TRUE(fresh->Run({}, {}, {"v/Assign"}).ok());  // unaffected by the old session
  EXPECT_EQ(fresh->AdoptVariablesFrom(fresh.get()).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(fresh->AdoptVariablesFrom(nullptr).code(), StatusCode::kInvalidArgument);
}

TEST(Session, AdoptVariablesFromReplacesVariablesOfTheSameName) {
  auto a = *Session::Create(TwoVariables().def());
  auto b = *Session::Create(TwoVariables().def());
  ASSERT_TRUE(a->Run({}, {}, {"init"}).ok());
  ASSERT_TRUE(b->Run({}, {}, {"v/Assign"}).ok());  // b has v only
  GraphBuilder g = TwoVariables();
  g.Const("ten", F({}, {10}));
  g.Op("v/Assign10", "Assign", {"v", "ten"}, {{"T", AType(kF)}});
  auto c = *Session::Create(g.def());
  ASSERT_TRUE(c->AdoptVariablesFrom(a.get()).ok());
  ASSERT_TRUE(b->Run({}, {}, {"v/Assign"}).ok());
  ASSERT_TRUE(c->Run({}, {}, {"v/Assign10"}).ok());
  ASSERT_TRUE(c->AdoptVariablesFrom(b.get()).ok());  // b's v replaces a's; a's r stays
  auto out = c->Run({}, {"v:0", "r/Read:0"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<float>((*out)[0]), std::vector<float>{1});
  EXPECT_EQ(Values<float>((*out)[1]), std::vector<float>{2});
}

TEST(Session, GraphErrorsSurfaceFromCreate) {
  GraphBuilder b;
  b.Op("x", "NoSuchOp");
  auto s = Session::Create(b.def());
  EXPECT_EQ(s.status().message(), "Node 'x': Op type not registered 'NoSuchOp' in tfckpt's graph engine");
}

// Issue 23: fetching an output of an op the engine lacks used to say
// "output index 0 out of range, node Squeeze has 0 outputs". Every missing
// op the run needs is named, in one message, whatever is fetched.
TEST(Session, MissingOpsAreReportedTogetherWhateverIsFetched) {
  GraphBuilder b;
  b.Const("x", F({1, 2}, {1, 2}));
  b.Op("sq", "NoSuchSqueeze", {"x"});
  b.Op("t1", "NoSuchTile", {"sq"});
  b.Op("t2", "NoSuchTile", {"sq"});
  b.Op("unused", "NoSuchUnused", {"x"});
  b.Binary("sum", "AddV2", "t1", "t2", tensorflow::DT_FLOAT);
  SessionOptions so;
  so.graph.allow_unregistered_ops = true;
  auto session = Session::Create(b.def(), so);
  ASSERT_TRUE(session.ok()) << session.status();
  EXPECT_EQ((*session)->graph().MissingOps().size(), 3u);
  // The unknown op's own output (no OpDef: 0 known outputs).
  auto direct = (*session)->Run({}, {"sq:0"});
  EXPECT_EQ(direct.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(direct.status().message(),
            "Op type not registered 'NoSuchSqueeze' in tfckpt's graph engine; this run needs 1 op "
            "tfckpt lacks: NoSuchSqueeze (node 'sq')\n\t [[{{node sq}}]]");
  // Downstream: both missing ops the fetch needs (not the unused one).
  auto sum = (*session)->Run({}, {"sum:0"});
  EXPECT_EQ(sum.status().message(),
            "Op type not registered 'NoSuchSqueeze' in tfckpt's graph engine; this run needs 2 ops "
            "tfckpt lacks: NoSuchSqueeze (node 'sq'), NoSuchTile (2 nodes: 't1', 't2')"
            "\n\t [[{{node sq}}]]");
  // As a target (an init op) too.
  auto target = (*session)->Run({}, {}, {"unused"});
  EXPECT_NE(target.status().message().find("1 op tfckpt lacks: NoSuchUnused (node 'unused')"),
            std::string::npos)
      << target.status();
  // Feeding the missing op's outputs stands in for it.
  auto fed = (*session)->Run({{"t1:0", F({1}, {1})}, {"t2:0", F({1}, {2})}}, {"sum:0"});
  ASSERT_TRUE(fed.ok()) << fed.status();
  EXPECT_EQ(Values<float>((*fed)[0]), std::vector<float>{3});
}

}  // namespace
}  // namespace tfckpt::graph
