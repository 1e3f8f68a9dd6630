#include "examples/example_util.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "src/tensor/tensor_record.h"

namespace tfckpt::examples {
namespace {

std::string GoldenRoot() {
  static const std::string root = [] {
    const char* srcdir = std::getenv("TEST_SRCDIR");
    std::string base = srcdir != nullptr ? StrCat(srcdir, "/tfckpt/golden") : "golden";
    return std::filesystem::absolute(base).string();
  }();
  return root;
}

const json& Manifest() {
  static const json* m = [] {
    std::ifstream in(GoldenRoot() + "/MANIFEST.json");
    if (!in) {
      std::cerr << "golden/MANIFEST.json not found (run with bazel run / bazel test)\n";
      std::exit(2);
    }
    return new json(json::parse(in));
  }();
  return *m;
}

}  // namespace

const json& Scenario(const std::string& name) {
  for (const json& s : Manifest()["scenarios"]) {
    if (s["name"] == name) return s;
  }
  std::cerr << "no scenario " << name << " in MANIFEST.json\n";
  std::exit(2);
}

std::string GoldenFile(const std::string& scenario, const std::string& file) {
  return StrCat(GoldenRoot(), "/tf-2.21/", Scenario(scenario)["dir"].get<std::string>(), "/", file);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string EnterWorkDir(const std::string& name) {
  GoldenRoot();  // resolve before leaving the runfiles directory
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::filesystem::path dir =
      std::filesystem::path(tmp != nullptr ? tmp : std::filesystem::temp_directory_path()) /
      StrCat("tfckpt-example-", name, "-", getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::filesystem::current_path(dir);
  std::cout << "working directory: " << dir.string() << "\n";
  return dir.string();
}

const json& Record(const json& list, const std::string& name) {
  for (const json& r : list) {
    if (r.value("name", "") == name) return r;
  }
  static const json empty = json::object();
  return empty;
}

bool SameAsTensorFlow(const tensor::Tensor& t, const json& record) {
  return record.contains("raw_hex") && tensor::CompareToRecord(t, record).empty();
}

tensor::Tensor FromRecord(const json& record) {
  auto t = tensor::TensorFromRecord(record);
  if (!t.ok()) {
    std::cerr << "bad MANIFEST record: " << t.status() << "\n";
    std::exit(2);
  }
  return *std::move(t);
}

std::string Show(const tensor::Tensor& t) { return t.DebugString(8); }

std::string WithoutTraceback(const std::string& message) {
  std::istringstream in(message);
  std::string line, out;
  bool first = true;
  while (std::getline(in, line)) {
    if (line.rfind("    File ", 0) == 0) continue;
    out += (first ? "" : "\n") + line;
    first = false;
  }
  return out;
}

bool Checker::Expect(bool ok, const std::string& what, const std::string& details) {
  ++checks_;
  if (!ok) ++failures_;
  std::cout << (ok ? "  ok   " : "  FAIL ") << what;
  if (!ok && !details.empty()) std::cout << "\n       " << details;
  std::cout << "\n";
  return ok;
}

bool Checker::ExpectOk(const Status& s, const std::string& what) {
  return Expect(s.ok(), what, s.ToString());
}

int Checker::Finish() const {
  std::cout << (failures_ == 0 ? "matches TensorFlow 2.21: " : "MISMATCHES: ") << checks_ - failures_
            << "/" << checks_ << " checks passed\n";
  return failures_ == 0 ? 0 : 1;
}

}  // namespace tfckpt::examples
