// Subcommands whose implementation has not landed yet. They parse their
// documented arguments and exit 2 with a message saying so; each moves to a
// file of its own when it is implemented.
#include <iostream>
#include <string>
#include <vector>

#include "src/cli/commands.h"
#include "src/cli/exit_codes.h"

namespace tfckpt::cli {
namespace {

void NotYet(const std::string& name, int* exit_code) {
  std::cerr << "tfckpt " << name << ": not implemented yet in this build\n";
  *exit_code = kExitError;
}

}  // namespace

void RegisterFreeze(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "freeze", "Convert variables to constants: MetaGraph + checkpoint -> "
                "frozen GraphDef .pb.");
  static std::string meta, ckpt, out;
  static std::vector<std::string> outputs;
  cmd->add_option("META", meta, ".meta file or SavedModel directory")
      ->required();
  cmd->add_option("--checkpoint", ckpt, "checkpoint prefix");
  cmd->add_option("--output_node", outputs, "output node names")->required();
  cmd->add_option("-o,--out", out, "frozen .pb to write")->required();
  cmd->callback([exit_code] { NotYet("freeze", exit_code); });
}

void RegisterConvert(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "convert", "Rewrite a checkpoint: V1 <-> V2, merge shards, change "
                 "endianness or compression.");
  static std::string in, out, format = "v2";
  cmd->add_option("IN", in, "input checkpoint")->required();
  cmd->add_option("OUT", out, "output prefix")->required();
  cmd->add_option("--format", format, "v1 or v2");
  cmd->callback([exit_code] { NotYet("convert", exit_code); });
}

void RegisterConform(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "conform", "Run the conformance suite against a testee program.");
  static std::string testee;
  cmd->add_option("TESTEE", testee, "testee command")->required();
  cmd->callback([exit_code] { NotYet("conform", exit_code); });
}

}  // namespace tfckpt::cli
