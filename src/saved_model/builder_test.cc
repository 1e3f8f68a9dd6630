// SavedModelBuilder: two MetaGraphs under different tags sharing one
// variables bundle, an asset and a main op (as golden saved_model_builder,
// without the lookup table), loaded under each tag set; errors and the
// no-half-written-export guarantee.
#include <fstream>

#include "gtest/gtest.h"
#include "src/saved_model/builder.h"
#include "src/saved_model/constants.h"
#include "src/saved_model/loader.h"
#include "src/saved_model/signature.h"
#include "src/train/ops.h"
#include "src/train/client_session.h"
#include "src/train/test_util.h"
#include "src/train/variables.h"

namespace tfckpt::saved_model {
namespace {

using namespace train::testing;  // NOLINT
using tensor::Tensor;

struct Model {
  train::Graph g;
  train::ClientSession sess{&g};
  train::Output x, y, count, asset;
  train::Operation main_op;

  void Build(const std::string& asset_path) {
    x = train::Placeholder(&g, tensorflow::DT_FLOAT, std::vector<int64_t>{-1, 3}, "x");
    auto w = train::MakeVariable(
        &g,
        Tensor::FromVector<float>(tensorflow::DT_FLOAT, {3, 2},
                                  {1.0f, 2.0f, -1.0f, 0.5f, 0.25f, -0.25f}),
        "W");
    ASSERT_TRUE(w.ok()) << w.status();
    auto b = train::MakeVariable(
        &g, Tensor::FromVector<float>(tensorflow::DT_FLOAT, {2}, {10.0f, -10.0f}), "b");
    ASSERT_TRUE(b.ok());
    auto counter = train::MakeVariable(
        &g, Tensor::FromVector<int64_t>(tensorflow::DT_INT64, {}, {5}), "counter", false);
    ASSERT_TRUE(counter.ok());
    y = train::Add(&g, train::MatMul(&g, x, *w), *b, "y");
    asset = train::StringConstant(&g, {asset_path}, true, "vocab_filename");
    g.AddToCollection("asset_filepaths", train::CollectionItem::Of(asset));
    count = train::Identity(&g, *counter, "count");
    train::Output assign = train::Assign(
        &g, counter->ref(),
        train::Constant(&g, Tensor::FromVector<int64_t>(tensorflow::DT_INT64, {}, {100})),
        false);
    main_op = train::Group(&g, {train::Operation{&g, assign.op}}, "main_op");
    ASSERT_TRUE(g.status().ok()) << g.status();
    ASSERT_TRUE(sess.Run({train::GlobalVariablesInitializer(&g)}).ok());
  }
};

Tensor XValues() {
  return Tensor::FromVector<float>(tensorflow::DT_FLOAT, {2, 3},
                                   {1.0f, 2.0f, 3.0f, 0.0f, -1.0f, 4.0f});
}

std::string WriteAsset(const std::string& dir) {
  const std::string path = dir + "/vocab.txt";
  std::ofstream(path) << "apple\nbanana\ncherry\n";
  return path;
}

TEST(BuilderTest, TwoMetaGraphsAssetAndMainOp) {
  const std::string dir = TempDir("builder_two_meta_graphs");
  const std::string export_dir = dir + "/export";
  Model m;
  ASSERT_NO_FATAL_FAILURE(m.Build(WriteAsset(dir)));
  auto builder = SavedModelBuilder::Create(nullptr, export_dir);
  ASSERT_TRUE(builder.ok()) << builder.status();
  SignatureDefMap serve = {
      {"predict", PredictSignatureDef({{"x", m.x}}, {{"y", m.y}, {"count", m.count}})}};
  // The asset twice, as in TF's golden (TextFileInitializer adds it again).
  Status s = (*builder)->AddMetaGraphAndVariables(&m.sess, &m.g, {"serve", "custom_tag"}, serve,
                                                  {m.asset, m.asset}, m.main_op,
                                                  /*clear_devices=*/false,
                                                  /*strip_default_attrs=*/true);
  ASSERT_TRUE(s.ok()) << s;
  // Nothing at export_dir before Save.
  EXPECT_FALSE(io::Env::Default()->FileExists(export_dir));
  s = (*builder)->AddMetaGraph(&m.g, {"train"},
                               {{"train_predict", PredictSignatureDef({{"x", m.x}}, {{"y", m.y}})}},
                               {}, std::nullopt, false, true);
  ASSERT_TRUE(s.ok()) << s;
  auto path = (*builder)->Save();
  ASSERT_TRUE(path.ok()) << path.status();
  EXPECT_EQ(*path, export_dir + "/saved_model.pb");
  EXPECT_EQ(ListDir(dir), (std::vector<std::string>{"export", "vocab.txt"}));
  EXPECT_EQ(ListDir(export_dir),
            (std::vector<std::string>{"assets", "saved_model.pb", "variables"}));
  EXPECT_EQ(ReadFile(export_dir + "/assets/vocab.txt"), "apple\nbanana\ncherry\n");

  // What TF's builder records (golden saved_model_builder's structure).
  const tensorflow::SavedModel& sm = (*builder)->saved_model();
  ASSERT_EQ(sm.meta_graphs_size(), 2);
  const auto& mg0 = sm.meta_graphs(0);
  const auto& mg1 = sm.meta_graphs(1);
  EXPECT_EQ(mg0.saver_def().restore_op_name(), "save/restore_all");
  EXPECT_EQ(mg1.saver_def().restore_op_name(), "save_1/restore_all");
  EXPECT_TRUE(mg0.meta_info_def().stripped_default_attrs());
  for (const auto* mg : {&mg0, &mg1}) {
    const auto& assets = mg->collection_def().at(kSavedModelAssetsKey).any_list();
    ASSERT_EQ(assets.value_size(), 2);
    tensorflow::AssetFileDef def;
    ASSERT_TRUE(assets.value(0).UnpackTo(&def));
    EXPECT_EQ(assets.value(0).type_url(), kAssetFileDefTypeUrl);
    EXPECT_EQ(def.tensor_info().name(), "vocab_filename:0");
    EXPECT_EQ(def.filename(), "vocab.txt");
    EXPECT_EQ(mg->collection_def().at(kSavedModelMainOpKey).node_list().value(0), "main_op");
  }

  // Each tag set loads; the main op ran (counter 100, saved as 5).
  auto serve_bundle = LoadSavedModel(export_dir, {"serve", "custom_tag"});
  ASSERT_TRUE(serve_bundle.ok()) << serve_bundle.status();
  ASSERT_EQ((*serve_bundle)->asset_feeds().size(), 1u);
  auto out = RunSignature(**serve_bundle, "predict", {{"x", XValues()}});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->at("count").flat<int64_t>()[0], 100);
  // y = x@W + b: [1*1+2*-1+3*.25+10, 1*2+2*.5+3*-.25-10] ...
  const std::vector<float> want = {9.75f, -7.75f, 12.0f, -11.5f};
  for (int i = 0; i < 4; ++i) EXPECT_EQ(out->at("y").flat<float>()[i], want[i]) << i;
  auto train_bundle = LoadSavedModel(export_dir, {"train"});
  ASSERT_TRUE(train_bundle.ok()) << train_bundle.status();
  auto tout = RunSignature(**train_bundle, "train_predict", {{"x", XValues()}});
  ASSERT_TRUE(tout.ok()) << tout.status();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(tout->at("y").flat<float>()[i], want[i]) << i;
  EXPECT_FALSE(LoadSavedModel(export_dir, {"serve"}).ok());
}

TEST(BuilderTest, Errors) {
  const std::string dir = TempDir("builder_errors");
  std::ofstream(dir + "/file") << "x";
  auto b = SavedModelBuilder::Create(nullptr, dir);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().message(),
            "Export directory already exists, and isn't empty. Please choose a different export "
            "directory, or delete all the contents of the specified directory: " + dir);

