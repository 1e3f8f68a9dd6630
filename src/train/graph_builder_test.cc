// Unit tests of the graph builder's TF rules that the goldens exercise only
// in part: unique names, scope validation, device specs, colocation,
// control-dependency domination, collections of every kind through a meta
// graph, initializers, sessions that keep variables while the graph grows.
#include "gtest/gtest.h"
#include "src/train/graph_builder.h"
#include "src/train/meta_graph.h"
#include "src/train/ops.h"
#include "src/train/proto_serialize.h"
#include "src/train/client_session.h"
#include "src/train/variables.h"

namespace tfckpt::train {
namespace {

using tensor::Tensor;

TEST(GraphBuilderTest, UniqueNamesAreCaseInsensitiveAndSkipTakenSuffixes) {
  Graph g;
  EXPECT_EQ(g.UniqueName("foo"), "foo");
  EXPECT_EQ(g.UniqueName("Foo"), "Foo_1");
  EXPECT_EQ(g.UniqueName("foo_2"), "foo_2");
  EXPECT_EQ(g.UniqueName("foo"), "foo_3");  // foo_2 is taken
  EXPECT_EQ(g.UniqueName("bar", /*mark_as_used=*/false), "bar");
  EXPECT_EQ(g.UniqueName("bar"), "bar");
}

TEST(GraphBuilderTest, NameScopes) {
  Graph g;
  {
    NameScope a(&g, "a");
    EXPECT_EQ(a.scope(), "a/");
    NameScope root(&g, "");
    EXPECT_EQ(g.name_stack(), "");
    NameScope exact(&g, "x/y/");
    EXPECT_EQ(g.name_stack(), "x/y");
  }
  {
    NameScope bad(&g, "_bad");  // not a valid root scope name
    EXPECT_FALSE(g.status().ok());
    EXPECT_EQ(g.status().message().rfind("'_bad' is not a valid root scope name", 0), 0u);
  }
  NameScope again(&g, "a");
  EXPECT_EQ(again.scope(), "a_1/");
  NameScope inner(&g, "_ok");  // allowed below the root
  EXPECT_EQ(inner.scope(), "a_1/_ok/");
}

TEST(GraphBuilderTest, DeviceSpecs) {
  EXPECT_EQ(CanonicalDevice("/cpu:0"), "/device:CPU:0");
  EXPECT_EQ(CanonicalDevice("CPU"), "/device:CPU:*");
  EXPECT_EQ(CanonicalDevice("/job:w/task:1/device:GPU:2"), "/job:w/task:1/device:GPU:2");
  EXPECT_FALSE(DeviceSpec::FromString("/cpu:0/gpu:1").ok());
  Graph g;
  DeviceScope outer(&g, "/job:w/cpu:1");
  Output a = Constant(&g, 1.0f, "a");
  EXPECT_EQ(g.FindNode(a.op)->device(), "/job:w/device:CPU:1");
  {
    DeviceScope inner(&g, "/cpu:0");
    Output b = Constant(&g, 1.0f, "b");
    EXPECT_EQ(g.FindNode(b.op)->device(), "/job:w/device:CPU:0");
    DeviceScope none(&g, std::nullopt);
    Output c = Constant(&g, 1.0f, "c");
    EXPECT_EQ(g.FindNode(c.op)->device(), "");
  }
}

TEST(GraphBuilderTest, ColocationAndControlDependencies) {
  Graph g;
  Variable v = *MakeVariable(&g, Tensor::FromVector<float>(tensorflow::DT_FLOAT, {}, {1}), "v");
  Output one = Constant(&g, 1.0f, "one");
  Operation first = NoOp(&g, "first");
  {
    ControlDependencies deps(&g, std::vector<std::string>{"first"});
    Output x = Add(&g, one, one, "x");          // gets ^first
    Output y = Identity(&g, x, "y");            // dominated by x: no ^first
    EXPECT_EQ(g.FindNode("x")->input_size(), 3);
    EXPECT_EQ(g.FindNode("y")->input_size(), 1);
    ControlDependencies none(&g, std::nullopt);
    Output z = Identity(&g, one, "z");
    EXPECT_EQ(g.FindNode("z")->input_size(), 1);
  }
  EXPECT_TRUE(g.FindNode("first")->attr().at("_has_manual_control_dependencies").b());
  Output assign = v.Assign(2.0f);
  EXPECT_EQ(g.FindNode(assign.op)->attr().at("_class").list().s(0), "loc:@v");
  ColocateWith cw(&g, "v");
  Output w = Identity(&g, one, "w");
  EXPECT_EQ(g.FindNode("w")->attr().at("_class").list().s(0), "loc:@v");
}

TEST(GraphBuilderTest, CollectionsOfEveryKindThroughAMetaGraph) {
  Graph g;
  Output c = Constant(&g, 1.0f, "c");
  g.AddToCollection("nodes", CollectionItem::Of(c));
  g.AddToCollection("ints", CollectionItem::Int64(-5));
  g.AddToCollection("floats", CollectionItem::Float(0.25));
  g.AddToCollection("bytes", CollectionItem::Bytes(std::string("\0\xff", 2)));
  g.AddToCollection("any", CollectionItem::Any("type.googleapis.com/x.Y", "payload"));
  g.AddToCollection("mixed", CollectionItem::Int64(1));
  g.AddToCollection("mixed", CollectionItem::Bytes("b"));  // TF drops mixed collections
  ExportOptions o;
  o.add_shapes = false;
  auto meta = ExportMetaGraph(&g, o);
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ(meta->collection_def().count("mixed"), 0u);
  EXPECT_EQ(meta->graph_def().node(0).attr().count("_output_shapes"), 0u);
  Graph g2;
  ASSERT_TRUE(ImportMetaGraph(&g2, *meta).ok());
  EXPECT_EQ(g2.GetCollection("nodes")[0].text, "c:0");
  EXPECT_EQ(g2.GetCollection("ints")[0].i, -5);
  EXPECT_EQ(g2.GetCollection("floats")[0].f, 0.25);
  EXPECT_EQ(g2.GetCollection("bytes")[0].text, std::string("\0\xff", 2));
  EXPECT_EQ(g2.GetCollection("any")[0].type_url, "type.googleapis.com/x.Y");
  EXPECT_EQ(g2.GetCollection("any")[0].text, "payload");
}

TEST(GraphBuilderTest, SessionKeepsVariablesWhileTheGraphGrows) {
  Graph g;
  Variable v = *MakeVariable(&g, Tensor::FromVector<float>(tensorflow::DT_FLOAT, {}, {1}), "v");
  ClientSession sess(&g);
  ASSERT_TRUE(sess.Run({GlobalVariablesInitializer(&g)}).ok());
  ASSERT_TRUE(sess.Run({v.Assign(5.0f)}).ok());
  Output doubled = PyMul(&g, v, 2.0f);  // a new node after the first runs
  auto out = sess.Eval(doubled);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->flat<float>()[0], 10.0f);
  GraphOptions resource;
  resource.resource_variables = true;
  Graph r(resource);
  Variable rv = *MakeVariable(&r, Tensor::FromVector<float>(tensorflow::DT_FLOAT, {}, {3}), "rv");
  ClientSession rs(&r);
  ASSERT_TRUE(rs.Run({GlobalVariablesInitializer(&r)}).ok());
  Output plus = Add(&r, rv, 1.0f);
  EXPECT_EQ(r.FindNode(plus.op)->input(0), "Add/ReadVariableOp");
  EXPECT_EQ(rs.Eval(plus)->flat<float>()[0], 4.0f);
}

TEST(GraphBuilderTest, InitializersBuildTensorFlowsNodes) {
  Graph g;
  auto v = GetVariable(&g, "big", {40, 30}, tensorflow::DT_FLOAT, Initializer::Zeros());
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(g.FindNode("big/Initializer/zeros")->op(), "Fill");
  EXPECT_EQ(g.FindNode("big/Initializer/zeros/shape_as_tensor")->op(), "Const");
  auto u = GetVariable(&g, "u", {2, 3});  // glorot_uniform by default
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(g.FindNode("u/Initializer/random_uniform")->op(), "AddV2");
  EXPECT_TRUE(g.HasNode("u/Initializer/random_uniform/RandomUniform"));
  auto i = GetVariable(&g, "i", {2}, tensorflow::DT_INT32);  // zeros by default
  ASSERT_TRUE(i.ok());
  EXPECT_TRUE(g.HasNode("i/Initializer/zeros"));
  EXPECT_EQ(GetVariable(&g, "c", {2}, tensorflow::DT_COMPLEX64).status().message(),
            "An initializer for variable c of <dtype: 'complex64'> is required");
  GetVariableOptions o;
  o.shape = std::vector<int64_t>{1};
  o.initializer = Tensor::FromVector<float>(tensorflow::DT_FLOAT, {1}, {1});
  EXPECT_EQ(GetVariable(&g, "d", o).status().message(),
            "If initializer is a constant, do not specify shape.");
  VariableScope bad(&g, DefaultName{"x"}, Reuse::kTrue);
  EXPECT_EQ(bad.status().message(), "reuse=True cannot be used without a name_or_scope");
}

TEST(ProtoSerializeTest, UpbMapOrder) {
  EXPECT_TRUE(UpbMapKeyLess("seed2", "seed"));
  EXPECT_TRUE(UpbMapKeyLess("T", "_class"));
  EXPECT_TRUE(UpbMapKeyLess("Tidx", "T"));
  EXPECT_FALSE(UpbMapKeyLess("a", "a"));
}

}  // namespace
}  // namespace tfckpt::train
