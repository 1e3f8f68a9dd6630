#include "conformance/runner.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "conformance/protocol.h"

namespace tfckpt::conformance {

using nlohmann::json;

namespace {

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

std::string Join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string TextOf(const json& j) { return j.is_string() ? j.get<std::string>() : j.dump(); }

// The "tensors" array of a read result, or nullptr.
const json* TensorsOf(const json& response) {
  if (!response.contains("result") || !response["result"].is_object()) return nullptr;
  const json& result = response["result"];
  if (!result.contains("tensors") || !result["tensors"].is_array()) return nullptr;
  return &result["tensors"];
}

// Judges a hello response into *info; false (with hello_error set) if the
// testee claims nothing usable.
bool ParseHello(const json& response, TesteeInfo* info) {
  if (response.contains("skipped") || response.contains("error")) {
    info->hello_error = StrCat("the testee answered hello with ",
                               response.contains("error") ? "an error" : "\"skipped\"", ": ",
                               TextOf(response.contains("error") ? response["error"]
                                                                 : response["skipped"]),
                               "; it claims no profile");
    return false;
  }
  const json result = response.value("result", json());
  if (!result.is_object() || !result.contains("profiles") || !result["profiles"].is_array()) {
    info->hello_error = "the hello result has no \"profiles\" array: " + response.dump().substr(0, 200);
    return false;
  }
  info->name = result.contains("name") ? TextOf(result["name"]) : "";
  info->version = result.contains("version") ? TextOf(result["version"]) : "";
  std::set<std::string> claimed;
  for (const json& p : result["profiles"]) {
    if (!p.is_string() || !IsProfile(p.get<std::string>())) {
      info->hello_error = StrCat("the testee claims an unknown profile ", p.dump(),
                                 " (known: ", Join({std::begin(kProfiles), std::end(kProfiles)}), ")");
      return false;
    }
    claimed.insert(p.get<std::string>());
  }
  for (const char* p : kProfiles) {
    if (claimed.count(p)) info->profiles.push_back(p);
  }
  if (info->profiles.empty()) {
    info->hello_error = "the testee claims no profile";
    return false;
  }
  return true;
}

// Starts the testee and greets it. A program that cannot be executed is a
// set-up error (returned); a failed hello is *hello_failure, testee null.
StatusOr<std::unique_ptr<TesteeProcess>> StartAndGreet(const RunOptions& options,
                                                       const std::string& log, json* hello,
                                                       std::string* hello_failure) {
  TFCKPT_ASSIGN_OR_RETURN(auto testee, TesteeProcess::Start(options.testee, log, options.limits));
  auto response = testee->Call(json{{"op", "hello"}, {"protocol_version", kProtocolVersion}},
                               options.timeout_seconds * 1000);
  if (!response.ok()) {
    *hello_failure = StrCat("the testee failed at start-up (hello): ", response.status().message());
    return std::unique_ptr<TesteeProcess>();
  }
  *hello = std::move(*response);
  return testee;
}

// Sends one case and judges the answer into *r; resets `testee` if it died.
void RunCase(const TestCase& c, const RunOptions& options, std::unique_ptr<TesteeProcess>* testee,
             CaseResult* r) {
  auto response = (*testee)->Call(c.request, options.timeout_seconds * 1000);
  if (!response.ok()) {
    r->outcome = Outcome::kFail;
    r->detail = response.status().message();
    testee->reset();  // already dead or killed; the next case starts a new one
    return;
  }
  if (response->contains("skipped")) {
    const std::string why = TextOf((*response)["skipped"]);
    if (c.level == Level::kRequired) {
      r->outcome = Outcome::kFail;
      r->detail = StrCat("skipped a required case of claimed profile ", c.profile, ": ", why);
    } else {
      r->outcome = Outcome::kSkip;
      r->detail = why;
    }
    return;
  }
  if (response->contains("error")) {
    r->error = TextOf((*response)["error"]);
    if (response->contains("error_class")) r->error_class = TextOf((*response)["error_class"]);
  } else if (const json* tensors = TensorsOf(*response)) {
    for (const json& t : *tensors) {  // the first tensor refused on its own
      if (!t.is_object() || !t.contains("error")) continue;
      r->error = StrCat("tensor ", t.value("name", json()).dump(), ": ", TextOf(t["error"]));
      if (t.contains("error_class")) r->error_class = TextOf(t["error_class"]);
      break;
    }
  }
  std::vector<json> diffs;
  try {
    r->detail = c.check(*response, &diffs);
  } catch (const json::exception& e) {  // a member of the wrong JSON type
    r->detail = StrCat("malformed response: ", e.what());
  }
  r->differences = json(diffs);
  if (!r->detail.empty()) {
    r->outcome = Outcome::kFail;
  } else if (!r->error.empty()) {  // a refusal that passed: say what it was
    r->detail = StrCat("refused", r->error_class.empty() ? "" : " (" + r->error_class + ")", ": ",
                       r->error.size() > 200 ? r->error.substr(0, 200) + "..." : r->error);
  } else if (const json* tensors = TensorsOf(*response)) {  // a read that passed
    r->detail = StrCat(tensors->size(), " tensors returned, every one as expected");
  }
}

// Marks passes on defective files whose source checkpoint the testee
// failed to read.
void MarkSuspects(RunReport* report) {
  std::map<std::string, Outcome> outcome;
  for (const CaseResult& c : report->cases) outcome[c.name] = c.outcome;
  for (CaseResult& c : report->cases) {
    if (c.outcome != Outcome::kPass || c.source_case.empty()) continue;
    auto it = outcome.find(c.source_case);
    if (it == outcome.end() || it->second != Outcome::kFail) continue;
    c.suspect = true;
    c.detail += StrCat(" [suspect: this testee also fails ", c.source_case, "]");
    report->suspect.push_back(c.name);
  }
}

void Summarize(RunReport* report) {
  std::map<std::string, ProfileSummary*> by_name;
  for (const char* p : kProfiles) {
    ProfileSummary s;
    s.profile = p;
    for (const std::string& c : report->testee.profiles) s.claimed |= c == p;
    report->profiles.push_back(s);
  }
  for (ProfileSummary& s : report->profiles) by_name[s.profile] = &s;
  const std::set<std::string> unexpected(report->unexpected_failures.begin(),
                                         report->unexpected_failures.end());
  const std::set<std::string> unexpected_pass(report->unexpected_passes.begin(),
                                              report->unexpected_passes.end());
  for (const CaseResult& c : report->cases) {
    ProfileSummary* s = by_name[c.profile];
    if (s == nullptr) continue;
    s->passed += c.outcome == Outcome::kPass;
    s->failed += c.outcome == Outcome::kFail;
    s->skipped += c.outcome == Outcome::kSkip;
    s->unexpected += unexpected.count(c.name) + unexpected_pass.count(c.name);
  }
}

}  // namespace

const char* OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kPass: return "pass";
    case Outcome::kFail: return "fail";
    case Outcome::kSkip: return "skip";
    case Outcome::kNotClaimed: return "not_claimed";
  }
  return "?";
}

