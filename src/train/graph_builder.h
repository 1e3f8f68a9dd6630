// Building GraphDefs the way TF1 Python's tf.Graph does: op names, name
// scopes, devices, colocation, control dependencies and collections, so that
// graphs built here are node-for-node the graphs TensorFlow 2.21 builds (in
// graph mode, tf.compat.v1) for the same program.
//
//   train::Graph g;
//   {
//     train::NameScope ns(&g, "ns");                  // "ns/", then "ns_1/"
//     train::Output one = train::Constant(&g, 1.0f, "one");   // "ns/one"
//   }
//
// The rules reproduced (tensorflow/python/framework/ops.py):
//  - Graph::UniqueName: "foo", then "foo_1", "foo_2"...; names are compared
//    lowercased ("Add" then name="add" gives "add_1"... as TF 2.x does), a
//    suffixed candidate is skipped if itself in use.
//  - A name ending in '/' names an op exactly (TF's "absolute scope"); any
//    other name is prefixed by the current name scope and made unique.
//  - Op wrappers (ops.h) open a name scope named after the op ("Add") and
//    create their constant and variable-read inputs inside it ("Add/y",
//    "Add/ReadVariableOp") before the op itself, like _apply_op_helper.
//  - Every attr of the OpDef is written, defaults included.
//  - Devices: DeviceScope specs merge outward-in (DeviceSpec.make_merged_spec);
//    "/cpu:0" is written "/device:CPU:0", "CPU" as "/device:CPU:*".
//  - Colocation (ColocateWith, and an op with a reference input is
//    colocated with that input, as op_def_library does) sets the `_class`
//    attr to the sorted colocation groups ("loc:@v"), resets the device
//    scopes and takes the device of the op colocated with.
//  - ControlDependencies adds control inputs to ops created inside unless a
//    data input was itself created inside (TF's "dominated" rule); ops given
//    as control dependencies get `_has_manual_control_dependencies: true`.
//    Control inputs are written sorted by name, as TF's ToGraphDef does.
//  - Collections hold variables, tensors, operations, int64s, floats,
//    bytes, strings and serialized protos (meta_graph.h exports them).
//
// Errors of op creation (bad names, unknown ops, bad inputs) are kept as the
// graph's first error (status()) and the wrapper returns an invalid Output,
// like tensorflow::Scope; APIs whose errors are part of TF's contract
// (GetVariable, Saver) return Status.
#ifndef TFCKPT_TRAIN_GRAPH_BUILDER_H_
#define TFCKPT_TRAIN_GRAPH_BUILDER_H_

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proto/attr_value.pb.h"
#include "proto/graph.pb.h"
#include "proto/node_def.pb.h"
#include "proto/tensor_shape.pb.h"
#include "src/graph/graph.h"
#include "src/graph/op_registry.h"
#include "src/io/status.h"
#include "src/tensor/dtype.h"

namespace tfckpt::train {

using tensor::DataType;
using AttrMap = std::map<std::string, tensorflow::AttrValue>;

// TF 2.21's GRAPH_DEF_VERSION (versions.producer of every graph it writes).
inline constexpr int kGraphDefVersion = 2474;

class Graph;
class VariableData;

// A tensor: output `index` of op `op`.
struct Output {
  Graph* graph = nullptr;
  std::string op;
  int index = 0;

  bool valid() const { return graph != nullptr && !op.empty(); }
  std::string name() const;                 // "op:0"
  DataType dtype() const;                   // the base type (float for float_ref)
  bool is_ref() const;
  tensorflow::TensorShapeProto shape() const;  // unknown_rank if not known
};

// An operation (a node), by name.
struct Operation {
  Graph* graph = nullptr;
  std::string name;
  bool valid() const { return graph != nullptr && !name.empty(); }
  Output output(int i = 0) const { return Output{graph, name, i}; }
  const tensorflow::NodeDef* node_def() const;
};

// One value of a collection (Python collections hold arbitrary objects;
// these are the kinds export_meta_graph knows).
struct CollectionItem {
  enum class Kind { kVariable, kTensor, kOperation, kInt64, kFloat, kBytes, kString, kProto, kAny };
  Kind kind = Kind::kBytes;
  std::shared_ptr<VariableData> variable;  // kVariable
  std::string text;  // tensor/op name, bytes, string, serialized proto, Any.value
  std::string type_url;                    // kAny
  int64_t i = 0;
  double f = 0;

