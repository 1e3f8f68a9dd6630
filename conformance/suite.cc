#include "conformance/suite.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <utility>

#include "conformance/case_clauses.h"
#include "conformance/checkpoint_tensors.h"
#include "conformance/protocol.h"
#include "conformance/suite_load.h"
#include "conformance/suite_model.h"
#include "conformance/tensor_diff.h"
#include "src/bundle/bundle_reader.h"
#include "src/check/defect.h"
#include "src/check/validator.h"
#include "src/checkpoint_v1/tensor_slice_reader.h"

namespace tfckpt::conformance {

using nlohmann::json;

namespace {

// Defective checkpoints a reader may still read correctly: the defect is
// beside the checkpoint, not in it (data files of another save next to an
// intact one), or in bytes TensorFlow ignores (footer padding, docs/spec/
// sstable.md TABLE-4.5), or entries sharing bytes, each of which reads
// correctly (BUNDLE-3.9). The validator must report them; a reader need not
// refuse.
const std::set<std::string> kReadableDefects = {"mixed_shards", "stray_shard",
                                                 "footer_nonzero_padding", "overlapping_data"};

// Whether every code a bad file expects is a warning (check::IsWarning):
// leftovers beside an intact checkpoint, or bytes no tensor uses. Such a
// file must read correctly and validate as valid, with the warning named.
bool OnlyWarnings(const json& expect_any) {
  for (const json& code : expect_any) {
    bool warning = false;
    for (int i = 0; i <= static_cast<int>(check::DefectCode::kUnsupported); ++i) {
      const auto d = static_cast<check::DefectCode>(i);
      if (check::DefectCodeName(d) == code.get<std::string>()) warning = check::IsWarning(d);
    }
    if (!warning) return false;
  }
  return !expect_any.empty();
}

StatusOr<json> LoadJson(io::Env* env, const std::string& path) {
  auto text = env->ReadFileToString(path);
  if (!text.ok()) return text.status();
  json j = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return InvalidArgumentError(StrCat(path, ": not a JSON object"));
  }
  return j;
}

// The "result" object of a response, or nullptr with *why set.
const json* ResultOf(const json& response, std::string* why) {
  if (response.contains("error")) {
    std::string e = response["error"].dump();
    if (e.size() > 300) e = e.substr(0, 300) + "...";  // whole in the --json report
    *why = StrCat("refused: ", e);
    return nullptr;
  }
  if (!response.contains("result") || !response["result"].is_object()) {
    *why = "response has neither a \"result\" object nor \"error\"";
    return nullptr;
  }
  return &response["result"];
}

using Check = std::function<std::string(const json&, std::vector<json>*)>;

// The refusal in a response: the response itself if it is an error, else
// the first tensor of a read result refused on its own; nullptr if none.
// A reader that refuses a damaged tensor and reads the rest has refused.
const json* RefusalOf(const json& response) {
  if (response.contains("error")) return &response;
  if (!response.contains("result") || !response["result"].is_object()) return nullptr;
  const json& result = response["result"];
  if (!result.contains("tensors") || !result["tensors"].is_array()) return nullptr;
  for (const json& t : result["tensors"]) {
    if (t.is_object() && t.contains("error")) return &t;
  }
  return nullptr;
}
using TensorMap = std::map<std::string, tensor::Tensor>;

// The tensors a read response carried values for (data_hex / strings_hex).
TensorMap ReturnedContent(const json& result) {
  TensorMap out;
  if (!result.contains("tensors") || !result["tensors"].is_array()) return out;
  for (const json& t : result["tensors"]) {
    if (!t.is_object() || !(t.contains("data_hex") || t.contains("strings_hex"))) continue;
    auto v = TensorFromWire(t);
    if (v.ok()) out.emplace(t["name"].get<std::string>(), std::move(*v));
  }
  return out;
}

ContentOf Lookup(const TensorMap* m) {
  return [m](const std::string& name) -> const tensor::Tensor* {
    auto it = m->find(name);
    return it == m->end() ? nullptr : &it->second;
  };
}

// Diffs as the case's verdict: "" when there are none.
std::string Verdict(std::vector<json> found, std::vector<json>* differences) {
  const std::string line = SummarizeDiffs(found);
  *differences = std::move(found);
  return line;
}

// The wire form of a MANIFEST tensor record (golden/README.md "<tensor>").
json WireFromRecord(const json& r) {
  return json{{"name", r["name"]}, {"dtype", r["dtype"]}, {"shape", r["shape"]},
              {"sha256", r["raw_sha256"]}};
}

// First difference between two files, or "".
std::string CompareFiles(io::Env* env, const std::string& got, const std::string& want) {
  auto g = env->ReadFileToString(got);
  if (!g.ok()) return StrCat(got, ": ", g.status().message());
  auto w = env->ReadFileToString(want);
  if (!w.ok()) return StrCat(want, ": ", w.status().message());
  if (*g == *w) return "";
  const auto [gi, wi] = std::mismatch(g->begin(), g->end(), w->begin(), w->end());
  return StrCat(got, ": ", g->size(), " bytes, TensorFlow's ", w->size(),
                "; first difference at byte ", gi - g->begin());
}

// What a golden checkpoint holds, read with tfckpt's readers: the write
// cases send these tensors (in TF's data-file order for V2) to the testee.
struct GoldenContents {
  NamedTensors tensors;
  bool byte_comparable = false;  // single shard, nothing partitioned
};

StatusOr<GoldenContents> ReadGolden(io::Env* env, const std::string& prefix, bool v1) {
  GoldenContents out;
  TFCKPT_ASSIGN_OR_RETURN(out.tensors, ReadCheckpointTensors(env, prefix, v1));
  if (v1) {
    TFCKPT_ASSIGN_OR_RETURN(auto reader, checkpoint_v1::TensorSliceReader::Open(env, prefix));
    out.byte_comparable = reader->files().size() == 1;
    for (const auto& info : reader->ListTensors()) {
      if (info.slices.size() != 1) out.byte_comparable = false;
    }
    return out;
  }
  // Reorder from name order to the order TF wrote the data in.
  TFCKPT_ASSIGN_OR_RETURN(auto reader, bundle::BundleReader::Open(env, prefix));
  out.byte_comparable = reader->header().num_shards() == 1;
  std::map<std::string, std::pair<int, int64_t>> position;
  for (const auto& [key, t] : out.tensors) {
    TFCKPT_ASSIGN_OR_RETURN(bundle::ParsedEntry e, reader->GetEntry(key));
    if (e.partitioned()) out.byte_comparable = false;
    position[key] = {e.proto.shard_id(), e.proto.offset()};
  }
  std::stable_sort(out.tensors.begin(), out.tensors.end(), [&](const auto& a, const auto& b) {
    return position[a.first] < position[b.first];
  });
  return out;
}


class SuiteBuilder {
 public:
  SuiteBuilder(io::Env* env, const SuiteOptions& options) : env_(env), options_(options) {}

