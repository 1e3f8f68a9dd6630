#include "src/train/variables.h"

#include <cmath>
#include <cstring>

#include "src/graph/graph.h"
#include "src/train/control_flow.h"
#include "src/train/shape_inference.h"

namespace tfckpt::train {
namespace {

std::string DTypeRepr(DataType dt) { return StrCat("<dtype: '", PythonDTypeName(dt), "'>"); }

std::string StripOutput(const std::string& tensor_name) {
  const size_t colon = tensor_name.rfind(':');
  return colon == std::string::npos ? tensor_name : tensor_name.substr(0, colon);
}

Output ParseOutput(Graph* g, const std::string& name) {
  if (name.empty()) return Output{};
  auto t = graph::ParseTensorName(name);
  if (!t.ok()) return Output{};
  return Output{g, t->node, t->index};
}

tensorflow::AttrValue ClassAttr(const std::string& op) {
  tensorflow::AttrValue v;
  v.mutable_list()->add_s(StrCat("loc:@", op));
  return v;
}

bool IsFloating(DataType dt) {
  return dt == tensorflow::DT_FLOAT || dt == tensorflow::DT_DOUBLE || dt == tensorflow::DT_HALF ||
         dt == tensorflow::DT_BFLOAT16;
}

bool IsIntegerLike(DataType dt) {
  switch (dt) {
    case tensorflow::DT_INT8: case tensorflow::DT_INT16: case tensorflow::DT_INT32:
    case tensorflow::DT_INT64: case tensorflow::DT_UINT8: case tensorflow::DT_UINT16:
    case tensorflow::DT_UINT32: case tensorflow::DT_UINT64: case tensorflow::DT_BOOL:
    case tensorflow::DT_STRING:
      return true;
    default:
      return false;
  }
}

std::vector<std::string> DefaultCollections(const std::optional<std::vector<std::string>>& given,
                                            bool trainable) {
  std::vector<std::string> c =
      given ? *given : std::vector<std::string>{GraphKeys::kGlobalVariables};
  if (trainable &&
      std::find(c.begin(), c.end(), GraphKeys::kTrainableVariables) == c.end()) {
    c.push_back(GraphKeys::kTrainableVariables);
  }
  return c;
}

// How the initial value is given to a Variable constructor.
struct InitSpec {
  std::optional<Initializer> fn;  // callable (init_from_fn), needs shape+dtype
  std::vector<int64_t> shape;
  DataType dtype = tensorflow::DT_INVALID;
  std::optional<tensor::Tensor> value;
  Output tensor;
  std::optional<PartitionInfo> partition;
};

Status GraphError(Graph* g, const char* what) {
  return g->status().ok() ? InternalError(StrCat("could not build ", what)) : g->status();
}

StatusOr<Output> BuildInitialValue(Graph* g, const InitSpec& init, std::optional<DataType> dtype) {
  if (init.fn) {
    Output v = (*init.fn)(g, init.shape, init.dtype, init.partition ? &*init.partition : nullptr);
    if (!v.valid()) return GraphError(g, "the initial value");
    return v;
  }
  if (init.value) {
    if (dtype && *dtype != init.value->dtype()) {
      return InvalidArgumentError(StrCat("Tensor conversion requested dtype ",
                                         PythonDTypeName(*dtype), " for a value of dtype ",
                                         PythonDTypeName(init.value->dtype())));
    }
    Output v = Constant(g, *init.value, "initial_value");
    if (!v.valid()) return GraphError(g, "the initial value");
    return v;
  }
  if (!init.tensor.valid()) return InvalidArgumentError("initial_value must be specified.");
  return init.tensor;
}

StatusOr<Variable> CreateVariable(Graph* g, const std::string& name, const InitSpec& init,
                                  std::optional<DataType> dtype, bool trainable,
                                  const std::vector<std::string>& collections,
                                  bool validate_shape, bool resource) {
  ControlDependencies init_scope(g, std::nullopt);
  NameScope ns(g, name, "Variable");
  const std::string true_name = ns.scope().substr(0, ns.scope().size() - 1);
  auto data = std::make_shared<VariableData>();
  data->op_name = true_name;
  data->trainable = trainable;
  data->resource = resource;
  Output initial;
  Operation var_op;
  const bool colocate_init = init.fn.has_value() || resource;
  {
    std::optional<AttrScope> attr_scope;
    if (colocate_init) attr_scope.emplace(g, AttrMap{{"_class", ClassAttr(true_name)}});
    if (colocate_init) {
      NameScope init_ns(g, "Initializer");
      DeviceScope no_device(g, std::nullopt);
      TFCKPT_ASSIGN_OR_RETURN(initial, BuildInitialValue(g, init, dtype));
    } else {
      TFCKPT_ASSIGN_OR_RETURN(initial, BuildInitialValue(g, init, dtype));
    }
    data->dtype = initial.dtype();
    data->shape = validate_shape ? initial.shape() : UnknownShape();
    if (validate_shape && !IsFullyDefined(initial.shape())) {
      return InvalidArgumentError(StrCat("initial_value must have a shape specified: ",
                                         initial.name()));
    }
    AttrMap attrs{{"shape", ShapeAttr(data->shape)}, {"dtype", TypeAttr(data->dtype)}};
    if (resource) {
      attrs["shared_name"] = StringAttr(true_name);
      attrs["debug_name"] = StringAttr(ns.scope());
      attrs["allowed_devices"].mutable_list();
      TFCKPT_ASSIGN_OR_RETURN(var_op, g->CreateOp("VarHandleOp", ns.scope(), {}, attrs));
    } else {
      TFCKPT_ASSIGN_OR_RETURN(var_op, g->CreateOp("VariableV2", ns.scope(), {}, attrs));
    }
  }
  data->initial_value = initial.name();
  const std::string device = var_op.node_def()->device();
  if (resource) {
    const Output handle = var_op.output(0);
    {
      NameScope is(g, "IsInitialized");
      TFCKPT_RETURN_IF_ERROR(g->CreateOp("VarIsInitializedOp", "", {handle}).status());
    }
    {
      NameScope as(g, "Assign");
      ColocateWith no_coloc(g, "", true);
      DeviceScope ds(g, device);
      // TF guards an initial value that reads other variables.
      TFCKPT_ASSIGN_OR_RETURN(Output guarded,
                              GuardAgainstUninitializedDependencies(g, ns.scope(), initial));
      TFCKPT_ASSIGN_OR_RETURN(
          Operation assign,
          g->CreateOp("AssignVariableOp", as.scope(), {handle, guarded},
                      {{"dtype", TypeAttr(data->dtype)}}));
      data->initializer_op = assign.name;
    }
    {
      NameScope rd(g, "Read");
      DeviceScope ds(g, device);
      TFCKPT_ASSIGN_OR_RETURN(Operation read,
                              g->CreateOp("ReadVariableOp", "", {handle},
                                          {{"dtype", TypeAttr(data->dtype)}}));
      data->snapshot = read.output(0).name();
    }
  } else {
    // TF guards an initial value that reads other variables.
    TFCKPT_ASSIGN_OR_RETURN(Output guarded,
                            GuardAgainstUninitializedDependencies(g, ns.scope(), initial));
    Output assign = Assign(g, var_op.output(0), guarded, std::nullopt, validate_shape);
    if (!assign.valid()) return GraphError(g, "the variable's Assign");
    data->initializer_op = assign.op;
    ColocateWith cw(g, var_op.name);
    Output read = Identity(g, var_op.output(0), "read");
    if (!read.valid()) return GraphError(g, "the variable's read");
    data->snapshot = read.name();
  }
  Variable v(g, data);
  g->AddToCollections(collections, VariableItem(v));
  return v;
}

}  // namespace

// ---- Variable ---------------------------------------------------------------------------

std::string Variable::device() const {
  const tensorflow::NodeDef* n = g_->FindNode(data_->op_name);
  return n == nullptr ? "" : n->device();
}

Output Variable::snapshot() const { return ParseOutput(g_, data_->snapshot); }
Output Variable::initial_value() const { return ParseOutput(g_, data_->initial_value); }
std::string Variable::fetch_name() const { return data_->resource ? data_->snapshot : name(); }

Output Variable::value() const {
  if (!data_->resource) return snapshot();
  ColocateWith no_coloc(g_, "", true);
  auto op = g_->CreateOp("ReadVariableOp", "", {ref()}, {{"dtype", TypeAttr(data_->dtype)}});
  if (!op.ok()) {
    g_->RecordError(op.status());
    return Output{};
  }
  return op->output(0);
}

namespace {
Output ResourceUpdate(const Variable& v, const std::string& type, const Input& value,
                      const std::string& name, bool validate_shape_attr) {
  Graph* g = v.graph();
  auto t = value.Convert(g, "Const", v.dtype());
  if (!t.ok()) {
    g->RecordError(t.status());
    return Output{};
  }
  AttrMap attrs{{"dtype", TypeAttr(v.dtype())}};
  if (validate_shape_attr) attrs["validate_shape"] = BoolAttr(IsFullyDefined(v.shape()));
  auto op = g->CreateOp(type, name, {v.ref(), *t}, attrs);
  if (!op.ok()) {
    g->RecordError(op.status());
    return Output{};
  }
  return op->output(0);
}
}  // namespace

Output Variable::Assign(const Input& value, const std::string& name) const {
  if (data_->resource) return ResourceUpdate(*this, "AssignVariableOp", value, name, true);
  return train::Assign(g_, ref(), value, false, true, name);
}
Output Variable::AssignAdd(const Input& value, const std::string& name) const {
  if (data_->resource) return ResourceUpdate(*this, "AssignAddVariableOp", value, name, false);
  return train::AssignAdd(g_, ref(), value, false, name);
}
Output Variable::AssignSub(const Input& value, const std::string& name) const {
  if (data_->resource) return ResourceUpdate(*this, "AssignSubVariableOp", value, name, false);
  return train::AssignSub(g_, ref(), value, false, name);
}

std::optional<tensorflow::VariableDef> Variable::ToProto(const std::string& export_scope) const {
  const std::string var_name = name();
  if (!export_scope.empty() && var_name.rfind(export_scope, 0) != 0) return std::nullopt;
  tensorflow::VariableDef def;
  def.set_variable_name(StripNameScope(var_name, export_scope));
  if (!data_->initial_value.empty()) {
    def.set_initial_value_name(StripNameScope(data_->initial_value, export_scope));
  }
  def.set_trainable(data_->trainable);
  def.set_initializer_name(StripNameScope(data_->initializer_op, export_scope));
  def.set_snapshot_name(StripNameScope(data_->snapshot, export_scope));
  if (data_->resource) def.set_is_resource(true);
  def.set_synchronization(static_cast<tensorflow::VariableSynchronization>(data_->synchronization));
  def.set_aggregation(static_cast<tensorflow::VariableAggregation>(data_->aggregation));
  if (data_->save_slice_info) {
    auto* s = def.mutable_save_slice_info_def();
    *s = *data_->save_slice_info;
    s->set_full_name(StripNameScope(s->full_name(), export_scope));
  }
  return def;
}

StatusOr<Variable> Variable::FromProto(Graph* g, const tensorflow::VariableDef& def,
                                       const std::string& import_scope) {
  auto data = std::make_shared<VariableData>();
  data->op_name = StripOutput(PrependNameScope(def.variable_name(), import_scope));
  data->initializer_op = PrependNameScope(def.initializer_name(), import_scope);
  data->snapshot = PrependNameScope(def.snapshot_name(), import_scope);
  if (!def.initial_value_name().empty()) {
    data->initial_value = PrependNameScope(def.initial_value_name(), import_scope);
  }
  data->trainable = def.trainable();
  data->resource = def.is_resource();
  data->synchronization = def.synchronization();
  data->aggregation = def.aggregation();
  if (def.has_save_slice_info_def()) {
    data->save_slice_info = def.save_slice_info_def();
    data->save_slice_info->set_full_name(
        PrependNameScope(def.save_slice_info_def().full_name(), import_scope));
  }
  const tensorflow::NodeDef* n = g->FindNode(data->op_name);
  if (n == nullptr) {
    return NotFoundError(StrCat("The variable op '", data->op_name, "' of a VariableDef is not in "
                                "the graph"));
  }
  auto dt = n->attr().find("dtype");
  if (dt != n->attr().end()) data->dtype = dt->second.type();
  auto sh = n->attr().find("shape");
  data->shape = sh != n->attr().end() ? sh->second.shape() : UnknownShape();
  return Variable(g, data);
}

std::string SliceSpec(const tensorflow::SaveSliceInfoDef& info) {
  std::string out;
  for (int64_t d : info.full_shape()) out += StrCat(d, " ");
  for (int i = 0; i < info.var_offset_size(); ++i) {
    out += StrCat(i > 0 ? ":" : "", info.var_offset(i), ",", info.var_shape(i));
  }
  return out;
}

CollectionItem VariableItem(const Variable& v) {
  CollectionItem c;
  c.kind = CollectionItem::Kind::kVariable;
  c.variable = v.data();
  return c;
}

std::vector<Variable> VariablesOf(Graph* g, const std::string& key, const std::string& scope) {
  std::vector<Variable> out;
  for (const CollectionItem& c : g->GetCollection(key, scope)) {
    if (c.kind == CollectionItem::Kind::kVariable) out.emplace_back(g, c.variable);
  }
  return out;
}

// ---- get_variable / Variable ----------------------------------------------------------

StatusOr<Variable> GetVariable(Graph* g, const std::string& name,
                               const GetVariableOptions& o) {
  const VarScope& scope = *g->var_store().current;
  ReuseMode reuse = scope.reuse;
  if (o.reuse) {
    reuse = *o.reuse == Reuse::kTrue      ? ReuseMode::kTrue
            : *o.reuse == Reuse::kAutoReuse ? ReuseMode::kAutoReuse
                                            : ReuseMode::kFalse;
  }
  const std::string full_name = scope.name.empty() ? name : StrCat(scope.name, "/", name);
  NameScope root(g, "");
  InitialValue initializer = o.initializer;
  const bool from_value = std::holds_alternative<tensor::Tensor>(initializer) ||
                          std::holds_alternative<Output>(initializer);
  if (o.dtype && from_value) {
    const DataType init_dtype = std::holds_alternative<Output>(initializer)
                                    ? std::get<Output>(initializer).dtype()
                                    : std::get<tensor::Tensor>(initializer).dtype();
    if (init_dtype != *o.dtype) {
      return InvalidArgumentError(StrCat("Initializer type '", DTypeRepr(init_dtype),
                                         "' and explicit dtype '", DTypeRepr(*o.dtype),
                                         "' don't match."));
    }
  }
  if (std::holds_alternative<std::monostate>(initializer) && scope.initializer) {
    initializer = *scope.initializer;
  }
  GetVariableOptions resolved = o;
  resolved.initializer = initializer;
  resolved.dtype = o.dtype.value_or(scope.dtype.value_or(tensorflow::DT_FLOAT));
  resolved.use_resource =
      o.use_resource.value_or(scope.use_resource.value_or(g->options().resource_variables));
  return GetSingleVariable(g, full_name, resolved, reuse);
}

StatusOr<Variable> GetSingleVariable(Graph* g, const std::string& full_name,
                                     const GetVariableOptions& o, ReuseMode reuse,
                                     const PartitionInfo* partition) {
  NameScope root(g, "");
  InitialValue initializer = o.initializer;
  const DataType dtype = o.dtype.value_or(tensorflow::DT_FLOAT);
  const bool use_resource = o.use_resource.value_or(g->options().resource_variables);
  const bool trainable = o.trainable.value_or(true);
  const bool initializing_from_value = std::holds_alternative<tensor::Tensor>(initializer) ||
                                       std::holds_alternative<Output>(initializer);
  if (o.shape && initializing_from_value) {
    return InvalidArgumentError("If initializer is a constant, do not specify shape.");
  }
  VarStore& store = g->var_store();
  auto found = store.vars.find(full_name);
  if (found != store.vars.end()) {
    const Variable& v = found->second;
    if (reuse == ReuseMode::kFalse) {
      return InvalidArgumentError(StrCat("Variable ", full_name,
                                         " already exists, disallowed. Did you mean to set "
                                         "reuse=True or reuse=tf.AUTO_REUSE in VarScope?"));
    }
    if (o.shape && !ShapesCompatible(ShapeOf(*o.shape), v.shape())) {
      return InvalidArgumentError(StrCat("Trying to share variable ", full_name,
                                         ", but specified shape ",
                                         PythonShapeString(ShapeOf(*o.shape)), " and found shape ",
                                         PythonShapeString(v.shape()), "."));
    }
    if (dtype != v.dtype()) {
      return InvalidArgumentError(StrCat("Trying to share variable ", full_name,
                                         ", but specified dtype ", PythonDTypeName(dtype),
                                         " and found dtype ",
                                         PythonDTypeName(v.dtype(), !v.is_resource()), "."));
    }
    return v;
  }
  if (reuse == ReuseMode::kTrue) {
    return InvalidArgumentError(StrCat("Variable ", full_name,
                                       " does not exist, or was not created with "
                                       "tf.get_variable(). Did you mean to set "
                                       "reuse=tf.AUTO_REUSE in VarScope?"));
  }
  if (std::holds_alternative<std::monostate>(initializer)) {
    if (!o.shape) {
      return InvalidArgumentError(StrCat("Variable ", full_name,
                                         " did not get an initializer, so its `shape` argument "
                                         "must be specified."));
    }
    if (IsFloating(dtype)) {
      initializer = Initializer::GlorotUniform();
    } else if (IsIntegerLike(dtype)) {
      initializer = Initializer::Zeros();
    } else {
      return InvalidArgumentError(StrCat("An initializer for variable ", full_name, " of ",
                                         DTypeRepr(dtype), " is required"));
    }
  }
  InitSpec init;
  std::optional<DataType> variable_dtype;
  if (std::holds_alternative<Initializer>(initializer)) {
    if (!o.shape) {
      return InvalidArgumentError(
          "The initializer passed is not valid. It should be a callable with no arguments and "
          "the shape should not be provided or an instance of `tf.keras.initializers.*' and "
          "`shape` should be fully defined.");
    }
    init.fn = std::get<Initializer>(initializer);
    if (partition != nullptr) init.partition = *partition;
    init.shape = *o.shape;
    init.dtype = dtype;
    variable_dtype = dtype;
  } else if (std::holds_alternative<tensor::Tensor>(initializer)) {
    init.value = std::get<tensor::Tensor>(initializer);
  } else {
    init.tensor = std::get<Output>(initializer);
  }
  TFCKPT_ASSIGN_OR_RETURN(
      Variable v, CreateVariable(g, full_name, init, variable_dtype, trainable,
                                 DefaultCollections(o.collections, trainable), o.validate_shape,
                                 use_resource));
  store.vars[full_name] = v;
  return v;
}

StatusOr<Variable> GetVariable(Graph* g, const std::string& name,
                               const std::vector<int64_t>& shape, DataType dtype,
                               InitialValue initializer, std::optional<Reuse> reuse) {
  GetVariableOptions o;
  o.shape = shape;
  o.dtype = dtype;
  o.initializer = std::move(initializer);
  o.reuse = reuse;
  return GetVariable(g, name, o);
}

StatusOr<Variable> MakeVariable(Graph* g, const InitialValue& initial_value,
                                const VariableOptions& o) {
  InitSpec init;
  if (std::holds_alternative<tensor::Tensor>(initial_value)) {
    init.value = std::get<tensor::Tensor>(initial_value);
  } else if (std::holds_alternative<Output>(initial_value)) {
    init.tensor = std::get<Output>(initial_value);
  } else {
    return InvalidArgumentError(
        "MakeVariable: give the initial value as a tensor value or an Output (for an "
        "initializer use GetVariable)");
  }
  return CreateVariable(g, o.name, init, o.dtype, o.trainable,
                        DefaultCollections(o.collections, o.trainable), o.validate_shape,
                        o.use_resource.value_or(g->options().resource_variables));
}

StatusOr<Variable> MakeVariable(Graph* g, const tensor::Tensor& value, const std::string& name,
                                bool trainable) {
  VariableOptions o;
  o.name = name;
  o.trainable = trainable;
  return MakeVariable(g, value, o);
}

Operation VariablesInitializer(Graph* g, const std::vector<Variable>& vars,
                               const std::string& name) {
  if (vars.empty()) return NoOp(g, name);
  std::vector<Operation> ops;
  for (const Variable& v : vars) ops.push_back(v.initializer());
  return Group(g, ops, name);
}

Operation GlobalVariablesInitializer(Graph* g, const std::string& name) {
  return VariablesInitializer(g, GlobalVariables(g), name);
}

StatusOr<Variable> GetOrCreateGlobalStep(Graph* g) {
  for (const CollectionItem& c : g->GetCollection(GraphKeys::kGlobalStep)) {
    if (c.kind == CollectionItem::Kind::kVariable) return Variable(g, c.variable);
  }
  NameScope root(g, "");
  GetVariableOptions o;
  o.shape = std::vector<int64_t>{};
  o.dtype = tensorflow::DT_INT64;
  o.initializer = Initializer::Zeros();
  o.trainable = false;
  o.collections = std::vector<std::string>{GraphKeys::kGlobalVariables, GraphKeys::kGlobalStep};
  TFCKPT_ASSIGN_OR_RETURN(Variable v, GetVariable(g, GraphKeys::kGlobalStep, o));
  v.data()->aggregation = 3;  // VariableAggregation.ONLY_FIRST_REPLICA
  return v;
}

}  // namespace tfckpt::train
