// Serializing protos byte-for-byte as TensorFlow 2.21's Python writes them
// (graph_io.write_graph: SerializeToString(deterministic=True) in upb).
//
// upb's deterministic order of map entries differs from C++ protobuf's in
// one respect: when one string key is a prefix of another, the LONGER key
// comes first ("seed2" before "seed", "Tidx" before "T"); otherwise keys
// are in byte order, as in C++. Observed in every TF 2.21 golden .meta
// (RandomStandardNormal's attrs; Tshape/Tidx/Tlabels before T). Everything
// else (field order, packed repeated fields, map entries with both key and
// value) is C++ protobuf's deterministic encoding.
#ifndef TFCKPT_TRAIN_PROTO_SERIALIZE_H_
#define TFCKPT_TRAIN_PROTO_SERIALIZE_H_

#include <cstdint>
#include <string>

#include <google/protobuf/message.h>

namespace tfckpt::train {

std::string SerializeLikeTensorFlow(const google::protobuf::Message& message);

// google.protobuf.text_format.MessageToString(message) as TF 2.21's Python
// writes .pbtxt files (tf.io.write_graph(as_text=True), export_meta_graph
// (as_text=True)): fields in field-number order, two-space indentation,
// map entries sorted by key, strings C-escaped with non-ASCII bytes in
// octal (as_utf8=False), float fields as the shortest decimal that rounds
// to the same float32 printed like Python's repr ("1.0", "-0.1"), doubles
// as repr, enums by name.
std::string PythonTextFormat(const google::protobuf::Message& message);

// upb's order of two string map keys (true if a comes first).
bool UpbMapKeyLess(const std::string& a, const std::string& b);

// Wire-format fields, for messages built by hand in the byte order TF
// writes them (map entries here; CondContextDef in control_flow.cc): field
// `number` as a length-delimited `bytes`, or as a varint `value`.
void AppendLengthDelimited(int number, const std::string& bytes, std::string* out);
void AppendVarintField(int number, uint64_t value, std::string* out);

}  // namespace tfckpt::train

#endif  // TFCKPT_TRAIN_PROTO_SERIALIZE_H_
