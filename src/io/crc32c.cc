#include "src/io/crc32c.h"

#include <isa-l.h>

namespace tfckpt::io::crc32c {

uint32_t Extend(uint32_t crc, const char* data, size_t n) {
  // ISA-L's crc32_iscsi takes and returns the raw register; the standard
  // CRC-32C pre/post-inverts it.
  uint32_t reg = crc ^ 0xffffffffu;
  while (n > 0) {
    // crc32_iscsi takes an int length.
    const size_t chunk = n > (1u << 30) ? (1u << 30) : n;
    reg = crc32_iscsi(reinterpret_cast<unsigned char*>(const_cast<char*>(data)),
                      static_cast<int>(chunk), reg);
    data += chunk;
    n -= chunk;
  }
  return reg ^ 0xffffffffu;
}

}  // namespace tfckpt::io::crc32c
