// matrix_report OUT.html NAME=REPORT.json...
// The compatibility matrix's HTML page (conformance/matrix/run.sh): one
// column per implementation, from the `tfckpt conform --json` reports.
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "conformance/report_html.h"
#include "nlohmann/json.hpp"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: matrix_report OUT.html NAME=REPORT.json...\n";
    return 2;
  }
  std::vector<std::pair<std::string, nlohmann::json>> reports;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    const size_t eq = arg.find('=');
    if (eq == std::string::npos) {
      std::cerr << "matrix_report: expected NAME=REPORT.json, got " << arg << "\n";
      return 2;
    }
    const std::string path = arg.substr(eq + 1);
    std::ifstream in(path);
    auto report = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (!in || report.is_discarded() || !report.contains("cases")) {
      std::cerr << "matrix_report: " << path << ": not a `tfckpt conform --json` report\n";
      return 2;
    }
    reports.emplace_back(arg.substr(0, eq), std::move(report));
  }
  std::ofstream out(argv[1]);
  out << tfckpt::conformance::RenderHtml(reports, "tfckpt compatibility matrix");
  if (!out.flush()) {
    std::cerr << "matrix_report: cannot write " << argv[1] << "\n";
    return 2;
  }
  return 0;
}
