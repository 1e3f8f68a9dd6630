// ConvertVariablesToConstantsV2 through functional control flow
// (ConstantPropagation, propagate.h): a resource variable passed into a
// While loop whose body reads it through a nested PartitionedCall, into a
// StatelessIf and into a Case. The expectations are TF 2.21's
// convert_to_constants rules (_While, _If, _Case, _PartitionedCall,
// _Function, _ReadVariable); the loop's values come from the engine running
// the graph with the variable (a session), not from this file.
#include <google/protobuf/text_format.h>

#include "gtest/gtest.h"
#include "src/freeze/freeze_v2.h"
#include "src/graph/serving_ops.h"
#include "src/graph/test_util.h"

namespace tfckpt::freeze {
namespace {

using namespace graph::testing;  // NOLINT
constexpr graph::DataType kF = tensorflow::DT_FLOAT;
constexpr graph::DataType kI32 = tensorflow::DT_INT32;
constexpr graph::DataType kR = tensorflow::DT_RESOURCE;

// cond(i, acc, h): i < 3. body(i, acc, h): (i + 1, step(h, acc), h) with
// step(h, a) = a + read(h). then(h) = -read(h); other(h) = read(h), returned
// straight from the ReadVariableOp. `unused` is called by nothing.
constexpr char kLibrary[] = R"pb(
  function {
    signature {
      name: "cond"
      input_arg { name: "i" type: DT_INT32 }
      input_arg { name: "acc" type: DT_FLOAT }
      input_arg { name: "h" type: DT_RESOURCE }
      output_arg { name: "r" type: DT_BOOL }
    }
    node_def {
      name: "n" op: "Const"
      attr { key: "dtype" value { type: DT_INT32 } }
      attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape {} int_val: 3 } } }
    }
    node_def { name: "less" op: "Less" input: "i" input: "n:output:0"
               attr { key: "T" value { type: DT_INT32 } } }
    ret { key: "r" value: "less:z:0" }
    arg_attr { key: 2 value { attr { key: "_output_shapes" value { list { shape {} } } } } }
  }
  function {
    signature {
      name: "body"
      input_arg { name: "i" type: DT_INT32 }
      input_arg { name: "acc" type: DT_FLOAT }
      input_arg { name: "h" type: DT_RESOURCE }
      output_arg { name: "i2" type: DT_INT32 }
      output_arg { name: "acc2" type: DT_FLOAT }
      output_arg { name: "h2" type: DT_RESOURCE }
    }
    node_def {
      name: "one" op: "Const"
      attr { key: "dtype" value { type: DT_INT32 } }
      attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape {} int_val: 1 } } }
    }
    node_def { name: "add" op: "AddV2" input: "i" input: "one:output:0"
               attr { key: "T" value { type: DT_INT32 } } }
    node_def {
      name: "call" op: "PartitionedCall" input: "h" input: "acc"
      attr { key: "Tin" value { list { type: DT_RESOURCE type: DT_FLOAT } } }
      attr { key: "Tout" value { list { type: DT_FLOAT } } }
      attr { key: "f" value { func { name: "step" } } }
    }
    node_def { name: "hid" op: "Identity" input: "h"
               attr { key: "T" value { type: DT_RESOURCE } }
               attr { key: "_output_shapes" value { list { shape {} } } } }
    ret { key: "i2" value: "add:z:0" }
    ret { key: "acc2" value: "call:output:0" }
    ret { key: "h2" value: "hid:output:0" }
  }
  function {
    signature {
      name: "step"
      input_arg { name: "h" type: DT_RESOURCE }
      input_arg { name: "a" type: DT_FLOAT }
      output_arg { name: "r" type: DT_FLOAT }
    }
    node_def { name: "read" op: "ReadVariableOp" input: "h"
               attr { key: "dtype" value { type: DT_FLOAT } } }
    node_def { name: "sum" op: "AddV2" input: "a" input: "read:value:0"
               attr { key: "T" value { type: DT_FLOAT } } }
    ret { key: "r" value: "sum:z:0" }
    attr { key: "_input_shapes" value { list { shape {} shape { dim { size: 2 } } } } }
  }
  function {
    signature {
      name: "then"
      input_arg { name: "h" type: DT_RESOURCE }
      output_arg { name: "r" type: DT_FLOAT }
    }
    node_def { name: "read" op: "ReadVariableOp" input: "h"
               attr { key: "dtype" value { type: DT_FLOAT } } }
    node_def { name: "neg" op: "Neg" input: "read:value:0"
               attr { key: "T" value { type: DT_FLOAT } } }
    ret { key: "r" value: "neg:y:0" }
  }
  function {
    signature {
      name: "other"
      input_arg { name: "h" type: DT_RESOURCE }
      output_arg { name: "r" type: DT_FLOAT }
    }
    node_def { name: "read" op: "ReadVariableOp" input: "h"
               attr { key: "dtype" value { type: DT_FLOAT } } }
    ret { key: "r" value: "read:value:0" }
  }
  function {
    signature { name: "unused" output_arg { name: "r" type: DT_FLOAT } }
    node_def {
      name: "c" op: "Const"
      attr { key: "dtype" value { type: DT_FLOAT } }
      attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape {} float_val: 1 } } }
    }
    ret { key: "r" value: "c:output:0" }
  }
)pb";

