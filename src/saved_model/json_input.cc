#include "src/saved_model/json_input.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <vector>

namespace tfckpt::saved_model {
namespace {

constexpr int kMaxDepth = 64;

struct JValue {
  enum Kind { kNull, kBool, kNumber, kString, kArray, kObject } kind = kNull;
  bool b = false;
  std::string text;  // number text or string value
  std::vector<JValue> items;
  std::vector<std::pair<std::string, JValue>> members;
};

class JsonParser {
 public:
  explicit JsonParser(std::string_view s) : s_(s) {}

  Status ParseDocument(JValue* v) {
    TFCKPT_RETURN_IF_ERROR(Parse(v, 0));
    SkipSpace();
    if (pos_ != s_.size()) return Error("unexpected text after the JSON value");
    return OkStatus();
  }

 private:
  Status Error(const std::string& what) const {
    return InvalidArgumentError(StrCat("invalid JSON at offset ", pos_, ": ", what));
  }
  void SkipSpace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' ||
                                s_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool Consume(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  Status Parse(JValue* v, int depth) {
    if (depth > kMaxDepth) return Error(StrCat("nested deeper than ", kMaxDepth));
    SkipSpace();
    if (pos_ >= s_.size()) return Error("unexpected end");
    const char c = s_[pos_];
    if (c == '[') {
      ++pos_;
      v->kind = JValue::kArray;
      SkipSpace();
      if (pos_ < s_.size() && s_[pos_] == ']') {
        ++pos_;
        return OkStatus();
      }
      while (true) {
        v->items.emplace_back();
        TFCKPT_RETURN_IF_ERROR(Parse(&v->items.back(), depth + 1));
        SkipSpace();
        if (pos_ < s_.size() && s_[pos_] == ',') {
          ++pos_;
        } else if (pos_ < s_.size() && s_[pos_] == ']') {
          ++pos_;
          return OkStatus();
        } else {
          return Error("expected ',' or ']'");
        }
      }
    }
    if (c == '{') {
      ++pos_;
      v->kind = JValue::kObject;
      SkipSpace();
      if (pos_ < s_.size() && s_[pos_] == '}') {
        ++pos_;
        return OkStatus();
      }
      while (true) {
        SkipSpace();
        JValue key;
        if (pos_ >= s_.size() || s_[pos_] != '"') return Error("expected a string key");
        TFCKPT_RETURN_IF_ERROR(ParseString(&key.text));
        SkipSpace();
        if (pos_ >= s_.size() || s_[pos_] != ':') return Error("expected ':'");
        ++pos_;
        v->members.emplace_back(key.text, JValue());
        TFCKPT_RETURN_IF_ERROR(Parse(&v->members.back().second, depth + 1));
        SkipSpace();
        if (pos_ < s_.size() && s_[pos_] == ',') {
          ++pos_;
        } else if (pos_ < s_.size() && s_[pos_] == '}') {
          ++pos_;
          return OkStatus();
        } else {
          return Error("expected ',' or '}'");
        }
      }
    }
    if (c == '"') {
      v->kind = JValue::kString;
      return ParseString(&v->text);
    }
    if (Consume("true")) {
      v->kind = JValue::kBool;
      v->b = true;
      return OkStatus();
    }
    if (Consume("false")) {
      v->kind = JValue::kBool;
      return OkStatus();
    }
    if (Consume("null")) return OkStatus();
    if (c == '-' || (c >= '0' && c <= '9')) return ParseNumber(v);
    return Error(StrCat("unexpected character '", std::string(1, c), "'"));
  }

  Status ParseNumber(JValue* v) {
    const size_t start = pos_;
    auto digits = [&]() {
      const size_t d = pos_;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
      return pos_ > d;
    };
    if (s_[pos_] == '-') ++pos_;
    if (pos_ < s_.size() && s_[pos_] == '0') {
      ++pos_;
    } else if (!digits()) {
      return Error("bad number");
    }
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      if (!digits()) return Error("bad number");
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (!digits()) return Error("bad number");
    }
    v->kind = JValue::kNumber;
    v->text = std::string(s_.substr(start, pos_ - start));
    return OkStatus();
  }

  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  Status Hex4(uint32_t* out) {
    if (pos_ + 4 > s_.size()) return Error("bad \\u escape");
    *out = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = s_[pos_++];
      *out <<= 4;
      if (c >= '0' && c <= '9') *out |= c - '0';
      else if (c >= 'a' && c <= 'f') *out |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') *out |= c - 'A' + 10;
      else return Error("bad \\u escape");
    }
    return OkStatus();
  }

