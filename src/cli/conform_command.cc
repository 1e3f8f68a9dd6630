// tfckpt conform [--golden DIR] [--failure-list FILE] [--filter TEXT]
//                [--timeout SECONDS] [--max-memory-mb N] [--max-cpu-seconds N]
//                [--max-response-mb N] [--keep] [--json] [--verbose]
//                [--report-html FILE] [--junit FILE] -- TESTEE [ARGS...]
// tfckpt conform --list [--json] [--golden DIR] [--filter TEXT]
// Runs the conformance suite (conformance/runner.h, docs/CONFORMANCE.md)
// against a testee program. Exit 0: the testee claims at least one profile
// and its failures are exactly the failure list; 1: not so; 2: the run
// could not be set up.
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "conformance/report_html.h"
#include "conformance/report_junit.h"
#include "conformance/runner.h"
#include "src/cli/commands.h"
#include "src/cli/exit_codes.h"
#include "src/io/atomic_file.h"
#include "src/io/env.h"

namespace tfckpt::cli {
namespace {

struct ConformArgs {
  conformance::RunOptions run;
  bool json = false;
  bool verbose = false;
  bool list = false;
  std::string report_html;  // --report-html FILE
  std::string junit;        // --junit FILE
};

// Writes the HTML and JUnit renderings the flags ask for; false (after
// saying why) when a file cannot be written.
bool WriteReports(const ConformArgs& args, const nlohmann::json& report) {
  std::string testee = args.run.testee.empty() ? "testee" : args.run.testee.back();
  testee = testee.substr(testee.find_last_of('/') + 1);
  const std::pair<std::string, std::string> outputs[] = {
      {args.report_html,
       args.report_html.empty() ? "" : conformance::RenderHtml({{testee, report}}, "tfckpt conform: " + testee)},
      {args.junit, args.junit.empty() ? "" : conformance::RenderJunit(report, testee)}};
  for (const auto& [path, text] : outputs) {
    if (path.empty()) continue;
    Status s = io::WriteFileAtomically(io::Env::Default(), path, text);
    if (!s.ok()) {
      std::cerr << "tfckpt conform: error: " << s.message() << "\n";
      return false;
    }
  }
  return true;
}

// --list: "<level> <name> <clause>..." per case (--json: with the profile), for writing failure lists
// (the clauses are the docs/spec/ IDs the case tests).
int ListConform(const ConformArgs& args) {
  auto cases = conformance::ListCases(io::Env::Default(), args.run.golden_dir, args.run.filter);
  if (!cases.ok()) {
    std::cerr << "tfckpt conform: error: " << cases.status().message() << "\n";
    return kExitError;
  }
  if (args.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& c : *cases) {
      list.push_back({{"name", c.name}, {"level", conformance::LevelName(c.level)},
                      {"profile", c.profile}, {"clauses", c.clauses}});
    }
    std::cout << list.dump(1) << "\n";
    return kExitOk;
  }
  for (const auto& c : *cases) {
    std::cout << conformance::LevelName(c.level) << " " << c.name;
    for (const std::string& id : c.clauses) std::cout << " " << id;
    std::cout << "\n";
  }
  return kExitOk;
}

void PrintSummary(const conformance::RunReport& report) {
  using conformance::Level;
  using conformance::Outcome;
  const auto& t = report.testee;
  if (t.hello_error.empty()) {
    std::cout << "conform: testee \"" << t.name << "\" " << t.version << " claims ";
    for (size_t i = 0; i < t.profiles.size(); ++i) std::cout << (i ? ", " : "") << t.profiles[i];
    std::cout << "\n";
  }
  int required_failed = 0;
  for (const auto& c : report.cases) {
    required_failed += c.outcome == Outcome::kFail && c.level == Level::kRequired;
  }
  for (const std::string& n : report.unknown_listed) {
    std::cout << "failure list names a case that does not exist: " << n << "\n";
  }
  for (const std::string& n : report.listed_not_claimed) {
    std::cout << "failure list names a case of a profile the testee does not claim: " << n << "\n";
  }
  if (!report.startup_error.empty()) std::cout << "conform: " << report.startup_error << "\n";
  // The first few suspect passes; --json lists them all.
  constexpr size_t kSuspectLines = 10;
  for (size_t i = 0; i < report.suspect.size() && i < kSuspectLines; ++i) {
    for (const auto& c : report.cases) {
      if (c.name == report.suspect[i]) std::cout << "suspect " << c.name << ": " << c.detail << "\n";
    }
  }
  if (report.suspect.size() > kSuspectLines) {
    std::cout << "suspect: and " << report.suspect.size() - kSuspectLines << " more (all in --json)\n";
  }
  std::cout << "conform: " << report.passed << " passed, " << report.failed << " failed ("
            << required_failed << " " << conformance::LevelName(Level::kRequired) << ", "
            << report.failed - required_failed << " recommended), " << report.skipped
            << " skipped, " << report.not_claimed << " not claimed; "
            << report.unexpected_failures.size() << " unexpected failures, "
            << report.unexpected_passes.size() << " unexpected passes";
  if (!report.suspect.empty()) std::cout << "; " << report.suspect.size() << " suspect passes";
  std::cout << "\n";
  if (!report.work_dir.empty()) {
    std::cout << "conform: written files and the testee's stderr kept in " << report.work_dir
              << "\n";
  }
  std::cout << "conform: " << report.Verdict() << "\n";
}

int RunConform(const ConformArgs& args) {
  if (args.list) return ListConform(args);
  if (args.run.testee.empty()) {
    std::cerr << "tfckpt conform: error: TESTEE is required (tfckpt conform [options] -- "
                 "TESTEE [ARGS...]), or --list\n";
    return kExitError;
  }
  const auto print_case = [&args](const conformance::CaseResult& r) {
    if (args.json) return;
    using conformance::Outcome;
    if (r.outcome == Outcome::kFail) {
      std::cout << (r.listed ? "FAIL (listed) " : "FAIL ") << r.name << ": " << r.detail << "\n";
    } else if (r.outcome == Outcome::kPass && r.listed) {
      std::cout << "PASS (listed as failing) " << r.name << "\n";
    } else if (args.verbose && r.outcome != Outcome::kNotClaimed) {
      std::cout << (r.outcome == Outcome::kPass ? "ok " : "skip ") << r.name
                << (r.detail.empty() ? "" : ": " + r.detail) << "\n";
    }
  };
  auto report = conformance::RunConformance(io::Env::Default(), args.run, print_case);
  if (!report.ok()) {
    std::cerr << "tfckpt conform: error: " << report.status().message() << "\n";
    return kExitError;
  }
  if (!WriteReports(args, report->ToJson())) return kExitError;
  if (args.json) {
    std::cout << report->ToJson().dump(1) << "\n";
    return report->conformant() ? kExitOk : kExitDefects;
  }
  PrintSummary(*report);
  return report->conformant() ? kExitOk : kExitDefects;
}

}  // namespace