  Model m;
  ASSERT_NO_FATAL_FAILURE(m.Build(WriteAsset(dir)));
  auto builder = SavedModelBuilder::Create(nullptr, dir + "/e");
  ASSERT_TRUE(builder.ok());
  Status s = (*builder)->AddMetaGraph(&m.g, {"train"});
  EXPECT_EQ(s.message(),
            "Graph state including variables and assets has not been saved yet. Please invoke "
            "`add_meta_graph_and_variables()` first.");
  SignatureDefMap reserved = {{"__saved_model_init_op", tensorflow::SignatureDef()}};
  s = (*builder)->AddMetaGraphAndVariables(&m.sess, &m.g, {"serve"}, reserved);
  EXPECT_EQ(s.message(),
            "SignatureDef map key \"__saved_model_init_op\" is reserved for initialization. "
            "Please use a different key.");
  tensorflow::SignatureDef bad;
  (*bad.mutable_inputs())["x"].set_name("x:0");  // no dtype
  s = (*builder)->AddMetaGraphAndVariables(&m.sess, &m.g, {"serve"}, {{"k", bad}});
  EXPECT_NE(s.message().find("must have the name and dtype fields set"), std::string::npos) << s;
  s = (*builder)->AddMetaGraphAndVariables(&m.sess, &m.g, {"serve"}, {}, {m.y});
  EXPECT_EQ(s.message(), "Asset path tensor y:0 must be of type constant.Has type AddV2 instead.");
  ASSERT_TRUE((*builder)->AddMetaGraphAndVariables(&m.sess, &m.g, {"serve"}, {}, {}, m.main_op).ok());
  s = (*builder)->AddMetaGraphAndVariables(&m.sess, &m.g, {"serve"});
  EXPECT_EQ(s.message(),
            "Graph state including variables and assets has already been saved. Please invoke "
            "`add_meta_graph()` instead.");
  s = (*builder)->AddMetaGraph(&m.g, {"train"}, {}, {}, m.main_op);
  EXPECT_EQ(s.message(),
            "Graph already contains one or more main ops under the collection "
            "saved_model_main_op.");
  // export_dir filled by someone else before Save: refused, left alone, and
  // the staging directory is removed when the builder goes away.
  const std::string staging = (*builder)->staging_dir();
  EXPECT_TRUE(io::Env::Default()->IsDirectory(staging));
  ASSERT_TRUE(io::Env::Default()->CreateDirRecursively(dir + "/e").ok());
  std::ofstream(dir + "/e/other") << "y";
  auto saved = (*builder)->Save();
  ASSERT_FALSE(saved.ok());
  EXPECT_EQ(ListDir(dir + "/e"), std::vector<std::string>{"other"});
  builder->reset();
  EXPECT_FALSE(io::Env::Default()->FileExists(staging));
}

// simple_save into an existing empty directory replaces it.
TEST(BuilderTest, SimpleSaveIntoEmptyDir) {
  const std::string dir = TempDir("builder_empty_dir");
  Model m;
  ASSERT_NO_FATAL_FAILURE(m.Build(WriteAsset(dir)));
  ASSERT_TRUE(io::Env::Default()->CreateDirRecursively(dir + "/e").ok());
  Status s = SimpleSave(&m.sess, &m.g, dir + "/e", {{"x", m.x}}, {{"y", m.y}});
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(ListDir(dir + "/e"), (std::vector<std::string>{"assets", "saved_model.pb", "variables"}));
  auto bundle = LoadSavedModel(dir + "/e", {"serve"});
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  auto out = RunSignature(**bundle, "serving_default", {{"x", XValues()}});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->at("y").flat<float>()[0], 9.75f);
}

}  // namespace
}  // namespace tfckpt::saved_model
