#include "src/graph/op_registry.h"

#include <fstream>
#include <set>
#include <sstream>

#include <google/protobuf/text_format.h>
#include <nlohmann/json.hpp>

#include "gtest/gtest.h"
#include "proto/meta_graph.pb.h"
#include "proto/saved_model.pb.h"
#include "src/graph/serving_ops.h"
#include "src/graph/test_util.h"

namespace tfckpt::graph {
namespace {

TEST(OpRegistry, GlobalRegistersEveryOpWithoutErrors) {
  const OpRegistry& r = OpRegistry::Global();
  ASSERT_TRUE(r.status().ok()) << r.status();
  const std::set<std::string> expected = {
      "Add", "AddV2", "ArgMax", "Assign", "AssignAdd", "AssignAddVariableOp", "AssignSub",
      "AssignSubVariableOp", "AssignVariableOp", "BiasAdd", "Cast", "ConcatV2", "Const",
      "DisableCopyOnRead", "Enter", "Equal", "Exit", "Fill", "Identity", "IdentityN", "IsVariableInitialized",
      "Log", "LoopCond", "MatMul", "Maximum", "Mean", "Merge", "MergeV2Checkpoints", "Minimum", "Mul", "Neg", "NextIteration", "NoOp",
      "OnesLike", "Pack", "Placeholder", "PlaceholderWithDefault", "RandomStandardNormal",
      "RandomUniform", "ReadVariableOp", "RealDiv", "RefEnter", "RefExit", "RefMerge", "RefNextIteration", "Relu", "Reshape", "Restore", "RestoreSlice",
      "RefSwitch", "RestoreV2", "Save", "SaveSlices", "SaveV2", "Select", "SelectV2", "Shape",
      "ShardedFilename", "ShardedFilespec", "Sigmoid", "Softmax", "StaticRegexFullMatch",
      "StringJoin", "Sub", "Sum", "Switch", "Tanh", "TruncatedNormal", "VarHandleOp", "VarIsInitializedOp",
      "Variable", "VariableV2", "ZerosLike", "_SwitchN"};
  const std::vector<std::string> names = r.OpNames();
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()), expected);
  for (const std::string& name : names) EXPECT_TRUE(r.Find(name)->kernel) << name;
  EXPECT_EQ(r.Find("Conv2D"), nullptr);
}

TEST(OpDefBuilder, ParsesTensorFlowSpecs) {
  auto op = OpDefBuilder("X")
                .Input("a: Ref(T)")
                .Input("b: N * float")
                .Input("c: dtypes")
                .Output("d: int32")
                .Attr("T: {float, int64} = DT_FLOAT")
                .Attr("N: int >= 2")
                .Attr("dtypes: list(type) >= 1")
                .Attr("s: string = 'x y'")
                .Attr("f: {'A', 'B'} = 'B'")
                .Attr("shape: shape = { unknown_rank: true }")
                .Attr("l: list(string) = []")
                .Attr("k: int >= -2 = -1")
                .SetIsStateful()
                .Build();
  ASSERT_TRUE(op.ok()) << op.status();
  EXPECT_TRUE(op->input_arg(0).is_ref());
  EXPECT_EQ(op->input_arg(0).type_attr(), "T");
  EXPECT_EQ(op->input_arg(1).number_attr(), "N");
  EXPECT_EQ(op->input_arg(1).type(), tensorflow::DT_FLOAT);
  EXPECT_EQ(op->input_arg(2).type_list_attr(), "dtypes");
  EXPECT_EQ(op->output_arg(0).type(), tensorflow::DT_INT32);
  EXPECT_EQ(op->attr(0).allowed_values().list().type_size(), 2);
  EXPECT_EQ(op->attr(0).default_value().type(), tensorflow::DT_FLOAT);
  EXPECT_TRUE(op->attr(1).has_minimum());
  EXPECT_EQ(op->attr(1).minimum(), 2);
  EXPECT_EQ(op->attr(3).default_value().s(), "x y");
  EXPECT_EQ(op->attr(4).type(), "string");
  EXPECT_EQ(op->attr(4).allowed_values().list().s_size(), 2);
  EXPECT_TRUE(op->attr(5).default_value().shape().unknown_rank());
  EXPECT_TRUE(op->attr(6).default_value().has_list());
  EXPECT_EQ(op->attr(7).minimum(), -2);
  EXPECT_EQ(op->attr(7).default_value().i(), -1);
  EXPECT_TRUE(op->is_stateful());
}

