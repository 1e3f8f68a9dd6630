#include "src/io/escape.h"


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

size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) -> int {
    return k < s.size() ? static_cast<unsigned char>(s[k]) : -1;
  };
  const int b0 = byte(i);
  const auto in = [](int b, int lo, int hi) { return b >= lo && b <= hi; };
  if (b0 < 0x80) return 1;
  if (in(b0, 0xC2, 0xDF)) return in(byte(i + 1), 0x80, 0xBF) ? 2 : 0;
  int lo = 0x80, hi = 0xBF, n = 0;
  if (b0 == 0xE0) {
    lo = 0xA0, n = 3;
  } else if (in(b0, 0xE1, 0xEC) || in(b0, 0xEE, 0xEF)) {
    n = 3;
  } else if (b0 == 0xED) {
    hi = 0x9F, n = 3;  // no UTF-16 surrogates
  } else if (b0 == 0xF0) {
    lo = 0x90, n = 4;
  } else if (in(b0, 0xF1, 0xF3)) {
    n = 4;
  } else if (b0 == 0xF4) {
    hi = 0x8F, n = 4;  // <= U+10FFFF
  } else {
    return 0;
  }
  if (!in(byte(i + 1), lo, hi)) return 0;
  for (int k = 2; k < n; ++k) {
    if (!in(byte(i + k), 0x80, 0xBF)) return 0;
  }
  return static_cast<size_t>(n);
}

bool IsValidUtf8(std::string_view bytes, size_t* bad_offset) {
  size_t i = 0;
  while (i < bytes.size()) {
    const size_t n = Utf8SequenceLength(bytes, i);
    if (n == 0) {
      if (bad_offset != nullptr) *bad_offset = i;
      return false;
    }
    i += n;
  }
  return true;
}

}  // namespace tfckpt::io
