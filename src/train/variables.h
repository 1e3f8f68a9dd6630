// Variables and variable scopes as TF1 Python creates them
// (tensorflow/python/ops/variable_scope.py, ref_variable.py,
// resource_variable_ops.py), node for node:
//
//   reference (VariableV2)         resource (VarHandleOp, TF2's default)
//   v/initial_value  Const          v/Initializer/initial_value  Const (+_class)
//   v                VariableV2     v                 VarHandleOp (+_class)
//   v/Assign         Assign         v/IsInitialized/VarIsInitializedOp
//   v/read           Identity       v/Assign          AssignVariableOp
//                                   v/Read/ReadVariableOp
//
// get_variable's initializers run under "v/Initializer/" with the
// variable's colocation group as `_class` ("v/Initializer/Const"); a
// tf.Variable's constant initial value is "v/initial_value".
//
// Scopes: VariableScope opens a variable scope AND a name scope; the name
// scope is made unique ("foo_1/" on re-entry) while the variable scope name
// stays "foo". GetVariable ignores name scopes. Reuse is inherited by inner
// scopes (reuse = this scope's or the enclosing one's); Reuse::kNone is
// Python's None/False. The default-name form (DefaultName{"dflt"}) counts
// earlier uses in the enclosing variable scope ("dflt", "dflt_1").
//
// Errors are TF's ValueError texts (InvalidArgument):
//   "Variable v already exists, disallowed. Did you mean to set reuse=True or
//    reuse=tf.AUTO_REUSE in VarScope?" (TF appends " Originally defined
//    at:" and a Python traceback for reference variables; we do not)
//   "Variable foo/missing does not exist, or was not created with
//    tf.get_variable(). Did you mean to set reuse=tf.AUTO_REUSE in VarScope?"
//   "Trying to share variable foo/v, but specified shape (2,) and found
//    shape (1,)."
//   "Trying to share variable foo/v, but specified dtype int32 and found
//    dtype float32_ref." ("float32" for resource variables)
//   "Variable no_shape did not get an initializer, so its `shape` argument
//    must be specified."
//   "If initializer is a constant, do not specify shape."
//   "Initializer type 'int32' and explicit dtype 'float32' don't match."
//   "reuse=True cannot be used without a name_or_scope"
#ifndef TFCKPT_TRAIN_VARIABLES_H_
#define TFCKPT_TRAIN_VARIABLES_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "proto/variable.pb.h"
#include "src/tensor/tensor.h"
#include "src/train/graph_builder.h"
#include "src/train/ops.h"

namespace tfckpt::train {

// What a Variable object knows about its nodes.
class VariableData {
 public:
  std::string op_name;        // "foo/v"
  DataType dtype = tensorflow::DT_INVALID;  // base type
  tensorflow::TensorShapeProto shape;
  bool resource = false;
  bool trainable = true;
  std::string initializer_op;  // "foo/v/Assign"
  std::string snapshot;        // "foo/v/read:0" / "foo/v/Read/ReadVariableOp:0"
  std::string initial_value;   // "foo/v/initial_value:0"; "" if unknown
  std::optional<tensorflow::SaveSliceInfoDef> save_slice_info;
  // VariableDef.synchronization / aggregation (enum values; 0 = AUTO / NONE).
  int synchronization = 0;
  int aggregation = 0;
};

class Variable {
 public:
  Variable() = default;
  Variable(Graph* g, std::shared_ptr<VariableData> data) : g_(g), data_(std::move(data)) {}
  // The Python object a VariableDef describes (Variable.from_proto), with
  // every name prefixed by import_scope; dtype and shape from its op.
  static StatusOr<Variable> FromProto(Graph* g, const tensorflow::VariableDef& def,
                                      const std::string& import_scope = "");

  bool valid() const { return data_ != nullptr; }
  Graph* graph() const { return g_; }
  const std::shared_ptr<VariableData>& data() const { return data_; }
  const std::string& op_name() const { return data_->op_name; }
  std::string name() const { return data_->op_name + ":0"; }
  DataType dtype() const { return data_->dtype; }
  const tensorflow::TensorShapeProto& shape() const { return data_->shape; }
  bool is_resource() const { return data_->resource; }
  bool trainable() const { return data_->trainable; }
  std::string device() const;