TEST(OpDefBuilder, RejectsBadSpecs) {
  for (const char* attr : {"T", "T: nosuchtype", "T: {float, nosuch}", "N: int >= x",
                           "b: bool = maybe", "T: type = DT_NOPE", "s: string = unquoted"}) {
    SCOPED_TRACE(attr);
    auto op = OpDefBuilder("X").Attr(attr).Build();
    ASSERT_FALSE(op.ok());
    EXPECT_NE(op.status().message().find("op X: spec"), std::string::npos);
  }
  EXPECT_FALSE(OpDefBuilder("X").Input("a: T").Build().ok());          // undeclared attr
  EXPECT_FALSE(OpDefBuilder("X").Input("a: N * T").Attr("T: type").Build().ok());
  EXPECT_FALSE(OpDefBuilder("X").Attr("T: type").Attr("T: type").Build().ok());
  OpRegistry r;
  r.Register(OpDefBuilder("A"), nullptr);
  r.Register(OpDefBuilder("A"), nullptr);
  EXPECT_EQ(r.status().code(), StatusCode::kAlreadyExists);
}

// The OpDef without documentation and newer experimental fields.
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
  for (auto& a : *op.mutable_attr()) a.clear_description();
  return op;
}

// Every OpDef TF 2.21 wrote into a golden meta graph (stripped_op_list)
// for an op we register must equal ours: args, attrs, defaults, allowed
// values, minimums and flags.
TEST(OpRegistry, OpDefsEqualTensorFlow221Goldens) {
  std::ifstream in(testing::Runfile("golden/MANIFEST.json"));
  ASSERT_TRUE(in) << "no MANIFEST.json";
  const nlohmann::json m = nlohmann::json::parse(in);
  std::map<std::string, tensorflow::OpDef> golden;
  int files = 0;
  for (const auto& s : m["scenarios"]) {
    for (const auto& f : s["files"]) {
      const std::string path = f["path"];
      const bool meta = path.size() > 5 && path.substr(path.size() - 5) == ".meta";
      const bool saved_model = path.size() >= 14 && path.substr(path.size() - 14) == "saved_model.pb";
      if (!meta && !saved_model) continue;
      std::ifstream file(testing::Runfile("golden/tf-2.21/" + s["dir"].get<std::string>() + "/" + path),
                         std::ios::binary);
      ASSERT_TRUE(file) << path;
      std::stringstream bytes;
      bytes << file.rdbuf();
      std::vector<tensorflow::MetaGraphDef> metas;
      if (meta) {
        metas.emplace_back();
        ASSERT_TRUE(metas.back().ParseFromString(bytes.str())) << path;
      } else {
        tensorflow::SavedModel sm;
        ASSERT_TRUE(sm.ParseFromString(bytes.str())) << path;
        metas.assign(sm.meta_graphs().begin(), sm.meta_graphs().end());
      }
      ++files;
      for (const auto& mg : metas) {
        for (const auto& op : mg.meta_info_def().stripped_op_list().op()) {
          auto [it, inserted] = golden.emplace(op.name(), Normalized(op));
          if (!inserted) {
            EXPECT_EQ(it->second.DebugString(), Normalized(op).DebugString())
                << "goldens disagree on " << op.name();
          }
        }
      }
    }
  }
  EXPECT_GE(files, 15);
  int compared = 0;
  for (const auto& [name, op] : golden) {
    const OpRegistration* reg = OpRegistry::Global().Find(name);
    if (reg == nullptr) continue;
    EXPECT_EQ(Normalized(reg->op_def).DebugString(), op.DebugString()) << name;
    ++compared;
  }
  // AddV2, Assign, AssignAdd, AssignSub, AssignVariableOp, Cast, ConcatV2,
  // Const, DisableCopyOnRead, Fill, Identity, IsVariableInitialized,
  // MatMul, Mean, MergeV2Checkpoints, Mul, NoOp, Pack, Placeholder,
  // PlaceholderWithDefault, RandomStandardNormal, ReadVariableOp, RealDiv,
  // Relu, Reshape, RestoreV2, SaveSlices, SaveV2, Select, Shape,
  // ShardedFilename, Softmax, StaticRegexFullMatch, StringJoin, Sub, Sum,
  // VarHandleOp, VarIsInitializedOp, VariableV2, ZerosLike.
  EXPECT_GE(compared, 40);
}

