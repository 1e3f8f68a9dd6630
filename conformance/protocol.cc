#include "conformance/protocol.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <vector>

#include "proto/types.pb.h"
#include "src/io/hex.h"
#include "src/io/sha256.h"
#include "src/tensor/dtype.h"
#include "src/tensor/tensor_record.h"

namespace tfckpt::conformance {

using nlohmann::json;

namespace {

Status WriteAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return UnavailableError(StrCat("writing a frame: ", std::strerror(errno)));
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return OkStatus();
}

// Reads exactly n bytes; *got says how many arrived before EOF.
Status ReadAll(int fd, char* p, size_t n, int timeout_ms, size_t* got) {
  *got = 0;
  while (*got < n) {
    if (timeout_ms >= 0) {
      pollfd pfd{fd, POLLIN, 0};
      const int r = ::poll(&pfd, 1, timeout_ms);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) return UnavailableError(StrCat("poll: ", std::strerror(errno)));
      if (r == 0) {
        return Status(StatusCode::kDeadlineExceeded,
                      StrCat("no response within ", timeout_ms / 1000.0, " s"));
      }
    }
    const ssize_t r = ::read(fd, p + *got, n - *got);
    if (r < 0) {
      if (errno == EINTR) continue;
      return UnavailableError(StrCat("reading a frame: ", std::strerror(errno)));
    }
    if (r == 0) return OkStatus();  // EOF: caller compares *got with n
    *got += static_cast<size_t>(r);
  }
  return OkStatus();
}

}  // namespace

Status WriteFrame(int fd, const json& message) {
  const std::string body = message.dump(-1, ' ', false, json::error_handler_t::replace);
  if (body.size() > kMaxFrameBytes) {
    return InvalidArgumentError(
        StrCat("frame of ", body.size(), " bytes exceeds the limit of ", kMaxFrameBytes));
  }
  const uint32_t n = static_cast<uint32_t>(body.size());
  const char len[4] = {static_cast<char>(n), static_cast<char>(n >> 8),
                       static_cast<char>(n >> 16), static_cast<char>(n >> 24)};
  TFCKPT_RETURN_IF_ERROR(WriteAll(fd, len, 4));
  return WriteAll(fd, body.data(), body.size());
}

bool IsProfile(std::string_view name) {
  for (const char* p : kProfiles) {
    if (name == p) return true;
  }
  return false;
}

bool IsErrorClass(std::string_view name) {
  for (const char* c : kErrorClasses) {
    if (name == c) return true;
  }
  return false;
}

std::vector<std::string> ErrorClassesOfDefect(std::string_view code) {
  // Coarse on purpose: where two classes describe a defect honestly (an
  // offset past the end reads as truncation; an element count that
  // overflows may be refused as too large), both are accepted.
  static const std::map<std::string_view, std::vector<std::string>> kTable = {
      {"NOT_FOUND", {"not_found"}},
      {"SHARD_MISSING", {"not_found"}},
      {"IO_ERROR", {"io"}},
      {"TRUNCATED", {"truncated"}},
      {"OFFSET_OUT_OF_RANGE", {"corrupt", "truncated"}},
      {"BAD_MAGIC", {"corrupt"}},
      {"BAD_BLOCK_HANDLE", {"corrupt"}},
      {"BLOCK_CRC", {"corrupt"}},
      {"BAD_COMPRESSION", {"corrupt"}},
      {"UNKNOWN_BLOCK_TYPE", {"corrupt", "unsupported"}},
      {"BAD_BLOCK", {"corrupt"}},
      {"UNSORTED_KEYS", {"corrupt"}},
      {"MISSING_HEADER", {"corrupt"}},
      {"BAD_HEADER", {"corrupt"}},
      {"VERSION_UNSUPPORTED", {"unsupported"}},
      {"BAD_ENTRY", {"corrupt"}},
      {"UNKNOWN_DTYPE", {"unsupported", "corrupt"}},
      {"INVALID_SHAPE", {"corrupt"}},
      {"NEGATIVE_DIM", {"corrupt"}},
      {"SIZE_OVERFLOW", {"corrupt", "resource_limit"}},
      {"SIZE_MISMATCH", {"corrupt"}},
      {"SHARD_ID_OUT_OF_RANGE", {"corrupt"}},
      {"MIXED_SHARDS", {"corrupt"}},
      {"STRAY_SHARD", {"corrupt"}},
      {"OVERLAPPING_DATA", {"corrupt"}},
      {"TENSOR_CRC", {"corrupt"}},
      {"STRING_LENGTH_CRC", {"corrupt"}},
      {"BAD_STRING_LENGTHS", {"corrupt", "resource_limit"}},
      {"BAD_VARIANT", {"corrupt"}},
      {"BAD_SLICE", {"corrupt"}},
      {"MISSING_SLICES", {"corrupt"}},
      {"STATE_FILE", {"corrupt"}},
      {"STALE_PATH", {"not_found"}},
      {"UNSUPPORTED", {"unsupported"}},
      // Model-level (src/check/model_check.h): what a loader refuses.
      {"MISSING_VARIABLES", {"not_found"}},
      {"MISSING_ASSET", {"not_found"}},
      {"BAD_SIGNATURE", {"corrupt"}},
      {"BAD_META_GRAPH", {"corrupt"}},
      {"BAD_GRAPH", {"corrupt"}},
      {"RECURSIVE_FUNCTION", {"corrupt"}},
  };
  auto it = kTable.find(code);
  return it == kTable.end() ? std::vector<std::string>() : it->second;
}

