// The serving ops (serving_ops.h): registries, ParseExample(V2), lookup
// tables, StridedSlice, Conv2D and function calls, with TF's error texts.
#include "src/graph/serving_ops.h"

#include <google/protobuf/text_format.h>

#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "gtest/gtest.h"
#include "proto/example/example.pb.h"
#include "proto/meta_graph.pb.h"
#include "proto/saved_model.pb.h"
#include "src/graph/test_util.h"
#include "src/io/env.h"

namespace tfckpt::graph {
namespace {

using namespace testing;  // NOLINT

SessionOptions Serving(const OpRegistry* registry = &ServingOpRegistry()) {
  SessionOptions so;
  so.graph.registry = registry;
  return so;
}

TEST(ServingRegistry, HoldsGlobalsOpsAndTheServingOps) {
  const OpRegistry& r = ServingOpRegistry();
  ASSERT_TRUE(r.status().ok()) << r.status();
  std::set<std::string> names;
  for (const std::string& n : r.OpNames()) names.insert(n);
  for (const std::string& n : OpRegistry::Global().OpNames()) {
    EXPECT_EQ(names.count(n), 1u) << n << " of Global() is missing from ServingOpRegistry()";
  }
  for (const char* n : {"ParseExample", "ParseExampleV2", "HashTableV2",
                        "InitializeTableFromTextFileV2", "LookupTableFindV2",
                        "LookupTableImportV2", "LookupTableSizeV2", "Conv2D", "StridedSlice",
                        "PartitionedCall", "StatefulPartitionedCall"}) {
    EXPECT_EQ(names.count(n), 1u) << n;
    EXPECT_EQ(OpRegistry::Global().Find(n), nullptr) << n << " is in Global()";
  }
  auto lib = NewServingOpRegistry(tensorflow::FunctionDefLibrary());
  ASSERT_TRUE(lib->status().ok()) << lib->status();
  EXPECT_EQ(lib->OpNames(), r.OpNames());
}

// The OpDef without documentation and newer experimental fields, and without
// what OpDefBuilder cannot express (list attrs' allowed values, list(int)
// defaults other than []).
tensorflow::OpDef Normalized(tensorflow::OpDef op) {
  op.clear_summary();
  op.clear_description();
  op.clear_deprecation();
  op.clear_is_distributed_communication();
  for (auto* args : {op.mutable_input_arg(), op.mutable_output_arg()}) {
    for (auto& a : *args) {
      a.clear_description();
      a.clear_experimental_full_type();
    }
  }
  for (auto& a : *op.mutable_attr()) {
    a.clear_description();
    if (a.type().rfind("list(", 0) == 0) a.clear_allowed_values();
  }
  return op;
}

// Serving ops in TF 2.21's golden meta graphs have TF's OpDefs.
TEST(ServingRegistry, OpDefsEqualTensorFlow221Goldens) {
  std::ifstream in(Runfile("golden/MANIFEST.json"));
  ASSERT_TRUE(in);
  const nlohmann::json m = nlohmann::json::parse(in);
  std::map<std::string, tensorflow::OpDef> golden;
  for (const auto& s : m["scenarios"]) {
    for (const auto& f : s["files"]) {
      const std::string path = f["path"];
      if (path.size() < 14 || path.substr(path.size() - 14) != "saved_model.pb") continue;
      std::ifstream file(Runfile("golden/tf-2.21/" + s["dir"].get<std::string>() + "/" + path),
                         std::ios::binary);
      std::stringstream bytes;
      bytes << file.rdbuf();
      tensorflow::SavedModel sm;
      ASSERT_TRUE(sm.ParseFromString(bytes.str())) << path;
      for (const auto& mg : sm.meta_graphs()) {
        for (const auto& op : mg.meta_info_def().stripped_op_list().op()) {
          golden.emplace(op.name(), Normalized(op));
        }
      }
    }
  }
  int compared = 0;
  for (const auto& [name, op] : golden) {
    if (OpRegistry::Global().Find(name) != nullptr) continue;
    const OpRegistration* reg = ServingOpRegistry().Find(name);
    if (reg == nullptr) continue;
    EXPECT_EQ(Normalized(reg->op_def).DebugString(), op.DebugString()) << name;
    ++compared;
  }
  // HashTableV2, InitializeTableFromTextFileV2, LookupTableFindV2,
  // StatefulPartitionedCall.
  EXPECT_GE(compared, 4);
}

// ---------------------------------------------------------------- ParseExample

std::string ExampleBytes(const std::string& text) {
  tensorflow::Example ex;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &ex)) << text;
  return ex.SerializeAsString();
}

