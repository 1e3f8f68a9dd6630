#include "src/tensor/tensor_proto.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace tfckpt::tensor {
namespace {

using tensorflow::TensorProto;

using Field = ProtoField;

// Values in the field, in elements (complex: pairs, as TF).
int64_t FieldCount(const TensorProto& p, Field f) {
  const int64_t n = ProtoFieldSize(p, f);
  return f == Field::kScomplex || f == Field::kDcomplex ? n / 2 : n;
}

// out[i] = get(i) for the first min(n, in_n) elements, then the last value
// repeated (zeros, already in the buffer, when in_n == 0).
template <typename T, typename Get>
void Fill(char* raw, int64_t n, int64_t in_n, Get get) {
  T* out = reinterpret_cast<T*>(raw);
  const int64_t m = std::min(n, in_n);
  for (int64_t i = 0; i < m; ++i) {
    const T v = static_cast<T>(get(i));
    std::memcpy(out + i, &v, sizeof(T));
  }
  if (m > 0) {
    for (int64_t i = m; i < n; ++i) std::memcpy(out + i, out + m - 1, sizeof(T));
  }
}

// Small-int types stored in int_val: static_cast to the storage type.
void FillInt(DataType dtype, const TensorProto& p, char* raw, int64_t n, int64_t in_n) {
  auto get = [&](int64_t i) { return p.int_val(static_cast<int>(i)); };
  switch (dtype) {
    case tensorflow::DT_INT32:
    case tensorflow::DT_QINT32: Fill<int32_t>(raw, n, in_n, get); break;
    case tensorflow::DT_INT16:
    case tensorflow::DT_QINT16: Fill<int16_t>(raw, n, in_n, get); break;
    case tensorflow::DT_UINT16:
    case tensorflow::DT_QUINT16: Fill<uint16_t>(raw, n, in_n, get); break;
    case tensorflow::DT_INT8:
    case tensorflow::DT_QINT8:
    case tensorflow::DT_INT4: Fill<int8_t>(raw, n, in_n, get); break;
    default: Fill<uint8_t>(raw, n, in_n, get); break;  // uint8, quint8, uint4
  }
}

// TF's port::DecodeStringList: n varint32 lengths, then the bytes, exactly.
Status DecodeStringList(const std::string& src, int64_t n, std::vector<std::string>* out) {
  if (static_cast<uint64_t>(n) > src.size()) {
    return InvalidArgumentError(StrCat("tensor_content of ", src.size(),
                                       " bytes cannot hold ", n, " strings"));
  }
  std::vector<uint32_t> sizes(n);
  size_t pos = 0;
  uint64_t total = 0;
  for (int64_t i = 0; i < n; ++i) {
    uint32_t v = 0;
    int shift = 0;
    while (true) {
      if (pos >= src.size() || shift > 28) {
        return InvalidArgumentError("tensor_content: bad string length varint");
      }
      const uint8_t b = static_cast<uint8_t>(src[pos++]);
      if (shift == 28 && (b & 0x70) != 0) {
        return InvalidArgumentError("tensor_content: string length overflows 32 bits");
      }
      v |= static_cast<uint32_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) break;
      shift += 7;
    }
    sizes[i] = v;
    total += v;
  }
  if (total != src.size() - pos) {
    return InvalidArgumentError(StrCat("tensor_content: string lengths add up to ", total,
                                       " bytes but ", src.size() - pos, " follow them"));
  }
  for (int64_t i = 0; i < n; ++i) {
    (*out)[i].assign(src, pos, sizes[i]);
    pos += sizes[i];
  }
  return OkStatus();
}

void EncodeStringList(const std::vector<std::string>& strings, std::string* out) {
  out->clear();
  for (const std::string& s : strings) {
    uint32_t v = static_cast<uint32_t>(s.size());
    while (v >= 0x80) {
      out->push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out->push_back(static_cast<char>(v));
  }
  for (const std::string& s : strings) out->append(s);
}

std::string Describe(const TensorProto& p, const TensorShape& shape) {
  return StrCat("TensorProto of dtype ", DataTypeName(p.dtype()), " and shape ",
                shape.DebugString());
}

template <typename T>
T Load(const char* raw, int64_t i) {
  T v;
  std::memcpy(&v, raw + i * sizeof(T), sizeof(T));
  return v;
}

}  // namespace

