// golden/generate/gen_scopes.py replayed with train::: the same variable
// and op names, the same error texts, the same graph (node for node, with
// `_output_shapes`) and -- with the Saver -- the same .meta and checkpoint
// bytes as TF 2.21 (reference and resource variables).
#include <map>

#include "gtest/gtest.h"
#include "src/io/env.h"
#include "src/train/meta_graph.h"
#include "src/train/ops.h"
#include "src/train/saver.h"
#include "src/train/client_session.h"
#include "src/train/test_util.h"
#include "src/train/variables.h"

namespace tfckpt::train {
namespace {

using namespace testing;  // NOLINT

struct Replay {
  json names = json::object();
  json ops = json::object();
  json same = json::object();
  std::map<std::string, Status> errors;
  std::vector<std::string> global_variables;
};

Variable Must(StatusOr<Variable> v) {
  EXPECT_TRUE(v.ok()) << v.status();
  return v.ok() ? *v : Variable();
}

tensor::Tensor F1(float v) { return tensor::Tensor::FromVector<float>(tensorflow::DT_FLOAT, {1}, {v}); }

Replay BuildScopes(Graph* g) {
  Replay r;
  auto gv = [&](const std::string& n, std::vector<int64_t> shape, double init) {
    return Must(GetVariable(g, n, shape, tensorflow::DT_FLOAT, Initializer::Constant(init)));
  };
  auto get = [&](const std::string& n, std::optional<std::vector<int64_t>> shape) {
    GetVariableOptions o;
    o.shape = shape;
    return Must(GetVariable(g, n, o));
  };
  Variable v = gv("v", {1}, 1.0);
  r.names["get_variable('v')"] = v.name();
  Variable fv, fbv;
  {
    VariableScope foo(g, "foo");
    fv = gv("v", {1}, 2.0);
    r.names["variable_scope('foo') / get_variable('v')"] = fv.name();
    VariableScope bar(g, "bar");
    fbv = gv("v", {1}, 3.0);
    r.names["variable_scope('foo') / variable_scope('bar') / get_variable('v')"] = fbv.name();
  }
  r.names["get_variable('v1')"] = gv("v1", {1}, 4.0).name();
  {
    VariableScope foo(g, "foo", Reuse::kTrue);
    Variable x = get("v", std::vector<int64_t>{1});
    r.names["variable_scope('foo', reuse=True) / get_variable('v')"] = x.name();
    r.same["foo reuse=True returns the same variable object as foo/v"] = x == fv;
    VariableScope bar(g, "bar");
    Variable y = get("v", std::nullopt);
    r.names["variable_scope('foo', reuse=True) / variable_scope('bar') / get_variable('v') "
            "(reuse inherited)"] = y.name();
    r.same["inner scope inherits reuse: same object as foo/bar/v"] = y == fbv;
  }
  {
    VariableScope foo(g, "foo");
    VariableScope bar(g, "bar", Reuse::kTrue);
    Variable x = get("v", std::vector<int64_t>{1});
    r.names["variable_scope('foo') / variable_scope('bar', reuse=True) / get_variable('v')"] =
        x.name();
    r.same["nested reuse=True: same object as foo/bar/v"] = x == fbv;
  }
  VarScope foo_scope;
  {
    VariableScope foo(g, "foo");
    foo_scope = foo.scope();
  }
  {
    VariableScope s(g, foo_scope, Reuse::kTrue);
    Variable x = get("v", std::vector<int64_t>{1});
    r.names["variable_scope(<foo scope object>, reuse=True) / get_variable('v')"] = x.name();
    r.same["scope object reuse: same object as foo/v"] = x == fv;
  }
  Variable a1, a2;
  {
    VariableScope s(g, "auto", Reuse::kAutoReuse);
    a1 = gv("w", {2}, 5.0);
  }
  {
    VariableScope s(g, "auto", Reuse::kAutoReuse);
    a2 = gv("w", {2}, 6.0);
  }
  r.names["variable_scope('auto', reuse=AUTO_REUSE) / get_variable('w') (twice)"] = {a1.name(),
                                                                                     a2.name()};
  r.same["AUTO_REUSE returns the same object the second time"] = a1 == a2;

  Output one = Constant(g, 1.0f, "one");
  r.ops["add at top level"] = Add(g, v, one).op;
  {
    NameScope ns(g, "ns");
    Variable w_ns = gv("w_ns", {1}, 7.0);
    Variable x_ns = Must(MakeVariable(g, F1(8.0f), "x"));
    r.names["name_scope('ns') / get_variable('w_ns') (name_scope ignored)"] = w_ns.name();
    r.names["name_scope('ns') / tf.compat.v1.Variable(name='x')"] = x_ns.name();
    r.ops["add under name_scope('ns')"] = Add(g, w_ns, one).op;
  }
  {
    VariableScope vs(g, "vs");
    Variable w_vs = gv("w_vs", {1}, 9.0);
    Variable x_vs = Must(MakeVariable(g, F1(10.0f), "x"));
    r.names["variable_scope('vs') / get_variable('w_vs')"] = w_vs.name();
    r.names["variable_scope('vs') / tf.compat.v1.Variable(name='x')"] = x_vs.name();
    r.ops["add under variable_scope('vs')"] = Add(g, w_vs, one).op;
    NameScope inner(g, "inner_ns");
    Variable w_in = gv("w_in", {1}, 11.0);
    r.names["variable_scope('vs') / name_scope('inner_ns') / get_variable('w_in')"] = w_in.name();
    r.ops["add under variable_scope('vs') / name_scope('inner_ns')"] = Add(g, w_in, one).op;
  }
  {
    VariableScope foo(g, "foo");
    r.ops["add under variable_scope('foo') entered a 4th time"] = Add(g, v, one).op;
    r.names["variable_scope('foo') re-entered / get_variable('v2')"] = gv("v2", {1}, 12.0).name();
  }
  {
    VariableScope foo(g, "foo", Reuse::kTrue);
    r.ops["add under variable_scope('foo', reuse=True) (5th entry)"] = Add(g, v, one).op;
  }
  {
    NameScope ns(g, "ns");
    r.ops["add under name_scope('ns') entered a 2nd time"] = Add(g, v, one).op;
  }
  {
    NameScope ns(g, "ns");
    r.ops["add under name_scope('ns') entered a 3rd time"] = Add(g, v, one).op;
  }
  Variable d1, d2;
  {
    VariableScope d(g, DefaultName{"dflt"});
    d1 = gv("v", {1}, 13.0);
    r.ops["add under variable_scope(None, default_name='dflt') #1"] = Add(g, d1, one).op;
  }
  {
    VariableScope d(g, DefaultName{"dflt"});
    d2 = gv("v", {1}, 14.0);
    r.ops["add under variable_scope(None, default_name='dflt') #2"] = Add(g, d2, one).op;
  }
  r.names["variable_scope(None, default_name='dflt') twice / get_variable('v')"] = {d1.name(),
                                                                                    d2.name()};
  const auto scalar = [](float x) {
    return tensor::Tensor::FromVector<float>(tensorflow::DT_FLOAT, {}, {x});
  };
  Variable t1 = Must(MakeVariable(g, scalar(15.0f), "t"));
  Variable t2 = Must(MakeVariable(g, scalar(16.0f), "t"));
  r.names["tf.compat.v1.Variable(name='t') twice"] = {t1.name(), t2.name()};
  r.ops["tf.add twice at top level (second)"] = Add(g, one, one).op;
  r.ops["tf.add with name='add' when 'add' exists"] = Add(g, one, one, "add").op;
  r.ops["tf.add with name='sum/' (absolute scope)"] = Add(g, one, one, "sum/").op;

  r.errors["create_existing_without_reuse"] = GetVariable(g, "v", {1}).status();
  {
    VariableScope foo(g, "foo", Reuse::kTrue);
    r.errors["reuse_missing"] = GetVariable(g, "missing", {1}).status();
  }
  {
    VariableScope foo(g, "foo", Reuse::kTrue);
    r.errors["reuse_shape_mismatch"] = GetVariable(g, "v", {2}).status();
  }
  {
    VariableScope foo(g, "foo", Reuse::kTrue);
    r.errors["reuse_dtype_mismatch"] = GetVariable(g, "v", {1}, tensorflow::DT_INT32).status();
  }
  {
    VariableScope foo(g, "foo");
    r.errors["create_existing_in_scope"] = GetVariable(g, "v", {1}).status();
  }
  r.errors["create_without_shape"] = GetVariable(g, "no_shape").status();
  for (const Variable& x : GlobalVariables(g)) r.global_variables.push_back(x.name());
  return r;
}

class ScopesGoldenTest : public ::testing::TestWithParam<bool> {
 protected:
  std::string scenario() const { return GetParam() ? "variable_scopes_resource" : "variable_scopes"; }
};

TEST_P(ScopesGoldenTest, NamesErrorsGraphMetaAndCheckpoint) {
  GraphOptions opts;
  opts.resource_variables = GetParam();
  Graph g(opts);
  Replay r = BuildScopes(&g);
  ASSERT_TRUE(g.status().ok()) << g.status();
  EXPECT_EQ(r.names, Note(scenario(), "variable_names"));
  EXPECT_EQ(r.ops, Note(scenario(), "op_names"));
  EXPECT_EQ(r.same, Note(scenario(), "same_object"));
  EXPECT_EQ(json(r.global_variables), Note(scenario(), "global_variables"));
  std::vector<std::string> trainable;
  for (const Variable& x : TrainableVariables(&g)) trainable.push_back(x.name());
  EXPECT_EQ(json(trainable), Note(scenario(), "trainable_variables"));
  for (const auto& [name, status] : r.errors) {
    const json& e = ErrorOf(scenario(), name);
    const std::string text = e.contains("message") && e["message"].is_string()
                                 ? e["message"].get<std::string>()
                                 : e.value("str", std::string("<no record>"));
    EXPECT_EQ(status.message(), text) << name;
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << name;
  }

  // The same graph, Saver and init as TF: the .meta TF's Saver wrote.
  auto saver = Saver::Create(&g);
  ASSERT_TRUE(saver.ok()) << saver.status();
  ClientSession sess(&g);
  ASSERT_TRUE(sess.Run({GlobalVariablesInitializer(&g)}).ok());
  std::vector<std::string> op_names;
  const tensorflow::GraphDef gd = g.ToGraphDef();
  for (const auto& n : gd.node()) {
    if (n.name().rfind("save", 0) != 0) op_names.push_back(n.name());
  }
  std::sort(op_names.begin(), op_names.end());
  EXPECT_EQ(json(op_names), Note(scenario(), "graph_op_names"));

  const std::string dir = TempDir(scenario());
  auto path = (*saver)->Save(&sess, dir + "/model.ckpt");
  ASSERT_TRUE(path.ok()) << path.status();
  const auto golden = ReadMetaGraph(Golden(scenario(), "model.ckpt.meta"));
  const auto mine = ReadMetaGraph(dir + "/model.ckpt.meta");
  EXPECT_EQ(MetaGraphDiff(golden, mine), "");
  EXPECT_EQ(ReadFile(dir + "/model.ckpt.meta"), ReadFile(Golden(scenario(), "model.ckpt.meta")))
      << "meta graph bytes differ";
  for (const char* f : {"model.ckpt.index", "model.ckpt.data-00000-of-00001"}) {
    EXPECT_EQ(ReadFile(dir + "/" + f), ReadFile(Golden(scenario(), f))) << f;
  }
}

INSTANTIATE_TEST_SUITE_P(RefAndResource, ScopesGoldenTest, ::testing::Bool());

}  // namespace
}  // namespace tfckpt::train