  Operation initializer() const { return Operation{g_, data_->initializer_op}; }
  Output snapshot() const;
  Output initial_value() const;
  // The variable op's output: the reference, or the resource handle.
  Output ref() const { return Output{g_, data_->op_name, 0}; }
  // convert_to_tensor(v): the snapshot, or a new ReadVariableOp named
  // "ReadVariableOp" in the current name scope (resource).
  Output value() const;
  // What Session::Run fetches for the variable ("v:0", or the snapshot of
  // a resource variable).
  std::string fetch_name() const;
  // Variable.assign / assign_add / assign_sub (use_locking=False; for a
  // resource variable AssignVariableOp... then a read).
  Output Assign(const Input& value, const std::string& name = "") const;
  Output AssignAdd(const Input& value, const std::string& name = "") const;
  Output AssignSub(const Input& value, const std::string& name = "") const;

  // Variable.to_proto(export_scope): nullopt if outside export_scope.
  std::optional<tensorflow::VariableDef> ToProto(const std::string& export_scope = "") const;

  bool operator==(const Variable& o) const { return data_ == o.data_; }
  bool operator!=(const Variable& o) const { return data_ != o.data_; }

 private:
  Graph* g_ = nullptr;
  std::shared_ptr<VariableData> data_;
};

CollectionItem VariableItem(const Variable& v);
// Variables of a collection (non-variable items skipped).
std::vector<Variable> VariablesOf(Graph* g, const std::string& key, const std::string& scope = "");
inline std::vector<Variable> GlobalVariables(Graph* g, const std::string& scope = "") {
  return VariablesOf(g, GraphKeys::kGlobalVariables, scope);
}
inline std::vector<Variable> TrainableVariables(Graph* g, const std::string& scope = "") {
  return VariablesOf(g, GraphKeys::kTrainableVariables, scope);
}

// Where a partition of a partitioned variable sits in the full variable.
struct PartitionInfo {
  std::vector<int64_t> full_shape;
  std::vector<int64_t> var_offset;
};

// An initializer (init_ops): builds the value in the current name scope.
// Partition-aware initializers also see the partition (TF passes
// partition_info; glorot_uniform computes its fans from the full shape).
class Initializer {
 public:
  using Fn = std::function<Output(Graph*, const std::vector<int64_t>& shape, DataType dtype)>;
  using PartitionedFn = std::function<Output(Graph*, const std::vector<int64_t>& shape,
                                             DataType dtype, const PartitionInfo* partition)>;
  Initializer(std::string kind, Fn fn) : kind_(std::move(kind)), fn_(std::move(fn)) {}
  Initializer(std::string kind, PartitionedFn fn)
      : kind_(std::move(kind)), partitioned_fn_(std::move(fn)) {}
  // constant_initializer(v): "Const" with one typed value.
  static Initializer Constant(double value);
  // constant_initializer(array): "Const" holding the array (same elements).
  static Initializer Constant(tensor::Tensor value);
  // The partition's slice of `full` as a Const (the full value if not
  // partitioned): a Python initializer function reading partition_info.
  static Initializer SliceOf(tensor::Tensor full);
  static Initializer Zeros();  // "zeros"
  static Initializer Ones();   // "ones"
  static Initializer RandomNormal(double mean = 0, double stddev = 1,
                                  std::optional<int64_t> seed = std::nullopt);
  static Initializer TruncatedNormal(double mean = 0, double stddev = 1,
                                     std::optional<int64_t> seed = std::nullopt);
  static Initializer RandomUniform(double minval = -0.05, double maxval = 0.05,
                                   std::optional<int64_t> seed = std::nullopt);
  // glorot_uniform_initializer (get_variable's default for floats).
  static Initializer GlorotUniform(std::optional<int64_t> seed = std::nullopt);

  Output operator()(Graph* g, const std::vector<int64_t>& shape, DataType dtype,
                    const PartitionInfo* partition = nullptr) const {
    return partitioned_fn_ ? partitioned_fn_(g, shape, dtype, partition) : fn_(g, shape, dtype);
  }
  const std::string& kind() const { return kind_; }

 private:
  std::string kind_;
  Fn fn_;
  PartitionedFn partitioned_fn_;
};

// An initial value: none, an initializer (callable), a constant value
// (numpy array / Python number) or an existing tensor.
using InitialValue = std::variant<std::monostate, Initializer, tensor::Tensor, Output>;

enum class Reuse { kNone, kTrue, kAutoReuse };  // kNone: Python None / False
enum class ReuseMode { kFalse, kTrue, kAutoReuse };

// A VariableScope object (what `with variable_scope(...) as scope` yields).
struct VarScope {
  std::string name;
  std::string original_name_scope;  // "foo/" (the name scope of first entry)
  ReuseMode reuse = ReuseMode::kFalse;
  std::optional<Initializer> initializer;
  std::optional<DataType> dtype;
  std::optional<bool> use_resource;
};

struct DefaultName {
  std::string name;
};

struct ScopeDefaults {
  std::optional<Initializer> initializer;
  std::optional<DataType> dtype;
  std::optional<bool> use_resource;
};

// tf.compat.v1.variable_scope (RAII, strictly nested).
class VariableScope {
 public:
  VariableScope(Graph* g, const std::string& name, Reuse reuse = Reuse::kNone,
                const ScopeDefaults& defaults = {});
  VariableScope(Graph* g, const VarScope& scope, Reuse reuse = Reuse::kNone);
  VariableScope(Graph* g, const DefaultName& default_name, Reuse reuse = Reuse::kNone,
                const ScopeDefaults& defaults = {});
  ~VariableScope();
  VariableScope(const VariableScope&) = delete;
  VariableScope& operator=(const VariableScope&) = delete;