StatusOr<std::optional<json>> ReadFrame(int fd, int timeout_ms, uint32_t max_bytes) {
  unsigned char len[4];
  size_t got = 0;
  TFCKPT_RETURN_IF_ERROR(ReadAll(fd, reinterpret_cast<char*>(len), 4, timeout_ms, &got));
  if (got == 0) return std::optional<json>();
  if (got < 4) return DataLossError(StrCat("frame length cut short after ", got, " of 4 bytes"));
  const uint32_t n = len[0] | len[1] << 8 | len[2] << 16 | static_cast<uint32_t>(len[3]) << 24;
  if (n > max_bytes) {
    return Status(StatusCode::kResourceExhausted,
                  StrCat("frame length ", n, " exceeds the limit of ", max_bytes));
  }
  std::string body(n, '\0');
  TFCKPT_RETURN_IF_ERROR(ReadAll(fd, body.data(), n, timeout_ms, &got));
  if (got < n) return DataLossError(StrCat("frame cut short: ", got, " of ", n, " bytes"));
  json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return InvalidArgumentError("frame is not valid JSON");
  if (!parsed.is_object()) return InvalidArgumentError("frame is not a JSON object");
  return std::optional<json>(std::move(parsed));
}

std::string ContentSha256(const tensor::Tensor& t) {
  return io::Sha256Hex(tensor::RecordBytes(t));
}

json WireTensor(const std::string& name, const tensor::Tensor& t) {
  const json rec = tensor::TensorRecord(name, t);
  return json{{"name", name}, {"dtype", rec["dtype"]}, {"shape", rec["shape"]},
              {"sha256", rec["raw_sha256"]}};
}

json WireTensorWithData(const std::string& name, const tensor::Tensor& t) {
  json w = WireTensor(name, t);
  if (t.is_string()) {
    json values = json::array();
    for (const std::string& s : t.strings()) values.push_back(io::Hex(s));
    w["strings_hex"] = std::move(values);
  } else {
    w["data_hex"] = io::Hex(std::string_view(t.raw_data(), t.TotalBytes()));
  }
  return w;
}

StatusOr<tensor::Tensor> TensorFromWire(const json& wire) {
  if (!wire.is_object() || !wire.contains("name") || !wire["name"].is_string()) {
    return InvalidArgumentError("wire tensor without a string \"name\"");
  }
  const std::string name = wire["name"].get<std::string>();
  const std::string what = StrCat("tensor \"", name, "\"");
  tensorflow::DataType dtype;
  if (!wire.contains("dtype") || !wire["dtype"].is_string() ||
      !tensorflow::DataType_Parse(wire["dtype"].get<std::string>(), &dtype) ||
      !tensor::IsSaveable(dtype)) {
    return InvalidArgumentError(
        StrCat(what, ": \"dtype\" must name a saveable DataType (\"DT_FLOAT\"), got ",
               wire.value("dtype", json()).dump()));
  }
  if (!wire.contains("shape") || !wire["shape"].is_array()) {
    return InvalidArgumentError(StrCat(what, ": \"shape\" must be an array of dimensions"));
  }
  std::vector<int64_t> dims;
  for (const json& d : wire["shape"]) {
    if (!d.is_number_integer()) {
      return InvalidArgumentError(StrCat(what, ": \"shape\" holds a non-integer ", d.dump()));
    }
    dims.push_back(d.get<int64_t>());
  }
  auto shape = tensor::TensorShape::Make(dims);
  if (!shape.ok()) return shape.status().WithContext(what);
  if (dtype == tensorflow::DT_STRING) {
    if (!wire.contains("strings_hex") || !wire["strings_hex"].is_array()) {
      return InvalidArgumentError(StrCat(what, ": DT_STRING needs a \"strings_hex\" array"));
    }
    const json& hex = wire["strings_hex"];
    if (static_cast<int64_t>(hex.size()) != shape->num_elements()) {
      return InvalidArgumentError(StrCat(what, ": ", hex.size(), " strings for ",
                                         shape->num_elements(), " elements"));
    }
    std::vector<std::string> values;
    for (size_t i = 0; i < hex.size(); ++i) {
      if (!hex[i].is_string()) {
        return InvalidArgumentError(StrCat(what, ": strings_hex[", i, "] is not a string"));
      }
      TFCKPT_ASSIGN_OR_RETURN(std::string v,
                              io::Unhex(hex[i].get<std::string>(), StrCat(what, " strings_hex[", i, "]")));
      values.push_back(std::move(v));
    }
    return tensor::Tensor::FromStrings(*shape, std::move(values));
  }
  if (!wire.contains("data_hex") || !wire["data_hex"].is_string()) {
    return InvalidArgumentError(StrCat(what, ": needs a \"data_hex\" string"));
  }
  TFCKPT_ASSIGN_OR_RETURN(std::string bytes,
                          io::Unhex(wire["data_hex"].get<std::string>(), StrCat(what, " data_hex")));
  int64_t needed = 0;
  if (!tensor::MultiplyWithoutOverflow(shape->num_elements(), tensor::DataTypeSize(dtype),
                                       &needed) ||
      static_cast<uint64_t>(needed) != bytes.size()) {
    return InvalidArgumentError(StrCat(what, ": data_hex holds ", bytes.size(), " bytes, ",
                                       tensor::DataTypeName(dtype), " ", shape->DebugString(),
                                       " needs ", tensor::DataTypeSize(dtype), " x ",
                                       shape->num_elements()));
  }
  TFCKPT_ASSIGN_OR_RETURN(tensor::Tensor t, tensor::Tensor::AllocateUninitialized(dtype, *shape));
  if (!bytes.empty()) std::memcpy(t.mutable_raw_data(), bytes.data(), bytes.size());
  return t;
}

}  // namespace tfckpt::conformance
