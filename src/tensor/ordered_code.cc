#include "src/tensor/ordered_code.h"

namespace tfckpt::tensor::ordered_code {
namespace {

constexpr int kMaxSignedLength = 10;

// Header bits XOR-ed into the first one or two bytes of an encoding of
// length L (index L).
constexpr unsigned char kLengthToHeaderBits[kMaxSignedLength + 1][2] = {
    {0, 0},       {0x80, 0},    {0xc0, 0},    {0xe0, 0},
    {0xf0, 0},    {0xf8, 0},    {0xfc, 0},    {0xfe, 0},
    {0xff, 0},    {0xff, 0x80}, {0xff, 0xc0}};

// The same header bits, as they overlap the low 64 bits of the decoded value.
constexpr uint64_t kLengthToMask[kMaxSignedLength + 1] = {
    0ULL,
    0x80ULL,
    0xc000ULL,
    0xe00000ULL,
    0xf0000000ULL,
    0xf800000000ULL,
    0xfc0000000000ULL,
    0xfe000000000000ULL,
    0xff00000000000000ULL,
    0x8000000000000000ULL,
    0ULL};

// Encoding length for a value whose magnitude needs `bits` significant bits
// (index = bits, 0..64): L bytes hold 7L-1 bits of magnitude plus the sign.
int LengthForBits(int bits) {
  int len = 1;
  while (7 * len - 1 < bits) ++len;
  return len;
}

int SignificantBits(uint64_t x) {
  int bits = 0;
  while (x != 0) {
    ++bits;
    x >>= 1;
  }
  return bits;
}

}  // namespace

void WriteNumIncreasing(std::string* dest, uint64_t value) {
  unsigned char buf[9];
  int len = 0;
  while (value > 0) {
    ++len;
    buf[9 - len] = static_cast<unsigned char>(value & 0xff);
    value >>= 8;
  }
  buf[8 - len] = static_cast<unsigned char>(len);
  dest->append(reinterpret_cast<const char*>(buf + 8 - len), len + 1);
}

bool ReadNumIncreasing(std::string_view* src, uint64_t* value) {
  if (src->empty()) return false;
  const size_t len = static_cast<unsigned char>((*src)[0]);
  if (len > 8 || len + 1 > src->size()) return false;
  uint64_t v = 0;
  for (size_t i = 0; i < len; ++i) {
    v = (v << 8) | static_cast<unsigned char>((*src)[1 + i]);
  }
  *value = v;
  src->remove_prefix(len + 1);
  return true;
}

void WriteString(std::string* dest, std::string_view s) {
  for (char c : s) {
    if (c == '\x00') {
      dest->append("\x00\xff", 2);
    } else if (c == '\xff') {
      dest->append("\xff\x00", 2);
    } else {
      dest->push_back(c);
    }
  }
  dest->append("\x00\x01", 2);
}

bool ReadString(std::string_view* src, std::string* s) {
  s->clear();
  size_t i = 0;
  while (i < src->size()) {
    const char c = (*src)[i];
    if (c != '\x00' && c != '\xff') {
      s->push_back(c);
      ++i;
      continue;
    }
    if (i + 1 >= src->size()) return false;
    const char next = (*src)[i + 1];
    if (c == '\x00' && next == '\x01') {
      src->remove_prefix(i + 2);
      return true;
    }
    if (c == '\x00' && next == '\xff') {
      s->push_back('\x00');
    } else if (c == '\xff' && next == '\x00') {
      s->push_back('\xff');
    } else {
      return false;
    }
    i += 2;
  }
  return false;  // no terminator
}

void WriteSignedNumIncreasing(std::string* dest, int64_t value) {
  const uint64_t x = value < 0 ? ~static_cast<uint64_t>(value)
                               : static_cast<uint64_t>(value);
  if (x < 64) {
    dest->push_back(static_cast<char>(kLengthToHeaderBits[1][0] ^
                                      static_cast<unsigned char>(value)));
    return;
  }
  // The value, big-endian, sign-extended to ten bytes.
  const unsigned char sign = value < 0 ? 0xff : 0x00;
  unsigned char buf[kMaxSignedLength] = {sign, sign};
  for (int i = 0; i < 8; ++i) {
    buf[2 + i] = static_cast<unsigned char>(static_cast<uint64_t>(value) >> (56 - 8 * i));
  }
  const int len = LengthForBits(SignificantBits(x));
  unsigned char* begin = buf + kMaxSignedLength - len;
  begin[0] ^= kLengthToHeaderBits[len][0];
  begin[1] ^= kLengthToHeaderBits[len][1];
  dest->append(reinterpret_cast<const char*>(begin), len);
}

bool ReadSignedNumIncreasing(std::string_view* src, int64_t* value) {
  if (src->empty()) return false;
  const auto byte = [&](size_t i) { return static_cast<unsigned char>((*src)[i]); };
  const uint64_t xor_mask = (byte(0) & 0x80) == 0 ? ~0ULL : 0ULL;
  const unsigned char first = byte(0) ^ static_cast<unsigned char>(xor_mask);
  size_t len;
  uint64_t x;
  if (first != 0xff) {
    // An encoding of length L (1..7) starts with L one bits, then a zero.
    len = 0;
    for (unsigned char b = first; b & 0x80; b = static_cast<unsigned char>(b << 1)) ++len;
    if (src->size() < len) return false;
    x = xor_mask;
    for (size_t i = 0; i < len; ++i) x = (x << 8) | byte(i);
  } else {
    len = 8;
    if (src->size() < 2) return false;
    const unsigned char second = byte(1) ^ static_cast<unsigned char>(xor_mask);
    if (second >= 0x80) {
      if (second < 0xc0) {
        len = 9;
      } else {
        if (src->size() < 3) return false;
        const unsigned char third = byte(2) ^ static_cast<unsigned char>(xor_mask);
        if (second == 0xc0 && third < 0x80) {
          len = 10;
        } else {
          return false;  // longer than 10 bytes or more than 64 bits
        }
      }
    }
    if (src->size() < len) return false;
    x = 0;
    for (size_t i = len - 8; i < len; ++i) x = (x << 8) | byte(i);
  }
  x ^= kLengthToMask[len];
  *value = static_cast<int64_t>(x);
  src->remove_prefix(len);
  return true;
}

}  // namespace tfckpt::tensor::ordered_code