  Status ParseString(std::string* out) {
    ++pos_;  // opening quote
    while (true) {
      if (pos_ >= s_.size()) return Error("unterminated string");
      const char c = s_[pos_++];
      if (c == '"') return OkStatus();
      if (static_cast<unsigned char>(c) < 0x20) return Error("control character in string");
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (pos_ >= s_.size()) return Error("unterminated string");
      const char e = s_[pos_++];
      switch (e) {
        case '"': out->push_back('"'); break;
        case '\\': out->push_back('\\'); break;
        case '/': out->push_back('/'); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'n': out->push_back('\n'); break;
        case 'r': out->push_back('\r'); break;
        case 't': out->push_back('\t'); break;
        case 'u': {
          uint32_t cp;
          TFCKPT_RETURN_IF_ERROR(Hex4(&cp));
          if (cp >= 0xD800 && cp < 0xDC00) {
            uint32_t lo;
            if (!Consume("\\u")) return Error("unpaired surrogate");
            TFCKPT_RETURN_IF_ERROR(Hex4(&lo));
            if (lo < 0xDC00 || lo >= 0xE000) return Error("unpaired surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp < 0xE000) {
            return Error("unpaired surrogate");
          }
          AppendUtf8(cp, out);
          break;
        }
        default:
          return Error("bad escape");
      }
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
};

StatusOr<JValue> ParseJson(std::string_view text) {
  JValue v;
  JsonParser p(text);
  TFCKPT_RETURN_IF_ERROR(p.ParseDocument(&v));
  return v;
}

// Shape of a nested list; leaves collected in row-major order.
Status ShapeOf(const JValue& v, std::vector<int64_t>* dims, std::vector<const JValue*>* leaves,
               int64_t max_elements) {
  // The first path fixes the dims; every other must agree.
  dims->clear();
  const JValue* p = &v;
  while (p->kind == JValue::kArray) {
    dims->push_back(static_cast<int64_t>(p->items.size()));
    if (p->items.empty()) break;
    p = &p->items[0];
  }
  std::vector<std::pair<const JValue*, size_t>> stack{{&v, 0}};
  while (!stack.empty()) {
    auto [node, depth] = stack.back();
    stack.pop_back();
    if (depth < dims->size()) {
      if (node->kind != JValue::kArray ||
          static_cast<int64_t>(node->items.size()) != (*dims)[depth]) {
        return InvalidArgumentError("the JSON lists are not rectangular (ragged nesting)");
      }
      for (auto it = node->items.rbegin(); it != node->items.rend(); ++it) {
        stack.push_back({&*it, depth + 1});
      }
    } else {
      if (node->kind == JValue::kArray) {
        return InvalidArgumentError("the JSON lists are not rectangular (ragged nesting)");
      }
      leaves->push_back(node);
      if (static_cast<int64_t>(leaves->size()) > max_elements) {
        return InvalidArgumentError(StrCat("more than ", max_elements, " values"));
      }
    }
  }
  return OkStatus();
}

std::string Describe(const JValue& v) {
  switch (v.kind) {
    case JValue::kNull: return "null";
    case JValue::kBool: return v.b ? "true" : "false";
    case JValue::kNumber: return v.text;
    case JValue::kString: return StrCat("\"", v.text, "\"");
    case JValue::kArray: return "a list";
    case JValue::kObject: return "an object";
  }
  return "?";
}

Status SetFloat(const JValue& v, tensor::DataType dt, tensor::Tensor* t, int64_t i) {
  double d = 0;
  float f = 0;
  if (v.kind == JValue::kNumber) {
    d = std::strtod(v.text.c_str(), nullptr);
    f = std::strtof(v.text.c_str(), nullptr);
  } else if (v.kind == JValue::kString && (v.text == "nan" || v.text == "inf" || v.text == "-inf")) {
    d = v.text == "nan" ? std::numeric_limits<double>::quiet_NaN()
        : v.text == "inf" ? std::numeric_limits<double>::infinity()
                          : -std::numeric_limits<double>::infinity();
    f = static_cast<float>(d);
  } else {
    return InvalidArgumentError(StrCat("expected a number for a ", tensor::DataTypeName(dt),
                                       " tensor, got ", Describe(v)));
  }
  if (dt == tensorflow::DT_FLOAT) {
    t->mutable_flat<float>()[i] = f;
  } else {
    t->mutable_flat<double>()[i] = d;
  }
  return OkStatus();
}

Status SetInt(const JValue& v, tensor::DataType dt, tensor::Tensor* t, int64_t i) {
  if (v.kind != JValue::kNumber || v.text.find_first_of(".eE") != std::string::npos) {
    return InvalidArgumentError(StrCat("expected an integer for a ", tensor::DataTypeName(dt),
                                       " tensor, got ", Describe(v)));
  }
  errno = 0;
  const bool negative = v.text[0] == '-';
  long long s = 0;
  unsigned long long u = 0;
  if (negative) {
    s = std::strtoll(v.text.c_str(), nullptr, 10);
  } else {
    u = std::strtoull(v.text.c_str(), nullptr, 10);
  }
  auto range = [&](long double lo, long double hi) -> Status {
    const long double x = negative ? static_cast<long double>(s) : static_cast<long double>(u);
    if (errno == ERANGE || x < lo || x > hi) {
      return InvalidArgumentError(StrCat(v.text, " is out of range for ", tensor::DataTypeName(dt)));
    }
    return OkStatus();
  };
#define TFCKPT_INT_CASE(DT, T)                                                          \
  case tensorflow::DT:                                                                  \
    TFCKPT_RETURN_IF_ERROR(range(static_cast<long double>(std::numeric_limits<T>::min()), \
                                 static_cast<long double>(std::numeric_limits<T>::max()))); \
    t->mutable_flat<T>()[i] = negative ? static_cast<T>(s) : static_cast<T>(u);         \
    return OkStatus();
  switch (dt) {
    TFCKPT_INT_CASE(DT_INT8, int8_t)
    TFCKPT_INT_CASE(DT_INT16, int16_t)
    TFCKPT_INT_CASE(DT_INT32, int32_t)
    TFCKPT_INT_CASE(DT_INT64, int64_t)
    TFCKPT_INT_CASE(DT_UINT8, uint8_t)
    TFCKPT_INT_CASE(DT_UINT16, uint16_t)
    TFCKPT_INT_CASE(DT_UINT32, uint32_t)
    TFCKPT_INT_CASE(DT_UINT64, uint64_t)
    default:
      break;
  }
#undef TFCKPT_INT_CASE
  return UnimplementedError(StrCat("JSON input of dtype ", tensor::DataTypeName(dt)));
}

StatusOr<std::string> Bytes(const JValue& v) {
  if (v.kind == JValue::kString) return v.text;
  if (v.kind == JValue::kObject && v.members.size() == 1 && v.members[0].first == "hex" &&
      v.members[0].second.kind == JValue::kString) {
    const std::string& h = v.members[0].second.text;
    if (h.size() % 2 != 0) return InvalidArgumentError("odd number of hex digits");
    std::string out;
    for (size_t k = 0; k < h.size(); k += 2) {
      auto nib = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
      };
      const int a = nib(h[k]), b = nib(h[k + 1]);
      if (a < 0 || b < 0) return InvalidArgumentError(StrCat("bad hex digits in \"", h, "\""));
      out.push_back(static_cast<char>(a * 16 + b));
    }
    return out;
  }
  return InvalidArgumentError(StrCat("expected a string (or {\"hex\": ...}) for a string tensor, got ",
                                     Describe(v)));
}

}  // namespace

StatusOr<tensor::Tensor> TensorFromJson(std::string_view text, tensor::DataType dtype,
                                        int64_t max_elements) {
  TFCKPT_ASSIGN_OR_RETURN(JValue v, ParseJson(text));
  std::vector<int64_t> dims;
  std::vector<const JValue*> leaves;
  TFCKPT_RETURN_IF_ERROR(ShapeOf(v, &dims, &leaves, max_elements));
  TFCKPT_ASSIGN_OR_RETURN(tensor::TensorShape shape, tensor::TensorShape::Make(dims));
  if (dtype == tensorflow::DT_STRING) {
    std::vector<std::string> values;
    for (const JValue* leaf : leaves) {
      TFCKPT_ASSIGN_OR_RETURN(std::string s, Bytes(*leaf));
      values.push_back(std::move(s));
    }
    return tensor::Tensor::FromStrings(shape, std::move(values));
  }
  TFCKPT_ASSIGN_OR_RETURN(tensor::Tensor t, tensor::Tensor::Allocate(dtype, shape));
  for (size_t i = 0; i < leaves.size(); ++i) {
    const JValue& leaf = *leaves[i];
    switch (dtype) {
      case tensorflow::DT_FLOAT:
      case tensorflow::DT_DOUBLE:
        TFCKPT_RETURN_IF_ERROR(SetFloat(leaf, dtype, &t, static_cast<int64_t>(i)));
        break;
      case tensorflow::DT_BOOL:
        if (leaf.kind != JValue::kBool) {
          return InvalidArgumentError(StrCat("expected true or false for a bool tensor, got ",
                                             Describe(leaf)));
        }
        t.mutable_flat<bool>()[i] = leaf.b;
        break;
      default:
        TFCKPT_RETURN_IF_ERROR(SetInt(leaf, dtype, &t, static_cast<int64_t>(i)));
    }
  }
  return t;
}

namespace {

Status FeatureFromJson(const std::string& key, const JValue& v, tensorflow::Feature* f) {
  auto bad = [&](const std::string& what) {
    return InvalidArgumentError(StrCat("feature \"", key, "\": ", what));
  };
  std::string kind;
  const JValue* list = &v;
  if (v.kind == JValue::kObject) {
    if (v.members.size() != 1 ||
        (v.members[0].first != "float_list" && v.members[0].first != "int64_list" &&
         v.members[0].first != "bytes_list")) {
      return bad("an object must be {\"float_list\"|\"int64_list\"|\"bytes_list\": [...]}");
    }
    kind = v.members[0].first;
    list = &v.members[0].second;
  }
  std::vector<const JValue*> items;
  if (list->kind == JValue::kArray) {
    for (const JValue& i : list->items) items.push_back(&i);
  } else {
    items.push_back(list);
  }
  if (kind.empty()) {
    if (items.empty()) {
      return bad("an empty list has no type; write {\"float_list\": []} (or int64_list, "
                 "bytes_list)");
    }
    bool strings = false, floats = false;
    for (const JValue* i : items) {
      if (i->kind == JValue::kString) strings = true;
      if (i->kind == JValue::kNumber && i->text.find_first_of(".eE") != std::string::npos) {
        floats = true;
      }
    }
    kind = strings ? "bytes_list" : floats ? "float_list" : "int64_list";
  }
  if (kind == "bytes_list") {
    auto* out = f->mutable_bytes_list();
    for (const JValue* i : items) {
      TFCKPT_ASSIGN_OR_RETURN(std::string s, Bytes(*i));
      out->add_value(std::move(s));
    }
    return OkStatus();
  }
  const tensor::DataType dt = kind == "float_list" ? tensorflow::DT_FLOAT : tensorflow::DT_INT64;
  TFCKPT_ASSIGN_OR_RETURN(tensor::Tensor t,
                          tensor::Tensor::Allocate(dt, tensor::TensorShape{static_cast<int64_t>(items.size())}));
  for (size_t k = 0; k < items.size(); ++k) {
    Status s = dt == tensorflow::DT_FLOAT ? SetFloat(*items[k], dt, &t, static_cast<int64_t>(k))
                                          : SetInt(*items[k], dt, &t, static_cast<int64_t>(k));
    if (!s.ok()) return bad(s.message());
  }
  if (dt == tensorflow::DT_FLOAT) {
    auto* out = f->mutable_float_list();
    for (size_t k = 0; k < items.size(); ++k) out->add_value(t.flat<float>()[k]);
  } else {
    auto* out = f->mutable_int64_list();
    for (size_t k = 0; k < items.size(); ++k) out->add_value(t.flat<int64_t>()[k]);
  }
  return OkStatus();
}

}  // namespace

StatusOr<tensor::Tensor> ExamplesFromJson(std::string_view text) {
  TFCKPT_ASSIGN_OR_RETURN(JValue v, ParseJson(text));
  std::vector<const JValue*> objects;
  if (v.kind == JValue::kObject) {
    objects.push_back(&v);
  } else if (v.kind == JValue::kArray) {
    for (const JValue& i : v.items) objects.push_back(&i);
  }
  std::vector<std::string> serialized;
  for (const JValue* o : objects) {
    if (o->kind != JValue::kObject) {
      return InvalidArgumentError("tf.Example JSON: expected an object of features or a list of "
                                  "them");
    }
    tensorflow::Example ex;
    auto* features = ex.mutable_features()->mutable_feature();
    for (const auto& [key, value] : o->members) {
      tensorflow::Feature f;
      TFCKPT_RETURN_IF_ERROR(FeatureFromJson(key, value, &f));
      (*features)[key] = std::move(f);
    }
    std::string bytes;
    {
      google::protobuf::io::StringOutputStream stream(&bytes);
      google::protobuf::io::CodedOutputStream coded(&stream);
      coded.SetSerializationDeterministic(true);
      ex.SerializeToCodedStream(&coded);
    }
    serialized.push_back(std::move(bytes));
  }
  if (v.kind != JValue::kObject && v.kind != JValue::kArray) {
    return InvalidArgumentError("tf.Example JSON: expected an object of features or a list of them");
  }
  const int64_t n = static_cast<int64_t>(serialized.size());
  return tensor::Tensor::FromStrings(tensor::TensorShape{n}, std::move(serialized));
}

}  // namespace tfckpt::saved_model
