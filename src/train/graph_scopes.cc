// Scopes (name, device, colocation, control dependencies, attrs),
// DeviceSpec and name-scope string helpers of graph_builder.h.
#include <algorithm>
#include <regex>

#include "src/train/graph_builder.h"

namespace tfckpt::train {
namespace {

// TF's _VALID_OP_NAME_REGEX / _VALID_SCOPE_NAME_REGEX (ops.py).
constexpr char kOpNamePattern[] = R"(^[A-Za-z0-9.][A-Za-z0-9_.\\/>-]*$)";
constexpr char kScopeNamePattern[] = R"(^[A-Za-z0-9_.\\/>-]*$)";

bool Matches(const std::string& s, const char* pattern) {
  static const std::regex op_re(kOpNamePattern);
  static const std::regex scope_re(kScopeNamePattern);
  return std::regex_match(s, pattern == kOpNamePattern ? op_re : scope_re);
}

}  // namespace

// ---- scopes -------------------------------------------------------------------

NameScope::NameScope(Graph* g, const std::string& name) : g_(g) { Enter(name); }

NameScope::NameScope(Graph* g, const std::string& name, const std::string& default_name)
    : g_(g) {
  Enter(name.empty() ? default_name : name);
}

void NameScope::Enter(const std::string& name) {
  old_ = g_->name_stack_;
  if (!name.empty()) {
    const bool ok = g_->name_stack_.empty() ? Matches(name, kOpNamePattern)
                                            : Matches(name, kScopeNamePattern);
    if (!ok) {
      g_->RecordError(InvalidArgumentError(
          g_->name_stack_.empty()
              ? StrCat("'", name, "' is not a valid root scope name. A root scope name has to "
                       "match the following pattern: ", kOpNamePattern)
              : StrCat("'", name, "' is not a valid scope name. A scope name has to match the "
                       "following pattern: ", kScopeNamePattern)));
      scope_ = old_.empty() ? "" : old_ + "/";
      return;
    }
  }
  if (name.empty()) {
    g_->name_stack_.clear();
    scope_.clear();
  } else if (name.back() == '/') {
    g_->name_stack_ = name.substr(0, name.size() - 1);
    scope_ = name;
  } else {
    g_->name_stack_ = g_->UniqueName(name);
    scope_ = g_->name_stack_ + "/";
  }
}

NameScope::~NameScope() { g_->name_stack_ = old_; }

DeviceScope::DeviceScope(Graph* g, std::optional<std::string> spec) : g_(g) {
  Graph::DeviceEntry e;
  e.reset = !spec.has_value();
  if (spec.has_value()) {
    auto parsed = DeviceSpec::FromString(*spec);
    if (!parsed.ok()) g->RecordError(parsed.status());
    e.spec = *spec;
  }
  g->devices_.push_back(std::move(e));
}

DeviceScope::~DeviceScope() { g_->devices_.pop_back(); }

ColocateWith::ColocateWith(Graph* g, const std::string& op, bool ignore_existing) : g_(g) {
  saved_devices_ = std::move(g->devices_);
  g->devices_.clear();
  if (ignore_existing) {
    saved_colocation_ = std::move(g->colocation_);
    g->colocation_.clear();
  }
  if (!op.empty()) {
    g->colocation_.push_back(op);
    pushed_ = true;
  }
}

ColocateWith::~ColocateWith() {
  g_->devices_ = std::move(saved_devices_);
  if (pushed_) g_->colocation_.pop_back();
  if (saved_colocation_.has_value()) g_->colocation_ = std::move(*saved_colocation_);
}

ControlDependencies::ControlDependencies(Graph* g, std::optional<std::vector<std::string>> ops)
    : g_(g), new_stack_(!ops.has_value()) {
  Graph::Controller c;
  if (new_stack_) {
    saved_ = std::move(g->controllers_);
    g->controllers_.clear();
    c.new_stack = true;
  } else {
    std::vector<std::string> current = g->CurrentControlDependencies();
    tensorflow::AttrValue yes;
    yes.set_b(true);
    for (const std::string& op : *ops) {
      if (std::find(current.begin(), current.end(), op) != current.end()) continue;
      c.control_inputs.push_back(op);
      current.push_back(op);
      g->SetAttr(op, "_has_manual_control_dependencies", yes);
    }
  }
  g->controllers_.push_back(std::move(c));
}

ControlDependencies::~ControlDependencies() {
  g_->controllers_.pop_back();
  if (new_stack_) g_->controllers_ = std::move(saved_);
}

AttrScope::AttrScope(Graph* g, AttrMap attrs) : g_(g) { g->attr_scopes_.push_back(std::move(attrs)); }
AttrScope::~AttrScope() { g_->attr_scopes_.pop_back(); }

// ---- DeviceSpec ------------------------------------------------------------------

StatusOr<DeviceSpec> DeviceSpec::FromString(const std::string& spec) {
  DeviceSpec d;
  size_t start = 0;
  auto bad = [&](const std::string& what) {
    return InvalidArgumentError(StrCat("Unknown attribute '", what,
                                       "' is encountered while parsing the device spec: '", spec,
                                       "'."));
  };
  auto to_int = [](const std::string& s, int64_t* out) {
    try {
      size_t used = 0;
      *out = std::stoll(s, &used);
      return used == s.size();
    } catch (...) {
      return false;
    }
  };
  while (start <= spec.size()) {
    size_t end = spec.find('/', start);
    if (end == std::string::npos) end = spec.size();
    const std::string part = spec.substr(start, end - start);
    start = end + 1;
    if (part.empty()) continue;
    std::vector<std::string> y;
    size_t p = 0;
    while (true) {
      size_t q = part.find(':', p);
      y.push_back(part.substr(p, q == std::string::npos ? std::string::npos : q - p));
      if (q == std::string::npos) break;
      p = q + 1;
    }
    std::string upper = y[0];
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    int64_t n = 0;
    if (y.size() == 2 && y[0] == "job") {
      d.job = y[1];
    } else if (y.size() == 2 && y[0] == "replica" && to_int(y[1], &n)) {
      d.replica = n;
    } else if (y.size() == 2 && y[0] == "task" && to_int(y[1], &n)) {
      d.task = n;
    } else if ((y.size() == 1 || y.size() == 2) && (upper == "CPU" || upper == "GPU" ||
                                                    upper == "TPU")) {
      if (d.device_type.has_value()) {
        return InvalidArgumentError(StrCat(
            "Multiple device types are not allowed while parsing the device spec: ", spec, "."));
      }
      d.device_type = upper;
      if (y.size() == 2 && y[1] != "*") {
        if (!to_int(y[1], &n)) return bad(y[0]);
        d.device_index = n;
      }
    } else if (y.size() == 3 && y[0] == "device") {
      if (d.device_type.has_value()) {
        return InvalidArgumentError(StrCat(
            "Multiple device types are not allowed while parsing the device spec: ", spec, "."));
      }
      d.device_type = y[1];
      if (y[2] != "*") {
        if (!to_int(y[2], &n)) return bad(y[0]);
        d.device_index = n;
      }
    } else {
      return bad(y[0]);
    }
  }
  return d;
}

DeviceSpec DeviceSpec::MergedWith(const DeviceSpec& o) const {
  DeviceSpec d = *this;
  if (o.job) d.job = o.job;
  if (o.replica) d.replica = o.replica;
  if (o.task) d.task = o.task;
  if (o.device_type) d.device_type = o.device_type;
  if (o.device_index) d.device_index = o.device_index;
  return d;
}

std::string DeviceSpec::ToString() const {
  std::string out;
  if (job) out += StrCat("/job:", *job);
  if (replica) out += StrCat("/replica:", *replica);
  if (task) out += StrCat("/task:", *task);
  if (device_type) {
    out += StrCat("/device:", *device_type, ":",
                  device_index ? std::to_string(*device_index) : std::string("*"));
  }
  return out;
}

std::string CanonicalDevice(const std::string& device) {
  if (device.empty()) return "";
  auto d = DeviceSpec::FromString(device);
  return d.ok() ? d->ToString() : device;
}

// ---- names ----------------------------------------------------------------------

std::string StripNameScope(const std::string& name, const std::string& scope_in) {
  if (scope_in.empty()) return name;
  std::string scope = scope_in;
  if (scope.back() == '/') scope.pop_back();
  // re.sub(r"([\^]|loc:@|^)" + scope + r"[\/]+(.*)", r"\1\2", name, count=1):
  // the first match anywhere that starts at the beginning, after '^' or after
  // "loc:@".
  for (size_t pos = 0; pos <= name.size(); ++pos) {
    size_t prefix_len;
    if (pos == 0) {
      prefix_len = 0;
    } else if (name[pos - 1] == '^') {
      prefix_len = 1;
    } else if (pos >= 5 && name.compare(pos - 5, 5, "loc:@") == 0) {
      prefix_len = 5;
    } else {
      continue;
    }
    (void)prefix_len;
    if (name.compare(pos, scope.size(), scope) != 0) continue;
    size_t after = pos + scope.size();
    if (after >= name.size() || name[after] != '/') continue;
    while (after < name.size() && name[after] == '/') ++after;
    return name.substr(0, pos) + name.substr(after);
  }
  return name;
}

std::string PrependNameScope(const std::string& name, const std::string& scope_in) {
  if (scope_in.empty()) return name;
  std::string scope = scope_in;
  if (scope.back() == '/') scope.pop_back();
  // re.sub(r"([\^]|loc:@|^)(.*)", r"\1" + scope + r"/\2", name): every
  // match, left to right. '.' stops at '\n', so each line starting with
  // '^' or "loc:@" is scoped again ("a\n^b" -> "s/a\n^s/b"; bytes
  // collection values can hold newlines).
  std::string out;
  size_t pos = 0;
  while (pos <= name.size()) {
    size_t prefix = 0;
    if (pos < name.size() && name[pos] == '^') {
      prefix = 1;
    } else if (name.compare(pos, 5, "loc:@") == 0) {
      prefix = 5;
    } else if (pos != 0) {
      if (pos < name.size()) out += name[pos];
      ++pos;
      continue;
    }
    const size_t end = std::min(name.find('\n', pos + prefix), name.size());
    out += StrCat(name.substr(pos, prefix), scope, "/",
                  name.substr(pos + prefix, end - pos - prefix));
    if (end == pos && pos < name.size()) out += name[pos];  // an empty match moves on by one
    pos = end == pos ? pos + 1 : end;
    if (end == name.size()) break;
  }
  return out;
}

std::string PythonShapeString(const tensorflow::TensorShapeProto& shape) {
  if (shape.unknown_rank()) return "<unknown>";
  std::string out = "(";
  for (int i = 0; i < shape.dim_size(); ++i) {
    if (i > 0) out += ", ";
    out += shape.dim(i).size() < 0 ? std::string("None") : std::to_string(shape.dim(i).size());
  }
  if (shape.dim_size() == 1) out += ",";
  return out + ")";
}

std::string PythonDTypeName(DataType dtype, bool ref) {
  std::string n;
  switch (dtype) {
    case tensorflow::DT_FLOAT: n = "float32"; break;
    case tensorflow::DT_DOUBLE: n = "float64"; break;
    case tensorflow::DT_HALF: n = "float16"; break;
    case tensorflow::DT_STRING: n = "string"; break;
    default: n = tensor::DataTypeName(dtype); break;
  }
  return ref ? n + "_ref" : n;
}

}  // namespace tfckpt::train
