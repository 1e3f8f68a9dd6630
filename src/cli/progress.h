// Progress of a long command on the terminal: the one progress line of
// `validate`, `diff`, `convert` and `dump` (docs/CLI.md).
//
// A Progress draws "LABEL [#####.....]  42% (N/M MiB)" on stderr, redrawn
// in place at each whole percent, only when all of these hold:
//   - the command allows it (`enabled`: false under --json and --quiet);
//   - stdout and stderr are both terminals (never into a pipe or a file,
//     so scripts and logs never see it);
//   - the work is more than MinBytes(): 64 MiB, or the environment's
//     TFCKPT_PROGRESS_MIN_BYTES (a byte count) to see it on small inputs.
// Clear() erases the line (before other output goes to the terminal; the
// next Update redraws it); the destructor clears it too. Not thread-safe:
// call it from one thread.
#ifndef TFCKPT_CLI_PROGRESS_H_
#define TFCKPT_CLI_PROGRESS_H_

#include <cstdint>
#include <string>

#include "src/tensor/dtype.h"
#include "src/tensor/shape.h"

namespace tfckpt::cli {

class Progress {
 public:
  Progress(std::string label, bool enabled);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // `done` of `total` bytes of work are finished.
  void Update(uint64_t done, uint64_t total);
  void Clear();

  // Whether stdout and stderr are both terminals.
  static bool OnTerminal();
  static uint64_t MinBytes();

 private:
  std::string label_;
  bool enabled_;
  uint64_t min_bytes_;
  bool drawn_ = false;
  int last_percent_ = -1;
};

// The work of reading or writing one tensor, in bytes: its data size (a
// string element counts as one byte).
uint64_t WorkBytes(tensor::DataType dtype, const tensor::TensorShape& shape);

}  // namespace tfckpt::cli

#endif  // TFCKPT_CLI_PROGRESS_H_
