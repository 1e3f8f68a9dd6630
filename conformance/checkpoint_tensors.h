// Every tensor of a checkpoint, whole, with tfckpt's readers: what the
// runner reads from TF's files and from a testee's, and what tfckpt's
// testee answers to read_checkpoint. And what a checkpoint's layout
// exercises, read with the same library (the suite cites clauses by it).
#ifndef TFCKPT_CONFORMANCE_CHECKPOINT_TENSORS_H_
#define TFCKPT_CONFORMANCE_CHECKPOINT_TENSORS_H_

#include <string>
#include <utility>
#include <vector>

#include "src/io/env.h"
#include "src/io/status.h"
#include "src/tensor/tensor.h"

namespace tfckpt::conformance {

using NamedTensors = std::vector<std::pair<std::string, tensor::Tensor>>;

// Sorted by name; partitioned / sliced tensors assembled. `v1`: read
// `prefix` as a V1 (TensorSlice) file or shard pattern, else as a V2 bundle.
StatusOr<NamedTensors> ReadCheckpointTensors(io::Env* env, const std::string& prefix, bool v1);

// Layout facts TensorFlow's API cannot report (TF reads them all alike), so
// the one codec measures them on the file rather than a manifest stating them.
struct CheckpointLayout {
  bool snappy = false;       // a snappy-compressed table block (any table)
  bool big_endian = false;   // a V2 header with endianness BIG
  bool partitioned = false;  // a V2 entry with slices
  bool multi_block = false;  // a table (index / V1 file) of more than one data block
};
StatusOr<CheckpointLayout> ReadCheckpointLayout(io::Env* env, const std::string& prefix,
                                                bool v1);

}  // namespace tfckpt::conformance

#endif  // TFCKPT_CONFORMANCE_CHECKPOINT_TENSORS_H_
