#include "src/checkpoint_v1/slice_data.h"

#include <cstring>
#include <limits>
#include <string_view>

#include "src/tensor/tensor_proto.h"

namespace tfckpt::checkpoint_v1 {
namespace {

using tensor::DataType;
using tensor::DataTypeName;
using tensor::Tensor;
using tensor::TensorShape;
using tensorflow::TensorProto;

using Field = tensor::ProtoField;

// The typed field of a dtype V1 stores (TF's SaveTypeTraits, the dtypes
// saved_tensor_slice_util.h lists); kNone for the others.
Field FieldOf(DataType dtype) {
  switch (dtype) {
    case tensorflow::DT_FLOAT:
    case tensorflow::DT_DOUBLE:
    case tensorflow::DT_INT32:
    case tensorflow::DT_UINT8:
    case tensorflow::DT_INT8:
    case tensorflow::DT_INT16:
    case tensorflow::DT_UINT16:
    case tensorflow::DT_QINT8:
    case tensorflow::DT_QUINT8:
    case tensorflow::DT_QINT32:
    case tensorflow::DT_INT64:
    case tensorflow::DT_UINT32:
    case tensorflow::DT_UINT64:
    case tensorflow::DT_BOOL:
    case tensorflow::DT_COMPLEX64:
    case tensorflow::DT_COMPLEX128:
    case tensorflow::DT_HALF:
    case tensorflow::DT_STRING: return tensor::ProtoFieldOf(dtype);
    default: return Field::kNone;
  }
}

// The fields other than the typed one that a V1 message names, in its order.
constexpr Field kValueFields[] = {Field::kFloat, Field::kDouble, Field::kInt, Field::kInt64,
                                  Field::kUint32, Field::kUint64, Field::kBool,
                                  Field::kScomplex, Field::kDcomplex, Field::kHalf,
                                  Field::kString};

// Names of set fields other than `typed` ("" if none).
std::string OtherFields(const TensorProto& p, Field typed) {
  std::string out;
  const auto add = [&out](std::string_view name) {
    if (!out.empty()) out += ", ";
    out += name;
  };
  if (p.dtype() != 0) add("dtype");
  if (p.has_tensor_shape()) add("tensor_shape");
  if (p.version_number() != 0) add("version_number");
  if (!p.tensor_content().empty()) add("tensor_content");
  for (Field f : kValueFields) {
    if (f != typed && tensor::ProtoFieldSize(p, f) > 0) add(tensor::ProtoFieldName(f));
  }
  if (p.resource_handle_val_size() > 0) add("resource_handle_val");
  if (p.variant_val_size() > 0) add("variant_val");
  if (!p.float8_val().empty()) add("float8_val");
  return out;
}

// Inclusive range of int_val / half_val entries for `dtype`.
void IntRange(DataType dtype, int64_t* lo, int64_t* hi) {
  switch (dtype) {
    case tensorflow::DT_UINT8:
    case tensorflow::DT_QUINT8: *lo = 0; *hi = 255; return;
    case tensorflow::DT_INT8:
    case tensorflow::DT_QINT8: *lo = -128; *hi = 127; return;
    case tensorflow::DT_INT16: *lo = -32768; *hi = 32767; return;
    case tensorflow::DT_UINT16:
    case tensorflow::DT_HALF: *lo = 0; *hi = 65535; return;
    default:
      *lo = std::numeric_limits<int32_t>::min();
      *hi = std::numeric_limits<int32_t>::max();
      return;
  }
}

template <typename T, typename Repeated>
void CopyOut(const Repeated& field, Tensor* t) {
  if (field.size() > 0) {
    std::memcpy(t->mutable_raw_data(), field.data(), field.size() * sizeof(T));
  }
}

template <typename T, typename Repeated>
void CopyIn(const Tensor& t, int64_t count, Repeated* field) {
  field->Resize(static_cast<int>(count), T());
  if (count > 0) std::memcpy(field->mutable_data(), t.raw_data(), count * sizeof(T));
}

// int_val/half_val entries from small integer elements of type T.
template <typename T>
void WidenInto(const Tensor& t, google::protobuf::RepeatedField<int32_t>* field) {
  const int64_t n = t.num_elements();
  field->Resize(static_cast<int>(n), 0);
  const T* src = t.flat<T>();
  for (int64_t i = 0; i < n; ++i) field->Set(static_cast<int>(i), static_cast<int32_t>(src[i]));
}

template <typename T>
void NarrowFrom(const google::protobuf::RepeatedField<int32_t>& field, Tensor* t) {
  T* dst = t->mutable_flat<T>();
  for (int i = 0; i < field.size(); ++i) dst[i] = static_cast<T>(field.Get(i));
}

}  // namespace

Status CheckWritableDtype(DataType dtype) {
  const bool save_op_type = FieldOf(dtype) != Field::kNone;
  if (!save_op_type) {
    return UnimplementedError(
        StrCat("Saving data type ", DataTypeName(dtype), " not yet supported"));
  }
  if (dtype != tensorflow::DT_STRING && MaxBytesPerElement(dtype) == 0) {
    return InvalidArgumentError(StrCat(
        "Tensor slice serialization not implemented for dtype ", static_cast<int>(dtype)));
  }
  return OkStatus();
}

bool IsReadableDtype(DataType dtype) { return FieldOf(dtype) != Field::kNone; }

size_t MaxBytesPerElement(DataType dtype) {
  switch (dtype) {
    case tensorflow::DT_FLOAT: return 4;
    case tensorflow::DT_DOUBLE: return 8;
    case tensorflow::DT_INT32: return 10;
    case tensorflow::DT_UINT8: return 2;
    case tensorflow::DT_INT16: return 10;
    case tensorflow::DT_INT8: return 10;
    case tensorflow::DT_COMPLEX64: return 8;
    case tensorflow::DT_INT64: return 10;
    case tensorflow::DT_BOOL: return 1;
    case tensorflow::DT_QINT8: return 10;
    case tensorflow::DT_QUINT8: return 2;
    case tensorflow::DT_QINT32: return 10;
    case tensorflow::DT_QINT16: return 10;
    case tensorflow::DT_QUINT16: return 3;
    case tensorflow::DT_UINT16: return 3;
    case tensorflow::DT_COMPLEX128: return 16;
    case tensorflow::DT_HALF: return 3;
    default: return 0;
  }
}

Status FillTensorProto(const Tensor& t, TensorProto* proto) {
  TFCKPT_RETURN_IF_ERROR(CheckWritableDtype(t.dtype()));
  const int64_t n = t.num_elements();
  if (n > std::numeric_limits<int>::max() / 2) {
    return InvalidArgumentError(StrCat("Tensor slice of ", n,
                                       " elements is too large to serialize"));
  }
  switch (t.dtype()) {
    case tensorflow::DT_FLOAT: CopyIn<float>(t, n, proto->mutable_float_val()); break;
    case tensorflow::DT_DOUBLE: CopyIn<double>(t, n, proto->mutable_double_val()); break;
    case tensorflow::DT_INT32:
    case tensorflow::DT_QINT32: CopyIn<int32_t>(t, n, proto->mutable_int_val()); break;
    case tensorflow::DT_UINT8:
    case tensorflow::DT_QUINT8: WidenInto<uint8_t>(t, proto->mutable_int_val()); break;
    case tensorflow::DT_INT8:
    case tensorflow::DT_QINT8: WidenInto<int8_t>(t, proto->mutable_int_val()); break;
    case tensorflow::DT_INT16: WidenInto<int16_t>(t, proto->mutable_int_val()); break;
    case tensorflow::DT_UINT16: WidenInto<uint16_t>(t, proto->mutable_int_val()); break;
    case tensorflow::DT_HALF: WidenInto<uint16_t>(t, proto->mutable_half_val()); break;
    case tensorflow::DT_INT64: CopyIn<int64_t>(t, n, proto->mutable_int64_val()); break;
    case tensorflow::DT_BOOL: {
      auto* field = proto->mutable_bool_val();
      field->Resize(static_cast<int>(n), false);
      const uint8_t* src = t.flat<uint8_t>();
      for (int64_t i = 0; i < n; ++i) field->Set(static_cast<int>(i), src[i] != 0);
      break;
    }
    case tensorflow::DT_COMPLEX64: CopyIn<float>(t, 2 * n, proto->mutable_scomplex_val()); break;
    case tensorflow::DT_COMPLEX128:
      CopyIn<double>(t, 2 * n, proto->mutable_dcomplex_val());
      break;
    case tensorflow::DT_STRING: {
      auto* field = proto->mutable_string_val();
      field->Reserve(static_cast<int>(n));
      for (const std::string& s : t.strings()) field->Add()->assign(s);
      break;
    }
    default:
      return InternalError(StrCat("unhandled dtype ", DataTypeName(t.dtype())));
  }
  return OkStatus();
}

StatusOr<Tensor> DecodeTensorProto(const TensorProto& proto, DataType dtype,
                                   const TensorShape& shape, SliceErrorKind* kind) {
  const Field field = FieldOf(dtype);
  const auto fail = [kind](SliceErrorKind k, std::string message) {
    if (kind != nullptr) *kind = k;
    return DataLossError(std::move(message));
  };
  if (field == Field::kNone) {
    return fail(SliceErrorKind::kUnsupportedDtype,
                StrCat("Data type ", DataTypeName(dtype), " is not supported by V1 checkpoints"));
  }
  const std::string others = OtherFields(proto, field);
  if (!others.empty()) {
    return fail(SliceErrorKind::kBadRecord,
                StrCat("the TensorProto of a ", DataTypeName(dtype), " slice must set only ",
                       tensor::ProtoFieldName(field), ", but also sets ", others));
  }
  const int64_t n = shape.num_elements();
  const bool pairs = field == Field::kScomplex || field == Field::kDcomplex;
  const int64_t stored = tensor::ProtoFieldSize(proto, field);
  if ((pairs && (stored % 2 != 0 || stored / 2 != n)) || (!pairs && stored != n)) {
    return fail(SliceErrorKind::kSizeMismatch,
                StrCat("slice of shape ", shape.DebugString(), " (", n, " elements) holds ",
                       pairs ? StrCat(stored, " ", tensor::ProtoFieldName(field), " entries (",
                                      stored / 2, " complex values") + ")"
                             : StrCat(stored, " ", tensor::ProtoFieldName(field), " values")));
  }
  if (field == Field::kInt || field == Field::kHalf) {
    const auto& values = field == Field::kInt ? proto.int_val() : proto.half_val();
    int64_t lo, hi;
    IntRange(dtype, &lo, &hi);
    for (int i = 0; i < values.size(); ++i) {
      const int64_t v = values.Get(i);
      if (v < lo || v > hi) {
        return fail(SliceErrorKind::kValueOutOfRange,
                    StrCat(tensor::ProtoFieldName(field), "[", i, "] = ", v, " is outside the range [", lo,
                           ", ", hi, "] of ", DataTypeName(dtype)));
      }
    }
  }
  TFCKPT_ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(dtype, shape));
  switch (dtype) {
    case tensorflow::DT_FLOAT: CopyOut<float>(proto.float_val(), &t); break;
    case tensorflow::DT_DOUBLE: CopyOut<double>(proto.double_val(), &t); break;
    case tensorflow::DT_INT32:
    case tensorflow::DT_QINT32: CopyOut<int32_t>(proto.int_val(), &t); break;
    case tensorflow::DT_UINT8:
    case tensorflow::DT_QUINT8: NarrowFrom<uint8_t>(proto.int_val(), &t); break;
    case tensorflow::DT_INT8:
    case tensorflow::DT_QINT8: NarrowFrom<int8_t>(proto.int_val(), &t); break;
    case tensorflow::DT_INT16: NarrowFrom<int16_t>(proto.int_val(), &t); break;
    case tensorflow::DT_UINT16: NarrowFrom<uint16_t>(proto.int_val(), &t); break;
    case tensorflow::DT_HALF: NarrowFrom<uint16_t>(proto.half_val(), &t); break;
    case tensorflow::DT_INT64: CopyOut<int64_t>(proto.int64_val(), &t); break;
    case tensorflow::DT_UINT32: CopyOut<uint32_t>(proto.uint32_val(), &t); break;
    case tensorflow::DT_UINT64: CopyOut<uint64_t>(proto.uint64_val(), &t); break;
    case tensorflow::DT_BOOL: {
      uint8_t* dst = t.mutable_flat<uint8_t>();
      for (int i = 0; i < proto.bool_val_size(); ++i) dst[i] = proto.bool_val(i) ? 1 : 0;
      break;
    }
    case tensorflow::DT_COMPLEX64: CopyOut<float>(proto.scomplex_val(), &t); break;
    case tensorflow::DT_COMPLEX128: CopyOut<double>(proto.dcomplex_val(), &t); break;
    case tensorflow::DT_STRING: {
      std::vector<std::string>& dst = *t.mutable_strings();
      for (int i = 0; i < proto.string_val_size(); ++i) dst[i] = proto.string_val(i);
      break;
    }
    default:
      return InternalError(StrCat("unhandled dtype ", DataTypeName(dtype)));
  }
  return t;
}

}  // namespace tfckpt::checkpoint_v1