tensorflow::AttrValue AShapes(const std::vector<std::vector<int64_t>>& shapes) {
  tensorflow::AttrValue v;
  for (const auto& dims : shapes) *v.mutable_list()->add_shape() = AShape(dims).shape();
  return v;
}

tensorflow::GraphDef Model() {
  GraphBuilder b;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(kLibrary, b.def().mutable_library()));
  b.Op("v", "VarHandleOp", {},
       {{"dtype", AType(kF)}, {"shape", AShape({2})}, {"shared_name", AStr("v")}});
  b.Const("init", F({2}, {1.5f, -2.0f}));
  b.Op("assign", "AssignVariableOp", {"v", "init"}, {{"dtype", AType(kF)}});
  b.Const("i0", I32({}, {0}));
  b.Const("acc0", F({2}, {0.25f, 0.5f}));
  b.Op("loop", "While", {"i0", "acc0", "v"},
       {{"T", ATypes({kI32, kF, kR})}, {"cond", AFunc("cond")}, {"body", AFunc("body")},
        {"output_shapes", AShapes({{}, {2}, {}})},
        {"_output_shapes", AShapes({{}, {2}, {}})}});
  b.Op("out", "Identity", {"loop:1"}, {{"T", AType(kF)}});
  b.Const("pred", B({}, {true}));
  b.Op("branch", "StatelessIf", {"pred", "v"},
       {{"Tcond", AType(tensorflow::DT_BOOL)}, {"Tin", ATypes({kR})}, {"Tout", ATypes({kF})},
        {"then_branch", AFunc("then")}, {"else_branch", AFunc("other")}});
  b.Const("pick", I32({}, {1}));
  tensorflow::AttrValue branches;
  branches.mutable_list()->add_func()->set_name("then");
  branches.mutable_list()->add_func()->set_name("other");
  b.Op("case", "Case", {"pick", "v"},
       {{"Tin", ATypes({kR})}, {"Tout", ATypes({kF})}, {"branches", branches}});
  return b.def();
}

const tensorflow::FunctionDef& Function(const tensorflow::GraphDef& g, const std::string& name) {
  for (const auto& f : g.library().function()) {
    if (f.signature().name() == name) return f;
  }
  ADD_FAILURE() << "no function " << name;
  static const tensorflow::FunctionDef kNone;
  return kNone;
}

const tensorflow::NodeDef& Node(const google::protobuf::RepeatedPtrField<tensorflow::NodeDef>& nodes,
                                const std::string& name) {
  for (const auto& n : nodes) {
    if (n.name() == name) return n;
  }
  ADD_FAILURE() << "no node " << name;
  static const tensorflow::NodeDef kNone;
  return kNone;
}

StatusOr<tensor::Tensor> Value(const tensorflow::NodeDef& node) {
  if (node.name() != "v") return NotFoundError(node.name());
  return F({2}, {1.5f, -2.0f});
}

// Runs `fetches` of `g` in a session over a serving registry of its library,
// after the `init` targets (the variable's assignment) if any.
StatusOr<std::vector<tensor::Tensor>> RunModel(const tensorflow::GraphDef& g,
                                               const std::vector<std::string>& fetches,
                                               const std::vector<std::string>& init = {}) {
  auto registry = graph::NewServingOpRegistry(g.library());
  graph::SessionOptions so;
  so.graph.registry = registry.get();
  TFCKPT_ASSIGN_OR_RETURN(auto session, graph::Session::Create(g, so));
  if (!init.empty()) TFCKPT_RETURN_IF_ERROR(session->Run({}, {}, init).status());
  return session->Run({}, fetches);
}

