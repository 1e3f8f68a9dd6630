// Models TensorFlow wrote, run by the loaders, compared with what TF
// computed:
//  - golden/ (TF 2.21, golden/MANIFEST.json `runs`): SavedModels
//    (simple_save, builder with lookup tables and assets, the TF2 module
//    through its function library), frozen graphs, MetaGraph + checkpoint
//    restores; TF's loader error texts and Session.run's feed-shape texts;
//  - ../shared/tf-golden/serving (TF Serving's testdata; skipped when
//    absent): every half_plus_two variant's serving_default and its
//    regress / classify signatures on tf.Examples, half_plus_three, the
//    counter's signatures, the legacy session bundle and the TF2 export.
// Values are compared bit for bit (sha256 of the bytes, as the MANIFEST
// records them), except outputs that went through Softmax's exp, allowed
// kMaxSoftmaxUlps (the observed maximum is printed; it is 0 on x86-64).

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include <nlohmann/json.hpp>

#include "gtest/gtest.h"
#include "src/saved_model/json_input.h"
#include "src/saved_model/loader.h"
#include "src/saved_model/signature.h"
#include "src/testing/golden_manifest.h"
#include "src/testing/shared_dir.h"

namespace tfckpt::saved_model {
namespace {

using nlohmann::json;
using tensor::Tensor;
using tensor::TensorShape;

constexpr int64_t kMaxSoftmaxUlps = 2;

using namespace ::tfckpt::testing::golden;  // NOLINT: MANIFEST helpers

template <typename T>
std::unique_ptr<Bundle> Loaded(StatusOr<std::unique_ptr<T>> b) {
  EXPECT_TRUE(b.ok()) << b.status();
  return b.ok() ? std::move(*b) : nullptr;
}

// Inputs of a MANIFEST run keyed by signature input key.
NamedTensors SignatureInputs(const json& run) {
  NamedTensors inputs;
  for (const auto& [key, name] : run["input_keys"].items()) {
    for (const json& in : run["inputs"]) {
      if (in["name"] == name) inputs[key] = FromManifest(in);
    }
  }
  return inputs;
}

const json& OutputNamed(const json& run, const std::string& name) {
  for (const json& o : run["outputs"]) {
    if (o["name"] == name) return o;
  }
  ADD_FAILURE() << "no output " << name;
  static const json empty;
  return empty;
}

// ------------------------------------------------------------ golden/ (TF 2.21)

TEST(GoldenSavedModel, SimpleSaveServingDefault) {
  const json& run = RunOf("saved_model_simple_save", "load_serving_default");
  auto b = Loaded(LoadSavedModel(Golden("saved_model_simple_save", "saved_model"),
                                 run["tags"].get<std::vector<std::string>>()));
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(b->restored());
  auto out = RunSignature(*b, run["signature"], SignatureInputs(run));
  ASSERT_TRUE(out.ok()) << out.status();
  ReportUlps("saved_model_simple_save",
             ExpectClose(out->at("myOutput"), OutputNamed(run, "myOutput:0"), kMaxSoftmaxUlps));
}

// Tags {serve, custom_tag}: main op initializes a lookup table from the
// asset vocab.txt and sets counter = 100; and the second MetaGraph {train}.
TEST(GoldenSavedModel, BuilderSignaturesWithTablesAndAssets) {
  for (const char* name : {"load_serve_custom_tag_predict", "load_train"}) {
    SCOPED_TRACE(name);
    const json& run = RunOf("saved_model_builder", name);
    auto b = Loaded(LoadSavedModel(Golden("saved_model_builder", "saved_model"),
                                   run["tags"].get<std::vector<std::string>>()));
    ASSERT_NE(b, nullptr);
    auto out = RunSignature(*b, run["signature"], SignatureInputs(run));
    ASSERT_TRUE(out.ok()) << out.status();
    for (const auto& [key, tensor_name] : run["output_keys"].items()) {
      EXPECT_TRUE(Matches(out->at(key), OutputNamed(run, tensor_name)));
    }
    EXPECT_EQ(out->size(), run["output_keys"].size());
  }
}

TEST(GoldenSavedModel, TensorFlowsLoaderErrorTexts) {
  auto missing_tag = LoadSavedModel(Golden("saved_model_simple_save", "saved_model"), {"train"});
  EXPECT_EQ(missing_tag.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing_tag.status().message(), ErrorOf("saved_model_simple_save", "load_missing_tag")["str"]);
  auto subset = LoadSavedModel(Golden("saved_model_builder", "saved_model"), {"serve"});
  EXPECT_EQ(subset.status().message(), ErrorOf("saved_model_builder", "load_subset_of_tags")["str"]);
  auto no_dir = LoadSavedModel("no_such_dir", {"serve"});
  EXPECT_EQ(no_dir.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(no_dir.status().message(), ErrorOf("saved_model_simple_save", "load_missing_dir")["str"]);
}

// The signature's input x:0 is an Identity, not a Placeholder: the session
// has no shape attr to check a feed against, so RunSignature checks the
// TensorInfo's shape (None, 3), with the text TF's Session.run raised for
// each recorded feed (TF 2.21's default TensorShape printing, "None"; the
// "?" TF prints under disable_v2_behavior is in the scenario's notes).
TEST(GoldenSavedModel, TensorInfoShapeCheckAsTensorFlow) {
  const std::string scenario = "saved_model_identity_input";
  const json& run = RunOf(scenario, "load_serving_default");
  auto b = Loaded(LoadSavedModel(Golden(scenario, "saved_model"),
                                 run["tags"].get<std::vector<std::string>>()));
  ASSERT_NE(b, nullptr);
  auto out = RunSignature(*b, run["signature"], SignatureInputs(run));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(Matches(out->at("y"), OutputNamed(run, "y:0")));
  int checked = 0;
  for (const json& err : Scenario(scenario)["errors"]) {
    SCOPED_TRACE(err["name"].get<std::string>());
    NamedTensors inputs;
    for (const auto& [key, value] : err["inputs"].items()) {
      auto t = TensorFromJson(value.dump(), tensorflow::DT_FLOAT);
      ASSERT_TRUE(t.ok()) << t.status();
      inputs[key] = *std::move(t);
    }
    auto refused = RunSignature(*b, err["signature"], inputs);
    EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(refused.status().message(), err["str"].get<std::string>());
    ++checked;
  }
  EXPECT_EQ(checked, 3);  // wrong rank, wrong size, scalar
}

// The TF2 SavedModel: signatures, restore and init run through the
// function library (StatefulPartitionedCall).
TEST(GoldenSavedModel, Tf2ModuleThroughItsFunctionLibrary) {
  auto b = Loaded(LoadSavedModel(Golden("tf2_module_saved_model", "saved_model"), {"serve"}));
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(b->restored());
  const json& sig_run = RunOf("tf2_module_saved_model", "load_signature");
  auto out = RunSignature(*b, "serving_default", {{"x", FromManifest(sig_run["inputs"][0])}});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(Matches(out->at("h"), OutputNamed(sig_run, "h")));
  EXPECT_TRUE(Matches(out->at("y"), OutputNamed(sig_run, "y")));
  // TF's TF1 loader on the same model: session.run of the signature tensors.
  const json& tf1 = RunOf("tf2_module_saved_model", "load_tf1_loader");
  auto raw = RunTensors(*b, {{"serving_default_x:0", FromManifest(tf1["inputs"][0])}},
                        {"StatefulPartitionedCall:0", "StatefulPartitionedCall:1"});
  ASSERT_TRUE(raw.ok()) << raw.status();
  EXPECT_TRUE(Matches((*raw)[0], OutputNamed(tf1, "StatefulPartitionedCall:0")));
  EXPECT_TRUE(Matches((*raw)[1], OutputNamed(tf1, "StatefulPartitionedCall:1")));
}

TEST(GoldenFrozen, ImportGraphDefRuns) {
  for (const char* scenario : {"freeze_add", "freeze_add_resource"}) {
    for (const char* file : {"combined_model.pb", "combined_model.pbtxt"}) {
      auto b = Loaded(LoadModel({Golden(scenario, file)}));
      ASSERT_NE(b, nullptr);
      EXPECT_EQ(b->kind(), ModelKind::kFrozenGraph);
      auto out = RunTensors(*b, {}, {"add:0"});
      ASSERT_TRUE(out.ok()) << out.status();
      EXPECT_TRUE(Matches((*out)[0], RunOf(scenario, "import_graph_def_no_prefix")["outputs"][0]));
    }
  }
  const json& run = RunOf("freeze_mlp", "import_graph_def");
  auto b = Loaded(LoadFrozenGraph(Golden("freeze_mlp", "frozen_mlp.pb")));
  ASSERT_NE(b, nullptr);
  auto out = RunTensors(*b, {{"input:0", FromManifest(run["inputs"][0])}}, {"logits:0", "probs:0"});
  ASSERT_TRUE(out.ok()) << out.status();
  ReportUlps("freeze_mlp_logits", ExpectClose((*out)[0], OutputNamed(run, "frozen/logits:0"), 0));
  ReportUlps("freeze_mlp_probs",
             ExpectClose((*out)[1], OutputNamed(run, "frozen/probs:0"), kMaxSoftmaxUlps));
}

// The value of tensor `name` after a restore: resource variables through
// their Read/ReadVariableOp.
StatusOr<Tensor> VariableValue(const Bundle& b, const std::string& name) {
  auto t = graph::ParseTensorName(name);
  const graph::Node* n = t.ok() ? b.session()->graph().FindNode(t->node) : nullptr;
  std::string fetch = name;
  if (n != nullptr && n->op() == "VarHandleOp") fetch = StrCat(t->node, "/Read/ReadVariableOp:0");
  TFCKPT_ASSIGN_OR_RETURN(std::vector<Tensor> out, RunTensors(b, {}, {fetch}));
  return out[0];
}

// MetaGraph + checkpoint: every variable TF saved comes back bit for bit.
TEST(GoldenMetaGraph, RestoresEveryVariable) {
  struct Case {
    const char* scenario;
    const char* run;
    const char* checkpoint;  // "" = the .meta's own prefix / directory state
  };
  for (const Case& c : {Case{"saver_v2_basic", "save", ""}, Case{"saver_v2_resource", "save", ""},
                        Case{"saver_v1_basic", "save", ""}, Case{"sharded", "save", ""},
                        Case{"variable_scopes", "variables", ""},
                        Case{"variable_scopes_resource", "variables", ""},
                        Case{"meta_graph", "variables", "."},
                        Case{"ema", "after_one_update", ""}, Case{"partitioned", "save", ""},
                        Case{"rename_map", "save", ""}, Case{"freeze_mlp", "weights", ""}}) {
    SCOPED_TRACE(c.scenario);
    ModelSpec spec{Golden(c.scenario, "model.ckpt.meta")};
    if (std::string(c.checkpoint) == ".") spec.checkpoint = Golden(c.scenario, "");
    auto b = Loaded(LoadModel(spec));
    ASSERT_NE(b, nullptr);
    EXPECT_TRUE(b->restored());
    int checked = 0;
    for (const json& o : RunOf(c.scenario, c.run)["outputs"]) {
      if (o["name"].get<std::string>().find(' ') != std::string::npos) continue;  // "pv (as_tensor)"
      auto v = VariableValue(*b, o["name"]);
      ASSERT_TRUE(v.ok()) << o["name"] << ": " << v.status();
      EXPECT_TRUE(Matches(*v, o));
      ++checked;
    }
    EXPECT_GT(checked, 0);
  }
}

TEST(GoldenMetaGraph, FreezeMlpBeforeFreezing) {
  const json& run = RunOf("freeze_mlp", "before_freeze");
  auto b = Loaded(LoadModel({Golden("freeze_mlp", "model.ckpt.meta")}));
  ASSERT_NE(b, nullptr);
  auto out = RunTensors(*b, {{"input:0", FromManifest(run["inputs"][0])}}, {"logits:0", "probs:0"});
  ASSERT_TRUE(out.ok()) << out.status();
  ReportUlps("freeze_mlp_meta_logits", ExpectClose((*out)[0], OutputNamed(run, "logits:0"), 0));
  ReportUlps("freeze_mlp_meta_probs",
             ExpectClose((*out)[1], OutputNamed(run, "probs:0"), kMaxSoftmaxUlps));
}

TEST(GoldenMetaGraph, ImportMetaGraphAndFieldBindingForwardPass) {
  const json& run = RunOf("meta_graph", "import_meta_graph");
  auto b = Loaded(LoadMetaGraphAndCheckpoint(Golden("meta_graph", "model.ckpt.meta"),
                                             Golden("meta_graph", "")));
  ASSERT_NE(b, nullptr);
  auto out = RunTensors(*b, {{"x:0", FromManifest(run["inputs"][0])}}, {"model/y:0"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(Matches((*out)[0], run["outputs"][0]));

  // field_binding: the forward pass (probs) and the loss
  // (SparseSoftmaxCrossEntropyWithLogits) run with TF's values; the
  // training step needs gradient ops tfckpt lacks: one message names them.
  const json& fb = RunOf("field_binding", "rebound_forward");
  auto f = Loaded(LoadMetaGraphAndCheckpoint(Golden("field_binding", "model.ckpt.meta"),
                                             Golden("field_binding", "model.ckpt")));
  ASSERT_NE(f, nullptr);
  std::vector<std::pair<std::string, Tensor>> feeds;
  for (const json& in : fb["inputs"]) feeds.push_back({in["name"], FromManifest(in)});
  auto probs = RunTensors(*f, feeds, {"probs:0", "loss:0"});
  ASSERT_TRUE(probs.ok()) << probs.status();
  ReportUlps("field_binding_probs",
             ExpectClose((*probs)[0], OutputNamed(fb, "probs:0"), kMaxSoftmaxUlps));
  ReportUlps("field_binding_loss",
             ExpectClose((*probs)[1], OutputNamed(fb, "loss:0"), kMaxSoftmaxUlps));
  // (Tile, the first gradient op, runs since the zoo's Estimators needed it.)
  auto step = RunTensors(*f, feeds, {"gradients/loss_grad/truediv:0"});
  EXPECT_EQ(step.status().code(), StatusCode::kNotFound);
  EXPECT_NE(step.status().message().find("Op type not registered 'FloorMod'"), std::string::npos)
      << step.status();
}

// ------------------------------------------- ../shared/tf-golden (TF Serving)

std::optional<std::string> Serving(const std::string& rel) {
  return tfckpt::testing::FindSharedPath("src/saved_model/BUILD", "tf-golden/serving/" + rel);
}

#define SERVING_OR_SKIP(var, rel)                                     \
  const std::optional<std::string> var = Serving(rel);                \
  if (!var) GTEST_SKIP() << "../shared/tf-golden/serving/" << rel << " not found"

Tensor F(const std::vector<int64_t>& dims, const std::vector<float>& v) {
  return Tensor::FromVector<float>(tensorflow::DT_FLOAT, *TensorShape::Make(dims), v);
}
std::vector<float> Floats(const Tensor& t) {
  return std::vector<float>(t.flat<float>(), t.flat<float>() + t.num_elements());
}

// y = a*x + b (y), a*x + c (y2), a*x2 + c (y3); a = 0.5, c = 3.
void CheckHalfPlus(const Bundle& b, float plus, const std::string& what) {
  SCOPED_TRACE(what);
  auto out = RunSignature(b, "serving_default", {{"x", F({3, 1}, {1, 2, 3})}});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->at("y").shape(), (TensorShape{3, 1}));
  EXPECT_EQ(Floats(out->at("y")), (std::vector<float>{0.5f + plus, 1 + plus, 1.5f + plus}));
  // Every regress / classify signature, on tf.Examples {x, x2}.
  auto examples = ExamplesFromJson(R"([{"x": [1.0], "x2": [4.0]}, {"x": [2.0], "x2": [5.0]},
                                      {"x": [3.0], "x2": [6.0]}])");
  ASSERT_TRUE(examples.ok()) << examples.status();
  int checked = 0;
  for (const auto& [key, sig] : b.signatures()) {
    if (key == "serving_default" || key.rfind("__", 0) == 0) continue;
    SCOPED_TRACE(key);
    auto input_dtype = TensorDtype(b, sig.inputs().at("inputs").name());
    ASSERT_TRUE(input_dtype.ok()) << input_dtype.status();
    const bool from_examples = *input_dtype == tensorflow::DT_STRING;
    NamedTensors in = {{"inputs", from_examples ? *examples : F({3, 1}, {4, 5, 6})}};
    auto r = RunSignature(b, key, in);
    ASSERT_TRUE(r.ok()) << r.status();
    const std::string out_key = sig.outputs().count("outputs") ? "outputs" : "scores";
    const Tensor& y = r->at(out_key);
    ASSERT_EQ(y.num_elements(), 3) << y.DebugString();
    const std::string output = sig.outputs().at(out_key).name();
    const bool uses_x2 = key.find("x2") != std::string::npos;
    const float add = key.find("y2") != std::string::npos || key.find("y3") != std::string::npos
                          ? 3.0f
                          : plus;
    for (int i = 0; i < 3; ++i) {
      const float x = uses_x2 ? 4.0f + i : 1.0f + i;
      EXPECT_EQ(y.flat<float>()[i], 0.5f * x + add) << output << " [" << i << "]";
    }
    ++checked;
  }
  EXPECT_GE(checked, 1);
}

TEST(ServingModels, HalfPlusTwoVariants) {
  const std::vector<std::pair<std::string, float>> models = {
      {"saved_model_half_plus_two_cpu/00000123", 2},
      {"saved_model_half_plus_two_gpu/00000123", 2},
      {"saved_model_half_plus_two_gpu_trt/00000123", 2},
      {"saved_model_half_plus_two_mlmd/00000123", 2},
      {"saved_model_half_plus_two_cpu_with_saved_model_config/00000123", 2},
      {"saved_model_half_plus_two_cpu_with_empty_saved_model_config/00000123", 2},
      {"saved_model_half_plus_two_2_versions/00000123", 2},
      {"saved_model_half_plus_two_2_versions/00000124", 2},
      {"saved_model_half_plus_three/00000123", 3}};
  int loaded = 0;
  for (const auto& [rel, plus] : models) {
    const std::optional<std::string> dir = Serving(rel);
    if (!dir) continue;
    auto b = Loaded(LoadSavedModel(*dir, {"serve"}));
    ASSERT_NE(b, nullptr) << rel;
    EXPECT_TRUE(b->restored()) << rel;
    CheckHalfPlus(*b, plus, rel);
    ++loaded;
  }
  if (loaded == 0) GTEST_SKIP() << "../shared/tf-golden/serving not found";
}

// MKL variant: y adds a 1x1 Conv2D over zeros (sliced by StridedSlice) whose
// kernel the main op re-initializes randomly; the result is still a*x + b.
TEST(ServingModels, HalfPlusTwoMklConvolutionOfZeros) {
  SERVING_OR_SKIP(dir, "saved_model_half_plus_two_mkl/00000123");
  auto b = Loaded(LoadSavedModel(*dir, {"serve"}));
  ASSERT_NE(b, nullptr);
  auto out = RunSignature(*b, "serving_default", {{"x", F({3, 1}, {1, 2, 3})}});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Floats(out->at("y")), (std::vector<float>{2.5f, 3.0f, 3.5f}));
  auto regress = RunSignature(*b, "regress_x_to_y",
                              {{"inputs", *ExamplesFromJson(R"([{"x": [1.0]}, {"x": [3.0]}])")}});
  ASSERT_TRUE(regress.ok()) << regress.status();
  EXPECT_EQ(Floats(regress->at("outputs")), (std::vector<float>{2.5f, 3.5f}));
}

// TF2 export (tf.Module): every signature is a StatefulPartitionedCall of
// the library; serving_default takes x of shape [1].
TEST(ServingModels, HalfPlusTwoTf2) {
  SERVING_OR_SKIP(dir, "saved_model_half_plus_two_tf2_cpu/00000123");
  auto b = Loaded(LoadSavedModel(*dir, {"serve"}));
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(b->restored());
  for (float x : {1.0f, 2.0f, 3.0f}) {
    auto out = RunSignature(*b, "serving_default", {{"x", F({1}, {x})}});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ(Floats(out->at("y")), (std::vector<float>{0.5f * x + 2}));
  }
  auto wrong = RunSignature(*b, "serving_default", {{"x", F({3, 1}, {1, 2, 3})}});
  EXPECT_EQ(wrong.status().message(),
            "signature 'serving_default': Cannot feed value of shape (3, 1) for Tensor "
            "serving_default_x:0, which has shape (1,)");
  int checked = 0;
  for (const auto& [key, sig] : b->signatures()) {
    if (key == "serving_default" || key.rfind("__", 0) == 0) continue;
    SCOPED_TRACE(key);
    // String inputs take tf.Examples; x2 signatures take x2 (shape [1]).
    auto dtype = TensorDtype(*b, sig.inputs().at("inputs").name());
    ASSERT_TRUE(dtype.ok()) << dtype.status();
    const bool examples = *dtype == tensorflow::DT_STRING;
    auto r = RunSignature(
        *b, key,
        {{"inputs", examples ? *ExamplesFromJson(R"([{"x": [1.0], "x2": [4.0]}, {"x": [2.0], "x2": [5.0]}])")
                             : F({1}, {4})}});
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->size(), 1u);
    const Tensor& y = r->begin()->second;
    const bool x2 = key.find("x2") != std::string::npos;
    const float add = key.find("y2") != std::string::npos || key.find("y3") != std::string::npos ? 3 : 2;
    ASSERT_EQ(y.num_elements(), examples ? 2 : 1) << y.DebugString();
    for (int i = 0; i < y.num_elements(); ++i) {
      EXPECT_EQ(y.flat<float>()[i], 0.5f * ((x2 ? 4 : 1) + i) + add);
    }
    ++checked;
  }
  EXPECT_EQ(checked, 5);
}

TEST(ServingModels, CounterSignaturesShareTheVariable) {
  SERVING_OR_SKIP(dir, "saved_model_counter/00000123");
  auto b = Loaded(LoadSavedModel(*dir, {"serve"}));
  ASSERT_NE(b, nullptr);
  auto value = [&](const std::string& sig, NamedTensors in = {}) -> float {
    auto r = RunSignature(*b, sig, in);
    EXPECT_TRUE(r.ok()) << sig << ": " << r.status();
    return r.ok() ? r->at("output").flat<float>()[0] : std::nanf("");
  };
  EXPECT_EQ(value("get_counter"), 0.0f);
  EXPECT_EQ(value("incr_counter"), 1.0f);
  EXPECT_EQ(value("incr_counter"), 2.0f);
  EXPECT_EQ(value("incr_counter_by", {{"delta", F({}, {3})}}), 5.0f);
  EXPECT_EQ(value("get_counter"), 5.0f);
  EXPECT_EQ(value("reset_counter"), 0.0f);
  EXPECT_EQ(value("get_counter"), 0.0f);
}

TEST(ServingModels, LegacySessionBundle) {
  SERVING_OR_SKIP(dir, "session_bundle_half_plus_two/00000123");
  auto b = Loaded(LoadModel({*dir}));
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->kind(), ModelKind::kSessionBundle);
  EXPECT_TRUE(b->restored());
  ASSERT_EQ(b->signatures().size(), 2u);
  const auto& regress = b->signatures().at("serving_default");
  EXPECT_EQ(regress.method_name(), "tensorflow/serving/regress");
  EXPECT_EQ(regress.inputs().at("inputs").name(), "tf_example:0");
  EXPECT_EQ(regress.inputs().at("inputs").dtype(), tensorflow::DT_STRING);
  EXPECT_EQ(regress.outputs().at("outputs").name(), "Identity:0");
  auto r = RunSignature(*b, "serving_default",
                        {{"inputs", *ExamplesFromJson(R"([{"x": [1.0]}, {"x": [2.0]}, {"x": [3.0]}])")}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Floats(r->at("outputs")), (std::vector<float>{2.5f, 3.0f, 3.5f}));
  // Named generic "inputs" / "outputs" -> a predict signature.
  auto p = RunSignature(*b, "serving_default_from_named", {{"x", F({3}, {1, 2, 3})}});
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(Floats(p->at("y")), (std::vector<float>{2.5f, 3.0f, 3.5f}));
}

// bad_half_plus_two: a session bundle exported without signatures (and a
// `checkpoint` file pointing at /tmp), which TF Serving loads and then
// refuses to Predict with FAILED_PRECONDITION: the same here; tensors run.
TEST(ServingModels, BadHalfPlusTwoHasNoSignatures) {
  SERVING_OR_SKIP(dir, "bad_half_plus_two/00000123");
  auto b = Loaded(LoadModel({*dir}));
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(b->signatures().empty());
  auto r = RunSignature(*b, "serving_default", {});
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);  // as TF Serving's Predict
  EXPECT_EQ(r.status().message(), StrCat("signature 'serving_default' not found in ", *dir,
                                         "; its signatures: (none)"));
  auto t = RunTensors(*b, {{"Placeholder:0", F({2}, {1, 4})}}, {"Add:0"});
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(Floats((*t)[0]), (std::vector<float>{2.5f, 4.0f}));
}

TEST(ServingModels, BatchingMatrixAndKerasCheckpointOnly) {
  SERVING_OR_SKIP(dir, "batching_matrix_half_plus_two/1");
  auto b = Loaded(LoadSavedModel(*dir, {"serve"}));
  ASSERT_NE(b, nullptr);
  EXPECT_FALSE(b->restored());
  auto out = RunSignature(*b, "serving_default", {{"x", F({1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9})}});
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->size(), 1u);
  const Tensor& y = out->begin()->second;
  for (int i = 0; i < 9; ++i) EXPECT_EQ(y.flat<float>()[i], 0.5f * (i + 1) + 2);
  // tf_text_regression ships only its variables: no SavedModel to load.
  const std::optional<std::string> text = Serving("tf_text_regression/01");
  if (text) {
    auto t = LoadSavedModel(*text, {"serve"});
    EXPECT_EQ(t.status().code(), StatusCode::kNotFound);
    EXPECT_EQ(t.status().message(), StrCat("SavedModel file does not exist at: ", *text,
                                           "/{saved_model.pbtxt|saved_model.pb}"));
  }
}

}  // namespace
}  // namespace tfckpt::saved_model
