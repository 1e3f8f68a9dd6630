// SHA-256 (OpenSSL) as lowercase hex: the content hash of tensor records
// (golden/README.md "raw_sha256") and of tensors on the testee protocol
// (docs/CONFORMANCE.md). A target of its own so that only its users link
// libcrypto.
#ifndef TFCKPT_IO_SHA256_H_
#define TFCKPT_IO_SHA256_H_

#include <string>
#include <string_view>

namespace tfckpt::io {

std::string Sha256Hex(std::string_view bytes);

}  // namespace tfckpt::io

#endif  // TFCKPT_IO_SHA256_H_
