#include "src/tensor/tensor_record.h"

#include <cstring>
#include <utility>
#include <vector>

#include "proto/types.pb.h"
#include "src/io/hex.h"
#include "src/io/sha256.h"

namespace tfckpt::tensor {

using nlohmann::json;

std::string RecordBytes(const Tensor& t) {
  if (!t.is_string()) return std::string(t.raw_data(), t.TotalBytes());
  std::string out;
  for (const std::string& s : t.strings()) {
    char len[8];
    const uint64_t n = s.size();
    for (int i = 0; i < 8; ++i) len[i] = static_cast<char>(n >> (8 * i));
    out.append(len, 8);
    out.append(s);
  }
  return out;
}

json TensorRecord(const std::string& name, const Tensor& t) {
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
    uint64_t total = 0;
    json values = json::array();
    for (const std::string& s : t.strings()) {
      total += s.size();
      if (small) values.push_back(io::Hex(s));
    }
    if (small) rec["values"] = values;
    rec["raw_size"] = total;
    rec["raw_sha256"] = io::Sha256Hex(RecordBytes(t));
    return rec;
  }
  const std::string_view raw(t.raw_data(), t.TotalBytes());
  rec["raw_size"] = raw.size();
  rec["raw_sha256"] = io::Sha256Hex(raw);
  if (small) rec["raw_hex"] = io::Hex(raw);
  return rec;
}

std::string CompareToRecord(const Tensor& t, const json& expected) {
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

StatusOr<DataType> RecordDtype(const json& record) {
  DataType dt;
  if (!record.is_object() || !record.contains("dtype") || !record["dtype"].is_string() ||
      !tensorflow::DataType_Parse(record["dtype"].get<std::string>(), &dt)) {
    return InvalidArgumentError(StrCat("tensor record ", record.value("name", json("")).dump(),
                                       ": \"dtype\" is not a DataType name"));
  }
  return dt;
}

StatusOr<TensorShape> RecordShape(const json& record) {
  std::vector<int64_t> dims;
  if (record.is_object() && record.contains("shape") && record["shape"].is_array()) {
    for (const json& d : record["shape"]) {
      if (!d.is_number_integer()) break;
      dims.push_back(d.get<int64_t>());
    }
    if (dims.size() == record["shape"].size()) return TensorShape::Make(dims);
  }
  return InvalidArgumentError(StrCat("tensor record ", record.value("name", json("")).dump(),
                                     ": \"shape\" is not a list of integers"));
}

StatusOr<Tensor> TensorFromRecord(const json& record) {
  TFCKPT_ASSIGN_OR_RETURN(DataType dt, RecordDtype(record));
  TFCKPT_ASSIGN_OR_RETURN(TensorShape shape, RecordShape(record));
  const std::string what = StrCat("tensor record ", record.value("name", json("")).dump());
  if (dt == tensorflow::DT_STRING) {
    if (!record.contains("values") || !record["values"].is_array()) {
      return InvalidArgumentError(StrCat(what, ": no \"values\""));
    }
    std::vector<std::string> values;
    for (const json& v : record["values"]) {
      if (!v.is_string()) return InvalidArgumentError(StrCat(what, ": a value is not hex text"));
      TFCKPT_ASSIGN_OR_RETURN(std::string s, io::Unhex(v.get<std::string>(), what));
      values.push_back(std::move(s));
    }
    if (static_cast<int64_t>(values.size()) != shape.num_elements()) {
      return InvalidArgumentError(StrCat(what, ": ", values.size(), " values for ",
                                         shape.num_elements(), " elements"));
    }
    return Tensor::FromStrings(shape, std::move(values));
  }
  if (!record.contains("raw_hex") || !record["raw_hex"].is_string()) {
    return InvalidArgumentError(StrCat(what, ": no \"raw_hex\""));
  }
  TFCKPT_ASSIGN_OR_RETURN(std::string raw, io::Unhex(record["raw_hex"].get<std::string>(), what));
  TFCKPT_ASSIGN_OR_RETURN(Tensor out, Tensor::Allocate(dt, shape));
  if (raw.size() != out.TotalBytes()) {
    return InvalidArgumentError(
        StrCat(what, ": raw_hex holds ", raw.size(), " bytes, the shape needs ", out.TotalBytes()));
  }
  if (!raw.empty()) std::memcpy(out.mutable_raw_data(), raw.data(), raw.size());
  return out;
}

}  // namespace tfckpt::tensor
