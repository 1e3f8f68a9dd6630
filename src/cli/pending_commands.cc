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

void RegisterInspect(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "inspect", "List the tensors (name, dtype, shape, shard, offset, size, "
                 "crc) and header of a checkpoint (V1 or V2).");
  static std::string path;
  static bool json = false;
  cmd->add_option("PATH", path, "checkpoint prefix, .index/.data-* file, "
                                "V1 file, or directory")->required();
  cmd->add_flag("--json", json, "machine-readable output");
  cmd->callback([exit_code] { NotYet("inspect", exit_code); });
}

void RegisterDump(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("dump", "Print the values of one tensor.");
  static std::string path, tensor;
  static bool json = false;
  cmd->add_option("PATH", path, "checkpoint")->required();
  cmd->add_option("TENSOR", tensor, "tensor name")->required();
  cmd->add_flag("--json", json, "exact values as JSON");
  cmd->callback([exit_code] { NotYet("dump", exit_code); });
}

void RegisterValidate(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "validate", "Check checkpoints, state files and SavedModels; report "
                  "every defect with a stable code.");
  static std::vector<std::string> paths;
  static bool json = false;
  cmd->add_option("PATH", paths, "files or directories")->required();
  cmd->add_flag("--json", json, "machine-readable report");
  cmd->callback([exit_code] { NotYet("validate", exit_code); });
}

void RegisterDiff(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "diff", "Compare two checkpoints: names, dtypes, shapes and values.");
  static std::string a, b;
  static double atol = 0, rtol = 0;
  static bool json = false;
  cmd->add_option("A", a, "first checkpoint")->required();
  cmd->add_option("B", b, "second checkpoint")->required();
  cmd->add_option("--atol", atol, "absolute tolerance for values");
  cmd->add_option("--rtol", rtol, "relative tolerance for values");
  cmd->add_flag("--json", json, "machine-readable output");
  cmd->callback([exit_code] { NotYet("diff", exit_code); });
}

void RegisterRun(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "run", "Run a signature of a SavedModel (or a graph) on JSON inputs.");
  static std::string path, tag = "serve", signature = "serving_default";
  static std::vector<std::string> inputs;
  static bool json = false;
  cmd->add_option("PATH", path, "SavedModel directory, .meta prefix or .pb")
      ->required();
  cmd->add_option("--tag", tag, "MetaGraph tag(s), comma-separated");
  cmd->add_option("--signature", signature, "signature key");
  cmd->add_option("--input", inputs, "NAME=JSON, e.g. x=[[1],[2],[3]]");
  cmd->add_flag("--json", json, "machine-readable output");
  cmd->callback([exit_code] { NotYet("run", exit_code); });
}

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
