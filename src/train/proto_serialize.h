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

#include <string>

#include <google/protobuf/message.h>

namespace tfckpt::train {

std::string SerializeLikeTensorFlow(const google::protobuf::Message& message);

// upb's order of two string map keys (true if a comes first).
bool UpbMapKeyLess(const std::string& a, const std::string& b);

}  // namespace tfckpt::train

#endif  // TFCKPT_TRAIN_PROTO_SERIALIZE_H_
