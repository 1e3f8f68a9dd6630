// Every file of the bad corpus (golden/bad/README.md, EXPECTED.json) is
// reported by check::Validate with one of its expected defect codes, and
// none is ever called valid -- except warning cases (every expected code a
// warning: leftovers beside an intact checkpoint), which must be reported
// and still valid. Every defect code has at least one bad file.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "src/check/report_test_util.h"
#include "src/check/validator.h"
#include "src/io/env.h"
#include "src/testing/runfiles.h"

namespace tfckpt::check {
namespace {

namespace fs = std::filesystem;

using ::tfckpt::testing::Runfile;

nlohmann::json LoadExpected() {
  std::ifstream f(Runfile("golden/bad/EXPECTED.json"));
  return nlohmann::json::parse(f);
}

std::set<std::string> AllCodeNames() {
  std::set<std::string> out;
  for (int i = 0; i <= static_cast<int>(DefectCode::kUnsupported); ++i) {
    out.insert(std::string(DefectCodeName(static_cast<DefectCode>(i))));
  }
  return out;
}

// Whether every code a case expects is a warning.
bool IsWarningCase(const nlohmann::json& c) {
  for (const auto& code : c.at("expect_any")) {
    bool warning = false;
    for (int i = 0; i <= static_cast<int>(DefectCode::kUnsupported); ++i) {
      const auto d = static_cast<DefectCode>(i);
      if (DefectCodeName(d) == code.get<std::string>()) warning = IsWarning(d);
    }
    if (!warning) return false;
  }
  return true;
}

TEST(BadCorpus, ExpectedJsonIsWellFormed) {
  const nlohmann::json doc = LoadExpected();
  ASSERT_EQ(doc.at("schema_version"), 1);
  const std::set<std::string> names = AllCodeNames();
  std::set<std::string> dirs;
  for (const auto& c : doc.at("cases")) {
    EXPECT_TRUE(dirs.insert(c.at("name").get<std::string>()).second) << c.at("name");
    EXPECT_FALSE(c.at("expect_any").empty()) << c.at("name");
    for (const auto& code : c.at("expect_any")) {
      EXPECT_TRUE(names.count(code.get<std::string>())) << c.at("name") << ": no code " << code;
    }
  }
  // Every directory of the corpus is a case (nothing unlisted, nothing stale).
  for (const auto& e : fs::directory_iterator(Runfile("golden/bad"))) {
    if (!fs::is_directory(e.path())) continue;
    const std::string n = e.path().filename().string();
    if (n == "generate") continue;
    EXPECT_TRUE(dirs.count(n)) << "golden/bad/" << n << " is not in EXPECTED.json";
  }
  EXPECT_GE(dirs.size(), 30u);
}

TEST(BadCorpus, EveryFileIsReportedWithItsCode) {
  const nlohmann::json doc = LoadExpected();
  int n = 0;
  for (const auto& c : doc.at("cases")) {
    const std::string name = c.at("name");
    // A copy with real files: runfiles are symlinks, and the validator
    // opens leftovers (temp files, parked backups) with O_NOFOLLOW, so it
    // cannot tell whether a save is still writing them through a link.
    const fs::path copy = fs::path(std::getenv("TEST_TMPDIR")) / "bad" / name;
    fs::remove_all(copy);
    fs::create_directories(copy.parent_path());
    fs::copy(Runfile("golden/bad/" + name), copy, fs::copy_options::recursive);
    const std::string validate = c.at("validate").get<std::string>();
    const std::string path = (copy.parent_path() / validate).string();
    std::set<std::string> want;
    for (const auto& code : c.at("expect_any")) want.insert(code.get<std::string>());
    const Report r = Validate(io::Env::Default(), path);
    const bool warning = IsWarningCase(c);
    if (warning) {
      EXPECT_TRUE(r.ok()) << name << ": a warning case the validator calls invalid\n" << Codes(r);
    } else {
      EXPECT_FALSE(r.ok()) << name << ": the validator calls it valid\n" << Codes(r);
    }
    bool found = false;
    std::string got;
    for (const Defect& d : r.defects) {
      found = found || want.count(std::string(DefectCodeName(d.code))) > 0;
      got += StrCat(got.empty() ? "" : ",", DefectCodeName(d.code));
    }
    std::string want_s;
    for (const auto& w : want) want_s += (want_s.empty() ? "" : "|") + w;
    EXPECT_TRUE(found) << name << ": expected " << want_s << ", got\n" << Codes(r);
    std::cout << (found && r.ok() == warning ? "ok   " : "FAIL ") << name << ": want " << want_s
              << ", got " << (got.empty() ? "(nothing)" : got) << "\n";
    ++n;
  }
  EXPECT_GE(n, 30);
}

// Codes with no bad file, each with the reason one cannot be made.
const std::map<std::string, std::string>& CodesWithoutBadFile() {
  static const auto* const kMap = new std::map<std::string, std::string>{
  };
  return *kMap;
}

// Issue #18: every defect code has at least one bad file (or a reason).
TEST(BadCorpus, EveryDefectCodeHasABadFile) {
  std::set<std::string> covered;
  const nlohmann::json doc = LoadExpected();
  for (const auto& c : doc.at("cases")) {
    for (const auto& code : c.at("expect_any")) covered.insert(code.get<std::string>());
  }
  for (const std::string& code : AllCodeNames()) {
    const bool excused = CodesWithoutBadFile().count(code) > 0;
    if (excused) {
      EXPECT_FALSE(covered.count(code)) << code << " has a bad file now: drop its excuse";
    } else {
      EXPECT_TRUE(covered.count(code)) << "defect code " << code
                                       << " has no file in golden/bad/ (golden/bad/generate/)";
    }
  }
}

}  // namespace
}  // namespace tfckpt::check