// ParseExample with dense keys/defaults/shapes and sparse keys.
struct ParseSpec {
  std::vector<std::string> dense_keys;
  std::vector<Tensor> dense_defaults;
  std::vector<std::vector<int64_t>> dense_shapes;
  std::vector<std::string> sparse_keys;
  std::vector<DataType> sparse_types;
};

StatusOr<std::vector<Tensor>> Parse(const std::vector<std::string>& examples, const ParseSpec& p,
                                    bool v2 = false, bool scalar = false) {
  GraphBuilder b;
  b.Const("serialized", scalar ? S({}, {examples[0]})
                               : S({static_cast<int64_t>(examples.size())}, examples));
  b.Const("names", S({0}, {}));
  std::vector<std::string> inputs = {"serialized", "names"};
  tensorflow::AttrValue shapes, tdense, stypes;
  shapes.mutable_list();
  tdense.mutable_list();
  stypes.mutable_list();
  for (const auto& s : p.dense_shapes) *shapes.mutable_list()->add_shape() = AShape(s).shape();
  for (const auto& d : p.dense_defaults) tdense.mutable_list()->add_type(d.dtype());
  for (DataType t : p.sparse_types) stypes.mutable_list()->add_type(t);
  Attrs attrs = {{"dense_shapes", shapes}, {"Tdense", tdense}, {"sparse_types", stypes}};
  if (v2) {
    b.Const("sk", S({static_cast<int64_t>(p.sparse_keys.size())}, p.sparse_keys));
    b.Const("dk", S({static_cast<int64_t>(p.dense_keys.size())}, p.dense_keys));
    b.Const("rk", S({0}, {}));
    inputs.insert(inputs.end(), {"sk", "dk", "rk"});
    attrs["num_sparse"] = AInt(static_cast<int64_t>(p.sparse_keys.size()));
    attrs["ragged_value_types"] = ATypes({});
    attrs["ragged_split_types"] = ATypes({});
  } else {
    for (size_t i = 0; i < p.sparse_keys.size(); ++i) {
      inputs.push_back(b.Const(StrCat("sk", i), S({}, {p.sparse_keys[i]})));
    }
    for (size_t i = 0; i < p.dense_keys.size(); ++i) {
      inputs.push_back(b.Const(StrCat("dk", i), S({}, {p.dense_keys[i]})));
    }
    attrs["Nsparse"] = AInt(static_cast<int64_t>(p.sparse_keys.size()));
    attrs["Ndense"] = AInt(static_cast<int64_t>(p.dense_keys.size()));
  }
  for (size_t i = 0; i < p.dense_defaults.size(); ++i) {
    inputs.push_back(b.Const(StrCat("def", i), p.dense_defaults[i]));
  }
  b.Op("parse", v2 ? "ParseExampleV2" : "ParseExample", inputs, attrs);
  const int ns = static_cast<int>(p.sparse_keys.size());
  const int nd = static_cast<int>(p.dense_keys.size());
  std::vector<std::string> fetches;
  for (int i = 0; i < 3 * ns + nd; ++i) fetches.push_back(StrCat("parse:", i));
  return RunServingGraph(b.def(), fetches);
}