  static CollectionItem Int64(int64_t v);
  static CollectionItem Float(double v);
  static CollectionItem Bytes(std::string v);   // Python bytes
  static CollectionItem String(std::string v);  // Python str (filtered by export_scope)
  static CollectionItem Proto(std::string serialized);
  // A google.protobuf.Any (exported in an any_list).
  static CollectionItem Any(std::string type_url, std::string value);
  static CollectionItem Of(const Output& t);
  static CollectionItem Of(const Operation& op);
  // The graph element's name ("v:0", "y:0", "x"), "" for values.
  std::string ElementName() const;
  bool operator==(const CollectionItem& o) const;
};

// TF's standard collection keys (tf.compat.v1.GraphKeys).
struct GraphKeys {
  static constexpr char kGlobalVariables[] = "variables";
  static constexpr char kTrainableVariables[] = "trainable_variables";
  static constexpr char kLocalVariables[] = "local_variables";
  static constexpr char kModelVariables[] = "model_variables";
  static constexpr char kMovingAverageVariables[] = "moving_average_variables";
  static constexpr char kGlobalStep[] = "global_step";
  static constexpr char kMetricVariables[] = "metric_variables";
  static constexpr char kSaveableObjects[] = "saveable_objects";
  static constexpr char kSavers[] = "savers";
  static constexpr char kTrainOp[] = "train_op";
  // Collections whose values are VariableDef protos in a MetaGraphDef.
  static bool IsVariableCollection(std::string_view key);
};

struct GraphOptions {
  // tf.compat.v1.enable_resource_variables(): get_variable / Variable create
  // VarHandleOp variables (TF2's graph-mode default) instead of VariableV2.
  bool resource_variables = false;
  // nullptr: TrainingOpRegistry() (the engine's ops plus training_ops.h).
  const graph::OpRegistry* registry = nullptr;
  // Accept NodeDefs of ops the registry lacks (imported graphs).
  bool allow_unregistered_ops = true;
};

struct VarStore;  // variables.cc

class Graph {
 public:
  explicit Graph(const GraphOptions& options = {});
  ~Graph();
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;

  // ---- names -------------------------------------------------------------
  // ops.Graph.unique_name: the current name scope is prepended.
  std::string UniqueName(const std::string& name, bool mark_as_used = true);
  // The current name scope without trailing '/' ("" at the root).
  const std::string& name_stack() const { return name_stack_; }

  // ---- ops ---------------------------------------------------------------
  struct OpOptions {
    std::vector<std::string> control_inputs;  // op names, beyond the scopes'
  };
  // Creates an op. `name`: "" -> the op type; "x/" -> exactly "x"; else made
  // unique under the name scope. Missing attrs get their OpDef defaults.
  StatusOr<Operation> CreateOp(const std::string& type, const std::string& name,
                               const std::vector<Output>& inputs, AttrMap attrs = {},
                               const OpOptions& options = {});
  // Records the first error (for wrappers returning an invalid Output).
  void RecordError(const Status& s);
  const Status& status() const { return status_; }

  const tensorflow::NodeDef* FindNode(std::string_view name) const;
  tensorflow::NodeDef* MutableNode(std::string_view name);
  bool HasNode(std::string_view name) const { return FindNode(name) != nullptr; }
  int num_nodes() const { return def_.node_size(); }
  // Bumped by every change (new node, attr set): sessions rebuild on change.
  uint64_t version() const { return version_; }

  // Output i of `op` as a tensor (InvalidArgument / NotFound as TF's
  // get_tensor_by_name: "The name 'x:0' refers to a Tensor which does not
  // exist. The operation, 'x', does not exist in the graph.").
  StatusOr<Output> GetTensorByName(const std::string& name);
  StatusOr<Operation> GetOperationByName(const std::string& name);
  int NumOutputs(std::string_view op) const;
  graph::EdgeType OutputType(const Output& t) const;
  tensorflow::TensorShapeProto OutputShape(const Output& t) const;
  // The colocation groups of an op: its _class values, else {"loc:@name"}.
  std::vector<std::string> ColocationGroups(std::string_view op) const;
  // The control inputs the active ControlDependencies scopes give a new op
  // whose data inputs come from `input_ops` (TF's
  // _control_dependencies_for_inputs: none from a scope that created one of
  // them), in the order TF adds them.
  std::vector<std::string> ControlInputsFor(const std::set<std::string>& input_ops) const;
  // The device the active DeviceScopes give a new op ("" if none).
  std::string CurrentDevice() const;
  // Sets an attr on an existing node (TF's op._set_attr).
  void SetAttr(std::string_view op, const std::string& key, const tensorflow::AttrValue& v);