  Status Build(std::vector<TestCase>* out) {
    TFCKPT_ASSIGN_OR_RETURN(json manifest, LoadJson(env_, options_.golden_dir + "/MANIFEST.json"));
    TFCKPT_ASSIGN_OR_RETURN(json bad, LoadJson(env_, options_.golden_dir + "/bad/EXPECTED.json"));
    if (!manifest.contains("scenarios") || !manifest["scenarios"].is_array() ||
        !manifest.contains("golden_dir") || !bad.contains("cases")) {
      return InvalidArgumentError(StrCat(options_.golden_dir,
                                         ": MANIFEST.json lacks scenarios/golden_dir or "
                                         "bad/EXPECTED.json lacks cases"));
    }
    out_ = out;
    TFCKPT_RETURN_IF_ERROR(AddCorpus(manifest, options_.golden_dir, ""));
    // Corpora other TensorFlow releases wrote (golden/tf-<V>/MANIFEST.json,
    // its golden_dir relative to it; docs/TF_VERSIONS.md): the same cases,
    // named "<corpus>/<scenario>/...". Optional: a suite directory without
    // them (an older copy of golden/) still builds.
    for (const char* corpus : {"tf-1.15", "tf-2.11"}) {
      const std::string root = options_.golden_dir + "/" + corpus;
      if (!env_->FileExists(root + "/MANIFEST.json")) continue;
      TFCKPT_ASSIGN_OR_RETURN(json m, LoadJson(env_, root + "/MANIFEST.json"));
      if (!m.contains("scenarios") || !m["scenarios"].is_array() || !m.contains("golden_dir")) {
        return InvalidArgumentError(StrCat(root, "/MANIFEST.json lacks scenarios/golden_dir"));
      }
      TFCKPT_RETURN_IF_ERROR(AddCorpus(m, root, StrCat(corpus, "/")));
    }
    for (const json& c : bad["cases"]) {
      TFCKPT_RETURN_IF_ERROR(AddBadCases(c));
      AddLoadRefusedCase(c, options_.golden_dir + "/bad/" + c["validate"].get<std::string>(), out_);
    }
    return OkStatus();
  }

