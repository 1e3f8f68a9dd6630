// The HTML and JUnit renderings of a conformance report (report_html.h,
// report_junit.h). The headless-browser check of the page is
// conformance/matrix/html_report_test.sh.
#include <regex>
#include <string>

#include "conformance/report_html.h"
#include "conformance/report_junit.h"
#include "gtest/gtest.h"

namespace tfckpt::conformance {
namespace {

using json = nlohmann::json;

// One case of each kind the renderings distinguish.
json SampleReport() {
  return json::parse(R"({
    "conformant": false, "passed": 2, "failed": 2, "skipped": 1,
    "unexpected_failures": ["Required.Reject.b"], "unexpected_passes": ["Required.Read.V2.c/c"],
    "unknown_listed": ["Required.Read.V2.gone/x"],
    "cases": [
      {"name": "Required.Read.V2.a/a", "level": "required", "outcome": "pass"},
      {"name": "Required.Read.V2.c/c", "level": "required", "outcome": "pass", "listed": true},
      {"name": "Required.Reject.b", "level": "required", "outcome": "fail",
       "detail": "accepted <a> \"defective\" & file\u0001"},
      {"name": "Required.Reject.d", "level": "required", "outcome": "fail", "listed": true,
       "detail": "testee died"},
      {"name": "Required.Validate.e", "level": "required", "outcome": "skip", "detail": "no validator"}
    ]})");
}

int Count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

TEST(ReportJunit, EveryCaseWithItsVerdict) {
  const std::string xml = RenderJunit(SampleReport(), "my testee");
  // 5 cases + 1 unknown listed name; the unexpected failure, the stale
  // listed pass and the unknown name fail; listed failure and skip skip.
  EXPECT_NE(xml.find("<testsuite name=\"my testee\" tests=\"6\" failures=\"3\" errors=\"0\" "
                     "skipped=\"2\">"),
            std::string::npos)
      << xml;
  EXPECT_EQ(Count(xml, "<testcase "), 6);
  EXPECT_EQ(Count(xml, "<failure "), 3);
  EXPECT_EQ(Count(xml, "<skipped "), 2);
  EXPECT_NE(xml.find("classname=\"conform.Required.Reject\" name=\"Required.Reject.b\""),
            std::string::npos);
  EXPECT_NE(xml.find("message=\"accepted &lt;a&gt; &quot;defective&quot; &amp; file?\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("expected failure (in the failure list): testee died"), std::string::npos);
  EXPECT_NE(xml.find("name=\"Required.Read.V2.gone/x\""), std::string::npos);
}

TEST(ReportHtml, SelfContainedWithStaticCounts) {
  const std::string html = RenderHtml({{"one", SampleReport()}, {"two", SampleReport()}}, "T");
  EXPECT_NE(html.find("<td id=\"count-1-failed\">2</td>"), std::string::npos);
  EXPECT_NE(html.find("<td id=\"count-0-skipped\">1</td>"), std::string::npos);
  // Nothing is loaded at view time.
  EXPECT_FALSE(std::regex_search(html, std::regex(R"((src|href)\s*=|https?:|@import|url\()")))
      << html;
  // The embedded reports cannot end their <script> element early.
  const json hostile = json::parse(R"({"passed":0,"failed":1,"skipped":0,"cases":[
      {"name":"x","level":"required","outcome":"fail","detail":"</script><b>"}]})");
  const std::string page = RenderHtml({{"h", hostile}}, "T");
  EXPECT_EQ(page.find("</script><b>"), std::string::npos);
  EXPECT_NE(page.find("<\\/script><b>"), std::string::npos);
}

TEST(ReportHtml, InvalidUtf8InADetailDoesNotThrow) {
  json report = SampleReport();
  report["cases"][2]["detail"] = std::string("bytes \xff\xfe");
  EXPECT_NO_THROW(RenderHtml({{"x", report}}, "T"));
}

}  // namespace
}  // namespace tfckpt::conformance
