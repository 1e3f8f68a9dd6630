// Every tensor of a checkpoint, whole, with tfckpt's readers: what the
// runner reads from TF's files and from a testee's, and what tfckpt's
// testee answers to read_checkpoint.
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

}  // namespace tfckpt::conformance

#endif  // TFCKPT_CONFORMANCE_CHECKPOINT_TENSORS_H_
