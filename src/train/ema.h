// tf.compat.v1.train.ExponentialMovingAverage (tensorflow/python/training/
// moving_averages.py, slot_creator.py) on a train::Graph, with TF's names
// and float32 arithmetic:
//
//   train::ExponentialMovingAverage ema(&g, 0.99);
//   auto maintain = ema.Apply({v});            // NoOp "ExponentialMovingAverage"
//   train::Variable shadow = *ema.Average(v);  // "v/ExponentialMovingAverage"
//
// Names: the shadow of variable `v` is created by get_variable("") inside
// variable_scope(None, default_name="v/<name>") (so "v/ExponentialMovingAverage",
// then "..._1" if taken), colocated with v, not trainable; the shadow of a
// tensor is zero-initialised ("add/ExponentialMovingAverage/Initializer/zeros").
// The update ops live under "<name>/": "decay" (Const), with num_updates
// "num_updates" (Cast), "add/x", "add", "add_1/x", "add_1", "truediv",
// "Minimum"; per average "AssignMovingAvg[_k]/sub/x", "sub" (1 - decay),
// "sub_1" (shadow - value), "mul", and the AssignSub named
// "AssignMovingAvg"; all grouped into the NoOp "<name>".
// Math: shadow -= (shadow - value) * (1 - decay'), decay' = decay or
// min(decay, (1 + n) / (10 + n)); with zero_debias (tensors only) extra
// variables "<avg>/biased" and "<avg>/local_step" and
// avg = biased / (1 - (1 - (1 - decay'))^local_step).
//
// A variable's shadow starts from cond(is_variable_initialized(v),
// v.read_value, v.initial_value) ("IsVariableInitialized", "cond/...", built
// before the shadow, in the root scope), and, like every variable whose
// initial value reads another variable, the shadow's Assign takes a guarded
// copy ("cond/Merge_v/ExponentialMovingAverage", reading
// v.initialized_value() "v/ExponentialMovingAverage/cond/...":
// control_flow.h). The graph engine runs these conds (Switch/Merge).
#ifndef TFCKPT_TRAIN_EMA_H_
#define TFCKPT_TRAIN_EMA_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "src/train/graph_builder.h"
#include "src/train/ops.h"
#include "src/train/variables.h"

namespace tfckpt::train {

// A variable or a tensor to average.
struct Averageable {
  Averageable(const Variable& v) : variable(v) {}  // NOLINT
  Averageable(const Output& t) : tensor(t) {}      // NOLINT
  Variable variable;
  Output tensor;
  bool is_variable() const { return variable.valid(); }
  std::string key() const { return is_variable() ? variable.name() : tensor.name(); }
  std::string op_name() const { return is_variable() ? variable.op_name() : tensor.op; }
  DataType dtype() const { return is_variable() ? variable.dtype() : tensor.dtype(); }
};

class ExponentialMovingAverage {
 public:
  // num_updates: e.g. the global step (a Variable or tensor, cast to float).
  ExponentialMovingAverage(Graph* g, double decay,
                           std::optional<Input> num_updates = std::nullopt,
                           bool zero_debias = false,
                           std::string name = "ExponentialMovingAverage");

  // apply(var_list); default: the trainable variables. TypeError texts:
  // "The variables must be half, float, or double: <name>".
  StatusOr<Operation> Apply(std::optional<std::vector<Averageable>> var_list = std::nullopt);
  // average(var): the shadow, nullopt if none.
  std::optional<Variable> Average(const Averageable& var) const;
  // average_name(var).
  std::string AverageName(const Averageable& var) const;
  // variables_to_restore(moving_avg_variables): checkpoint key -> variable.
  std::map<std::string, Variable> VariablesToRestore(
      std::optional<std::vector<Variable>> moving_avg_variables = std::nullopt) const;

  const std::string& name() const { return name_; }

 private:
  StatusOr<Variable> CreateSlot(const Averageable& primary);
  StatusOr<Operation> AssignMovingAverage(const Variable& avg, const Averageable& value,
                                          const Output& decay, bool zero_debias);
  StatusOr<Operation> ZeroDebias(const Variable& avg, const Averageable& value,
                                 const Output& decay);

  Graph* g_;
  double decay_;
  std::optional<Input> num_updates_;
  bool zero_debias_;
  std::string name_;
  std::map<std::string, Variable> averages_;  // by Averageable::key()
  std::map<std::string, bool> debiased_;
};

}  // namespace tfckpt::train

#endif  // TFCKPT_TRAIN_EMA_H_
