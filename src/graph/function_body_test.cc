// AppendAttrFunctions: every function a node's func and list(func) attrs name;
// AppendCalledFunctions and ReachableFunctions: the walk over a library.
#include "src/graph/function_body.h"

#include <google/protobuf/text_format.h>

#include <algorithm>

#include "gtest/gtest.h"

namespace tfckpt::graph {
namespace {

tensorflow::NodeDef Parse(const std::string& text) {
  tensorflow::NodeDef n;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &n)) << text;
  return n;
}

std::vector<std::string> Sorted(const tensorflow::NodeDef& node, std::vector<std::string> out) {
  AppendAttrFunctions(node, &out);
  std::sort(out.begin(), out.end());
  return out;
}

TEST(AppendAttrFunctions, FuncAndListFuncAttrs) {
  // While: two func attrs; Case: a list(func); other attr kinds name nothing.
  EXPECT_EQ(Sorted(Parse(R"(name: "w" op: "While"
      attr { key: "cond" value { func { name: "c" } } }
      attr { key: "body" value { func { name: "b" } } }
      attr { key: "T" value { list { type: DT_FLOAT } } })"), {}),
            (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(Sorted(Parse(R"(name: "case" op: "Case"
      attr { key: "branches" value { list { func { name: "b0" } func { name: "b1" }
                                            func { name: "b0" } } } })"), {}),
            (std::vector<std::string>{"b0", "b0", "b1"}));
}

TEST(AppendAttrFunctions, AppendsAndIgnoresTheOp) {
  // A direct call (op == function name) is the caller's to add; `out` keeps
  // what it held.
  EXPECT_EQ(Sorted(Parse(R"(name: "call" op: "my_fn"
      attr { key: "f" value { func { name: "g" attr { key: "T" value { type: DT_FLOAT } } } } }
      attr { key: "s" value { s: "my_fn" } })"), {"queued"}),
            (std::vector<std::string>{"g", "queued"}));
  EXPECT_TRUE(Sorted(Parse(R"(name: "a" op: "Add")"), {}).empty());
}

TEST(AppendCalledFunctions, TheOpThenTheAttrs) {
  std::vector<std::string> out{"queued"};
  AppendCalledFunctions(Parse(R"(name: "call" op: "my_fn"
      attr { key: "f" value { func { name: "g" } } })"), &out);
  EXPECT_EQ(out, (std::vector<std::string>{"queued", "my_fn", "g"}));
}

std::vector<std::string> Names(const std::vector<const tensorflow::FunctionDef*>& fs) {
  std::vector<std::string> names;
  for (const auto* f : fs) names.push_back(f->signature().name());
  return names;
}

// root -> a (by op name) -> b (While body attr) -> a again (cycle) and c (by
// op name); d is called by nothing; "missing" and "Add" are not functions.
TEST(ReachableFunctions, FollowsOpAndAttrCallsEachOnce) {
  tensorflow::FunctionDefLibrary lib;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(R"(
      function { signature { name: "a" }
                 node_def { name: "w" op: "While"
                            attr { key: "body" value { func { name: "b" } } }
                            attr { key: "cond" value { func { name: "missing" } } } } }
      function { signature { name: "b" }
                 node_def { name: "x" op: "Add" }
                 node_def { name: "back" op: "a" }
                 node_def { name: "y" op: "c" } }
      function { signature { name: "c" } }
      function { signature { name: "d" } })", &lib));
  std::vector<std::string> calls;
  AppendCalledFunctions(Parse(R"(name: "root" op: "a")"), &calls);
  // Depth first, the last pending name first: a, b, then b's last call c.
  EXPECT_EQ(Names(ReachableFunctions(lib, calls)), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(Names(ReachableFunctions(lib, {"d", "c"})), (std::vector<std::string>{"c", "d"}));
  EXPECT_TRUE(ReachableFunctions(lib, {"Add", "missing"}).empty());
}

}  // namespace
}  // namespace tfckpt::graph