 private:
  // The cases of one MANIFEST's scenarios (files under root/golden_dir);
  // case names carry `label` before the scenario name.
  Status AddCorpus(const json& manifest, const std::string& root, const std::string& label) {
    const std::string golden_dir = manifest["golden_dir"].get<std::string>();
    const std::string scenarios = golden_dir == "." ? root : root + "/" + golden_dir;
    for (const json& s : manifest["scenarios"]) {
      const std::string dir = scenarios + "/" + s["dir"].get<std::string>();
      const std::string name = label + s["name"].get<std::string>();
      for (const json& c : s["checkpoints"]) {
        TFCKPT_RETURN_IF_ERROR(AddCheckpointCases(name, dir, c));
      }
      if (s.contains("notes") && s["notes"].contains("checkpoint_state")) {
        AddStateCase(name, dir, s["notes"]["checkpoint_state"]);
      }
      AddModelCases(s, dir, label, out_);
      TFCKPT_RETURN_IF_ERROR(
          AddLoadCases(LoadCaseContext{env_, options_.work_dir, &load_count_}, s, dir, label, out_));
    }
    return OkStatus();
  }

  void Add(std::string name, Level level, const std::string& profile, json request, Check check,
           std::vector<std::string> clauses, std::string source_case = "") {
    out_->push_back(TestCase{std::move(name), level, std::move(request), std::move(check),
                             std::move(clauses), profile, std::move(source_case)});
  }

  Status AddCheckpointCases(const std::string& scenario, const std::string& dir, const json& c) {
    const std::string prefix_rel = c["prefix"].get<std::string>();
    const std::string format = c["format"].get<std::string>();
    const bool v1 = format == "V1";
    const std::string prefix = dir + "/" + prefix_rel;
    const std::string what = scenario + "/" + prefix_rel;
    auto layout = ReadCheckpointLayout(env_, prefix, v1);
    if (!layout.ok()) return layout.status().WithContext(StrCat("reading TF's golden ", prefix));
    std::vector<json> expected;
    std::set<std::string> optional;
    for (const json& t : c["tensors"]) {
      if (t.contains("read_error")) {
        optional.insert(t["name"].get<std::string>());
      } else {
        expected.push_back(WireFromRecord(t));
        // TF's NewCheckpointReader refuses it, TF's RestoreV2 reads it
        // (sliced V1 tensors, some V1 dtypes): refusing it is allowed,
        // dropping it or returning other values is not.
        if (t.contains("reader_refusal")) optional.insert(t["name"].get<std::string>());
      }
    }
    io::Env* env = env_;
    Add(StrCat("Required.Read.", format, ".", what), Level::kRequired, v1 ? "read-v1" : "read-v2",
        {{"op", "read_checkpoint"}, {"format", format}, {"prefix", prefix}},
        [env, prefix, v1, expected, optional](const json& response, std::vector<json>* diffs) {
          std::string why;
          const json* result = ResultOf(response, &why);
          if (!result) return why;
          // Values are known only as sha256; the first differing element
          // needs the content: TF's file read by tfckpt, used only where it
          // hashes to TF's record, and only once a difference is found.
          std::optional<TensorMap> golden;
          std::map<std::string, std::string> sha;
          for (const json& e : expected) sha[e["name"]] = e["sha256"];
          const ContentOf tf_content = [&](const std::string& name) -> const tensor::Tensor* {
            if (!golden) {
              golden.emplace();
              auto read = ReadCheckpointTensors(env, prefix, v1);
              if (read.ok()) {
                for (auto& [n, t] : *read) golden->emplace(n, std::move(t));
              }
            }
            auto it = golden->find(name);
            return it != golden->end() && ContentSha256(it->second) == sha[name] ? &it->second
                                                                                 : nullptr;
          };
          const TensorMap returned = ReturnedContent(*result);
          return Verdict(DiffTensors(*result, expected, optional, tf_content, Lookup(&returned)),
                         diffs);
        },
        ReadClauses(c, *layout));
    Add(StrCat("Required.Validate.Clean.", what), Level::kRequired, "validate",
        {{"op", "validate"}, {"path", prefix}}, [](const json& response, std::vector<json>*) {
          std::string why;
          const json* result = ResultOf(response, &why);
          if (!result) return why;
          if (result->value("valid", false) != true) {
            return StrCat("TF's checkpoint reported invalid: ",
                          result->value("defects", json::array()).dump());
          }
          return std::string();
        },
        CleanClauses(c, *layout));
    return AddWriteCases(format, what, prefix, c, *layout);
  }

