// Tutorial: variable scopes, name scopes and get_variable (TF1).
// Replays parts of golden/generate/gen_scopes.py: the names TF gives, reuse,
// and TF's error texts for get_variable misuse.
#include <iostream>

#include "examples/example_util.h"
#include "src/train/ops.h"
#include "src/train/variables.h"

using namespace tfckpt;         // NOLINT
using namespace tfckpt::train;  // NOLINT
using examples::Checker;

int main() {
  Checker check;
  const auto& scenario = examples::Scenario("variable_scopes");
  const auto& names = scenario["notes"]["variable_names"];
  const auto& ops = scenario["notes"]["op_names"];
  auto init = [](double v) { return Initializer::Constant(v); };
  Graph g;

  Variable v = *GetVariable(&g, "v", {1}, tensorflow::DT_FLOAT, init(1.0));
  Variable foo_v, foo_bar_v;
  {
    VariableScope foo(&g, "foo");
    foo_v = *GetVariable(&g, "v", {1}, tensorflow::DT_FLOAT, init(2.0));
    VariableScope bar(&g, "bar");
    foo_bar_v = *GetVariable(&g, "v", {1}, tensorflow::DT_FLOAT, init(3.0));
  }
  std::cout << "get_variable names: " << v.name() << " " << foo_v.name() << " "
            << foo_bar_v.name() << "\n";
  check.Expect(foo_bar_v.name() == names["variable_scope('foo') / variable_scope('bar') / "
                                         "get_variable('v')"],
               "foo/bar/v:0");
  {
    VariableScope foo(&g, "foo", Reuse::kTrue);
    GetVariableOptions o;
    o.shape = std::vector<int64_t>{1};
    Variable again = *GetVariable(&g, "v", o);
    check.Expect(again == foo_v, "variable_scope('foo', reuse=True) returns the same foo/v");
    VariableScope bar(&g, "bar");  // reuse is inherited
    check.Expect(*GetVariable(&g, "v", GetVariableOptions{}) == foo_bar_v,
                 "inner scopes inherit reuse");
  }
  Output one = Constant(&g, 1.0f, "one");
  check.Expect(Add(&g, v, one).op == ops["add at top level"], "tf.add at the root is 'Add'");
  {
    NameScope ns(&g, "ns");
    Variable w = *GetVariable(&g, "w_ns", {1}, tensorflow::DT_FLOAT, init(7.0));
    check.Expect(w.name() == names["name_scope('ns') / get_variable('w_ns') (name_scope ignored)"],
                 "get_variable ignores name_scope: w_ns:0");
    check.Expect(Add(&g, w, one).op == ops["add under name_scope('ns')"], "ops get ns/Add");
  }
  {
    VariableScope foo(&g, "foo");  // 3rd entry: ops in foo_2/, variables still in foo/
    Output add = Add(&g, v, one);
    std::cout << "op under variable_scope('foo') entered again: " << add.op << "\n";
    check.Expect(add.op == "foo_2/Add", "re-entered variable scopes uniquify op names only");
  }
  std::cout << "errors:\n";
  const auto expect_error = [&](const Status& s, const char* name) {
    const auto& e = examples::Record(scenario["errors"], name);
    const std::string want = e.contains("message") && e["message"].is_string()
                                 ? e["message"].get<std::string>()
                                 : e["str"].get<std::string>();
    std::cout << "  " << s.message() << "\n";
    check.Expect(s.message() == want, std::string("TF's text for ") + name, want);
  };
  expect_error(GetVariable(&g, "v", {1}).status(), "create_existing_without_reuse");
  {
    VariableScope foo(&g, "foo", Reuse::kTrue);
    expect_error(GetVariable(&g, "missing", {1}).status(), "reuse_missing");
    expect_error(GetVariable(&g, "v", {2}).status(), "reuse_shape_mismatch");
    expect_error(GetVariable(&g, "v", {1}, tensorflow::DT_INT32).status(), "reuse_dtype_mismatch");
  }
  expect_error(GetVariable(&g, "no_shape").status(), "create_without_shape");
  return check.Finish();
}
