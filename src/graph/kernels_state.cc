// Variables (tensorflow/core/ops/state_ops.cc, resource_variable_ops.cc).
//
// Reference variables (VariableV2, Variable) live in the session state under
// container/shared_name (the node name when shared_name is empty, TF's
// ContainerInfo rule; container "" is "localhost"); their output is a
// reference edge. Resource variables are found through the handle a
// VarHandleOp emits (container/shared_name as written); AssignVariableOp
// creates them. Error texts are TF's.
#include "src/graph/kernel_util.h"

namespace tfckpt::graph {
namespace {

std::string ContainerOf(const std::string& container) {
  return container.empty() ? SessionState::kDefaultContainer : container;
}

class VariableOp : public OpKernel {
 public:
  Status Init(const Node& node, const KernelOptions&) override {
    TFCKPT_ASSIGN_OR_RETURN(dtype_, node.AttrType("dtype"));
    TFCKPT_ASSIGN_OR_RETURN(shape_, node.AttrShape("shape"));
    TFCKPT_ASSIGN_OR_RETURN(std::string container, node.AttrString("container"));
    TFCKPT_ASSIGN_OR_RETURN(name_, node.AttrString("shared_name"));
    container_ = ContainerOf(container);
    if (name_.empty()) name_ = node.name();
    return OkStatus();
  }
  Status Compute(OpKernelContext* ctx) override {
    if (var_ == nullptr) {
      var_ = ctx->state()->RefVariableFor(container_, name_, dtype_, shape_);
      if (var_->dtype != dtype_) {
        auto other = var_;
        var_ = nullptr;
        return InvalidArgumentError(StrCat("Variable ", container_, "/", name_, " has dtype ",
                                           tensor::DataTypeName(other->dtype),
                                           "; this op declares ", tensor::DataTypeName(dtype_)));
      }
    }
    ctx->set_output_value(0, Value{Tensor(), var_, nullptr});
    return OkStatus();
  }

 private:
  DataType dtype_ = tensorflow::DT_INVALID;
  PartialShape shape_;
  std::string container_, name_;
  std::shared_ptr<RefVariable> var_;
};

class AssignOp : public OpKernel {
 public:
  Status Init(const Node& node, const KernelOptions&) override {
    TFCKPT_ASSIGN_OR_RETURN(validate_shape_, node.AttrBool("validate_shape"));
    return OkStatus();
  }
  Status Compute(OpKernelContext* ctx) override {
    const std::shared_ptr<RefVariable>& var = ctx->ref_input(0);
    const Tensor& rhs = ctx->input(1);
    if (validate_shape_) {
      // Uninitialized variables have the shape they were declared with.
      std::optional<TensorShape> lhs;
      if (var->initialized) {
        lhs = var->value.shape();
      } else {
        lhs = var->declared_shape.AsTensorShape();
      }
      if (lhs && *lhs != rhs.shape()) {
        return InvalidArgumentError(StrCat("Assign requires shapes of both tensors to match. "
                                           "lhs shape= ",
                                           lhs->DebugString(), " rhs shape= ",
                                           rhs.shape().DebugString()));
      }
    }
    var->value = rhs;
    var->initialized = true;
    ctx->set_output_value(0, ctx->input_value(0));
    return OkStatus();
  }

