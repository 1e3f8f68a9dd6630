#include "src/tensor/dtype.h"

#include "src/io/status.h"

namespace tfckpt::tensor {
namespace {

struct DtypeInfo {
  DataType dtype;
  const char* name;
  int size;
};

constexpr DtypeInfo kInfo[] = {
    {tensorflow::DT_FLOAT, "float", 4},
    {tensorflow::DT_DOUBLE, "double", 8},
    {tensorflow::DT_INT32, "int32", 4},
    {tensorflow::DT_UINT8, "uint8", 1},
    {tensorflow::DT_INT16, "int16", 2},
    {tensorflow::DT_INT8, "int8", 1},
    {tensorflow::DT_STRING, "string", 0},
    {tensorflow::DT_COMPLEX64, "complex64", 8},
    {tensorflow::DT_INT64, "int64", 8},
    {tensorflow::DT_BOOL, "bool", 1},
    {tensorflow::DT_QINT8, "qint8", 1},
    {tensorflow::DT_QUINT8, "quint8", 1},
    {tensorflow::DT_QINT32, "qint32", 4},
    {tensorflow::DT_BFLOAT16, "bfloat16", 2},
    {tensorflow::DT_QINT16, "qint16", 2},
    {tensorflow::DT_QUINT16, "quint16", 2},
    {tensorflow::DT_UINT16, "uint16", 2},
    {tensorflow::DT_COMPLEX128, "complex128", 16},
    {tensorflow::DT_HALF, "half", 2},
    {tensorflow::DT_RESOURCE, "resource", 0},
    {tensorflow::DT_VARIANT, "variant", 0},
    {tensorflow::DT_UINT32, "uint32", 4},
    {tensorflow::DT_UINT64, "uint64", 8},
    {tensorflow::DT_FLOAT8_E5M2, "float8_e5m2", 1},
    {tensorflow::DT_FLOAT8_E4M3FN, "float8_e4m3fn", 1},
    {tensorflow::DT_FLOAT8_E4M3FNUZ, "float8_e4m3fnuz", 1},
    {tensorflow::DT_FLOAT8_E4M3B11FNUZ, "float8_e4m3b11fnuz", 1},
    {tensorflow::DT_FLOAT8_E5M2FNUZ, "float8_e5m2fnuz", 1},
    {tensorflow::DT_INT4, "int4", 1},
    {tensorflow::DT_UINT4, "uint4", 1},
    {tensorflow::DT_INT2, "int2", 1},
    {tensorflow::DT_UINT2, "uint2", 1},
    {tensorflow::DT_FLOAT4_E2M1FN, "float4_e2m1fn", 1},
};

const DtypeInfo* Find(int value) {
  for (const DtypeInfo& i : kInfo) {
    if (i.dtype == value) return &i;
  }
  return nullptr;
}

}  // namespace

bool IsKnownDataType(int value) { return Find(value) != nullptr; }

int DataTypeSize(DataType dtype) {
  const DtypeInfo* i = Find(dtype);
  return i == nullptr ? 0 : i->size;
}

bool IsSaveable(DataType dtype) {
  return IsKnownDataType(dtype) && dtype != tensorflow::DT_RESOURCE;
}

std::string DataTypeName(int dtype) {
  if (const DtypeInfo* i = Find(dtype)) return i->name;
  if (dtype > 100) {
    if (const DtypeInfo* i = Find(dtype - 100)) return StrCat(i->name, "_ref");
  }
  if (dtype == 0) return "invalid";
  return StrCat("unknown dtype ", dtype);
}

std::optional<DataType> DataTypeFromName(std::string_view name) {
  for (const DtypeInfo& i : kInfo) {
    if (name == i.name) return i.dtype;
  }
  return std::nullopt;
}

}  // namespace tfckpt::tensor
