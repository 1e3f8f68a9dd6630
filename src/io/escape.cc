#include "src/io/escape.h"

#include <cstdint>

namespace tfckpt::io {

std::string EscapeBytes(std::string_view bytes, unsigned flags, size_t max_bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  const bool quoted = (flags & kEscapeQuoted) != 0;
  const bool keep_high = (flags & kEscapeKeepUtf8) != 0 && IsValidUtf8(bytes);
  const size_t shown = max_bytes > 0 && bytes.size() > max_bytes ? max_bytes : bytes.size();
  std::string out = quoted ? "\"" : "";
  for (size_t i = 0; i < shown; ++i) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    switch (b) {
      case '\\': out += "\\\\"; continue;
      case '\n': out += "\\n"; continue;
      case '\t': out += "\\t"; continue;
      case '\r': out += "\\r"; continue;
      case '"':
        out += quoted ? "\\\"" : "\"";
        continue;
      default: break;
    }
    if ((b >= 0x20 && b < 0x7f) || (b >= 0x80 && keep_high)) {
      out.push_back(static_cast<char>(b));
    } else {
      out += "\\x";
      out.push_back(kDigits[b >> 4]);
      out.push_back(kDigits[b & 15]);
    }
  }
  if (quoted) out.push_back('"');
  if (shown < bytes.size()) out += "...";
  return out;
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    int n;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0xc2 && c <= 0xdf) {
      n = 1;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (int k = 1; k <= n; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3f);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

}  // namespace tfckpt::io
