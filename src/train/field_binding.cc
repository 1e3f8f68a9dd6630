#include "src/train/field_binding.h"

#include <set>

#include "src/io/atomic_file.h"

namespace tfckpt::train {
namespace {

io::Env* EnvOr(io::Env* env) { return env != nullptr ? env : io::Env::Default(); }

StatusOr<Variable> FindVariable(Graph* g, const std::string& name) {
  for (const char* key : {GraphKeys::kGlobalVariables, GraphKeys::kTrainableVariables,
                          GraphKeys::kLocalVariables, GraphKeys::kModelVariables,
                          GraphKeys::kMovingAverageVariables, GraphKeys::kGlobalStep}) {
    for (const Variable& v : VariablesOf(g, key)) {
      if (v.name() == name) return v;
    }
  }
  return NotFoundError(StrCat("No variable named ", name, " in the graph's variable collections"));
}

}  // namespace

void TFGraphConvertible::Bind(const std::string& field, Output* tensor) {
  fields_.push_back({field, tensor});
}
void TFGraphConvertible::Bind(const std::string& field, Operation* op) {
  fields_.push_back({field, op});
}
void TFGraphConvertible::Bind(const std::string& field, Variable* variable) {
  fields_.push_back({field, variable});
}
void TFGraphConvertible::Bind(const std::string& field, TFGraphConvertible* nested) {
  fields_.push_back({field, nested});
}

std::vector<std::string> TFGraphConvertible::FieldNames() const {
  std::vector<std::string> out;
  for (const Field& f : fields_) out.push_back(f.name);
  return out;
}

StatusOr<nlohmann::json> TFGraphConvertible::ToGraph() const {
  nlohmann::json out = nlohmann::json::object();
  for (const Field& f : fields_) {
    auto unbound = [&] {
      return FailedPreconditionError(StrCat("Field '", f.name, "' is not bound to the graph"));
    };
    if (auto* t = std::get_if<Output*>(&f.slot)) {
      if (!(*t)->valid()) return unbound();
      out[f.name] = (*t)->name();
    } else if (auto* op = std::get_if<Operation*>(&f.slot)) {
      if (!(*op)->valid()) return unbound();
      out[f.name] = (*op)->name;
    } else if (auto* v = std::get_if<Variable*>(&f.slot)) {
      if (!(*v)->valid()) return unbound();
      out[f.name] = (*v)->name();
    } else {
      TFCKPT_ASSIGN_OR_RETURN(out[f.name], std::get<TFGraphConvertible*>(f.slot)->ToGraph());
    }
  }
  return out;
}

StatusOr<std::string> TFGraphConvertible::ToJson() const {
  TFCKPT_ASSIGN_OR_RETURN(nlohmann::json j, ToGraph());
  return j.dump(1, ' ', /*ensure_ascii=*/true) + "\n";
}

Status TFGraphConvertible::SaveBinding(const std::string& path, io::Env* env) const {
  TFCKPT_ASSIGN_OR_RETURN(std::string text, ToJson());
  return io::WriteFileAtomically(EnvOr(env), path, text);
}

Status TFGraphConvertible::FromGraph(Graph* g, const nlohmann::json& binding,
                                     const std::string& import_scope) {
  if (!binding.is_object()) return InvalidArgumentError("A field binding must be a JSON object");
  std::set<std::string> known;
  for (const Field& f : fields_) known.insert(f.name);
  for (const auto& [key, value] : binding.items()) {
    if (known.count(key) == 0) {
      return InvalidArgumentError(StrCat("The binding names an unknown field '", key, "'"));
    }
  }
  for (const Field& f : fields_) {
    if (!binding.contains(f.name)) {
      return InvalidArgumentError(StrCat("The binding has no field '", f.name, "'"));
    }
  }
  for (const Field& f : fields_) {
    const nlohmann::json& value = binding[f.name];
    if (auto* nested = std::get_if<TFGraphConvertible*>(&f.slot)) {
      TFCKPT_RETURN_IF_ERROR((*nested)->FromGraph(g, value, import_scope));
      continue;
    }
    if (!value.is_string()) {
      return InvalidArgumentError(StrCat("Field '", f.name, "' must be bound to a name"));
    }
    const std::string name = PrependNameScope(value.get<std::string>(), import_scope);
    const bool tensor_name = name.find(':') != std::string::npos;
    if (auto* t = std::get_if<Output*>(&f.slot)) {
      TFCKPT_ASSIGN_OR_RETURN(**t, g->GetTensorByName(name));
    } else if (auto* op = std::get_if<Operation*>(&f.slot)) {
      if (tensor_name) {
        return InvalidArgumentError(StrCat("Field '", f.name, "' is an operation but '", name,
                                           "' names a tensor"));
      }
      TFCKPT_ASSIGN_OR_RETURN(**op, g->GetOperationByName(name));
    } else {
      TFCKPT_ASSIGN_OR_RETURN(*std::get<Variable*>(f.slot), FindVariable(g, name));
    }
  }
  return OkStatus();
}

Status TFGraphConvertible::LoadBinding(Graph* g, const std::string& path,
                                       const std::string& import_scope, io::Env* env) {
  TFCKPT_ASSIGN_OR_RETURN(std::string text, EnvOr(env)->ReadFileToString(path));
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return InvalidArgumentError(StrCat(path, " is not valid JSON"));
  return FromGraph(g, j, import_scope);
}

}  // namespace tfckpt::train
