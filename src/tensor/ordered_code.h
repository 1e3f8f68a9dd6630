// OrderedCode: TensorFlow's order-preserving binary encoding, used for the
// keys of sliced tensors (docs/FORMATS.md §2.5). Encoded strings compare
// bytewise in the same order as the values they encode.
//
// Read* functions consume from the front of *src and return false (leaving
// *src in an unspecified position) on malformed or truncated input.
#ifndef TFCKPT_TENSOR_ORDERED_CODE_H_
#define TFCKPT_TENSOR_ORDERED_CODE_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace tfckpt::tensor::ordered_code {

// A length byte (0..8) then the value's significant big-endian bytes.
void WriteNumIncreasing(std::string* dest, uint64_t value);
bool ReadNumIncreasing(std::string_view* src, uint64_t* value);

// The bytes with 0x00 -> 00 ff and 0xff -> ff 00, then the terminator 00 01.
void WriteString(std::string* dest, std::string_view s);
bool ReadString(std::string_view* src, std::string* s);

// Sign-and-length-prefixed big-endian two's complement in 1..10 bytes.
void WriteSignedNumIncreasing(std::string* dest, int64_t value);
bool ReadSignedNumIncreasing(std::string_view* src, int64_t* value);

}  // namespace tfckpt::tensor::ordered_code

#endif  // TFCKPT_TENSOR_ORDERED_CODE_H_
