#include "src/train/proto_serialize.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "src/io/coding.h"
#include "src/state/text_format.h"

namespace tfckpt::train {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

std::string Deterministic(const Message& m) {
  std::string out;
  google::protobuf::io::StringOutputStream sos(&out);
  google::protobuf::io::CodedOutputStream cos(&sos);
  cos.SetSerializationDeterministic(true);
  m.SerializeToCodedStream(&cos);
  cos.Trim();
  return out;
}


// Whether a message type (transitively) has a map field.
bool HasMap(const Descriptor* d, std::map<const Descriptor*, bool>* memo) {
  auto it = memo->find(d);
  if (it != memo->end()) return it->second;
  (*memo)[d] = false;  // cycles: assume none until found
  bool has = false;
  for (int i = 0; i < d->field_count() && !has; ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->is_map()) has = true;
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && HasMap(f->message_type(), memo)) {
      has = true;
    }
  }
  (*memo)[d] = has;
  return has;
}

// A copy of `m` holding only field f (scalars, strings, enums, repeated
// scalars): C++ serializes it exactly as the whole message would.
std::string SingleField(const Message& m, const FieldDescriptor* f) {
  std::unique_ptr<Message> copy(m.New());
  const Reflection* r = m.GetReflection();
  const Reflection* w = copy->GetReflection();
  if (f->is_repeated()) {
    const int n = r->FieldSize(m, f);
    for (int i = 0; i < n; ++i) {
      switch (f->cpp_type()) {
        case FieldDescriptor::CPPTYPE_INT32: w->AddInt32(copy.get(), f, r->GetRepeatedInt32(m, f, i)); break;
        case FieldDescriptor::CPPTYPE_INT64: w->AddInt64(copy.get(), f, r->GetRepeatedInt64(m, f, i)); break;
        case FieldDescriptor::CPPTYPE_UINT32: w->AddUInt32(copy.get(), f, r->GetRepeatedUInt32(m, f, i)); break;
        case FieldDescriptor::CPPTYPE_UINT64: w->AddUInt64(copy.get(), f, r->GetRepeatedUInt64(m, f, i)); break;
        case FieldDescriptor::CPPTYPE_DOUBLE: w->AddDouble(copy.get(), f, r->GetRepeatedDouble(m, f, i)); break;
        case FieldDescriptor::CPPTYPE_FLOAT: w->AddFloat(copy.get(), f, r->GetRepeatedFloat(m, f, i)); break;
        case FieldDescriptor::CPPTYPE_BOOL: w->AddBool(copy.get(), f, r->GetRepeatedBool(m, f, i)); break;
        case FieldDescriptor::CPPTYPE_ENUM: w->AddEnumValue(copy.get(), f, r->GetRepeatedEnumValue(m, f, i)); break;
        case FieldDescriptor::CPPTYPE_STRING: w->AddString(copy.get(), f, r->GetRepeatedString(m, f, i)); break;
        case FieldDescriptor::CPPTYPE_MESSAGE: w->AddMessage(copy.get(), f)->CopyFrom(r->GetRepeatedMessage(m, f, i)); break;
      }
    }
  } else {
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32: w->SetInt32(copy.get(), f, r->GetInt32(m, f)); break;
      case FieldDescriptor::CPPTYPE_INT64: w->SetInt64(copy.get(), f, r->GetInt64(m, f)); break;
      case FieldDescriptor::CPPTYPE_UINT32: w->SetUInt32(copy.get(), f, r->GetUInt32(m, f)); break;
      case FieldDescriptor::CPPTYPE_UINT64: w->SetUInt64(copy.get(), f, r->GetUInt64(m, f)); break;
      case FieldDescriptor::CPPTYPE_DOUBLE: w->SetDouble(copy.get(), f, r->GetDouble(m, f)); break;
      case FieldDescriptor::CPPTYPE_FLOAT: w->SetFloat(copy.get(), f, r->GetFloat(m, f)); break;
      case FieldDescriptor::CPPTYPE_BOOL: w->SetBool(copy.get(), f, r->GetBool(m, f)); break;
      case FieldDescriptor::CPPTYPE_ENUM: w->SetEnumValue(copy.get(), f, r->GetEnumValue(m, f)); break;
      case FieldDescriptor::CPPTYPE_STRING: w->SetString(copy.get(), f, r->GetString(m, f)); break;
      case FieldDescriptor::CPPTYPE_MESSAGE: w->MutableMessage(copy.get(), f)->CopyFrom(r->GetMessage(m, f)); break;
    }
  }
  return Deterministic(*copy);
}

