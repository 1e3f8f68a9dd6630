// API corpus cases for what is exported to run elsewhere (api_case.h):
// simple_save, a SavedModelBuilder export with two tag sets, an asset and a
// main op, and a frozen MLP. Expected outputs come from tfckpt's loaders
// (src/saved_model), reading the files back as a user would.
#include <algorithm>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "conformance/oracle/api_case.h"
#include "src/freeze/freeze.h"
#include "src/saved_model/builder.h"
#include "src/saved_model/loader.h"
#include "src/saved_model/signature.h"
#include "src/tensor/tensor_record.h"
#include "src/train/ops.h"
#include "src/train/saver.h"
#include "src/train/client_session.h"
#include "src/train/variables.h"

namespace tfckpt::conformance::api {
namespace {

using namespace train;  // NOLINT
using nlohmann::json;
using saved_model::NamedTensors;
using tensor::Tensor;

Variable GetVar(Graph* g, const std::string& name, const Tensor& value) {
  GetVariableOptions o;
  o.initializer = value;
  return Unwrap(GetVariable(g, name, o), "get_variable");
}

// {"inputs": {k: record}, "outputs": {k: record}} of signature `key` run by
// tfckpt's loader on `bundle`.
json SignatureRun(const saved_model::Bundle& bundle, const std::string& key,
                  const NamedTensors& inputs) {
  auto out = Unwrap(saved_model::RunSignature(bundle, key, inputs), "RunSignature");
  json in_rec = json::object(), out_rec = json::object();
  for (const auto& [k, t] : inputs) in_rec[k] = tensor::TensorRecord(k, t);
  for (const auto& [k, t] : out) out_rec[k] = tensor::TensorRecord(k, t);
  return {{"inputs", in_rec}, {"outputs", out_rec}};
}

json LoadAndRun(const std::string& export_dir, const std::vector<std::string>& tags,
                const std::map<std::string, NamedTensors>& signature_inputs) {
  auto bundle = Unwrap(saved_model::LoadSavedModel(export_dir, tags), "LoadSavedModel");
  json sigs = json::object();
  for (const auto& [key, inputs] : signature_inputs) sigs[key] = SignatureRun(*bundle, key, inputs);
  return {{"tags", tags}, {"signatures", sigs}};
}

}  // namespace

void WriteSimpleSaveCase(const std::string& root) {
  ApiCase c(root, "simple_save", "saved_model",
            "simple_save of a softmax regression: inputs {myInput: x [-1,3]}, outputs "
            "{myOutput: softmax(x @ W + b)}, tag serve, signature serving_default");
  Graph g;
  Output x = Placeholder(&g, tensorflow::DT_FLOAT, std::vector<int64_t>{-1, 3}, "myInput");
  Variable w = GetVar(&g, "W", PatternFloats({3, 2}, 60));
  Variable b = GetVar(&g, "b", PatternFloats({2}, 61));
  Output y = Softmax(&g, Add(&g, MatMul(&g, x, w), b), "myOutput");
  API_CHECK_OK(g.status());
  ClientSession sess(&g);
  API_CHECK_OK(sess.Run({GlobalVariablesInitializer(&g)}));
  API_CHECK_OK(saved_model::SimpleSave(&sess, &g, c.Path("export"), {{"myInput", x}},
                                       {{"myOutput", y}}));
  c.doc()["export_dir"] = "export";
  c.doc()["meta_graphs"] = json::array(
      {LoadAndRun(c.Path("export"), {"serve"},
                  {{"serving_default", {{"myInput", PatternFloats({4, 3}, 62)}}}})});
  c.doc()["tf2_signatures"] = {{{"tags", {"serve"}}, {"key", "serving_default"}}};
  c.Finish();
}

void WriteBuilderCase(const std::string& root) {
  ApiCase c(root, "saved_model_builder", "saved_model",
            "SavedModelBuilder: tags [serve, custom_tag] with signatures predict and "
            "serving_default (y = x @ W + b; words -> ids through a HashTableV2 initialised "
            "from the vocab.txt asset; count, set to 100 by the main op), strip_default_attrs; "
            "tags [train] with train_predict (add_meta_graph, saver scope save_1)");
  {
    std::ofstream vocab(c.Path("vocab.txt"));
    vocab << "apple\nbanana\ncherry\n";
  }
  Graph g;
  Output x = Placeholder(&g, tensorflow::DT_FLOAT, std::vector<int64_t>{-1, 3}, "x");
  Output words = Placeholder(&g, tensorflow::DT_STRING, std::vector<int64_t>{-1}, "words");
  Variable w = Unwrap(MakeVariable(&g, PatternFloats({3, 2}, 70), "W"), "Variable W");
  Variable b = Unwrap(MakeVariable(&g, PatternFloats({2}, 71), "b"), "Variable b");
  Variable counter = Unwrap(
      MakeVariable(&g, Tensor::FromVector<int64_t>(tensorflow::DT_INT64, {}, {5}), "counter", false),
      "Variable counter");
  Output y = Add(&g, MatMul(&g, x, w), b, "y");
  Output asset = StringConstant(&g, {c.Path("vocab.txt")}, true, "vocab_filename");
  Output table = RawOp(&g, "HashTableV2", "hash_table", {},
                       {{"key_dtype", TypeAttr(tensorflow::DT_STRING)},
                        {"value_dtype", TypeAttr(tensorflow::DT_INT64)}});
  Output init = RawOp(&g, "InitializeTableFromTextFileV2", "table_init", {table, asset},
                      {{"key_index", IntAttr(-2)}, {"value_index", IntAttr(-1)}});
  Output found = RawOp(&g, "LookupTableFindV2", "lookup", {table, words, Tensor::FromVector<int64_t>(tensorflow::DT_INT64, {}, {-1})},
                       {{"Tin", TypeAttr(tensorflow::DT_STRING)},
                        {"Tout", TypeAttr(tensorflow::DT_INT64)}});
  Output ids = Identity(&g, found, "ids");
  Output count = Identity(&g, counter, "count");
  Output reset = Assign(&g, counter.ref(),
                        Constant(&g, Tensor::FromVector<int64_t>(tensorflow::DT_INT64, {}, {100})),
                        false);
  Operation main_op =
      Group(&g, {Operation{&g, init.op}, Operation{&g, reset.op}}, "main_op");
  API_CHECK_OK(g.status());
  ClientSession sess(&g);
  API_CHECK_OK(sess.Run({GlobalVariablesInitializer(&g)}));
  const std::string export_dir = c.Path("export");
  auto builder = Unwrap(saved_model::SavedModelBuilder::Create(nullptr, export_dir), "Builder");
  const auto predict = saved_model::PredictSignatureDef({{"x", x}, {"words", words}},
                                                        {{"y", y}, {"ids", ids}, {"count", count}});
  API_CHECK_OK(builder->AddMetaGraphAndVariables(
      &sess, &g, {"serve", "custom_tag"}, {{"predict", predict}, {"serving_default", predict}},
      {asset}, main_op, /*clear_devices=*/false, /*strip_default_attrs=*/true));
  API_CHECK_OK(builder->AddMetaGraph(
      &g, {"train"}, {{"train_predict", saved_model::PredictSignatureDef({{"x", x}}, {{"y", y}})}},
      {}, std::nullopt, false, true));
  Unwrap(builder->Save(), "Save");
  const Tensor xs = PatternFloats({2, 3}, 72);
  const Tensor ws = Tensor::FromStrings({4}, {"apple", "cherry", "durian", "banana"});
  c.doc()["export_dir"] = "export";
  c.doc()["meta_graphs"] = json::array(
      {LoadAndRun(export_dir, {"serve", "custom_tag"},
                  {{"predict", {{"x", xs}, {"words", ws}}},
                   {"serving_default", {{"x", xs}, {"words", ws}}}}),
       LoadAndRun(export_dir, {"train"}, {{"train_predict", {{"x", xs}}}})});
  c.doc()["tf2_signatures"] = {{{"tags", {"serve", "custom_tag"}}, {"key", "predict"}},
                               {{"tags", {"train"}}, {"key", "train_predict"}}};
  c.Finish();
}

void WriteFrozenMlpCase(const std::string& root) {
  ApiCase c(root, "frozen_mlp", "frozen_graph",
            "a 4 -> 8 (relu) -> 3 (softmax) MLP, hidden layer reference variables, out layer "
            "resource variables; convert_variables_to_constants(outputs probs, logits) -> "
            "frozen_mlp.pb; also saved (model.ckpt + .meta) for TF to freeze it itself");
  Graph g;
  Output x = Placeholder(&g, tensorflow::DT_FLOAT, std::vector<int64_t>{-1, 4}, "input");
  Output h;
  std::vector<Variable> vars;
  {
    VariableScope hidden(&g, "hidden");
    vars.push_back(GetVar(&g, "weights", PatternFloats({4, 8}, 80)));
    vars.push_back(GetVar(&g, "biases", PatternFloats({8}, 81)));
    h = Relu(&g, MatMul(&g, x, vars[0]) + vars[1], "relu");
  }
  Output logits_add;
  {
    ScopeDefaults resource;
    resource.use_resource = true;
    VariableScope out(&g, "out", Reuse::kNone, resource);
    vars.push_back(GetVar(&g, "weights", PatternFloats({8, 3}, 82)));
    vars.push_back(GetVar(&g, "biases", PatternFloats({3}, 83)));
    logits_add = Add(&g, MatMul(&g, h, vars[2]), vars[3], "logits_add");
  }
  Output logits = Identity(&g, logits_add, "logits");
  Output probs = Softmax(&g, logits, "probs");
  auto saver = Unwrap(Saver::Create(&g), "Saver()");
  API_CHECK_OK(g.status());
  ClientSession sess(&g);
  API_CHECK_OK(sess.Run({GlobalVariablesInitializer(&g)}));
  Unwrap(saver->Save(&sess, c.Path("model.ckpt")), "save");
  auto frozen = Unwrap(freeze::ConvertVariablesToConstants(&sess, g.ToGraphDef(),
                                                           {"probs", "logits"}),
                       "convert_variables_to_constants");
  API_CHECK_OK(freeze::WriteGraphDef(frozen, c.Path("frozen_mlp.pb")));

  auto bundle = Unwrap(saved_model::LoadFrozenGraph(c.Path("frozen_mlp.pb")), "LoadFrozenGraph");
  const Tensor xs = PatternFloats({3, 4}, 84);
  auto got = Unwrap(saved_model::RunTensors(*bundle, {{"input:0", xs}}, {"probs:0", "logits:0"}),
                    "run the frozen graph");
  json nodes = json::array();
  for (const auto& n : frozen.node()) nodes.push_back({{"name", n.name()}, {"op", n.op()}});
  c.doc()["graph"] = "frozen_mlp.pb";
  c.doc()["nodes"] = nodes;
  c.doc()["runs"] = json::array({{{"what", "import_graph_def(name='frozen') on x"},
                                  {"feeds", {tensor::TensorRecord("input:0", xs)}},
                                  {"targets", json::array()},
                                  {"fetches", {tensor::TensorRecord("probs:0", got[0]),
                                               tensor::TensorRecord("logits:0", got[1])}}}});
  c.doc()["tf_freeze"] = {
      {"meta", "model.ckpt.meta"}, {"checkpoint", "model.ckpt"}, {"outputs", {"probs", "logits"}}};
  std::vector<std::pair<std::string, Tensor>> keyed;
  for (const auto& v : vars) keyed.emplace_back(v.op_name(), Unwrap(sess.Eval(v), "eval"));
  std::sort(keyed.begin(), keyed.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  c.AddCheckpoint("model.ckpt", "V2", keyed);
  auto& imp = c.import(c.AddImport("model.ckpt.meta", "."));
  imp["format"] = "V2";
  imp["resave"] = true;
  imp["runs"] = json::array();
  ApiCase::RecordRun(&imp["runs"], &sess, {{"input:0", xs}}, {"probs:0", "logits:0"}, {},
                     "the unfrozen graph on the same x");
  c.Finish();
}

}  // namespace tfckpt::conformance::api