std::string RunReport::Verdict() const {
  if (!testee.hello_error.empty()) return "NOT CONFORMANT: " + testee.hello_error;
  std::vector<std::string> good, bad, unclaimed;
  for (const ProfileSummary& s : profiles) {
    if (!s.claimed) {
      unclaimed.push_back(s.profile);
    } else if (s.unexpected > 0) {
      bad.push_back(StrCat(s.profile, " (", s.unexpected, " unexpected)"));
    } else {
      good.push_back(s.profile);
    }
  }
  std::string tail = unclaimed.empty() ? "" : "; not claimed: " + Join(unclaimed);
  if (conformant()) return StrCat("CONFORMANT for ", Join(good), tail);
  std::vector<std::string> why;
  if (!startup_error.empty()) why.push_back(startup_error);
  if (!bad.empty()) why.push_back("failures differ from the failure list for " + Join(bad));
  if (!unknown_listed.empty()) {
    why.push_back(StrCat(unknown_listed.size(), " listed cases do not exist"));
  }
  if (!listed_not_claimed.empty()) {
    why.push_back(StrCat(listed_not_claimed.size(), " listed cases are of unclaimed profiles"));
  }
  return StrCat("NOT CONFORMANT: ", Join(why, "; "),
                good.empty() ? "" : "; conformant for " + Join(good), tail);
}

