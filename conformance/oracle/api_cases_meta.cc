// API corpus cases around meta graphs (api_case.h): ExponentialMovingAverage
// (shadows, the update op run by TF, variables_to_restore), export_meta_graph
// with collections of every kind and clear_devices, and field binding.
#include <climits>
#include <string>
#include <vector>

#include "conformance/oracle/api_case.h"
#include "src/train/ema.h"
#include "src/train/field_binding.h"
#include "src/train/meta_graph.h"
#include "src/train/ops.h"
#include "src/train/saver.h"
#include "src/train/client_session.h"
#include "src/train/variables.h"

namespace tfckpt::conformance::api {
namespace {

using namespace train;  // NOLINT
using nlohmann::json;
using tensor::Tensor;

Variable GetVar(Graph* g, const std::string& name, const Tensor& value) {
  GetVariableOptions o;
  o.initializer = value;
  return Unwrap(GetVariable(g, name, o), "get_variable");
}

Tensor Eval(ClientSession* sess, const TensorRef& ref) { return Unwrap(sess->Eval(ref), "eval"); }

// The model object of the field-binding case, with a nested head.
class Head : public TFGraphConvertible {
 public:
  Head() {
    Bind("logits", &logits);
    Bind("probs", &probs);
  }
  Output logits, probs;
};

class BoundModel : public TFGraphConvertible {
 public:
  BoundModel() {
    Bind("x", &x);
    Bind("w", &w);
    Bind("b", &b);
    Bind("global_step", &global_step);
    Bind("train_op", &train_op);
    Bind("head", &head);
  }
  Output x;
  Variable w, b, global_step;
  Operation train_op;
  Head head;
};

}  // namespace

void WriteEmaCase(const std::string& root) {
  ApiCase c(root, "ema", "meta_checkpoint",
            "ExponentialMovingAverage(0.99, num_updates=global_step).apply([v, w]); 3 rounds of "
            "v.assign(new_v), global_step += 1, update; saved; TF restores, runs the update op "
            "again, and restores the averages through variables_to_restore()");
  Graph g;
  Variable v = Unwrap(MakeVariable(&g, PatternFloats({2}, 20), "v"), "Variable v");
  Variable w = Unwrap(MakeVariable(&g, PatternFloats({}, 21), "w"), "Variable w");
  Variable step = Unwrap(GetOrCreateGlobalStep(&g), "global_step");
  ExponentialMovingAverage ema(&g, 0.99, Input(step));
  Operation maintain = Unwrap(ema.Apply(std::vector<Averageable>{v, w}), "ema.apply");
  Variable v_avg = *ema.Average(v);
  Variable w_avg = *ema.Average(w);
  Output new_v = Placeholder(&g, tensorflow::DT_FLOAT, std::vector<int64_t>{2}, "new_v");
  Output set_v = v.Assign(new_v, "set_v");
  Output step_inc = AssignAdd(&g, step.ref(), int64_t{1}, false, "step_inc");
  auto saver = Unwrap(Saver::Create(&g), "Saver()");
  API_CHECK_OK(g.status());
  ClientSession sess(&g);
  API_CHECK_OK(sess.Run({GlobalVariablesInitializer(&g)}));
  for (int i = 0; i < 3; ++i) {
    API_CHECK_OK(sess.Run({set_v}, {{new_v, PatternFloats({2}, 22 + i)}}));
    API_CHECK_OK(sess.Run({step_inc}));
    API_CHECK_OK(sess.Run({maintain}));
  }
  Unwrap(saver->Save(&sess, c.Path("model.ckpt")), "save");
  c.AddCheckpoint("model.ckpt", "V2",
                  {{"global_step", Eval(&sess, step)}, {"v", Eval(&sess, v)},
                   {"v/ExponentialMovingAverage", Eval(&sess, v_avg)}, {"w", Eval(&sess, w)},
                   {"w/ExponentialMovingAverage", Eval(&sess, w_avg)}});
  auto& imp = c.import(c.AddImport("model.ckpt.meta", "."));
  imp["format"] = "V2";
  imp["resave"] = true;
  imp["restored"] = ApiCase::Values(
      &sess, {v.fetch_name(), w.fetch_name(), v_avg.fetch_name(), w_avg.fetch_name(),
              step.fetch_name()});
  imp["runs"] = json::array();
  ApiCase::RecordRun(&imp["runs"], &sess, {}, {v_avg.fetch_name(), w_avg.fetch_name()},
                     {maintain.name}, "one more update");
  ApiCase::RecordRun(&imp["runs"], &sess, {{"new_v:0", PatternFloats({2}, 30)}}, {},
                     {"set_v", "step_inc"}, "v.assign(new_v), global_step += 1");
  ApiCase::RecordRun(&imp["runs"], &sess, {}, {v_avg.fetch_name(), w_avg.fetch_name()},
                     {maintain.name}, "update with the new value and step");

  // The evaluation graph of TF's EMA tutorial: the model's variables only
  // (zero-initialised, built from code, as TF's importable graph would
  // already hold shadows and make average_name() unique them as "..._1"),
  // variables_to_restore() and the averages restored into the variables.
  Graph eval_graph;
  json eval_vars = json::array();
  for (const auto& [name, shape] :
       std::vector<std::pair<std::string, std::vector<int64_t>>>{{"v", {2}}, {"w", {}}}) {
    Tensor zeros = Unwrap(Tensor::Allocate(tensorflow::DT_FLOAT,
                                           Unwrap(tensor::TensorShape::Make(shape), "shape")),
                          "zeros");
    Unwrap(MakeVariable(&eval_graph, zeros, name), "eval variable");
    eval_vars.push_back({{"name", name}, {"shape", shape}});
  }
  Unwrap(GetOrCreateGlobalStep(&eval_graph), "eval global_step");
  ExponentialMovingAverage eval_ema(&eval_graph, 0.99);
  SaverOptions so;
  so.var_dict = eval_ema.VariablesToRestore();
  json map = json::object();
  std::vector<std::string> names;
  for (const auto& [key, var] : *so.var_dict) {
    map[key] = var.name();
    names.push_back(var.fetch_name());
  }
  auto restore_saver = Unwrap(Saver::Create(&eval_graph, so), "Saver(variables_to_restore())");
  ClientSession eval_sess(&eval_graph);
  API_CHECK_OK(restore_saver->Restore(&eval_sess, imp["latest_checkpoint"].get<std::string>()));
  imp["ema"] = {{"decay", 0.99},
                {"eval_variables", eval_vars},
                {"variables_to_restore", map},
                {"restore_averages", ApiCase::Values(&eval_sess, names)}};
  c.Finish();
}

void WriteMetaGraphCollectionsCase(const std::string& root) {
  ApiCase c(root, "meta_graph_collections", "meta_checkpoint",
            "a graph under /device:CPU:0 with collections of every kind (node_list: tensor, "
            "operation, variable; int64_list; float_list; bytes_list with NUL and non-UTF-8 "
            "bytes and a str); Saver.save writes model.ckpt(.meta), export_meta_graph("
            "clear_devices=True, saver_def) writes exported.meta; both imported and restored");
  Graph g;
  Output x, y;
  Variable w, b;
  {
    DeviceScope cpu(&g, "/device:CPU:0");
    x = Placeholder(&g, tensorflow::DT_FLOAT, std::vector<int64_t>{-1, 2}, "x");
    VariableScope model(&g, "model");
    w = GetVar(&g, "w", PatternFloats({2, 2}, 40));
    b = GetVar(&g, "b", PatternFloats({2}, 41));
    y = Add(&g, MatMul(&g, x, w), b, "y");
  }
  g.AddToCollection("my_nodes", CollectionItem::Of(y));
  g.AddToCollection("my_nodes", CollectionItem::Of(Operation{&g, x.op}));
  g.AddToCollection("my_nodes", VariableItem(w));
  for (int64_t i : {int64_t{7}, int64_t{-3}, int64_t{1} << 40, int64_t{INT64_MIN}}) {
    g.AddToCollection("my_int64s", CollectionItem::Int64(i));
  }
  for (double f : {1.5, -0.1, 3.0e38, 1.0e-40}) g.AddToCollection("my_floats", CollectionItem::Float(f));
  g.AddToCollection("my_bytes", CollectionItem::Bytes(std::string("hello\0world", 11)));
  g.AddToCollection("my_bytes", CollectionItem::Bytes(std::string("\xff\xfe", 2)));
  g.AddToCollection("my_bytes", CollectionItem::String("unicod\xc3\xa9"));
  auto saver = Unwrap(Saver::Create(&g), "Saver()");
  API_CHECK_OK(g.status());
  ClientSession sess(&g);
  API_CHECK_OK(sess.Run({GlobalVariablesInitializer(&g)}));
  Unwrap(saver->Save(&sess, c.Path("model.ckpt")), "save");
  ExportOptions eo;
  eo.filename = c.Path("exported.meta");
  eo.clear_devices = true;
  eo.saver_def = saver->saver_def();
  Unwrap(ExportMetaGraph(&g, eo), "export_meta_graph(clear_devices=True)");
  c.AddCheckpoint("model.ckpt", "V2", {{"model/b", Eval(&sess, b)}, {"model/w", Eval(&sess, w)}});
  const std::vector<std::string> keys = {"my_bytes", "my_floats", "my_int64s", "my_nodes",
                                         "trainable_variables", "variables"};
  for (const std::string meta : {"model.ckpt.meta", "exported.meta"}) {
    auto& imp = c.import(c.AddImport(meta, "."));
    imp["format"] = "V2";
    imp["resave"] = true;
    imp["cleared_devices"] = meta == "exported.meta";
    imp["collections"] = ApiCase::Collections(c.Path(meta), keys);
    imp["restored"] = ApiCase::Values(&sess, {w.fetch_name(), b.fetch_name()});
    imp["runs"] = json::array();
    ApiCase::RecordRun(&imp["runs"], &sess, {{"x:0", PatternFloats({3, 2}, 42)}}, {"model/y:0"},
                       {}, "y = x @ w + b");
  }
  c.Finish();
}

void WriteFieldBindingCase(const std::string& root) {
  ApiCase c(root, "field_binding", "meta_checkpoint",
            "a TFGraphConvertible model (x, w, b, global_step, train_op, nested head {logits, "
            "probs}) saved with binding.json; TF rebinds every field by name after "
            "import_meta_graph and runs probs, train_op, and probs again");
  Graph g;
  BoundModel m;
  m.x = Placeholder(&g, tensorflow::DT_FLOAT, std::vector<int64_t>{-1, 3}, "x");
  m.w = GetVar(&g, "w", PatternFloats({3, 2}, 50));
  m.b = GetVar(&g, "b", PatternFloats({2}, 51));
  m.global_step = Unwrap(GetOrCreateGlobalStep(&g), "global_step");
  m.head.logits = Add(&g, MatMul(&g, m.x, m.w), m.b, "logits");
  m.head.probs = Softmax(&g, m.head.logits, "probs");
  Output shrink = m.w.AssignSub(Constant(&g, Tensor::FromVector<float>(tensorflow::DT_FLOAT, {3, 2},
                                                                        {0.125f, -0.25f, 0.5f, 1.0f, -2.0f, 0.0625f}),
                                          "delta"));
  Output inc = AssignAdd(&g, m.global_step.ref(), int64_t{1});
  m.train_op = Group(&g, {Operation{&g, shrink.op}, Operation{&g, inc.op}}, "train");
  auto saver = Unwrap(Saver::Create(&g), "Saver()");
  API_CHECK_OK(g.status());
  ClientSession sess(&g);
  API_CHECK_OK(sess.Run({GlobalVariablesInitializer(&g)}));
  Unwrap(saver->Save(&sess, c.Path("model.ckpt")), "save");
  API_CHECK_OK(m.SaveBinding(c.Path("binding.json")));
  c.AddCheckpoint("model.ckpt", "V2",
                  {{"b", Eval(&sess, m.b)}, {"global_step", Eval(&sess, m.global_step)},
                   {"w", Eval(&sess, m.w)}});
  auto& imp = c.import(c.AddImport("model.ckpt.meta", "."));
  imp["format"] = "V2";
  imp["resave"] = true;
  imp["restored"] = ApiCase::Values(&sess, {m.w.fetch_name(), m.b.fetch_name(),
                                            m.global_step.fetch_name()});
  imp["binding"] = {{"file", "binding.json"},
                    {"fields", Unwrap(m.ToGraph(), "ToGraph")},
                    {"kinds", {{"x", "tensor"}, {"w", "variable"}, {"b", "variable"},
                               {"global_step", "variable"}, {"train_op", "operation"},
                               {"head", {{"logits", "tensor"}, {"probs", "tensor"}}}}}};
  const Tensor x = PatternFloats({2, 3}, 52);
  json runs = json::array();
  ApiCase::RecordRun(&runs, &sess, {{m.x.name(), x}}, {m.head.probs.name()}, {},
                     "probs through the rebound fields");
  ApiCase::RecordRun(&runs, &sess, {}, {m.w.fetch_name(), m.global_step.fetch_name()},
                     {m.train_op.name}, "train_op");
  ApiCase::RecordRun(&runs, &sess, {{m.x.name(), x}}, {m.head.probs.name()}, {},
                     "probs after the step");
  imp["runs"] = runs;
  // The same under import_meta_graph(import_scope="imported"): every name
  // (restore, binding, runs) gets the prefix; the values are the same.
  json scoped = imp;
  scoped["import_scope"] = "imported";
  c.import(c.AddImport("model.ckpt.meta", ".")) = scoped;
  c.Finish();
}

}  // namespace tfckpt::conformance::api
