// What kernels see: the values on a node's edges, the session's variables
// and the environment. One OpKernel is created per node (lazily, the first
// time the node runs) and kept for the session, like TensorFlow's.
//
// Value semantics: kernels never write into an input's buffer (tensors share
// buffers when copied); every output is freshly allocated or forwards an
// input unchanged. Variables therefore hold values, not aliases: a value read
// from a variable is not changed by a later assignment (TensorFlow may alias
// them; this engine deliberately does not).
#ifndef TFCKPT_GRAPH_KERNEL_H_
#define TFCKPT_GRAPH_KERNEL_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "src/graph/graph.h"
#include "src/io/env.h"
#include "src/io/status.h"
#include "src/tensor/tensor.h"
#include "src/tensor/tensor_proto.h"

namespace tfckpt::graph {

using tensor::Tensor;
using tensor::TensorShape;

// Limits and environment every kernel of a session shares.
struct KernelOptions {
  io::Env* env = nullptr;
  // The largest tensor a kernel may allocate (ResourceExhausted beyond):
  // Fill, broadcasting, random ops... take their sizes from input values.
  uint64_t max_tensor_bytes = uint64_t{1} << 30;
  tensor::TensorProtoOptions proto;  // Const values
  // Iterations a While loop may run before it fails (ResourceExhausted): a
  // condition that never turns false is an error, not a hang.
  int64_t max_loop_iterations = int64_t{1} << 20;
};

// The state behind a reference edge (VariableV2 / Variable).
struct RefVariable {
  std::string name;             // container-qualified, for messages
  DataType dtype = tensorflow::DT_INVALID;
  PartialShape declared_shape;  // the op's shape attr
  bool initialized = false;
  Tensor value;
};

// A resource variable (VarHandleOp / AssignVariableOp / ReadVariableOp).
struct ResourceVariable {
  DataType dtype = tensorflow::DT_INVALID;
  Tensor value;
};

// A TensorArray (TF's tensorflow/core/kernels/tensor_array.h): made by each
// run of TensorArrayV3, changed in place by its writes (kernels_tensor_array.cc).
struct TensorArray {
  struct Item {
    Tensor tensor;
    bool written = false;
    bool read = false;
    bool cleared = false;  // read with clear_after_read
  };
  std::string name;  // unique, for messages
  DataType dtype = tensorflow::DT_INVALID;
  PartialShape element_shape;
  bool dynamic_size = false;
  bool clear_after_read = true;
  bool identical_element_shapes = false;
  bool closed = false;
  std::vector<Item> items;
};

// The scalar a DT_RESOURCE edge carries.
struct ResourceHandle {
  std::string container;  // "localhost" when the op's container attr is ""
  std::string name;
  DataType dtype = tensorflow::DT_INVALID;  // VarHandleOp's dtype attr
  PartialShape shape;
  std::shared_ptr<TensorArray> tensor_array;  // a TensorArrayV3 handle's array
};

// The scalar a DT_VARIANT edge carries: a TensorList (TF's
// tensorflow/core/kernels/tensor_list.h), the only variant the engine runs --
// what TF2 while loops accumulate into (TensorListReserve / SetItem / Stack,
// kernels_list.cc). Lists are values: an op that changes one outputs a copy
// (its items share buffers).
struct TensorList {
  DataType element_dtype = tensorflow::DT_INVALID;
  PartialShape element_shape;  // as declared (may be partial)
  std::vector<Tensor> items;   // DT_INVALID: reserved, not set yet
};

// What flows along one edge: a value, a reference, a resource handle or a
// TensorList -- or nothing, on a dead edge (the untaken output of a Switch
// and everything downstream of it until a Merge; see session.h).
struct Value {
  Tensor tensor;
  std::shared_ptr<RefVariable> ref;
  std::shared_ptr<const ResourceHandle> handle;
  bool dead = false;
  std::shared_ptr<const TensorList> list;  // a DT_VARIANT edge's value
};

// Whether `v` may travel an edge of type `want` (a reference, a handle for
// DT_RESOURCE, a list for DT_VARIANT, else a tensor of that dtype), and
// the type it has, for "was passed float_ref ... expected float" messages.
bool ValueHasType(const Value& v, const EdgeType& want);
std::string ValueTypeString(const Value& v);

// Resources that outlive a Run: TF's ResourceMgr, reduced to variables.
// Containers exist once something was created in them (TF's "Container
// localhost does not exist" vs "Resource ... does not exist").
class SessionState {
 public:
  static constexpr char kDefaultContainer[] = "localhost";

