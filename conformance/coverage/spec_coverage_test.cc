// Traceability between docs/spec/ and the conformance suite: every case
// cites defined clauses, every MUST clause has a case or says why it cannot
// have one, clause citations in the docs resolve, and docs/spec/coverage.md
// is what the generator would write.
#include <cstdlib>
#include <memory>
#include <string>

#include "conformance/coverage/coverage.h"
#include "gtest/gtest.h"
#include "src/io/env.h"
#include "src/io/mem_env.h"

namespace tfckpt::coverage {
namespace {

using conformance::TestCase;

std::string Lines(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += "  " + s + "\n";
  return out;
}

class SpecCoverageTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const char* tmp = std::getenv("TEST_TMPDIR");
    auto a = Analyze(io::Env::Default(), "docs/spec", "golden", tmp != nullptr ? tmp : "/tmp");
    ASSERT_TRUE(a.ok()) << a.status();
    analysis_ = new std::pair<Spec, Coverage>(std::move(*a));
  }
  static const Spec& spec() { return analysis_->first; }
  static const Coverage& cov() { return analysis_->second; }
  static std::pair<Spec, Coverage>* analysis_;
};
std::pair<Spec, Coverage>* SpecCoverageTest::analysis_ = nullptr;

TEST_F(SpecCoverageTest, SpecClausesParse) {
  EXPECT_TRUE(spec().errors.empty()) << Lines(spec().errors);
  EXPECT_GT(spec().clauses.size(), 100u);
}

TEST_F(SpecCoverageTest, CasesCiteDefinedClausesAndMustClausesAreCoveredOrExplained) {
  EXPECT_GT(cov().num_cases, 200u);
  EXPECT_TRUE(cov().problems.empty())
      << cov().problems.size() << " traceability problem(s):\n" << Lines(cov().problems);
}

TEST_F(SpecCoverageTest, ClauseCitationsInTheDocsResolve) {
  std::vector<std::string> files = {"docs/VALIDATOR.md", "docs/CLI.md", "docs/FORMATS.md"};
  auto pages = SpecPages(io::Env::Default(), "docs/spec", "");
  ASSERT_TRUE(pages.ok()) << pages.status();
  for (const std::string& p : *pages) files.push_back("docs/spec/" + p);
  std::vector<std::string> dangling;
  for (const std::string& f : files) {
    auto text = io::Env::Default()->ReadFileToString(f);
    ASSERT_TRUE(text.ok()) << text.status();
    for (std::string& d : DanglingReferences(spec(), f, *text)) dangling.push_back(std::move(d));
  }
  EXPECT_TRUE(dangling.empty()) << "clause IDs cited but not defined:\n" << Lines(dangling);
}

TEST_F(SpecCoverageTest, CoverageTableIsCurrent) {
  auto text = io::Env::Default()->ReadFileToString(std::string("docs/spec/") + kGeneratedPage);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_TRUE(*text == RenderTable(spec(), cov()))
      << "docs/spec/coverage.md is stale: run  bazel run //conformance/coverage:write_coverage";
}

// The checks themselves, on a hand-made spec and suite: each kind of
// problem is found.
Spec TinySpec() {
  Spec s;
  s.clauses = {Clause{"X-1.1", "MUST", "file", "x.md"},
               Clause{"X-1.2", "MUST", "reader", "x.md", "no way to observe it"},
               Clause{"X-1.3", "SHOULD", "writer", "x.md"}};
  for (size_t i = 0; i < s.clauses.size(); ++i) s.index[s.clauses[i].id] = i;
  s.prefixes = {"X"};
  return s;
}

TEST(SpecCoverageChecks, FindsEveryKindOfProblem) {
  const Spec s = TinySpec();
  EXPECT_TRUE(Compute(s, {TestCase{"a", {}, {}, {}, {"X-1.1"}}}).problems.empty());
  // X-1.1 (MUST) without a case.
  EXPECT_EQ(Compute(s, {TestCase{"a", {}, {}, {}, {"X-1.3"}}}).problems.size(), 1u);
  // A case citing an undefined clause; a case citing nothing.
  EXPECT_EQ(Compute(s, {TestCase{"a", {}, {}, {}, {"X-1.1", "X-9.9"}}}).problems.size(), 1u);
  EXPECT_EQ(Compute(s, {TestCase{"a", {}, {}, {}, {"X-1.1"}}, TestCase{"b"}}).problems.size(), 1u);
  // A clause called not testable that a case tests.
  EXPECT_EQ(Compute(s, {TestCase{"a", {}, {}, {}, {"X-1.1", "X-1.2"}}}).problems.size(), 1u);
  EXPECT_EQ(DanglingReferences(s, "f", "see X-1.1, X-4.4 and Y-1.1").size(), 1u);
}

TEST(SpecCoverageChecks, ParsesClauseHeadersAndReasons) {
  auto env = std::make_unique<io::MemEnv>();
  ASSERT_TRUE(env->CreateDirRecursively("/s").ok());
  auto put = [&](const std::string& path, const std::string& text) {
    auto f = env->NewWritableFile(path);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Append(text).ok());
    ASSERT_TRUE((*f)->Close().ok());
  };
  put("/s/README.md", "# x\n\n**BASE-1.1** (MUST NOT, file) A.\n*Not testable: why\nnot.*\n");
  put("/s/a.md", "**A-2.1** (SHOULD, writer) B.\n\n**A-2.2** (SOMETIMES, reader) C.\n");
  auto pages = SpecPages(env.get(), "/s", "coverage.md");
  ASSERT_TRUE(pages.ok()) << pages.status();
  auto spec = ReadSpec(env.get(), "/s", *pages);
  ASSERT_TRUE(spec.ok()) << spec.status();
  ASSERT_EQ(spec->clauses.size(), 2u);
  EXPECT_EQ(spec->clauses[0].level, "MUST NOT");
  EXPECT_EQ(spec->clauses[0].not_testable, "why not.");
  EXPECT_EQ(spec->clauses[1].id, "A-2.1");
  EXPECT_EQ(spec->errors.size(), 1u);  // A-2.2's level
}

}  // namespace
}  // namespace tfckpt::coverage
