// Graph::Build: structure of valid graphs, and the malformed-graph suite:
// every defect is a clear error naming the node and what is wrong.
#include "src/graph/graph.h"

#include <google/protobuf/text_format.h>

#include "gtest/gtest.h"
#include "src/graph/test_util.h"

namespace tfckpt::graph {
namespace {

using testing::AInt;
using testing::AStr;
using testing::AType;
using testing::F;
using testing::GraphBuilder;
using testing::Message;

tensorflow::GraphDef Parse(const std::string& text) {
  tensorflow::GraphDef g;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &g)) << text;
  return g;
}

// The error Graph::Build returns.
Status BuildError(const tensorflow::GraphDef& def, const GraphOptions& options = {}) {
  auto g = Graph::Build(def, options);
  EXPECT_FALSE(g.ok()) << "built a malformed graph";
  return g.ok() ? OkStatus() : g.status();
}

GraphBuilder TwoConsts() {
  GraphBuilder b;
  b.Const("a", F({2}, {1, 2}));
  b.Const("b", F({2}, {3, 4}));
  return b;
}

TEST(Graph, ResolvesEdgesTypesAndDefaults) {
  GraphBuilder b = TwoConsts();
  b.Binary("add", "AddV2", "a", "b:0", tensorflow::DT_FLOAT);
  b.Op("v", "VariableV2", {}, {{"dtype", AType(tensorflow::DT_FLOAT)}, {"shape", testing::AShape({2})}});
  b.Op("assign", "Assign", {"v", "add"}, {{"T", AType(tensorflow::DT_FLOAT)}});
  b.Op("init", "NoOp", {"^assign"});
  b.Op("x", "Placeholder", {}, {{"dtype", AType(tensorflow::DT_INT32)}});
  auto g = Graph::Build(b.def());
  ASSERT_TRUE(g.ok()) << g.status();
  const Node& add = *(*g)->FindNode("add");
  ASSERT_EQ(add.num_inputs(), 2);
  EXPECT_EQ(add.input(1).node, (*g)->FindNode("b")->id());
  EXPECT_EQ(add.output_type(0).DebugString(), "float");
  const Node& v = *(*g)->FindNode("v");
  EXPECT_EQ(v.output_type(0).DebugString(), "float_ref");
  // Defaults are filled in.
  EXPECT_EQ(v.FindAttr("container")->s(), "");
  EXPECT_TRUE((*g)->FindNode("assign")->FindAttr("validate_shape")->b());
  EXPECT_TRUE((*g)->FindNode("x")->FindAttr("shape")->shape().unknown_rank());
  EXPECT_EQ((*g)->FindNode("init")->control_inputs(),
            std::vector<int>{(*g)->FindNode("assign")->id()});
  // Typed accessors.
  EXPECT_EQ(*(*g)->FindNode("x")->AttrType("dtype"), tensorflow::DT_INT32);
  EXPECT_FALSE((*g)->FindNode("x")->AttrInt("dtype").ok());
  EXPECT_FALSE((*g)->FindNode("x")->AttrBool("nope").ok());
}

TEST(Graph, TopologicalOrderRespectsDataAndControlEdgesThenGraphDefOrder) {
  GraphBuilder b;
  b.Op("last", "NoOp", {"^mid"});
  b.Op("mid", "Identity", {"first"}, {{"T", AType(tensorflow::DT_FLOAT)}});
  b.Const("first", F({}, {1}));
  b.Const("other", F({}, {2}));
  auto g = Graph::Build(b.def());
  ASSERT_TRUE(g.ok()) << g.status();
  std::vector<std::string> names;
  for (int id : (*g)->topological_order()) names.push_back((*g)->node(id).name());
  EXPECT_EQ(names, (std::vector<std::string>{"first", "mid", "last", "other"}));
}

TEST(GraphMalformed, UnknownOp) {
  GraphBuilder b;
  b.Op("x", "Conv9D");
  Status s = BuildError(b.def());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "Node 'x': Op type not registered 'Conv9D' in tfckpt's graph engine");
}

