// CRC-32C (Castagnoli) through ISA-L, plus TensorFlow's masking of stored
// checksums (docs/FORMATS.md §0). Masking exists so that a CRC stored inside
// CRC'd data does not make the outer CRC degenerate.
#ifndef TFCKPT_IO_CRC32C_H_
#define TFCKPT_IO_CRC32C_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tfckpt::io::crc32c {

// Continues a CRC: Extend(Value(a), b) == Value(a ‖ b).
uint32_t Extend(uint32_t crc, const char* data, size_t n);
inline uint32_t Value(const char* data, size_t n) { return Extend(0, data, n); }
inline uint32_t Value(std::string_view s) { return Value(s.data(), s.size()); }

constexpr uint32_t kMaskDelta = 0xa282ead8u;

inline uint32_t Mask(uint32_t crc) {
  return ((crc >> 15) | (crc << 17)) + kMaskDelta;
}
inline uint32_t Unmask(uint32_t masked) {
  const uint32_t rot = masked - kMaskDelta;
  return (rot >> 17) | (rot << 15);
}

}  // namespace tfckpt::io::crc32c

#endif  // TFCKPT_IO_CRC32C_H_
