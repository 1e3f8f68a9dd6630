// Subcommands whose implementation has not landed yet. They parse their
// documented arguments and exit 2 with a message saying so; each moves to a
// file of its own when it is implemented.
#include <iostream>
#include <string>

#include "src/cli/commands.h"
#include "src/cli/exit_codes.h"

namespace tfckpt::cli {
namespace {

void NotYet(const std::string& name, int* exit_code) {
  std::cerr << "tfckpt " << name << ": not implemented yet in this build\n";
  *exit_code = kExitError;
}

}  // namespace

void RegisterConform(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "conform", "Run the conformance suite against a testee program.");
  static std::string testee;
  cmd->add_option("TESTEE", testee, "testee command")->required();
  cmd->callback([exit_code] { NotYet("conform", exit_code); });
}

}  // namespace tfckpt::cli
