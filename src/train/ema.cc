#include "src/train/ema.h"

#include <set>

#include "src/train/control_flow.h"
#include "src/train/shape_inference.h"

namespace tfckpt::train {
namespace {

bool IsFloat(DataType dt) {
  return dt == tensorflow::DT_HALF || dt == tensorflow::DT_BFLOAT16 ||
         dt == tensorflow::DT_FLOAT || dt == tensorflow::DT_DOUBLE;
}

Status Err(Graph* g) {
  return g->status().ok() ? InternalError("could not build the moving average ops") : g->status();
}

std::vector<int64_t> Dims(const tensorflow::TensorShapeProto& s) {
  std::vector<int64_t> d;
  for (const auto& x : s.dim()) d.push_back(x.size());
  return d;
}

}  // namespace

ExponentialMovingAverage::ExponentialMovingAverage(Graph* g, double decay,
                                                   std::optional<Input> num_updates,
                                                   bool zero_debias, std::string name)
    : g_(g),
      decay_(decay),
      num_updates_(std::move(num_updates)),
      zero_debias_(zero_debias),
      name_(std::move(name)) {}

// slot_creator.create_slot / create_zeros_slot.
StatusOr<Variable> ExponentialMovingAverage::CreateSlot(const Averageable& primary) {
  ControlDependencies init_scope(g_, std::nullopt);
  GetVariableOptions o;
  o.trainable = false;
  bool colocate = true;
  if (primary.is_variable()) {
    if (!primary.variable.initial_value().valid()) {
      return FailedPreconditionError(StrCat("Variable ", primary.variable.name(),
                                            " has no initial value to start its average from"));
    }
    // cond(is_variable_initialized(var), var.read_value, lambda:
    // var.initial_value) on the variable's device, in the root scope.
    Output init;
    {
      std::optional<DeviceScope> device;
      if (!primary.variable.device().empty()) device.emplace(g_, primary.variable.device());
      TFCKPT_ASSIGN_OR_RETURN(init, InitializedValue(g_, primary.variable));
    }
    o.initializer = init;
    o.use_resource = primary.variable.is_resource();
    o.validate_shape = IsFullyDefined(init.shape());
  } else {
    const tensorflow::TensorShapeProto shape = primary.tensor.shape();
    if (!IsFullyDefined(shape)) {
      return UnimplementedError(StrCat("Averaging ", primary.tensor.name(),
                                       ", whose shape is not fully defined, is not supported"));
    }
    o.initializer = Initializer::Zeros();
    o.shape = Dims(shape);
    o.dtype = primary.tensor.dtype();
    const tensorflow::NodeDef* n = g_->FindNode(primary.tensor.op);
    colocate = n != nullptr && (n->op() == "Variable" || n->op() == "VariableV2" ||
                                n->op() == "VarHandleOp");
  }
  VariableScope scope(g_, DefaultName{StrCat(primary.op_name(), "/", name_)});
  std::optional<ColocateWith> cw;
  if (colocate) cw.emplace(g_, primary.op_name());
  return GetVariable(g_, "", o);
}

StatusOr<Operation> ExponentialMovingAverage::Apply(
    std::optional<std::vector<Averageable>> var_list) {
  std::vector<Averageable> vars;
  if (var_list) {
    vars = *var_list;
  } else {
    for (const Variable& v : TrainableVariables(g_)) vars.emplace_back(v);
  }
  for (const Averageable& v : vars) {
    if (!IsFloat(v.dtype())) {
      return InvalidArgumentError(
          StrCat("The variables must be half, float, or double: ", v.key()));
    }
  }
  for (const Averageable& v : vars) {
    if (averages_.count(v.key()) != 0) continue;
    TFCKPT_ASSIGN_OR_RETURN(Variable avg, CreateSlot(v));
    if (v.is_variable()) {
      g_->AddToCollection(GraphKeys::kMovingAverageVariables, VariableItem(v.variable));
    } else if (zero_debias_) {
      debiased_[v.key()] = true;
    }
    averages_[v.key()] = avg;
  }
  NameScope scope(g_, name_);
  Output decay = Constant(g_, decay_, tensorflow::DT_FLOAT, {}, "decay");
  if (num_updates_) {
    Output n = Cast(g_, *num_updates_, tensorflow::DT_FLOAT, "num_updates");
    if (!n.valid()) return Err(g_);
    Output num = PyAdd(g_, 1.0f, n);
    Output den = PyAdd(g_, 10.0f, n);
    decay = Minimum(g_, decay, PyDiv(g_, num, den));
    if (!decay.valid()) return Err(g_);
  }
  std::vector<Operation> updates;
  for (const Averageable& v : vars) {
    const Variable& avg = averages_.at(v.key());
    TFCKPT_ASSIGN_OR_RETURN(Operation u,
                            AssignMovingAverage(avg, v, decay, debiased_.count(v.key()) != 0));
    updates.push_back(u);
  }
  Operation group = Group(g_, updates, scope.scope());
  if (!group.valid()) return Err(g_);
  return group;
}

// moving_averages.assign_moving_average.
StatusOr<Operation> ExponentialMovingAverage::AssignMovingAverage(const Variable& avg,
                                                                  const Averageable& value,
                                                                  const Output& decay,
                                                                  bool zero_debias) {
  NameScope scope(g_, "", "AssignMovingAvg");
  Output one_minus = PySub(g_, 1.0f, decay);
  if (one_minus.dtype() != avg.dtype()) one_minus = Cast(g_, one_minus, avg.dtype());
  if (!one_minus.valid()) return Err(g_);
  if (zero_debias) return ZeroDebias(avg, value, one_minus);
  const Input in = value.is_variable() ? Input(value.variable) : Input(value.tensor);
  Output delta = PyMul(g_, PySub(g_, avg.value(), in), one_minus);
  if (avg.is_resource()) {
    // state_ops.assign_sub(resource) is var.assign_sub(delta), unnamed
    // ("AssignSubVariableOp"), whose _UnreadVariable reads once after it.
    Output update = avg.AssignSub(delta);
    if (!update.valid()) return Err(g_);
    ControlDependencies after(g_, std::vector<std::string>{update.op});
    if (!avg.value().valid()) return Err(g_);
    return Operation{g_, update.op};
  }
  Output update = avg.AssignSub(delta, scope.scope());
  if (!update.valid()) return Err(g_);
  return Operation{g_, update.op};
}

// moving_averages._zero_debias.
StatusOr<Operation> ExponentialMovingAverage::ZeroDebias(const Variable& avg,
                                                         const Averageable& value,
                                                         const Output& decay) {
  Variable biased, local_step;
  {
    VariableScope vs(g_, avg.op_name());
    const std::string prefix = vs.scope().name + "/";
    std::set<std::string> existing;
    for (const Variable& v : GlobalVariables(g_)) existing.insert(v.op_name());
    auto unique = [&](const std::string& n) {
      if (vs.scope().reuse != ReuseMode::kFalse || existing.count(prefix + n) == 0) return n;
      int idx = 1;
      while (existing.count(StrCat(prefix, n, "_", idx)) != 0) ++idx;
      return StrCat(n, "_", idx);
    };
    ColocateWith cw(g_, avg.op_name());
    GetVariableOptions o;
    o.initializer = Initializer::Zeros();
    o.shape = Dims(avg.shape());
    o.dtype = avg.dtype();
    o.trainable = false;
    TFCKPT_ASSIGN_OR_RETURN(biased, GetVariable(g_, unique("biased"), o));
    o.shape = std::vector<int64_t>{};
    TFCKPT_ASSIGN_OR_RETURN(local_step, GetVariable(g_, unique("local_step"), o));
  }
  const Input in = value.is_variable() ? Input(value.variable) : Input(value.tensor);
  // assign_sub / assign_add / assign of a resource variable return TF's
  // _UnreadVariable, which reads the variable after the update once when
  // made ("ReadVariableOp_1") and again wherever it is used as a tensor
  // (the AssignAddVariableOp itself has no output to use).
  const auto read_after = [&](const Variable& var, const std::string& update) {
    ControlDependencies deps(g_, std::vector<std::string>{update});
    return var.value();
  };
  const bool resource = avg.is_resource();
  Output update_biased = biased.AssignSub(PyMul(g_, PySub(g_, biased.value(), in), decay));
  if (resource && update_biased.valid()) read_after(biased, update_biased.op);
  Output update_step = local_step.AssignAdd(1.0f);
  if (resource && update_step.valid()) read_after(local_step, update_step.op);
  if (!update_biased.valid() || !update_step.valid()) return Err(g_);
  Output base = PySub(g_, 1.0f, decay);
  Output pow;
  if (resource) {
    NameScope ns(g_, "Pow");
    pow = Pow(g_, base, read_after(local_step, update_step.op), ns.scope());
  } else {
    pow = Pow(g_, base, update_step);
  }
  Output factor = PySub(g_, 1.0f, pow);
  Output unbiased =
      PyDiv(g_, resource ? read_after(biased, update_biased.op) : update_biased, factor);
  Output assign = avg.is_resource()
                      ? avg.Assign(unbiased, g_->name_stack() + "/")
                      : train::Assign(g_, avg.ref(), unbiased, std::nullopt, true,
                                      g_->name_stack() + "/");
  if (!assign.valid()) return Err(g_);
  if (resource) read_after(avg, assign.op);
  return Operation{g_, assign.op};
}

std::optional<Variable> ExponentialMovingAverage::Average(const Averageable& var) const {
  auto it = averages_.find(var.key());
  if (it == averages_.end()) return std::nullopt;
  return it->second;
}

std::string ExponentialMovingAverage::AverageName(const Averageable& var) const {
  auto it = averages_.find(var.key());
  if (it != averages_.end()) return it->second.op_name();
  return g_->UniqueName(StrCat(var.op_name(), "/", name_), /*mark_as_used=*/false);
}

std::map<std::string, Variable> ExponentialMovingAverage::VariablesToRestore(
    std::optional<std::vector<Variable>> moving_avg_variables) const {
  std::vector<Variable> averaged;
  if (moving_avg_variables) {
    averaged = *moving_avg_variables;
  } else {
    averaged = TrainableVariables(g_);
    for (const Variable& v : VariablesOf(g_, GraphKeys::kMovingAverageVariables)) {
      averaged.push_back(v);
    }
  }
  std::map<std::string, Variable> name_map;
  std::set<std::string> averaged_names;
  for (const Variable& v : averaged) {
    name_map[AverageName(v)] = v;
    averaged_names.insert(v.name());
  }
  for (const Variable& v : GlobalVariables(g_)) {
    if (averaged_names.count(v.name()) == 0 && name_map.count(v.op_name()) == 0) {
      name_map[v.op_name()] = v;
    }
  }
  return name_map;
}

}  // namespace tfckpt::train
