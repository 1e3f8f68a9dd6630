#include "conformance/case_clauses.h"


namespace tfckpt::conformance {
namespace {

using nlohmann::json;
using Clauses = std::vector<std::string>;

// What a golden checkpoint exercises beyond the basics.
struct Traits {
  bool v1 = false;
  bool strings = false;      // a DT_STRING tensor
  bool partitioned = false;  // a V2 entry with slices
  bool object_keys = false;  // TF2 object-based keys
  bool object_graph = false; // _CHECKPOINTABLE_OBJECT_GRAPH
  bool saved_model = false;  // the variables/ bundle of a SavedModel
  bool snappy = false;       // a snappy-compressed table block
  bool big_endian = false;   // a V2 header with endianness BIG
  bool multi_block = false;  // an index table of more than one data block
};

Traits TraitsOf(const json& c, const CheckpointLayout& layout) {
  Traits t;
  t.v1 = c.value("format", "") == "V1";
  t.saved_model = c.value("prefix", "").find("variables/variables") != std::string::npos;
  t.snappy = layout.snappy;
  t.big_endian = layout.big_endian;
  t.partitioned = layout.partitioned;
  t.multi_block = layout.multi_block;
  for (const json& tensor : c.value("tensors", json::array())) {
    const std::string name = tensor.value("name", "");
    t.strings |= tensor.value("dtype", "") == "DT_STRING";
    t.object_keys |= name.find("/.ATTRIBUTES/") != std::string::npos;
    t.object_graph |= name == "_CHECKPOINTABLE_OBJECT_GRAPH";
  }
  return t;
}

void Append(Clauses* out, std::initializer_list<const char*> ids) {
  for (const char* id : ids) out->push_back(id);
}

// Clauses every conforming file of the checkpoint's format satisfies.
Clauses FileClauses(const Traits& t) {
  Clauses c;
  Append(&c, {"BASE-2.1", "BASE-2.2", "BASE-3.1", "BASE-3.2", "BASE-4.1", "BASE-5.1",
              "BASE-6.1", "BASE-6.2", "TABLE-1.1", "TABLE-2.1", "TABLE-2.2", "TABLE-2.3",
              "TABLE-2.6", "TABLE-3.1", "TABLE-4.1", "TABLE-4.2", "TABLE-4.3", "TABLE-5.1"});
  if (t.v1) {
    Append(&c, {"V1-1.1", "V1-2.1", "V1-2.2", "V1-2.3", "V1-3.1"});
    return c;
  }
  Append(&c, {"BUNDLE-1.1", "BUNDLE-3.1", "BUNDLE-3.2", "BUNDLE-3.4", "BUNDLE-3.5",
              "BUNDLE-3.6", "BUNDLE-3.7", "BUNDLE-3.8", "BUNDLE-5.1", "BUNDLE-5.2",
              "BUNDLE-5.6"});
  if (t.strings) Append(&c, {"BUNDLE-5.3", "BUNDLE-5.4"});
  if (t.partitioned) Append(&c, {"BUNDLE-7.1", "BUNDLE-7.2", "BUNDLE-7.3"});
  if (t.object_keys) Append(&c, {"OBJ-1.1", "OBJ-1.2"});
  if (t.object_graph) Append(&c, {"OBJ-1.4"});
  if (t.saved_model) Append(&c, {"SMODEL-1.2"});
  return c;
}

}  // namespace

Clauses ReadClauses(const json& checkpoint, const CheckpointLayout& layout) {
  const Traits t = TraitsOf(checkpoint, layout);
  Clauses c = FileClauses(t);
  // Reader clauses about interpreting a valid file; the ones about refusing
  // a broken one are cited by the bad-file cases.
  Append(&c, {"TABLE-5.3"});
  if (t.snappy) Append(&c, {"TABLE-3.2", "TABLE-3.5"});
  if (t.multi_block) Append(&c, {"TABLE-5.5"});
  if (t.v1) {
    Append(&c, {"V1-4.1"});
    return c;
  }
  Append(&c, {"BUNDLE-4.1", "BUNDLE-4.2", "BUNDLE-4.7"});
  if (t.partitioned) Append(&c, {"BUNDLE-7.4"});
  if (t.big_endian) Append(&c, {"BUNDLE-6.3"});
  return c;
}

Clauses CleanClauses(const json& checkpoint, const CheckpointLayout& layout) {
  const Traits t = TraitsOf(checkpoint, layout);
  Clauses c = FileClauses(t);
  // Not in FileClauses: a Write case's file is not snappy-compressed.
  if (t.snappy) Append(&c, {"TABLE-3.2"});
  return c;
}

Clauses WriteClauses(const json& checkpoint, const CheckpointLayout& layout) {
  return FileClauses(TraitsOf(checkpoint, layout));
}

Clauses WriteBytesClauses(const json& checkpoint, const CheckpointLayout& layout) {
  const Traits t = TraitsOf(checkpoint, layout);
  Clauses c;
  Append(&c, {"BASE-2.3", "BASE-4.2", "TABLE-1.2", "TABLE-2.4", "TABLE-3.6", "TABLE-7.1",
              "TABLE-7.2", "TABLE-7.3"});
  if (t.v1) {
    Append(&c, {"V1-2.4"});
  } else {
    Append(&c, {"BUNDLE-1.3", "BUNDLE-2.2", "BUNDLE-2.3", "BUNDLE-3.3"});
  }
  return c;
}

Clauses StateClauses() { return {"STATE-1.1", "STATE-1.2", "STATE-2.2", "STATE-3.1"}; }

Clauses BadFileClauses(const json& bad_case) {
  Clauses c;
  for (const json& id : bad_case.value("clauses", json::array())) {
    if (id.is_string()) c.push_back(id.get<std::string>());
  }
  return c;
}

}  // namespace tfckpt::conformance