std::string MapKey(const Message& entry) {
  const FieldDescriptor* key = entry.GetDescriptor()->FindFieldByNumber(1);
  const Reflection* r = entry.GetReflection();
  switch (key->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return r->GetString(entry, key);
    default:
      return "";  // non-string keys: kept in C++ order below
  }
}

std::string Serialize(const Message& m, std::map<const Descriptor*, bool>* memo);

// A map entry: key (field 1) and value (field 2), both always written.
std::string MapEntry(const Message& e, std::map<const Descriptor*, bool>* memo) {
  const Reflection* r = e.GetReflection();
  const FieldDescriptor* key = e.GetDescriptor()->FindFieldByNumber(1);
  const FieldDescriptor* value = e.GetDescriptor()->FindFieldByNumber(2);
  std::string out;
  AppendLengthDelimited(1, r->GetString(e, key), &out);
  switch (value->cpp_type()) {
    case FieldDescriptor::CPPTYPE_MESSAGE:
      AppendLengthDelimited(2, Serialize(r->GetMessage(e, value), memo), &out);
      break;
    case FieldDescriptor::CPPTYPE_STRING:
      AppendLengthDelimited(2, r->GetString(e, value), &out);
      break;
    case FieldDescriptor::CPPTYPE_INT32:
      AppendVarintField(2, static_cast<uint64_t>(static_cast<int64_t>(r->GetInt32(e, value))),
                        &out);
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      AppendVarintField(2, static_cast<uint64_t>(r->GetInt64(e, value)), &out);
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      AppendVarintField(2, r->GetBool(e, value) ? 1 : 0, &out);
      break;
    default:
      break;  // no such map in TensorFlow's protos
  }
  return out;
}

std::string Serialize(const Message& m, std::map<const Descriptor*, bool>* memo) {
  const Descriptor* d = m.GetDescriptor();
  if (!HasMap(d, memo)) return Deterministic(m);
  const Reflection* r = m.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  std::string out;
  for (const FieldDescriptor* f : fields) {
    if (f->is_map()) {
      const int n = r->FieldSize(m, f);
      std::vector<const Message*> entries;
      for (int i = 0; i < n; ++i) entries.push_back(&r->GetRepeatedMessage(m, f, i));
      const bool string_keys = f->message_type()->FindFieldByNumber(1)->cpp_type() ==
                               FieldDescriptor::CPPTYPE_STRING;
      if (string_keys) {
        std::stable_sort(entries.begin(), entries.end(), [](const Message* a, const Message* b) {
          return UpbMapKeyLess(MapKey(*a), MapKey(*b));
        });
        for (const Message* e : entries) {
          AppendLengthDelimited(f->number(), MapEntry(*e, memo), &out);
        }
      } else {
        out += SingleField(m, f);
      }
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
               HasMap(f->message_type(), memo)) {
      if (f->is_repeated()) {
        for (int i = 0; i < r->FieldSize(m, f); ++i) {
          AppendLengthDelimited(f->number(), Serialize(r->GetRepeatedMessage(m, f, i), memo), &out);
        }
      } else {
        AppendLengthDelimited(f->number(), Serialize(r->GetMessage(m, f), memo), &out);
      }
    } else {
      out += SingleField(m, f);
    }
  }
  return out;
}