ProtoField ProtoFieldOf(DataType dtype) {
  switch (dtype) {
    case tensorflow::DT_FLOAT: return ProtoField::kFloat;
    case tensorflow::DT_DOUBLE: return ProtoField::kDouble;
    case tensorflow::DT_INT32:
    case tensorflow::DT_INT16:
    case tensorflow::DT_INT8:
    case tensorflow::DT_UINT8:
    case tensorflow::DT_UINT16:
    case tensorflow::DT_QINT8:
    case tensorflow::DT_QUINT8:
    case tensorflow::DT_QINT16:
    case tensorflow::DT_QUINT16:
    case tensorflow::DT_QINT32:
    case tensorflow::DT_INT4:
    case tensorflow::DT_UINT4: return ProtoField::kInt;
    case tensorflow::DT_INT64: return ProtoField::kInt64;
    case tensorflow::DT_UINT32: return ProtoField::kUint32;
    case tensorflow::DT_UINT64: return ProtoField::kUint64;
    case tensorflow::DT_BOOL: return ProtoField::kBool;
    case tensorflow::DT_HALF:
    case tensorflow::DT_BFLOAT16: return ProtoField::kHalf;
    case tensorflow::DT_COMPLEX64: return ProtoField::kScomplex;
    case tensorflow::DT_COMPLEX128: return ProtoField::kDcomplex;
    case tensorflow::DT_STRING: return ProtoField::kString;
    case tensorflow::DT_FLOAT8_E5M2:
    case tensorflow::DT_FLOAT8_E4M3FN:
    case tensorflow::DT_FLOAT8_E4M3FNUZ:
    case tensorflow::DT_FLOAT8_E4M3B11FNUZ:
    case tensorflow::DT_FLOAT8_E5M2FNUZ: return ProtoField::kFloat8;
    default: return ProtoField::kNone;
  }
}

int64_t ProtoFieldSize(const TensorProto& p, ProtoField f) {
  switch (f) {
    case ProtoField::kFloat: return p.float_val_size();
    case ProtoField::kDouble: return p.double_val_size();
    case ProtoField::kInt: return p.int_val_size();
    case ProtoField::kInt64: return p.int64_val_size();
    case ProtoField::kUint32: return p.uint32_val_size();
    case ProtoField::kUint64: return p.uint64_val_size();
    case ProtoField::kBool: return p.bool_val_size();
    case ProtoField::kHalf: return p.half_val_size();
    case ProtoField::kScomplex: return p.scomplex_val_size();
    case ProtoField::kDcomplex: return p.dcomplex_val_size();
    case ProtoField::kString: return p.string_val_size();
    case ProtoField::kFloat8: return static_cast<int64_t>(p.float8_val().size());
    case ProtoField::kNone: return 0;
  }
  return 0;
}

const char* ProtoFieldName(ProtoField f) {
  switch (f) {
    case ProtoField::kFloat: return "float_val";
    case ProtoField::kDouble: return "double_val";
    case ProtoField::kInt: return "int_val";
    case ProtoField::kInt64: return "int64_val";
    case ProtoField::kUint32: return "uint32_val";
    case ProtoField::kUint64: return "uint64_val";
    case ProtoField::kBool: return "bool_val";
    case ProtoField::kHalf: return "half_val";
    case ProtoField::kScomplex: return "scomplex_val";
    case ProtoField::kDcomplex: return "dcomplex_val";
    case ProtoField::kString: return "string_val";
    case ProtoField::kFloat8: return "float8_val";
    case ProtoField::kNone: return "(none)";
  }
  return "";
}

bool IsProtoCodableDataType(DataType dtype) { return ProtoFieldOf(dtype) != Field::kNone; }

