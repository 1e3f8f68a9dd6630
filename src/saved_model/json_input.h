// Tensors and tf.Example protos from JSON text, for `tfckpt run`.
//
// TensorFromJson(text, dtype): a JSON value whose nesting gives the shape
// ("[[1],[2],[3]]" -> [3,1]; "2.5" -> scalar; "[]" -> [0]); lists must be
// rectangular. Numbers are converted from their decimal text directly to
// the dtype (strtof for float, so no double rounding; integers exactly,
// refusing fractions and out-of-range values); "nan", "inf", "-inf" strings
// are accepted for floating types; bool takes true/false; string takes JSON
// strings (UTF-8 bytes) or {"hex": "..."} for arbitrary bytes (value_format's
// output form). Supported dtypes: float, double, int8..int64, uint8..uint64,
// bool, string (others: Unimplemented). Depth is bounded (64) and so are
// elements (max_elements).
//
// ExamplesFromJson(text): one tf.Example per JSON object, as a string
// tensor of serialized protos: an object gives shape [1], a list of objects
// [n]. Each feature is a list (or a single value) of: JSON numbers with a
// '.' or exponent -> float_list; integers only -> int64_list; strings ->
// bytes_list; or explicitly {"float_list": [...]}, {"int64_list": [...]},
// {"bytes_list": [...]}.
#ifndef TFCKPT_SAVED_MODEL_JSON_INPUT_H_
#define TFCKPT_SAVED_MODEL_JSON_INPUT_H_

#include <cstdint>
#include <string_view>

#include "proto/example/example.pb.h"
#include "src/io/status.h"
#include "src/tensor/tensor.h"

namespace tfckpt::saved_model {

StatusOr<tensor::Tensor> TensorFromJson(std::string_view text, tensor::DataType dtype,
                                        int64_t max_elements = int64_t{1} << 26);

StatusOr<tensor::Tensor> ExamplesFromJson(std::string_view text);

}  // namespace tfckpt::saved_model

#endif  // TFCKPT_SAVED_MODEL_JSON_INPUT_H_
