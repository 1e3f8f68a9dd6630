#include "src/train/partitioned.h"

#include "src/train/shape_inference.h"

namespace tfckpt::train {
namespace {

std::string ListString(const std::vector<int64_t>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += StrCat(i > 0 ? ", " : "", v[i]);
  return out + "]";
}

}  // namespace

Partitioner FixedSizePartitioner(int64_t num_shards, int axis) {
  return [num_shards, axis](const std::vector<int64_t>& shape, DataType) {
    std::vector<int64_t> p(shape.size(), 1);
    if (axis >= 0 && axis < static_cast<int>(shape.size())) {
      p[axis] = std::min(num_shards, shape[axis]);
    }
    return p;
  };
}

Output PartitionedVariable::AsTensor() const {
  ControlDependencies none(g_, std::nullopt);
  if (parts_.size() == 1) {
    NameScope root(g_, "");
    return Identity(g_, parts_[0], name_);
  }
  int axis = 0;
  for (size_t d = 0; d < partitions_.size(); ++d) {
    if (partitions_[d] > 1) axis = static_cast<int>(d);
  }
  Output concat;
  {
    NameScope scope(g_, name_ + "/ConcatPartitions/");
    NameScope op(g_, "concat");
    std::vector<Output> values;
    for (const Variable& v : parts_) values.push_back(v.value());
    Output axis_t = Constant(g_, axis, tensorflow::DT_INT32, {}, "axis");
    std::vector<Output> inputs = values;
    inputs.push_back(axis_t);
    auto c = g_->CreateOp("ConcatV2", op.scope(), inputs,
                          {{"N", IntAttr(static_cast<int64_t>(values.size()))},
                           {"T", TypeAttr(dtype_)},
                           {"Tidx", TypeAttr(tensorflow::DT_INT32)}});
    if (!c.ok()) {
      g_->RecordError(c.status());
      return Output{};
    }
    concat = c->output(0);
  }
  NameScope root(g_, "");
  return Identity(g_, concat, name_);
}

StatusOr<PartitionedVariable> GetPartitionedVariable(Graph* g, const std::string& name,
                                                     const GetVariableOptions& o,
                                                     const Partitioner& partitioner) {
  const VarScope& scope = GetVariableScope(g);
  ReuseMode reuse = scope.reuse;
  if (o.reuse) {
    reuse = *o.reuse == Reuse::kTrue      ? ReuseMode::kTrue
            : *o.reuse == Reuse::kAutoReuse ? ReuseMode::kAutoReuse
                                            : ReuseMode::kFalse;
  }
  const std::string full = scope.name.empty() ? name : StrCat(scope.name, "/", name);
  if (!o.shape) {
    return InvalidArgumentError(StrCat("Shape of a new partitioned variable (", full,
                                       ") must be fully defined, but instead was <unknown>."));
  }
  const std::vector<int64_t> shape = *o.shape;
  const DataType dtype = o.dtype.value_or(scope.dtype.value_or(tensorflow::DT_FLOAT));
  VarStore& store = g->var_store();
  if (store.vars.count(full) != 0) {
    return InvalidArgumentError(StrCat(
        "A partitioner was provided, but an unpartitioned version of the variable was found: ",
        full, ".  Perhaps a variable of the same name was already created without "
              "partitioning?"));
  }
  const std::vector<int64_t> partitions = partitioner(shape, dtype);
  auto existing = store.partitioned_vars.find(full);
  if (existing != store.partitioned_vars.end()) {
    const PartitionedVariable& pv = *existing->second;
    if (reuse == ReuseMode::kFalse) {
      return InvalidArgumentError(StrCat("Partitioned variable with name ", full,
                                         " already exists. Did you mean to set reuse=True or "
                                         "reuse=tf.AUTO_REUSE in VarScope?"));
    }
    if (!ShapesCompatible(ShapeOf(shape), ShapeOf(pv.shape()))) {
      return InvalidArgumentError(StrCat("Trying to reuse partitioned variable ", full,
                                         ", but specified shape ", PythonShapeString(ShapeOf(shape)),
                                         " and found shape ",
                                         PythonShapeString(ShapeOf(pv.shape())), "."));
    }
    if (dtype != pv.dtype()) {
      return InvalidArgumentError(StrCat("Trying to reuse partitioned variable ", full,
                                         ", but specified dtype ", PythonDTypeName(dtype),
                                         " and found dtype ", PythonDTypeName(pv.dtype()), "."));
    }
    if (partitions != pv.partitions()) {
      return InvalidArgumentError(StrCat("Trying to reuse partitioned variable ", full,
                                         ", but specified partitions ", ListString(partitions),
                                         " and found partitions ", ListString(pv.partitions()),
                                         "."));
    }
    return pv;
  }
  if (reuse == ReuseMode::kTrue) {
    return InvalidArgumentError(StrCat("PartitionedVariable ", full,
                                       " does not exist, or was not created with "
                                       "tf.get_variable(). Did you mean to set reuse=False or "
                                       "reuse=tf.AUTO_REUSE in VarScope?"));
  }
  int slice_dim = 0;
  int64_t num_slices = 1;
  for (size_t d = 0; d < partitions.size(); ++d) {
    if (partitions[d] > 1) {
      if (num_slices > 1) {
        return InvalidArgumentError(StrCat("Can only slice a variable along one dimension: shape: ",
                                           ListString(shape), ", partitioning: ",
                                           ListString(partitions)));
      }
      slice_dim = static_cast<int>(d);
      num_slices = partitions[d];
    }
  }
  GetVariableOptions part = o;
  part.dtype = dtype;
  part.use_resource =
      o.use_resource.value_or(scope.use_resource.value_or(g->options().resource_variables));
  if (std::holds_alternative<std::monostate>(part.initializer) && scope.initializer) {
    part.initializer = *scope.initializer;
  }
  std::vector<Variable> parts;
  std::vector<int64_t> offset(shape.size(), 0);
  const int64_t excess = shape.empty() ? 0 : shape[slice_dim] % num_slices;
  for (int64_t i = 0; i < num_slices; ++i) {
    std::vector<int64_t> var_shape = shape;
    if (!shape.empty()) var_shape[slice_dim] = shape[slice_dim] / num_slices + (i < excess ? 1 : 0);
    const std::string part_name = StrCat(full, "/part_", i);
    PartitionInfo info{shape, offset};
    { NameScope marks(g, part_name + "/PartitionedInitializer"); }
    part.shape = var_shape;
    TFCKPT_ASSIGN_OR_RETURN(Variable v, GetSingleVariable(g, part_name, part, reuse, &info));
    tensorflow::SaveSliceInfoDef slice;
    slice.set_full_name(full);
    for (size_t d = 0; d < shape.size(); ++d) {
      slice.add_full_shape(shape[d]);
      slice.add_var_offset(offset[d]);
      slice.add_var_shape(var_shape[d]);
    }
    v.data()->save_slice_info = slice;
    parts.push_back(v);
    if (!shape.empty()) offset[slice_dim] += var_shape[slice_dim];
  }
  auto pv = std::make_shared<PartitionedVariable>(g, full, shape, dtype, parts, partitions);
  store.partitioned_vars[full] = pv;
  return *pv;
}

}  // namespace tfckpt::train