bool UsesTensorContent(DataType dtype, int64_t num_elements) {
  if (num_elements <= 1) return false;
  switch (dtype) {
    case tensorflow::DT_HALF:
    case tensorflow::DT_BFLOAT16:
    case tensorflow::DT_FLOAT:
    case tensorflow::DT_DOUBLE:
    case tensorflow::DT_INT8:
    case tensorflow::DT_INT16:
    case tensorflow::DT_INT32:
    case tensorflow::DT_INT64:
    case tensorflow::DT_UINT8:
    case tensorflow::DT_UINT32:
    case tensorflow::DT_UINT64:
    case tensorflow::DT_QINT8:
    case tensorflow::DT_QUINT8:
    case tensorflow::DT_QINT16:
    case tensorflow::DT_QUINT16:
    case tensorflow::DT_QINT32:
    case tensorflow::DT_FLOAT8_E5M2:
    case tensorflow::DT_FLOAT8_E4M3FN:
    case tensorflow::DT_FLOAT8_E4M3FNUZ:
    case tensorflow::DT_FLOAT8_E4M3B11FNUZ:
    case tensorflow::DT_FLOAT8_E5M2FNUZ:
      return true;
    default:
      return false;
  }
}

StatusOr<Tensor> TensorFromProto(const TensorProto& p, const TensorProtoOptions& options) {
  const int dtype_value = p.dtype();
  if (dtype_value == tensorflow::DT_INVALID) {
    return InvalidArgumentError("TensorProto has no dtype (DT_INVALID)");
  }
  if (!IsKnownDataType(dtype_value)) {
    return InvalidArgumentError(StrCat("TensorProto has an invalid dtype: ",
                                       DataTypeName(dtype_value)));
  }
  const DataType dtype = static_cast<DataType>(dtype_value);
  const Field field = ProtoFieldOf(dtype);
  if (field == Field::kNone) {
    return UnimplementedError(StrCat("TensorProto of dtype ", DataTypeName(dtype),
                                     " is not supported by tfckpt"));
  }
  auto shape_or = TensorShape::FromProto(p.tensor_shape());
  if (!shape_or.ok()) {
    return InvalidArgumentError(StrCat("TensorProto has an invalid shape ",
                                       ShapeProtoDebugString(p.tensor_shape()), ": ",
                                       shape_or.status().message()));
  }
  const TensorShape shape = *shape_or;
  const int64_t n = shape.num_elements();

  if (!p.tensor_content().empty()) {
    const std::string& content = p.tensor_content();
    if (dtype == tensorflow::DT_STRING) {
      if (n == 0) {
        return InvalidArgumentError(StrCat(Describe(p, shape), " has no elements but ",
                                           content.size(), " bytes of tensor_content"));
      }
      // Every string costs at least its length byte: refuse counts the
      // content cannot justify before allocating n strings.
      if (static_cast<uint64_t>(n) > content.size()) {
        return InvalidArgumentError(StrCat(Describe(p, shape), ": tensor_content of ",
                                           content.size(), " bytes cannot hold ", n,
                                           " strings"));
      }
      TFCKPT_ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(dtype, shape));
      Status s = DecodeStringList(content, n, t.mutable_strings());
      if (!s.ok()) return s.WithContext(Describe(p, shape));
      return t;
    }
    uint64_t bytes = 0;
    if (!NumericByteSize(dtype, n, &bytes) || bytes != content.size()) {
      return InvalidArgumentError(StrCat(Describe(p, shape), " needs ",
                                         n, " x ", DataTypeSize(dtype),
                                         " bytes of tensor_content, got ", content.size()));
    }
    TFCKPT_ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(dtype, shape));
    char* raw = t.mutable_raw_data();
    std::memcpy(raw, content.data(), content.size());
    if (dtype == tensorflow::DT_BOOL) {
      for (uint64_t i = 0; i < bytes; ++i) raw[i] = raw[i] != 0 ? 1 : 0;
    }
    return t;
  }

  const int64_t in_n = FieldCount(p, field);
  if (in_n > n) {
    return InvalidArgumentError(StrCat(Describe(p, shape), " has ", in_n, " values in ",
                                       ProtoFieldName(field), " but only ", n, " elements"));
  }
  if (in_n < n) {
    // Elements the proto does not spell out: bound what they cost.
    uint64_t bytes = 0;
    bool over;
    if (dtype == tensorflow::DT_STRING) {
      const uint64_t per = sizeof(std::string) +
                           (in_n > 0 ? p.string_val(static_cast<int>(in_n - 1)).size() : 0);
      over = static_cast<uint64_t>(n) > options.max_broadcast_bytes / per;
      if (!over) bytes = static_cast<uint64_t>(n) * per;
    } else {
      over = !NumericByteSize(dtype, n, &bytes) || bytes > options.max_broadcast_bytes;
    }
    if (over) {
      return ResourceExhaustedError(StrCat(
          Describe(p, shape), " would broadcast ", in_n, " value", in_n == 1 ? "" : "s",
          " of ", ProtoFieldName(field), " to ", n, " elements (",
          bytes > 0 ? StrCat(bytes, " bytes") : std::string("an overflowing size"),
          "), over the limit of ", options.max_broadcast_bytes, " bytes"));
    }
  }
  TFCKPT_ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(dtype, shape));
  if (n == 0) return t;
  if (dtype == tensorflow::DT_STRING) {
    std::vector<std::string>& out = *t.mutable_strings();
    const int64_t m = std::min(n, in_n);
    for (int64_t i = 0; i < m; ++i) out[i] = p.string_val(static_cast<int>(i));
    for (int64_t i = m; m > 0 && i < n; ++i) out[i] = out[m - 1];
    return t;
  }
  char* raw = t.mutable_raw_data();
  switch (field) {
    case Field::kFloat:
      Fill<float>(raw, n, in_n, [&](int64_t i) { return p.float_val(static_cast<int>(i)); });
      break;
    case Field::kDouble:
      Fill<double>(raw, n, in_n, [&](int64_t i) { return p.double_val(static_cast<int>(i)); });
      break;
    case Field::kInt:
      FillInt(dtype, p, raw, n, in_n);
      break;
    case Field::kInt64:
      Fill<int64_t>(raw, n, in_n, [&](int64_t i) { return p.int64_val(static_cast<int>(i)); });
      break;
    case Field::kUint32:
      Fill<uint32_t>(raw, n, in_n, [&](int64_t i) { return p.uint32_val(static_cast<int>(i)); });
      break;
    case Field::kUint64:
      Fill<uint64_t>(raw, n, in_n, [&](int64_t i) { return p.uint64_val(static_cast<int>(i)); });
      break;
    case Field::kBool:
      Fill<uint8_t>(raw, n, in_n,
                    [&](int64_t i) { return p.bool_val(static_cast<int>(i)) ? 1 : 0; });
      break;
    case Field::kHalf:
      Fill<uint16_t>(raw, n, in_n, [&](int64_t i) { return p.half_val(static_cast<int>(i)); });
      break;
    case Field::kScomplex: {
      // Two floats per element; the pair is copied as one 8-byte unit.
      struct C { float re, im; };
      C* out = reinterpret_cast<C*>(raw);
      const int64_t m = std::min(n, in_n);
      for (int64_t i = 0; i < m; ++i) {
        out[i] = {p.scomplex_val(static_cast<int>(2 * i)),
                  p.scomplex_val(static_cast<int>(2 * i + 1))};
      }
      for (int64_t i = m; m > 0 && i < n; ++i) out[i] = out[m - 1];
      break;
    }
    case Field::kDcomplex: {
      struct C { double re, im; };
      C* out = reinterpret_cast<C*>(raw);
      const int64_t m = std::min(n, in_n);
      for (int64_t i = 0; i < m; ++i) {
        out[i] = {p.dcomplex_val(static_cast<int>(2 * i)),
                  p.dcomplex_val(static_cast<int>(2 * i + 1))};
      }
      for (int64_t i = m; m > 0 && i < n; ++i) out[i] = out[m - 1];
      break;
    }
    case Field::kFloat8:
      Fill<uint8_t>(raw, n, in_n,
                    [&](int64_t i) { return static_cast<uint8_t>(p.float8_val()[i]); });
      break;
    case Field::kString:
    case Field::kNone:
      break;
  }
  return t;
}