TEST(ParseExample, DenseFeaturesAsHalfPlusTwoUsesThem) {
  // half_plus_two: dense x (float, [1], no default) and x2 (default 0).
  ParseSpec p{{"x", "x2"}, {F({0}, {}), F({1}, {0})}, {{1}, {1}}, {}, {}};
  const std::vector<std::string> ex = {
      ExampleBytes(R"(features { feature { key: "x" value { float_list { value: 1 } } } })"),
      ExampleBytes(R"(features { feature { key: "x" value { float_list { value: 2 } } }
                                 feature { key: "x2" value { float_list { value: 5 } } } })")};
  for (bool v2 : {false, true}) {
    auto out = Parse(ex, p, v2);
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ((*out)[0].shape(), (TensorShape{2, 1}));
    EXPECT_EQ(Values<float>((*out)[0]), (std::vector<float>{1, 2}));
    EXPECT_EQ(Values<float>((*out)[1]), (std::vector<float>{0, 5}));
  }
  // V2 of one scalar example: no batch dimension.
  auto one = Parse({ex[1]}, p, true, true);
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ((*one)[0].shape(), (TensorShape{1}));
  EXPECT_EQ(Values<float>((*one)[1]), (std::vector<float>{5}));
}

TEST(ParseExample, TensorFlowsErrorTexts) {
  ParseSpec p{{"x"}, {F({0}, {})}, {{1}}, {}, {}};
  EXPECT_EQ(Message(Parse({ExampleBytes("")}, p).status()),
            "Name: <unknown>, Feature: x (data type: float) is required but could not be found.");
  EXPECT_EQ(Message(Parse({ExampleBytes(R"(features { feature { key: "x" value { int64_list { value: 1 } } } })")}, p).status()),
            "Name: <unknown>, Key: x, Index: 0.  Data types don't match. Data type: int64 but "
            "expected type: float");
  EXPECT_EQ(Message(Parse({ExampleBytes(""), ExampleBytes(R"(features { feature { key: "x" value { float_list { value: [1, 2] } } } })")},
                          ParseSpec{{"x"}, {F({1}, {7})}, {{1}}, {}, {}}).status()),
            "Name: <unknown>, Key: x, Index: 1.  Number of float values != expected.  Values "
            "size: 2 but output shape: [1]");
  EXPECT_EQ(Message(Parse({"\xff\xff"}, p).status()),
            "Could not parse example input, value: '\\xff\\xff'");
  // An empty value list counts as missing (the default is used).
  auto empty = Parse({ExampleBytes(R"(features { feature { key: "x" value { } } })")},
                     ParseSpec{{"x"}, {F({1}, {7})}, {{1}}, {}, {}});
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ(Values<float>((*empty)[0]), (std::vector<float>{7}));
  // Defaults of the wrong shape.
  EXPECT_EQ(Message(Parse({ExampleBytes("")}, ParseSpec{{"x"}, {F({2}, {1, 2})}, {{1}}, {}, {}}).status()),
            "def_value[0].shape() == [2] is not compatible with dense_shapes_[0] == [1]");
}

