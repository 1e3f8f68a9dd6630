// Checkpoint ops (tensorflow/core/ops/io_ops.cc) on the storage layers:
// SaveV2 / RestoreV2 / MergeV2Checkpoints over src/bundle (checkpoint V2),
// Save / SaveSlices / Restore / RestoreSlice over src/checkpoint_v1 (V1).
// RestoreV2 falls back to the V1 reader when no <prefix>.index matches, as
// TF's kernel does. Validation order and texts follow TF's
// save_restore_v2_ops.cc and save_restore_tensor.cc (including TF's own
// typos, e.g. "Input 1 (file_pattern) must be a have at least 1 elements").
#include <algorithm>
#include <numeric>

#include "src/bundle/bundle_reader.h"
#include "src/bundle/bundle_writer.h"
#include "src/bundle/merge.h"
#include "src/bundle/naming.h"
#include "src/graph/kernel_util.h"
#include "src/checkpoint_v1/tensor_slice_reader.h"
#include "src/checkpoint_v1/tensor_slice_writer.h"
#include "src/tensor/tensor_slice.h"

namespace tfckpt::graph {
namespace {

constexpr int kFixedInputs = 3;  // prefix, tensor_names, shape_and_slices

const std::string& Str(const Tensor& t, int64_t i) { return t.strings()[i]; }

Status ValidateInputs(bool is_save, OpKernelContext* ctx) {
  const Tensor& prefix = ctx->input(0);
  const Tensor& names = ctx->input(1);
  const Tensor& slices = ctx->input(2);
  const int64_t n = names.num_elements();
  if (prefix.num_elements() != 1) {
    return InvalidArgumentError(StrCat("Input prefix should have a single element, got ",
                                       prefix.num_elements(), " instead."));
  }
  if (!IsVector(names) || !IsVector(slices)) {
    return InvalidArgumentError(StrCat("Input tensor_names and shape_and_slices should be an 1-D "
                                       "tensors, got ",
                                       names.shape().DebugString(), " and ",
                                       slices.shape().DebugString(), " instead."));
  }
  if (n != slices.num_elements()) {
    return InvalidArgumentError(StrCat("tensor_names and shape_and_slices have different number "
                                       "of elements: ",
                                       n, " vs. ", slices.num_elements()));
  }
  if (is_save && ctx->num_inputs() != n + kFixedInputs) {
    return InvalidArgumentError(StrCat("Got ", n, " tensor names but ",
                                       ctx->num_inputs() - kFixedInputs, " tensors."));
  }
  return OkStatus();
}

// TF's BundleWriter creates the prefix's directory (one level).
void CreateParentDir(io::Env* env, const std::string& prefix) {
  const std::string dir = io::Dirname(prefix);
  if (dir.empty() || env->IsDirectory(dir)) return;
  const std::string parent = io::Dirname(dir);
  if (parent.empty() || env->IsDirectory(parent)) env->CreateDirRecursively(dir).IgnoreError();
}

Status SaveV2Op(OpKernelContext* ctx) {
  TFCKPT_RETURN_IF_ERROR(ValidateInputs(true, ctx));
  const std::string& prefix = Str(ctx->input(0), 0);
  const Tensor& names = ctx->input(1);
  const Tensor& specs = ctx->input(2);
  CreateParentDir(ctx->env(), prefix);
  bundle::BundleWriter writer(ctx->env(), prefix);
  for (int64_t i = 0; i < names.num_elements(); ++i) {
    const Tensor& t = ctx->input(static_cast<int>(i) + kFixedInputs);
    const std::string& spec = Str(specs, i);
    if (spec.empty()) {
      TFCKPT_RETURN_IF_ERROR(writer.Add(Str(names, i), t));
      continue;
    }
    TFCKPT_ASSIGN_OR_RETURN(tensor::ShapeAndSlice parsed, tensor::ParseShapeAndSlice(spec));
    TFCKPT_ASSIGN_OR_RETURN(TensorShape slice_shape, parsed.slice.SliceShape(parsed.full_shape));
    if (slice_shape != t.shape()) {
      return InvalidArgumentError(StrCat("Slice in shape_and_slice specification does not match "
                                         "the shape of the tensor to  save: ",
                                         spec, ", tensor: ", t.shape().DebugString()));
    }
    TFCKPT_RETURN_IF_ERROR(writer.AddSlice(Str(names, i), parsed.full_shape, parsed.slice, t));
  }
  return writer.Finish();
}

// One tensor of a V1 restore (TF's RestoreTensor). `reader` is opened on
// first use and shared by the tensors of one op run.
Status RestoreV1Tensor(OpKernelContext* ctx, bool restore_slice, int index, DataType expected,
                       DataType expected0,
                       std::unique_ptr<checkpoint_v1::TensorSliceReader>* reader) {
  const Tensor& pattern_t = ctx->input(0);
  if (pattern_t.num_elements() != 1) {
    return InvalidArgumentError(StrCat(
        "Input 0 (file_pattern) must be a string scalar; got a tensor of ",
        pattern_t.num_elements(), " elements"));
  }
  const std::string& pattern = Str(pattern_t, 0);
  const Tensor& names = ctx->input(1);
  if (names.num_elements() <= index) {
    return InvalidArgumentError(StrCat("Input 1 (file_pattern) must be a have at least ",
                                       index + 1, " elements"));
  }
  const std::string& name = Str(names, index);
  if (*reader == nullptr) {
    TFCKPT_ASSIGN_OR_RETURN(*reader, checkpoint_v1::TensorSliceReader::Open(ctx->env(), pattern));
  }
  checkpoint_v1::SlicedTensorInfo info;
  if (!(*reader)->HasTensor(name, &info)) {
    return NotFoundError(StrCat("Tensor name \"", name, "\" not found in checkpoint files ",
                                pattern));
  }
  if (info.dtype != expected) {
    // TF names the dtype of output 0 here, whatever the index.
    return InvalidArgumentError(StrCat("Expected to restore a tensor of type ",
                                       tensor::DataTypeName(expected0), ", got a tensor of type ",
                                       tensor::DataTypeName(info.dtype),
                                       " instead: tensor_name = ", name));
  }
  std::string spec;
  if (restore_slice) {
    const Tensor& specs = ctx->input(2);
    if (specs.num_elements() <= index) {
      return InvalidArgumentError(StrCat("Expected ", index + 1,
                                         " elements in shape_and_slice, got ",
                                         specs.num_elements()));
    }
    spec = Str(specs, index);
  }
  Tensor t;
  if (spec.empty()) {
    TFCKPT_ASSIGN_OR_RETURN(t, (*reader)->Lookup(name));
  } else {
    TFCKPT_ASSIGN_OR_RETURN(tensor::ShapeAndSlice parsed, tensor::ParseShapeAndSlice(spec));
    if (parsed.full_shape != info.shape) {
      return InvalidArgumentError(StrCat("Shape in shape_and_slice spec does not match the shape "
                                         "in the save file: ",
                                         parsed.full_shape.DebugString(), ", save file shape: ",
                                         info.shape.DebugString()));
    }
    TFCKPT_ASSIGN_OR_RETURN(t, (*reader)->LookupSlice(name, parsed.slice));
  }
  ctx->set_output(index, std::move(t));
  return OkStatus();
}

class RestoreV2Op : public OpKernel {
 public:
  Status Init(const Node& node, const KernelOptions&) override {
    TFCKPT_ASSIGN_OR_RETURN(dtypes_, node.AttrTypeList("dtypes"));
    return OkStatus();
  }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& names = ctx->input(1);
    const Tensor& specs = ctx->input(2);
    if (names.num_elements() != static_cast<int64_t>(dtypes_.size())) {
      return InvalidArgumentError(StrCat("Got ", names.num_elements(), " tensor names, but ",
                                         dtypes_.size(), " expected dtypes."));
    }
    TFCKPT_RETURN_IF_ERROR(ValidateInputs(false, ctx));
    const std::string& prefix = Str(ctx->input(0), 0);
    auto index = ctx->env()->Glob(bundle::MetaFilename(prefix));
    if (!index.ok() || index->empty()) {
      std::unique_ptr<checkpoint_v1::TensorSliceReader> reader;
      for (size_t i = 0; i < dtypes_.size(); ++i) {
        TFCKPT_RETURN_IF_ERROR(RestoreV1Tensor(ctx, true, static_cast<int>(i), dtypes_[i],
                                               dtypes_[0], &reader));
      }
      return OkStatus();
    }
    TFCKPT_ASSIGN_OR_RETURN(auto reader, bundle::BundleReader::Open(ctx->env(), prefix));
    const int64_t n = names.num_elements();
    std::vector<bundle::ParsedEntry> entries(n);
    for (int64_t i = 0; i < n; ++i) {
      TFCKPT_ASSIGN_OR_RETURN(entries[i], reader->GetEntry(Str(names, i)));
    }
    // TF restores in file order (SortForSequentialAccess).
    std::vector<int64_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
      const auto& pa = entries[a].proto;
      const auto& pb = entries[b].proto;
      return std::make_pair(pa.shard_id(), pa.offset()) < std::make_pair(pb.shard_id(), pb.offset());
    });
    std::string mismatches;
    for (int64_t i : order) {
      const DataType original = entries[i].proto.dtype();
      if (dtypes_[i] != original) {
        mismatches += StrCat(mismatches.empty() ? "" : "\n", "tensor_name = ", Str(names, i),
                             "; expected dtype ", tensor::DataTypeName(dtypes_[i]),
                             " does not equal original dtype ", tensor::DataTypeName(original));
      }
    }
    if (!mismatches.empty()) return InvalidArgumentError(mismatches);
    for (int64_t i : order) {
      const std::string& name = Str(names, i);
      const std::string& spec = Str(specs, i);
      Tensor t;
      if (spec.empty()) {
        TFCKPT_ASSIGN_OR_RETURN(t, reader->Lookup(name));
      } else {
        TFCKPT_ASSIGN_OR_RETURN(tensor::ShapeAndSlice parsed, tensor::ParseShapeAndSlice(spec));
        if (parsed.full_shape != entries[i].shape) {
          return InvalidArgumentError(StrCat("tensor_name = ", name,
                                             "; shape in shape_and_slice spec ",
                                             parsed.full_shape.DebugString(),
                                             " does not match the shape stored in checkpoint: ",
                                             entries[i].shape.DebugString()));
        }
        TFCKPT_ASSIGN_OR_RETURN(t, reader->LookupSlice(name, parsed.slice));
      }
      ctx->set_output(static_cast<int>(i), std::move(t));
    }
    return OkStatus();
  }

 private:
  std::vector<DataType> dtypes_;
};

