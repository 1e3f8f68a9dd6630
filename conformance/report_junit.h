// JUnit XML of a conformance run (`tfckpt conform --junit FILE`), so CI
// systems show each case. Input is the report of RunReport::ToJson()
// (runner.h), so any saved `--json` report converts the same way.
//
// One <testsuite> named after the testee, one <testcase> per case
// (classname "conform.<Level>.<Kind>", e.g. conform.Required.Read). A failure
// that the failure list expects is reported <skipped> with the reason, not
// as a failure, so a conformant run is green; an unexpected failure, a
// listed case that passes and a listed name that is no case are <failure>s.
#ifndef TFCKPT_CONFORMANCE_REPORT_JUNIT_H_
#define TFCKPT_CONFORMANCE_REPORT_JUNIT_H_

#include <string>

#include "nlohmann/json.hpp"

namespace tfckpt::conformance {

std::string RenderJunit(const nlohmann::json& report, const std::string& suite_name);

// `text` with &, <, >, " and ' escaped and every byte that XML 1.0 cannot
// hold (control characters other than tab, newline, carriage return)
// replaced by '?'. Shared with the HTML report.
std::string XmlEscape(const std::string& text);

}  // namespace tfckpt::conformance

#endif  // TFCKPT_CONFORMANCE_REPORT_JUNIT_H_
