#include "src/saved_model/npy.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <vector>

#include "src/io/coding.h"

namespace tfckpt::saved_model {
namespace {

constexpr char kMagic[] = "\x93NUMPY";

uint16_t Fixed16(const char* p) {
  return static_cast<uint16_t>(static_cast<uint8_t>(p[0]) | static_cast<uint8_t>(p[1]) << 8);
}

struct Descr {
  tensor::DataType dtype = tensorflow::DT_INVALID;
  bool big_endian = false;
  char kind = 0;       // 'S' / 'U' for strings
  int64_t width = 0;   // bytes per element
};

StatusOr<Descr> ParseDescr(const std::string& d, const std::string& name) {
  if (d.size() >= 2 && d[1] == 'O') {
    return InvalidArgumentError(StrCat(name, ": numpy dtype '", d,
                                       "' is not supported (object arrays need pickle)"));
  }
  if (d.size() < 3) return InvalidArgumentError(StrCat(name, ": unsupported descr '", d, "'"));
  Descr out;
  out.big_endian = d[0] == '>';
  out.kind = d[1];
  char* end = nullptr;
  const long long n = std::strtoll(d.c_str() + 2, &end, 10);
  if (*end != '\0' || n <= 0 || n > (1 << 20)) {
    return InvalidArgumentError(StrCat(name, ": unsupported descr '", d, "'"));
  }
  out.width = n;
  using tensorflow::DataType;
  static const std::map<std::string, DataType> kTypes = {
      {"b1", tensorflow::DT_BOOL},    {"i1", tensorflow::DT_INT8},
      {"i2", tensorflow::DT_INT16},   {"i4", tensorflow::DT_INT32},
      {"i8", tensorflow::DT_INT64},   {"u1", tensorflow::DT_UINT8},
      {"u2", tensorflow::DT_UINT16},  {"u4", tensorflow::DT_UINT32},
      {"u8", tensorflow::DT_UINT64},  {"f2", tensorflow::DT_HALF},
      {"f4", tensorflow::DT_FLOAT},   {"f8", tensorflow::DT_DOUBLE},
      {"c8", tensorflow::DT_COMPLEX64}, {"c16", tensorflow::DT_COMPLEX128}};
  if (out.kind == 'S' || out.kind == 'U') {
    out.dtype = tensorflow::DT_STRING;
    if (out.kind == 'U') out.width *= 4;
    return out;
  }
  auto it = kTypes.find(d.substr(1));
  if (it == kTypes.end()) {
    return InvalidArgumentError(StrCat(name, ": numpy dtype '", d, "' is not supported",
                                       out.kind == 'O' ? " (object arrays need pickle)" : ""));
  }
  out.dtype = it->second;
  return out;
}

// The value of 'key' in numpy's header dict literal: a quoted string, a
// Python bool or a tuple, returned as its text.
StatusOr<std::string> HeaderValue(const std::string& h, const std::string& key,
                                  const std::string& name) {
  size_t k = h.find("'" + key + "'");
  if (k == std::string::npos) {
    return InvalidArgumentError(StrCat(name, ": .npy header lacks '", key, "': ", h));
  }
  size_t v = h.find(':', k);
  if (v == std::string::npos) return InvalidArgumentError(StrCat(name, ": bad .npy header ", h));
  v = h.find_first_not_of(' ', v + 1);
  if (v == std::string::npos) return InvalidArgumentError(StrCat(name, ": bad .npy header ", h));
  const char open = h[v];
  const char close = open == '\'' ? '\'' : open == '(' ? ')' : ',';
  size_t e = h.find(close, v + 1);
  if (e == std::string::npos) return InvalidArgumentError(StrCat(name, ": bad .npy header ", h));
  return open == '\'' ? h.substr(v + 1, e - v - 1) : h.substr(v, e - v + (open == '(' ? 1 : 0));
}

StatusOr<std::vector<int64_t>> ParseShape(const std::string& t, const std::string& name) {
  std::vector<int64_t> dims;
  size_t i = 1;
  while (i < t.size()) {
    while (i < t.size() && (t[i] == ' ' || t[i] == ',')) ++i;
    if (i >= t.size() || t[i] == ')') break;
    char* end = nullptr;
    const long long d = std::strtoll(t.c_str() + i, &end, 10);
    if (end == t.c_str() + i || d < 0) {
      return InvalidArgumentError(StrCat(name, ": bad .npy shape ", t));
    }
    dims.push_back(d);
    i = end - t.c_str();
  }
  return dims;
}

void AppendUtf8(uint32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

// Row-major element i's position in a Fortran-order buffer of `dims`.
int64_t FortranIndex(int64_t i, const std::vector<int64_t>& dims) {
  int64_t offset = 0, stride = 1;
  std::vector<int64_t> idx(dims.size());
  for (size_t d = dims.size(); d-- > 0;) {
    idx[d] = i % dims[d];
    i /= dims[d];
  }
  for (size_t d = 0; d < dims.size(); ++d) {
    offset += idx[d] * stride;
    stride *= dims[d];
  }
  return offset;
}

}  // namespace

StatusOr<tensor::Tensor> ReadNpy(std::string_view bytes, const std::string& name) {
  if (bytes.size() < 10 || bytes.substr(0, 6) != std::string_view(kMagic, 6)) {
    return InvalidArgumentError(StrCat(name, ": not a .npy file (no \\x93NUMPY magic)"));
  }
  const int major = static_cast<uint8_t>(bytes[6]);
  size_t header_len, start;
  if (major == 1) {
    header_len = Fixed16(bytes.data() + 8);
    start = 10;
  } else if ((major == 2 || major == 3) && bytes.size() >= 12) {
    header_len = io::DecodeFixed32(bytes.data() + 8);
    start = 12;
  } else {
    return InvalidArgumentError(StrCat(name, ": unsupported .npy format version ", major));
  }
  if (bytes.size() - start < header_len) {
    return InvalidArgumentError(StrCat(name, ": truncated .npy header"));
  }
  const std::string header(bytes.substr(start, header_len));
  TFCKPT_ASSIGN_OR_RETURN(std::string descr_text, HeaderValue(header, "descr", name));
  TFCKPT_ASSIGN_OR_RETURN(std::string fortran, HeaderValue(header, "fortran_order", name));
  TFCKPT_ASSIGN_OR_RETURN(std::string shape_text, HeaderValue(header, "shape", name));
  TFCKPT_ASSIGN_OR_RETURN(Descr descr, ParseDescr(descr_text, name));
  TFCKPT_ASSIGN_OR_RETURN(std::vector<int64_t> dims, ParseShape(shape_text, name));
  auto shape = tensor::TensorShape::Make(dims);
  if (!shape.ok()) return shape.status().WithContext(name);
  const int64_t n = shape->num_elements();
  const std::string_view data = bytes.substr(start + header_len);
  if (n > 0 && static_cast<uint64_t>(descr.width) > data.size() / static_cast<uint64_t>(n)) {
    return InvalidArgumentError(StrCat(name, ": .npy data holds ", data.size(), " bytes, ",
                                       shape->DebugString(), " of ", descr_text, " needs ",
                                       n * descr.width));
  }
  const bool transpose = fortran.rfind("True", 0) == 0 && dims.size() > 1;
  auto source = [&](int64_t i) { return data.data() + (transpose ? FortranIndex(i, dims) : i) * descr.width; };
  if (descr.dtype == tensorflow::DT_STRING) {
    std::vector<std::string> values(n);
    for (int64_t i = 0; i < n; ++i) {
      const char* p = source(i);
      std::string s;
      if (descr.kind == 'S') {
        s.assign(p, descr.width);
        s.erase(s.find_last_not_of('\0') + 1);
      } else {
        for (int64_t c = 0; c < descr.width / 4; ++c) {
          uint32_t cp = io::DecodeFixed32(p + 4 * c);
          if (descr.big_endian) cp = __builtin_bswap32(cp);
          if (cp > 0x10FFFF) return InvalidArgumentError(StrCat(name, ": bad code point in 'U' data"));
          AppendUtf8(cp, &s);
        }
        s.erase(s.find_last_not_of('\0') + 1);
      }
      values[i] = std::move(s);
    }
    return tensor::Tensor::FromStrings(*shape, std::move(values));
  }
  TFCKPT_ASSIGN_OR_RETURN(tensor::Tensor t, tensor::Tensor::Allocate(descr.dtype, *shape));
  char* out = t.mutable_raw_data();
  // Complex numbers swap each part, not the pair.
  const int64_t part = descr.kind == 'c' ? descr.width / 2 : descr.width;
  for (int64_t i = 0; i < n; ++i) {
    char* dst = out + i * descr.width;
    std::memcpy(dst, source(i), descr.width);
    if (descr.big_endian && part > 1) {
      for (int64_t p = 0; p < descr.width; p += part) std::reverse(dst + p, dst + p + part);
    }
  }
  return t;
}

StatusOr<std::string> WriteNpy(const tensor::Tensor& t) {
  static const std::map<tensorflow::DataType, std::string> kDescr = {
      {tensorflow::DT_BOOL, "|b1"},   {tensorflow::DT_INT8, "|i1"},  {tensorflow::DT_INT16, "<i2"},
      {tensorflow::DT_INT32, "<i4"},  {tensorflow::DT_INT64, "<i8"}, {tensorflow::DT_UINT8, "|u1"},
      {tensorflow::DT_UINT16, "<u2"}, {tensorflow::DT_UINT32, "<u4"},
      {tensorflow::DT_UINT64, "<u8"}, {tensorflow::DT_HALF, "<f2"},  {tensorflow::DT_FLOAT, "<f4"},
      {tensorflow::DT_DOUBLE, "<f8"}, {tensorflow::DT_COMPLEX64, "<c8"},
      {tensorflow::DT_COMPLEX128, "<c16"}};
  std::string descr;
  size_t width = 0;
  if (t.is_string()) {
    for (const std::string& s : t.strings()) width = std::max(width, s.size());
    width = std::max<size_t>(width, 1);
    descr = StrCat("|S", width);
  } else {
    auto it = kDescr.find(t.dtype());
    if (it == kDescr.end()) {
      return UnimplementedError(StrCat("dtype ", tensor::DataTypeName(t.dtype()),
                                       " has no .npy equivalent"));
    }
    descr = it->second;
  }
  // Python's tuple repr: (), (3,), (2, 3).
  std::string shape = "(";
  const auto& dims = t.shape().dims();
  for (size_t i = 0; i < dims.size(); ++i) shape += StrCat(i > 0 ? ", " : "", dims[i]);
  shape += dims.size() == 1 ? ",)" : ")";
  std::string header = StrCat("{'descr': '", descr, "', 'fortran_order': False, 'shape': ",
                              shape, ", }");
  // Pad with spaces so magic + length + header + '\n' is a multiple of 64.
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  std::string out(kMagic, 6);
  out.push_back('\x01');
  out.push_back('\x00');
  out.push_back(static_cast<char>(header.size() & 0xFF));
  out.push_back(static_cast<char>(header.size() >> 8));
  out += header;
  if (t.is_string()) {
    for (const std::string& s : t.strings()) {
      out += s;
      out.append(width - s.size(), '\0');
    }
  } else {
    out.append(t.raw_data(), t.TotalBytes());
  }
  return out;
}

StatusOr<std::map<std::string, tensor::Tensor>> ReadNpz(std::string_view bytes,
                                                        const std::string& name) {
  std::map<std::string, tensor::Tensor> out;
  size_t pos = 0;
  while (pos + 30 <= bytes.size() && io::DecodeFixed32(bytes.data() + pos) == 0x04034b50) {
    const char* h = bytes.data() + pos;
    const uint16_t flags = Fixed16(h + 6), method = Fixed16(h + 8);
    uint64_t size = io::DecodeFixed32(h + 18);
    const uint16_t name_len = Fixed16(h + 26), extra_len = Fixed16(h + 28);
    if (pos + 30 + name_len + extra_len > bytes.size()) break;
    std::string member(h + 30, name_len);
    // ZIP64 (np.savez of members over 4 GiB): the size is in the extra field.
    const char* extra = h + 30 + name_len;
    for (size_t e = 0; size == 0xFFFFFFFFu && e + 20 <= extra_len;) {
      const uint16_t id = Fixed16(extra + e), len = Fixed16(extra + e + 2);
      if (id == 1 && len >= 16) size = io::DecodeFixed64(extra + e + 12);
      e += 4 + len;
    }
    if (method != 0 || (flags & 0x8) != 0) {
      return UnimplementedError(StrCat(name, ": member ", member, " is compressed (np.savez_"
                                       "compressed); save with np.savez or np.save"));
    }
    const size_t data = pos + 30 + name_len + extra_len;
    if (size > bytes.size() - data) {
      return InvalidArgumentError(StrCat(name, ": member ", member, " is truncated"));
    }
    if (member.size() > 4 && member.compare(member.size() - 4, 4, ".npy") == 0) {
      const std::string key = member.substr(0, member.size() - 4);
      TFCKPT_ASSIGN_OR_RETURN(out[key], ReadNpy(bytes.substr(data, size), StrCat(name, ":", member)));
    }
    pos = data + size;
  }
  if (out.empty()) return InvalidArgumentError(StrCat(name, ": not a .npz file (no .npy members)"));
  return out;
}

}  // namespace tfckpt::saved_model
