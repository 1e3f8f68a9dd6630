#include "src/io/sha256.h"

#include <openssl/sha.h>

#include "src/io/hex.h"

namespace tfckpt::io {

std::string Sha256Hex(std::string_view bytes) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), md);
  return Hex(std::string_view(reinterpret_cast<const char*>(md), sizeof(md)));
}

}  // namespace tfckpt::io
