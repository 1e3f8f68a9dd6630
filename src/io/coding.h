// Little-endian fixed-width integers and LEB128 varints, as used by the
// table format (docs/FORMATS.md §0). Decoders never read past `limit` and
// report failure instead of guessing.
#ifndef TFCKPT_IO_CODING_H_
#define TFCKPT_IO_CODING_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace tfckpt::io {

constexpr int kMaxVarint32Bytes = 5;
constexpr int kMaxVarint64Bytes = 10;

inline void EncodeFixed32(char* dst, uint32_t v) {
  for (int i = 0; i < 4; ++i) dst[i] = static_cast<char>(v >> (8 * i));
}
inline void EncodeFixed64(char* dst, uint64_t v) {
  for (int i = 0; i < 8; ++i) dst[i] = static_cast<char>(v >> (8 * i));
}
inline uint32_t DecodeFixed32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return uint32_t{u[0]} | uint32_t{u[1]} << 8 | uint32_t{u[2]} << 16 |
         uint32_t{u[3]} << 24;
}
inline uint64_t DecodeFixed64(const char* p) {
  return uint64_t{DecodeFixed32(p)} | uint64_t{DecodeFixed32(p + 4)} << 32;
}

void PutFixed32(std::string* dst, uint32_t v);
void PutFixed64(std::string* dst, uint64_t v);
void PutVarint32(std::string* dst, uint32_t v);
void PutVarint64(std::string* dst, uint64_t v);
// Writes a varint into buf (which must hold kMaxVarint64Bytes); returns its end.
char* EncodeVarint64(char* buf, uint64_t v);
int VarintLength(uint64_t v);

// Decode a varint in [p, limit). Returns the position after it, or nullptr
// if the varint is truncated or longer than the type allows.
const char* GetVarint32Ptr(const char* p, const char* limit, uint32_t* v);
const char* GetVarint64Ptr(const char* p, const char* limit, uint64_t* v);

// Consume a varint from the front of *input; false if malformed.
bool GetVarint32(std::string_view* input, uint32_t* v);
bool GetVarint64(std::string_view* input, uint64_t* v);

}  // namespace tfckpt::io

#endif  // TFCKPT_IO_CODING_H_
