// golden/generate/gen_saved_model.py saved_model_simple_save and
// saved_model_builder replayed in C++: the same graph (the builder's with a
// StaticHashTable over a TextFileInitializer asset, tables_initializer and
// a main op) and variable values, SimpleSave / SavedModelBuilder, then
// saved_model.pb compared with TF 2.21's (as a SavedModel proto and byte
// for byte), the variables bundle byte for byte, and the export loaded with
// LoadSavedModel and run to TF's recorded outputs.
#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"
#include "proto/saved_model.pb.h"
#include "src/saved_model/builder.h"
#include "src/saved_model/loader.h"
#include "src/saved_model/signature.h"
#include "src/train/lookup_ops.h"
#include "src/train/ops.h"
#include "src/train/client_session.h"
#include "src/train/test_util.h"
#include "src/train/variables.h"

namespace tfckpt::saved_model {
namespace {

using namespace train::testing;  // NOLINT
using tensor::Tensor;

const char kScenario[] = "saved_model_simple_save";

tensorflow::SavedModel ReadSavedModel(const std::string& path) {
  tensorflow::SavedModel sm;
  EXPECT_TRUE(sm.ParseFromString(ReadFile(path))) << path;
  return sm;
}

const json& InputOf(const json& run, const std::string& name) {
  for (const json& t : run["inputs"]) {
    if (t["name"] == name) return t;
  }
  static const json kNull;
  ADD_FAILURE() << "no input " << name;
  return kNull;
}

// A DT_STRING MANIFEST record (values hex-encoded).
Tensor StringsFromRecord(const json& record) {
  std::vector<std::string> values;
  for (const json& hex : record["values"]) {
    const std::string h = hex.get<std::string>();
    std::string bytes;
    for (size_t i = 0; i + 1 < h.size(); i += 2) {
      bytes.push_back(static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16)));
    }
    values.push_back(bytes);
  }
  return Tensor::FromStrings({static_cast<int64_t>(values.size())}, values);
}

// The graph of gen_saved_model.saved_model_simple_save, initialized.
struct SimpleSaveGraph {
  train::Graph g;
  train::ClientSession sess{&g};
  train::Output x, y;

  void Build() {
    x = train::Placeholder(&g, tensorflow::DT_FLOAT, std::vector<int64_t>{-1, 4}, "myInput");
    auto w = train::MakeVariable(
        &g,
        Tensor::FromVector<float>(tensorflow::DT_FLOAT, {4, 3},
                                  {0.5f, -0.25f, 0.0f, 1.0f, 0.75f, -1.0f, -0.5f, 0.25f, 2.0f,
                                   0.125f, -2.0f, 1.5f}),
        "W");
    ASSERT_TRUE(w.ok()) << w.status();
    auto b = train::MakeVariable(
        &g, Tensor::FromVector<float>(tensorflow::DT_FLOAT, {3}, {0.1f, -0.2f, 0.3f}), "b");
    ASSERT_TRUE(b.ok()) << b.status();
    y = train::Softmax(&g, train::MatMul(&g, x, *w) + *b, "myOutput");
    ASSERT_TRUE(g.status().ok()) << g.status();
    ASSERT_TRUE(sess.Run({train::GlobalVariablesInitializer(&g)}).ok());
  }
};

