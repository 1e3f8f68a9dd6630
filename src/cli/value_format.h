// Reading and printing tensor elements for `dump` and `diff`.
//
// Numbers are printed exactly:
//  - floating-point values as the shortest decimal that reads back to the
//    same value (std::to_chars; never more digits than %.9g for float and
//    %.17g for double), always with a "." or an exponent ("1.0", "-0.0",
//    "1e+10") so JSON readers parse a float and keep the sign of -0.0.
//    half, bfloat16, float8 and float4 values are converted to float
//    (exact) and printed as floats; double and complex128 parts as doubles. NaN and infinities are the JSON strings
//    "nan", "inf", "-inf" (the sign of a NaN is not kept).
//  - integers (int8..int64, uint8..uint64, quantized, int4/uint4/int2/uint2)
//    as exact decimal integers, including uint64 above 2^63;
//  - bool as true/false; complex as [re, im];
//  - strings as JSON strings when the bytes are valid UTF-8, otherwise as
//    {"hex": "<lowercase hex of the bytes>"}.
#ifndef TFCKPT_CLI_VALUE_FORMAT_H_
#define TFCKPT_CLI_VALUE_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "src/tensor/tensor.h"

namespace tfckpt::cli {

enum class ElementKind { kFloat, kComplex, kSigned, kUnsigned, kBool, kString, kUnsupported };
ElementKind KindOf(tensor::DataType dtype);

// Value of element i (component `part` of a complex) as a double; exact for
// every floating-point dtype. Only for kFloat and kComplex.
double FloatElement(const tensor::Tensor& t, int64_t i, int part = 0);
// Value of element i of a kSigned / kUnsigned / kBool tensor.
__int128 IntElement(const tensor::Tensor& t, int64_t i);

std::string FormatFloat(float v);
std::string FormatDouble(double v);
// JSON text of element i (see above).
std::string ElementJson(const tensor::Tensor& t, int64_t i);
// Human text of element i: numbers as in JSON but NaN/Inf bare; strings
// through io::EscapeBytes, quoted, valid UTF-8 kept (\n, \", \\, \xNN for
// control bytes and for every non-ASCII byte of a string that is not valid
// UTF-8).
std::string ElementText(const tensor::Tensor& t, int64_t i);

// "[1, 2, 3]": every value, row-major, as one flat JSON array.
std::string ValuesJson(const tensor::Tensor& t);
// Every value in numpy-like nested brackets, one innermost row per line.
// With edge > 0, summarised as numpy does past its threshold: a dimension
// longer than 2 * edge shows its first and last `edge` entries and "...".
std::string ValuesText(const tensor::Tensor& t, int64_t edge = 0);

// A tensor name or path as a JSON string: the bytes when valid UTF-8,
// otherwise DisplayName's \xNN form (callers add "<field>_hex").
std::string JsonSafe(const std::string& s);
// Pretty JSON text (2-space indent) and a newline.
std::string JsonText(const nlohmann::ordered_json& j);

// Row-major multi-index of flat index i ("[0,2]"; "[]" for a scalar).
std::vector<int64_t> UnflattenIndex(const tensor::TensorShape& shape, int64_t i);
std::string IndexString(const std::vector<int64_t>& index);

}  // namespace tfckpt::cli

#endif  // TFCKPT_CLI_VALUE_FORMAT_H_
