#include "src/cli/value_format.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include <nlohmann/json.hpp>

#include "src/bundle/entry.h"
#include "src/io/escape.h"
#include "src/io/hex.h"

namespace tfckpt::cli {
namespace {

using tensor::Tensor;

template <typename T>
T Load(const Tensor& t, int64_t i) {
  T v;
  std::memcpy(&v, t.raw_data() + i * sizeof(T), sizeof(T));
  return v;
}

float HalfToFloat(uint16_t h) {
  const int sign = h >> 15, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
  float v;
  if (exp == 0) {
    v = std::ldexp(static_cast<float>(man), -24);
  } else if (exp == 31) {
    v = man == 0 ? INFINITY : NAN;
  } else {
    v = std::ldexp(static_cast<float>(man | 0x400), exp - 25);
  }
  return sign ? -v : v;
}

float BFloat16ToFloat(uint16_t b) {
  const uint32_t bits = static_cast<uint32_t>(b) << 16;
  float v;
  std::memcpy(&v, &bits, 4);
  return v;
}

// Small IEEE-like formats (ml_dtypes' float8 / float4 variants).
enum class Special { kIeee, kFn, kFnuz, kNone };
float MiniFloat(uint8_t byte, int ebits, int mbits, int bias, Special special) {
  const int width = 1 + ebits + mbits;
  const uint32_t bits = byte & ((1u << width) - 1);
  const bool neg = (bits >> (ebits + mbits)) & 1;
  const int emax = (1 << ebits) - 1, mmax = (1 << mbits) - 1;
  const int exp = (bits >> mbits) & emax, man = bits & mmax;
  if (special == Special::kFnuz && bits == (1u << (width - 1))) return NAN;
  if (special == Special::kIeee && exp == emax) return man == 0 ? (neg ? -INFINITY : INFINITY)
                                                                : NAN;
  if (special == Special::kFn && exp == emax && man == mmax) return NAN;
  const float v = exp == 0 ? std::ldexp(static_cast<float>(man), 1 - bias - mbits)
                           : std::ldexp(static_cast<float>(man | (1 << mbits)),
                                        exp - bias - mbits);
  return neg ? -v : v;
}

template <typename T>
std::string ShortestOf(T v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  std::string s(buf, r.ptr);
  // Always a floating-point literal, so "-0.0" keeps its sign in JSON
  // readers that map integer literals to integers (Python's json).
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

// A float formatted for JSON: NaN/Inf become strings.
std::string JsonFloat(const std::string& text) {
  if (text == "nan" || text == "inf" || text == "-inf") return "\"" + text + "\"";
  return text;
}

std::string Int128ToString(__int128 v) {
  if (v == 0) return "0";
  const bool neg = v < 0;
  unsigned __int128 u = neg ? -static_cast<unsigned __int128>(v) : v;
  std::string s;
  for (; u > 0; u /= 10) s.push_back(static_cast<char>('0' + static_cast<int>(u % 10)));
  if (neg) s.push_back('-');
  return std::string(s.rbegin(), s.rend());
}

std::string FloatElementText(const Tensor& t, int64_t i, int part) {
  const bool wide = t.dtype() == tensorflow::DT_DOUBLE || t.dtype() == tensorflow::DT_COMPLEX128;
  const double v = FloatElement(t, i, part);
  return wide ? FormatDouble(v) : FormatFloat(static_cast<float>(v));
}

// Dimension `dim` from flat element `base`. edge > 0: a dimension longer
// than 2 * edge shows its first and last `edge` entries with "..." between,
// as numpy's summarised repr.
void NestedText(const Tensor& t, int dim, int64_t base, int64_t edge, std::string* out) {
  const tensor::TensorShape& shape = t.shape();
  const int64_t n = shape.dim(dim);
  int64_t stride = 1;
  for (int d = dim + 1; d < shape.rank(); ++d) stride *= shape.dim(d);
  const bool inner = dim + 1 == shape.rank();
  const std::string sep = inner ? ", " : ",\n" + std::string(dim + 1, ' ');
  *out += "[";
  for (int64_t k = 0; k < n; ++k) {
    if (k > 0) *out += sep;
    if (edge > 0 && n > 2 * edge && k == edge) {
      *out += "...";
      k = n - edge - 1;
      continue;
    }
    if (inner) {
      *out += ElementText(t, base + k);
    } else {
      NestedText(t, dim + 1, base + k * stride, edge, out);
    }
  }
  *out += "]";
}

}  // namespace

ElementKind KindOf(tensor::DataType dtype) {
  switch (dtype) {
    case tensorflow::DT_FLOAT: case tensorflow::DT_DOUBLE: case tensorflow::DT_HALF:
    case tensorflow::DT_BFLOAT16: case tensorflow::DT_FLOAT8_E5M2:
    case tensorflow::DT_FLOAT8_E4M3FN: case tensorflow::DT_FLOAT8_E4M3FNUZ:
    case tensorflow::DT_FLOAT8_E4M3B11FNUZ: case tensorflow::DT_FLOAT8_E5M2FNUZ:
    case tensorflow::DT_FLOAT4_E2M1FN:
      return ElementKind::kFloat;
    case tensorflow::DT_COMPLEX64: case tensorflow::DT_COMPLEX128:
      return ElementKind::kComplex;
    case tensorflow::DT_INT8: case tensorflow::DT_INT16: case tensorflow::DT_INT32:
    case tensorflow::DT_INT64: case tensorflow::DT_QINT8: case tensorflow::DT_QINT16:
    case tensorflow::DT_QINT32: case tensorflow::DT_INT4: case tensorflow::DT_INT2:
      return ElementKind::kSigned;
    case tensorflow::DT_UINT8: case tensorflow::DT_UINT16: case tensorflow::DT_UINT32:
    case tensorflow::DT_UINT64: case tensorflow::DT_QUINT8: case tensorflow::DT_QUINT16:
    case tensorflow::DT_UINT4: case tensorflow::DT_UINT2:
      return ElementKind::kUnsigned;
    case tensorflow::DT_BOOL: return ElementKind::kBool;
    case tensorflow::DT_STRING: return ElementKind::kString;
    default: return ElementKind::kUnsupported;
  }
}

double FloatElement(const Tensor& t, int64_t i, int part) {
  switch (t.dtype()) {
    case tensorflow::DT_FLOAT: return Load<float>(t, i);
    case tensorflow::DT_DOUBLE: return Load<double>(t, i);
    case tensorflow::DT_HALF: return HalfToFloat(Load<uint16_t>(t, i));
    case tensorflow::DT_BFLOAT16: return BFloat16ToFloat(Load<uint16_t>(t, i));
    case tensorflow::DT_COMPLEX64: return Load<float>(t, 2 * i + part);
    case tensorflow::DT_COMPLEX128: return Load<double>(t, 2 * i + part);
    case tensorflow::DT_FLOAT8_E5M2: return MiniFloat(Load<uint8_t>(t, i), 5, 2, 15, Special::kIeee);
    case tensorflow::DT_FLOAT8_E4M3FN: return MiniFloat(Load<uint8_t>(t, i), 4, 3, 7, Special::kFn);
    case tensorflow::DT_FLOAT8_E4M3FNUZ:
      return MiniFloat(Load<uint8_t>(t, i), 4, 3, 8, Special::kFnuz);
    case tensorflow::DT_FLOAT8_E4M3B11FNUZ:
      return MiniFloat(Load<uint8_t>(t, i), 4, 3, 11, Special::kFnuz);
    case tensorflow::DT_FLOAT8_E5M2FNUZ:
      return MiniFloat(Load<uint8_t>(t, i), 5, 2, 16, Special::kFnuz);
    case tensorflow::DT_FLOAT4_E2M1FN: return MiniFloat(Load<uint8_t>(t, i), 2, 1, 1, Special::kNone);
    default: return NAN;
  }
}

__int128 IntElement(const Tensor& t, int64_t i) {
  switch (t.dtype()) {
    case tensorflow::DT_INT8: case tensorflow::DT_QINT8: return Load<int8_t>(t, i);
    case tensorflow::DT_INT16: case tensorflow::DT_QINT16: return Load<int16_t>(t, i);
    case tensorflow::DT_INT32: case tensorflow::DT_QINT32: return Load<int32_t>(t, i);
    case tensorflow::DT_INT64: return Load<int64_t>(t, i);
    case tensorflow::DT_UINT8: case tensorflow::DT_QUINT8: return Load<uint8_t>(t, i);
    case tensorflow::DT_UINT16: case tensorflow::DT_QUINT16: return Load<uint16_t>(t, i);
    case tensorflow::DT_UINT32: return Load<uint32_t>(t, i);
    case tensorflow::DT_UINT64: return Load<uint64_t>(t, i);
    case tensorflow::DT_BOOL: return Load<uint8_t>(t, i) != 0;
    // Sub-byte integers: one byte per element, value in the low bits.
    case tensorflow::DT_INT4: return static_cast<int8_t>(Load<uint8_t>(t, i) << 4) >> 4;
    case tensorflow::DT_UINT4: return Load<uint8_t>(t, i) & 0xf;
    case tensorflow::DT_INT2: return static_cast<int8_t>(Load<uint8_t>(t, i) << 6) >> 6;
    case tensorflow::DT_UINT2: return Load<uint8_t>(t, i) & 0x3;
    default: return 0;
  }
}

std::string FormatFloat(float v) { return ShortestOf(v); }
std::string FormatDouble(double v) { return ShortestOf(v); }

std::string ElementJson(const Tensor& t, int64_t i) {
  switch (KindOf(t.dtype())) {
    case ElementKind::kFloat: return JsonFloat(FloatElementText(t, i, 0));
    case ElementKind::kComplex:
      return StrCat("[", JsonFloat(FloatElementText(t, i, 0)), ", ",
                    JsonFloat(FloatElementText(t, i, 1)), "]");
    case ElementKind::kSigned: case ElementKind::kUnsigned:
      return Int128ToString(IntElement(t, i));
    case ElementKind::kBool: return IntElement(t, i) ? "true" : "false";
    case ElementKind::kString: {
      const std::string& s = t.strings()[i];
      if (io::IsValidUtf8(s)) return nlohmann::json(s).dump();
      return StrCat("{\"hex\": \"", io::Hex(s), "\"}");
    }
    case ElementKind::kUnsupported: break;
  }
  return "null";
}

std::string ElementText(const Tensor& t, int64_t i) {
  switch (KindOf(t.dtype())) {
    case ElementKind::kFloat: return FloatElementText(t, i, 0);
    case ElementKind::kComplex: {
      const std::string im = FloatElementText(t, i, 1);
      const bool sign = im[0] == '-' || im == "nan";
      return StrCat("(", FloatElementText(t, i, 0), sign ? "" : "+", im, "j)");
    }
    case ElementKind::kString:
      return io::EscapeBytes(t.strings()[i], io::kEscapeQuoted | io::kEscapeKeepUtf8);
    default: return ElementJson(t, i);
  }
}

std::string ValuesJson(const Tensor& t) {
  std::string out = "[";
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    if (i > 0) out += ", ";
    out += ElementJson(t, i);
  }
  return out + "]";
}

std::string ValuesText(const Tensor& t, int64_t edge) {
  if (t.shape().rank() == 0) return ElementText(t, 0);
  std::string out;
  NestedText(t, 0, 0, edge, &out);
  return out;
}

std::string JsonSafe(const std::string& s) {
  return io::IsValidUtf8(s) ? s : bundle::DisplayKey(s);
}

std::string JsonText(const nlohmann::ordered_json& j) {
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

std::vector<int64_t> UnflattenIndex(const tensor::TensorShape& shape, int64_t i) {
  std::vector<int64_t> index(shape.rank());
  for (int d = shape.rank() - 1; d >= 0; --d) {
    const int64_t n = shape.dim(d);
    index[d] = n == 0 ? 0 : i % n;
    i = n == 0 ? 0 : i / n;
  }
  return index;
}

std::string IndexString(const std::vector<int64_t>& index) {
  std::string s = "[";
  for (size_t d = 0; d < index.size(); ++d) s += StrCat(d ? "," : "", index[d]);
  return s + "]";
}

}  // namespace tfckpt::cli