Status MergeV2CheckpointsOp(OpKernelContext* ctx) {
  const Tensor& prefixes = ctx->input(0);
  const Tensor& destination = ctx->input(1);
  if (!IsVector(prefixes)) {
    return InvalidArgumentError(StrCat("Input checkpoint_prefixes should be an 1-D tensor, got ",
                                       prefixes.shape().DebugString(), " instead."));
  }
  if (!IsScalar(destination)) {
    return InvalidArgumentError(StrCat("Input destination_prefix should be a scalar tensor, got ",
                                       destination.shape().DebugString(), " instead."));
  }
  TFCKPT_ASSIGN_OR_RETURN(bool delete_old_dirs, ctx->node().AttrBool("delete_old_dirs"));
  TFCKPT_ASSIGN_OR_RETURN(bool allow_missing, ctx->node().AttrBool("allow_missing_files"));
  const std::string& merged = Str(destination, 0);
  bundle::MergeOptions options;
  options.allow_missing_files = allow_missing;
  TFCKPT_RETURN_IF_ERROR(bundle::MergeBundles(ctx->env(), prefixes.strings(), merged, options));
  if (delete_old_dirs) {
    const std::string merged_dir = io::Dirname(merged);
    for (const std::string& p : prefixes.strings()) {
      const std::string dir = io::Dirname(p);
      if (dir != merged_dir) ctx->env()->DeleteDir(dir).IgnoreError();  // best effort, as TF
    }
  }
  return OkStatus();
}