TEST(GraphMalformed, FunctionCallsAreNamedAsSuch) {
  tensorflow::GraphDef def = Parse(R"pb(
    node { name: "call" op: "my_fn" }
    library { function { signature { name: "my_fn" } } })pb");
  Status s = BuildError(def);
  EXPECT_EQ(s.code(), StatusCode::kUnimplemented);
  EXPECT_EQ(s.message(), "Node 'call': calls function 'my_fn' of the graph's library; tfckpt's "
                         "graph engine does not execute functions");
}

TEST(GraphMalformed, MissingInputNode) {
  GraphBuilder b = TwoConsts();
  b.Binary("add", "AddV2", "a", "v3", tensorflow::DT_FLOAT);
  EXPECT_EQ(BuildError(b.def()).message(), "Node 'add': Unknown input node 'v3'");
  GraphBuilder c = TwoConsts();
  c.Op("n", "NoOp", {"^zz"});
  EXPECT_EQ(BuildError(c.def()).message(), "Node 'n': Unknown input node '^zz'");
}

TEST(GraphMalformed, BadOutputIndex) {
  GraphBuilder b = TwoConsts();
  b.Binary("add", "AddV2", "a", "b:3", tensorflow::DT_FLOAT);
  EXPECT_EQ(BuildError(b.def()).message(),
            "Node 'add': Connecting to invalid output 3 of source node b which has 1 outputs.");
}

TEST(GraphMalformed, MalformedInputStrings) {
  for (const char* in : {"a:x", "a:", ":0", "^", "a:-1", "a:1234567890"}) {
    SCOPED_TRACE(in);
    GraphBuilder b = TwoConsts();
    b.Op("id", "Identity", {in}, {{"T", AType(tensorflow::DT_FLOAT)}});
    Status s = BuildError(b.def());
    EXPECT_EQ(s.message().rfind("Node 'id': ", 0), 0u) << s;
    EXPECT_NE(s.message().find("is not a valid tensor name"), std::string::npos) << s;
  }
}

TEST(GraphMalformed, DuplicateNodeName) {
  GraphBuilder b = TwoConsts();
  b.Const("a", F({}, {0}));
  EXPECT_EQ(BuildError(b.def()).message(), "Node 'a' is not unique");
}

TEST(GraphMalformed, InvalidNodeNames) {
  for (const char* name : {"a b", "-x", "a:b", "x>", "ab^"}) {
    SCOPED_TRACE(name);
    GraphBuilder b;
    b.Op(name, "NoOp");
    EXPECT_EQ(BuildError(b.def()).message(),
              StrCat("Node '", name, "': Node name contains invalid characters"));
  }
  GraphBuilder ok;
  ok.Op("scope/x_1.2-a>b", "NoOp");
  ok.Op("_internal", "NoOp");
  EXPECT_TRUE(Graph::Build(ok.def()).ok());
  GraphBuilder empty;
  empty.Op("", "NoOp");
  EXPECT_EQ(BuildError(empty.def()).message(), "Node 0 of the GraphDef has no name");
  GraphBuilder no_op;
  no_op.Op("n", "");
  EXPECT_EQ(BuildError(no_op.def()).message(), "Node 'n': NodeDef has no op");
}

TEST(GraphMalformed, CycleIsReportedWithItsPath) {
  GraphBuilder b;
  b.Const("c", F({}, {1}));
  b.Binary("a", "AddV2", "c", "b", tensorflow::DT_FLOAT);
  b.Op("b", "Identity", {"a"}, {{"T", AType(tensorflow::DT_FLOAT)}});
  b.Op("after", "Identity", {"b"}, {{"T", AType(tensorflow::DT_FLOAT)}});
  Status s = BuildError(b.def());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "3 nodes in a cycle: a -> b -> a");
  GraphBuilder self;
  self.Op("n", "NoOp", {"^n"});
  EXPECT_EQ(BuildError(self.def()).message(), "1 nodes in a cycle: n -> n");
  GraphBuilder control;
  control.Op("x", "NoOp", {"^y"});
  control.Op("y", "NoOp", {"^x"});
  EXPECT_EQ(BuildError(control.def()).message(), "2 nodes in a cycle: x -> y -> x");
}

