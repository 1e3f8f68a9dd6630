// Variables: reference (VariableV2 + Assign*) and resource (VarHandleOp +
// *VariableOp), state across runs, TF's error texts.
#include "gtest/gtest.h"
#include "src/graph/test_util.h"

namespace tfckpt::graph {
namespace {

using namespace testing;  // NOLINT

constexpr DataType kF = tensorflow::DT_FLOAT;

// v: float [2] (VariableV2), v/read, v/Assign <- init_value, add/sub ops.
GraphBuilder RefGraph() {
  GraphBuilder b;
  b.Const("init_value", F({2}, {1, 2}));
  b.Const("delta", F({2}, {10, 20}));
  b.Const("wrong", F({3}, {1, 2, 3}));
  b.Op("v", "VariableV2", {}, {{"dtype", AType(kF)}, {"shape", AShape({2})}});
  b.Op("v/Assign", "Assign", {"v", "init_value"}, {{"T", AType(kF)}});
  b.Op("v/read", "Identity", {"v"}, {{"T", AType(kF)}});
  b.Op("v/AssignAdd", "AssignAdd", {"v", "delta"}, {{"T", AType(kF)}});
  b.Op("v/AssignSub", "AssignSub", {"v", "delta"}, {{"T", AType(kF)}});
  b.Op("v/AssignWrong", "Assign", {"v", "wrong"}, {{"T", AType(kF)}});
  b.Op("v/AssignAny", "Assign", {"v", "wrong"}, {{"T", AType(kF)}, {"validate_shape", ABool(false)}});
  b.Op("v/IsInitialized", "IsVariableInitialized", {"v"}, {{"dtype", AType(kF)}});
  b.Op("init", "NoOp", {"^v/Assign"});
  return b;
}

TEST(RefVariable, UninitializedReadsFailWithTensorFlowsText) {
  auto session = *Session::Create(RefGraph().def());
  auto read = session->Run({}, {"v/read:0"});
  EXPECT_EQ(read.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(read.status().message(),
            "Attempting to use uninitialized value v\n\t [[{{node v/read}}]]");
  auto fetch = session->Run({}, {"v:0"});
  EXPECT_EQ(fetch.status().message(), "Attempting to use uninitialized value v");
  auto add = session->Run({}, {}, {"v/AssignAdd"});
  EXPECT_EQ(add.status().message(),
            "Attempting to use uninitialized parameters: v\n\t [[{{node v/AssignAdd}}]]");
  auto init = session->Run({}, {"v/IsInitialized:0"});
  EXPECT_EQ(BoolValues((*init)[0]), std::vector<bool>{false});
}

TEST(RefVariable, StatePersistsAcrossRuns) {
  auto session = *Session::Create(RefGraph().def());
  ASSERT_TRUE(session->Run({}, {}, {"init"}).ok());
  EXPECT_EQ(BoolValues((*session->Run({}, {"v/IsInitialized:0"}))[0]), std::vector<bool>{true});
  EXPECT_EQ(Values<float>((*session->Run({}, {"v/read:0"}))[0]), (std::vector<float>{1, 2}));
  // Assign's output is the reference: fetching it reads the new value.
  EXPECT_EQ(Values<float>((*session->Run({}, {"v/AssignAdd:0"}))[0]), (std::vector<float>{11, 22}));
  ASSERT_TRUE(session->Run({}, {}, {"v/AssignAdd"}).ok());
  ASSERT_TRUE(session->Run({}, {}, {"v/AssignSub"}).ok());
  EXPECT_EQ(Values<float>((*session->Run({}, {"v:0"}))[0]), (std::vector<float>{11, 22}));
  // Another session over the same graph has its own variables.
  auto other = *Session::Create(RefGraph().def());
  EXPECT_FALSE(other->Run({}, {"v:0"}).ok());
  const auto& vars = session->state().ref_variables();
  ASSERT_EQ(vars.count("localhost/v"), 1u);
  EXPECT_TRUE(vars.at("localhost/v")->initialized);
}

TEST(RefVariable, AssignValidatesShapesAgainstTheDeclaredShape) {
  auto session = *Session::Create(RefGraph().def());
  // Before initialisation the variable has its declared shape [2].
  auto s = session->Run({}, {}, {"v/AssignWrong"});
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.status().message(),
            "Assign requires shapes of both tensors to match. lhs shape= [2] rhs shape= [3]\n\t "
            "[[{{node v/AssignWrong}}]]");
  ASSERT_TRUE(session->Run({}, {}, {"v/AssignAny"}).ok());
  EXPECT_EQ(Values<float>((*session->Run({}, {"v:0"}))[0]), (std::vector<float>{1, 2, 3}));
  EXPECT_EQ(Message(session->Run({}, {}, {"v/AssignAdd"}).status()),
            "Parameters and update must be the same size");
  // Now initialized with shape [3]: Assign of a [2] value is refused.
  EXPECT_EQ(Message(session->Run({}, {}, {"init"}).status()),
            "Assign requires shapes of both tensors to match. lhs shape= [3] rhs shape= [2]");
}

TEST(RefVariable, SharedNamesShareState) {
  GraphBuilder b;
  b.Const("c", F({}, {5}));
  b.Op("a", "VariableV2", {}, {{"dtype", AType(kF)}, {"shape", AShape({})}, {"shared_name", AStr("w")}});
  b.Op("b", "Variable", {}, {{"dtype", AType(kF)}, {"shape", AShape({})}, {"shared_name", AStr("w")}});
  b.Op("set", "Assign", {"a", "c"}, {{"T", AType(kF)}});
  auto session = *Session::Create(b.def());
  ASSERT_TRUE(session->Run({}, {}, {"set"}).ok());
  EXPECT_EQ(Values<float>((*session->Run({}, {"b:0"}))[0]), std::vector<float>{5});
  EXPECT_EQ(session->state().ref_variables().count("localhost/w"), 1u);
}

// A resource variable r: float [2].
GraphBuilder ResourceGraph() {
  GraphBuilder b;
  b.Const("init_value", F({2}, {1, 2}));
  b.Const("delta", F({2}, {10, 20}));
  b.Const("wrong", F({3}, {1, 2, 3}));
  b.Op("r", "VarHandleOp", {},
       {{"dtype", AType(kF)}, {"shape", AShape({2})}, {"shared_name", AStr("r")}});
  b.Op("other", "VarHandleOp", {},
       {{"dtype", AType(kF)}, {"shape", AShape({})}, {"shared_name", AStr("other")}});
  b.Op("r/Assign", "AssignVariableOp", {"r", "init_value"}, {{"dtype", AType(kF)}});
  b.Op("other/Assign", "AssignVariableOp", {"other", "delta"}, {{"dtype", AType(kF)}});
  b.Op("r/Read", "ReadVariableOp", {"r"}, {{"dtype", AType(kF)}});
  b.Op("r/ReadInt", "ReadVariableOp", {"r"}, {{"dtype", AType(tensorflow::DT_INT32)}});
  b.Op("r/Add", "AssignAddVariableOp", {"r", "delta"}, {{"dtype", AType(kF)}});
  b.Op("r/Sub", "AssignSubVariableOp", {"r", "delta"}, {{"dtype", AType(kF)}});
  b.Op("r/AssignWrong", "AssignVariableOp", {"r", "wrong"},
       {{"dtype", AType(kF)}, {"validate_shape", ABool(true)}});
  b.Op("r/IsInitialized", "VarIsInitializedOp", {"r"});
  b.Op("r/DisableCopyOnRead", "DisableCopyOnRead", {"r"});
  return b;
}

TEST(ResourceVariable, ReadBeforeAssignFailsWithTensorFlowsText) {
  auto session = *Session::Create(ResourceGraph().def());
  auto read = session->Run({}, {"r/Read:0"});
  EXPECT_EQ(read.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(read.status().message(),
            "Could not find variable r. This could mean that the variable has been deleted. In "
            "TF1, it can also mean the variable is uninitialized. Debug info: "
            "container=localhost, status error message=Container localhost does not exist. "
            "(Could not find resource: localhost/r)\n\t [[{{node r/Read}}]]");
  ASSERT_TRUE(session->Run({}, {}, {"other/Assign"}).ok());
  EXPECT_EQ(Message(session->Run({}, {"r/Read:0"}).status()),
            "Could not find variable r. This could mean that the variable has been deleted. In "
            "TF1, it can also mean the variable is uninitialized. Debug info: "
            "container=localhost, status error message=Resource "
            "localhost/r/N10tensorflow3VarE does not exist.");
  EXPECT_EQ(Message(session->Run({}, {}, {"r/Add"}).status()),
            "Resource localhost/r/N10tensorflow3VarE does not exist.");
  EXPECT_EQ(BoolValues((*session->Run({}, {"r/IsInitialized:0"}))[0]), std::vector<bool>{false});
  EXPECT_EQ(session->Run({}, {}, {"r/DisableCopyOnRead"}).status().code(), StatusCode::kNotFound);
}

TEST(ResourceVariable, AssignReadUpdate) {
  auto session = *Session::Create(ResourceGraph().def());
  ASSERT_TRUE(session->Run({}, {}, {"r/Assign"}).ok());
  EXPECT_EQ(BoolValues((*session->Run({}, {"r/IsInitialized:0"}))[0]), std::vector<bool>{true});
  EXPECT_EQ(Values<float>((*session->Run({}, {"r/Read:0"}))[0]), (std::vector<float>{1, 2}));
  ASSERT_TRUE(session->Run({}, {}, {"r/Add"}).ok());
  ASSERT_TRUE(session->Run({}, {}, {"r/Add"}).ok());
  ASSERT_TRUE(session->Run({}, {}, {"r/Sub"}).ok());
  EXPECT_EQ(Values<float>((*session->Run({}, {"r/Read:0"}))[0]), (std::vector<float>{11, 22}));
  EXPECT_TRUE(session->Run({}, {}, {"r/DisableCopyOnRead"}).ok());
  EXPECT_EQ(Message(session->Run({}, {"r/ReadInt:0"}).status()),
            "Trying to read variable with wrong dtype. Expected int32 got float");
  EXPECT_EQ(Message(session->Run({}, {}, {"r/AssignWrong"}).status()),
            "Trying to assign to variable with tensor with wrong shape. Expected [2] got [3]");
  // Fetching the handle itself is not supported.
  EXPECT_EQ(session->Run({}, {"r:0"}).status().code(), StatusCode::kUnimplemented);
  EXPECT_EQ(session->state().resource_variables().count("localhost/r"), 1u);
}

TEST(ResourceVariable, UpdateShapeMismatch) {
  GraphBuilder b = ResourceGraph();
  b.Op("r/AddWrong", "AssignAddVariableOp", {"r", "wrong"}, {{"dtype", AType(kF)}});
  auto session = *Session::Create(b.def());
  ASSERT_TRUE(session->Run({}, {}, {"r/Assign"}).ok());
  EXPECT_EQ(Message(session->Run({}, {}, {"r/AddWrong"}).status()),
            "Cannot update variable with shape [2] using a Tensor with shape [3], shapes must be "
            "equal.");
}

}  // namespace
}  // namespace tfckpt::graph
