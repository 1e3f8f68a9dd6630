// tfckpt_conform [options] -- TESTEE [ARGS...]: `tfckpt conform` alone
// (src/cli/conform_command.cc), without the rest of the CLI, for the Bazel
// rule of conformance/defs.bzl: a project that loads it builds only the
// runner and the libraries it reads checkpoints with.
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "src/cli/commands.h"
#include "src/cli/exit_codes.h"

int main(int argc, char** argv) {
  using namespace tfckpt::cli;
  CLI::App app{"tfckpt_conform: `tfckpt conform` (docs/CONFORMANCE.md)"};
  app.name("tfckpt_conform");
  app.require_subcommand(1);
  int exit_code = kExitOk;
  RegisterConform(app, &exit_code);
  // CLI11 takes a vector of arguments in reverse order: ARGS..., "conform".
  std::vector<std::string> args;
  for (int i = argc - 1; i >= 1; --i) args.emplace_back(argv[i]);
  args.emplace_back("conform");
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitError;
  }
  return exit_code;
}
