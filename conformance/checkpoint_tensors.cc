#include "conformance/checkpoint_tensors.h"

#include "src/bundle/bundle_reader.h"
#include "src/checkpoint_v1/tensor_slice_reader.h"
#include "src/table/table.h"

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

namespace {

// Adds what the blocks of table `t` show to *out.
Status AddTableLayout(const table::Table& t, CheckpointLayout* out) {
  TFCKPT_ASSIGN_OR_RETURN(std::vector<table::BlockInfo> blocks, t.ListBlocks());
  int data_blocks = 0;
  for (const table::BlockInfo& b : blocks) {
    out->snappy |= b.type == table::CompressionType::kSnappy;
    data_blocks += b.kind == table::BlockInfo::Kind::kData;
  }
  out->multi_block |= data_blocks > 1;
  return OkStatus();
}

}  // namespace

StatusOr<CheckpointLayout> ReadCheckpointLayout(io::Env* env, const std::string& prefix,
                                                bool v1) {
  CheckpointLayout out;
  if (v1) {
    TFCKPT_ASSIGN_OR_RETURN(auto reader, checkpoint_v1::TensorSliceReader::Open(env, prefix));
    for (const std::string& f : reader->files()) {
      TFCKPT_ASSIGN_OR_RETURN(auto file, env->NewRandomAccessFile(f));
      TFCKPT_ASSIGN_OR_RETURN(auto t, table::Table::Open(std::move(file)));
      TFCKPT_RETURN_IF_ERROR(AddTableLayout(*t, &out));
    }
    return out;
  }
  TFCKPT_ASSIGN_OR_RETURN(auto reader, bundle::BundleReader::Open(env, prefix));
  out.big_endian = reader->header().endianness() == tensorflow::BundleHeaderProto::BIG;
  TFCKPT_RETURN_IF_ERROR(AddTableLayout(reader->index(), &out));
  TFCKPT_ASSIGN_OR_RETURN(auto infos, reader->ListTensors());
  for (const auto& info : infos) out.partitioned |= !info.slices.empty();
  return out;
}

}  // namespace tfckpt::conformance