// Save (fixed = 2 inputs before the data) and SaveSlices (fixed = 3).
template <bool kSlices>
Status SaveV1Op(OpKernelContext* ctx) {
  constexpr int kFixed = kSlices ? 3 : 2;
  const Tensor& filename = ctx->input(0);
  if (filename.num_elements() != 1) {
    return InvalidArgumentError(StrCat(
        "Input 0 (filename) must be a string scalar; got a tensor of ", filename.num_elements(),
        "elements"));
  }
  const Tensor& names = ctx->input(1);
  const int64_t n = names.num_elements();
  std::vector<std::string> specs;
  if (kSlices) {
    const Tensor& s = ctx->input(2);
    if (s.num_elements() != n) {
      return InvalidArgumentError(StrCat("Expected ", n,
                                         " elements for the tensor shapes and slices but got ",
                                         s.num_elements()));
    }
    specs = s.strings();
  }
  if (ctx->num_inputs() != n + kFixed) {
    return InvalidArgumentError(StrCat("Expected totally ", n + kFixed,
                                       " inputs as input #1 (which is a string tensor of saved "
                                       "names) contains ",
                                       n, " names, but received ", ctx->num_inputs(), " inputs"));
  }
  std::vector<Tensor> tensors;
  for (int i = kFixed; i < ctx->num_inputs(); ++i) tensors.push_back(ctx->input(i));
  return checkpoint_v1::SaveTensors(ctx->env(), Str(filename, 0), names.strings(), tensors, specs);
}

