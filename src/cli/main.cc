// tfckpt: inspect, validate, compare, convert and run TensorFlow checkpoints,
// MetaGraphs, SavedModels and frozen graphs.
#include <iostream>

#include <CLI/CLI.hpp>

#include "src/cli/commands.h"
#include "src/cli/exit_codes.h"

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
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);  // prints help, exit 0
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);  // prints the error
    std::cerr << "Run 'tfckpt --help' for usage.\n";
    return kExitError;
  }
  return exit_code;
}
