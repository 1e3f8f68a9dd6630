// The op registry: for every op the engine knows, its OpDef (argument and
// attr signature, as TensorFlow registers it) and its kernel factory.
//
// OpDefs are written in TensorFlow's REGISTER_OP spec language, so each can
// be compared line by line with tensorflow/core/ops/*.cc:
//
//   OpDefBuilder("AddV2")
//       .Input("x: T").Input("y: T").Output("z: T")
//       .Attr("T: {bfloat16, half, float, double, uint8, ...}")
//       .SetIsAggregate().SetIsCommutative()
//
// Arg specs: "name: T" (type attr), "name: float" (fixed type),
// "name: N * T" (number attr), "name: dtypes" (list(type) attr),
// "name: Ref(T)" (reference). Attr specs: "name: type", "name: {float, int32}"
// (allowed types), "name: {'NHWC', 'NCHW'}" (allowed strings),
// "name: int >= 1", "name: list(type) >= 1", "name: bool = true",
// "name: string = ''", "name: shape = { unknown_rank: true }",
// "name: {int32, int64} = DT_INT32", "name: list(string) = []".
// OpDefs that appear in TF 2.21's goldens (stripped_op_list of the golden
// meta graphs) are checked field by field in op_registry_test.
#ifndef TFCKPT_GRAPH_OP_REGISTRY_H_
#define TFCKPT_GRAPH_OP_REGISTRY_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "proto/op_def.pb.h"
#include "src/io/status.h"

namespace tfckpt::graph {

class Node;
class OpKernel;
struct KernelOptions;

// Builds the kernel of one node (attrs are validated against the OpDef
// before it is called). Errors are reported when the node first runs.
using KernelFactory =
    std::function<StatusOr<std::unique_ptr<OpKernel>>(const Node&, const KernelOptions&)>;

class OpDefBuilder {
 public:
  explicit OpDefBuilder(std::string name) : name_(std::move(name)) {}
  OpDefBuilder& Input(std::string spec) { inputs_.push_back(std::move(spec)); return *this; }
  OpDefBuilder& Output(std::string spec) { outputs_.push_back(std::move(spec)); return *this; }
  OpDefBuilder& Attr(std::string spec) { attrs_.push_back(std::move(spec)); return *this; }
  OpDefBuilder& SetIsStateful() { stateful_ = true; return *this; }
  OpDefBuilder& SetIsCommutative() { commutative_ = true; return *this; }
  OpDefBuilder& SetIsAggregate() { aggregate_ = true; return *this; }
  OpDefBuilder& SetAllowsUninitializedInput() { allows_uninitialized_ = true; return *this; }

  // The OpDef, or InvalidArgument naming the op and the spec at fault.
  StatusOr<tensorflow::OpDef> Build() const;

 private:
  std::string name_;
  std::vector<std::string> inputs_, outputs_, attrs_;
  bool stateful_ = false, commutative_ = false, aggregate_ = false;
  bool allows_uninitialized_ = false;
};

struct OpRegistration {
  tensorflow::OpDef op_def;
  KernelFactory kernel;
};

class OpRegistry {
 public:
  // Every op tfckpt implements (kernels_*.cc). Built once, immutable.
  static const OpRegistry& Global();

  // Adds an op. Errors (bad spec, duplicate name) are remembered in
  // status(), so a registration function can add many ops and be checked once.
  void Register(const OpDefBuilder& builder, KernelFactory kernel);

  const OpRegistration* Find(std::string_view op) const;
  std::vector<std::string> OpNames() const;  // sorted
  // OK, or the first registration error.
  const Status& status() const { return status_; }

 private:
  std::map<std::string, OpRegistration, std::less<>> ops_;
  Status status_;
};

// Registration functions of the kernel families (kernels_*.cc).
void RegisterArrayOps(OpRegistry* registry);
void RegisterMathOps(OpRegistry* registry);
void RegisterNnOps(OpRegistry* registry);
void RegisterStateOps(OpRegistry* registry);
void RegisterIoOps(OpRegistry* registry);
void RegisterStringOps(OpRegistry* registry);
void RegisterRandomOps(OpRegistry* registry);
void RegisterControlFlowOps(OpRegistry* registry);

}  // namespace tfckpt::graph

#endif  // TFCKPT_GRAPH_OP_REGISTRY_H_