json RunReport::ToJson() const {
  json cases_json = json::array();
  for (const CaseResult& c : cases) {
    json j = {{"name", c.name},
              {"level", LevelName(c.level)},
              {"profile", c.profile},
              {"outcome", OutcomeName(c.outcome)}};
    if (!c.detail.empty()) j["detail"] = c.detail;
    if (!c.differences.empty()) j["differences"] = c.differences;
    if (!c.error.empty()) j["error"] = c.error;
    if (!c.error_class.empty()) j["error_class"] = c.error_class;
    if (c.listed) j["listed"] = true;
    if (c.suspect) j["suspect"] = true;
    if (!c.source_case.empty()) j["source_case"] = c.source_case;
    cases_json.push_back(std::move(j));
  }
  json profiles_json = json::object();
  for (const ProfileSummary& s : profiles) {
    profiles_json[s.profile] = {{"claimed", s.claimed},
                                {"conformant", s.claimed && s.unexpected == 0 && conformant()},
                                {"passed", s.passed},
                                {"failed", s.failed},
                                {"skipped", s.skipped},
                                {"unexpected", s.unexpected}};
  }
  json j = {{"protocol_version", kProtocolVersion},
            {"testee", {{"name", testee.name}, {"version", testee.version},
                        {"profiles", testee.profiles}}},
            {"conformant", conformant()},
            {"verdict", Verdict()},
            {"profiles", profiles_json},
            {"passed", passed},
            {"failed", failed},
            {"skipped", skipped},
            {"not_claimed", not_claimed},
            {"unexpected_failures", unexpected_failures},
            {"unexpected_passes", unexpected_passes},
            {"unknown_listed", unknown_listed},
            {"listed_not_claimed", listed_not_claimed},
            {"suspect", suspect},
            {"cases", cases_json}};
  if (!testee.hello_error.empty()) j["testee"]["hello_error"] = testee.hello_error;
  if (!startup_error.empty()) j["startup_error"] = startup_error;
  return j;
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
    CaseResult r;
    r.name = c.name;
    r.level = c.level;
    r.profile = c.profile;
    r.clauses = c.clauses;
    out.push_back(std::move(r));
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
  std::error_code ec;
  work.path = std::filesystem::absolute(work.path, ec).lexically_normal().string();
  report.work_dir = work.path;
  report.testee_log = work.path + "/testee.stderr";
  std::ofstream(report.testee_log, std::ios::trunc);  // fresh for every run

  TFCKPT_ASSIGN_OR_RETURN(std::vector<TestCase> suite,
                          BuildSuite(env, SuiteOptions{options.golden_dir, work.path}));
  std::map<std::string, const TestCase*> by_name;
  for (const TestCase& c : suite) by_name[c.name] = &c;

  json hello;
  std::string hello_failure;
  TFCKPT_ASSIGN_OR_RETURN(std::unique_ptr<TesteeProcess> testee,
                          StartAndGreet(options, report.testee_log, &hello, &hello_failure));
  if (!testee) {
    report.testee.hello_error = hello_failure;
  } else {
    ParseHello(hello, &report.testee);
  }
  const std::set<std::string> claimed(report.testee.profiles.begin(), report.testee.profiles.end());
  for (const std::string& l : listed) {
    // With a filter only the cases that run can be judged.
    if (l.find(options.filter) == std::string::npos) continue;
    auto it = by_name.find(l);
    if (it == by_name.end()) {
      report.unknown_listed.push_back(l);
    } else if (report.testee.hello_error.empty() && !claimed.count(it->second->profile)) {
      report.listed_not_claimed.push_back(l);
    }
  }
  if (!report.testee.hello_error.empty()) testee.reset();

  for (const TestCase& c : suite) {
    if (!report.testee.hello_error.empty()) break;  // reported once, nothing sent
    if (c.name.find(options.filter) == std::string::npos) continue;
    CaseResult r;
    r.name = c.name;
    r.level = c.level;
    r.profile = c.profile;
    r.listed = listed.count(c.name) > 0;
    r.source_case = c.source_case;
    if (!claimed.count(c.profile)) {
      r.outcome = Outcome::kNotClaimed;
      ++report.not_claimed;
      report.cases.push_back(std::move(r));
      continue;
    }
    if (!testee && report.startup_error.empty()) {
      std::ofstream(report.testee_log, std::ios::app)
          << "--- tfckpt conform: testee restarted for " << c.name << " ---\n";
      json again;
      std::string failure;
      TFCKPT_ASSIGN_OR_RETURN(testee, StartAndGreet(options, report.testee_log, &again, &failure));
      if (!testee) report.startup_error = StrCat("restarting the testee for ", c.name, ": ", failure);
    }
    if (!testee) {
      r.outcome = Outcome::kFail;
      r.detail = "not run: the testee could not be restarted";
    } else {
      RunCase(c, options, &testee, &r);
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
      default:
        ++report.skipped;
        break;
    }
    if (on_case) on_case(r);
    report.cases.push_back(std::move(r));
  }
  MarkSuspects(&report);
  Summarize(&report);
  // A non-conformant run keeps what the testee wrote and said, to look at.
  if (!report.conformant()) work.remove = false;
  if (work.remove) report.work_dir.clear(), report.testee_log.clear();
  return report;
}

}  // namespace tfckpt::conformance