Status TensorToProtoField(const Tensor& t, TensorProto* p) {
  const DataType dtype = t.dtype();
  const Field field = ProtoFieldOf(dtype);
  if (field == Field::kNone) {
    return UnimplementedError(StrCat("cannot encode a tensor of dtype ",
                                     DataTypeName(dtype), " as a TensorProto"));
  }
  p->Clear();
  p->set_dtype(dtype);
  t.shape().ToProto(p->mutable_tensor_shape());
  const int64_t n = t.num_elements();
  if (n == 0) return OkStatus();
  if (dtype == tensorflow::DT_STRING) {
    for (const std::string& s : t.strings()) p->add_string_val(s);
    return OkStatus();
  }
  const char* raw = t.raw_data();
  for (int64_t i = 0; i < n; ++i) {
    switch (dtype) {
      case tensorflow::DT_FLOAT: p->add_float_val(Load<float>(raw, i)); break;
      case tensorflow::DT_DOUBLE: p->add_double_val(Load<double>(raw, i)); break;
      case tensorflow::DT_INT32:
      case tensorflow::DT_QINT32: p->add_int_val(Load<int32_t>(raw, i)); break;
      case tensorflow::DT_INT16:
      case tensorflow::DT_QINT16: p->add_int_val(Load<int16_t>(raw, i)); break;
      case tensorflow::DT_UINT16:
      case tensorflow::DT_QUINT16: p->add_int_val(Load<uint16_t>(raw, i)); break;
      case tensorflow::DT_INT8:
      case tensorflow::DT_QINT8:
      case tensorflow::DT_INT4: p->add_int_val(Load<int8_t>(raw, i)); break;
      case tensorflow::DT_UINT8:
      case tensorflow::DT_QUINT8:
      case tensorflow::DT_UINT4: p->add_int_val(Load<uint8_t>(raw, i)); break;
      case tensorflow::DT_INT64: p->add_int64_val(Load<int64_t>(raw, i)); break;
      case tensorflow::DT_UINT32: p->add_uint32_val(Load<uint32_t>(raw, i)); break;
      case tensorflow::DT_UINT64: p->add_uint64_val(Load<uint64_t>(raw, i)); break;
      case tensorflow::DT_BOOL: p->add_bool_val(Load<uint8_t>(raw, i) != 0); break;
      case tensorflow::DT_HALF:
      case tensorflow::DT_BFLOAT16: p->add_half_val(Load<uint16_t>(raw, i)); break;
      case tensorflow::DT_COMPLEX64:
        p->add_scomplex_val(Load<float>(raw, 2 * i));
        p->add_scomplex_val(Load<float>(raw, 2 * i + 1));
        break;
      case tensorflow::DT_COMPLEX128:
        p->add_dcomplex_val(Load<double>(raw, 2 * i));
        p->add_dcomplex_val(Load<double>(raw, 2 * i + 1));
        break;
      default:  // float8: one byte each
        p->mutable_float8_val()->push_back(raw[i]);
        break;
    }
  }
  return OkStatus();
}

Status TensorToProtoContent(const Tensor& t, TensorProto* p) {
  const DataType dtype = t.dtype();
  if (ProtoFieldOf(dtype) == Field::kNone) {
    return UnimplementedError(StrCat("cannot encode a tensor of dtype ",
                                     DataTypeName(dtype), " as a TensorProto"));
  }
  p->Clear();
  p->set_dtype(dtype);
  t.shape().ToProto(p->mutable_tensor_shape());
  if (t.num_elements() == 0) return OkStatus();
  if (dtype == tensorflow::DT_STRING) {
    EncodeStringList(t.strings(), p->mutable_tensor_content());
  } else {
    p->set_tensor_content(std::string(t.raw_data(), t.TotalBytes()));
  }
  return OkStatus();
}

Status TensorToProto(const Tensor& t, TensorProto* p) {
  if (UsesTensorContent(t.dtype(), t.num_elements())) return TensorToProtoContent(t, p);
  return TensorToProtoField(t, p);
}

}  // namespace tfckpt::tensor