 private:
  bool validate_shape_ = true;
};

// a + b or a - b elementwise, wrapping for integers.
StatusOr<Tensor> Update(OpKernelContext* ctx, const Tensor& a, const Tensor& b, bool subtract) {
  TFCKPT_ASSIGN_OR_RETURN(Tensor out, ctx->Allocate(a.dtype(), a.shape()));
  Status s = Dispatch<kNumberTypes>(a.dtype(), ctx->node().op(), [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    const T* x = a.flat<T>();
    const T* y = b.flat<T>();
    T* o = out.mutable_flat<T>();
    for (int64_t i = 0; i < a.num_elements(); ++i) {
      if constexpr (std::is_integral_v<T>) {
        using U = std::common_type_t<std::make_unsigned_t<T>, unsigned>;
        const U ux = static_cast<U>(x[i]), uy = static_cast<U>(y[i]);
        o[i] = static_cast<T>(subtract ? ux - uy : ux + uy);
      } else {
        o[i] = subtract ? x[i] - y[i] : x[i] + y[i];
      }
    }
    return OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

template <bool kSubtract>
Status AssignUpdateOp(OpKernelContext* ctx) {
  const std::shared_ptr<RefVariable>& var = ctx->ref_input(0);
  const Tensor& value = ctx->input(1);
  if (!var->initialized) {
    return FailedPreconditionError(StrCat("Attempting to use uninitialized parameters: ",
                                          ctx->node().requested_input(0)));
  }
  if (var->value.shape() != value.shape()) {
    return InvalidArgumentError("Parameters and update must be the same size");
  }
  TFCKPT_ASSIGN_OR_RETURN(var->value, Update(ctx, var->value, value, kSubtract));
  ctx->set_output_value(0, ctx->input_value(0));
  return OkStatus();
}

Status IsVariableInitializedOp(OpKernelContext* ctx) {
  TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, tensorflow::DT_BOOL, TensorShape{}));
  out->mutable_flat<bool>()[0] = ctx->ref_input(0)->initialized;
  return OkStatus();
}

class VarHandleOp : public OpKernel {
 public:
  Status Init(const Node& node, const KernelOptions&) override {
    auto handle = std::make_shared<ResourceHandle>();
    TFCKPT_ASSIGN_OR_RETURN(std::string container, node.AttrString("container"));
    handle->container = ContainerOf(container);
    TFCKPT_ASSIGN_OR_RETURN(handle->name, node.AttrString("shared_name"));
    TFCKPT_ASSIGN_OR_RETURN(handle->dtype, node.AttrType("dtype"));
    TFCKPT_ASSIGN_OR_RETURN(handle->shape, node.AttrShape("shape"));
    handle_ = std::move(handle);
    return OkStatus();
  }
  Status Compute(OpKernelContext* ctx) override {
    ctx->set_output_value(0, Value{Tensor(), nullptr, handle_});
    return OkStatus();
  }

 private:
  std::shared_ptr<const ResourceHandle> handle_;
};

// The variable behind input 0, or TF's lookup error (NotFound).
StatusOr<std::shared_ptr<ResourceVariable>> Lookup(OpKernelContext* ctx) {
  const ResourceHandle* h = ctx->resource_input(0);
  std::string why;
  auto var = ctx->state()->FindResourceVariable(*h, &why);
  if (var == nullptr) return NotFoundError(why);
  return var;
}

Status ReadVariableOp(OpKernelContext* ctx) {
  const ResourceHandle* h = ctx->resource_input(0);
  auto var = Lookup(ctx);
  if (!var.ok()) {
    return FailedPreconditionError(StrCat(
        "Could not find variable ", h->name, ". This could mean that the variable has been "
        "deleted. In TF1, it can also mean the variable is uninitialized. Debug info: container=",
        h->container, ", status error message=", var.status().message()));
  }
  TFCKPT_ASSIGN_OR_RETURN(DataType dtype, ctx->node().AttrType("dtype"));
  if ((*var)->dtype != dtype) {
    return InvalidArgumentError(StrCat("Trying to read variable with wrong dtype. Expected ",
                                       tensor::DataTypeName(dtype), " got ",
                                       tensor::DataTypeName((*var)->dtype)));
  }
  ctx->set_output(0, (*var)->value);
  return OkStatus();
}

Status AssignVariableOp(OpKernelContext* ctx) {
  const ResourceHandle* h = ctx->resource_input(0);
  const Tensor& value = ctx->input(1);
  TFCKPT_ASSIGN_OR_RETURN(DataType dtype, ctx->node().AttrType("dtype"));
  TFCKPT_ASSIGN_OR_RETURN(bool validate_shape, ctx->node().AttrBool("validate_shape"));
  auto var = ctx->state()->FindResourceVariable(*h, nullptr);
  if (var == nullptr) var = ctx->state()->CreateResourceVariable(*h, dtype);
  if (var->dtype != dtype) {
    return InvalidArgumentError(StrCat("Trying to assign variable with wrong dtype. Expected ",
                                       tensor::DataTypeName(var->dtype), " got ",
                                       tensor::DataTypeName(dtype)));
  }
  if (validate_shape && var->value.dtype() != tensorflow::DT_INVALID &&
      var->value.shape() != value.shape()) {
    return InvalidArgumentError(StrCat(
        "Trying to assign to variable with tensor with wrong shape. Expected ",
        var->value.shape().DebugString(), " got ", value.shape().DebugString()));
  }
  var->value = value;
  return OkStatus();
}

template <bool kSubtract>
Status AssignUpdateVariableOp(OpKernelContext* ctx) {
  TFCKPT_ASSIGN_OR_RETURN(std::shared_ptr<ResourceVariable> var, Lookup(ctx));
  const Tensor& value = ctx->input(1);
  TFCKPT_ASSIGN_OR_RETURN(DataType dtype, ctx->node().AttrType("dtype"));
  if (var->dtype != dtype) {
    return InvalidArgumentError(StrCat("Trying to update variable with wrong dtype. Expected ",
                                       tensor::DataTypeName(var->dtype), " got ",
                                       tensor::DataTypeName(dtype)));
  }
  if (var->value.shape() != value.shape()) {
    return InvalidArgumentError(StrCat("Cannot update variable with shape ",
                                       var->value.shape().DebugString(),
                                       " using a Tensor with shape ", value.shape().DebugString(),
                                       ", shapes must be equal."));
  }
  TFCKPT_ASSIGN_OR_RETURN(var->value, Update(ctx, var->value, value, kSubtract));
  return OkStatus();
}

Status VarIsInitializedOp(OpKernelContext* ctx) {
  TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, tensorflow::DT_BOOL, TensorShape{}));
  out->mutable_flat<bool>()[0] = ctx->state()->FindResourceVariable(*ctx->resource_input(0), nullptr) != nullptr;
  return OkStatus();
}

// TF2 save graphs call it before reading variables; values are never
// aliased here, so it only checks the variable exists.
Status DisableCopyOnReadOp(OpKernelContext* ctx) { return Lookup(ctx).status(); }

}  // namespace