  Status AddWriteCases(const std::string& format, const std::string& what,
                       const std::string& golden_prefix, const json& c,
                       const CheckpointLayout& layout) {
    // Byte-for-byte comparison only with files TensorFlow wrote; the
    // tfckpt-written goldens use layouts a writer is not asked for (a
    // snappy index, big-endian, aligned data).
    const bool tf_written = c.value("written_by", std::string("tensorflow")) == "tensorflow";
    const bool v1 = format == "V1";
    auto golden = ReadGolden(env_, golden_prefix, v1);
    if (!golden.ok()) {
      return golden.status().WithContext(StrCat("reading TF's golden ", golden_prefix));
    }
    json tensors = json::array();
    std::vector<json> expected;
    auto content = std::make_shared<TensorMap>();
    for (const auto& [name, t] : golden->tensors) {
      tensors.push_back(WireTensorWithData(name, t));
      expected.push_back(WireTensor(name, t));
      content->emplace(name, t);
    }
    std::sort(expected.begin(), expected.end(),
              [](const json& a, const json& b) { return a["name"] < b["name"]; });
    io::Env* env = env_;
    const std::string profile = v1 ? "write-v1" : "write-v2";
    for (const bool bytes : {false, true}) {
      if (bytes && (!golden->byte_comparable || !tf_written)) continue;
      const std::string out_dir = StrCat(options_.work_dir, "/w", ++write_count_);
      TFCKPT_RETURN_IF_ERROR(env_->CreateDirRecursively(out_dir));
      const std::string out = out_dir + "/" + io::Basename(golden_prefix);
      const json request = {{"op", "write_checkpoint"}, {"format", format},
                            {"prefix", out}, {"tensors", tensors}};
      if (!bytes) {
        Add(StrCat("Required.Write.", format, ".", what), Level::kRequired, profile, request,
            [env, out, v1, expected, content](const json& response,
                                              std::vector<json>* diffs) -> std::string {
              std::string why;
              if (!ResultOf(response, &why)) return why;
              check::Report report = check::Validate(env, out);
              if (!report.ok()) {
                const check::Defect& d = report.defects.front();
                return StrCat("tfckpt validate: ", check::DefectCodeName(d.code), " ", d.file,
                              ": ", d.message,
                              report.defects.size() > 1
                                  ? StrCat(" (and ", report.defects.size() - 1, " more defects)")
                                  : "");
              }
              auto back = ReadCheckpointTensors(env, out, v1);
              if (!back.ok()) return StrCat("reading it back: ", back.status().ToString());
              json list = json::array();
              TensorMap written;
              for (auto& [name, t] : *back) {
                list.push_back(WireTensor(name, t));
                written.emplace(name, std::move(t));
              }
              return Verdict(DiffTensors(json{{"tensors", list}}, expected, {}, Lookup(content.get()),
                                         Lookup(&written)),
                             diffs);
            },
            WriteClauses(c, layout));
        continue;
      }
      std::vector<std::pair<std::string, std::string>> files;  // written, TF's
      if (v1) {
        files.emplace_back(out, golden_prefix);
      } else {
        for (const char* suffix : {".index", ".data-00000-of-00001"}) {
          files.emplace_back(out + suffix, golden_prefix + suffix);
        }
      }
      Add(StrCat("Recommended.WriteBytes.", format, ".", what), Level::kRecommended, profile,
          request, [env, files](const json& response, std::vector<json>*) -> std::string {
            std::string why;
            if (!ResultOf(response, &why)) return why;
            std::string diffs;
            for (const auto& [got, want] : files) {
              std::string diff = CompareFiles(env, got, want);
              if (!diff.empty()) diffs += (diffs.empty() ? "" : "; ") + diff;
            }
            return diffs;
          },
          WriteBytesClauses(c, layout));
    }
    return OkStatus();
  }