TEST(ParseExample, VariableLengthSparseAndStrings) {
  const std::vector<std::string> ex = {
      ExampleBytes(R"(features { feature { key: "v" value { int64_list { value: [1, 2, 3, 4] } } }
                                 feature { key: "s" value { bytes_list { value: ["a", "b"] } } } })"),
      ExampleBytes(R"(features { feature { key: "v" value { int64_list { value: [5, 6] } } } })")};
  ParseSpec p{{"v"}, {I64({}, {-1})}, {{-1, 2}}, {"s"}, {tensorflow::DT_STRING}};
  for (bool v2 : {false, true}) {
    auto out = Parse(ex, p, v2);
    ASSERT_TRUE(out.ok()) << out.status();
    // sparse indices, values, shape, then dense.
    EXPECT_EQ((*out)[0].shape(), (TensorShape{2, 2}));
    EXPECT_EQ(Values<int64_t>((*out)[0]), (std::vector<int64_t>{0, 0, 0, 1}));
    EXPECT_EQ(Values<std::string>((*out)[1]), (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(Values<int64_t>((*out)[2]), (std::vector<int64_t>{2, 2}));
    EXPECT_EQ((*out)[3].shape(), (TensorShape{2, 2, 2}));
    EXPECT_EQ(Values<int64_t>((*out)[3]), (std::vector<int64_t>{1, 2, 3, 4, 5, 6, -1, -1}));
  }
  auto odd = Parse({ExampleBytes(R"(features { feature { key: "v" value { int64_list { value: [1, 2, 3] } } } })")}, p);
  EXPECT_EQ(Message(odd.status()),
            "Name: <unknown>, Key: v, Index: 0.  Number of int64 values is not a multiple of "
            "stride length. Saw 3 values but output shape is: [?,2]");
}

TEST(ParseExample, RaggedFeatures) {
  GraphBuilder b;
  b.Const("serialized", S({3}, {ExampleBytes(R"(features { feature { key: "r" value { float_list { value: [1, 2] } } } })"),
                                ExampleBytes(""),
                                ExampleBytes(R"(features { feature { key: "r" value { float_list { value: [3] } } } })")}));
  b.Const("names", S({0}, {}));
  b.Const("sk", S({0}, {}));
  b.Const("dk", S({0}, {}));
  b.Const("rk", S({1}, {"r"}));
  b.Op("parse", "ParseExampleV2", {"serialized", "names", "sk", "dk", "rk"},
       {{"Tdense", ATypes({})}, {"num_sparse", AInt(0)}, {"sparse_types", ATypes({})},
        {"ragged_value_types", ATypes({tensorflow::DT_FLOAT})},
        {"ragged_split_types", ATypes({tensorflow::DT_INT32})},
        {"dense_shapes", [] { tensorflow::AttrValue v; v.mutable_list(); return v; }()}});
  auto out = RunServingGraph(b.def(), {"parse:0", "parse:1"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<float>((*out)[0]), (std::vector<float>{1, 2, 3}));
  EXPECT_EQ(Values<int32_t>((*out)[1]), (std::vector<int32_t>{0, 2, 2, 3}));
}

// -------------------------------------------------------------- lookup tables

TEST(LookupTable, TextFileInitAndFind) {
  const std::string dir = StrCat(std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp",
                                 "/lookup");
  ASSERT_TRUE(io::Env::Default()->CreateDirRecursively(dir).ok());
  const std::string vocab = dir + "/vocab.txt";
  {
    std::ofstream f(vocab);
    f << "apple\nbanana\r\ncherry\n";
  }
  GraphBuilder b;
  b.Op("table", "HashTableV2", {},
       {{"key_dtype", AType(tensorflow::DT_STRING)}, {"value_dtype", AType(tensorflow::DT_INT64)},
        {"shared_name", AStr("vocab")}});
  b.Const("file", S({}, {vocab}));
  b.Op("init", "InitializeTableFromTextFileV2", {"table", "file"},
       {{"key_index", AInt(-2)}, {"value_index", AInt(-1)}});
  b.Placeholder("words", tensorflow::DT_STRING);
  b.Const("default", I64({}, {-1}));
  b.Op("find", "LookupTableFindV2", {"table", "words", "default"},
       {{"Tin", AType(tensorflow::DT_STRING)}, {"Tout", AType(tensorflow::DT_INT64)}});
  b.Op("size", "LookupTableSizeV2", {"table"});
  auto s = Session::Create(b.def(), Serving());
  ASSERT_TRUE(s.ok()) << s.status();
  const Tensor words = S({2, 2}, {"cherry", "durian", "banana", "apple"});
  EXPECT_EQ(Message((*s)->Run({{"words:0", words}}, {"find:0"}).status()), "Table not initialized.");
  ASSERT_TRUE((*s)->Run({}, {}, {"init"}).ok());
  ASSERT_TRUE((*s)->Run({}, {}, {"init"}).ok());  // same data again: fine
  auto out = (*s)->Run({{"words:0", words}}, {"find:0", "size:0"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), (TensorShape{2, 2}));
  EXPECT_EQ(Values<int64_t>((*out)[0]), (std::vector<int64_t>{2, -1, 1, 0}));
  EXPECT_EQ(Values<int64_t>((*out)[1]), (std::vector<int64_t>{3}));
  // A second session has its own table.
  auto s2 = Session::Create(b.def(), Serving());
  ASSERT_TRUE(s2.ok());
  EXPECT_EQ(Message((*s2)->Run({{"words:0", words}}, {"find:0"}).status()), "Table not initialized.");
}

TEST(LookupTable, ImportAndConflicts) {
  GraphBuilder b;
  b.Op("table", "HashTableV2", {},
       {{"key_dtype", AType(tensorflow::DT_INT64)}, {"value_dtype", AType(tensorflow::DT_STRING)}});
  b.Const("k", I64({3}, {7, 8, 7}));
  b.Const("v", S({3}, {"seven", "eight", "SEVEN"}));
  b.Op("import", "LookupTableImportV2", {"table", "k", "v"},
       {{"Tin", AType(tensorflow::DT_INT64)}, {"Tout", AType(tensorflow::DT_STRING)}});
  auto s = Session::Create(b.def(), Serving());
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(Message((*s)->Run({}, {}, {"import"}).status()),
            "HashTable has different value for same key. Key 7 has seven and trying to add value "
            "SEVEN");
}

// -------------------------------------------------------------- StridedSlice

StatusOr<Tensor> Slice(const Tensor& in, const std::vector<int32_t>& begin,
                       const std::vector<int32_t>& end, const std::vector<int32_t>& strides,
                       Attrs masks = {}) {
  const int64_t n = static_cast<int64_t>(begin.size());
  masks["T"] = AType(in.dtype());
  masks["Index"] = AType(tensorflow::DT_INT32);
  return RunServingOp("StridedSlice", {in, I32({n}, begin), I32({n}, end), I32({n}, strides)},
                      masks);
}

TEST(StridedSlice, NumpySemantics) {
  // x = np.arange(12).reshape(3, 4)
  std::vector<int32_t> v(12);
  for (int i = 0; i < 12; ++i) v[i] = i;
  const Tensor x = I32({3, 4}, v);
  auto a = Slice(x, {1, 0}, {3, 4}, {1, 2});  // x[1:3, ::2]
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->shape(), (TensorShape{2, 2}));
  EXPECT_EQ(Values<int32_t>(*a), (std::vector<int32_t>{4, 6, 8, 10}));
  auto b = Slice(x, {-1, 0}, {0, 0}, {-1, 1}, {{"end_mask", AInt(3)}});  // x[:-4:-1] rows reversed... x[-1::-1, :]
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->shape(), (TensorShape{3, 4}));
  EXPECT_EQ(Values<int32_t>(*b)[0], 8);
  auto c = Slice(x, {1, 2}, {2, 3}, {1, 1}, {{"shrink_axis_mask", AInt(3)}});  // x[1, 2]
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->shape(), TensorShape{});
  EXPECT_EQ(Values<int32_t>(*c), (std::vector<int32_t>{6}));
  auto d = Slice(x, {0, 0}, {0, 1}, {1, 1},
                 {{"ellipsis_mask", AInt(1)}, {"new_axis_mask", AInt(0)}, {"shrink_axis_mask", AInt(2)}});  // x[..., 0]
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->shape(), TensorShape{3});
  EXPECT_EQ(Values<int32_t>(*d), (std::vector<int32_t>{0, 4, 8}));
  auto e = Slice(x, {0, 0}, {0, 0}, {1, 1}, {{"new_axis_mask", AInt(1)}, {"end_mask", AInt(2)}});  // x[None, 0:]
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->shape(), (TensorShape{1, 3, 4}));
  EXPECT_EQ(Message(Slice(x, {5, 0}, {6, 1}, {1, 1}, {{"shrink_axis_mask", AInt(1)}}).status()),
            "slice index 5 of dimension 0 out of bounds.");
  EXPECT_EQ(Message(Slice(x, {0}, {1}, {0}).status()), "strides[0] must be non-zero");
}

