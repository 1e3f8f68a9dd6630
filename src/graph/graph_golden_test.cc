// TF-written graphs (golden/tf-2.21, described by golden/MANIFEST.json) run
// by the engine: frozen graphs with TF's recorded inputs give TF's recorded
// outputs; Saver graphs restore TF's checkpoints into their variables and
// save them back byte for byte; RestoreV2 / Save give TF's values and error
// texts for every dtype.
//
// Float tolerance: outputs of MatMul / BiasAdd / AddV2 / Relu chains must be
// bit-exact (MatMul reproduces TF's fused multiply-add order). Outputs that
// went through Softmax's exp may differ by kMaxSoftmaxUlps, since exp is
// Eigen's vectorized polynomial in TF's AVX2+FMA build and in ours. The
// observed maximum is printed and recorded as a test property (it is 0 on
// x86-64 with TF 2.21's goldens).

#include <fstream>
#include <sstream>

#include <google/protobuf/text_format.h>
#include <nlohmann/json.hpp>

#include "gtest/gtest.h"
#include "proto/meta_graph.pb.h"
#include "proto/saved_model.pb.h"
#include "src/graph/test_util.h"
#include "src/testing/golden_manifest.h"
#include "src/io/env.h"
#include "src/testing/runfiles.h"

namespace tfckpt::graph {
namespace {

using namespace testing;  // NOLINT
using nlohmann::json;

constexpr int64_t kMaxSoftmaxUlps = 2;

using namespace ::tfckpt::testing::golden;  // NOLINT: MANIFEST helpers

tensorflow::GraphDef GraphDefFile(const std::string& path) {
  tensorflow::GraphDef g;
  EXPECT_TRUE(g.ParseFromString(ReadFile(path))) << path;
  return g;
}

tensorflow::MetaGraphDef MetaFile(const std::string& path) {
  tensorflow::MetaGraphDef m;
  EXPECT_TRUE(m.ParseFromString(ReadFile(path))) << path;
  return m;
}

std::unique_ptr<Session> NewSession(const tensorflow::GraphDef& def, bool lenient = false) {
  SessionOptions options;
  options.graph.allow_unregistered_ops = lenient;
  auto s = Session::Create(def, options);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? std::move(*s) : nullptr;
}

// "name:0" of a variable after a restore: reference variables are fetched,
// resource variables read from the session state by shared_name.
StatusOr<Tensor> VariableValue(Session* session, const std::string& tensor_name) {
  auto t = ParseTensorName(tensor_name);
  if (!t.ok()) return t.status();
  const Node* node = session->graph().FindNode(t->node);
  if (node != nullptr && node->op() == "VarHandleOp") {
    const auto& vars = session->state().resource_variables();
    auto it = vars.find(StrCat("localhost/", node->FindAttr("shared_name")->s()));
    if (it == vars.end()) return NotFoundError(StrCat("no resource variable ", tensor_name));
    return it->second->value;
  }
  TFCKPT_ASSIGN_OR_RETURN(std::vector<Tensor> out, session->Run({}, {tensor_name}));
  return out[0];
}

using ::tfckpt::testing::TempDir;

TEST(GoldenFrozen, FreezeAddGivesThree) {
  for (const char* scenario : {"freeze_add", "freeze_add_resource"}) {
    SCOPED_TRACE(scenario);
    auto session = NewSession(GraphDefFile(Golden(scenario, "combined_model.pb")));
    ASSERT_NE(session, nullptr);
    const json& want = RunOf(scenario, "import_graph_def_no_prefix")["outputs"][0];
    auto out = session->Run({}, {want["name"].get<std::string>()});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_TRUE(Matches((*out)[0], want));
    EXPECT_EQ((*out)[0].flat<float>()[0], 3.0f);
  }
}

TEST(GoldenFrozen, FreezeMlpGivesTensorFlowsOutputs) {
  auto session = NewSession(GraphDefFile(Golden("freeze_mlp", "frozen_mlp.pb")));
  ASSERT_NE(session, nullptr);
  const json& run = RunOf("freeze_mlp", "import_graph_def");
  auto out = session->Run({{"input:0", FromManifest(run["inputs"][0])}}, {"logits:0", "probs:0"});
  ASSERT_TRUE(out.ok()) << out.status();
  int64_t worst = 0;
  // MANIFEST lists probs, logits.
  worst = std::max(worst, ExpectClose((*out)[0], run["outputs"][1], 0));
  worst = std::max(worst, ExpectClose((*out)[1], run["outputs"][0], kMaxSoftmaxUlps));
  ReportUlps("freeze_mlp", worst);
}

TEST(GoldenSaver, FreezeMlpVariableGraphRestoresAndRuns) {
  const tensorflow::MetaGraphDef meta = MetaFile(Golden("freeze_mlp", "model.ckpt.meta"));
  auto session = NewSession(meta.graph_def());
  ASSERT_NE(session, nullptr);
  ASSERT_TRUE(RestoreFromSaverDef(session.get(), meta.saver_def(), Golden("freeze_mlp", "model.ckpt")).ok());
  for (const json& w : RunOf("freeze_mlp", "weights")["outputs"]) {
    auto v = VariableValue(session.get(), w["name"]);
    ASSERT_TRUE(v.ok()) << v.status();
    EXPECT_TRUE(Matches(*v, w));
  }
  const json& run = RunOf("freeze_mlp", "before_freeze");
  auto out = session->Run({{"input:0", FromManifest(run["inputs"][0])}}, {"probs:0", "logits:0"});
  ASSERT_TRUE(out.ok()) << out.status();
  int64_t worst = 0;
  worst = std::max(worst, ExpectClose((*out)[0], run["outputs"][0], kMaxSoftmaxUlps));
  worst = std::max(worst, ExpectClose((*out)[1], run["outputs"][1], 0));
  ReportUlps("freeze_mlp_variables", worst);
}

// Restore, compare with the recorded values, then save and compare the
// files with TF's byte for byte.
void RestoreAndSaveBack(const std::string& scenario, const std::vector<std::string>& files) {
  const tensorflow::MetaGraphDef meta = MetaFile(Golden(scenario, "model.ckpt.meta"));
  auto session = NewSession(meta.graph_def());
  ASSERT_NE(session, nullptr);
  Status s = RestoreFromSaverDef(session.get(), meta.saver_def(), Golden(scenario, "model.ckpt"));
  ASSERT_TRUE(s.ok()) << s;
  for (const json& want : RunOf(scenario, "save")["outputs"]) {
    auto v = VariableValue(session.get(), want["name"]);
    ASSERT_TRUE(v.ok()) << v.status();
    EXPECT_TRUE(Matches(*v, want));
  }
  const std::string prefix = TempDir(scenario) + "/model.ckpt";
  auto path = SaveWithSaverDef(session.get(), meta.saver_def(), prefix);
  ASSERT_TRUE(path.ok()) << path.status();
  EXPECT_EQ(*path, prefix);
  for (const std::string& f : files) {
    EXPECT_EQ(ReadFile(TempDir(scenario) + "/" + f) == ReadFile(Golden(scenario, f)), true)
        << scenario << ": " << f << " differs from TF's";
  }
}

TEST(GoldenSaver, UninitializedVariablesAndUnfedPlaceholders) {
  const tensorflow::MetaGraphDef meta = MetaFile(Golden("saver_v2_basic", "model.ckpt.meta"));
  auto session = NewSession(meta.graph_def());
  ASSERT_NE(session, nullptr);
  auto read = session->Run({}, {"v1/read:0"});
  EXPECT_EQ(read.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(read.status().message(), "Attempting to use uninitialized value v1\n\t [[{{node v1/read}}]]");
  auto save = session->Run({}, {meta.saver_def().save_tensor_name()});
  EXPECT_EQ(Message(save.status()), "Attempting to use uninitialized value v1");
  // init runs the (seeded) initializers; values are not TF's random streams.
  ASSERT_TRUE(session->Run({}, {}, {"init"}).ok());
  auto v = session->Run({}, {"v1:0", "v2:0"});
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ((*v)[1].shape(), TensorShape({2, 3}));
  const tensorflow::GraphDef mlp = GraphDefFile(Golden("freeze_mlp", "frozen_mlp.pb"));
  EXPECT_EQ(Message(NewSession(mlp)->Run({}, {"probs:0"}).status()),
            "You must feed a value for placeholder tensor 'input' with dtype float and shape [?,4]");
}

TEST(GoldenSaver, V2RestoresAndSavesTheSameBytes) {
  RestoreAndSaveBack("saver_v2_basic", {"model.ckpt.index", "model.ckpt.data-00000-of-00001"});
}

TEST(GoldenSaver, V2ResourceVariables) {
  RestoreAndSaveBack("saver_v2_resource", {"model.ckpt.index", "model.ckpt.data-00000-of-00001"});
}

TEST(GoldenSaver, V1RestoresThroughRestoreV2AndSavesWithSaveSlices) {
  RestoreAndSaveBack("saver_v1_basic", {"model.ckpt"});
}

TEST(GoldenSaver, ShardedSaveMergesLikeTensorFlow) {
  RestoreAndSaveBack("sharded", {"model.ckpt.index", "model.ckpt.data-00000-of-00003",
                                 "model.ckpt.data-00001-of-00003", "model.ckpt.data-00002-of-00003"});
  EXPECT_FALSE(io::Env::Default()->FileExists(TempDir("sharded") + "/model.ckpt_temp"));
}

TEST(GoldenSaver, PartitionedVariablesRestoreFromSlices) {
  const tensorflow::MetaGraphDef meta = MetaFile(Golden("partitioned", "model.ckpt.meta"));
  auto session = NewSession(meta.graph_def());
  ASSERT_NE(session, nullptr);
  ASSERT_TRUE(RestoreFromSaverDef(session.get(), meta.saver_def(), Golden("partitioned", "model.ckpt")).ok());
  int checked = 0;
  for (const json& want : RunOf("partitioned", "save")["outputs"]) {
    const std::string name = want["name"];
    if (name.find(':') == std::string::npos) continue;  // "pv (as_tensor)"
    auto v = VariableValue(session.get(), name);
    ASSERT_TRUE(v.ok()) << v.status();
    EXPECT_TRUE(Matches(*v, want));
    ++checked;
  }
  EXPECT_EQ(checked, 4);
}

TEST(GoldenSaver, MetaGraphModelRunsAfterRestore) {
  const tensorflow::MetaGraphDef meta = MetaFile(Golden("meta_graph", "model.ckpt.meta"));
  auto session = NewSession(meta.graph_def());
  ASSERT_NE(session, nullptr);
  ASSERT_TRUE(RestoreFromSaverDef(session.get(), meta.saver_def(), Golden("meta_graph", "model.ckpt")).ok());
  const json& run = RunOf("meta_graph", "import_meta_graph");
  for (const json& v : run["variables"]) EXPECT_TRUE(Matches(*VariableValue(session.get(), v["name"]), v));
  auto out = session->Run({{"x:0", FromManifest(run["inputs"][0])}}, {"model/y:0"});
  ASSERT_TRUE(out.ok()) << out.status();
  ReportUlps("meta_graph", ExpectClose((*out)[0], run["outputs"][0], 0));
}

TEST(GoldenSavedModel, SimpleSaveServingSignature) {
  tensorflow::SavedModel sm;
  ASSERT_TRUE(sm.ParseFromString(ReadFile(Golden("saved_model_simple_save", "saved_model/saved_model.pb"))));
  const tensorflow::MetaGraphDef& meta = sm.meta_graphs(0);
  auto session = NewSession(meta.graph_def());
  ASSERT_NE(session, nullptr);
  ASSERT_TRUE(RestoreFromSaverDef(session.get(), meta.saver_def(),
                                  Golden("saved_model_simple_save", "saved_model/variables/variables"))
                  .ok());
  const json& run = RunOf("saved_model_simple_save", "load_serving_default");
  auto out = session->Run({{"myInput:0", FromManifest(run["inputs"][0])}}, {"myOutput:0"});
  ASSERT_TRUE(out.ok()) << out.status();
  ReportUlps("saved_model_simple_save", ExpectClose((*out)[0], run["outputs"][0], kMaxSoftmaxUlps));
}

// The builder's MetaGraphs use lookup tables (not implemented): built with
// allow_unregistered_ops, the signatures' dense outputs still run.
TEST(GoldenSavedModel, BuilderSignaturesWithoutTheTables) {
  tensorflow::SavedModel sm;
  ASSERT_TRUE(sm.ParseFromString(ReadFile(Golden("saved_model_builder", "saved_model/saved_model.pb"))));
  for (const char* run_name : {"load_serve_custom_tag_predict", "load_train"}) {
    SCOPED_TRACE(run_name);
    const json& run = RunOf("saved_model_builder", run_name);
    const tensorflow::MetaGraphDef* meta = nullptr;
    for (const auto& m : sm.meta_graphs()) {
      if (std::vector<std::string>(m.meta_info_def().tags().begin(), m.meta_info_def().tags().end()) ==
          run["tags"].get<std::vector<std::string>>()) {
        meta = &m;
      }
    }
    ASSERT_NE(meta, nullptr);
    auto session = NewSession(meta->graph_def(), /*lenient=*/true);
    ASSERT_NE(session, nullptr);
    ASSERT_TRUE(RestoreFromSaverDef(session.get(), meta->saver_def(),
                                    Golden("saved_model_builder", "saved_model/variables/variables"))
                    .ok());
    std::vector<Session::Feed> feeds;
    for (const json& in : run["inputs"]) {
      if (in["name"] == "x:0") feeds.push_back({"x:0", FromManifest(in)});
    }
    const json* y = nullptr;
    for (const json& o : run["outputs"]) {
      if (o["name"] == "y:0") y = &o;
    }
    auto out = session->Run(feeds, {"y:0"});
    ASSERT_TRUE(out.ok()) << out.status();
    ReportUlps(StrCat("saved_model_builder_", run_name), ExpectClose((*out)[0], *y, 0));
  }
}

// A training graph (gradients, GatherV2, cross-entropy: not implemented)
// still restores and runs its forward pass up to the softmax.
TEST(GoldenSaver, FieldBindingForwardPass) {
  const tensorflow::MetaGraphDef meta = MetaFile(Golden("field_binding", "model.ckpt.meta"));
  auto session = NewSession(meta.graph_def(), /*lenient=*/true);
  ASSERT_NE(session, nullptr);
  ASSERT_TRUE(RestoreFromSaverDef(session.get(), meta.saver_def(), Golden("field_binding", "model.ckpt")).ok());
  const json& run = RunOf("field_binding", "rebound_forward");
  auto out = session->Run({{"x:0", FromManifest(run["inputs"][0])}}, {"probs:0"});
  ASSERT_TRUE(out.ok()) << out.status();
  ReportUlps("field_binding", ExpectClose((*out)[0], run["outputs"][0], kMaxSoftmaxUlps));
  // The loss needs SparseSoftmaxCrossEntropyWithLogits: a clear error.
  auto loss = session->Run({{"x:0", FromManifest(run["inputs"][0])},
                            {"labels:0", FromManifest(run["inputs"][1])}},
                           {"loss:0"});
  EXPECT_EQ(loss.status().code(), StatusCode::kNotFound);
  EXPECT_NE(loss.status().message().find("Op type not registered '"), std::string::npos)
      << loss.status();
}

TEST(GoldenSaver, VariableScopesRefAndResource) {
  for (const char* scenario : {"variable_scopes", "variable_scopes_resource"}) {
    SCOPED_TRACE(scenario);
    const tensorflow::MetaGraphDef meta = MetaFile(Golden(scenario, "model.ckpt.meta"));
    auto session = NewSession(meta.graph_def());
    ASSERT_NE(session, nullptr);
    ASSERT_TRUE(RestoreFromSaverDef(session.get(), meta.saver_def(), Golden(scenario, "model.ckpt")).ok());
    for (const json& want : RunOf(scenario, "variables")["outputs"]) {
      auto v = VariableValue(session.get(), want["name"]);
      ASSERT_TRUE(v.ok()) << v.status();
      EXPECT_TRUE(Matches(*v, want));
    }
  }
}

// Every Saver graph of the goldens restores its checkpoint; each variable
// named like a checkpoint key then holds exactly that tensor. Graphs with
// ops the engine lacks (EMA's control flow, training ops) are built with
// allow_unregistered_ops: their restore path needs none of them.
TEST(GoldenSaver, EveryMetaGraphRestoresEveryVariable) {
  int graphs = 0, compared = 0;
  for (const json& s : Manifest()["scenarios"]) {
    if (!s.contains("checkpoints")) continue;
    for (const json& c : s["checkpoints"]) {
      const std::string prefix = c["prefix"];
      bool has_meta = false;
      for (const json& f : s["files"]) has_meta = has_meta || f["path"] == prefix + ".meta";
      if (!has_meta) continue;
      SCOPED_TRACE(StrCat(s["name"].get<std::string>(), "/", prefix));
      const tensorflow::MetaGraphDef meta = MetaFile(Golden(s["name"], prefix + ".meta"));
      auto session = NewSession(meta.graph_def(), /*lenient=*/true);
      ASSERT_NE(session, nullptr);
      Status r = RestoreFromSaverDef(session.get(), meta.saver_def(), Golden(s["name"], prefix));
      ASSERT_TRUE(r.ok()) << r;
      ++graphs;
      for (const json& t : c["tensors"]) {
        const std::string key = t["name"];
        const auto& refs = session->state().ref_variables();
        const auto& res = session->state().resource_variables();
        const Tensor* v = nullptr;
        if (auto it = refs.find("localhost/" + key); it != refs.end()) v = &it->second->value;
        if (auto it = res.find("localhost/" + key); it != res.end()) v = &it->second->value;
        if (v == nullptr) continue;  // renamed or partitioned
        EXPECT_TRUE(Matches(*v, t));
        ++compared;
      }
    }
  }
  EXPECT_GE(graphs, 14);
  EXPECT_GE(compared, 40);
  std::cout << graphs << " saver graphs restored, " << compared << " variables compared\n";
}

// RestoreV2 of every dtype TF saved: the values TF restored, bit for bit,
// and TF's error texts.
StatusOr<std::vector<Tensor>> RestoreV2(const std::string& prefix, const std::vector<std::string>& names,
                                        const std::vector<std::string>& specs,
                                        const std::vector<DataType>& dtypes) {
  GraphBuilder b;
  b.Const("prefix", S({}, {prefix}));
  b.Const("names", S({static_cast<int64_t>(names.size())}, names));
  b.Const("specs", S({static_cast<int64_t>(specs.size())}, specs));
  b.Op("restore", "RestoreV2", {"prefix", "names", "specs"}, {{"dtypes", ATypes(dtypes)}});
  std::vector<std::string> fetches;
  for (size_t i = 0; i < dtypes.size(); ++i) fetches.push_back(StrCat("restore:", i));
  return RunGraph(b.def(), fetches);
}

void RestoreEveryDtype(const std::string& scenario, const std::string& prefix, const std::string& run) {
  std::vector<std::string> names;
  std::vector<DataType> dtypes;
  const json& outputs = RunOf(scenario, run)["outputs"];
  for (const json& o : outputs) {
    names.push_back(o["name"]);
    dtypes.push_back(Dtype(o));
  }
  auto out = RestoreV2(Golden(scenario, prefix), names, std::vector<std::string>(names.size()), dtypes);
  ASSERT_TRUE(out.ok()) << out.status();
  for (size_t i = 0; i < names.size(); ++i) EXPECT_TRUE(Matches((*out)[i], outputs[i]));
}

TEST(GoldenRestoreV2, EveryDtypeV2) { RestoreEveryDtype("dtypes", "dtypes", "restore_v2"); }

TEST(GoldenRestoreV2, EveryDtypeFromV1ThroughTheFallback) {
  RestoreEveryDtype("dtypes_v1", "dtypes_v1", "restore_v2_from_v1");
}

TEST(GoldenRestoreV2, SliceAndErrorTexts) {
  const std::string prefix = Golden("dtypes", "dtypes");
  auto slice = RestoreV2(prefix, {"float32"}, {"3 4 1,2:-"}, {tensorflow::DT_FLOAT});
  ASSERT_TRUE(slice.ok()) << slice.status();
  EXPECT_TRUE(Matches((*slice)[0], RunOf("dtypes", "restore_v2_slice")["outputs"][0]));
  struct Case {
    const char* error;
    std::vector<std::string> names, specs;
    std::vector<DataType> dtypes;
    std::string prefix;
  };
  const std::vector<Case> cases = {
      {"restore_dtype_mismatch", {"float32"}, {""}, {tensorflow::DT_DOUBLE}, prefix},
      {"restore_missing_key", {"nope"}, {""}, {tensorflow::DT_FLOAT}, prefix},
      {"restore_slice_shape_mismatch", {"float32"}, {"4 4 -:-"}, {tensorflow::DT_FLOAT}, prefix},
      {"restore_missing_prefix", {"float32"}, {""}, {tensorflow::DT_FLOAT}, "missing"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.error);
    const json* want = nullptr;
    for (const json& e : Scenario("dtypes")["errors"]) {
      if (e["name"] == c.error) want = &e;
    }
    ASSERT_NE(want, nullptr);
    auto r = RestoreV2(c.prefix, c.names, c.specs, c.dtypes);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(Message(r.status()), (*want)["status_message"].get<std::string>());
    EXPECT_EQ(StatusCodeName(r.status().code()), (*want)["error_code"].get<std::string>());
  }
}

// tf.raw_ops.Save (V1) of the dtypes V1 cannot hold: TF's texts and codes.
TEST(GoldenSaveV1, RefusesWhatTensorFlowRefuses) {
  int checked = 0;
  for (const json& e : Scenario("dtypes_v1")["errors"]) {
    const std::string name = e["name"];
    if (name.rfind("v1_save_", 0) != 0) continue;
    SCOPED_TRACE(name);
    // The tensor: from the V2 dtypes checkpoint, under the key the what-text names.
    const std::string what = e["what"];
    const std::string key = what.substr(what.find("of ") + 3, what.find(" (") - what.find("of ") - 3);
    auto reader_out = [&]() -> StatusOr<Tensor> {
      for (const json& o : RunOf("dtypes", "restore_v2")["outputs"]) {
        if (o["name"] == key) return FromManifest(o);
      }
      return NotFoundError(key);
    }();
    ASSERT_TRUE(reader_out.ok()) << key;
    GraphBuilder b;
    b.Const("file", S({}, {TempDir("v1_errors") + "/x"}));
    b.Const("names", S({1}, {key}));
    b.Const("t", *reader_out);
    b.Op("save", "Save", {"file", "names", "t"}, {{"T", ATypes({reader_out->dtype()})}});
    auto r = RunGraph(b.def(), {}, {}, {"save"});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(Message(r.status()), e["status_message"].get<std::string>());
    EXPECT_EQ(StatusCodeName(r.status().code()), e["error_code"].get<std::string>());
    ++checked;
  }
  EXPECT_EQ(checked, 6);
}

}  // namespace
}  // namespace tfckpt::graph
