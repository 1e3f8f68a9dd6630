#include "src/safetensors/safetensors_writer.h"

#include <algorithm>
#include <numeric>
#include <set>

#include <nlohmann/json.hpp>

#include "src/io/atomic_file.h"
#include "src/io/coding.h"

namespace tfckpt::safetensors {
namespace {

// Data is written as the host holds it.
bool HostIsLittleEndian() {
  const uint16_t one = 1;
  return *reinterpret_cast<const char*>(&one) == 1;
}

Status AboutTensor(const std::string& path, const std::string& name, const std::string& what) {
  return InvalidArgumentError(StrCat(path, ": tensor \"", name, "\": ", what));
}

// Valid UTF-8 (JSON strings must be): nlohmann's strict dump checks it.
bool IsUtf8(const std::string& s) {
  try {
    nlohmann::json(s).dump();
    return true;
  } catch (const nlohmann::json::type_error&) {
    return false;
  }
}

}  // namespace

std::optional<std::string> SafetensorsDtype(tensor::DataType dtype) {
  switch (dtype) {
    case tensorflow::DT_BOOL: return "BOOL";
    case tensorflow::DT_UINT8: return "U8";
    case tensorflow::DT_INT8: return "I8";
    case tensorflow::DT_INT16: return "I16";
    case tensorflow::DT_UINT16: return "U16";
    case tensorflow::DT_HALF: return "F16";
    case tensorflow::DT_BFLOAT16: return "BF16";
    case tensorflow::DT_INT32: return "I32";
    case tensorflow::DT_UINT32: return "U32";
    case tensorflow::DT_FLOAT: return "F32";
    case tensorflow::DT_DOUBLE: return "F64";
    case tensorflow::DT_INT64: return "I64";
    case tensorflow::DT_UINT64: return "U64";
    case tensorflow::DT_FLOAT8_E5M2: return "F8_E5M2";
    case tensorflow::DT_FLOAT8_E4M3FN: return "F8_E4M3";
    default: return std::nullopt;
  }
}

Status WriteSafetensors(io::Env* env, const std::string& path,
                        const std::vector<SafetensorsEntry>& entries,
                        const std::function<StatusOr<tensor::Tensor>(size_t)>& fetch,
                        const std::map<std::string, std::string>& metadata) {
  if (!HostIsLittleEndian()) return UnimplementedError("safetensors: big-endian hosts are not supported");
  std::set<std::string> names;
  for (const SafetensorsEntry& e : entries) {
    if (!SafetensorsDtype(e.dtype)) {
      return AboutTensor(path, e.name, StrCat("dtype ", tensor::DataTypeName(e.dtype),
                                              " has no safetensors equivalent"));
    }
    if (!IsUtf8(e.name)) return AboutTensor(path, e.name, "the name is not valid UTF-8 (rename it)");
    if (e.name == "__metadata__") return AboutTensor(path, e.name, "the name is reserved by safetensors");
    if (!names.insert(e.name).second) return AboutTensor(path, e.name, "two tensors have this name");
  }
  // Largest elements first, then by name: every tensor starts aligned.
  std::vector<size_t> order(entries.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const int sa = tensor::DataTypeSize(entries[a].dtype), sb = tensor::DataTypeSize(entries[b].dtype);
    return sa != sb ? sa > sb : entries[a].name < entries[b].name;
  });
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (size_t i : order) {
    const SafetensorsEntry& e = entries[i];
    const uint64_t bytes =
        static_cast<uint64_t>(e.shape.num_elements()) * static_cast<uint64_t>(tensor::DataTypeSize(e.dtype));
    header[e.name] = {{"dtype", *SafetensorsDtype(e.dtype)},
                      {"shape", e.shape.dims()},
                      {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  std::string prefix(8, '\0');
  io::EncodeFixed64(prefix.data(), text.size());

  TFCKPT_ASSIGN_OR_RETURN(std::unique_ptr<io::AtomicFileWriter> out, io::AtomicFileWriter::Create(env, path));
  TFCKPT_RETURN_IF_ERROR(out->file()->Append(prefix));
  TFCKPT_RETURN_IF_ERROR(out->file()->Append(text));
  for (size_t i : order) {
    const SafetensorsEntry& e = entries[i];
    TFCKPT_ASSIGN_OR_RETURN(tensor::Tensor t, fetch(i));
    if (t.dtype() != e.dtype || t.shape() != e.shape) {
      return AboutTensor(path, e.name, StrCat("got ", tensor::DataTypeName(t.dtype()), " ",
                                              t.shape().DebugString(), ", announced ",
                                              tensor::DataTypeName(e.dtype), " ", e.shape.DebugString()));
    }
    TFCKPT_RETURN_IF_ERROR(out->file()->Append(std::string_view(t.raw_data(), t.TotalBytes())));
  }
  return out->Commit();
}

}  // namespace tfckpt::safetensors
