#include "src/train/control_flow.h"

#include <algorithm>
#include <map>
#include <optional>

#include "src/graph/graph.h"
#include "src/train/ops.h"
#include "src/train/proto_serialize.h"

namespace tfckpt::train {
namespace {

// How a NodeDef names an input: "op" for output 0, else "op:i".
std::string InputString(const Output& t) {
  return t.index == 0 ? t.op : StrCat(t.op, ":", t.index);
}

// The data inputs of a node, parsed ("^x" control inputs skipped).
StatusOr<std::vector<Output>> DataInputs(Graph* g, const tensorflow::NodeDef& n) {
  std::vector<Output> out;
  for (const std::string& in : n.input()) {
    if (!in.empty() && in[0] == '^') continue;
    TFCKPT_ASSIGN_OR_RETURN(graph::TensorName t, graph::ParseTensorName(in));
    out.push_back(Output{g, t.node, t.index});
  }
  return out;
}


Status Err(Graph* g, const char* what) {
  return g->status().ok() ? InternalError(StrCat("could not build ", what)) : g->status();
}

// _SwitchRefOrTensor(data, pred, name): colocated with data (replacing
// any colocation), RefSwitch for a reference. Returns the whole op.
StatusOr<Operation> SwitchRefOrTensor(Graph* g, const Output& data, const Output& pred,
                                      const std::string& name = "Switch") {
  ColocateWith cw(g, data.op, /*ignore_existing=*/true);
  return g->CreateOp(data.is_ref() ? "RefSwitch" : "Switch", name, {data, pred},
                     {{"T", TypeAttr(data.dtype())}});
}

}  // namespace

CondBranch::CondBranch(Graph* g, std::string context_name, Output pred, Output pivot, int branch)
    : g_(g), name_(std::move(context_name)), pred_(std::move(pred)), pivot_(std::move(pivot)),
      branch_(branch) {
  values_.insert(pred_.name());
  external_values_.emplace_back(pred_.name(), pred_.name());
  values_.insert(pivot_.name());
  ops_.insert(pivot_.op);
}

StatusOr<Output> CondBranch::AddValue(const Output& t) {
  const std::string name = t.name();
  if (values_.count(name) != 0) {
    for (const auto& [k, v] : external_values_) {
      if (k == name) {
        TFCKPT_ASSIGN_OR_RETURN(graph::TensorName r, graph::ParseTensorName(v));
        return Output{g_, r.node, r.index};
      }
    }
    return t;
  }
  values_.insert(name);
  Operation sw;
  {
    ControlDependencies none(g_, std::nullopt);
    TFCKPT_ASSIGN_OR_RETURN(sw, SwitchRefOrTensor(g_, t, pred_));
  }
  ops_.insert(sw.name);
  const Output result = sw.output(branch_);
  values_.insert(result.name());
  external_values_.emplace_back(name, result.name());
  return result;
}

Status CondBranch::AddOp(const std::string& op) {
  const tensorflow::NodeDef* n = g_->FindNode(op);
  if (n == nullptr) return NotFoundError(StrCat("CondBranch::AddOp: no op ", op));
  TFCKPT_ASSIGN_OR_RETURN(std::vector<Output> inputs, DataInputs(g_, *n));
  if (inputs.empty()) {
    bool in_context = false;
    for (const std::string& in : n->input()) {
      in_context = in_context || (!in.empty() && in[0] == '^' && ops_.count(in.substr(1)) != 0);
    }
    if (!in_context) g_->MutableNode(op)->add_input(StrCat("^", pivot_.op));
  } else {
    // The Switches are created in the op's own name scope ("<op>/Switch").
    NameScope scope(g_, op + "/");
    for (size_t i = 0; i < inputs.size(); ++i) {
      TFCKPT_ASSIGN_OR_RETURN(Output real, AddValue(inputs[i]));
      if (real.op != inputs[i].op || real.index != inputs[i].index) {
        // Data inputs precede control inputs in a NodeDef.
        g_->MutableNode(op)->set_input(static_cast<int>(i), InputString(real));
      }
    }
  }
  ops_.insert(op);
  for (int i = 0; i < g_->NumOutputs(op); ++i) values_.insert(Output{g_, op, i}.name());
  return OkStatus();
}

StatusOr<Output> CondBranch::ProcessOutput(const Output& t) {
  const std::string name = t.name();
  if (values_.count(name) == 0) {
    values_.insert(name);
    TFCKPT_ASSIGN_OR_RETURN(Operation sw, SwitchRefOrTensor(g_, t, pred_));
    TFCKPT_RETURN_IF_ERROR(AddOp(sw.name));
    const Output result = sw.output(branch_);
    external_values_.emplace_back(name, result.name());
    return result;
  }
  for (const auto& [k, v] : external_values_) {
    if (k == name) {
      TFCKPT_ASSIGN_OR_RETURN(graph::TensorName r, graph::ParseTensorName(v));
      return Output{g_, r.node, r.index};
    }
  }
  return t;
}

std::string CondBranch::ToProto() const {
  std::string values_def;
  for (const std::string& v : values_) AppendLengthDelimited(1, v, &values_def);
  for (auto it = external_values_.rbegin(); it != external_values_.rend(); ++it) {
    std::string entry;
    AppendLengthDelimited(1, it->first, &entry);
    AppendLengthDelimited(2, it->second, &entry);
    AppendLengthDelimited(2, entry, &values_def);
  }
  std::string out;
  AppendLengthDelimited(1, name_, &out);
  AppendLengthDelimited(2, pred_.name(), &out);
  AppendLengthDelimited(3, pivot_.name(), &out);
  if (branch_ != 0) {
    AppendVarintField(4, static_cast<uint64_t>(branch_), &out);
  }
  AppendLengthDelimited(5, values_def, &out);
  return out;
}

StatusOr<Output> Cond(Graph* g, const Output& pred, const BranchFn& true_fn,
                      const BranchFn& false_fn, const std::string& name) {
  if (!pred.valid() || pred.dtype() != tensorflow::DT_BOOL) {
    return InvalidArgumentError("cond: pred must be a bool tensor");
  }
  NameScope scope(g, name, "cond");
  TFCKPT_ASSIGN_OR_RETURN(Operation sw, g->CreateOp("Switch", "Switch", {pred, pred},
                                                    {{"T", TypeAttr(tensorflow::DT_BOOL)}}));
  const Output pivot_t = Identity(g, sw.output(1), "switch_t");
  const Output pivot_f = Identity(g, sw.output(0), "switch_f");
  const Output pred_id = Identity(g, pred, "pred_id");
  if (!pivot_t.valid() || !pivot_f.valid() || !pred_id.valid()) return Err(g, "the cond's pivots");
  std::vector<CondBranch> branches;
  branches.reserve(2);
  std::vector<Output> results;
  for (int b : {1, 0}) {
    CondBranch& branch = branches.emplace_back(g, g->UniqueName("cond_text"), pred_id,
                                               b == 1 ? pivot_t : pivot_f, b);
    TFCKPT_ASSIGN_OR_RETURN(Output r, (b == 1 ? true_fn : false_fn)(&branch));
    if (!r.valid()) return Err(g, "a cond branch");
    TFCKPT_ASSIGN_OR_RETURN(Output processed, branch.ProcessOutput(r));
    results.push_back(processed);
  }
  const Output& res_t = results[0];
  const Output& res_f = results[1];
  if (res_t.dtype() != res_f.dtype()) {
    return InvalidArgumentError(StrCat("Outputs of true_fn and false_fn must have the same type: ",
                                       PythonDTypeName(res_t.dtype()), ", ",
                                       PythonDTypeName(res_f.dtype())));
  }
  if (res_t.is_ref() && res_f.is_ref()) {
    // TF merges two references with RefMerge, which the engine lacks.
    return UnimplementedError("cond: both branches return references (RefMerge)");
  }
  TFCKPT_ASSIGN_OR_RETURN(Operation merge,
                          g->CreateOp("Merge", "Merge", {res_f, res_t},
                                      {{"T", TypeAttr(res_t.dtype())}, {"N", IntAttr(2)}}));
  for (const CondBranch& b : branches) {
    g->AddToCollection(kCondContextCollection, CollectionItem::Proto(b.ToProto()));
  }
  return merge.output(0);
}

StatusOr<Output> IsVariableInitialized(Graph* g, const Variable& v) {
  TFCKPT_ASSIGN_OR_RETURN(
      Operation op, v.is_resource()
                        ? g->CreateOp("VarIsInitializedOp", "", {v.ref()})
                        : g->CreateOp("IsVariableInitialized", "", {v.ref()},
                                      {{"dtype", TypeAttr(v.dtype())}}));
  return op.output(0);
}

StatusOr<Output> ReadValue(Graph* g, const Variable& v, CondBranch* branch) {
  auto add = [&](const Output& t) -> Status {
    if (!t.valid()) return Err(g, "the variable's read");
    return branch != nullptr ? branch->AddOp(t.op) : OkStatus();
  };
  if (!v.is_resource()) {
    Output read = Identity(g, v.ref(), "read");
    TFCKPT_RETURN_IF_ERROR(add(read));
    return read;
  }
  Output value;
  {
    NameScope scope(g, "Read");
    std::optional<DeviceScope> device;
    if (!v.device().empty()) device.emplace(g, v.device());
    TFCKPT_ASSIGN_OR_RETURN(Operation op, g->CreateOp("ReadVariableOp", "", {v.ref()},
                                                      {{"dtype", TypeAttr(v.dtype())}}));
    value = op.output(0);
    TFCKPT_RETURN_IF_ERROR(add(value));
  }
  Output identity = Identity(g, value);
  TFCKPT_RETURN_IF_ERROR(add(identity));
  return identity;
}

StatusOr<Output> InitializedValue(Graph* g, const Variable& v) {
  const Output initial = v.initial_value();
  if (!initial.valid()) {
    return FailedPreconditionError(StrCat("Variable ", v.name(), " has no initial value"));
  }
  ControlDependencies init_scope(g, std::nullopt);
  TFCKPT_ASSIGN_OR_RETURN(Output pred, IsVariableInitialized(g, v));
  return Cond(
      g, pred, [&](CondBranch* b) { return ReadValue(g, v, b); },
      [&](CondBranch*) -> StatusOr<Output> { return initial; });
}

namespace {

class Guard {
 public:
  Guard(Graph* g, std::string name) : g_(g), name_(std::move(name)) {}