// ------------------------------------------------------------------- Conv2D

TEST(Conv2D, SameAndValidPaddingAgainstADirectSum) {
  // 1x3x3x1 input, 2x2x1x1 filter of ones.
  const Tensor in = F({1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  const Tensor filter = F({2, 2, 1, 1}, {1, 1, 1, 1});
  auto attrs = [](const char* padding) {
    tensorflow::AttrValue strides;
    for (int i = 0; i < 4; ++i) strides.mutable_list()->add_i(1);
    return Attrs{{"T", AType(tensorflow::DT_FLOAT)}, {"strides", strides}, {"padding", AStr(padding)}};
  };
  auto valid = RunServingOp("Conv2D", {in, filter}, attrs("VALID"));
  ASSERT_TRUE(valid.ok()) << valid.status();
  EXPECT_EQ(valid->shape(), (TensorShape{1, 2, 2, 1}));
  EXPECT_EQ(Values<float>(*valid), (std::vector<float>{12, 16, 24, 28}));
  auto same = RunServingOp("Conv2D", {in, filter}, attrs("SAME"));
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_EQ(same->shape(), (TensorShape{1, 3, 3, 1}));
  EXPECT_EQ(Values<float>(*same), (std::vector<float>{12, 16, 9, 24, 28, 15, 15, 17, 9}));
}

// ---------------------------------------------------------- function calls

tensorflow::FunctionDefLibrary Library(const std::string& text) {
  tensorflow::FunctionDefLibrary lib;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &lib)) << text;
  return lib;
}

