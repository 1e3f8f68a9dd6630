// Initializers (init_ops) and variable scopes of variables.h.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "src/train/variables.h"

namespace tfckpt::train {
namespace {

ReuseMode Inherit(Reuse arg, ReuseMode parent) {
  switch (arg) {
    case Reuse::kTrue: return ReuseMode::kTrue;
    case Reuse::kAutoReuse: return ReuseMode::kAutoReuse;
    case Reuse::kNone: return parent;
  }
  return parent;
}

}  // namespace

// ---- initializers -----------------------------------------------------------------

Initializer Initializer::Constant(double value) {
  return Initializer("constant", [value](Graph* g, const std::vector<int64_t>& shape, DataType dt) {
    return train::Constant(g, value, dt, shape, "Const");
  });
}

Initializer Initializer::Constant(tensor::Tensor value) {
  return Initializer("constant", [value](Graph* g, const std::vector<int64_t>& shape, DataType dt) {
    auto s = tensor::TensorShape::Make(shape);
    if (!s.ok() || s->num_elements() != value.num_elements() || dt != value.dtype()) {
      g->RecordError(InvalidArgumentError("constant_initializer: value does not match the "
                                          "variable's shape or dtype"));
      return Output{};
    }
    tensor::Tensor t = *tensor::Tensor::Allocate(dt, *s);
    if (value.is_string()) {
      *t.mutable_strings() = value.strings();
    } else if (t.TotalBytes() > 0) {
      std::memcpy(t.mutable_raw_data(), value.raw_data(), t.TotalBytes());
    }
    return train::Constant(g, t, "Const");
  });
}

Initializer Initializer::Zeros() {
  return Initializer("zeros", [](Graph* g, const std::vector<int64_t>& shape, DataType dt) {
    return train::Zeros(g, shape, dt);
  });
}

Initializer Initializer::Ones() {
  return Initializer("ones", [](Graph* g, const std::vector<int64_t>& shape, DataType dt) {
    return train::Ones(g, shape, dt);
  });
}

Initializer Initializer::RandomNormal(double mean, double stddev, std::optional<int64_t> seed) {
  return Initializer("random_normal",
                     [=](Graph* g, const std::vector<int64_t>& shape, DataType dt) {
                       return train::RandomNormal(g, shape, mean, stddev, dt, seed);
                     });
}

Initializer Initializer::TruncatedNormal(double mean, double stddev, std::optional<int64_t> seed) {
  return Initializer("truncated_normal",
                     [=](Graph* g, const std::vector<int64_t>& shape, DataType dt) {
                       return train::TruncatedNormal(g, shape, mean, stddev, dt, seed);
                     });
}

Initializer Initializer::RandomUniform(double minval, double maxval, std::optional<int64_t> seed) {
  return Initializer("random_uniform",
                     [=](Graph* g, const std::vector<int64_t>& shape, DataType dt) {
                       return train::RandomUniform(g, shape, minval, maxval, dt, seed);
                     });
}

Initializer Initializer::GlorotUniform(std::optional<int64_t> seed) {
  return Initializer("glorot_uniform", [=](Graph* g, const std::vector<int64_t>& shape,
                                           DataType dt, const PartitionInfo* partition) {
    const std::vector<int64_t>& full = partition != nullptr ? partition->full_shape : shape;
    double fan_in = 1, fan_out = 1;
    if (full.size() == 1) {
      fan_in = fan_out = static_cast<double>(full[0]);
    } else if (full.size() == 2) {
      fan_in = static_cast<double>(full[0]);
      fan_out = static_cast<double>(full[1]);
    } else if (full.size() > 2) {
      double receptive = 1;
      for (size_t i = 0; i + 2 < full.size(); ++i) receptive *= static_cast<double>(full[i]);
      fan_in = static_cast<double>(full[full.size() - 2]) * receptive;
      fan_out = static_cast<double>(full.back()) * receptive;
    }
    const double scale = 1.0 / std::max(1.0, (fan_in + fan_out) / 2.0);
    const double limit = std::sqrt(3.0 * scale);
    return train::RandomUniform(g, shape, -limit, limit, dt, seed);
  });
}

Initializer Initializer::SliceOf(tensor::Tensor full) {
  return Initializer("slice_of", [full](Graph* g, const std::vector<int64_t>& shape, DataType dt,
                                        const PartitionInfo* partition) {
    std::vector<int64_t> offset(shape.size(), 0);
    if (partition != nullptr) offset = partition->var_offset;
    auto s = tensor::TensorShape::Make(shape);
    if (!s.ok() || dt != full.dtype() || full.is_string() ||
        static_cast<size_t>(full.shape().rank()) != shape.size()) {
      g->RecordError(InvalidArgumentError("SliceOf: the value does not match the variable"));
      return Output{};
    }
    tensor::Tensor t = *tensor::Tensor::Allocate(dt, *s);
    const int rank = static_cast<int>(shape.size());
    const size_t elem = static_cast<size_t>(tensor::DataTypeSize(dt));
    std::vector<int64_t> idx(rank, 0);
    for (int64_t n = 0; n < t.num_elements(); ++n) {
      int64_t src = 0;
      for (int d = 0; d < rank; ++d) src = src * full.shape().dim(d) + idx[d] + offset[d];
      std::memcpy(t.mutable_raw_data() + n * elem, full.raw_data() + src * elem, elem);
      for (int d = rank - 1; d >= 0; --d) {
        if (++idx[d] < shape[d]) break;
        idx[d] = 0;
      }
    }
    return train::Constant(g, t, "Const");
  });
}

// ---- variable scopes ---------------------------------------------------------------

const VarScope& GetVariableScope(Graph* g) { return *g->var_store().current; }

VariableScope::VariableScope(Graph* g, const std::string& name, Reuse reuse,
                             const ScopeDefaults& defaults)
    : g_(g) {
  if (name.empty()) {
    EnterPure("", reuse, "", defaults);
    return;
  }
  name_scope_ = std::make_unique<NameScope>(g, name);
  EnterPure(name, reuse, name_scope_->scope(), defaults);
}

VariableScope::VariableScope(Graph* g, const VarScope& scope, Reuse reuse) : g_(g) {
  const size_t slash = scope.name.rfind('/');
  const std::string last = slash == std::string::npos ? scope.name : scope.name.substr(slash + 1);
  if (!last.empty()) name_scope_ = std::make_unique<NameScope>(g, last);
  VarStore& store = g->var_store();
  old_ = store.current;
  new_name_ = scope.name;
  ++store.scope_counts[new_name_];
  old_counts_ = store.scope_counts;
  auto s = std::make_shared<VarScope>(scope);
  s->reuse = reuse == Reuse::kNone ? scope.reuse : Inherit(reuse, scope.reuse);
  store.current = s;
}

VariableScope::VariableScope(Graph* g, const DefaultName& default_name, Reuse reuse,
                             const ScopeDefaults& defaults)
    : g_(g) {
  if (reuse == Reuse::kTrue) {
    status_ = InvalidArgumentError("reuse=True cannot be used without a name_or_scope");
    g->RecordError(status_);
  }
  if (default_name.name.empty()) {
    status_ = InvalidArgumentError("If default_name is None then name_or_scope is required");
    g->RecordError(status_);
  }
  name_scope_ = std::make_unique<NameScope>(g, default_name.name);
  // _get_unique_variable_scope(default_name).
  VarStore& store = g->var_store();
  const std::string& cur = store.current->name;
  const std::string base = cur.empty() ? default_name.name : StrCat(cur, "/", default_name.name);
  auto count = [&](const std::string& n) {
    auto it = store.scope_counts.find(n);
    return it == store.scope_counts.end() ? 0 : it->second;
  };
  std::string unique = default_name.name;
  if (count(base) > 0) {
    int idx = 1;
    while (count(StrCat(base, "_", idx)) > 0) ++idx;
    unique = StrCat(default_name.name, "_", idx);
  }
  EnterPure(unique, reuse, name_scope_->scope(), defaults);
}

void VariableScope::EnterPure(const std::string& name, Reuse reuse,
                              const std::string& old_name_scope, const ScopeDefaults& defaults) {
  VarStore& store = g_->var_store();
  old_ = store.current;
  new_name_ = old_->name.empty() ? name : (name.empty() ? old_->name : StrCat(old_->name, "/", name));
  auto s = std::make_shared<VarScope>(*old_);
  s->name = new_name_;
  s->reuse = Inherit(reuse, old_->reuse);
  s->original_name_scope = old_name_scope.empty() ? name : old_name_scope;
  if (defaults.initializer) s->initializer = defaults.initializer;
  if (defaults.dtype) s->dtype = defaults.dtype;
  if (defaults.use_resource) s->use_resource = defaults.use_resource;
  ++store.scope_counts[new_name_];
  store.current = s;
}

VariableScope::~VariableScope() {
  VarStore& store = g_->var_store();
  if (old_counts_.has_value()) {
    store.scope_counts = *old_counts_;
  } else {
    const std::string prefix = new_name_ + "/";
    for (auto& [k, v] : store.scope_counts) {
      if (k.rfind(prefix, 0) == 0) v = 0;
    }
  }
  store.current = old_;
  name_scope_.reset();
}

const VarScope& VariableScope::scope() const { return *g_->var_store().current; }

void VariableScope::ReuseVariables() { g_->var_store().current->reuse = ReuseMode::kTrue; }

}  // namespace tfckpt::train
