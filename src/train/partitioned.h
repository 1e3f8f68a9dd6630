// Partitioned variables: tf.compat.v1.get_variable(..., partitioner=...)
// (variable_scope._get_partitioned_variable, variables.PartitionedVariable).
//
//   auto pv = GetPartitionedVariable(&g, "pv", o, FixedSizePartitioner(3));
//   // parts "pv/part_0" [4,4], "pv/part_1" [3,4], "pv/part_2" [3,4] of [10,4]
//
// The parts are ordinary variables named "<name>/part_<i>", split along the
// one partitioned axis with the first (dim % n) parts one larger; each
// carries a SaveSliceInfo (full_name, full_shape, var_offset, var_shape),
// written into its VariableDef, and is saved by a Saver as a slice of the
// key <name> ("10 4 0,4:0,4"). Initializers see the partition
// (Initializer::SliceOf, glorot_uniform's fans from the full shape).
// AsTensor() concatenates the parts as TF does ("pv/ConcatPartitions/concat",
// then Identity "pv"). Errors are TF's ValueError texts ("Partitioned
// variable with name pv already exists. Did you mean to set reuse=True or
// reuse=tf.AUTO_REUSE in VarScope?", "A partitioner was provided, but an
// unpartitioned version of the variable was found: pv.  Perhaps a variable of
// the same name was already created without partitioning?", ...).
#ifndef TFCKPT_TRAIN_PARTITIONED_H_
#define TFCKPT_TRAIN_PARTITIONED_H_

#include <functional>
#include <string>
#include <vector>

#include "src/train/variables.h"

namespace tfckpt::train {

// Number of partitions per dimension for a full shape.
using Partitioner = std::function<std::vector<int64_t>(const std::vector<int64_t>& shape,
                                                       DataType dtype)>;
// tf.compat.v1.fixed_size_partitioner(num_shards, axis).
Partitioner FixedSizePartitioner(int64_t num_shards, int axis = 0);

class PartitionedVariable {
 public:
  PartitionedVariable(Graph* g, std::string name, std::vector<int64_t> shape, DataType dtype,
                      std::vector<Variable> parts, std::vector<int64_t> partitions)
      : g_(g), name_(std::move(name)), shape_(std::move(shape)), dtype_(dtype),
        parts_(std::move(parts)), partitions_(std::move(partitions)) {}
  const std::string& name() const { return name_; }
  const std::vector<int64_t>& shape() const { return shape_; }
  DataType dtype() const { return dtype_; }
  const std::vector<Variable>& parts() const { return parts_; }
  const std::vector<int64_t>& partitions() const { return partitions_; }
  // PartitionedVariable.as_tensor(): the parts concatenated, Identity "<name>".
  Output AsTensor() const;

 private:
  Graph* g_;
  std::string name_;
  std::vector<int64_t> shape_;
  DataType dtype_;
  std::vector<Variable> parts_;
  std::vector<int64_t> partitions_;
};

// get_variable(name, shape, dtype, initializer, partitioner=...) in the
// current variable scope; options.shape is required.
StatusOr<PartitionedVariable> GetPartitionedVariable(Graph* g, const std::string& name,
                                                     const GetVariableOptions& options,
                                                     const Partitioner& partitioner);

}  // namespace tfckpt::train

#endif  // TFCKPT_TRAIN_PARTITIONED_H_