TEST(BuilderGoldenTest, SimpleSaveLikeTensorFlow) {
  const std::string dir = TempDir("builder_golden_simple_save");
  const std::string export_dir = dir + "/saved_model";
  SimpleSaveGraph m;
  ASSERT_NO_FATAL_FAILURE(m.Build());
  const json& before = RunOf(kScenario, "before_save");
  const Tensor inputs = TensorFromRecord(InputOf(before, "myInput:0"));
  auto out = m.sess.Run({{m.x, inputs}}, {m.y});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(TensorMismatch((*out)[0], OutputOf(before, "myOutput:0")), "");

  Status s = SimpleSave(&m.sess, &m.g, export_dir, {{"myInput", m.x}}, {{"myOutput", m.y}});
  ASSERT_TRUE(s.ok()) << s;
  // Nothing but the export next to it (the staging directory was renamed).
  EXPECT_EQ(ListDir(dir), std::vector<std::string>{"saved_model"});
  EXPECT_EQ(ListDir(export_dir), (std::vector<std::string>{"saved_model.pb", "variables"}));
  EXPECT_EQ(ListDir(export_dir + "/variables"),
            (std::vector<std::string>{"variables.data-00000-of-00001", "variables.index"}));

  const std::string golden_pb = Golden(kScenario, "saved_model/saved_model.pb");
  const tensorflow::SavedModel mine = ReadSavedModel(export_dir + "/saved_model.pb");
  const tensorflow::SavedModel tf = ReadSavedModel(golden_pb);
  ASSERT_EQ(mine.meta_graphs_size(), 1);
  ASSERT_EQ(tf.meta_graphs_size(), 1);
  EXPECT_EQ(MetaGraphDiff(tf.meta_graphs(0), mine.meta_graphs(0)), "");
  EXPECT_EQ(ProtoDiff(tf, mine), "");
  const std::string a = ReadFile(export_dir + "/saved_model.pb"), b = ReadFile(golden_pb);
  EXPECT_TRUE(a == b) << "saved_model.pb: " << a.size() << " vs TF's " << b.size() << " bytes";
  for (const char* f :
       {"variables/variables.index", "variables/variables.data-00000-of-00001"}) {
    EXPECT_TRUE(ReadFile(export_dir + "/" + f) == ReadFile(Golden(kScenario, std::string("saved_model/") + f)))
        << f;
  }

  // Load what we wrote and run serving_default to TF's outputs.
  auto bundle = LoadSavedModel(export_dir, {"serve"});
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  EXPECT_TRUE((*bundle)->restored());
  const json& run = RunOf(kScenario, "load_serving_default");
  auto res = RunSignature(**bundle, "serving_default", {{"myInput", inputs}});
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(TensorMismatch(res->at("myOutput"), OutputOf(run, "myOutput:0")), "");

  // A second export to the same, now non-empty, directory: TF's error.
  auto again = SavedModelBuilder::Create(nullptr, export_dir);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().message(),
            "Export directory already exists, and isn't empty. Please choose a different export "
            "directory, or delete all the contents of the specified directory: " +
                export_dir);
}

// The golden export written as text parses back to the same SavedModel.
TEST(BuilderGoldenTest, SaveAsText) {
  const std::string dir = TempDir("builder_golden_text");
  SimpleSaveGraph m;
  ASSERT_NO_FATAL_FAILURE(m.Build());
  auto builder = SavedModelBuilder::Create(nullptr, dir + "/sm");
  ASSERT_TRUE(builder.ok()) << builder.status();
  ASSERT_TRUE((*builder)
                  ->AddMetaGraphAndVariables(
                      &m.sess, &m.g, {"serve"},
                      {{"serving_default", PredictSignatureDef({{"myInput", m.x}},
                                                               {{"myOutput", m.y}})}},
                      {}, std::nullopt, /*clear_devices=*/true)
                  .ok());
  auto path = (*builder)->Save(/*as_text=*/true);
  ASSERT_TRUE(path.ok()) << path.status();
  EXPECT_EQ(*path, dir + "/sm/saved_model.pbtxt");
  auto bundle = LoadSavedModel(dir + "/sm", {"serve"});
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  const tensorflow::SavedModel tf =
      ReadSavedModel(Golden(kScenario, "saved_model/saved_model.pb"));
  EXPECT_EQ(ProtoDiff(tf.meta_graphs(0), (*bundle)->meta_graph_def()), "");
}

