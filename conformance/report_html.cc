#include "conformance/report_html.h"

#include <sstream>

#include "conformance/report_junit.h"  // XmlEscape

namespace tfckpt::conformance {

using json = nlohmann::json;

namespace {

constexpr char kStyle[] = R"(
body { font: 14px system-ui, sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: 2px 6px; text-align: left; vertical-align: top; }
td.pass { background: #dff5df; } td.fail { background: #f8d4d4; } td.skip { color: #888; }
td.fail.listed { background: #fbe9c9; }
.detail { font-size: 12px; color: #555; white-space: pre-wrap; max-width: 30em; overflow-wrap: anywhere; }
#controls { margin: 1em 0; }
)";

// Builds the rows from the embedded reports and applies the filters. Cell
// text: "pass", "FAIL" (unexpected), "fail (listed)", "skip"; the detail is
// the cell's title and, for failures, shown under the mark.
constexpr char kScript[] = R"(
const reports = JSON.parse(document.getElementById('data').textContent);
const names = [];
const byName = reports.map(r => {
  const m = new Map();
  for (const c of r.report.cases) {
    m.set(c.name, c);
    if (!names.includes(c.name)) names.push(c.name);
  }
  return m;
});
const body = document.querySelector('#cases tbody');
for (const name of names) {
  const tr = document.createElement('tr');
  tr.className = 'case';
  const th = document.createElement('td');
  th.textContent = name;
  tr.appendChild(th);
  const outcomes = [];
  byName.forEach(m => {
    const c = m.get(name);
    const td = document.createElement('td');
    // A case of a profile the testee does not claim shows as skipped.
    const outcome = c && c.outcome !== 'not_claimed' ? c.outcome : 'skip';
    outcomes.push(outcome);
    td.className = outcome + (c && c.listed ? ' listed' : '');
    td.textContent = outcome === 'fail' ? (c.listed ? 'fail (listed)' : 'FAIL')
                   : (c && c.outcome === 'not_claimed' ? 'not claimed' : outcome);
    if (c && c.detail) {
      td.title = c.detail;
      if (outcome === 'fail') {
        const d = document.createElement('div');
        d.className = 'detail';
        d.textContent = c.detail;
        td.appendChild(d);
      }
    }
    tr.appendChild(td);
  });
  tr.dataset.outcomes = outcomes.join(' ');
  body.appendChild(tr);
}
function apply() {
  const text = document.getElementById('filter').value.toLowerCase();
  const want = document.getElementById('outcome').value;
  let shown = 0;
  for (const tr of body.querySelectorAll('tr.case')) {
    const ok = tr.textContent.toLowerCase().includes(text) &&
               (want === 'all' || tr.dataset.outcomes.split(' ').includes(want));
    tr.style.display = ok ? '' : 'none';
    shown += ok ? 1 : 0;
  }
  document.getElementById('shown').textContent = shown;
}
document.getElementById('filter').addEventListener('input', apply);
document.getElementById('outcome').addEventListener('change', apply);
apply();
)";

// JSON inside <script>: "</" would end the element early.
std::string ScriptSafe(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '<' && i + 1 < text.size() && text[i + 1] == '/') {
      out += "<\\/";
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

std::string RenderHtml(const std::vector<std::pair<std::string, json>>& reports,
                       const std::string& title) {
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>"
      << XmlEscape(title) << "</title>\n<style>" << kStyle << "</style>\n</head>\n<body>\n<h1>"
      << XmlEscape(title) << "</h1>\n<table id=\"summary\">\n<tr><th>implementation</th>"
      << "<th>passed</th><th>failed</th><th>skipped</th><th>conformant</th></tr>\n";
  json data = json::array();
  for (size_t i = 0; i < reports.size(); ++i) {
    const json& r = reports[i].second;
    out << "<tr><td>" << XmlEscape(reports[i].first) << "</td>";
    for (const char* key : {"passed", "failed", "skipped"}) {
      out << "<td id=\"count-" << i << "-" << key << "\">" << r.value(key, 0) << "</td>";
    }
    out << "<td>" << (r.value("conformant", false) ? "yes" : "no") << "</td></tr>\n";
    data.push_back({{"name", reports[i].first}, {"report", r}});
  }
  out << "</table>\n<div id=\"controls\">filter: <input id=\"filter\" type=\"search\" "
      << "placeholder=\"case name or text\"> outcome: <select id=\"outcome\">"
      << "<option>all</option><option>fail</option><option>pass</option><option>skip</option>"
      << "</select> <span id=\"shown\"></span> cases shown</div>\n"
      << "<table id=\"cases\">\n<thead><tr><th>case</th>";
  for (const auto& r : reports) out << "<th>" << XmlEscape(r.first) << "</th>";
  out << "</tr></thead>\n<tbody></tbody>\n</table>\n"
      << "<script type=\"application/json\" id=\"data\">" << ScriptSafe(data.dump(-1, ' ', false, json::error_handler_t::replace)) << "</script>\n"
      << "<script>" << kScript << "</script>\n</body>\n</html>\n";
  return out.str();
}

}  // namespace tfckpt::conformance
