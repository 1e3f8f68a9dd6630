#include "conformance/checkpoint_tensors.h"

#include "src/bundle/bundle_reader.h"
#include "src/checkpoint_v1/tensor_slice_reader.h"

namespace tfckpt::conformance {

StatusOr<NamedTensors> ReadCheckpointTensors(io::Env* env, const std::string& prefix, bool v1) {
  NamedTensors out;
  if (v1) {
    TFCKPT_ASSIGN_OR_RETURN(auto reader, checkpoint_v1::TensorSliceReader::Open(env, prefix));
    for (const auto& info : reader->ListTensors()) {
      TFCKPT_ASSIGN_OR_RETURN(tensor::Tensor t, reader->Lookup(info.name));
      out.emplace_back(info.name, std::move(t));
    }
    return out;
  }
  TFCKPT_ASSIGN_OR_RETURN(auto reader, bundle::BundleReader::Open(env, prefix));
  TFCKPT_ASSIGN_OR_RETURN(auto infos, reader->ListTensors());
  for (const auto& info : infos) {
    TFCKPT_ASSIGN_OR_RETURN(tensor::Tensor t, reader->Lookup(info.key));
    out.emplace_back(info.key, std::move(t));
  }
  return out;
}

}  // namespace tfckpt::conformance