  StatusOr<Output> Tensor(const Output& t) {
    auto it = cache_.find(t.op);
    if (it == cache_.end()) {
      TFCKPT_ASSIGN_OR_RETURN(std::string op, Op(t.op));
      it = cache_.emplace(t.op, op).first;
    }
    return Output{g_, it->second, t.index};
  }

 private:
  StatusOr<std::string> Op(const std::string& op) {
    const tensorflow::NodeDef* n = g_->FindNode(op);
    if (n == nullptr) return NotFoundError(StrCat("initial value input ", op, " not in the graph"));
    const std::string type = n->op();
    if (type == "IsVariableInitialized" || type == "VarIsInitializedOp" ||
        type == "ReadVariableOp" || type == "If") {
      return op;
    }
    if (type == "Variable" || type == "VariableV2" || type == "VarHandleOp") {
      for (const char* key : {GraphKeys::kGlobalVariables, GraphKeys::kLocalVariables}) {
        for (const Variable& v : VariablesOf(g_, key)) {
          if (v.name() != op && v.name() != op + ":0") continue;
          TFCKPT_ASSIGN_OR_RETURN(Output init, InitializedValue(g_, v));
          return init.op;
        }
      }
      return op;
    }
    TFCKPT_ASSIGN_OR_RETURN(std::vector<Output> inputs, DataInputs(g_, *n));
    bool modified = false;
    std::vector<Output> new_inputs;
    for (const Output& in : inputs) {
      TFCKPT_ASSIGN_OR_RETURN(Output x, Tensor(in));
      modified = modified || x.op != in.op || x.index != in.index;
      new_inputs.push_back(x);
    }
    if (!modified) return op;
    std::string new_name = StrCat(op, "_", name_);
    std::replace(new_name.begin(), new_name.end(), ':', '_');
    AttrMap attrs(n->attr().begin(), n->attr().end());
    TFCKPT_ASSIGN_OR_RETURN(
        Operation copy,
        g_->CreateOp(type == "RefSwitch" ? "Switch" : type, new_name, new_inputs, attrs));
    return copy.name;
  }

  Graph* g_;
  std::string name_;
  std::map<std::string, std::string> cache_;  // op -> its replacement
};

}  // namespace

StatusOr<Output> GuardAgainstUninitializedDependencies(Graph* g, const std::string& name,
                                                       const Output& initial_value) {
  return Guard(g, name).Tensor(initial_value);
}

}  // namespace tfckpt::train
