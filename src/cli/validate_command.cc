// tfckpt validate PATH... [--json] [--no-data] [--quiet]: check::Validate
// on each path; one line per defect, one summary line per path.

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "src/check/validator.h"
#include "src/cli/checkpoint_source.h"
#include "src/cli/commands.h"
#include "src/cli/exit_codes.h"
#include "src/cli/progress.h"
#include "src/cli/value_format.h"
#include "src/io/env.h"
#include "src/path/model_path.h"

namespace tfckpt::cli {
namespace {

using Json = nlohmann::ordered_json;

std::string DefectLine(const check::Defect& d) {
  std::string line = check::IsWarning(d.code) ? "warning: " : "";
  line += StrCat(check::DefectCodeName(d.code), " ", d.file);
  if (d.offset.has_value()) line += StrCat("@", *d.offset);
  if (!d.key.empty()) line += StrCat(" ", d.key);
  return StrCat(line, ": ", d.message);
}

std::string Plural(size_t n, const char* word) {
  return StrCat(n, " ", word, n == 1 ? "" : "s");
}

// "FILE: N more defects not listed (...)" for each file over the limit.
std::vector<std::string> SuppressedLines(const check::Report& r) {
  std::vector<std::string> out;
  for (const auto& [file, s] : r.suppressed) {
    out.push_back(StrCat(file, ": ", s.errors, " more error(s) and ", s.warnings,
                         " more warning(s) not listed (--max-defects ", r.max_defects_per_file,
                         " per file)"));
  }
  return out;
}

std::string SummaryLine(const check::Report& r, bool verify_data) {
  const uint64_t warnings = r.warnings();
  if (r.ok()) {
    std::string s = StrCat("OK: ", r.path, " (", Plural(r.tensors_checked, "tensor"), ", ");
    s += verify_data ? StrCat(r.bytes_checked, " bytes verified")
                     : std::string("data not verified: --no-data");
    if (warnings > 0) s += ", " + Plural(warnings, "warning");
    return s + ")";
  }
  std::string s = StrCat("INVALID: ", r.path, ": ", Plural(r.errors(), "defect"));
  if (warnings > 0) s += ", " + Plural(warnings, "warning");
  return s;
}

Json ReportJson(const check::Report& r) {
  Json defects = Json::array();
  for (const check::Defect& d : r.defects) {
    defects.push_back(Json{
        {"code", std::string(check::DefectCodeName(d.code))},
        {"severity", check::IsWarning(d.code) ? "warning" : "error"},
        {"file", d.file},
        {"offset", d.offset.has_value() ? Json(*d.offset) : Json(nullptr)},
        {"key", d.key.empty() ? Json(nullptr) : Json(d.key)},
        {"message", d.message}});
  }
  Json suppressed = Json::array();
  for (const auto& [file, s] : r.suppressed) {
    suppressed.push_back(Json{{"file", file}, {"errors", s.errors}, {"warnings", s.warnings}});
  }
  return Json{{"path", r.path},
              {"kind", r.kind},
              {"ok", r.ok()},
              {"notes", r.notes},
              {"files", r.files},
              {"tensors_checked", r.tensors_checked},
              {"bytes_checked", r.bytes_checked},
              {"defects", std::move(defects)},
              {"suppressed", std::move(suppressed)}};
}

// A path naming nothing at all is an I/O error of the command (exit 2, as
// the README says), not a defect of a file: the resolver's error is printed.
Status CheckSomethingThere(io::Env* env, const std::string& p) {
  if (env->FileExists(p)) return OkStatus();
  auto r = path::Resolve(env, p);
  return r.ok() || r.status().code() != StatusCode::kNotFound ? OkStatus() : r.status();
}

}  // namespace

void RegisterValidate(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "validate", "Check checkpoints, state files, SavedModels, .meta and GraphDef files; "
                  "report every defect with a stable code.");
  cmd->footer(
      "Accepts checkpoints (V2 prefix, .index/.data-* file, V1 file), directories with a "
      "`checkpoint` state file, SavedModels, .meta and .pb/.pbtxt files; report every "
      "defect with a stable code, one line each: `CODE file[@offset] [key]: message` (warnings prefixed `warning: `), "
      "then `OK: <path> (N tensors, M bytes verified)` or `INVALID: <path>: K defects`. "
      "A progress line is drawn on stderr when stdout and stderr are terminals (not with "
      "--json or -q) and more than 64 MiB of data are verified. Exit 0 if every path is valid (warnings allowed), 1 if any has a "
      "defect, 2 on usage or I/O errors (an IO_ERROR defect: a file that cannot be read; a "
      "path that does not exist). SavedModels, .meta files (with their checkpoint) and "
      "GraphDef .pb/.pbtxt files get model-level checks: graph structure, signatures, assets, "
      "the Saver's variables against the checkpoint, recursive functions (docs/VALIDATOR.md). "
      "PATH forms: docs/CLI.md \"Paths\".");
  struct Options {
    std::vector<std::string> paths;
    bool json = false, no_data = false, quiet = false;
    size_t max_defects = 100;
  };
  auto opt = std::make_shared<Options>();
  cmd->add_option("PATH", opt->paths, "files or directories")->required();
  cmd->add_flag("--json", opt->json,
                "machine-readable report: {\"paths\": [{\"path\", \"kind\", \"ok\", \"notes\", "
                "\"files\", \"tensors_checked\", \"bytes_checked\", \"defects\": [{\"code\", "
                "\"severity\", \"file\", \"offset\", \"key\", \"message\"}], "
                "\"suppressed\": [{\"file\", \"errors\", \"warnings\"}]}]}");
  cmd->add_flag("--no-data", opt->no_data,
                "skip the tensor data checksums (structure only; much faster)");
  cmd->add_option("--max-defects", opt->max_defects,
                  "defects listed per file (default 100, 0: all); the rest are counted "
                  "(a hostile file cannot flood the output)");
  cmd->add_flag("-q,--quiet", opt->quiet,
                "print only the summary line of each path (no defect lines, notes or progress)");
  cmd->callback([opt, exit_code] {
    // pread, never a mapping: a file truncated underneath while it is
    // validated is a defect, not SIGBUS.
    io::Env* env = io::Env::Pread();
    Json reports = Json::array();
    bool all_ok = true;
    size_t n_ok = 0;
    bool usage_error = false, io_error = false;
    for (const std::string& given : opt->paths) {
      if (Status s = CheckSomethingThere(env, given); !s.ok()) {
        ReportError("validate", s);
        usage_error = true;
        continue;
      }
      const std::string& path = given;
      check::ValidateOptions options;
      options.verify_data = !opt->no_data;
      options.max_defects_per_file = opt->max_defects;
      Progress bar(StrCat("validating ", path), !opt->quiet && !opt->json);
      options.progress = [&bar](uint64_t done, uint64_t total) { bar.Update(done, total); };
      check::Report report = check::Validate(env, path, options);
      bar.Clear();
      all_ok = all_ok && report.ok();
      // A file that could not be read (permissions, EIO) leaves the verdict
      // open: an I/O error of the tool (exit 2), not a defect of the file.
      for (const check::Defect& d : report.defects) io_error |= d.code == check::DefectCode::kIoError;
      n_ok += report.ok() ? 1 : 0;
      if (opt->json) {
        reports.push_back(ReportJson(report));
        continue;
      }
      if (!opt->quiet) {
        for (const std::string& note : report.notes) std::cout << "note: " << note << "\n";
        for (const check::Defect& d : report.defects) std::cout << DefectLine(d) << "\n";
        for (const std::string& line : SuppressedLines(report)) std::cout << line << "\n";
      }
      std::cout << SummaryLine(report, options.verify_data) << "\n" << std::flush;
    }
    if (opt->json) {
      std::cout << JsonText(Json{{"paths", std::move(reports)}});
    } else if (opt->paths.size() > 1 && !opt->quiet) {
      std::cout << Plural(opt->paths.size(), "path") << ": " << n_ok << " OK, "
                << opt->paths.size() - n_ok << " INVALID\n";
    }
    *exit_code = usage_error || io_error ? kExitError : all_ok ? kExitOk : kExitDefects;
  });
}

}  // namespace tfckpt::cli