void RegisterStateOps(OpRegistry* r) {
  for (const char* name : {"VariableV2", "Variable"}) {
    r->Register(OpDefBuilder(name)
                    .Output("ref: Ref(dtype)")
                    .Attr("shape: shape")
                    .Attr("dtype: type")
                    .Attr("container: string = ''")
                    .Attr("shared_name: string = ''")
                    .SetIsStateful(),
                Kernel<VariableOp>());
  }
  r->Register(OpDefBuilder("Assign")
                  .Input("ref: Ref(T)")
                  .Input("value: T")
                  .Output("output_ref: Ref(T)")
                  .Attr("T: type")
                  .Attr("validate_shape: bool = true")
                  .Attr("use_locking: bool = true")
                  .SetAllowsUninitializedInput(),
              Kernel<AssignOp>());
  const char* kUpdateTypes =
      "T: {float, double, int32, uint8, int16, int8, complex64, int64, qint8, quint8, qint32, "
      "bfloat16, qint16, quint16, uint16, complex128, half, uint32, uint64}";
  r->Register(OpDefBuilder("AssignAdd")
                  .Input("ref: Ref(T)")
                  .Input("value: T")
                  .Output("output_ref: Ref(T)")
                  .Attr(kUpdateTypes)
                  .Attr("use_locking: bool = false"),
              FnKernel(AssignUpdateOp<false>));
  r->Register(OpDefBuilder("AssignSub")
                  .Input("ref: Ref(T)")
                  .Input("value: T")
                  .Output("output_ref: Ref(T)")
                  .Attr(kUpdateTypes)
                  .Attr("use_locking: bool = false"),
              FnKernel(AssignUpdateOp<true>));
  r->Register(OpDefBuilder("IsVariableInitialized")
                  .Input("ref: Ref(dtype)")
                  .Output("is_initialized: bool")
                  .Attr("dtype: type")
                  .SetAllowsUninitializedInput(),
              FnKernel(IsVariableInitializedOp));
  r->Register(OpDefBuilder("VarHandleOp")
                  .Output("resource: resource")
                  .Attr("container: string = ''")
                  .Attr("shared_name: string = ''")
                  .Attr("debug_name: string = ''")
                  .Attr("dtype: type")
                  .Attr("shape: shape")
                  .Attr("allowed_devices: list(string) = []")
                  .SetIsStateful(),
              Kernel<VarHandleOp>());
  r->Register(OpDefBuilder("ReadVariableOp")
                  .Input("resource: resource")
                  .Output("value: dtype")
                  .Attr("dtype: type")
                  .SetIsStateful(),
              FnKernel(ReadVariableOp));
  r->Register(OpDefBuilder("AssignVariableOp")
                  .Input("resource: resource")
                  .Input("value: dtype")
                  .Attr("dtype: type")
                  .Attr("validate_shape: bool = false")
                  .SetIsStateful(),
              FnKernel(AssignVariableOp));
  for (const char* name : {"AssignAddVariableOp", "AssignSubVariableOp"}) {
    r->Register(OpDefBuilder(name)
                    .Input("resource: resource")
                    .Input("value: dtype")
                    .Attr("dtype: type")
                    .SetIsStateful(),
                FnKernel(std::string(name) == "AssignAddVariableOp" ? AssignUpdateVariableOp<false>
                                                                    : AssignUpdateVariableOp<true>));
  }
  r->Register(OpDefBuilder("VarIsInitializedOp")
                  .Input("resource: resource")
                  .Output("is_initialized: bool")
                  .SetIsStateful(),
              FnKernel(VarIsInitializedOp));
  r->Register(OpDefBuilder("DisableCopyOnRead").Input("resource: resource").SetIsStateful(),
              FnKernel(DisableCopyOnReadOp));
}

}  // namespace tfckpt::graph
