// Every file of the bad corpus (golden/bad/README.md, EXPECTED.json) is
// reported by check::Validate with one of its expected defect codes, and
// none is ever called valid.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "src/check/validator.h"
#include "src/io/env.h"

namespace tfckpt::check {
namespace {

namespace fs = std::filesystem;

std::string Runfile(const std::string& rel) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  return std::string(srcdir != nullptr ? srcdir : ".") + "/tfckpt/" + rel;
}

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

std::string Codes(const Report& r) {
  std::string out;
  for (const Defect& d : r.defects) {
    out += StrCat("  ", DefectCodeName(d.code), " ", fs::path(d.file).filename().string(),
                  d.offset ? StrCat(" @", *d.offset) : "", d.key.empty() ? "" : " key=" + d.key,
                  ": ", d.message, "\n");
  }
  return out;
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
      EXPECT_NE(code, "UNREFERENCED_DATA");  // warnings cannot make a file invalid
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
    const std::string path = Runfile("golden/bad/" + c.at("validate").get<std::string>());
    std::set<std::string> want;
    for (const auto& code : c.at("expect_any")) want.insert(code.get<std::string>());
    const Report r = Validate(io::Env::Default(), path);
    EXPECT_FALSE(r.ok()) << name << ": the validator calls it valid\n" << Codes(r);
    bool found = false;
    std::string got;
    for (const Defect& d : r.defects) {
      found = found || want.count(std::string(DefectCodeName(d.code))) > 0;
      got += StrCat(got.empty() ? "" : ",", DefectCodeName(d.code));
    }
    std::string want_s;
    for (const auto& w : want) want_s += (want_s.empty() ? "" : "|") + w;
    EXPECT_TRUE(found) << name << ": expected " << want_s << ", got\n" << Codes(r);
    std::cout << (found && !r.ok() ? "ok   " : "FAIL ") << name << ": want " << want_s
              << ", got " << (got.empty() ? "(nothing)" : got) << "\n";
    ++n;
  }
  EXPECT_GE(n, 30);
}

}  // namespace
}  // namespace tfckpt::check
