// The V1 (TensorSlice) arm of checkpoint_source.h.
#ifndef TFCKPT_CLI_CHECKPOINT_V1_H_
#define TFCKPT_CLI_CHECKPOINT_V1_H_

#include <memory>
#include <string>
#include <vector>

#include "src/cli/checkpoint_source.h"

namespace tfckpt::cli {

StatusOr<std::shared_ptr<const checkpoint_v1::TensorSliceReader>> OpenV1(io::Env* env,
                                                                  const std::string& pattern);
std::vector<std::string> FilesV1(const checkpoint_v1::TensorSliceReader& reader);
StatusOr<std::vector<TensorSummary>> ListV1(const checkpoint_v1::TensorSliceReader& reader);
StatusOr<std::vector<TensorLayout>> LayoutV1(const checkpoint_v1::TensorSliceReader& reader);
StatusOr<tensor::Tensor> LookupV1(const checkpoint_v1::TensorSliceReader& reader,
                                  const std::string& name);

}  // namespace tfckpt::cli

#endif  // TFCKPT_CLI_CHECKPOINT_V1_H_
