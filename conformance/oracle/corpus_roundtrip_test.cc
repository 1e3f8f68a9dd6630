// Hermetic half of the oracle tier (no TensorFlow): the corpus write_corpus
// writes reads back through tfckpt's own readers exactly as expected.json
// says, and `tfckpt validate` finds nothing wrong with any of it. So when
// the TF tier fails, the fault is in what TF accepts, not in our
// expectations.
#include <cstdlib>
#include <fstream>

#include "conformance/oracle/compare.h"
#include "conformance/oracle/corpus.h"
#include "gtest/gtest.h"
#include "src/check/report_test_util.h"
#include "src/check/validator.h"
#include "src/io/env.h"

namespace tfckpt::conformance {
namespace {

TEST(CorpusRoundTrip, TfckptReadsAndValidatesWhatItWrote) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  ASSERT_NE(tmp, nullptr);
  const std::string root = std::string(tmp) + "/corpus";
  auto n = WriteCorpus(root);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_GE(*n, 12u);
  std::ifstream f(root + "/expected.json");
  const nlohmann::json doc = nlohmann::json::parse(f);
  ASSERT_EQ(doc.at("cases").size(), *n);
  for (const auto& c : doc.at("cases")) {
    const std::string name = c.at("name");
    const std::string prefix = root + "/" + c.at("prefix").get<std::string>();
    const CompareReport r = CompareCheckpoint(prefix, c);
    std::string why;
    for (const auto& m : r.mismatches) why += m + "\n";
    EXPECT_TRUE(r.mismatches.empty()) << name << ":\n" << why;
    EXPECT_GT(r.ok, 1) << name;

    const std::string target =
        c.at("kind") == "state" ? root + "/" + c.at("dir").get<std::string>() : prefix;
    const check::Report v = check::Validate(io::Env::Default(), target);
    EXPECT_TRUE(v.ok()) << name << " (" << v.kind << "):\n" << check::Codes(v);
    EXPECT_TRUE(v.defects.empty()) << name << " has warnings:\n" << check::Codes(v);
  }
}

}  // namespace
}  // namespace tfckpt::conformance
