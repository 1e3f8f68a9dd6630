#include "conformance/oracle/api_case.h"

#include <algorithm>
#include <cmath>
#include <fstream>

#include "src/io/env.h"
#include "src/io/hex.h"
#include "src/state/checkpoint_state.h"
#include "src/tensor/tensor_record.h"
#include "src/train/meta_graph.h"
#include "src/train/saver.h"
#include "src/train/variables.h"

namespace tfckpt::conformance::api {

using nlohmann::json;
using tensor::Tensor;

Tensor PatternFloats(const std::vector<int64_t>& shape, int seed) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    // Irrational steps give mantissas with every bit in use.
    v[i] = static_cast<float>(std::sin(0.7 * static_cast<double>(i + 1) + 1.3 * seed) *
                              (1.0 + 0.37 * static_cast<double>(seed % 5)));
  }
  return Tensor::FromVector<float>(tensorflow::DT_FLOAT,
                                  Unwrap(tensor::TensorShape::Make(shape), "shape"), v);
}

ApiCase::ApiCase(const std::string& root, std::string name, std::string kind,
                 std::string description)
    : name_(std::move(name)), dir_(root + "/" + name_) {
  API_CHECK_OK(io::Env::Default()->CreateDirRecursively(dir_));
  doc_ = {{"name", name_}, {"kind", std::move(kind)}, {"description", std::move(description)}};
}

size_t ApiCase::AddImport(const std::string& meta, const std::string& checkpoint_dir) {
  const std::string ckdir = checkpoint_dir == "." ? dir_ : Path(checkpoint_dir);
  json entry = {{"meta", meta}, {"checkpoint_dir", checkpoint_dir}};
  auto latest = Unwrap(train::LatestCheckpoint(ckdir), "LatestCheckpoint");
  if (!latest) throw ApiCorpusError{NotFoundError(StrCat("no checkpoint in ", ckdir))};
  entry["latest_checkpoint"] = *latest;
  auto state = Unwrap(state::GetCheckpointState(io::Env::Default(), ckdir), "GetCheckpointState");
  json paths = json::array();
  for (const auto& p : state->all_model_checkpoint_paths()) paths.push_back(p);
  entry["checkpoint_state"] = {{"model_checkpoint_path", state->model_checkpoint_path()},
                               {"all_model_checkpoint_paths", paths}};
  doc_["imports"].push_back(entry);
  return doc_["imports"].size() - 1;
}

json ApiCase::Values(train::ClientSession* sess, const std::vector<std::string>& names) {
  std::vector<train::TensorRef> fetches(names.begin(), names.end());
  auto got = Unwrap(sess->Run({}, fetches), "fetch values");
  json out = json::array();
  for (size_t i = 0; i < names.size(); ++i) out.push_back(tensor::TensorRecord(names[i], got[i]));
  return out;
}

void ApiCase::RecordRun(json* runs, train::ClientSession* sess, const Feeds& feeds,
                        const std::vector<std::string>& fetches,
                        const std::vector<std::string>& targets, const std::string& what) {
  std::vector<train::ClientSession::Feed> f;
  json run = {{"what", what}, {"feeds", json::array()}, {"targets", targets},
              {"fetches", json::array()}};
  for (const auto& [name, t] : feeds) {
    f.emplace_back(name, t);
    run["feeds"].push_back(tensor::TensorRecord(name, t));
  }
  if (!targets.empty()) {
    std::vector<train::TargetRef> tr(targets.begin(), targets.end());
    API_CHECK_OK(sess->Run(tr, f));
  }
  if (!fetches.empty()) {
    std::vector<train::TensorRef> fr(fetches.begin(), fetches.end());
    auto got = Unwrap(sess->Run(f, fr), "run fetches");
    for (size_t i = 0; i < fetches.size(); ++i) {
      run["fetches"].push_back(tensor::TensorRecord(fetches[i], got[i]));
    }
  }
  runs->push_back(run);
}

void ApiCase::AddCheckpoint(const std::string& prefix_rel, const std::string& format,
                            const std::vector<std::pair<std::string, Tensor>>& tensors) {
  json recs = json::array();
  for (const auto& [key, t] : tensors) recs.push_back(tensor::TensorRecord(key, t));
  doc_["checkpoints"][prefix_rel] = {{"format", format}, {"tensors", recs}};
}

json ApiCase::Collections(const std::string& meta_path, const std::vector<std::string>& keys) {
  train::Graph g;
  Unwrap(train::ImportMetaGraph(&g, meta_path), "re-import the meta graph");
  json out = json::object();
  for (const auto& key : keys) {
    json items = json::array();
    bool representable = true;
    for (const auto& item : g.GetCollection(key)) {
      using K = train::CollectionItem::Kind;
      switch (item.kind) {
        case K::kVariable:
          items.push_back({{"kind", "name"}, {"value", item.variable->op_name + ":0"}});
          break;
        case K::kTensor:
        case K::kOperation:
          items.push_back({{"kind", "name"}, {"value", item.ElementName()}});
          break;
        case K::kBytes:
        case K::kString:
          items.push_back({{"kind", "bytes"}, {"value", io::Hex(item.text)}});
          break;
        case K::kInt64:
          items.push_back({{"kind", "int64"}, {"value", item.i}});
          break;
        case K::kFloat:
          items.push_back({{"kind", "float"}, {"value", item.f}});
          break;
        default:
          representable = false;
      }
    }
    if (!representable) {
      throw ApiCorpusError{InvalidArgumentError(StrCat("collection ", key, " holds protos"))};
    }
    out[key] = items;
  }
  return out;
}

namespace {
void ListFiles(const std::string& dir, const std::string& rel, std::vector<std::string>* out) {
  io::Env* env = io::Env::Default();
  for (const auto& child : Unwrap(env->GetChildren(dir), "list the case directory")) {
    const std::string path = dir + "/" + child;
    const std::string r = rel.empty() ? child : rel + "/" + child;
    if (env->IsDirectory(path)) {
      ListFiles(path, r, out);
    } else if (r != "expected.json") {
      out->push_back(r);
    }
  }
}
}  // namespace

void ApiCase::Finish() {
  std::vector<std::string> files;
  ListFiles(dir_, "", &files);
  std::sort(files.begin(), files.end());
  doc_["files"] = files;
  std::ofstream out(Path("expected.json"));
  out << doc_.dump(1) << "\n";
  if (!out) throw ApiCorpusError{InternalError(StrCat("cannot write ", Path("expected.json")))};
}

}  // namespace tfckpt::conformance::api
