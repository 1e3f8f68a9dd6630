#include "src/bundle/byte_swap.h"

#include <algorithm>

namespace tfckpt::bundle {

int SwapUnitSize(tensor::DataType dtype) {
  switch (dtype) {
    case tensorflow::DT_COMPLEX64: return 4;
    case tensorflow::DT_COMPLEX128: return 8;
    case tensorflow::DT_STRING: return 1;
    default: {
      const int size = tensor::DataTypeSize(dtype);
      return size > 8 ? 0 : size;
    }
  }
}

Status ByteSwapBuffer(tensor::DataType dtype, char* data, size_t bytes) {
  const int unit = SwapUnitSize(dtype);
  if (unit == 0) {
    return UnimplementedError(StrCat("byte swapping is not supported for dtype ",
                                     tensor::DataTypeName(dtype)));
  }
  if (unit == 1) return OkStatus();
  if (bytes % unit != 0) {
    return InternalError(StrCat("cannot byte-swap ", bytes, " bytes in units of ", unit));
  }
  for (size_t i = 0; i < bytes; i += unit) std::reverse(data + i, data + i + unit);
  return OkStatus();
}

}  // namespace tfckpt::bundle
