#include "conformance/suite_load.h"

#include <functional>
#include <map>
#include <memory>
#include <regex>
#include <set>

#include "conformance/checkpoint_tensors.h"
#include "conformance/protocol.h"
#include "conformance/tensor_diff.h"
#include "src/io/status.h"

namespace tfckpt::conformance {

using nlohmann::json;

namespace {

using Check = std::function<std::string(const json&, std::vector<json>*)>;
constexpr char kVariables[] = "/variables/variables";

// The scenarios whose generator saved the checkpoint right after
// global_variables_initializer, every initializer a constant
// (golden/generate/gen_scopes.py): initializing their .meta reproduces it.
const std::set<std::string>& InitThenSaved() {
  static const auto* const kNames =
      new std::set<std::string>{"variable_scopes", "variable_scopes_resource"};
  return *kNames;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The check of a case whose testee saved to `out`: what it wrote, read with
// tfckpt's readers, equals TF's record `checkpoint` (raw_sha256 per tensor).
// Tensors in `ignore` are left out on both sides.
Check SavedEquals(io::Env* env, const std::string& out, const json& checkpoint,
                  const std::set<std::string>& ignore = {}) {
  std::vector<json> expected;
  std::set<std::string> optional;
  for (const json& t : checkpoint.value("tensors", json::array())) {
    if (ignore.count(t.value("name", ""))) continue;
    if (t.contains("read_error")) {
      optional.insert(t.value("name", ""));
      continue;
    }
    expected.push_back({{"name", t["name"]}, {"dtype", t["dtype"]}, {"shape", t["shape"]},
                        {"sha256", t["raw_sha256"]}});
  }
  return [env, out, expected, optional, ignore](const json& response,
                                                std::vector<json>* diffs) -> std::string {
    if (response.contains("error")) {
      return StrCat("refused: ", response["error"].dump().substr(0, 300));
    }
    if (!response.contains("result")) return "response has neither a \"result\" nor \"error\"";
    const bool v1 = !env->FileExists(out + ".index");
    auto back = ReadCheckpointTensors(env, out, v1);
    if (!back.ok()) return StrCat("reading what the Saver wrote: ", back.status().ToString());
    json list = json::array();
    auto written = std::make_shared<std::map<std::string, tensor::Tensor>>();
    for (auto& [name, t] : *back) {
      if (ignore.count(name)) continue;
      list.push_back(WireTensor(name, t));
      written->emplace(name, std::move(t));
    }
    const ContentOf none = [](const std::string&) -> const tensor::Tensor* { return nullptr; };
    const ContentOf got = [written](const std::string& name) -> const tensor::Tensor* {
      auto it = written->find(name);
      return it == written->end() ? nullptr : &it->second;
    };
    std::vector<json> found = DiffTensors(json{{"tensors", list}}, expected, optional, none, got);
    const std::string line = SummarizeDiffs(found);
    *diffs = std::move(found);
    return line;
  };
}

class LoadCases {
 public:
  LoadCases(const LoadCaseContext& ctx, const json& s, const std::string& dir,
            const std::string& label, std::vector<TestCase>* out)
      : ctx_(ctx), s_(s), dir_(dir), name_(label + s["name"].get<std::string>()), out_(out) {}

  Status Add() {
    std::set<std::string> files, hash_ordered;
    for (const json& f : s_.value("files", json::array())) {
      files.insert(f.value("path", ""));
      // TF 1.x serialized its maps in hash order (golden/README.md).
      if (!f.value("deterministic", true)) hash_ordered.insert(f.value("path", ""));
    }
    for (const json& c : s_.value("checkpoints", json::array())) {
      const std::string prefix = c.value("prefix", "");
      if (EndsWith(prefix, kVariables) && !HasMainOp()) {
        const std::string export_rel = prefix.substr(0, prefix.size() - (sizeof(kVariables) - 1));
        std::vector<std::string> clauses = {"SMODEL-3.3", "META-2.2"};
        if (hash_ordered.count(export_rel + "/saved_model.pb")) {
          clauses.insert(clauses.end(), {"META-3.3", "BASE-4.3"});
        }
        // A TF2 SavedModel's save function writes the object graph of the
        // export, not the one in variables/ (TF 2.21 itself saves other bytes).
        TFCKPT_RETURN_IF_ERROR(AddSave(StrCat("Required.LoadSave.", name_, "/", export_rel),
                                       {{"kind", "saved_model"}, {"path", dir_ + "/" + export_rel}},
                                       c, clauses, {"_CHECKPOINTABLE_OBJECT_GRAPH"}));
      }
      if (!files.count(prefix + ".meta")) continue;
      std::vector<std::string> clauses = {"META-2.1", "META-2.2"};
      // ema's cond_context holds CondContextDef bytes in hash order (golden/README.md).
      if (s_["name"] == "ema" || hash_ordered.count(prefix + ".meta")) {
        clauses.insert(clauses.end(), {"META-3.3", "BASE-4.3"});
      }
      const std::string meta = dir_ + "/" + prefix + ".meta";
      TFCKPT_RETURN_IF_ERROR(AddSave(StrCat("Required.LoadSave.", name_, "/", prefix, ".meta"),
                                     {{"kind", "meta_graph"}, {"path", meta},
                                      {"checkpoint", dir_ + "/" + prefix}},
                                     c, clauses));
      if (InitThenSaved().count(s_["name"].get<std::string>())) {
        TFCKPT_RETURN_IF_ERROR(AddSave(StrCat("Required.InitSave.", name_, "/", prefix, ".meta"),
                                       {{"kind", "meta_graph"}, {"path", meta}, {"initialize", true}},
                                       c, {"META-4.2", "META-2.2"}));
      }
    }
    AddImportMissing();
    return OkStatus();
  }

 private:
  // Whether TF recorded a main op for the SavedModel: it runs after the
  // restore (SMODEL-3.3) and may assign variables (saved_model_builder's
  // resets a counter), so what the Saver saves then is not variables/.
  bool HasMainOp() const {
    const json notes = s_.value("notes", json::object());
    if (!notes.contains("saved_model")) return false;
    for (const json& mg : notes["saved_model"].value("meta_graphs", json::array())) {
      for (const json& k : mg.value("collection_keys", json::array())) {
        if (k == "saved_model_main_op" || k == "legacy_init_op") return true;
      }
    }
    return false;
  }

  Status AddSave(std::string case_name, json request, const json& checkpoint,
                 std::vector<std::string> clauses, const std::set<std::string>& ignore = {}) {
    const std::string out_dir = StrCat(ctx_.work_dir, "/load", ++*ctx_.counter);
    TFCKPT_RETURN_IF_ERROR(ctx_.env->CreateDirRecursively(out_dir));
    const std::string out = out_dir + "/saved";
    request["op"] = "load_model";
    request["save_to"] = out;
    out_->push_back(TestCase{std::move(case_name), Level::kRequired, std::move(request),
                             SavedEquals(ctx_.env, out, checkpoint, ignore), std::move(clauses),
                             "load-model", ""});
    return OkStatus();
  }

  // TF's record of import_graph_def(<file>, return_elements=[...]) failing.
  void AddImportMissing() {
    static const std::regex kWhat(R"(import_graph_def\(([^,]+), return_elements=\[([^\]]*)\]\))");
    static const std::regex kQuoted("'([^']*)'");
    for (const json& e : s_.value("errors", json::array())) {
      std::smatch m;
      const std::string what = e.value("what", "");
      if (!std::regex_search(what, m, kWhat)) continue;
      const std::string file = m[1], list = m[2];
      json fetch = json::array();
      for (auto it = std::sregex_iterator(list.begin(), list.end(), kQuoted);
           it != std::sregex_iterator(); ++it) {
        fetch.push_back((*it)[1].str());
      }
      if (fetch.empty()) continue;
      const std::string tf_said = e.value("str", "");
      out_->push_back(TestCase{
          StrCat("Required.ImportMissing.", name_, "/", file), Level::kRequired,
          {{"op", "load_model"}, {"kind", "graph"}, {"path", dir_ + "/" + file}, {"fetch", fetch}},
          [fetch, tf_said](const json& response, std::vector<json>*) -> std::string {
            if (!response.contains("error")) {
              return StrCat("accepted a return tensor the graph lacks (TensorFlow: ", tf_said, ")");
            }
            const std::string error = response["error"].is_string()
                                          ? response["error"].get<std::string>()
                                          : response["error"].dump();
            for (const json& name : fetch) {
              if (error.find(name.get<std::string>()) != std::string::npos) return std::string();
            }
            return StrCat("the error does not name the missing tensor ", fetch.dump(), ": ",
                          error.substr(0, 200));
          },
          {"FROZEN-2.4"}, "load-model", ""});
    }
  }

  const LoadCaseContext& ctx_;
  const json& s_;
  const std::string dir_, name_;
  std::vector<TestCase>* out_;
};

}  // namespace

Status AddLoadCases(const LoadCaseContext& ctx, const json& scenario, const std::string& dir,
                    const std::string& label, std::vector<TestCase>* out) {
  return LoadCases(ctx, scenario, dir, label, out).Add();
}

void AddLoadRefusedCase(const json& bad_case, const std::string& path, std::vector<TestCase>* out) {
  std::vector<std::string> clauses;
  bool names = false;
  for (const json& c : bad_case.value("clauses", json::array())) {
    clauses.push_back(c.get<std::string>());
    names |= c == "SMODEL-3.2";
  }
  if (!names) return;
  const std::string broken = bad_case.value("broken", "");
  out->push_back(TestCase{
      StrCat("Required.LoadRefused.", bad_case.value("name", "")), Level::kRequired,
      {{"op", "load_model"}, {"kind", "saved_model"}, {"path", path}},
      [broken](const json& response, std::vector<json>*) -> std::string {
        if (response.contains("error")) return "";
        return StrCat("loaded a SavedModel whose names do not resolve (", broken, ")");
      },
      clauses, "load-model", ""});
}

}  // namespace tfckpt::conformance