// f(x, v) = x * read(v) + 1, g(x, v) = f(x, v) through a nested call.
constexpr char kLibrary[] = R"pb(
  function {
    signature {
      name: "f"
      input_arg { name: "x" type: DT_FLOAT }
      input_arg { name: "v" type: DT_RESOURCE }
      output_arg { name: "y" type: DT_FLOAT }
    }
    node_def { name: "read" op: "ReadVariableOp" input: "v" attr { key: "dtype" value { type: DT_FLOAT } } }
    node_def { name: "mul" op: "Mul" input: "x" input: "read:value:0" attr { key: "T" value { type: DT_FLOAT } } }
    node_def { name: "one" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
               attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape {} float_val: 1 } } } }
    node_def { name: "add" op: "AddV2" input: "mul:z:0" input: "one:output:0" attr { key: "T" value { type: DT_FLOAT } } }
    ret { key: "y" value: "add:z:0" }
  }
  function {
    signature {
      name: "g"
      input_arg { name: "x" type: DT_FLOAT }
      input_arg { name: "v" type: DT_RESOURCE }
      output_arg { name: "y" type: DT_FLOAT }
      is_stateful: true
    }
    node_def { name: "call" op: "StatefulPartitionedCall" input: "x" input: "v"
               attr { key: "Tin" value { list { type: DT_FLOAT type: DT_RESOURCE } } }
               attr { key: "Tout" value { list { type: DT_FLOAT } } }
               attr { key: "f" value { func { name: "f" } } } }
    node_def { name: "id" op: "Identity" input: "call:output:0" attr { key: "T" value { type: DT_FLOAT } } }
    ret { key: "y" value: "id:output:0" }
  }
  function {
    signature { name: "loop" input_arg { name: "x" type: DT_FLOAT } output_arg { name: "y" type: DT_FLOAT } }
    node_def { name: "call" op: "PartitionedCall" input: "x"
               attr { key: "Tin" value { list { type: DT_FLOAT } } }
               attr { key: "Tout" value { list { type: DT_FLOAT } } }
               attr { key: "f" value { func { name: "loop" } } } }
    ret { key: "y" value: "call:output:0" }
  })pb";