  void AddStateCase(const std::string& scenario, const std::string& dir, const json& state) {
    // Relative paths come back joined onto the directory, as TF's
    // get_checkpoint_state returns them.
    json expected = {{"model_checkpoint_path",
                      io::JoinPath(dir, state["model_checkpoint_path"].get<std::string>())},
                     {"all_model_checkpoint_paths", json::array()}};
    for (const json& p : state["all_model_checkpoint_paths"]) {
      expected["all_model_checkpoint_paths"].push_back(io::JoinPath(dir, p.get<std::string>()));
    }
    Add(StrCat("Required.State.", scenario), Level::kRequired, "state",
        {{"op", "read_checkpoint_state"}, {"dir", dir}},
        [expected](const json& response, std::vector<json>*) {
          std::string why;
          const json* result = ResultOf(response, &why);
          if (!result) return why;
          std::string diffs;
          for (const char* field : {"model_checkpoint_path", "all_model_checkpoint_paths"}) {
            const json got = result->contains(field) ? (*result)[field] : json();
            if (got != expected[field]) {
              diffs += StrCat(diffs.empty() ? "" : "; ", field, " is ", got.dump(),
                              ", expected ", expected[field].dump());
            }
          }
          return diffs;
        },
        StateClauses());
  }

  Status AddBadCases(const json& c) {
    const std::string name = c["name"].get<std::string>();
    std::string path = options_.golden_dir + "/bad/" + c["validate"].get<std::string>();
    const std::string broken = c["broken"].get<std::string>();
    const json expect_any = c["expect_any"];
    if (OnlyWarnings(expect_any)) {
      // Validated from a copy with real files: a validator may refuse to
      // judge leftovers (temp files, parked backups) through symlinks, and
      // Bazel's runfiles are symlinks.
      TFCKPT_ASSIGN_OR_RETURN(path, CopyOfBadCase(name, c["validate"].get<std::string>()));
    }
    const bool state_dir = env_->IsDirectory(path);
    // A SavedModel directory: validated, not read (no read operation yet).
    const bool saved_model = env_->FileExists(path + "/saved_model.pb") ||
                             env_->FileExists(path + "/saved_model.pbtxt");
    const std::string format = env_->FileExists(path + ".index") ? "V2" : "V1";
    const bool warning = OnlyWarnings(expect_any);
    // The error classes that fit: one table (protocol.h) maps the codes.
    bool stale = false;
    for (const json& code : expect_any) stale |= code == "STALE_PATH";
    const std::string source = c.value("source", "");
    const std::string source_case =
        source.empty() ? "" : StrCat("Required.Read.", format, ".", source);
    json reject_request;
    std::string profile;
    // A state file that does not parse must be refused; stale paths are a
    // valid state naming missing checkpoints (the validator's business).
    if (state_dir && !stale && !saved_model) {
      reject_request = {{"op", "read_checkpoint_state"}, {"dir", path}};
      profile = "state";
    } else if (!state_dir && !kReadableDefects.count(name) && !warning) {
      reject_request = {{"op", "read_checkpoint"}, {"format", format}, {"prefix", path}};
      profile = format == "V1" ? "read-v1" : "read-v2";
    }
    std::set<std::string> classes;
    for (const json& code : expect_any) {
      const auto fit = ErrorClassesOfDefect(code.get<std::string>());
      if (!profile.empty() && fit.empty()) {
        return InvalidArgumentError(StrCat("bad/EXPECTED.json case ", name, ": defect code ",
                                           code.dump(), " has no error class (protocol.cc)"));
      }
      classes.insert(fit.begin(), fit.end());
    }
    if (!profile.empty()) {
      Add(StrCat("Required.Reject.", name), Level::kRequired, profile, reject_request,
          [broken](const json& response, std::vector<json>*) -> std::string {
            if (RefusalOf(response)) return "";
            return StrCat("accepted a defective file (", broken, ")");
          },
          BadFileClauses(c), source_case);
      Add(StrCat("Recommended.RejectClass.", name), Level::kRecommended, profile, reject_request,
          [broken, classes](const json& response, std::vector<json>*) -> std::string {
            const json want(classes);
            const json* refusal = RefusalOf(response);
            if (!refusal) return StrCat("accepted a defective file (", broken, ")");
            if (!refusal->contains("error_class")) {
              return StrCat("refused without an \"error_class\"; expected one of ", want.dump());
            }
            const json& got = (*refusal)["error_class"];
            if (got.is_string() && classes.count(got.get<std::string>())) return "";
            return StrCat("error_class ", got.dump(), ", expected one of ", want.dump(), " (",
                          broken, ")");
          },
          BadFileClauses(c), source_case);
    }
    const json request = {{"op", "validate"}, {"path", path}};
    Add(StrCat("Required.Validate.", name), Level::kRequired, "validate", request,
        [broken, warning](const json& response, std::vector<json>*) -> std::string {
          std::string why;
          const json* result = ResultOf(response, &why);
          if (!result) return why;
          if (warning) {  // intact, with something beside it to warn about
            return result->value("valid", false) == true
                       ? ""
                       : StrCat("reported invalid: only a warning applies (", broken, ")");
          }
          if (result->value("valid", true) != false) {
            return StrCat("reported valid (", broken, ")");
          }
          return "";
        },
        BadFileClauses(c));
    Add(StrCat("Recommended.ValidateCode.", name), Level::kRecommended, "validate", request,
        [expect_any](const json& response, std::vector<json>*) -> std::string {
          std::string why;
          const json* result = ResultOf(response, &why);
          if (!result) return why;
          json codes = json::array();
          for (const json& d : result->value("defects", json::array())) {
            const json code = d.is_object() ? d.value("code", json()) : json();
            for (const json& want : expect_any) {
              if (code == want) return "";
            }
            codes.push_back(code);
          }
          return StrCat("defect codes ", codes.dump(), ", expected one of ", expect_any.dump());
        },
        BadFileClauses(c));
    return OkStatus();
  }