// The While loop: the frozen graph runs to what the graph with the variable
// gives, and its functions take the constant (TF's _While, _Function,
// _PartitionedCall, _ReadVariable).
TEST(FreezeV2, WhileLoopCarriesTheConstantIntoNestedCalls) {
  const tensorflow::GraphDef model = Model();
  auto want = RunModel(model, {"out"}, {"assign"});
  ASSERT_TRUE(want.ok()) << want.status();

  auto frozen = ConvertVariablesToConstantsV2(model, {"out"}, Value);
  ASSERT_TRUE(frozen.ok()) << frozen.status();
  const tensorflow::GraphDef& g = *frozen;
  EXPECT_EQ(Node(g.node(), "v").op(), "Const");
  const tensorflow::NodeDef& loop = Node(g.node(), "loop");
  EXPECT_EQ(loop.attr().at("T").list().type(2), kF);
  EXPECT_EQ(loop.attr().at("output_shapes").list().shape(2).DebugString(),
            AShape({2}).shape().DebugString());
  EXPECT_EQ(loop.attr().at("_output_shapes").list().shape(2).DebugString(),
            AShape({2}).shape().DebugString());
  const auto& cond = Function(g, "cond");
  EXPECT_EQ(cond.signature().input_arg(2).type(), kF);
  EXPECT_TRUE(cond.arg_attr().at(2).attr().at("_output_shapes").list().shape(0).unknown_rank());
  const auto& body = Function(g, "body");
  EXPECT_EQ(body.signature().input_arg(2).type(), kF);
  EXPECT_EQ(body.signature().output_arg(2).type(), kF);  // the loop carries the constant
  EXPECT_EQ(Node(body.node_def(), "hid").attr().at("T").type(), kF);
  EXPECT_EQ(Node(body.node_def(), "hid").attr().count("_output_shapes"), 0u);
  EXPECT_EQ(Node(body.node_def(), "call").attr().at("Tin").list().type(0), kF);
  const auto& step = Function(g, "step");
  EXPECT_EQ(step.signature().input_arg(0).type(), kF);
  EXPECT_EQ(step.signature().input_arg(1).type(), kF);
  EXPECT_TRUE(step.attr().at("_input_shapes").list().shape(0).unknown_rank());
  EXPECT_EQ(step.attr().at("_input_shapes").list().shape(1).dim_size(), 1);  // not converted
  const tensorflow::NodeDef& read = Node(step.node_def(), "read");
  EXPECT_EQ(read.op(), "Identity");
  EXPECT_EQ(read.attr().at("T").type(), kF);
  EXPECT_EQ(Node(step.node_def(), "sum").input(1), "read:output:0");
  // Only what the loop calls is left: no If / Case branches, no `unused`.
  EXPECT_EQ(g.library().function_size(), 3);

  auto got = RunModel(g, {"out"});
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE((*got)[0].BitwiseEquals((*want)[0])) << (*got)[0].DebugString();
  EXPECT_EQ(Values<float>((*want)[0]), (std::vector<float>{4.75f, -5.5f}));  // acc0 + 3 v
}

// If and Case: inputs from 1 on go to the branches (TF's _If, _Case); a
// ReadVariableOp returned straight from a branch is read as "output" now.
// The frozen graph's conditionals give what the graph with the variable
// gives (StatelessIf takes `then`: -v; Case index 1 takes `other`: v).
TEST(FreezeV2, IfAndCaseBranchesTakeTheConstant) {
  const tensorflow::GraphDef model = Model();
  auto frozen = ConvertVariablesToConstantsV2(model, {"branch", "case"}, Value);
  ASSERT_TRUE(frozen.ok()) << frozen.status();
  const tensorflow::GraphDef& g = *frozen;
  const tensorflow::NodeDef& branch = Node(g.node(), "branch");
  EXPECT_EQ(branch.attr().at("Tin").list().type(0), kF);
  EXPECT_EQ(branch.attr().at("Tcond").type(), tensorflow::DT_BOOL);
  EXPECT_EQ(Node(g.node(), "case").attr().at("Tin").list().type(0), kF);
  for (const char* name : {"then", "other"}) {
    const auto& f = Function(g, name);
    EXPECT_EQ(f.signature().input_arg(0).type(), kF) << name;
    EXPECT_EQ(Node(f.node_def(), "read").op(), "Identity") << name;
  }
  EXPECT_EQ(Node(Function(g, "then").node_def(), "neg").input(0), "read:output:0");
  EXPECT_EQ(Function(g, "other").ret().at("r"), "read:output:0");
  EXPECT_EQ(g.library().function_size(), 2);

  auto want = RunModel(model, {"branch", "case"}, {"assign"});
  ASSERT_TRUE(want.ok()) << want.status();
  auto got = RunModel(g, {"branch", "case"});
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(Values<float>((*want)[0]), (std::vector<float>{-1.5f, 2.0f}));
  EXPECT_EQ(Values<float>((*want)[1]), (std::vector<float>{1.5f, -2.0f}));
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE((*got)[i].BitwiseEquals((*want)[i])) << (*got)[i].DebugString();
  }
}

