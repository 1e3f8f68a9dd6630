// Hermetic half of the API oracle tier (no TensorFlow): every case the API
// corpus writes reloads through tfckpt's own readers and loaders exactly as
// its expected.json says -- checkpoints (CompareCheckpoint), checkpoint
// state and latest checkpoint (src/state), meta graph + checkpoint restored
// and run in recorded order (LoadMetaGraphAndCheckpoint), SavedModel
// signatures per tag set (LoadSavedModel), the frozen graph
// (LoadFrozenGraph), binding.json. So when TF disagrees, the fault is in
// what TF does with the files, not in our expectations. (Collections and
// the EMA restore are recorded by re-reading the written files already; an
// import with an import_scope is checked here without the scope, since the
// loader does not prefix names -- its values are those of the plain import.)
#include <cstdlib>
#include <fstream>

#include "conformance/oracle/api_corpus.h"
#include "conformance/oracle/compare.h"
#include "gtest/gtest.h"
#include "src/io/env.h"
#include "src/saved_model/loader.h"
#include "src/saved_model/signature.h"
#include "src/state/checkpoint_state.h"
#include "src/tensor/tensor_record.h"
#include "src/train/saver.h"

namespace tfckpt::conformance {
namespace {

using nlohmann::json;
using tensor::Tensor;

json ReadJson(const std::string& path) {
  std::ifstream f(path);
  return json::parse(f);
}

// The tensor a record describes (feeds: numeric from raw_hex, strings from values).
Tensor FromRecord(const json& rec) {
  tensorflow::DataType dtype;
  EXPECT_TRUE(tensorflow::DataType_Parse(rec.at("dtype").get<std::string>(), &dtype));
  const auto shape = *tensor::TensorShape::Make(rec.at("shape").get<std::vector<int64_t>>());
  if (dtype == tensorflow::DT_STRING) {
    std::vector<std::string> values;
    for (const auto& h : rec.at("values")) {
      std::string s, hex = h.get<std::string>();
      for (size_t i = 0; i + 1 < hex.size(); i += 2) {
        s.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
      }
      values.push_back(s);
    }
    return Tensor::FromStrings(shape, values);
  }
  Tensor t = *Tensor::Allocate(dtype, shape);
  const std::string hex = rec.at("raw_hex");
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    t.mutable_raw_data()[i / 2] = static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  }
  return t;
}

void ExpectRecord(const Tensor& t, const json& rec, const std::string& where) {
  const std::string d = tensor::CompareToRecord(t, rec);
  EXPECT_TRUE(d.empty()) << where << " " << rec.at("name") << ": " << d;
}

void CheckImport(const std::string& dir, const json& imp, const std::string& where) {
  const std::string ckdir = dir + "/" + imp.at("checkpoint_dir").get<std::string>();
  auto latest = train::LatestCheckpoint(ckdir);
  ASSERT_TRUE(latest.ok() && latest->has_value()) << where;
  EXPECT_EQ(**latest, imp.at("latest_checkpoint").get<std::string>()) << where;
  auto state = state::GetCheckpointState(io::Env::Default(), ckdir);
  ASSERT_TRUE(state.ok() && state->has_value()) << where;
  EXPECT_EQ((*state)->model_checkpoint_path(),
            imp.at("checkpoint_state").at("model_checkpoint_path").get<std::string>());
  std::vector<std::string> all((*state)->all_model_checkpoint_paths().begin(),
                               (*state)->all_model_checkpoint_paths().end());
  EXPECT_EQ(all, imp.at("checkpoint_state").at("all_model_checkpoint_paths")
                     .get<std::vector<std::string>>()) << where;

  auto bundle = saved_model::LoadMetaGraphAndCheckpoint(
      dir + "/" + imp.at("meta").get<std::string>(), **latest);
  ASSERT_TRUE(bundle.ok()) << where << ": " << bundle.status();
  if (imp.contains("restored")) {
    for (const auto& rec : imp.at("restored")) {
      auto got = saved_model::RunTensors(**bundle, {}, {rec.at("name").get<std::string>()});
      ASSERT_TRUE(got.ok()) << where << ": " << got.status();
      ExpectRecord((*got)[0], rec, where + " restored");
    }
  }
  if (imp.contains("binding")) {
    EXPECT_EQ(ReadJson(dir + "/" + imp.at("binding").at("file").get<std::string>()),
              imp.at("binding").at("fields")) << where;
  }
  if (!imp.contains("runs")) return;
  for (const auto& run : imp.at("runs")) {
    std::vector<graph::Session::Feed> feeds;
    for (const auto& rec : run.at("feeds")) feeds.emplace_back(rec.at("name"), FromRecord(rec));
    const auto targets = run.at("targets").get<std::vector<std::string>>();
    if (!targets.empty()) {
      Status s = (*bundle)->session()->Run(feeds, {}, targets, nullptr);
      ASSERT_TRUE(s.ok()) << where << " " << run.at("what") << ": " << s;
    }
    std::vector<std::string> fetches;
    for (const auto& rec : run.at("fetches")) fetches.push_back(rec.at("name"));
    if (fetches.empty()) continue;
    auto got = saved_model::RunTensors(**bundle, feeds, fetches);
    ASSERT_TRUE(got.ok()) << where << " " << run.at("what") << ": " << got.status();
    for (size_t i = 0; i < fetches.size(); ++i) {
      ExpectRecord((*got)[i], run.at("fetches")[i], where + " run '" + run.at("what").get<std::string>() + "'");
    }
  }
}

TEST(ApiCorpus, TfckptReloadsEveryCaseAsExpected) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  ASSERT_NE(tmp, nullptr);
  const std::string root = std::string(tmp) + "/api_corpus";
  auto names = WriteApiCorpus(root);
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_GE(names->size(), 11u);
  EXPECT_EQ(ReadJson(root + "/index.json").at("cases").get<std::vector<std::string>>(), *names);
  for (const auto& name : *names) {
    SCOPED_TRACE(name);
    const std::string dir = root + "/" + name;
    const json doc = ReadJson(dir + "/expected.json");
    EXPECT_EQ(doc.at("name"), name);
    for (const auto& f : doc.at("files")) {
      EXPECT_TRUE(io::Env::Default()->FileExists(dir + "/" + f.get<std::string>())) << f;
    }
    if (doc.contains("checkpoints")) {
      for (const auto& [prefix, ck] : doc.at("checkpoints").items()) {
        const CompareReport r = CompareCheckpoint(dir + "/" + prefix, ck);
        std::string why;
        for (const auto& m : r.mismatches) why += m + "\n";
        EXPECT_TRUE(r.mismatches.empty()) << prefix << ":\n" << why;
        EXPECT_EQ(r.ok, static_cast<int>(ck.at("tensors").size()) + 1) << prefix;
      }
    }
    if (doc.contains("imports")) {
      for (const auto& imp : doc.at("imports")) CheckImport(dir, imp, name + " " + imp.at("meta").get<std::string>());
    }
    if (doc.at("kind") == "saved_model") {
      for (const auto& mg : doc.at("meta_graphs")) {
        auto bundle = saved_model::LoadSavedModel(dir + "/" + doc.at("export_dir").get<std::string>(),
                                                  mg.at("tags").get<std::vector<std::string>>());
        ASSERT_TRUE(bundle.ok()) << bundle.status();
        for (const auto& [key, sig] : mg.at("signatures").items()) {
          saved_model::NamedTensors inputs;
          for (const auto& [k, rec] : sig.at("inputs").items()) inputs[k] = FromRecord(rec);
          auto out = saved_model::RunSignature(**bundle, key, inputs);
          ASSERT_TRUE(out.ok()) << key << ": " << out.status();
          EXPECT_EQ(out->size(), sig.at("outputs").size()) << key;
          for (const auto& [k, rec] : sig.at("outputs").items()) {
            ASSERT_TRUE(out->count(k)) << key << " " << k;
            ExpectRecord(out->at(k), rec, key);
          }
        }
      }
    }
    if (doc.at("kind") == "frozen_graph") {
      auto bundle = saved_model::LoadFrozenGraph(dir + "/" + doc.at("graph").get<std::string>());
      ASSERT_TRUE(bundle.ok()) << bundle.status();
      EXPECT_EQ((*bundle)->meta_graph_def().graph_def().node_size(),
                static_cast<int>(doc.at("nodes").size()));
      for (const auto& run : doc.at("runs")) {
        std::vector<std::pair<std::string, Tensor>> feeds;
        for (const auto& rec : run.at("feeds")) feeds.emplace_back(rec.at("name"), FromRecord(rec));
        std::vector<std::string> fetches;
        for (const auto& rec : run.at("fetches")) fetches.push_back(rec.at("name"));
        auto got = saved_model::RunTensors(**bundle, feeds, fetches);
        ASSERT_TRUE(got.ok()) << got.status();
        for (size_t i = 0; i < fetches.size(); ++i) ExpectRecord((*got)[i], run.at("fetches")[i], "frozen");
      }
    }
  }
}

}  // namespace
}  // namespace tfckpt::conformance