  // The variable `container/name`, created (uninitialized) on first use.
  std::shared_ptr<RefVariable> RefVariableFor(const std::string& container,
                                              const std::string& name, DataType dtype,
                                              const PartialShape& shape);
  // nullptr if absent; *why gets TF's lookup error text.
  std::shared_ptr<ResourceVariable> FindResourceVariable(const ResourceHandle& h,
                                                         std::string* why) const;
  std::shared_ptr<ResourceVariable> CreateResourceVariable(const ResourceHandle& h,
                                                           DataType dtype);

  // Inspection for loaders and tests: "container/name" -> variable.
  const std::map<std::string, std::shared_ptr<RefVariable>>& ref_variables() const {
    return ref_vars_;
  }
  const std::map<std::string, std::shared_ptr<ResourceVariable>>& resource_variables() const {
    return resource_vars_;
  }

  // Moves every variable (and container) of `other` into this state, so
  // values and initialization carry over; a variable of the same
  // container/name here takes the other's contents (the object stays, for
  // kernels holding it). `other` is left empty.
  void AdoptFrom(SessionState* other);

 private:
  std::map<std::string, std::shared_ptr<RefVariable>> ref_vars_;
  std::map<std::string, std::shared_ptr<ResourceVariable>> resource_vars_;
  std::map<std::string, int> containers_;
};

class OpKernelContext {
 public:
  OpKernelContext(const Node& node, std::vector<Value> inputs, SessionState* state,
                  const KernelOptions& options)
      : node_(node), inputs_(std::move(inputs)), outputs_(node.num_outputs()),
        state_(state), options_(options) {}

  const Node& node() const { return node_; }
  int num_inputs() const { return static_cast<int>(inputs_.size()); }
  // The value of input i (references already read, and checked initialized
  // unless the op allows uninitialized inputs).
  const Tensor& input(int i) const { return inputs_[i].tensor; }
  const std::shared_ptr<RefVariable>& ref_input(int i) const { return inputs_[i].ref; }
  const ResourceHandle* resource_input(int i) const { return inputs_[i].handle.get(); }
  const Value& input_value(int i) const { return inputs_[i]; }
  // Only a Merge sees dead inputs: every other node with a dead input is
  // itself dead and its kernel does not run.
  bool input_is_dead(int i) const { return inputs_[i].dead; }

  void set_output(int i, Tensor t) { outputs_[i] = Value{std::move(t), nullptr, nullptr}; }
  void set_output_value(int i, Value v) { outputs_[i] = std::move(v); }
  // Output i carries no value this run (a Switch's untaken branch).
  void set_output_dead(int i) { outputs_[i] = Value{Tensor(), nullptr, nullptr, true}; }
  std::vector<Value>& outputs() { return outputs_; }

  // A zero-filled tensor, refused (ResourceExhausted) beyond max_tensor_bytes.
  StatusOr<Tensor> Allocate(DataType dtype, const TensorShape& shape) const;
  // Allocate + set_output; returns the output for filling.
  StatusOr<Tensor*> AllocateOutput(int i, DataType dtype, const TensorShape& shape);

  SessionState* state() const { return state_; }
  io::Env* env() const { return options_.env; }
  const KernelOptions& options() const { return options_; }

 private:
  const Node& node_;
  std::vector<Value> inputs_;
  std::vector<Value> outputs_;
  SessionState* state_;
  const KernelOptions& options_;
};

class OpKernel {
 public:
  virtual ~OpKernel() = default;
  // Called once, when the node first runs; attr errors belong here.
  virtual Status Init(const Node& node, const KernelOptions& options) {
    (void)node;
    (void)options;
    return OkStatus();
  }
  virtual Status Compute(OpKernelContext* ctx) = 0;
};

// KernelFactory of a kernel class (default-constructible, Init does the rest).
template <typename K>
KernelFactory Kernel() {
  return [](const Node& node, const KernelOptions& options) -> StatusOr<std::unique_ptr<OpKernel>> {
    auto k = std::make_unique<K>();
    TFCKPT_RETURN_IF_ERROR(k->Init(node, options));
    return std::unique_ptr<OpKernel>(std::move(k));
  };
}

// KernelFactory of a stateless function.
KernelFactory FnKernel(Status (*compute)(OpKernelContext*));

}  // namespace tfckpt::graph

#endif  // TFCKPT_GRAPH_KERNEL_H_
