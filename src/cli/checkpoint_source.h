// What `inspect`, `dump`, `diff` and `convert` accept as PATH, and one
// reader over it. PATH is resolved by path::ResolveCheckpoint
// (src/path/model_path.h, docs/CLI.md "Paths"): any checkpoint form, or a
// model that carries one (a SavedModel's variables, a .meta's checkpoint).
#ifndef TFCKPT_CLI_CHECKPOINT_SOURCE_H_
#define TFCKPT_CLI_CHECKPOINT_SOURCE_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "src/bundle/bundle_reader.h"
#include "src/io/env.h"
#include "src/io/status.h"
#include "src/tensor/tensor.h"

namespace tfckpt::checkpoint_v1 {
class TensorSliceReader;
}

namespace tfckpt::cli {

enum class CheckpointFormat { kV2, kV1 };

struct ResolvedPath {
  std::string given;           // PATH as typed
  std::string prefix;          // V2 prefix, or V1 file / shard pattern
  CheckpointFormat format = CheckpointFormat::kV2;
  std::string how;             // e.g. "model_checkpoint_path of dir/checkpoint"
};

StatusOr<ResolvedPath> ResolveCheckpointPath(io::Env* env, const std::string& path);

// One row of a listing, format-independent.
struct TensorSummary {
  std::string name;
  tensor::DataType dtype = tensorflow::DT_INVALID;
  tensor::TensorShape shape;
};

// Where the bytes of a tensor (or of one slice of it) are stored.
struct StoredPiece {
  std::string slice;     // TensorSlice::DebugString ("-:0,2"); "" = whole tensor
  // V2: the BundleEntryProto of the data (shard -1 if not applicable).
  int shard = -1;
  int64_t offset = -1;
  int64_t size = -1;
  uint32_t crc32c = 0;   // as stored (masked CRC32C)
  std::string file;      // V1: the file holding the slice
};

// What `inspect` shows for one tensor.
struct TensorLayout {
  TensorSummary summary;
  bool partitioned = false;        // V2 partitioned variable / V1 slices
  std::vector<StoredPiece> pieces; // one whole piece, or the slices
};

class Checkpoint {
 public:
  ~Checkpoint();
  static StatusOr<std::unique_ptr<Checkpoint>> Open(io::Env* env, const std::string& path);

  const ResolvedPath& resolved() const { return resolved_; }
  CheckpointFormat format() const { return resolved_.format; }
  // "V2 prefix /x/model.ckpt (model_checkpoint_path of /x/checkpoint)".
  std::string Describe() const;

  // Every tensor, sorted by name.
  StatusOr<std::vector<TensorSummary>> List() const;
  // Every tensor with the location of its bytes, sorted by name.
  StatusOr<std::vector<TensorLayout>> Layout() const;
  // The whole tensor (partitioned / sliced tensors assembled). Errors name
  // the checkpoint and the tensor.
  StatusOr<tensor::Tensor> Lookup(const std::string& name) const;

  // V1: the files matching the pattern, sorted.
  std::vector<std::string> V1Files() const;

  const bundle::BundleReader* v2() const { return v2_.get(); }
  const checkpoint_v1::TensorSliceReader* v1() const { return v1_.get(); }

 private:
  Checkpoint() = default;

  ResolvedPath resolved_;
  std::unique_ptr<bundle::BundleReader> v2_;
  std::shared_ptr<const checkpoint_v1::TensorSliceReader> v1_;
};

// "<file>: <message>" unless the message already names the file.
std::string WithFile(const std::string& file, const std::string& message);

// Prints "tfckpt <command>: error: <message>" on stderr; returns kExitError.
int ReportError(std::string_view command, const Status& status);

// The directory an output file `out` will be written into when it does not
// exist yet ("" if it does): writers create it, and the command says so on
// stderr (NoteCreatedDirectory) so no folder appears silently.
std::string MissingOutputDirectory(io::Env* env, const std::string& out);
void NoteCreatedDirectory(std::string_view command, const std::string& dir);

// A tensor name for humans: printable ASCII as-is, other bytes as \xNN.
std::string DisplayName(const std::string& name);

}  // namespace tfckpt::cli

#endif  // TFCKPT_CLI_CHECKPOINT_SOURCE_H_