  const VarScope& scope() const;
  // scope.reuse_variables().
  void ReuseVariables();
  const Status& status() const { return status_; }

 private:
  void EnterPure(const std::string& name, Reuse reuse, const std::string& old_name_scope,
                 const ScopeDefaults& defaults);
  Graph* g_;
  std::unique_ptr<NameScope> name_scope_;
  std::shared_ptr<VarScope> old_;
  std::optional<std::map<std::string, int>> old_counts_;
  std::string new_name_;
  Status status_;
};

// tf.compat.v1.get_variable_scope().
const VarScope& GetVariableScope(Graph* g);

// The store behind get_variable and variable scopes (one per graph).
class PartitionedVariable;
struct VarStore {
  std::map<std::string, Variable> vars;     // get_variable's, by full name
  std::map<std::string, std::shared_ptr<PartitionedVariable>> partitioned_vars;
  std::shared_ptr<VarScope> current = std::make_shared<VarScope>();
  std::map<std::string, int> scope_counts;  // variable_scopes_count
};

struct GetVariableOptions {
  std::optional<std::vector<int64_t>> shape;  // nullopt: not given
  std::optional<DataType> dtype;               // nullopt: the scope's, else float32
  InitialValue initializer;
  std::optional<Reuse> reuse;                  // nullopt: the scope's
  std::optional<bool> trainable;               // nullopt: true
  std::optional<std::vector<std::string>> collections;
  std::optional<bool> use_resource;            // nullopt: scope / graph default
  bool validate_shape = true;
};

// tf.compat.v1.get_variable.
StatusOr<Variable> GetVariable(Graph* g, const std::string& name,
                               const GetVariableOptions& options = {});
// _VariableStore._get_single_variable for an absolute name (what
// GetVariable and the partitioned variables of partitioned.h call).
StatusOr<Variable> GetSingleVariable(Graph* g, const std::string& full_name,
                                     const GetVariableOptions& options, ReuseMode reuse,
                                     const PartitionInfo* partition = nullptr);
// SaveSliceInfo.spec: "10 4 0,4:0,4".
std::string SliceSpec(const tensorflow::SaveSliceInfoDef& info);
StatusOr<Variable> GetVariable(Graph* g, const std::string& name,
                               const std::vector<int64_t>& shape,
                               DataType dtype = tensorflow::DT_FLOAT,
                               InitialValue initializer = {},
                               std::optional<Reuse> reuse = std::nullopt);

struct VariableOptions {
  std::string name;  // "" -> "Variable"
  bool trainable = true;
  std::optional<std::vector<std::string>> collections;  // nullopt: GLOBAL (+TRAINABLE)
  std::optional<DataType> dtype;
  bool validate_shape = true;
  std::optional<bool> use_resource;  // nullopt: the graph's default
};
// tf.compat.v1.Variable(initial_value, ...): a Tensor value becomes the
// Const "<name>/initial_value"; an Output is used as is; an Initializer is
// a callable (needs a dtype and uses options.shape... see MakeVariableFromFn).
StatusOr<Variable> MakeVariable(Graph* g, const InitialValue& initial_value,
                                const VariableOptions& options = {});
StatusOr<Variable> MakeVariable(Graph* g, const tensor::Tensor& value, const std::string& name,
                                bool trainable = true);

// tf.compat.v1.global_variables_initializer() ("init") / variables_initializer.
Operation GlobalVariablesInitializer(Graph* g, const std::string& name = "init");
Operation VariablesInitializer(Graph* g, const std::vector<Variable>& vars,
                               const std::string& name = "init");

// tf.compat.v1.train.get_or_create_global_step(): int64 "global_step"
// (zeros initializer, not trainable, aggregation ONLY_FIRST_REPLICA, in
// GLOBAL_VARIABLES and GLOBAL_STEP).
StatusOr<Variable> GetOrCreateGlobalStep(Graph* g);

}  // namespace tfckpt::train

#endif  // TFCKPT_TRAIN_VARIABLES_H_