// TF1 while loop: Enter -> Merge <- NextIteration, a cycle TF's importer
// accepts (a Merge fed by a NextIteration is ready on any one data input);
// no other cycle is.
TEST(Graph, WhileLoopBackEdgeIsTheOnlyCycleAccepted) {
  GraphBuilder b;
  b.Const("x", F({}, {1}));
  const testing::Attrs t = {{"T", AType(tensorflow::DT_FLOAT)}};
  b.Op("enter", "Enter", {"x"}, {{"T", AType(tensorflow::DT_FLOAT)}, {"frame_name", AStr("f")}});
  b.Op("merge", "Merge", {"enter", "next"},
       {{"T", AType(tensorflow::DT_FLOAT)}, {"N", AInt(2)}});
  b.Op("add", "Identity", {"merge"}, t);
  b.Op("next", "NextIteration", {"add"}, t);
  GraphOptions options;
  auto g = Graph::Build(b.def(), options);
  ASSERT_TRUE(g.ok()) << g.status();
  std::vector<std::string> names;
  for (int id : (*g)->topological_order()) names.push_back((*g)->node(id).name());
  EXPECT_EQ(names, (std::vector<std::string>{"x", "enter", "merge", "add", "next"}));
  // A cycle through an Identity instead of NextIteration stays an error.
  b.def().mutable_node(4)->set_op("Identity");
  (*b.def().mutable_node(4)->mutable_attr())["T"] = AType(tensorflow::DT_FLOAT);
  EXPECT_EQ(BuildError(b.def(), options).message(),
            "3 nodes in a cycle: merge -> add -> next -> merge");
}

TEST(GraphMalformed, LongChainsAndCyclesNeedNoRecursion) {
  // 200k nodes: a recursive DFS would overflow the stack.
  constexpr int kN = 200000;
  GraphBuilder b;
  b.Op("n0", "NoOp", {StrCat("^n", kN - 1)});
  for (int i = 1; i < kN; ++i) b.Op(StrCat("n", i), "NoOp", {StrCat("^n", i - 1)});
  Status s = BuildError(b.def());
  EXPECT_EQ(s.message(), StrCat(kN, " nodes in a cycle: n0 -> n1 -> n2 -> n3 -> n4 -> n5 -> n6 -> "
                                   "n7 -> n8 -> n9 -> ... (200000 nodes) -> n199990 -> n199991 -> "
                                   "n199992 -> n199993 -> n199994 -> n199995 -> n199996 -> "
                                   "n199997 -> n199998 -> n199999 -> n0"));
  b.def().mutable_node(0)->clear_input();
  auto g = Graph::Build(b.def());
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ((*g)->topological_order().size(), static_cast<size_t>(kN));
}

TEST(GraphMalformed, MissingAttr) {
  GraphBuilder b;
  b.Op("c", "Const", {}, {{"dtype", AType(tensorflow::DT_FLOAT)}});
  EXPECT_EQ(BuildError(b.def()).message(), "Node 'c': NodeDef missing attr 'value' from op Const");
}

TEST(GraphMalformed, AttrOfTheWrongType) {
  GraphBuilder b = TwoConsts();
  b.Op("add", "AddV2", {"a", "b"}, {{"T", AInt(1)}});
  EXPECT_EQ(BuildError(b.def()).message(),
            "Node 'add': AttrValue had value with type 'int' when 'type' expected (attr 'T' of op "
            "AddV2)");
  GraphBuilder c = TwoConsts();
  c.Op("add", "AddV2", {"a", "b"}, {{"T", tensorflow::AttrValue()}});
  EXPECT_EQ(BuildError(c.def()).message(),
            "Node 'add': AttrValue missing value with expected type 'type' (attr 'T' of op AddV2)");
}

TEST(GraphMalformed, AttrNotAllowed) {
  GraphBuilder b;
  b.Const("s", testing::S({}, {"x"}));
  b.Op("r", "Relu", {"s"}, {{"T", AType(tensorflow::DT_STRING)}});
  EXPECT_EQ(BuildError(b.def()).message(),
            "Node 'r': Value for attr 'T' of string is not in the list of allowed values: float, "
            "double, int32, uint8, int16, int8, int64, bfloat16, uint16, half, uint32, uint64, "
            "qint8 (attr 'T' of op Relu)");
  GraphBuilder c = TwoConsts();
  c.Op("bias", "BiasAdd", {"a", "b"},
       {{"T", AType(tensorflow::DT_FLOAT)}, {"data_format", AStr("NCDHW")}});
  EXPECT_EQ(BuildError(c.def()).message(),
            "Node 'bias': Value for attr 'data_format' of \"NCDHW\" is not in the list of allowed "
            "values: \"NHWC\", \"NCHW\" (attr 'data_format' of op BiasAdd)");
}

