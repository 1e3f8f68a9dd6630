// Deterministic sample tensors of every dtype a bundle can hold, for tests
// and benchmarks.
#ifndef TFCKPT_BUNDLE_TEST_TENSORS_H_
#define TFCKPT_BUNDLE_TEST_TENSORS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "src/tensor/tensor.h"

namespace tfckpt::bundle::testing {

// A tensor of `dtype` and `shape` filled from `seed` (every byte pattern,
// incl. NaN payloads, for numeric types; strings with NUL and 0xff bytes).
tensor::Tensor MakeTensor(tensor::DataType dtype, const tensor::TensorShape& shape,
                          uint64_t seed);

// One tensor per saveable dtype (except variant), plus scalars and zero-sized
// shapes; keys are "<dtype>_<shape>".
std::vector<std::pair<std::string, tensor::Tensor>> AllDtypeTensors();

}  // namespace tfckpt::bundle::testing

#endif  // TFCKPT_BUNDLE_TEST_TENSORS_H_
