// Copies the overlap of two slices of one tensor between their buffers:
// the building block for assembling a partitioned tensor from its stored
// slices and for reading one region of it.
#ifndef TFCKPT_BUNDLE_SLICE_COPY_H_
#define TFCKPT_BUNDLE_SLICE_COPY_H_

#include "src/io/status.h"
#include "src/tensor/tensor.h"
#include "src/tensor/tensor_slice.h"

namespace tfckpt::bundle {

// `src` holds the region `src_slice` and `dst` the region `dst_slice` of a
// tensor of `full_shape`; copies their intersection (if any) from src to
// dst. Both tensors must have the dtype and the shapes their slices imply.
Status CopySliceOverlap(const tensor::TensorShape& full_shape,
                        const tensor::TensorSlice& src_slice, const tensor::Tensor& src,
                        const tensor::TensorSlice& dst_slice, tensor::Tensor* dst);

}  // namespace tfckpt::bundle

#endif  // TFCKPT_BUNDLE_SLICE_COPY_H_
