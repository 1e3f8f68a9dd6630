#include "src/graph/kernel.h"

namespace tfckpt::graph {

std::shared_ptr<RefVariable> SessionState::RefVariableFor(const std::string& container,
                                                          const std::string& name, DataType dtype,
                                                          const PartialShape& shape) {
  const std::string key = StrCat(container, "/", name);
  auto& slot = ref_vars_[key];
  if (slot == nullptr) {
    slot = std::make_shared<RefVariable>();
    slot->name = name;
    slot->dtype = dtype;
    slot->declared_shape = shape;
    ++containers_[container];
  }
  return slot;
}

std::shared_ptr<ResourceVariable> SessionState::FindResourceVariable(const ResourceHandle& h,
                                                                     std::string* why) const {
  auto it = resource_vars_.find(StrCat(h.container, "/", h.name));
  if (it != resource_vars_.end()) return it->second;
  if (why != nullptr) {
    if (containers_.count(h.container) == 0) {
      *why = StrCat("Container ", h.container, " does not exist. (Could not find resource: ",
                    h.container, "/", h.name, ")");
    } else {
      // TF prints the C++ type's mangled name.
      *why = StrCat("Resource ", h.container, "/", h.name, "/N10tensorflow3VarE does not exist.");
    }
  }
  return nullptr;
}

std::shared_ptr<ResourceVariable> SessionState::CreateResourceVariable(const ResourceHandle& h,
                                                                       DataType dtype) {
  auto& slot = resource_vars_[StrCat(h.container, "/", h.name)];
  if (slot == nullptr) {
    slot = std::make_shared<ResourceVariable>();
    slot->dtype = dtype;
    ++containers_[h.container];
  }
  return slot;
}

void SessionState::AdoptFrom(SessionState* other) {
  if (other == this) return;
  // A variable this state already has is overwritten in place: kernels of
  // this session that cached it (VariableV2) keep seeing the right object.
  for (auto& [key, var] : other->ref_vars_) {
    auto& slot = ref_vars_[key];
    if (slot == nullptr) {
      slot = std::move(var);
    } else {
      *slot = std::move(*var);
    }
  }
  for (auto& [key, var] : other->resource_vars_) {
    auto& slot = resource_vars_[key];
    if (slot == nullptr) {
      slot = std::move(var);
    } else {
      *slot = std::move(*var);
    }
  }
  // Counts only mark which containers exist (nothing is ever deleted).
  for (const auto& [container, n] : other->containers_) containers_[container] += n;
  other->ref_vars_.clear();
  other->resource_vars_.clear();
  other->containers_.clear();
}

StatusOr<Tensor> OpKernelContext::Allocate(DataType dtype, const TensorShape& shape) const {
  auto t = Tensor::Allocate(dtype, shape, options_.max_tensor_bytes);
  if (!t.ok() && t.status().code() == StatusCode::kResourceExhausted) {
    return ResourceExhaustedError(StrCat("OOM when allocating tensor with shape ",
                                         shape.DebugString(), " and type ",
                                         tensor::DataTypeName(dtype), ": ", t.status().message(),
                                         " (KernelOptions::max_tensor_bytes = ",
                                         options_.max_tensor_bytes, ")"));
  }
  return t;
}

StatusOr<Tensor*> OpKernelContext::AllocateOutput(int i, DataType dtype, const TensorShape& shape) {
  TFCKPT_ASSIGN_OR_RETURN(Tensor t, Allocate(dtype, shape));
  set_output(i, std::move(t));
  return &outputs_[i].tensor;
}

namespace {
class FunctionKernel : public OpKernel {
 public:
  explicit FunctionKernel(Status (*fn)(OpKernelContext*)) : fn_(fn) {}
  Status Compute(OpKernelContext* ctx) override { return fn_(ctx); }

 private:
  Status (*fn_)(OpKernelContext*);
};
}  // namespace

bool ValueHasType(const Value& v, const EdgeType& want) {
  if (want.ref) return v.ref != nullptr;
  if (v.ref != nullptr) return false;
  if (want.dtype == tensorflow::DT_RESOURCE) return v.handle != nullptr;
  if (want.dtype == tensorflow::DT_VARIANT) return v.list != nullptr;
  return v.handle == nullptr && v.list == nullptr && v.tensor.dtype() == want.dtype;
}

std::string ValueTypeString(const Value& v) {
  if (v.ref != nullptr) return StrCat(tensor::DataTypeName(v.ref->dtype), "_ref");
  if (v.handle != nullptr) return "resource";
  if (v.list != nullptr) return "variant";
  return tensor::DataTypeName(v.tensor.dtype());
}

KernelFactory FnKernel(Status (*compute)(OpKernelContext*)) {
  return [compute](const Node&, const KernelOptions&) -> StatusOr<std::unique_ptr<OpKernel>> {
    return std::unique_ptr<OpKernel>(std::make_unique<FunctionKernel>(compute));
  };
}

}  // namespace tfckpt::graph
