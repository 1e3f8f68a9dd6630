#include "src/bundle/slice_copy.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace tfckpt::bundle {

Status CopySliceOverlap(const tensor::TensorShape& full_shape,
                        const tensor::TensorSlice& src_slice, const tensor::Tensor& src,
                        const tensor::TensorSlice& dst_slice, tensor::Tensor* dst) {
  tensor::TensorSlice inter;
  if (!src_slice.Intersect(dst_slice, &inter)) return OkStatus();
  const int rank = full_shape.rank();
  if (src.dtype() != dst->dtype()) return InternalError("slice dtypes differ");
  if (rank == 0) {  // the only slice of a scalar is the whole of it
    if (src.is_string()) {
      (*dst->mutable_strings())[0] = src.strings()[0];
    } else {
      std::memcpy(dst->mutable_raw_data(), src.raw_data(), src.TotalBytes());
    }
    return OkStatus();
  }
  // Per dimension: the overlap's start relative to each buffer, its length,
  // and each buffer's extent.
  std::vector<int64_t> len(rank), src_start(rank), dst_start(rank), src_dim(rank), dst_dim(rank);
  for (int d = 0; d < rank; ++d) {
    const int64_t size = full_shape.dim(d);
    len[d] = inter.length(d, size);
    src_start[d] = inter.start(d) - src_slice.start(d);
    dst_start[d] = inter.start(d) - dst_slice.start(d);
    src_dim[d] = src_slice.length(d, size);
    dst_dim[d] = dst_slice.length(d, size);
  }
  if (src.num_elements() == 0 || dst->num_elements() == 0) return OkStatus();
  const int64_t elem = src.is_string() ? 1 : tensor::DataTypeSize(src.dtype());
  char* dst_bytes = src.is_string() ? nullptr : dst->mutable_raw_data();
  const char* src_bytes = src.raw_data();
  // Walk every index of the overlap but the last dimension; copy rows.
  std::vector<int64_t> idx(rank, 0);
  const int64_t row = len[rank - 1];
  while (true) {
    int64_t so = 0, doff = 0;
    for (int d = 0; d < rank; ++d) {
      const int64_t i = (d == rank - 1) ? 0 : idx[d];
      so = so * src_dim[d] + src_start[d] + i;
      doff = doff * dst_dim[d] + dst_start[d] + i;
    }
    if (src.is_string()) {
      for (int64_t k = 0; k < row; ++k) {
        (*dst->mutable_strings())[doff + k] = src.strings()[so + k];
      }
    } else {
      std::memcpy(dst_bytes + doff * elem, src_bytes + so * elem, row * elem);
    }
    int d = rank - 2;
    while (d >= 0 && ++idx[d] == len[d]) idx[d--] = 0;
    if (d < 0) break;
  }
  return OkStatus();
}

bool FindOverlappingSlices(const std::vector<tensor::TensorSlice>& slices,
                           const tensor::TensorShape& shape, size_t* a, size_t* b) {
  using tensor::TensorSlice;
  const size_t n = slices.size();
  if (n < 2) return false;
  if (shape.rank() == 0) {
    *a = 0;
    *b = 1;
    return true;
  }
  // Start and end (exclusive) in dimension d.
  const auto begin_of = [](const TensorSlice& s, int d) { return s.start(d); };
  const auto end_of = [&shape](const TensorSlice& s, int d) {
    return s.start(d) + s.length(d, shape.dim(d));
  };
  int d = 0;
  size_t best_distinct = 0;
  for (int dim = 0; dim < shape.rank(); ++dim) {
    std::vector<int64_t> starts;
    starts.reserve(n);
    for (const TensorSlice& s : slices) starts.push_back(begin_of(s, dim));
    std::sort(starts.begin(), starts.end());
    const size_t distinct = std::unique(starts.begin(), starts.end()) - starts.begin();
    if (distinct > best_distinct) {
      best_distinct = distinct;
      d = dim;
    }
  }
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    const int64_t bx = begin_of(slices[x], d), by = begin_of(slices[y], d);
    return bx != by ? bx < by : x < y;
  });
  std::vector<size_t> active;
  for (size_t i : order) {
    const int64_t begin = begin_of(slices[i], d);
    active.erase(std::remove_if(active.begin(), active.end(),
                                [&](size_t j) {
                                  // Zero-sized dimensions: full extents of
                                  // size 0 still overlap (as in TF).
                                  return end_of(slices[j], d) <= begin &&
                                         !(slices[j].extent(d).full() &&
                                           slices[i].extent(d).full());
                                }),
                 active.end());
    for (size_t j : active) {
      if (slices[i].Intersect(slices[j], nullptr)) {
        *a = std::min(i, j);
        *b = std::max(i, j);
        return true;
      }
    }
    active.push_back(i);
  }
  return false;
}

}  // namespace tfckpt::bundle
