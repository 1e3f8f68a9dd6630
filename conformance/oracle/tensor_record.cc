#include "conformance/oracle/tensor_record.h"

#include <openssl/sha.h>

#include <cstring>

#include "proto/types.pb.h"
#include "src/bundle/slice_copy.h"

namespace tfckpt::conformance {

using nlohmann::json;

std::string Hex(std::string_view bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string Sha256Hex(std::string_view bytes) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), md);
  return Hex(std::string_view(reinterpret_cast<const char*>(md), sizeof(md)));
}

json TensorRecord(const std::string& name, const tensor::Tensor& t) {
  json rec;
  rec["name"] = name;
  rec["dtype"] = tensorflow::DataType_Name(t.dtype());
  json shape = json::array();
  for (int64_t d : t.shape().dims()) shape.push_back(d);
  rec["shape"] = shape;
  rec["num_elements"] = t.num_elements();
  const bool small = t.num_elements() <= kLargeThreshold;
  if (t.is_string()) {
    rec["encoding"] = "bytes";
    std::string hashed;
    uint64_t total = 0;
    json values = json::array();
    for (const std::string& s : t.strings()) {
      char len[8];
      uint64_t n = s.size();
      for (int i = 0; i < 8; ++i) len[i] = static_cast<char>(n >> (8 * i));
      hashed.append(len, 8);
      hashed.append(s);
      total += n;
      if (small) values.push_back(Hex(s));
    }
    if (small) rec["values"] = values;
    rec["raw_size"] = total;
    rec["raw_sha256"] = Sha256Hex(hashed);
    return rec;
  }
  const std::string_view raw(t.raw_data(), t.TotalBytes());
  rec["raw_size"] = raw.size();
  rec["raw_sha256"] = Sha256Hex(raw);
  if (small) rec["raw_hex"] = Hex(raw);
  return rec;
}

std::string CompareToRecord(const tensor::Tensor& t, const json& expected) {
  const json got = TensorRecord(expected.value("name", ""), t);
  for (const char* field : {"dtype", "shape", "raw_size", "raw_sha256"}) {
    if (!expected.contains(field)) return StrCat("expected record lacks \"", field, "\"");
    if (got[field] != expected[field]) {
      return StrCat(field, ": got ", got[field].dump(), ", expected ", expected[field].dump());
    }
  }
  if (expected.contains("raw_hex") && got.contains("raw_hex") &&
      got["raw_hex"] != expected["raw_hex"]) {
    return "raw_hex differs";
  }
  if (t.is_string() && expected.contains("values") && got.contains("values") &&
      got["values"] != expected["values"]) {
    return "string values differ";
  }
  return "";
}

StatusOr<tensor::Tensor> ExtractRegion(const tensor::Tensor& full, const tensor::TensorSlice& slice) {
  TFCKPT_ASSIGN_OR_RETURN(tensor::TensorShape shape, slice.SliceShape(full.shape()));
  tensor::Tensor out;
  if (full.is_string()) {
    out = tensor::Tensor::FromStrings(shape, std::vector<std::string>(shape.num_elements()));
  } else {
    TFCKPT_ASSIGN_OR_RETURN(out, tensor::Tensor::Allocate(full.dtype(), shape));
  }
  TFCKPT_RETURN_IF_ERROR(bundle::CopySliceOverlap(full.shape(), tensor::TensorSlice(full.shape().rank()),
                                                  full, slice, &out));
  return out;
}

}  // namespace tfckpt::conformance
