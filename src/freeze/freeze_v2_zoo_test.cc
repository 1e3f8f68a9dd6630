// convert_variables_to_constants_v2 on the model zoo's Keras SavedModels
// (golden/zoo/tf-2.21, written by TF 2.21): each serving_default signature
// frozen by ConvertVariablesToConstantsV2 holds no variable, no resource and
// no call any more -- the SimpleRNN / LSTM / GRU While loops and keras_cond's
// map_fn loop and If stay, with their functions taking the constants instead of
// resource handles --
// and runs in the engine on TF's recorded inputs to
//  - the SavedModel's own outputs in tfckpt, bit for bit (freezing changes no
//    arithmetic; zoo_golden_test holds those within the contract of TF's);
//  - TF's recorded outputs within src/graph/README.md's per-model bound, for
//    the loop models this freeze is for.
// The oracle tier runs the same frozen graphs in TensorFlow and compares
// their structure with TF's own converter (tf_runs_frozen.py).
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "gtest/gtest.h"
#include "src/freeze/freeze_v2.h"
#include "src/graph/function_body.h"
#include "src/saved_model/loader.h"
#include "src/saved_model/signature.h"
#include "src/testing/golden_manifest.h"

namespace tfckpt::freeze {
namespace {

using nlohmann::json;
using tensor::Tensor;
namespace golden = ::tfckpt::testing::golden;

// src/graph/README.md "Numerical contract", per model (ulps from TF's).
const std::map<std::string, int64_t>& LoopBounds() {
  static const auto* b = new std::map<std::string, int64_t>{
      {"keras_simple_rnn", 8}, {"keras_lstm", 2}, {"keras_gru", 10},
      {"keras_cond", 8}};  // a StatelessWhile (tf.map_fn) around a StatelessIf
  return *b;
}

bool IsResource(tensorflow::DataType t) { return t == tensorflow::DT_RESOURCE; }

// What a frozen TF2 graph must not hold, in the graph and every function.
void ExpectFrozen(const tensorflow::GraphDef& g, const std::string& model) {
  auto check_node = [&](const tensorflow::NodeDef& n, const std::string& where) {
    EXPECT_NE(n.op(), "VarHandleOp") << model << where << n.name();
    EXPECT_NE(n.op(), "ReadVariableOp") << model << where << n.name();
    EXPECT_NE(n.op(), "StatefulPartitionedCall") << model << where << n.name();
    EXPECT_NE(n.op(), "PartitionedCall") << model << where << n.name();
    for (const auto& [name, attr] : n.attr()) {
      for (int t : attr.list().type()) {
        EXPECT_FALSE(IsResource(static_cast<tensorflow::DataType>(t)))
            << model << where << n.name() << " attr " << name;
      }
      EXPECT_FALSE(IsResource(attr.type())) << model << where << n.name() << " attr " << name;
    }
  };
  // The functions control flow calls (While's cond and body, If's and
  // Case's branches), from the graph and from function bodies.
  std::set<std::string> called;
  auto note_calls = [&](const tensorflow::NodeDef& n) {
    std::vector<std::string> names;
    graph::AppendAttrFunctions(n, &names);
    called.insert(names.begin(), names.end());
  };
  for (const auto& n : g.node()) {
    check_node(n, ": node ");
    note_calls(n);
  }
  for (const auto& f : g.library().function()) {
    for (const auto& n : f.node_def()) note_calls(n);
  }
  std::set<std::string> library;
  for (const auto& f : g.library().function()) {
    library.insert(f.signature().name());
    for (const auto& a : f.signature().input_arg()) {
      EXPECT_FALSE(IsResource(a.type())) << model << ": " << f.signature().name() << " arg "
                                         << a.name();
    }
    for (const auto& a : f.signature().output_arg()) {
      EXPECT_FALSE(IsResource(a.type())) << model << ": " << f.signature().name() << " output "
                                         << a.name();
    }
    for (const auto& n : f.node_def()) check_node(n, ": " + f.signature().name() + "/");
  }
  EXPECT_EQ(library, called) << model << ": the library holds exactly the functions control flow calls";
}

TEST(FreezeV2Zoo, KerasSavedModelsFreezeAndRunWithTheirOutputs) {
  int models = 0, loops = 0;
  // The 2.21 zoo only: the 1.15 zoo's SavedModels are TF1-style graphs
  // (VariableV2 and RestoreV2 in the graph, no functions or resource
  // variables), which the TF1 converter freezes (freeze.h; zoo_golden_test
  // runs TF's own frozen.pb of each); freeze_v2 has nothing to inline there.
  const golden::Corpus& zoo = golden::Zoos().at(0);
  ASSERT_EQ(zoo.version, "2.21");
  for (const json& s : zoo.manifest["scenarios"]) {
    const std::string name = s["name"];
    if (name.rfind("keras_", 0) != 0) continue;
    SCOPED_TRACE(name);
    const json& run = s["runs"][0];
    ASSERT_EQ(run["name"], "serving_default");
    auto bundle = saved_model::LoadSavedModel(zoo.Path(s, "saved_model"), {"serve"});
    ASSERT_TRUE(bundle.ok()) << bundle.status();
    const tensorflow::SignatureDef& sig = (*bundle)->signatures().at("serving_default");
    std::vector<std::string> outputs, fetches;
    for (const json& o : run["outputs"]) {
      const std::string tensor = sig.outputs().at(o["name"].get<std::string>()).name();
      fetches.push_back(tensor);
      outputs.push_back(tensor.substr(0, tensor.find(':')));
    }
    graph::Session* session = (*bundle)->session();
    auto frozen = ConvertVariablesToConstantsV2(
        (*bundle)->meta_graph_def().graph_def(), outputs,
        [session](const tensorflow::NodeDef& n) { return ResourceVariableValue(*session, n); });
    ASSERT_TRUE(frozen.ok()) << frozen.status();
    ExpectFrozen(*frozen, name);
    const std::string path = ::testing::TempDir() + "/" + name + ".frozen.pb";
    ASSERT_TRUE(WriteGraphDef(*frozen, path).ok());
    auto loaded = saved_model::LoadFrozenGraph(path);
    ASSERT_TRUE(loaded.ok()) << loaded.status();

    saved_model::NamedTensors inputs;
    std::vector<std::pair<std::string, Tensor>> feeds;
    for (const json& in : run["inputs"]) {
      inputs[in["name"]] = golden::FromManifest(in);
      feeds.emplace_back(sig.inputs().at(in["name"].get<std::string>()).name(),
                         golden::FromManifest(in));
    }
    auto want = saved_model::RunSignature(**bundle, "serving_default", inputs);
    ASSERT_TRUE(want.ok()) << want.status();
    auto got = saved_model::RunTensors(**loaded, feeds, fetches);
    ASSERT_TRUE(got.ok()) << got.status();
    for (size_t i = 0; i < fetches.size(); ++i) {
      const json& o = run["outputs"][i];
      const Tensor& mine = (*got)[i];
      EXPECT_TRUE(mine.BitwiseEquals(want->at(o["name"].get<std::string>())))
          << fetches[i] << ": the frozen graph's output differs from the SavedModel's";
      const auto bound = LoopBounds().find(name);
      if (bound == LoopBounds().end()) continue;
      const int64_t ulps = golden::ExpectClose(mine, o, bound->second);
      std::cout << "frozen " << name << ": " << ulps << " ulps from TF (bound " << bound->second
                << ")\n";
    }
    bool has_loop = false;
    for (const auto& n : frozen->node()) {
      has_loop = has_loop || n.op() == "While" || n.op() == "StatelessWhile";
    }
    EXPECT_EQ(has_loop, LoopBounds().count(name) > 0) << "the While loops stay functional";
    loops += has_loop;
    ++models;
  }
  EXPECT_GE(models, 11);
  EXPECT_EQ(loops, 4);
}

}  // namespace
}  // namespace tfckpt::freeze
