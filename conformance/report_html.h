// A self-contained HTML report of one or more conformance runs
// (`tfckpt conform --report-html FILE`; the matrix tier's matrix.html):
// a table of cases × implementations with a text filter and an outcome
// filter, the counts of every implementation, and each failure's detail.
// Everything (style, script, the reports as JSON) is inline: the page loads
// nothing at view time. Input: reports of RunReport::ToJson() (runner.h).
//
// The summary counts are static HTML (ids "count-<i>-passed|failed|skipped"
// for the i-th report); the case rows are built by the inline script from
// the embedded reports (rows of class "case", cells of class "pass|fail|skip"),
// and "#shown" says how many rows the filters leave.
#ifndef TFCKPT_CONFORMANCE_REPORT_HTML_H_
#define TFCKPT_CONFORMANCE_REPORT_HTML_H_

#include <string>
#include <utility>
#include <vector>

#include "nlohmann/json.hpp"

namespace tfckpt::conformance {

// `reports`: (implementation name, report) pairs, in column order.
std::string RenderHtml(const std::vector<std::pair<std::string, nlohmann::json>>& reports,
                       const std::string& title);

}  // namespace tfckpt::conformance

#endif  // TFCKPT_CONFORMANCE_REPORT_HTML_H_
