// tfckpt's documented exit codes (README "CLI"). Scripts rely on them.
#ifndef TFCKPT_CLI_EXIT_CODES_H_
#define TFCKPT_CLI_EXIT_CODES_H_

namespace tfckpt::cli {

constexpr int kExitOk = 0;        // success; validate: no defects
constexpr int kExitDefects = 1;   // validate found defects; diff found differences
constexpr int kExitError = 2;     // usage error, I/O error, unsupported input

}  // namespace tfckpt::cli

#endif  // TFCKPT_CLI_EXIT_CODES_H_