// gen_saved_model.saved_model_builder: two MetaGraphs ({serve, custom_tag}
// with the variables, assets and main op; {train}), strip_default_attrs.
TEST(BuilderGoldenTest, BuilderWithTableAssetAndMainOpLikeTensorFlow) {
  const char kBuilder[] = "saved_model_builder";
  const std::string dir = TempDir("builder_golden_builder");
  ScopedCwd cwd(dir);
  ASSERT_TRUE(io::Env::Default()->CreateDirRecursively("asset_src").ok());
  std::ofstream("asset_src/vocab.txt") << "apple\nbanana\ncherry\n";

  train::Graph g;
  train::ClientSession sess(&g);
  train::Output x = train::Placeholder(&g, tensorflow::DT_FLOAT, std::vector<int64_t>{-1, 3}, "x");
  train::Output words =
      train::Placeholder(&g, tensorflow::DT_STRING, std::vector<int64_t>{-1}, "words");
  auto w = train::MakeVariable(
      &g,
      Tensor::FromVector<float>(tensorflow::DT_FLOAT, {3, 2},
                                {1.0f, 2.0f, -1.0f, 0.5f, 0.25f, -0.25f}),
      "W");
  ASSERT_TRUE(w.ok()) << w.status();
  auto b = train::MakeVariable(
      &g, Tensor::FromVector<float>(tensorflow::DT_FLOAT, {2}, {10.0f, -10.0f}), "b");
  ASSERT_TRUE(b.ok()) << b.status();
  auto counter = train::MakeVariable(
      &g, Tensor::FromVector<int64_t>(tensorflow::DT_INT64, {}, {5}), "counter",
      /*trainable=*/false);
  ASSERT_TRUE(counter.ok()) << counter.status();
  train::Output y = train::Add(&g, train::MatMul(&g, x, *w), *b, "y");
  train::Output asset = train::StringConstant(&g, {"asset_src/vocab.txt"}, true, "vocab_filename");
  g.AddToCollection("asset_filepaths", train::CollectionItem::Of(asset));
  train::TextFileInitializer init;
  init.filename = asset;  // key WHOLE_LINE string, value LINE_NUMBER int64
  auto table = train::StaticHashTable::Create(&g, init, int64_t{-1}, "vocab_table");
  ASSERT_TRUE(table.ok()) << table.status();
  auto found = table->Lookup(words);
  ASSERT_TRUE(found.ok()) << found.status();
  train::Output ids = train::Identity(&g, *found, "ids");
  train::Output count = train::Identity(&g, *counter, "count");
  train::Operation tables = train::TablesInitializer(&g);
  train::Output reset = train::Assign(&g, counter->ref(), int64_t{100}, std::nullopt);
  train::Operation main_op =
      train::Group(&g, {tables, train::Operation{&g, reset.op}}, "main_op");
  ASSERT_TRUE(g.status().ok()) << g.status();
  tensorflow::SignatureDef predict =
      PredictSignatureDef({{"x", x}, {"words", words}}, {{"y", y}, {"ids", ids}, {"count", count}});
  tensorflow::SignatureDef train_predict = PredictSignatureDef({{"x", x}}, {{"y", y}});
  ASSERT_TRUE(sess.Run({train::GlobalVariablesInitializer(&g)}).ok());

  std::vector<train::Output> assets;
  for (const train::CollectionItem& item : g.GetCollection("asset_filepaths")) {
    auto t = g.GetTensorByName(item.text);
    ASSERT_TRUE(t.ok()) << t.status();
    assets.push_back(*t);
  }
  ASSERT_EQ(assets.size(), 2u);  // the Const, and again from TextFileInitializer
  auto builder = SavedModelBuilder::Create(nullptr, "saved_model");
  ASSERT_TRUE(builder.ok()) << builder.status();
  Status s = (*builder)->AddMetaGraphAndVariables(
      &sess, &g, {"serve", "custom_tag"}, {{"predict", predict}, {"serving_default", predict}},
      assets, main_op, /*clear_devices=*/false, /*strip_default_attrs=*/true);
  ASSERT_TRUE(s.ok()) << s;
  s = (*builder)->AddMetaGraph(&g, {"train"}, {{"train_predict", train_predict}}, {},
                               std::nullopt, false, /*strip_default_attrs=*/true);
  ASSERT_TRUE(s.ok()) << s;
  auto written = (*builder)->Save();
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_EQ(*written, "saved_model/saved_model.pb");

  const std::string golden_pb = Golden(kBuilder, "saved_model/saved_model.pb");
  const tensorflow::SavedModel mine = ReadSavedModel("saved_model/saved_model.pb");
  const tensorflow::SavedModel tf = ReadSavedModel(golden_pb);
  ASSERT_EQ(mine.meta_graphs_size(), 2);
  ASSERT_EQ(tf.meta_graphs_size(), 2);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(MetaGraphDiff(tf.meta_graphs(i), mine.meta_graphs(i)), "") << "meta graph " << i;
  }
  EXPECT_EQ(ProtoDiff(tf, mine), "");
  const std::string a = ReadFile("saved_model/saved_model.pb"), bytes = ReadFile(golden_pb);
  EXPECT_TRUE(a == bytes) << "saved_model.pb: " << a.size() << " vs TF's " << bytes.size()
                          << " bytes";
  for (const char* f : {"variables/variables.index", "variables/variables.data-00000-of-00001",
                        "assets/vocab.txt"}) {
    EXPECT_TRUE(ReadFile(std::string("saved_model/") + f) ==
                ReadFile(Golden(kBuilder, std::string("saved_model/") + f)))
        << f;
  }

  // Loaded and run: the main op initialized the table and reset the counter.
  auto bundle = LoadSavedModel(dir + "/saved_model", {"serve", "custom_tag"});
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  const json& run = RunOf(kBuilder, "load_serve_custom_tag_predict");
  auto res = RunSignature(**bundle, "predict",
                          {{"x", TensorFromRecord(InputOf(run, "x:0"))},
                           {"words", StringsFromRecord(InputOf(run, "words:0"))}});
  ASSERT_TRUE(res.ok()) << res.status();
  for (const char* k : {"y", "ids", "count"}) {
    EXPECT_EQ(TensorMismatch(res->at(k), OutputOf(run, std::string(k) + ":0")), "") << k;
  }
}

}  // namespace
}  // namespace tfckpt::saved_model