// Restore (slice = false) and RestoreSlice (slice = true).
template <bool kSlice>
class RestoreV1Op : public OpKernel {
 public:
  Status Init(const Node& node, const KernelOptions&) override {
    TFCKPT_ASSIGN_OR_RETURN(dtype_, node.AttrType("dt"));
    TFCKPT_ASSIGN_OR_RETURN(int64_t shard, node.AttrInt("preferred_shard"));
    if (shard < -1) {
      return InvalidArgumentError("Attribute 'preferred_shard' must be greater or equal to -1");
    }
    return OkStatus();
  }
  Status Compute(OpKernelContext* ctx) override {
    std::unique_ptr<checkpoint_v1::TensorSliceReader> reader;
    return RestoreV1Tensor(ctx, kSlice, 0, dtype_, dtype_, &reader);
  }

 private:
  DataType dtype_ = tensorflow::DT_INVALID;
};

}  // namespace

void RegisterIoOps(OpRegistry* r) {
  r->Register(OpDefBuilder("SaveV2")
                  .Input("prefix: string")
                  .Input("tensor_names: string")
                  .Input("shape_and_slices: string")
                  .Input("tensors: dtypes")
                  .Attr("dtypes: list(type) >= 1")
                  .SetIsStateful(),
              FnKernel(SaveV2Op));
  r->Register(OpDefBuilder("RestoreV2")
                  .Input("prefix: string")
                  .Input("tensor_names: string")
                  .Input("shape_and_slices: string")
                  .Output("tensors: dtypes")
                  .Attr("dtypes: list(type) >= 1")
                  .SetIsStateful(),
              Kernel<RestoreV2Op>());
  r->Register(OpDefBuilder("MergeV2Checkpoints")
                  .Input("checkpoint_prefixes: string")
                  .Input("destination_prefix: string")
                  .Attr("delete_old_dirs: bool = true")
                  .Attr("allow_missing_files: bool = false")
                  .SetIsStateful(),
              FnKernel(MergeV2CheckpointsOp));
  r->Register(OpDefBuilder("Save")
                  .Input("filename: string")
                  .Input("tensor_names: string")
                  .Input("data: T")
                  .Attr("T: list(type) >= 1")
                  .SetIsStateful(),
              FnKernel(SaveV1Op<false>));
  r->Register(OpDefBuilder("SaveSlices")
                  .Input("filename: string")
                  .Input("tensor_names: string")
                  .Input("shapes_and_slices: string")
                  .Input("data: T")
                  .Attr("T: list(type) >= 1")
                  .SetIsStateful(),
              FnKernel(SaveV1Op<true>));
  r->Register(OpDefBuilder("Restore")
                  .Input("file_pattern: string")
                  .Input("tensor_name: string")
                  .Output("tensor: dt")
                  .Attr("dt: type")
                  .Attr("preferred_shard: int = -1")
                  .SetIsStateful(),
              Kernel<RestoreV1Op<false>>());
  r->Register(OpDefBuilder("RestoreSlice")
                  .Input("file_pattern: string")
                  .Input("tensor_name: string")
                  .Input("shape_and_slice: string")
                  .Output("tensor: dt")
                  .Attr("dt: type")
                  .Attr("preferred_shard: int = -1")
                  .SetIsStateful(),
              Kernel<RestoreV1Op<true>>());
}

}  // namespace tfckpt::graph