// The serving registry's OpDefs (the layer kernels the model zoo needs:
// MaxPool, FusedBatchNormV3, ResourceGather, ...) against the OpDefs TF
// 2.21 wrote into the zoo's SavedModels and meta graphs. One known
// difference: OpDefBuilder writes no list(int) default but [], so
// `dilations` of the conv ops defaults to [] (read as [1, 1, 1, 1]).
TEST(OpRegistry, ServingOpDefsEqualTheZoos) {
  std::ifstream in(testing::Runfile("golden/zoo/MANIFEST.json"));
  ASSERT_TRUE(in) << "no zoo MANIFEST.json";
  const nlohmann::json m = nlohmann::json::parse(in);
  std::map<std::string, tensorflow::OpDef> golden;
  for (const auto& s : m["scenarios"]) {
    for (const auto& f : s["files"]) {
      const std::string path = f["path"];
      const bool meta = path.size() > 5 && path.substr(path.size() - 5) == ".meta";
      const bool saved_model = path.size() >= 14 && path.substr(path.size() - 14) == "saved_model.pb";
      if (!meta && !saved_model) continue;
      std::ifstream file(testing::Runfile("golden/zoo/tf-2.21/" + s["dir"].get<std::string>() + "/" + path),
                         std::ios::binary);
      ASSERT_TRUE(file) << path;
      std::stringstream bytes;
      bytes << file.rdbuf();
      tensorflow::SavedModel sm;
      if (meta) {
        ASSERT_TRUE(sm.add_meta_graphs()->ParseFromString(bytes.str())) << path;
      } else {
        ASSERT_TRUE(sm.ParseFromString(bytes.str())) << path;
      }
      for (const auto& mg : sm.meta_graphs()) {
        for (const auto& op : mg.meta_info_def().stripped_op_list().op()) {
          golden.emplace(op.name(), Normalized(op));
        }
      }
    }
  }
  int compared = 0;
  const OpRegistry& serving = ServingOpRegistry();
  for (const auto& [name, tf_op] : golden) {
    const OpRegistration* reg = serving.Find(name);
    if (reg == nullptr) {
      ADD_FAILURE() << "the zoo uses " << name << ", which the serving registry lacks";
      continue;
    }
    tensorflow::OpDef ours = Normalized(reg->op_def);
    tensorflow::OpDef want = tf_op;
    for (auto* op : {&ours, &want}) {
      for (auto& a : *op->mutable_attr()) {
        if (a.name() == "dilations") a.clear_default_value();
      }
    }
    EXPECT_EQ(ours.DebugString(), want.DebugString()) << name;
    ++compared;
  }
  EXPECT_GE(compared, 60);
}

// The OpDefs of the functional conditionals as TF 2.21.0 has them, printed by
//   from tensorflow.python.framework import op_def_registry
//   print(op_def_registry.get("If")); print(op_def_registry.get("Case"))
// StatelessIf / StatelessCase are the same without is_stateful (also
// printed so). The zoo's keras_cond checks StatelessIf above as well.
TEST(OpRegistry, ConditionalOpDefsEqualTensorFlow221) {
  constexpr char kIf[] = R"pb(
    name: "If"
    input_arg { name: "cond" type_attr: "Tcond" }
    input_arg { name: "input" type_list_attr: "Tin" }
    output_arg { name: "output" type_list_attr: "Tout" }
    attr { name: "Tcond" type: "type" }
    attr { name: "Tin" type: "list(type)" has_minimum: true }
    attr { name: "Tout" type: "list(type)" has_minimum: true }
    attr { name: "then_branch" type: "func" }
    attr { name: "else_branch" type: "func" }
    attr { name: "output_shapes" type: "list(shape)" default_value { list {} } }
    is_stateful: true
  )pb";
  constexpr char kCase[] = R"pb(
    name: "Case"
    input_arg { name: "branch_index" type: DT_INT32 }
    input_arg { name: "input" type_list_attr: "Tin" }
    output_arg { name: "output" type_list_attr: "Tout" }
    attr { name: "Tin" type: "list(type)" has_minimum: true }
    attr { name: "Tout" type: "list(type)" has_minimum: true }
    attr { name: "branches" type: "list(func)" has_minimum: true minimum: 1 }
    attr { name: "output_shapes" type: "list(shape)" default_value { list {} } }
    is_stateful: true
  )pb";
  const OpRegistry& serving = ServingOpRegistry();
  for (const char* text : {kIf, kCase}) {
    tensorflow::OpDef tf_op;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &tf_op));
    for (bool stateless : {false, true}) {
      tensorflow::OpDef want = tf_op;
      if (stateless) {
        want.set_name("Stateless" + tf_op.name());
        want.clear_is_stateful();
      }
      const OpRegistration* reg = serving.Find(want.name());
      ASSERT_NE(reg, nullptr) << want.name();
      EXPECT_EQ(Normalized(reg->op_def).DebugString(), want.DebugString()) << want.name();
    }
  }
}

}  // namespace
}  // namespace tfckpt::graph
