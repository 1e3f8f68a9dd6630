// Progress of a long command on the terminal: the one progress line of
// `validate`, `diff`, `convert`, `dump`, `inspect`, `run` and `freeze`
// (docs/CLI.md).
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

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "src/io/env_wrapper.h"
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

// For commands whose work is reading, through layers that report no
// progress of their own (inspect's index; the one tensor of `dump`; the
// model and variables `run` and `freeze` restore): an Env over `target`
// that counts the bytes read through it, from any thread, and calls
// `on_read(total read so far)` on the thread that built it. A read of more
// than kChunk bytes is made in kChunk pieces, so that one large tensor
// advances the line as it is read.
class ReadCountingEnv : public io::EnvWrapper {
 public:
  static constexpr size_t kChunk = size_t{4} << 20;

  ReadCountingEnv(io::Env* target, std::function<void(uint64_t bytes_read)> on_read);
  StatusOr<std::unique_ptr<io::RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override;
  uint64_t bytes_read() const { return read_; }
  void Count(uint64_t n);  // for its files

 private:
  std::function<void(uint64_t)> on_read_;
  std::atomic<uint64_t> read_{0};
  std::thread::id owner_;
};

// A Progress over the bytes read through env(), against a total set when
// the command knows it (before that nothing is drawn).
class ReadProgress {
 public:
  ReadProgress(std::string label, bool enabled, io::Env* target);
  io::Env* env() { return &env_; }
  void SetTotal(uint64_t total);
  // The work is done: 100% (what was read need not be every byte counted
  // in the total: an index is read where needed), then cleared.
  void Finish();
  void Clear() { progress_.Clear(); }

 private:
  Progress progress_;
  uint64_t total_ = 0;
  ReadCountingEnv env_;
};

// The bytes of the files a checkpoint is stored in (path::ResolvedPath's
// `checkpoint`): a V2 prefix's .index (and with `data`, its .data-* files),
// a V1 file or the files of a V1 shard pattern. 0 for "" or nothing found.
uint64_t CheckpointBytes(io::Env* env, const std::string& checkpoint, bool v2, bool data);

// The bytes `run` and `freeze` read to load a model: its file (`model`: a
// .meta or .pb, or the saved_model.pb(txt) / export.meta of a directory)
// and the files of `checkpoint` (any PATH path::ResolveCheckpoint takes;
// "" for none).
uint64_t InputBytes(io::Env* env, const std::string& model, const std::string& checkpoint);

}  // namespace tfckpt::cli

#endif  // TFCKPT_CLI_PROGRESS_H_