  // golden/bad/<name> copied (links followed) under the work directory;
  // returns the copy's `validate` path.
  StatusOr<std::string> CopyOfBadCase(const std::string& name, const std::string& validate) {
    namespace fs = std::filesystem;
    const fs::path to = fs::path(options_.work_dir) / "bad" / name;
    std::error_code ec;
    fs::remove_all(to, ec);
    fs::create_directories(to.parent_path(), ec);
    fs::copy(fs::path(options_.golden_dir) / "bad" / name, to, fs::copy_options::recursive, ec);
    if (ec) return InternalError(StrCat("copying golden/bad/", name, " to ", to.string(), ": ", ec.message()));
    return (to.parent_path() / validate).string();
  }

  io::Env* env_;
  const SuiteOptions& options_;
  std::vector<TestCase>* out_ = nullptr;
  int write_count_ = 0;
  int load_count_ = 0;
};

}  // namespace

StatusOr<std::vector<TestCase>> BuildSuite(io::Env* env, const SuiteOptions& given) {
  SuiteOptions options = given;
  std::error_code ec;
  for (std::string* dir : {&options.golden_dir, &options.work_dir}) {
    if (!dir->empty()) *dir = std::filesystem::absolute(*dir, ec).lexically_normal().string();
  }
  std::vector<TestCase> cases;
  TFCKPT_RETURN_IF_ERROR(SuiteBuilder(env, options).Build(&cases));
  return cases;
}

}  // namespace tfckpt::conformance
