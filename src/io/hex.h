// Hexadecimal text of bytes: the one encoder and decoder that error
// messages, dumps, tensor records (golden/README.md) and the testee protocol
// (docs/CONFORMANCE.md) share.
#ifndef TFCKPT_IO_HEX_H_
#define TFCKPT_IO_HEX_H_

#include <string>
#include <string_view>

#include "src/io/status.h"

namespace tfckpt::io {

// Lowercase, two digits a byte: "0a1b".
std::string Hex(std::string_view bytes);

// The same with a space between bytes, for messages and byte dumps: "0a 1b".
std::string SpacedHex(std::string_view bytes);

// The bytes of `hex` (either case, no separators). InvalidArgument naming
// `what` on an odd number of digits or, with its offset, a non-hex digit.
StatusOr<std::string> Unhex(std::string_view hex, std::string_view what = "hex");

}  // namespace tfckpt::io

#endif  // TFCKPT_IO_HEX_H_