// ResourceGather of a variable becomes GatherV2 of the constant along a new
// axis Const (TF's _ResourceGather); the frozen graph gathers what the
// graph with the variable does.
TEST(FreezeV2, ResourceGatherBecomesGatherV2) {
  GraphBuilder b;
  b.Op("table", "VarHandleOp", {},
       {{"dtype", AType(kF)}, {"shape", AShape({3, 2})}, {"shared_name", AStr("table")}});
  b.Const("init", F({3, 2}, {1, 2, 3, 4, 5, 6}));
  b.Op("assign", "AssignVariableOp", {"table", "init"}, {{"dtype", AType(kF)}});
  b.Const("ids", I32({2}, {2, 0}));
  b.Op("gather", "ResourceGather", {"table", "ids"},
       {{"dtype", AType(kF)}, {"Tindices", AType(kI32)}, {"batch_dims", AInt(0)}});
  graph::SessionOptions so;
  so.graph.registry = &graph::ServingOpRegistry();  // ResourceGather, GatherV2
  auto session = graph::Session::Create(b.def(), so);
  ASSERT_TRUE(session.ok()) << session.status();
  ASSERT_TRUE((*session)->Run({}, {}, {"assign"}).ok());
  auto want = (*session)->Run({}, {"gather"});
  ASSERT_TRUE(want.ok()) << want.status();

  auto frozen = ConvertVariablesToConstantsV2(
      b.def(), {"gather"},
      [](const tensorflow::NodeDef&) -> StatusOr<tensor::Tensor> {
        return F({3, 2}, {1, 2, 3, 4, 5, 6});
      });
  ASSERT_TRUE(frozen.ok()) << frozen.status();
  const tensorflow::NodeDef& gather = Node(frozen->node(), "gather");
  EXPECT_EQ(gather.op(), "GatherV2");
  ASSERT_EQ(gather.input_size(), 3);
  EXPECT_EQ(gather.input(2), "gather/axis");
  EXPECT_EQ(gather.attr().at("Tparams").type(), kF);
  EXPECT_EQ(gather.attr().at("Taxis").type(), kI32);
  EXPECT_EQ(Node(frozen->node(), "gather/axis").op(), "Const");
  auto frozen_session = graph::Session::Create(*frozen, so);
  ASSERT_TRUE(frozen_session.ok()) << frozen_session.status();
  auto got = (*frozen_session)->Run({}, {"gather"});
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE((*got)[0].BitwiseEquals((*want)[0])) << (*got)[0].DebugString();
}

// A function a loop body calls by its name as op (TF's direct call) stays in
// the library, as grappler's ReachableFunctionLibraryDefinition keeps it;
// `unused` goes.
TEST(FreezeV2, LibraryKeepsFunctionsCalledByOpName) {
  GraphBuilder b;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(R"pb(
    function { signature { name: "cond" input_arg { name: "i" type: DT_INT32 }
                           output_arg { name: "r" type: DT_BOOL } }
               node_def { name: "t" op: "Const"
                          attr { key: "dtype" value { type: DT_BOOL } }
                          attr { key: "value" value { tensor { dtype: DT_BOOL bool_val: false } } } }
               ret { key: "r" value: "t:output:0" } }
    function { signature { name: "body" input_arg { name: "i" type: DT_INT32 }
                           output_arg { name: "o" type: DT_INT32 } }
               node_def { name: "call" op: "inc" input: "i" }
               ret { key: "o" value: "call:y:0" } }
    function { signature { name: "inc" input_arg { name: "x" type: DT_INT32 }
                           output_arg { name: "y" type: DT_INT32 } }
               ret { key: "y" value: "x" } }
    function { signature { name: "unused" } }
  )pb", b.def().mutable_library()));
  b.Const("i0", I32({}, {0}));
  b.Op("loop", "While", {"i0"},
       {{"T", ATypes({kI32})}, {"cond", AFunc("cond")}, {"body", AFunc("body")}});
  auto frozen = ConvertVariablesToConstantsV2(b.def(), {"loop"}, Value);
  ASSERT_TRUE(frozen.ok()) << frozen.status();
  std::vector<std::string> kept;
  for (const auto& f : frozen->library().function()) kept.push_back(f.signature().name());
  EXPECT_EQ(kept, (std::vector<std::string>{"cond", "body", "inc"}));
}

// A variable written inside a loop cannot be frozen: the error names the
// function and node.
TEST(FreezeV2, AssignInsideAFunctionIsRefused) {
  tensorflow::GraphDef model = Model();
  for (auto& f : *model.mutable_library()->mutable_function()) {
    if (f.signature().name() != "step") continue;
    auto* n = f.add_node_def();
    n->set_name("write");
    n->set_op("AssignVariableOp");
    n->add_input("h");
    n->add_input("a");
    (*n->mutable_attr())["dtype"] = AType(kF);
  }
  auto frozen = ConvertVariablesToConstantsV2(model, {"out"}, Value);
  ASSERT_FALSE(frozen.ok());
  EXPECT_EQ(frozen.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(frozen.status().message().find("step/write (AssignVariableOp)"), std::string::npos)
      << frozen.status();
}

}  // namespace
}  // namespace tfckpt::freeze
