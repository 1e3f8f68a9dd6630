#include "conformance/runner.h"

#include <stdlib.h>

#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "conformance/testee_process.h"

namespace tfckpt::conformance {

using nlohmann::json;

namespace {

const char* OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kPass: return "pass";
    case Outcome::kFail: return "fail";
    case Outcome::kSkip: return "skip";
  }
  return "?";
}

// Removes the work directory on scope exit unless asked to keep it.
struct WorkDir {
  std::string path;
  bool remove = false;
  ~WorkDir() {
    std::error_code ec;
    if (remove) std::filesystem::remove_all(path, ec);
  }
};

// A fresh directory under $TMPDIR (or /tmp).
StatusOr<std::string> MakeTempDir() {
  const char* tmp = getenv("TMPDIR");
  std::string templ = StrCat(tmp && *tmp ? tmp : "/tmp", "/tfckpt-conform.XXXXXX");
  if (mkdtemp(templ.data()) == nullptr) {
    return UnavailableError(StrCat(templ, ": cannot create a work directory"));
  }
  return templ;
}

}  // namespace

json RunReport::ToJson() const {
  json cases_json = json::array();
  for (const CaseResult& c : cases) {
    json j = {{"name", c.name},
              {"level", LevelName(c.level)},
              {"outcome", OutcomeName(c.outcome)}};
    if (!c.detail.empty()) j["detail"] = c.detail;
    if (c.listed) j["listed"] = true;
    cases_json.push_back(std::move(j));
  }
  return json{{"conformant", conformant()},
              {"passed", passed},
              {"failed", failed},
              {"skipped", skipped},
              {"unexpected_failures", unexpected_failures},
              {"unexpected_passes", unexpected_passes},
              {"unknown_listed", unknown_listed},
              {"cases", cases_json}};
}

StatusOr<std::vector<std::string>> ReadFailureList(io::Env* env, const std::string& path) {
  TFCKPT_ASSIGN_OR_RETURN(std::string text, env->ReadFileToString(path));
  std::vector<std::string> names;
  std::map<std::string, int> first_line;
  std::istringstream in(text);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    line = line.substr(0, line.find('#'));
    const size_t b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos) continue;
    line = line.substr(b, line.find_last_not_of(" \t\r") + 1 - b);
    auto [it, fresh] = first_line.emplace(line, n);
    if (!fresh) {
      return InvalidArgumentError(StrCat(path, ":", n, ": \"", line, "\" already listed on line ",
                                         it->second));
    }
    names.push_back(line);
  }
  return names;
}

StatusOr<std::vector<CaseResult>> ListCases(io::Env* env, const std::string& golden_dir,
                                           const std::string& filter) {
  WorkDir work{"", true};
  TFCKPT_ASSIGN_OR_RETURN(work.path, MakeTempDir());
  TFCKPT_ASSIGN_OR_RETURN(std::vector<TestCase> suite,
                          BuildSuite(env, SuiteOptions{golden_dir, work.path}));
  std::vector<CaseResult> out;
  for (const TestCase& c : suite) {
    if (c.name.find(filter) == std::string::npos) continue;
    out.push_back(CaseResult{c.name, c.level});
    out.back().clauses = c.clauses;
  }
  return out;
}

StatusOr<RunReport> RunConformance(io::Env* env, const RunOptions& options,
                                   const std::function<void(const CaseResult&)>& on_case) {
  RunReport report;
  std::set<std::string> listed;
  if (!options.failure_list.empty()) {
    TFCKPT_ASSIGN_OR_RETURN(auto names, ReadFailureList(env, options.failure_list));
    listed.insert(names.begin(), names.end());
  }
  WorkDir work{options.work_dir, false};
  if (work.path.empty()) {
    TFCKPT_ASSIGN_OR_RETURN(work.path, MakeTempDir());
    work.remove = !options.keep_work;
  } else {
    TFCKPT_RETURN_IF_ERROR(env->CreateDirRecursively(work.path));
  }
  report.work_dir = work.path;
  report.testee_log = work.path + "/testee.stderr";

  TFCKPT_ASSIGN_OR_RETURN(std::vector<TestCase> suite,
                          BuildSuite(env, SuiteOptions{options.golden_dir, work.path}));
  std::set<std::string> names;
  for (const TestCase& c : suite) names.insert(c.name);
  for (const std::string& l : listed) {
    // With a filter only the cases that run can be judged.
    if (!names.count(l) && l.find(options.filter) != std::string::npos) {
      report.unknown_listed.push_back(l);
    }
  }

  std::unique_ptr<TesteeProcess> testee;
  for (const TestCase& c : suite) {
    if (c.name.find(options.filter) == std::string::npos) continue;
    CaseResult r{c.name, c.level, Outcome::kPass, "", listed.count(c.name) > 0};
    if (!testee) {
      TFCKPT_ASSIGN_OR_RETURN(testee, TesteeProcess::Start(options.testee, report.testee_log));
    }
    auto response = testee->Call(c.request, options.timeout_seconds * 1000);
    if (!response.ok()) {
      r.outcome = Outcome::kFail;
      r.detail = response.status().message();
      testee.reset();  // already dead or killed; the next case starts a new one
    } else if (response->contains("skipped")) {
      r.outcome = Outcome::kSkip;
      r.detail = (*response)["skipped"].is_string() ? (*response)["skipped"].get<std::string>()
                                                     : (*response)["skipped"].dump();
    } else {
      try {
        r.detail = c.check(*response);
      } catch (const json::exception& e) {  // a member of the wrong JSON type
        r.detail = StrCat("malformed response: ", e.what());
      }
      if (!r.detail.empty()) r.outcome = Outcome::kFail;
    }
    switch (r.outcome) {
      case Outcome::kPass:
        ++report.passed;
        if (r.listed) report.unexpected_passes.push_back(r.name);
        break;
      case Outcome::kFail:
        ++report.failed;
        if (!r.listed) report.unexpected_failures.push_back(r.name);
        break;
      case Outcome::kSkip:
        ++report.skipped;
        break;
    }
    if (on_case) on_case(r);
    report.cases.push_back(std::move(r));
  }
  // A non-conformant run keeps what the testee wrote and said, to look at.
  if (!report.conformant()) work.remove = false;
  if (work.remove) report.work_dir.clear(), report.testee_log.clear();
  return report;
}

}  // namespace tfckpt::conformance
