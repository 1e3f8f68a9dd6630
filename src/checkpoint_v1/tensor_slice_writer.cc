#include "src/checkpoint_v1/tensor_slice_writer.h"

#include <algorithm>
#include <numeric>
#include <utility>

#include "src/io/atomic_file.h"
#include "src/checkpoint_v1/slice_data.h"
#include "src/table/table_builder.h"

namespace tfckpt::checkpoint_v1 {
namespace {

using tensor::DataTypeName;
using tensor::Tensor;
using tensor::TensorShape;
using tensor::TensorSlice;

// a + b and a * b saturating at UINT64_MAX (the bound only needs to exceed
// kMaxMessageBytes).
uint64_t SatAdd(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }
uint64_t SatMul(uint64_t a, uint64_t b) {
  return (a != 0 && b > UINT64_MAX / a) ? UINT64_MAX : a * b;
}

// TF's TensorSlice::SliceTensorShape, with its messages.
StatusOr<TensorShape> SliceTensorShape(const TensorSlice& slice, const TensorShape& shape) {
  if (shape.rank() != slice.rank()) {
    return InternalError(StrCat("Mismatching ranks: shape = ", shape.DebugString(),
                                ", slice = ", slice.DebugString()));
  }
  for (int d = 0; d < slice.rank(); ++d) {
    const TensorSlice::Extent& e = slice.extent(d);
    if (!e.full() && (e.start > shape.dim(d) || e.length > shape.dim(d) - e.start)) {
      return InternalError(StrCat("Extent in dimension ", d, " out of bounds: shape = ",
                                  shape.DebugString(), ", slice = ", slice.DebugString()));
    }
  }
  return slice.SliceShape(shape);
}

}  // namespace

TensorSliceWriter::TensorSliceWriter(io::Env* env, std::string filename)
    : env_(env), filename_(std::move(filename)) {
  tensorflow::VersionDef* versions = sts_.mutable_meta()->mutable_versions();
  versions->set_producer(kCheckpointVersion);
  versions->set_min_consumer(kCheckpointVersionMinConsumer);
}

Status TensorSliceWriter::Add(const std::string& name, const Tensor& tensor) {
  return AddSlice(name, tensor.shape(), TensorSlice(tensor.shape().rank()), tensor);
}

Status TensorSliceWriter::AddSlice(const std::string& name, const TensorShape& full_shape,
                                   const TensorSlice& slice, const Tensor& data) {
  if (finished_) return FailedPreconditionError("TensorSliceWriter: Add after Finish");
  const tensor::DataType dt = data.dtype();
  TFCKPT_RETURN_IF_ERROR(CheckWritableDtype(dt));
  if (full_shape.rank() != slice.rank()) {
    return InternalError(StrCat("Incompatible tensor shape and slice: shape = ",
                                full_shape.DebugString(), ", slice = ", slice.DebugString()));
  }
  auto it = name_to_index_.find(name);
  if (it != name_to_index_.end()) {
    const tensorflow::SavedSliceMeta& ssm = sts_.meta().tensor(it->second);
    auto existing = TensorShape::FromProto(ssm.shape());
    if (!existing.ok() || *existing != full_shape) {
      return InternalError(StrCat(
          "Mismatching shapes: existing tensor = ",
          existing.ok() ? existing->DebugString() : std::string("?"),
          ", trying to add name ", name, ", shape = ", full_shape.DebugString()));
    }
    if (ssm.type() != dt) {
      return InternalError(StrCat("Mismatching types: existing type = ",
                                  DataTypeName(ssm.type()), ", trying to add name ", name,
                                  ", type = ", DataTypeName(dt)));
    }
  }
  TFCKPT_ASSIGN_OR_RETURN(TensorShape sliced_shape, SliceTensorShape(slice, full_shape));
  if (data.shape() != sliced_shape) {
    return InvalidArgumentError(StrCat("Data for slice ", slice.DebugString(), " of ", name,
                                       " has shape ", data.shape().DebugString(),
                                       ", expected ", sliced_shape.DebugString()));
  }
  if (it != name_to_index_.end()) {
    for (const TensorSlice& other : slices_[it->second]) {
      if (slice.Intersect(other, nullptr)) {
        return InvalidArgumentError(StrCat(
            "Slice ", slice.DebugString(), " of ", name,
            " overlaps the already added slice ", other.DebugString(),
            " (TensorFlow would write a checkpoint it cannot read back)"));
      }
    }
  }

  tensorflow::SavedTensorSlices sts;
  tensorflow::SavedSlice* ss = sts.mutable_data();
  ss->set_name(name);
  slice.ToProto(ss->mutable_slice());
  // TensorSliceWriter::SaveData's conservative bound, before filling.
  uint64_t bound = SatAdd(ss->ByteSizeLong(), kTensorProtoHeaderBytes);
  const uint64_t n = static_cast<uint64_t>(data.num_elements());
  if (data.is_string()) {
    bound = SatAdd(bound, SatMul(n, MaxBytesPerElement(tensorflow::DT_INT32)));
    for (const std::string& s : data.strings()) bound = SatAdd(bound, s.size());
  } else {
    bound = SatAdd(bound, SatMul(MaxBytesPerElement(dt), n));
  }
  if (bound > kMaxMessageBytes) {
    return InvalidArgumentError(StrCat(
        "Tensor slice is too large to serialize (conservative estimate: ", bound, " bytes)"));
  }
  TFCKPT_RETURN_IF_ERROR(FillTensorProto(data, ss->mutable_data()));
  std::string value;
  if (!sts.AppendToString(&value)) {
    return InternalError("Error writing Tensor. Possible size overflow.");
  }

  // Everything checked: register.
  int index;
  if (it != name_to_index_.end()) {
    index = it->second;
  } else {
    index = sts_.meta().tensor_size();
    name_to_index_.emplace(name, index);
    tensorflow::SavedSliceMeta* ssm = sts_.mutable_meta()->add_tensor();
    ssm->set_name(name);
    full_shape.ToProto(ssm->mutable_shape());
    ssm->set_type(dt);
    slices_.emplace_back();
  }
  slice.ToProto(sts_.mutable_meta()->mutable_tensor(index)->add_slice());
  slices_[index].push_back(slice);
  data_.emplace(tensor::EncodeTensorNameSlice(name, slice), std::move(value));
  return OkStatus();
}

std::vector<std::pair<std::string, std::string>> TensorSliceWriter::Records() const {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(data_.size() + 1);
  out.emplace_back(kSavedTensorSlicesKey, sts_.SerializeAsString());
  for (const auto& kv : data_) out.push_back(kv);
  return out;
}

Status TensorSliceWriter::Finish() {
  if (finished_) return FailedPreconditionError("TensorSliceWriter: Finish called twice");
  finished_ = true;
  TFCKPT_ASSIGN_OR_RETURN(auto file, io::AtomicFileWriter::Create(env_, filename_));
  Status s;
  {
    table::TableBuilder builder(table::Options(), file->file());
    s = builder.Add(kSavedTensorSlicesKey, sts_.SerializeAsString());
    for (auto it = data_.begin(); s.ok() && it != data_.end(); ++it) {
      s = builder.Add(it->first, it->second);
    }
    if (s.ok()) s = builder.Finish();
  }
  if (s.ok()) s = file->Seal();
  if (!s.ok()) {
    // The temp file is deleted when `file` goes out of scope.
    return InternalError(StrCat("Error writing (tmp) checkpoint file: ", file->temp_path(),
                                ": ", s.message()));
  }
  return file->Publish();
}

Status SaveTensors(io::Env* env, const std::string& filename,
                   const std::vector<std::string>& names, const std::vector<Tensor>& tensors,
                   const std::vector<std::string>& shapes_and_slices) {
  const size_t n = names.size();
  if (tensors.size() != n) {
    return InvalidArgumentError(StrCat("Expected totally ", n + 2,
                                       " inputs as input #1 (which is a string tensor of "
                                       "saved names) contains ",
                                       n, " names, but received ", tensors.size() + 2,
                                       " inputs"));
  }
  if (!shapes_and_slices.empty() && shapes_and_slices.size() != n) {
    return InvalidArgumentError(StrCat("Expected ", n,
                                       " elements for the tensor shapes and slices but got ",
                                       shapes_and_slices.size()));
  }
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&names](size_t a, size_t b) { return names[a] < names[b]; });
  TensorSliceWriter writer(env, filename);
  for (size_t i : order) {
    const Tensor& input = tensors[i];
    TensorShape shape = input.shape();
    TensorSlice slice(input.shape().rank());
    if (!shapes_and_slices.empty() && !shapes_and_slices[i].empty()) {
      const std::string& spec = shapes_and_slices[i];
      TFCKPT_ASSIGN_OR_RETURN(tensor::ShapeAndSlice parsed, tensor::ParseShapeAndSlice(spec));
      TFCKPT_ASSIGN_OR_RETURN(TensorShape slice_shape, parsed.slice.SliceShape(parsed.full_shape));
      if (slice_shape != input.shape()) {
        return InvalidArgumentError(StrCat(
            "Slice in shape_and_slice specification does not match the shape of the tensor "
            "to  save: ",
            spec, ", tensor: ", input.shape().DebugString()));
      }
      shape = parsed.full_shape;
      slice = parsed.slice;
    }
    TFCKPT_RETURN_IF_ERROR(writer.AddSlice(names[i], shape, slice, input));
  }
  return writer.Finish();
}

}  // namespace tfckpt::checkpoint_v1