TEST(GraphMalformed, InvalidTypeValues) {
  for (int dt : {0, 101, 77}) {
    SCOPED_TRACE(dt);
    GraphBuilder b;
    b.Op("p", "Placeholder", {}, {{"dtype", AType(static_cast<DataType>(dt))}});
    Status s = BuildError(b.def());
    EXPECT_NE(s.message().find("is not a valid DataType"), std::string::npos) << s;
  }
}

TEST(GraphMalformed, AttrBelowMinimum) {
  GraphBuilder b;
  b.Op("p", "Pack", {}, {{"T", AType(tensorflow::DT_FLOAT)}, {"N", AInt(0)}});
  EXPECT_EQ(BuildError(b.def()).message(),
            "Node 'p': Value for attr 'N' of 0 must be at least minimum 1 (attr 'N' of op Pack)");
  GraphBuilder c;
  c.Op("r", "RestoreV2", {}, {{"dtypes", testing::ATypes({})}});
  EXPECT_EQ(BuildError(c.def()).message(),
            "Node 'r': Length for attr 'dtypes' of 0 must be at least minimum 1 (attr 'dtypes' of "
            "op RestoreV2)");
}

TEST(GraphMalformed, UnknownAttr) {
  GraphBuilder b = TwoConsts();
  b.Op("id", "Identity", {"a"}, {{"T", AType(tensorflow::DT_FLOAT)}, {"foo", AInt(1)}});
  EXPECT_EQ(BuildError(b.def()).message(), "Node 'id': NodeDef mentions attr 'foo' not in op Identity");
  // '_' attrs (_class, _output_shapes...) are TF's and allowed.
  GraphBuilder ok = TwoConsts();
  ok.Op("id", "Identity", {"a"}, {{"T", AType(tensorflow::DT_FLOAT)}, {"_class", AStr("loc:@a")}});
  EXPECT_TRUE(Graph::Build(ok.def()).ok());
}

TEST(GraphMalformed, WrongNumberOfInputs) {
  GraphBuilder b = TwoConsts();
  b.Op("add", "AddV2", {"a"}, {{"T", AType(tensorflow::DT_FLOAT)}});
  EXPECT_EQ(BuildError(b.def()).message(),
            "Node 'add': NodeDef expected inputs 'float, float' do not match 1 inputs specified "
            "(op AddV2)");
  GraphBuilder c = TwoConsts();
  c.Op("n", "NoOp", {"a"});
  EXPECT_EQ(BuildError(c.def()).message(),
            "Node 'n': NodeDef expected inputs '' do not match 1 inputs specified (op NoOp)");
}

TEST(GraphMalformed, ControlInputBeforeData) {
  GraphBuilder b = TwoConsts();
  b.Op("id", "Identity", {"^b", "a"}, {{"T", AType(tensorflow::DT_FLOAT)}});
  EXPECT_EQ(BuildError(b.def()).message(), "Node 'id': Non-control input 'a' after control input");
}

TEST(GraphMalformed, IncompatibleEdgeTypes) {
  GraphBuilder b = TwoConsts();
  b.Const("i", testing::I32({2}, {1, 2}));
  b.Binary("add", "AddV2", "a", "i", tensorflow::DT_FLOAT);
  EXPECT_EQ(BuildError(b.def()).message(),
            "Input 1 of node add was passed int32 from i:0 incompatible with expected float.");
  // A reference input must be fed by a reference output.
  GraphBuilder c = TwoConsts();
  c.Op("asg", "Assign", {"a", "b"}, {{"T", AType(tensorflow::DT_FLOAT)}});
  EXPECT_EQ(BuildError(c.def()).message(),
            "Input 0 of node asg was passed float from a:0 incompatible with expected float_ref.");
}

