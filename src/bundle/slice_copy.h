// Copies the overlap of two slices of one tensor between their buffers:
// the building block for assembling a partitioned tensor from its stored
// slices and for reading one region of it.
#ifndef TFCKPT_BUNDLE_SLICE_COPY_H_
#define TFCKPT_BUNDLE_SLICE_COPY_H_

#include <cstddef>
#include <vector>

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

// Finds two overlapping slices of a tensor of `shape` (every slice fits
// it): indexes *a < *b. A sweep along the dimension with the most distinct
// starts, so the usual partitioned variable (cut along one axis) costs
// O(n log n), not the O(n^2) of trying every pair (4,096 one-element slices:
// 1.5 s pairwise; docs/PERFORMANCE.md "Hostile files"). Shared by the V2
// and V1 readers.
bool FindOverlappingSlices(const std::vector<tensor::TensorSlice>& slices,
                           const tensor::TensorShape& shape, size_t* a, size_t* b);

}  // namespace tfckpt::bundle

#endif  // TFCKPT_BUNDLE_SLICE_COPY_H_
