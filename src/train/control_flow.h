// tf.cond as TF1 graph mode builds it (control flow v1: cond.py,
// control_flow_ops.py CondContext), Variable.initialized_value() and the
// guard TF puts on initial values that read other variables
// (variables._try_guard_against_uninitialized_dependencies), node for node:
//
//   Output pred = IsVariableInitialized(&g, v);          // "IsVariableInitialized"
//   auto value = Cond(&g, pred,                            // "cond/..."
//       [&](CondBranch* b) -> StatusOr<Output> {           // true branch
//         Output read = Identity(&g, v.ref(), "read");     // "cond/read"
//         TFCKPT_RETURN_IF_ERROR(b->AddOp(read.op));       // "cond/read/Switch" (RefSwitch)
//         return read;
//       },
//       [&](CondBranch*) -> StatusOr<Output> { return v.initial_value(); });
//   // -> "cond/Switch_1" (Switch of the initial value), "cond/Merge"
//
// Cond builds, under name scope "cond" (made unique): Switch(pred, pred),
// Identity "switch_t" / "switch_f" (the pivots), Identity "pred_id"; then
// each branch (true first) in its own context "cond/cond_text[_1]"; then
// Merge(false result, true result). Inside a branch, the branch function
// creates ops with the ordinary builders and hands each to AddOp, in
// creation order, as TF's op creation does: an input from outside the
// branch is replaced by a Switch ("<op>/Switch", RefSwitch for references)
// colocated with that input and built without control dependencies; an op
// without inputs gets a control input from the pivot. A branch result
// created outside the branch (`lambda: x`) gets a Switch named "Switch" in
// the cond scope. Both contexts are added to the "cond_context" collection
// as serialized CondContextDefs.
//
// Not supported: nested conds (a Cond inside a branch), while loops,
// branch results other than one tensor, two reference results (RefMerge:
// Unimplemented). Python's prevent_fetching (which
// refuses to fetch a branch tensor from Python) has no equivalent here.
#ifndef TFCKPT_TRAIN_CONTROL_FLOW_H_
#define TFCKPT_TRAIN_CONTROL_FLOW_H_

#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "src/io/status.h"
#include "src/train/graph_builder.h"
#include "src/train/variables.h"

namespace tfckpt::train {

// The collection key of cond contexts (GraphKeys.COND_CONTEXT).
inline constexpr char kCondContextCollection[] = "cond_context";

// One branch of a cond: CondContext's bookkeeping (what CondContextDef
// records) and the Switch insertion of _AddOpInternal / AddValue.
class CondBranch {
 public:
  CondBranch(Graph* g, std::string context_name, Output pred, Output pivot, int branch);

  // _AddOpInternal: `op` was just created inside this branch.
  Status AddOp(const std::string& op);
  // _ProcessOutputTensor: the branch's result, switched in if it was
  // created outside the branch.
  StatusOr<Output> ProcessOutput(const Output& t);

  // The serialized CondContextDef (context_name, pred_name, pivot_name,
  // branch, values_def). values are sorted (Python's sorted(set)); the
  // external_values map is written in reverse insertion order. TF writes
  // that map with upb's unsorted encoder, whose order depends on a
  // per-process hash seed (two TF runs of one program can differ); reverse
  // insertion is what TF 2.21 wrote in golden/tf-2.21/ema.
  std::string ToProto() const;

 private:
  StatusOr<Output> AddValue(const Output& t);
  Graph* g_;
  std::string name_;
  Output pred_, pivot_;
  int branch_;
  std::set<std::string> values_;
  std::set<std::string> ops_;  // ops of this branch (and its pivot)
  std::vector<std::pair<std::string, std::string>> external_values_;  // insertion order
};

using BranchFn = std::function<StatusOr<Output>(CondBranch* branch)>;

// cond.cond(pred, true_fn, false_fn, name) with a one-tensor result: the
// Merge's output 0 ("cond/Merge:0"). `pred` must be a bool scalar.
StatusOr<Output> Cond(Graph* g, const Output& pred, const BranchFn& true_fn,
                      const BranchFn& false_fn, const std::string& name = "");

// tf.compat.v1.is_variable_initialized(v): IsVariableInitialized (reference
// variables) or VarIsInitializedOp (resource), named after the op type.
StatusOr<Output> IsVariableInitialized(Graph* g, const Variable& v);

// Variable.read_value(): Identity "read" of the reference; for a resource
// variable ReadVariableOp under "Read/" then an Identity. Every op created
// is handed to `branch` when given.
StatusOr<Output> ReadValue(Graph* g, const Variable& v, CondBranch* branch = nullptr);

// Variable.initialized_value(): in an init scope (no control
// dependencies), cond(is_variable_initialized(v), v.read_value,
// lambda: v.initial_value). FailedPrecondition if v has no initial value.
StatusOr<Output> InitializedValue(Graph* g, const Variable& v);

// _try_guard_against_uninitialized_dependencies(name, initial_value): a
// copy of initial_value's subgraph in which every variable of
// GLOBAL_VARIABLES / LOCAL_VARIABLES is replaced by its initialized_value()
// (the walk stops at IsVariableInitialized, VarIsInitializedOp,
// ReadVariableOp and If). Copied ops are named "<op>_<name>" exactly,
// RefSwitch becomes Switch, attrs are copied; ops that need no change are
// reused, and without variables `initial_value` itself is returned.
// `name` is the variable's name scope ("v/ExponentialMovingAverage/").
StatusOr<Output> GuardAgainstUninitializedDependencies(Graph* g, const std::string& name,
                                                       const Output& initial_value);

}  // namespace tfckpt::train

#endif  // TFCKPT_TRAIN_CONTROL_FLOW_H_