void RegisterConform(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "conform",
      "Run the conformance suite against a testee program (docs/CONFORMANCE.md). Exit 0 when "
      "the testee claims a profile and its failing cases are exactly the failure list, 1 "
      "otherwise, 2 on set-up errors.");
  static ConformArgs args;
  args.run.golden_dir = "golden";
  cmd->add_option("--golden", args.run.golden_dir,
                  "directory with MANIFEST.json, tf-2.21/ and bad/ (default: ./golden)");
  cmd->add_option("--failure-list", args.run.failure_list,
                  "file naming the cases this testee is expected to fail");
  cmd->add_option("--filter", args.run.filter, "run only cases whose name contains TEXT");
  cmd->add_option("--timeout", args.run.timeout_seconds, "seconds per request (default 60)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--max-memory-mb", args.run.limits.max_memory_mb,
                  "address-space limit of the testee in MiB, 0 for none (default 4096)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--max-cpu-seconds", args.run.limits.max_cpu_seconds,
                  "CPU seconds the testee may use per request, 0 for no limit (default 120)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--max-response-mb", args.run.limits.max_response_mb,
                  "largest response frame in MiB, 0 for the protocol's 256 (default 64)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--work-dir", args.run.work_dir, "scratch directory (default: a temp dir)");
  cmd->add_flag("--keep", args.run.keep_work, "keep the scratch directory");
  cmd->add_flag("--json", args.json, "print the report as JSON");
  cmd->add_flag("--verbose,-v", args.verbose, "print passing and skipped cases too");
  cmd->add_option("--report-html", args.report_html,
                  "also write a self-contained HTML report (filterable table) to FILE");
  cmd->add_option("--junit", args.junit, "also write the cases as JUnit XML to FILE");
  cmd->add_flag("--list", args.list,
                "print every case's level, name and the docs/spec/ clauses it tests (with --json "
                "also its profile); run nothing");
  cmd->add_option("TESTEE", args.run.testee, "testee command and its arguments (after --)")
      ->expected(-1);
  cmd->callback([exit_code] { *exit_code = RunConform(args); });
}

}  // namespace tfckpt::cli
