// Every `tfckpt` subcommand registers itself on the root CLI11 app. The
// callback stores its exit code in *exit_code (see exit_codes.h).
#ifndef TFCKPT_CLI_COMMANDS_H_
#define TFCKPT_CLI_COMMANDS_H_

#include <CLI/CLI.hpp>

namespace tfckpt::cli {

void RegisterInspect(CLI::App& app, int* exit_code);
void RegisterShow(CLI::App& app, int* exit_code);
void RegisterDump(CLI::App& app, int* exit_code);
void RegisterValidate(CLI::App& app, int* exit_code);
void RegisterDiff(CLI::App& app, int* exit_code);
void RegisterRun(CLI::App& app, int* exit_code);
void RegisterFreeze(CLI::App& app, int* exit_code);
void RegisterConvert(CLI::App& app, int* exit_code);
void RegisterConform(CLI::App& app, int* exit_code);
void RegisterResolve(CLI::App& app, int* exit_code);

}  // namespace tfckpt::cli

#endif  // TFCKPT_CLI_COMMANDS_H_
