#include "conformance/report_junit.h"

#include <sstream>

namespace tfckpt::conformance {

using json = nlohmann::json;

std::string XmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const unsigned char c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += (c < 0x20 && c != '\t' && c != '\n' && c != '\r') ? '?' : ch;
    }
  }
  return out;
}

namespace {

// "conform.Required.Read" for "Required.Read.V2.dtypes/dtypes".
std::string ClassName(const std::string& name) {
  const size_t first = name.find('.');
  const size_t second = first == std::string::npos ? first : name.find('.', first + 1);
  return "conform." + name.substr(0, second);
}

}  // namespace

std::string RenderJunit(const json& report, const std::string& suite_name) {
  std::ostringstream cases;
  int tests = 0, failures = 0, skipped = 0;
  for (const json& c : report.at("cases")) {
    const std::string name = c.at("name").get<std::string>();
    const std::string outcome = c.at("outcome").get<std::string>();
    const std::string detail = c.value("detail", std::string());
    const bool listed = c.value("listed", false);
    ++tests;
    cases << "  <testcase classname=\"" << XmlEscape(ClassName(name)) << "\" name=\""
          << XmlEscape(name) << "\"";
    if (outcome == "pass" && !listed) {
      cases << "/>\n";
      continue;
    }
    cases << ">\n";
    if (outcome == "fail" && listed) {
      ++skipped;
      cases << "    <skipped message=\"expected failure (in the failure list): "
            << XmlEscape(detail) << "\"/>\n";
    } else if (outcome == "fail") {
      ++failures;
      cases << "    <failure message=\"" << XmlEscape(detail) << "\"/>\n";
    } else if (outcome == "pass") {
      ++failures;
      cases << "    <failure message=\"passes, but the failure list says it fails (stale list)\"/>\n";
    } else {
      ++skipped;
      cases << "    <skipped message=\"" << XmlEscape(detail) << "\"/>\n";
    }
    cases << "  </testcase>\n";
  }
  for (const json& n : report.value("unknown_listed", json::array())) {
    ++tests;
    ++failures;
    cases << "  <testcase classname=\"conform.FailureList\" name=\""
          << XmlEscape(n.get<std::string>())
          << "\">\n    <failure message=\"the failure list names a case that does not exist\"/>\n"
             "  </testcase>\n";
  }
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<testsuites>\n<testsuite name=\"" << XmlEscape(suite_name) << "\" tests=\"" << tests
      << "\" failures=\"" << failures << "\" errors=\"0\" skipped=\"" << skipped << "\">\n"
      << cases.str() << "</testsuite>\n</testsuites>\n";
  return out.str();
}

}  // namespace tfckpt::conformance