TEST(GraphMalformed, UnregisteredOpsCanBeKeptForLoaders) {
  tensorflow::GraphDef def = Parse(R"pb(
    node { name: "ex" op: "ParseExample" }
    node { name: "x" op: "Identity" input: "ex:2" attr { key: "T" value { type: DT_FLOAT } } }
    node { name: "c" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
           attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape {} float_val: 2 } } } })pb");
  EXPECT_EQ(BuildError(def).code(), StatusCode::kNotFound);
  GraphOptions options;
  options.allow_unregistered_ops = true;
  auto g = Graph::Build(def, options);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ((*g)->FindNode("ex")->num_outputs(), 3);
  SessionOptions so;
  so.graph = options;
  auto session = Session::Create(def, so);
  ASSERT_TRUE(session.ok());
  auto c = (*session)->Run({}, {"c:0"});
  ASSERT_TRUE(c.ok()) << c.status();
  auto x = (*session)->Run({}, {"x:0"});
  EXPECT_EQ(x.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(x.status().message(),
            "Op type not registered 'ParseExample' in tfckpt's graph engine; this run needs 1 op "
            "tfckpt lacks: ParseExample (node 'ex')\n\t [[{{node ex}}]]");
  // Feeding past the unknown op is fine; a value of the wrong type is caught
  // before the consumer's kernel sees it.
  auto fed = (*session)->Run({{"ex:2", F({}, {5})}}, {"x:0"});
  ASSERT_TRUE(fed.ok()) << fed.status();
  auto wrong = (*session)->Run({{"ex:2", testing::I32({}, {5})}}, {"x:0"});
  EXPECT_EQ(wrong.status().message(),
            "Input 0 of node x was passed int32 from ex:2 incompatible with expected float.\n\t "
            "[[{{node x}}]]");
  // Same for a resource input fed through an unknown op.
  tensorflow::GraphDef res = Parse(R"pb(
    node { name: "h" op: "SomeHandleOp" }
    node { name: "r" op: "ReadVariableOp" input: "h" attr { key: "dtype" value { type: DT_FLOAT } } }
    node { name: "a" op: "Assign" input: "h:1" input: "h:2" attr { key: "T" value { type: DT_FLOAT } } })pb");
  auto rs = Session::Create(res, so);
  ASSERT_TRUE(rs.ok()) << rs.status();
  EXPECT_EQ(Message((*rs)->Run({{"h:0", F({}, {1})}}, {"r:0"}).status()),
            "Input 0 of node r was passed float from h incompatible with expected resource.");
  EXPECT_EQ(Message((*rs)->Run({{"h:1", F({}, {1})}, {"h:2", F({}, {1})}}, {"a:0"}).status()),
            "Input 0 of node a was passed float from h:1 incompatible with expected float_ref.");
}

TEST(PartialShape, ParsesAndPrints) {
  tensorflow::TensorShapeProto p;
  p.add_dim()->set_size(-1);
  p.add_dim()->set_size(4);
  auto s = PartialShape::FromProto(p);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->DebugString(), "[?,4]");
  EXPECT_EQ(s->PythonString(), "(None, 4)");
  EXPECT_TRUE(s->IsCompatibleWith({7, 4}));
  EXPECT_FALSE(s->IsCompatibleWith({7, 5}));
  EXPECT_FALSE(s->IsCompatibleWith({4}));
  EXPECT_FALSE(s->IsFullyDefined());
  EXPECT_EQ(PartialShape().DebugString(), "<unknown>");
  EXPECT_EQ(PartialShape::Known({3}).PythonString(), "(3,)");
  EXPECT_EQ(PartialShape::Known({}).PythonString(), "()");
  p.add_dim()->set_size(-2);
  EXPECT_FALSE(PartialShape::FromProto(p).ok());
  tensorflow::TensorShapeProto both;
  both.set_unknown_rank(true);
  both.add_dim()->set_size(1);
  EXPECT_FALSE(PartialShape::FromProto(both).ok());
}

TEST(TensorName, Parses) {
  EXPECT_EQ(ParseTensorName("a/b:3")->index, 3);
  EXPECT_EQ(ParseTensorName("a/b")->index, 0);
  EXPECT_TRUE(ParseTensorName("^a")->control());
  EXPECT_EQ(ParseTensorName("a:12")->ToString(), "a:12");
  EXPECT_FALSE(ParseTensorName("").ok());
}

}  // namespace
}  // namespace tfckpt::graph
