// tfckpt: inspect, validate, compare, convert and run TensorFlow checkpoints,
// MetaGraphs, SavedModels and frozen graphs.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "src/cli/commands.h"
#include "src/cli/exit_codes.h"
#include "src/cli/suggest.h"
#include "src/cli/version.h"

namespace {

// VERSION (README "Version"), plus `git describe` in stamped builds.
std::string VersionText() {
  const std::string git = TFCKPT_GIT_DESCRIBE;
  return std::string("tfckpt ") + TFCKPT_VERSION + (git.empty() ? "" : " (git " + git + ")") +
         "\nformats: TensorFlow 2.21's checkpoints (V1, V2), state files, MetaGraphs, "
         "SavedModels and frozen graphs";
}

// Output that did not reach stdout (a full disk, /dev/full, a closed pipe)
// is an error: exit 2, never a silent 0.
int CheckStdout(int exit_code) {
  std::cout.flush();
  errno = 0;
  const bool flushed = std::fflush(stdout) == 0;
  if (std::cout.good() && flushed && !std::ferror(stdout)) return exit_code;
  std::cerr << "tfckpt: error: writing standard output failed"
            << (errno != 0 ? std::string(": ") + std::strerror(errno) : std::string()) << "\n";
  return tfckpt::cli::kExitError;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tfckpt::cli;
  CLI::App app{
      "tfckpt: a reference reader, writer and checker for TensorFlow model "
      "files (checkpoints V1/V2, `checkpoint` state, .meta, SavedModel, "
      "frozen .pb).\n\nExit codes: 0 ok, 1 defects found or inputs differ, "
      "2 usage or I/O error."};
  app.name("tfckpt");
  app.require_subcommand(1);
  app.fallthrough(false);
  app.set_version_flag("--version", VersionText());
  int exit_code = kExitOk;
  RegisterInspect(app, &exit_code);
  RegisterShow(app, &exit_code);
  RegisterDump(app, &exit_code);
  RegisterValidate(app, &exit_code);
  RegisterDiff(app, &exit_code);
  RegisterRun(app, &exit_code);
  RegisterFreeze(app, &exit_code);
  RegisterConvert(app, &exit_code);
  RegisterConform(app, &exit_code);
  RegisterResolve(app, &exit_code);
  if (argc > 1 && argv[1][0] != '-') {
    std::vector<std::string> names;
    for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
      names.push_back(sub->get_name());
    }
    if (std::find(names.begin(), names.end(), argv[1]) == names.end()) {
      std::cerr << "tfckpt: error: unknown command '" << argv[1] << "'"
                << DidYouMean(argv[1], names) << "\ncommands: " << ListNames(names)
                << "\nRun 'tfckpt --help' for usage.\n";
      return kExitError;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return CheckStdout(app.exit(e));  // prints help, exit 0
  } catch (const CLI::CallForAllHelp& e) {
    return CheckStdout(app.exit(e));
  } catch (const CLI::CallForVersion& e) {
    return CheckStdout(app.exit(e));
  } catch (const CLI::ParseError& e) {
    app.exit(e);  // prints the error
    std::cerr << "Run 'tfckpt --help' for usage.\n";
    return kExitError;
  }
  return CheckStdout(exit_code);
}