// type_checkers.ToShortestFloat, then str().
std::string ShortestFloat(float f) {
  if (std::isnan(f)) return "nan";
  if (std::isinf(f)) return f > 0 ? "inf" : "-inf";
  for (int precision = 6; precision < 17; ++precision) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.*g", precision, static_cast<double>(f));
    const double rounded = std::strtod(buf, nullptr);
    if (static_cast<float>(rounded) == f) return state::PythonFloatRepr(rounded);
  }
  return state::PythonFloatRepr(f);
}

void PrintMessage(const Message& m, int indent, std::string* out);

void PrintValue(const Message& m, const FieldDescriptor* f, int index, int indent,
                std::string* out) {
  const Reflection* r = m.GetReflection();
  const bool rep = f->is_repeated();
  const std::string pad(indent, ' ');
  if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    const Message& sub = rep ? r->GetRepeatedMessage(m, f, index) : r->GetMessage(m, f);
    *out += pad + f->name() + " {\n";
    PrintMessage(sub, indent + 2, out);
    *out += pad + "}\n";
    return;
  }
  *out += pad + f->name() + ": ";
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      *out += std::to_string(rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f));
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      *out += std::to_string(rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f));
      break;
    case FieldDescriptor::CPPTYPE_UINT32:
      *out += std::to_string(rep ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f));
      break;
    case FieldDescriptor::CPPTYPE_UINT64:
      *out += std::to_string(rep ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f));
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      *out += state::PythonFloatRepr(rep ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f));
      break;
    case FieldDescriptor::CPPTYPE_FLOAT:
      *out += ShortestFloat(rep ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f));
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      *out += (rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f)) ? "true" : "false";
      break;
    case FieldDescriptor::CPPTYPE_ENUM: {
      const int v = rep ? r->GetRepeatedEnumValue(m, f, index) : r->GetEnumValue(m, f);
      const auto* ev = f->enum_type()->FindValueByNumber(v);
      *out += ev != nullptr ? ev->name() : std::to_string(v);
      break;
    }
    case FieldDescriptor::CPPTYPE_STRING:
      *out += "\"" +
              state::TextEscape(rep ? r->GetRepeatedString(m, f, index) : r->GetString(m, f),
                                /*as_utf8=*/false) +
              "\"";
      break;
    default:
      break;
  }
  *out += "\n";
}

void PrintMessage(const Message& m, int indent, std::string* out) {
  const Reflection* r = m.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  for (const FieldDescriptor* f : fields) {
    if (f->is_map()) {
      std::vector<std::pair<std::string, int>> keys;
      for (int i = 0; i < r->FieldSize(m, f); ++i) keys.push_back({MapKey(r->GetRepeatedMessage(m, f, i)), i});
      std::sort(keys.begin(), keys.end());
      for (const auto& [k, i] : keys) PrintValue(m, f, i, indent, out);
    } else if (f->is_repeated()) {
      for (int i = 0; i < r->FieldSize(m, f); ++i) PrintValue(m, f, i, indent, out);
    } else {
      PrintValue(m, f, 0, indent, out);
    }
  }
}

}  // namespace

std::string PythonTextFormat(const Message& message) {
  std::string out;
  PrintMessage(message, 0, &out);
  return out;
}

bool UpbMapKeyLess(const std::string& a, const std::string& b) {
  const size_t common = std::min(a.size(), b.size());
  const int c = common == 0 ? 0 : std::memcmp(a.data(), b.data(), common);
  if (c != 0) return c < 0;
  return a.size() > b.size();
}

std::string SerializeLikeTensorFlow(const Message& message) {
  std::map<const Descriptor*, bool> memo;
  return Serialize(message, &memo);
}

void AppendLengthDelimited(int number, const std::string& bytes, std::string* out) {
  io::PutVarint64(out, (static_cast<uint64_t>(number) << 3) | 2);
  io::PutVarint64(out, bytes.size());
  out->append(bytes);
}

void AppendVarintField(int number, uint64_t value, std::string* out) {
  io::PutVarint64(out, static_cast<uint64_t>(number) << 3);
  io::PutVarint64(out, value);
}

}  // namespace tfckpt::train
