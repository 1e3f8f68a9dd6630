// NumPy's .npy and (uncompressed) .npz files, for `tfckpt run` inputs and
// outputs (numpy/lib/format.py, format versions 1.0-3.0).
//
// ReadNpy: the header dict's 'descr', 'fortran_order' and 'shape'. dtypes:
// b1 -> bool, i1..i8 / u1..u8 -> int8..uint64, f2 -> half, f4 -> float,
// f8 -> double, c8 / c16 -> complex64 / complex128, with '<', '>', '|' or
// '=' byte order (big-endian data is swapped); 'S<n>' -> string (each
// element's bytes up to the first trailing NUL, as numpy), 'U<n>' -> string
// (UTF-32 to UTF-8). Fortran-order arrays are transposed to row-major.
// Object arrays ('O', pickled) are refused. Errors name `name` (the file)
// and what was wrong.
//
// WriteNpy: format 1.0, little-endian, C order, for the dtypes above
// (strings as 'S<longest>': a string with trailing NUL bytes loses them, as
// numpy's bytes_ does); other dtypes: Unimplemented.
//
// ReadNpz: the arrays of a .npz (a zip of <name>.npy members, as np.savez
// writes them: stored, not deflated); np.savez_compressed's deflated
// members are Unimplemented, naming the member.
#ifndef TFCKPT_SAVED_MODEL_NPY_H_
#define TFCKPT_SAVED_MODEL_NPY_H_

#include <map>
#include <string>
#include <string_view>

#include "src/io/status.h"
#include "src/tensor/tensor.h"

namespace tfckpt::saved_model {

StatusOr<tensor::Tensor> ReadNpy(std::string_view bytes, const std::string& name);
StatusOr<std::string> WriteNpy(const tensor::Tensor& t);
// Member name without ".npy" -> array.
StatusOr<std::map<std::string, tensor::Tensor>> ReadNpz(std::string_view bytes,
                                                        const std::string& name);

}  // namespace tfckpt::saved_model

#endif  // TFCKPT_SAVED_MODEL_NPY_H_