  // The GraphDef: nodes in creation order, versions.producer 2474; with
  // add_shapes every node with outputs gets `_output_shapes` (as_graph_def).
  // Control inputs are sorted by name (TF's Graph::ToGraphDef) unless
  // sort_control_inputs is false: then they are in the order they were
  // added, as TF's Operation.node_def shows them (what export_meta_graph
  // writes with export_scope or clear_devices).
  tensorflow::GraphDef ToGraphDef(bool add_shapes = false, bool sort_control_inputs = true) const;

  // Adds a NodeDef as is (import_graph_def): the name must be free; its
  // `_output_shapes` attr, if any, is taken as the node's shapes and removed.
  Status AddNodeDef(tensorflow::NodeDef node);

  // ---- collections -------------------------------------------------------
  void AddToCollection(const std::string& key, CollectionItem item);
  void AddToCollections(const std::vector<std::string>& keys, const CollectionItem& item);
  // Items of `key` (empty if none); with `scope`, only graph elements whose
  // name starts with it (Python's get_collection(key, scope) uses re.match).
  std::vector<CollectionItem> GetCollection(const std::string& key,
                                            const std::string& scope = "") const;
  std::vector<CollectionItem>* MutableCollection(const std::string& key);
  void ClearCollection(const std::string& key);
  std::vector<std::string> GetAllCollectionKeys() const;  // sorted

  // ---- random seeds (tf.compat.v1.set_random_seed, random_seed.get_seed) --
  void SetRandomSeed(int64_t seed) { seed_ = seed; }
  std::optional<int64_t> random_seed() const { return seed_; }
  std::pair<int64_t, int64_t> GetSeed(std::optional<int64_t> op_seed);

  const GraphOptions& options() const { return options_; }
  void set_resource_variables(bool on) { options_.resource_variables = on; }
  const graph::OpRegistry& registry() const { return *registry_; }
  // OpDefs of imported meta graphs (stripped_op_list), for ops the registry
  // lacks: re-exported in stripped_op_list.
  void RememberOpDef(const tensorflow::OpDef& op) { imported_ops_.insert({op.name(), op}); }
  const tensorflow::OpDef* ImportedOpDef(const std::string& op) const {
    auto it = imported_ops_.find(op);
    return it == imported_ops_.end() ? nullptr : &it->second;
  }
  VarStore& var_store() { return *var_store_; }

 private:
  friend class NameScope;
  friend class DeviceScope;
  friend class ColocateWith;
  friend class ControlDependencies;
  friend class AttrScope;

  struct NodeInfo {
    std::vector<graph::EdgeType> types;
    std::vector<tensorflow::TensorShapeProto> shapes;
  };
  struct Controller {
    std::vector<std::string> control_inputs;
    std::set<std::string> seen;
    bool new_stack = false;
  };
  struct DeviceEntry {
    bool reset = false;  // tf.device(None)
    std::string spec;
  };

  std::vector<std::string> CurrentControlDependencies() const;
  void IndexNode(int i, NodeInfo info);