tensorflow::GraphDef CallGraph(const std::string& function) {
  GraphBuilder b;
  b.Op("v", "VarHandleOp", {},
       {{"dtype", AType(tensorflow::DT_FLOAT)}, {"shape", AShape({})}, {"shared_name", AStr("v")}});
  b.Const("three", F({}, {3}));
  b.Op("assign", "AssignVariableOp", {"v", "three"}, {{"dtype", AType(tensorflow::DT_FLOAT)}});
  b.Placeholder("x", tensorflow::DT_FLOAT);
  b.Op("call", "StatefulPartitionedCall", {"x", "v"},
       {{"Tin", ATypes({tensorflow::DT_FLOAT, tensorflow::DT_RESOURCE})},
        {"Tout", ATypes({tensorflow::DT_FLOAT})},
        {"f", [&] { tensorflow::AttrValue a; a.mutable_func()->set_name(function); return a; }()}});
  *b.def().mutable_library() = Library(kLibrary);
  return b.def();
}

TEST(FunctionCall, RunsTheLibraryWithTheCallersVariables) {
  const tensorflow::GraphDef def = CallGraph("g");
  auto registry = NewServingOpRegistry(def.library());
  auto s = Session::Create(def, Serving(registry.get()));
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_TRUE((*s)->Run({}, {}, {"assign"}).ok());
  auto out = (*s)->Run({{"x:0", F({2}, {1, 2})}}, {"call:0"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<float>((*out)[0]), (std::vector<float>{4, 7}));
}

TEST(FunctionCall, ErrorsNameTheFunction) {
  const tensorflow::GraphDef def = CallGraph("g");
  // Without the library (the static registry): a clean NotFound.
  auto plain = Session::Create(def, Serving());
  ASSERT_TRUE(plain.ok()) << plain.status();
  auto r = (*plain)->Run({{"x:0", F({}, {1})}}, {"call:0"});
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("Function 'g' cannot run"), std::string::npos);
  // An uninitialized variable inside the nested function.
  auto registry = NewServingOpRegistry(def.library());
  auto s = Session::Create(def, Serving(registry.get()));
  ASSERT_TRUE(s.ok());
  auto u = (*s)->Run({{"x:0", F({}, {1})}}, {"call:0"});
  EXPECT_FALSE(u.ok());
  EXPECT_NE(u.status().message().find("[[{{function_node f}}{{node read}}]]"), std::string::npos)
      << u.status();
  // Unknown function and recursion.
  for (const char* f : {"nope", "loop"}) {
    tensorflow::GraphDef d = CallGraph(f);
    if (std::string(f) == "loop") {
      auto* call = d.mutable_node(d.node_size() - 1);
      call->clear_input();
      call->add_input("x");
      (*call->mutable_attr())["Tin"] = ATypes({tensorflow::DT_FLOAT});
    }
    auto reg = NewServingOpRegistry(d.library());
    auto ss = Session::Create(d, Serving(reg.get()));
    ASSERT_TRUE(ss.ok()) << ss.status();
    auto res = (*ss)->Run({{"x:0", F({}, {1})}}, {"call:0"});
    EXPECT_FALSE(res.ok()) << f;
    EXPECT_TRUE(res.status().message().find(std::string(f) == "nope"
                                                ? "Function 'nope' is not in the graph's function library"
                                                : "Function calls nested deeper than 64") != std::string::npos)
        << res.status();
  }
}

}  // namespace
}  // namespace tfckpt::graph
