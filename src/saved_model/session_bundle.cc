#include "src/saved_model/session_bundle.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

namespace tfckpt::saved_model {
namespace {

using google::protobuf::io::CodedInputStream;
using google::protobuf::internal::WireFormatLite;

// One message's fields: number -> length-delimited payloads (other wire
// types are skipped).
StatusOr<std::multimap<int, std::string>> Fields(std::string_view bytes, const char* what) {
  CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                      static_cast<int>(bytes.size()));
  std::multimap<int, std::string> out;
  auto bad = [&]() {
    return InvalidArgumentError(StrCat("malformed ", what, " in serving_signatures"));
  };
  while (true) {
    const uint32_t tag = in.ReadTag();
    if (tag == 0) break;
    const int field = static_cast<int>(WireFormatLite::GetTagFieldNumber(tag));
    if (WireFormatLite::GetTagWireType(tag) == WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      uint32_t length;
      std::string value;
      if (!in.ReadVarint32(&length) || !in.ReadString(&value, static_cast<int>(length))) {
        return bad();
      }
      out.emplace(field, std::move(value));
    } else if (!WireFormatLite::SkipField(&in, tag)) {
      return bad();
    }
  }
  if (!in.ConsumedEntireMessage()) return bad();
  return out;
}

StatusOr<std::string> TensorName(const std::string& binding) {
  TFCKPT_ASSIGN_OR_RETURN(auto f, Fields(binding, "TensorBinding"));
  auto it = f.find(1);
  return it == f.end() ? std::string() : it->second;
}

StatusOr<LegacySignature> DecodeSignature(const std::string& bytes) {
  TFCKPT_ASSIGN_OR_RETURN(auto f, Fields(bytes, "Signature"));
  LegacySignature s;
  for (const auto& [field, value] : f) {  // a oneof: the last one wins
    TFCKPT_ASSIGN_OR_RETURN(auto sub, Fields(value, "signature"));
    s = LegacySignature();
    auto binding = [&](int n) -> StatusOr<std::string> {
      auto it = sub.find(n);
      if (it == sub.end()) return std::string();
      return TensorName(it->second);
    };
    if (field == 1) {
      s.kind = LegacySignature::kRegression;
      TFCKPT_ASSIGN_OR_RETURN(s.input, binding(1));
      TFCKPT_ASSIGN_OR_RETURN(s.output, binding(2));
    } else if (field == 2) {
      s.kind = LegacySignature::kClassification;
      TFCKPT_ASSIGN_OR_RETURN(s.input, binding(1));
      TFCKPT_ASSIGN_OR_RETURN(s.classes, binding(2));
      TFCKPT_ASSIGN_OR_RETURN(s.scores, binding(3));
    } else if (field == 3) {
      s.kind = LegacySignature::kGeneric;
      for (auto [it, end] = sub.equal_range(1); it != end; ++it) {
        TFCKPT_ASSIGN_OR_RETURN(auto entry, Fields(it->second, "GenericSignature map entry"));
        auto k = entry.find(1);
        auto v = entry.find(2);
        std::string name;
        if (v != entry.end()) {
          TFCKPT_ASSIGN_OR_RETURN(name, TensorName(v->second));
        }
        s.map[k == entry.end() ? "" : k->second] = name;
      }
    }
  }
  return s;
}

}  // namespace

StatusOr<LegacySignatures> DecodeLegacySignatures(std::string_view bytes) {
  TFCKPT_ASSIGN_OR_RETURN(auto f, Fields(bytes, "Signatures"));
  LegacySignatures out;
  for (const auto& [field, value] : f) {
    if (field == 1) {
      TFCKPT_ASSIGN_OR_RETURN(out.default_signature, DecodeSignature(value));
    } else if (field == 2) {
      TFCKPT_ASSIGN_OR_RETURN(auto entry, Fields(value, "named_signatures entry"));
      auto k = entry.find(1);
      auto v = entry.find(2);
      LegacySignature s;
      if (v != entry.end()) {
        TFCKPT_ASSIGN_OR_RETURN(s, DecodeSignature(v->second));
      }
      out.named[k == entry.end() ? "" : k->second] = std::move(s);
    }
  }
  return out;
}

}  // namespace tfckpt::saved_model
