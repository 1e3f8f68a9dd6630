// BaseSaverBuilder._build_internal / BulkSaverBuilder of TF 2.21's
// saver.py: the save and restore ops a Saver adds (see saver.h).
#include <map>

#include "src/train/ops.h"
#include "src/train/saver.h"
#include "src/train/shape_inference.h"

namespace tfckpt::train {
namespace {

using Saveables = std::vector<SaveableVariable>;

Status Err(Graph* g) {
  return g->status().ok() ? InternalError("could not build the saver's ops") : g->status();
}

// What SaveV2 reads for a variable: its reference, or a resource
// variable's snapshot read.
Output SaveTensor(const SaveableVariable& s) {
  // A slice's SaveSpec holds the Variable object, which converts to its read.
  return s.variable.is_resource() || !s.slice_spec.empty() ? s.variable.snapshot()
                                                           : s.variable.ref();
}

Output StringVector(Graph* g, const std::vector<std::string>& values, const std::string& name) {
  return StringConstant(g, values, false, name);
}

// saveable_object_util.set_cpu0.
std::string SetCpu0(const std::string& device) {
  auto d = DeviceSpec::FromString(device);
  DeviceSpec spec = d.ok() ? *d : DeviceSpec();
  spec.device_type = "CPU";
  spec.device_index = 0;
  return spec.ToString();
}

StatusOr<Operation> SaveOp(Graph* g, const Output& filename, const Saveables& saveables,
                           tensorflow::SaverDef::CheckpointFormatVersion version) {
  std::vector<std::string> names, slices;
  std::vector<Output> tensors;
  std::vector<DataType> dtypes;
  for (const auto& s : saveables) {
    names.push_back(s.key);
    slices.push_back(s.slice_spec);
    tensors.push_back(SaveTensor(s));
    dtypes.push_back(s.variable.dtype());
  }
  const bool v1 = version == tensorflow::SaverDef::V1;
  NameScope ns(g, v1 ? "save" : "SaveV2");
  Output n = StringVector(g, names, "tensor_names");
  Output sl = StringVector(g, slices, v1 ? "shapes_and_slices" : "shape_and_slices");
  std::vector<Output> inputs{filename, n, sl};
  inputs.insert(inputs.end(), tensors.begin(), tensors.end());
  if (v1) return g->CreateOp("SaveSlices", ns.scope(), inputs, {{"T", TypeListAttr(dtypes)}});
  return g->CreateOp("SaveV2", ns.scope(), inputs, {{"dtypes", TypeListAttr(dtypes)}});
}

StatusOr<Output> AddSaveOps(Graph* g, const Output& filename, const Saveables& saveables,
                            tensorflow::SaverDef::CheckpointFormatVersion version) {
  TFCKPT_ASSIGN_OR_RETURN(Operation save, SaveOp(g, filename, saveables, version));
  Output out = WithDependencies(g, {save}, filename);
  if (!out.valid()) return Err(g);
  return out;
}

StatusOr<Operation> AddRestoreOps(Graph* g, const Output& filename, const Saveables& saveables,
                                  bool reshape, const std::string& name) {
  std::vector<std::string> names, slices;
  std::vector<DataType> dtypes;
  for (const auto& s : saveables) {
    names.push_back(s.key);
    slices.push_back(s.slice_spec);
    dtypes.push_back(s.variable.dtype());
  }
  Operation restore;
  {
    DeviceScope cpu(g, "cpu:0");
    NameScope ns(g, "RestoreV2");
    Output n = StringVector(g, names, "tensor_names");
    Output sl = StringVector(g, slices, "shape_and_slices");
    TFCKPT_ASSIGN_OR_RETURN(restore, g->CreateOp("RestoreV2", ns.scope(), {filename, n, sl},
                                                 {{"dtypes", TypeListAttr(dtypes)}}));
  }
  std::vector<Operation> assigns;
  for (size_t i = 0; i < saveables.size(); ++i) {
    const Variable& v = saveables[i].variable;
    Output restored = restore.output(static_cast<int>(i));
    if (reshape) {
      NameScope rs(g, "Reshape");
      std::vector<int32_t> dims;
      for (const auto& d : v.shape().dim()) dims.push_back(static_cast<int32_t>(d.size()));
      Output shape = Constant(g, tensor::Tensor::FromVector<int32_t>(
                                     tensorflow::DT_INT32, {static_cast<int64_t>(dims.size())}, dims),
                              "shape");
      auto op = g->CreateOp("Reshape", rs.scope(), {restored, shape},
                            {{"T", TypeAttr(v.dtype())}, {"Tshape", TypeAttr(tensorflow::DT_INT32)}});
      if (!op.ok()) return op.status();
      restored = op->output(0);
    }
    if (v.is_resource()) {
      DeviceScope ds(g, v.device());
      Output id = Identity(g, restored);
      if (!id.valid()) return Err(g);
      TFCKPT_ASSIGN_OR_RETURN(Operation a, g->CreateOp("AssignVariableOp", "", {v.ref(), id},
                                                       {{"dtype", TypeAttr(v.dtype())}}));
      assigns.push_back(a);
    } else {
      const bool validate = !reshape && IsFullyDefined(v.shape());
      Output a = Assign(g, v.ref(), restored, std::nullopt, validate);
      if (!a.valid()) return Err(g);
      assigns.push_back(Operation{g, a.op});
    }
  }
  Operation all = Group(g, assigns, name);
  if (!all.valid()) return Err(g);
  return all;
}

StatusOr<Output> ShardedFilename(Graph* g, const Output& prefix, size_t shard,
                                 const Output& num_shards) {
  NameScope ns(g, "ShardedFilename");
  Output index = Constant(g, static_cast<double>(shard), tensorflow::DT_INT32, {}, "shard");
  TFCKPT_ASSIGN_OR_RETURN(Operation fn,
                          g->CreateOp("ShardedFilename", ns.scope(), {prefix, index, num_shards}));
  return fn.output(0);
}

using PerDevice = std::vector<std::pair<std::string, Saveables>>;

PerDevice GroupByDevices(const Saveables& saveables) {
  std::map<std::string, Saveables> by;
  for (const auto& s : saveables) by[CanonicalDevice(s.variable.device())].push_back(s);
  return PerDevice(by.begin(), by.end());
}

StatusOr<Output> AddShardedSaveOpsV2(Graph* g, const Output& prefix, const PerDevice& per_device) {
  Output tmp_prefix;
  {
    DeviceScope cpu(g, "CPU");
    auto match = g->CreateOp("StaticRegexFullMatch", "", {prefix},
                             {{"pattern", StringAttr("^s3://.*")}});
    if (!match.ok()) return match.status();
    Output part = StringConstant(g, {".part"}, true);
    Output temp = StringConstant(g, {"_temp/part"}, true);
    auto select = g->CreateOp("Select", "", {match->output(0), part, temp},
                              {{"T", TypeAttr(tensorflow::DT_STRING)}});
    if (!select.ok()) return select.status();
    auto join = g->CreateOp("StringJoin", "", {prefix, select->output(0)}, {{"N", IntAttr(2)}});
    if (!join.ok()) return join.status();
    tmp_prefix = join->output(0);
  }
  Output num_shards =
      Constant(g, static_cast<double>(per_device.size()), tensorflow::DT_INT32, {}, "num_shards");
  std::vector<Output> prefixes;
  std::vector<std::string> saves;
  std::string last_device;
  for (size_t shard = 0; shard < per_device.size(); ++shard) {
    const auto& [device, saveables] = per_device[shard];
    last_device = device;
    DeviceScope ds(g, SetCpu0(device));
    TFCKPT_ASSIGN_OR_RETURN(Output fn, ShardedFilename(g, tmp_prefix, shard, num_shards));
    prefixes.push_back(fn);
    TFCKPT_ASSIGN_OR_RETURN(Output saved, AddSaveOps(g, fn, saveables, tensorflow::SaverDef::V2));
    saves.push_back(saved.op);
  }
  ControlDependencies deps(g, saves);
  DeviceScope ds(g, SetCpu0(last_device));
  Operation merge;
  {
    NameScope merge_scope(g, "MergeV2Checkpoints");
    Output packed;
    {
      NameScope pack(g, "checkpoint_prefixes");
      auto p = g->CreateOp("Pack", pack.scope(), prefixes,
                           {{"N", IntAttr(static_cast<int64_t>(prefixes.size()))},
                            {"T", TypeAttr(tensorflow::DT_STRING)}});
      if (!p.ok()) return p.status();
      packed = p->output(0);
    }
    TFCKPT_ASSIGN_OR_RETURN(merge, g->CreateOp("MergeV2Checkpoints", merge_scope.scope(),
                                               {packed, prefix},
                                               {{"delete_old_dirs", BoolAttr(true)}}));
  }
  ControlDependencies after(g, std::vector<std::string>{merge.name});
  Output id = Identity(g, prefix);
  if (!id.valid()) return Err(g);
  return id;
}

StatusOr<Output> AddShardedSaveOpsV1(Graph* g, const Output& prefix, const PerDevice& per_device) {
  Output num_shards =
      Constant(g, static_cast<double>(per_device.size()), tensorflow::DT_INT32, {}, "num_shards");
  std::vector<std::string> saves;
  for (size_t shard = 0; shard < per_device.size(); ++shard) {
    const auto& [device, saveables] = per_device[shard];
    DeviceScope ds(g, device);
    TFCKPT_ASSIGN_OR_RETURN(Output fn, ShardedFilename(g, prefix, shard, num_shards));
    TFCKPT_ASSIGN_OR_RETURN(Output saved, AddSaveOps(g, fn, saveables, tensorflow::SaverDef::V1));
    saves.push_back(saved.op);
  }
  ControlDependencies deps(g, saves);
  auto spec = g->CreateOp("ShardedFilespec", "", {prefix, num_shards});
  if (!spec.ok()) return spec.status();
  return spec->output(0);
}

}  // namespace

StatusOr<tensorflow::SaverDef> BuildSaverDef(Graph* g, Saveables saveables,
                                             const SaverOptions& o) {
  std::stable_sort(saveables.begin(), saveables.end(),
            [](const SaveableVariable& a, const SaveableVariable& b) { return a.key < b.key; });
  NameScope scope(g, o.name, "save");
  Output filename = PlaceholderWithDefault(
      g, tensor::Tensor::FromStrings({}, {o.filename.empty() ? "model" : o.filename}), {},
      "filename");
  Output filename_tensor = PlaceholderWithDefault(g, filename, {}, "Const");
  if (!filename_tensor.valid()) return Err(g);
  Output save_tensor;
  Operation restore_op;
  if (o.sharded) {
    const PerDevice per_device = GroupByDevices(saveables);
    if (o.write_version == tensorflow::SaverDef::V1) {
      TFCKPT_ASSIGN_OR_RETURN(save_tensor, AddShardedSaveOpsV1(g, filename_tensor, per_device));
    } else {
      TFCKPT_ASSIGN_OR_RETURN(save_tensor, AddShardedSaveOpsV2(g, filename_tensor, per_device));
    }
    std::vector<Operation> shards;
    for (const auto& [device, list] : per_device) {
      DeviceScope ds(g, device);
      TFCKPT_ASSIGN_OR_RETURN(Operation r,
                              AddRestoreOps(g, filename_tensor, list, o.reshape, "restore_shard"));
      shards.push_back(r);
    }
    restore_op = Group(g, shards, "restore_all");
    if (!restore_op.valid()) return Err(g);
  } else {
    TFCKPT_ASSIGN_OR_RETURN(save_tensor,
                            AddSaveOps(g, filename_tensor, saveables, o.write_version));
    TFCKPT_ASSIGN_OR_RETURN(restore_op,
                            AddRestoreOps(g, filename_tensor, saveables, o.reshape, "restore_all"));
  }
  tensorflow::SaverDef def;
  def.set_filename_tensor_name(filename_tensor.name());
  def.set_save_tensor_name(save_tensor.name());
  def.set_restore_op_name(restore_op.name);
  def.set_max_to_keep(o.max_to_keep);
  def.set_sharded(o.sharded);
  def.set_keep_checkpoint_every_n_hours(static_cast<float>(o.keep_checkpoint_every_n_hours));
  def.set_version(o.write_version);
  return def;
}

}  // namespace tfckpt::train
