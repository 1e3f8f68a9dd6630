// golden/generate/gen_meta_graph.py (meta_graph) replayed: collections of
// every kind, devices, export_meta_graph (plain, clear_devices,
// export_scope) byte for byte, import_meta_graph (+import_scope,
// clear_devices, input_map for unbound inputs) with restore from
// latest_checkpoint and TF's outputs and error texts. Also: every golden
// .meta imported and exported again gives TF's bytes. any_list and
// "savers" collections through import_scope / export_scope.
#include <filesystem>
#include <set>

#include "gtest/gtest.h"
#include "proto/saved_model.pb.h"
#include "src/io/hex.h"
#include "src/train/meta_graph.h"
#include "src/train/ops.h"
#include "src/train/saver.h"
#include "src/train/client_session.h"
#include "src/train/test_util.h"
#include "src/train/variables.h"

namespace tfckpt::train {
namespace {

using namespace testing;  // NOLINT
using tensor::Tensor;

const char kScenario[] = "meta_graph";

Tensor XValues() {
  return Tensor::FromVector<float>(tensorflow::DT_FLOAT, {2, 2}, {1.0f, 2.0f, -3.0f, 0.5f});
}

json CollectionsNote(Graph* g) {
  json out = json::object();
  for (const char* key : {"my_custom_collection", "my_int64s", "my_floats", "my_bytes",
                          "my_strings", "trainable_variables", "variables"}) {
    json vals = json::array();
    for (const CollectionItem& c : g->GetCollection(key)) {
      switch (c.kind) {
        case CollectionItem::Kind::kVariable:
          vals.push_back({{"kind", "RefVariable"}, {"name", c.ElementName()}});
          break;
        case CollectionItem::Kind::kTensor:
          vals.push_back({{"kind", "SymbolicTensor"}, {"name", c.text}});
          break;
        case CollectionItem::Kind::kOperation:
          vals.push_back({{"kind", "Operation"}, {"name", c.text}});
          break;
        case CollectionItem::Kind::kInt64:
          vals.push_back(c.i);
          break;
        case CollectionItem::Kind::kFloat:
          vals.push_back(c.f);
          break;
        case CollectionItem::Kind::kBytes: {
          vals.push_back({{"kind", "bytes"}, {"hex", io::Hex(c.text)}});
          break;
        }
        default:
          vals.push_back(c.text);
      }
    }
    out[key] = vals;
  }
  return out;
}

// The graph of gen_meta_graph.meta_graph, saved to model.ckpt in the cwd.
void BuildAndSave(Graph* g, ClientSession* sess) {
  Output x, y;
  Variable w, b, step;
  {
    DeviceScope d(g, "/device:CPU:0");
    x = Placeholder(g, tensorflow::DT_FLOAT, std::vector<int64_t>{-1, 2}, "x");
    {
      VariableScope model(g, "model");
      Output wc = Constant(g, Tensor::FromVector<float>(tensorflow::DT_FLOAT, {2, 2},
                                                        {1.0f, -2.0f, 0.5f, 3.0f}));
      GetVariableOptions wo;
      wo.initializer = wc;
      w = *GetVariable(g, "w", wo);
      Output bc = Constant(g, Tensor::FromVector<float>(tensorflow::DT_FLOAT, {2}, {0.25f, -0.75f}));
      GetVariableOptions bo;
      bo.initializer = bc;
      b = *GetVariable(g, "b", bo);
      y = Add(g, MatMul(g, x, w), b, "y");
    }
    VariableOptions so;
    so.name = "step";
    so.trainable = false;
    step = *MakeVariable(g, Tensor::FromVector<int64_t>(tensorflow::DT_INT64, {}, {42}), so);
  }
  g->AddToCollection("my_custom_collection", CollectionItem::Of(y));
  g->AddToCollection("my_custom_collection", VariableItem(w));
  g->AddToCollection("my_custom_collection", CollectionItem::Of(Operation{g, x.op}));
  for (int64_t i : {int64_t{7}, int64_t{-3}, int64_t{1} << 40}) {
    g->AddToCollection("my_int64s", CollectionItem::Int64(i));
  }
  g->AddToCollection("my_floats", CollectionItem::Float(1.5));
  g->AddToCollection("my_floats", CollectionItem::Float(-0.1));
  g->AddToCollection("my_bytes", CollectionItem::Bytes(std::string("hello\0world", 11)));
  g->AddToCollection("my_bytes", CollectionItem::Bytes("model/y"));
  g->AddToCollection("my_strings", CollectionItem::String("unicod\xc3\xa9"));
  auto saver = Saver::Create(g);
  ASSERT_TRUE(saver.ok()) << saver.status();
  ASSERT_TRUE(sess->Run({GlobalVariablesInitializer(g)}).ok());
  auto out = sess->Run({{x, XValues()}}, {y});
  ASSERT_TRUE(out.ok()) << out.status();
  const json& before = RunOf(kScenario, "before_save");
  EXPECT_EQ(TensorMismatch((*out)[0], OutputOf(before, "model/y:0")), "");
  ASSERT_TRUE((*saver)->Save(sess, "model.ckpt").ok());
}

void ExpectSameBytes(const std::string& mine, const std::string& golden_name) {
  const std::string a = ReadFile(mine), b = ReadFile(Golden(kScenario, golden_name));
  EXPECT_EQ(MetaGraphDiff(ReadMetaGraph(Golden(kScenario, golden_name)), ReadMetaGraph(mine)), "")
      << golden_name;
  EXPECT_TRUE(a == b) << golden_name << ": " << a.size() << " vs TF's " << b.size() << " bytes";
}

TEST(MetaGraphGoldenTest, ExportLikeTensorFlow) {
  const std::string dir = TempDir("meta_graph_export");
  ScopedCwd cwd(dir);
  Graph g;
  ClientSession sess(&g);
  BuildAndSave(&g, &sess);
  EXPECT_EQ(CollectionsNote(&g), Note(kScenario, "collections_before_export"));
  EXPECT_EQ(json(g.GetAllCollectionKeys()), Note(kScenario, "collection_keys_before_export"));
  ExpectSameBytes("model.ckpt.meta", "model.ckpt.meta");
  for (const char* f : {"model.ckpt.index", "model.ckpt.data-00000-of-00001", "checkpoint"}) {
    EXPECT_TRUE(ReadFile(f) == ReadFile(Golden(kScenario, f))) << f;
  }
  ExportOptions plain;
  plain.filename = "exported.meta";
  ASSERT_TRUE(ExportMetaGraph(&g, plain).ok());
  ExpectSameBytes("exported.meta", "exported.meta");
  ExportOptions clear = plain;
  clear.filename = "exported_clear_devices.meta";
  clear.clear_devices = true;
  ASSERT_TRUE(ExportMetaGraph(&g, clear).ok());
  ExpectSameBytes("exported_clear_devices.meta", "exported_clear_devices.meta");
  // The text form parses back to the same MetaGraphDef.
  ExportOptions text = plain;
  text.filename = "exported.meta.pbtxt";
  text.as_text = true;
  ASSERT_TRUE(ExportMetaGraph(&g, text).ok());
  auto parsed = ReadMetaGraphFile("exported.meta.pbtxt");
  ASSERT_TRUE(parsed.ok());
  auto golden_text = ReadMetaGraphFile(Golden(kScenario, "exported.meta.pbtxt"));
  ASSERT_TRUE(golden_text.ok()) << golden_text.status();
  EXPECT_EQ(ProtoDiff(*golden_text, *parsed), "");
  EXPECT_TRUE(ReadFile("exported.meta.pbtxt") == ReadFile(Golden(kScenario, "exported.meta.pbtxt")))
      << "text format differs from Python's";
  ExportOptions scoped = plain;
  scoped.filename = "exported_scope_model.meta";
  scoped.export_scope = "model";
  ASSERT_TRUE(ExportMetaGraph(&g, scoped).ok());
  ExpectSameBytes("exported_scope_model.meta", "exported_scope_model.meta");
}

struct ImportCase {
  const char* label;
  const char* import_scope;
  bool clear_devices;
};

class ImportTest : public ::testing::TestWithParam<ImportCase> {};

TEST_P(ImportTest, RestoreAndRun) {
  const ImportCase c = GetParam();
  const std::string label = c.label;
  Graph g;
  ImportMetaGraphOptions o;
  o.import_scope = c.import_scope;
  o.clear_devices = c.clear_devices;
  auto imported = ImportMetaGraph(&g, Golden(kScenario, "model.ckpt.meta"), o);
  ASSERT_TRUE(imported.ok()) << imported.status();
  ASSERT_NE(imported->saver, nullptr);
  const std::string prefix = std::string(c.import_scope).empty() ? "" : StrCat(c.import_scope, "/");
  ClientSession sess(&g);
  auto latest = LatestCheckpoint(Golden(kScenario, ""));
  ASSERT_TRUE(latest.ok() && latest->has_value());
  ASSERT_TRUE(imported->saver->Restore(&sess, **latest).ok());
  auto out = sess.Run({{prefix + "x:0", XValues()}}, {prefix + "model/y:0"});
  ASSERT_TRUE(out.ok()) << out.status();
  const json& run = RunOf(kScenario, label);
  EXPECT_EQ(TensorMismatch((*out)[0], OutputOf(run, prefix + "model/y:0")), "");
  for (const json& v : run["variables"]) {
    auto t = sess.Eval(v["name"].get<std::string>());
    ASSERT_TRUE(t.ok()) << t.status();
    EXPECT_EQ(TensorMismatch(*t, v), "") << v["name"];
  }
  EXPECT_EQ(CollectionsNote(&g), Note(kScenario, label + ": collections"));
  std::vector<std::string> trainable;
  for (const Variable& v : TrainableVariables(&g)) trainable.push_back(v.name());
  EXPECT_EQ(json(trainable), Note(kScenario, label + ": trainable_variables"));
  json devices = json::object();
  for (const char* n : {"x", "model/y", "model/w"}) {
    devices[prefix + n] = g.FindNode(prefix + n)->device();
  }
  EXPECT_EQ(devices, Note(kScenario, label + ": devices"));
  const auto& sd = imported->saver->saver_def();
  const json& want = Note(kScenario, label + ": saver_def");
  EXPECT_EQ(sd.filename_tensor_name(), want["filename_tensor_name"]);
  EXPECT_EQ(sd.save_tensor_name(), want["save_tensor_name"]);
  EXPECT_EQ(sd.restore_op_name(), want["restore_op_name"]);
  EXPECT_EQ(sd.max_to_keep(), want["max_to_keep"]);
}

INSTANTIATE_TEST_SUITE_P(
    Goldens, ImportTest,
    ::testing::Values(ImportCase{"import_meta_graph", "", false},
                      ImportCase{"import_meta_graph_import_scope", "imported", false},
                      ImportCase{"import_meta_graph_clear_devices", "", true}),
    [](const auto& info) { return std::string(info.param.label); });

TEST(MetaGraphGoldenTest, UnboundInputsAndErrors) {
  {
    Graph g;
    auto r = ImportMetaGraph(&g, Golden(kScenario, "exported_scope_model.meta"));
    EXPECT_EQ(r.status().message(),
              ErrorOf(kScenario, "import_export_scope_without_input_map")["str"]);
  }
  {
    Graph g;
    Output x = Placeholder(&g, tensorflow::DT_FLOAT, std::vector<int64_t>{-1, 2}, "new_x");
    ImportMetaGraphOptions o;
    o.import_scope = "m2";
    o.input_map = {{"$unbound_inputs_x", x}};
    auto r = ImportMetaGraph(&g, Golden(kScenario, "exported_scope_model.meta"), o);
    ASSERT_TRUE(r.ok()) << r.status();
    std::vector<std::string> names;
    const tensorflow::GraphDef gd = g.ToGraphDef();
    for (const auto& n : gd.node()) {
      if (n.name().rfind("m2/", 0) == 0) names.push_back(n.name());
    }
    std::sort(names.begin(), names.end());
    EXPECT_EQ(json(names), Note(kScenario, "export_scope import: op names"));
    EXPECT_EQ(g.FindNode("m2/MatMul")->input(0), "new_x");
  }
  {
    Graph g;
    auto r = ImportMetaGraph(&g, Golden(kScenario, "nonutf8_bytes_collection.meta"));
    ASSERT_TRUE(r.ok()) << r.status();
    json bytes = CollectionsNote(&g)["my_bytes"];
    EXPECT_EQ(bytes, Note(kScenario, "nonutf8_bytes_collection import")["my_bytes"]);
  }
  {
    Graph g;
    ImportMetaGraphOptions o;
    o.import_scope = "s";
    auto r = ImportMetaGraph(&g, Golden(kScenario, "nonutf8_bytes_collection.meta"), o);
    EXPECT_EQ(r.status().message(),
              ErrorOf(kScenario, "import_nonutf8_bytes_collection_import_scope=s")["str"]);
  }
  Graph g;
  EXPECT_EQ(ImportMetaGraph(&g, std::string("does_not_exist.meta")).status().message(),
            ErrorOf(kScenario, "import_missing_file")["str"]);
}

// Whether TF's own import + as_graph_def would give back these nodes in
// this order: control inputs sorted and no forward references (TF imports
// in topological order and sorts control inputs on export).
bool Canonical(const tensorflow::GraphDef& gd) {
  std::set<std::string> seen;
  for (const auto& n : gd.node()) {
    std::string last_control;
    for (const auto& in : n.input()) {
      const bool control = !in.empty() && in[0] == '^';
      std::string src = control ? in.substr(1) : in.substr(0, in.find(':'));
      if (seen.count(src) == 0) return false;
      if (control) {
        if (!last_control.empty() && in < last_control) return false;
        last_control = in;
      }
    }
    seen.insert(n.name());
  }
  return true;
}

// import_meta_graph then export_meta_graph(saver_def) of every golden .meta
// with a SaverDef: TF's MetaGraphDef again, and TF's bytes when TF's own
// round trip would keep the node order (see Canonical).
TEST(MetaGraphGoldenTest, ImportThenExportIsIdentity) {
  int checked = 0, bytes_checked = 0;
  const std::string root = Runfile("golden/tf-2.21");
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (e.path().extension() != ".meta") continue;
    const std::string path = e.path().string();
    auto meta = ReadMetaGraphFile(path);
    ASSERT_TRUE(meta.ok()) << path;
    if (!meta->has_saver_def()) continue;  // import would add a default Saver's ops
    Graph g;
    auto imported = ImportMetaGraph(&g, *meta);
    ASSERT_TRUE(imported.ok()) << path << ": " << imported.status();
    ExportOptions o;
    o.saver_def = meta->saver_def();
    o.filename = TempDir("roundtrip") + "/x.meta";
    ASSERT_TRUE(ExportMetaGraph(&g, o).ok());
    tensorflow::MetaGraphDef mine = ReadMetaGraph(o.filename);
    auto by_name = [](tensorflow::MetaGraphDef* m) {
      auto* nodes = m->mutable_graph_def()->mutable_node();
      std::sort(nodes->begin(), nodes->end(),
                [](const auto& a, const auto& b) { return a.name() < b.name(); });
    };
    tensorflow::MetaGraphDef want = *meta;
    if (!Canonical(meta->graph_def())) {
      by_name(&want);
      by_name(&mine);
    }
    EXPECT_EQ(MetaGraphDiff(want, mine), "") << path;
    if (Canonical(meta->graph_def())) {
      EXPECT_TRUE(ReadFile(o.filename) == ReadFile(path)) << path;
      ++bytes_checked;
    }
    ++checked;
  }
  EXPECT_GE(checked, 12);
  EXPECT_GE(bytes_checked, 11);
}

// The any_list of golden saved_model_builder (Any(AssetFileDef) x2):
// returned by ImportMetaGraph, unchanged under an import_scope (TF's
// prepend_name_scope keeps what it cannot decode), exported again as the
// same any_list, also with the scope as export_scope.
TEST(MetaGraphGoldenTest, AnyListCollectionThroughImportScope) {
  tensorflow::SavedModel sm;
  ASSERT_TRUE(sm.ParseFromString(
      ReadFile(Golden("saved_model_builder", "saved_model/saved_model.pb"))));
  const tensorflow::MetaGraphDef& meta = sm.meta_graphs(0);
  const tensorflow::CollectionDef& want = meta.collection_def().at("saved_model_assets");
  ASSERT_EQ(want.any_list().value_size(), 2);
  for (const char* scope : {"", "imported"}) {
    SCOPED_TRACE(scope);
    Graph g;
    ImportMetaGraphOptions o;
    o.import_scope = scope;
    auto imported = ImportMetaGraph(&g, meta, o);
    ASSERT_TRUE(imported.ok()) << imported.status();
    const auto& anys = imported->any_collections.at("saved_model_assets");
    ASSERT_EQ(anys.size(), 2u);
    for (int i = 0; i < 2; ++i) {
      EXPECT_EQ(ProtoDiff(want.any_list().value(i), anys[i]), "") << i;
    }
    EXPECT_EQ(imported->any_collections.size(), 1u);
    ExportOptions eo;
    eo.export_scope = scope;
    auto exported = ExportMetaGraph(&g, eo);
    ASSERT_TRUE(exported.ok()) << exported.status();
    EXPECT_EQ(ProtoDiff(want, exported->collection_def().at("saved_model_assets")), "");
    // The node_list collections come back without the scope.
    EXPECT_EQ(ProtoDiff(meta.collection_def().at("table_initializer"),
                        exported->collection_def().at("table_initializer")),
              "");
  }
}

// Saver.from_proto(import_scope) / to_proto(export_scope) for the "savers"
// collection: names prefixed on import; on export under a scope stripped,
// and SaverDefs outside the scope left out (an empty CollectionDef stays,
// as Python's collection_def[key] access creates it; both checked against
// TF 2.21's export_meta_graph of a scoped Saver in the savers collection).
TEST(MetaGraphGoldenTest, SaversCollectionThroughScopes) {
  auto meta = ReadMetaGraphFile(Golden("saver_v2_basic", "model.ckpt.meta"));
  ASSERT_TRUE(meta.ok()) << meta.status();
  tensorflow::MetaGraphDef with_savers = *meta;
  (*with_savers.mutable_collection_def())["savers"].mutable_bytes_list()->add_value(
      meta->saver_def().SerializeAsString());
  Graph g;
  ImportMetaGraphOptions o;
  o.import_scope = "s";
  ASSERT_TRUE(ImportMetaGraph(&g, with_savers, o).ok());
  std::vector<CollectionItem> items = g.GetCollection("savers");
  ASSERT_EQ(items.size(), 1u);
  tensorflow::SaverDef scoped;
  ASSERT_TRUE(scoped.ParseFromString(items[0].text));
  EXPECT_EQ(scoped.filename_tensor_name(), "s/" + meta->saver_def().filename_tensor_name());
  EXPECT_EQ(scoped.save_tensor_name(), "s/" + meta->saver_def().save_tensor_name());
  EXPECT_EQ(scoped.restore_op_name(), "s/" + meta->saver_def().restore_op_name());
  ExportOptions eo;
  eo.export_scope = "s";
  auto exported = ExportMetaGraph(&g, eo);
  ASSERT_TRUE(exported.ok()) << exported.status();
  EXPECT_EQ(ProtoDiff(with_savers.collection_def().at("savers"),
                      exported->collection_def().at("savers")),
            "");
  eo.export_scope = "elsewhere";
  exported = ExportMetaGraph(&g, eo);
  ASSERT_TRUE(exported.ok()) << exported.status();
  ASSERT_EQ(exported->collection_def().count("savers"), 1u);
  EXPECT_EQ(exported->collection_def().at("savers").kind_case(),
            tensorflow::CollectionDef::KIND_NOT_SET);
}

// export_meta_graph with a caller-supplied graph_def (Saver.export_meta_graph
// passes as_graph_def): filtered by clear_devices it keeps the given
// GraphDef's (sorted) control inputs and copies its library, present even
// empty; without graph_def the Python NodeDefs' order is kept, no library.
TEST(MetaGraphGoldenTest, SuppliedGraphDefPath) {
  Graph g;
  Operation b = NoOp(&g, "b");
  Operation a = NoOp(&g, "a");
  {
    ControlDependencies cd(&g, std::vector<std::string>{b.name, a.name});
    NoOp(&g, "c");
  }
  ASSERT_TRUE(g.status().ok()) << g.status();
  ExportOptions eo;
  eo.clear_devices = true;
  auto python_nodes = ExportMetaGraph(&g, eo);
  ASSERT_TRUE(python_nodes.ok());
  EXPECT_FALSE(python_nodes->graph_def().has_library());
  EXPECT_EQ(python_nodes->graph_def().node(2).input(0), "^b");
  eo.graph_def = AsGraphDefForExport(g);
  auto supplied = ExportMetaGraph(&g, eo);
  ASSERT_TRUE(supplied.ok());
  EXPECT_TRUE(supplied->graph_def().has_library());
  EXPECT_EQ(supplied->graph_def().node(2).input(0), "^a");
  eo.clear_devices = false;  // unfiltered: the GraphDef as given (no library)
  auto as_given = ExportMetaGraph(&g, eo);
  ASSERT_TRUE(as_given.ok());
  EXPECT_FALSE(as_given->graph_def().has_library());
}

}  // namespace
}  // namespace tfckpt::train
