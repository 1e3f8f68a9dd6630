// Byte order conversion for bundles written on big-endian machines (the
// header's endianness field). CRCs are always over file bytes, so readers
// swap after checking and writers swap before checksumming
// (docs/FORMATS.md §2.4).
#ifndef TFCKPT_BUNDLE_BYTE_SWAP_H_
#define TFCKPT_BUNDLE_BYTE_SWAP_H_

#include <cstddef>

#include "src/io/status.h"
#include "src/tensor/dtype.h"

namespace tfckpt::bundle {

// Width of the units swapped for `dtype`: 1 (no-op: int8, bool, strings...),
// 2, 4 or 8; complex types swap each real/imaginary component. 0 for types
// that cannot be swapped (variant, resource).
int SwapUnitSize(tensor::DataType dtype);

// Reverses the bytes of each unit in place. `bytes` must be a multiple of
// the unit size.
Status ByteSwapBuffer(tensor::DataType dtype, char* data, size_t bytes);

}  // namespace tfckpt::bundle

#endif  // TFCKPT_BUNDLE_BYTE_SWAP_H_
