#include "src/io/hex.h"

namespace tfckpt::io {
namespace {

constexpr char kDigits[] = "0123456789abcdef";

std::string Encode(std::string_view bytes, bool spaced) {
  std::string out;
  out.reserve(bytes.size() * (spaced ? 3 : 2));
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (spaced && i > 0) out.push_back(' ');
    const auto b = static_cast<unsigned char>(bytes[i]);
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string Hex(std::string_view bytes) { return Encode(bytes, false); }

std::string SpacedHex(std::string_view bytes) { return Encode(bytes, true); }

StatusOr<std::string> Unhex(std::string_view hex, std::string_view what) {
  if (hex.size() % 2 != 0) {
    return InvalidArgumentError(StrCat(what, ": odd number of hex digits (", hex.size(), ")"));
  }
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = HexDigit(hex[2 * i]), lo = HexDigit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return InvalidArgumentError(StrCat(what, ": not a hex digit at offset ", 2 * i));
    }
    out[i] = static_cast<char>(hi << 4 | lo);
  }
  return out;
}

}  // namespace tfckpt::io