  GraphOptions options_;
  const graph::OpRegistry* registry_;
  tensorflow::GraphDef def_;
  std::map<std::string, int, std::less<>> by_name_;
  std::vector<NodeInfo> info_;
  std::map<std::string, int> names_in_use_;  // lowercased
  std::string name_stack_;
  std::vector<DeviceEntry> devices_;
  std::vector<std::string> colocation_;        // op names, innermost last
  std::vector<Controller> controllers_;
  std::vector<AttrMap> attr_scopes_;
  std::map<std::string, std::vector<CollectionItem>> collections_;
  std::optional<int64_t> seed_;
  int64_t seed_offset_ = 0;
  uint64_t version_ = 0;
  Status status_;
  std::unique_ptr<VarStore> var_store_;
  std::map<std::string, tensorflow::OpDef> imported_ops_;
};

// ---- scopes (RAII, strictly nested) ----------------------------------------

// tf.name_scope / Graph.name_scope (v1): "" or None resets to the root; a
// name ending in '/' re-enters that exact scope; otherwise the name is made
// unique ("ns", "ns_1"). Invalid names are recorded as the graph's error.
class NameScope {
 public:
  NameScope(Graph* g, const std::string& name);
  // name_scope(name, default_name): `name` if non-empty, else default_name.
  NameScope(Graph* g, const std::string& name, const std::string& default_name);
  ~NameScope();
  NameScope(const NameScope&) = delete;
  NameScope& operator=(const NameScope&) = delete;
  // The scope as TF returns it: "ns_1/" ("" at the root).
  const std::string& scope() const { return scope_; }

 private:
  void Enter(const std::string& name);
  Graph* g_;
  std::string old_;
  std::string scope_;
};

// tf.device(spec); a nullopt spec is tf.device(None) (clears devices).
class DeviceScope {
 public:
  DeviceScope(Graph* g, std::optional<std::string> spec);
  ~DeviceScope();
  DeviceScope(const DeviceScope&) = delete;
  DeviceScope& operator=(const DeviceScope&) = delete;

 private:
  Graph* g_;
};

// ops.colocate_with(op, ignore_existing): an empty op name with
// ignore_existing clears colocation. Device scopes are suspended inside.
class ColocateWith {
 public:
  ColocateWith(Graph* g, const std::string& op, bool ignore_existing = false);
  ~ColocateWith();
  ColocateWith(const ColocateWith&) = delete;
  ColocateWith& operator=(const ColocateWith&) = delete;

 private:
  Graph* g_;
  std::vector<Graph::DeviceEntry> saved_devices_;
  std::optional<std::vector<std::string>> saved_colocation_;
  bool pushed_ = false;
};

// Graph.control_dependencies(ops); nullopt is control_dependencies(None)
// (also what ops.init_scope does to control dependencies).
class ControlDependencies {
 public:
  ControlDependencies(Graph* g, std::optional<std::vector<std::string>> ops);
  ~ControlDependencies();
  ControlDependencies(const ControlDependencies&) = delete;
  ControlDependencies& operator=(const ControlDependencies&) = delete;

 private:
  Graph* g_;
  std::vector<Graph::Controller> saved_;
  bool new_stack_;
};

// Graph._attr_scope: attrs added to ops created inside (not overriding).
class AttrScope {
 public:
  AttrScope(Graph* g, AttrMap attrs);
  ~AttrScope();
  AttrScope(const AttrScope&) = delete;
  AttrScope& operator=(const AttrScope&) = delete;

 private:
  Graph* g_;
};

// ---- devices (tf.DeviceSpec) -------------------------------------------------

struct DeviceSpec {
  std::optional<std::string> job;
  std::optional<int64_t> replica, task;
  std::optional<std::string> device_type;
  std::optional<int64_t> device_index;  // nullopt: "*"

  static StatusOr<DeviceSpec> FromString(const std::string& spec);
  // Fields set in `other` override ours (make_merged_spec).
  DeviceSpec MergedWith(const DeviceSpec& other) const;
  std::string ToString() const;  // "/job:w/replica:0/task:0/device:CPU:0"
};
// pydev.canonical_name: "" stays "", anything else FromString().ToString().
std::string CanonicalDevice(const std::string& device);

// ---- names ------------------------------------------------------------------

// ops.strip_name_scope / prepend_name_scope (also on "^x" and "loc:@x").
std::string StripNameScope(const std::string& name, const std::string& scope);
std::string PrependNameScope(const std::string& name, const std::string& scope);
// Python's TensorShape str: "(2,)", "(None, 4)", "<unknown>".
std::string PythonShapeString(const tensorflow::TensorShapeProto& shape);
// Python's dtype name: "float32", "int32", "float32_ref".
std::string PythonDTypeName(DataType dtype, bool ref = false);

// The op registry graphs are built and run with: the engine's ops plus the
// training ops of training_ops.h.
const graph::OpRegistry& TrainingOpRegistry();

}  // namespace tfckpt::train

#endif  // TFCKPT_TRAIN_GRAPH_BUILDER_H_
