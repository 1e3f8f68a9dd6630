#include "src/graph/op_registry.h"

#include <google/protobuf/text_format.h>

#include <cctype>
#include <cstdlib>

#include "src/tensor/dtype.h"

namespace tfckpt::graph {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> SplitComma(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t comma = s.find(',', start);
    const size_t end = comma == std::string_view::npos ? s.size() : comma;
    std::string_view item = Trim(s.substr(start, end - start));
    if (!item.empty()) out.push_back(item);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

// "float", "int32", "DT_INT32"...
bool ParseDataType(std::string_view text, tensorflow::DataType* out) {
  if (auto dt = tensor::DataTypeFromName(text)) {
    *out = *dt;
    return true;
  }
  tensorflow::DataType dt;
  if (tensorflow::DataType_Parse(std::string(text), &dt) && dt != tensorflow::DT_INVALID) {
    *out = dt;
    return true;
  }
  return false;
}

bool ParseInt(std::string_view text, int64_t* out) {
  const std::string s(Trim(text));
  if (s.empty()) return false;
  char* end = nullptr;
  *out = std::strtoll(s.c_str(), &end, 10);
  return end == s.c_str() + s.size();
}

bool Unquote(std::string_view text, std::string* out) {
  if (text.size() < 2) return false;
  const char q = text.front();
  if ((q != '\'' && q != '"') || text.back() != q) return false;
  *out = std::string(text.substr(1, text.size() - 2));
  return true;
}

Status ParseDefault(const std::string& type, std::string_view text, tensorflow::AttrValue* v) {
  text = Trim(text);
  if (type == "type") {
    tensorflow::DataType dt;
    if (!ParseDataType(text, &dt)) return InvalidArgumentError(StrCat("bad type default ", text));
    v->set_type(dt);
  } else if (type == "int") {
    int64_t i;
    if (!ParseInt(text, &i)) return InvalidArgumentError(StrCat("bad int default ", text));
    v->set_i(i);
  } else if (type == "float") {
    const std::string s(text);
    char* end = nullptr;
    const float f = std::strtof(s.c_str(), &end);
    if (end != s.c_str() + s.size()) return InvalidArgumentError(StrCat("bad float default ", text));
    v->set_f(f);
  } else if (type == "bool") {
    if (text != "true" && text != "false") {
      return InvalidArgumentError(StrCat("bad bool default ", text));
    }
    v->set_b(text == "true");
  } else if (type == "string") {
    std::string s;
    if (!Unquote(text, &s)) return InvalidArgumentError(StrCat("bad string default ", text));
    v->set_s(s);
  } else if (type == "shape") {
    if (text.size() < 2 || text.front() != '{' || text.back() != '}' ||
        !google::protobuf::TextFormat::ParseFromString(
            std::string(text.substr(1, text.size() - 2)), v->mutable_shape())) {
      return InvalidArgumentError(StrCat("bad shape default ", text));
    }
  } else if (type.rfind("list(", 0) == 0) {
    if (text != "[]") return InvalidArgumentError(StrCat("only [] list defaults: ", text));
    v->mutable_list();
  } else {
    return InvalidArgumentError(StrCat("no default supported for attr type ", type));
  }
  return OkStatus();
}

Status ParseAttr(std::string_view spec, tensorflow::OpDef::AttrDef* a) {
  const size_t colon = spec.find(':');
  if (colon == std::string_view::npos) return InvalidArgumentError("missing ':'");
  a->set_name(std::string(Trim(spec.substr(0, colon))));
  std::string_view rest = Trim(spec.substr(colon + 1));
  if (!rest.empty() && rest.front() == '{') {
    const size_t close = rest.find('}');
    if (close == std::string_view::npos) return InvalidArgumentError("missing '}'");
    const std::vector<std::string_view> items = SplitComma(rest.substr(1, close - 1));
    rest = Trim(rest.substr(close + 1));
    auto* list = a->mutable_allowed_values()->mutable_list();
    if (!items.empty() && (items[0].front() == '\'' || items[0].front() == '"')) {
      a->set_type("string");
      for (std::string_view item : items) {
        std::string s;
        if (!Unquote(item, &s)) return InvalidArgumentError(StrCat("bad string ", item));
        list->add_s(s);
      }
    } else {
      a->set_type("type");
      for (std::string_view item : items) {
        tensorflow::DataType dt;
        if (!ParseDataType(item, &dt)) return InvalidArgumentError(StrCat("bad type ", item));
        list->add_type(dt);
      }
    }
  } else {
    size_t end = 0;
    while (end < rest.size() && !std::isspace(static_cast<unsigned char>(rest[end])) &&
           rest[end] != '=' && rest[end] != '>') {
      ++end;
    }
    a->set_type(std::string(rest.substr(0, end)));
    rest = Trim(rest.substr(end));
  }
  static const char* const kTypes[] = {"string", "int", "float", "bool", "type", "shape",
                                       "tensor", "func", "list(string)", "list(int)",
                                       "list(float)", "list(bool)", "list(type)",
                                       "list(shape)", "list(tensor)", "list(func)"};
  bool known = false;
  for (const char* t : kTypes) known = known || a->type() == t;
  if (!known) return InvalidArgumentError(StrCat("unknown attr type '", a->type(), "'"));
  if (rest.substr(0, 2) == ">=") {
    rest = Trim(rest.substr(2));
    size_t end = 0;
    while (end < rest.size() && (rest[end] == '-' || std::isdigit(static_cast<unsigned char>(rest[end])))) {
      ++end;
    }
    int64_t minimum;
    if (!ParseInt(rest.substr(0, end), &minimum)) return InvalidArgumentError("bad minimum");
    a->set_has_minimum(true);
    a->set_minimum(minimum);
    rest = Trim(rest.substr(end));
  }
  if (!rest.empty()) {
    if (rest.front() != '=') return InvalidArgumentError(StrCat("unexpected '", rest, "'"));
    TFCKPT_RETURN_IF_ERROR(ParseDefault(a->type(), rest.substr(1), a->mutable_default_value()));
  }
  return OkStatus();
}

const tensorflow::OpDef::AttrDef* FindAttr(const tensorflow::OpDef& op, std::string_view name) {
  for (const auto& a : op.attr()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}

Status ParseArg(std::string_view spec, const tensorflow::OpDef& op, tensorflow::OpDef::ArgDef* arg) {
  const size_t colon = spec.find(':');
  if (colon == std::string_view::npos) return InvalidArgumentError("missing ':'");
  arg->set_name(std::string(Trim(spec.substr(0, colon))));
  std::string_view type = Trim(spec.substr(colon + 1));
  if (type.substr(0, 4) == "Ref(" && type.back() == ')') {
    arg->set_is_ref(true);
    type = Trim(type.substr(4, type.size() - 5));
  }
  const size_t star = type.find('*');
  if (star != std::string_view::npos) {
    const std::string number(Trim(type.substr(0, star)));
    const auto* n = FindAttr(op, number);
    if (n == nullptr || n->type() != "int") {
      return InvalidArgumentError(StrCat("'", number, "' is not an int attr"));
    }
    arg->set_number_attr(number);
    type = Trim(type.substr(star + 1));
  }
  if (const auto* a = FindAttr(op, type)) {
    if (a->type() == "type") {
      arg->set_type_attr(std::string(type));
    } else if (a->type() == "list(type)" && arg->number_attr().empty()) {
      arg->set_type_list_attr(std::string(type));
    } else {
      return InvalidArgumentError(StrCat("attr '", type, "' cannot type an argument"));
    }
    return OkStatus();
  }
  tensorflow::DataType dt;
  if (!ParseDataType(type, &dt)) return InvalidArgumentError(StrCat("unknown type '", type, "'"));
  arg->set_type(dt);
  return OkStatus();
}

}  // namespace

StatusOr<tensorflow::OpDef> OpDefBuilder::Build() const {
  tensorflow::OpDef op;
  op.set_name(name_);
  auto fail = [&](const std::string& spec, const Status& s) {
    return InvalidArgumentError(StrCat("op ", name_, ": spec '", spec, "': ", s.message()));
  };
  for (const std::string& spec : attrs_) {
    tensorflow::OpDef::AttrDef a;
    Status s = ParseAttr(spec, &a);
    if (!s.ok()) return fail(spec, s);
    if (FindAttr(op, a.name()) != nullptr) return fail(spec, InvalidArgumentError("duplicate attr"));
    *op.add_attr() = std::move(a);
  }
  for (const std::string& spec : inputs_) {
    Status s = ParseArg(spec, op, op.add_input_arg());
    if (!s.ok()) return fail(spec, s);
  }
  for (const std::string& spec : outputs_) {
    Status s = ParseArg(spec, op, op.add_output_arg());
    if (!s.ok()) return fail(spec, s);
  }
  op.set_is_stateful(stateful_);
  op.set_is_commutative(commutative_);
  op.set_is_aggregate(aggregate_);
  op.set_allows_uninitialized_input(allows_uninitialized_);
  return op;
}

void OpRegistry::Register(const OpDefBuilder& builder, KernelFactory kernel) {
  auto op = builder.Build();
  Status s = op.status();
  if (op.ok() && ops_.count(op->name()) > 0) {
    s = AlreadyExistsError(StrCat("op ", op->name(), " registered twice"));
  }
  if (!s.ok()) {
    if (status_.ok()) status_ = s;
    return;
  }
  std::string name = op->name();
  ops_.emplace(std::move(name), OpRegistration{std::move(*op), std::move(kernel)});
}

const OpRegistration* OpRegistry::Find(std::string_view op) const {
  auto it = ops_.find(op);
  return it == ops_.end() ? nullptr : &it->second;
}

std::vector<std::string> OpRegistry::OpNames() const {
  std::vector<std::string> names;
  for (const auto& [name, reg] : ops_) names.push_back(name);
  return names;
}

const OpRegistry& OpRegistry::Global() {
  static const OpRegistry* const registry = [] {
    auto* r = new OpRegistry;
    RegisterArrayOps(r);
    RegisterMathOps(r);
    RegisterNnOps(r);
    RegisterStateOps(r);
    RegisterIoOps(r);
    RegisterStringOps(r);
    RegisterRandomOps(r);
    RegisterControlFlowOps(r);
    return r;
  }();
  return *registry;
}

}  // namespace tfckpt::graph
