// Value generators of generators.h: tensors filled with adversarial bit
// patterns (NaN payloads, +-0, denormals, infinities, integer extremes) and
// strings with NUL bytes, invalid UTF-8 and occasional multi-MiB lengths.
#include <cstring>
#include <random>
#include <string>

#include "src/checkpoint_v1/slice_data.h"
#include "src/testing/generators.h"

namespace tfckpt::testing {

using tensor::DataType;
using tensor::Tensor;
using tensor::TensorShape;

// ---- values -----------------------------------------------------------------

namespace {

// A special bit pattern of a binary floating-point format with `exp`
// exponent and `man` mantissa bits (sign bit on top).
uint64_t FloatSpecial(int exp, int man, std::mt19937_64& rng) {
  const uint64_t sign = uint64_t{1} << (exp + man);
  const uint64_t man_mask = (uint64_t{1} << man) - 1;
  const uint64_t inf = ((uint64_t{1} << exp) - 1) << man;
  const uint64_t bias = (uint64_t{1} << (exp - 1)) - 1;
  const uint64_t r = rng();
  const uint64_t s = (r >> 63) != 0 ? sign : 0;
  switch (r % 14) {
    case 0: return 0;                                        // +0
    case 1: return sign;                                     // -0
    case 2: return s | inf;                                  // ±inf
    case 3: return s | inf | (uint64_t{1} << (man - 1));    // quiet NaN
    case 4: return s | inf | 1;                              // signalling NaN
    case 5: {                                                // NaN, random payload
      uint64_t payload = (r >> 8) & man_mask;
      if (payload == 0) payload = 1;
      return s | inf | payload;
    }
    case 6: return s | 1;                                    // smallest denormal
    case 7: return s | man_mask;                             // largest denormal
    case 8: return s | (uint64_t{1} << man);                 // smallest normal
    case 9: return s | (inf - 1);                            // ±max
    case 10: return s | (bias << man);                       // ±1
    case 11: return s | ((r >> 8) & man_mask);               // random denormal
    case 12: return s | inf | man_mask;                      // all-ones NaN
    default: return s | ((bias + 1) << man) | ((r >> 8) & man_mask);  // [2, 4)
  }
}

uint64_t IntSpecial(int bytes, std::mt19937_64& rng) {
  const int bits = bytes * 8;
  const uint64_t all = bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
  const uint64_t top = uint64_t{1} << (bits - 1);
  const uint64_t r = rng();
  switch (r % 9) {
    case 0: return 0;
    case 1: return 1;
    case 2: return all;             // -1 / max unsigned
    case 3: return top;             // min signed
    case 4: return top - 1;         // max signed
    case 5: return top + 1;         // min signed + 1
    case 6: return all - 1;         // -2 / max unsigned - 1
    case 7: return 2;
    default: return (r >> 8) & 0xff;
  }
}

struct FloatFormat {
  int exp = 0;
  int man = 0;
};

// Per-unit layout of a numeric dtype: unit size and, for floating types,
// the format of each unit.
struct UnitInfo {
  int unit = 1;
  std::optional<FloatFormat> fp;
  bool boolean = false;
};

UnitInfo UnitOf(DataType d) {
  switch (d) {
    case tensorflow::DT_FLOAT:
    case tensorflow::DT_COMPLEX64: return {4, FloatFormat{8, 23}};
    case tensorflow::DT_DOUBLE:
    case tensorflow::DT_COMPLEX128: return {8, FloatFormat{11, 52}};
    case tensorflow::DT_HALF: return {2, FloatFormat{5, 10}};
    case tensorflow::DT_BFLOAT16: return {2, FloatFormat{8, 7}};
    case tensorflow::DT_BOOL: return {1, std::nullopt, true};
    default: {
      const int size = tensor::DataTypeSize(d);
      return {size >= 8 ? 8 : size, std::nullopt};
    }
  }
}

void StoreUnit(char* p, int unit, uint64_t v) {
  for (int i = 0; i < unit; ++i) p[i] = static_cast<char>(v >> (8 * i));  // little-endian
}

std::string RandomBytes(std::mt19937_64& rng, size_t n) {
  std::string s(n, '\0');
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const uint64_t v = rng();
    std::memcpy(&s[i], &v, 8);
  }
  for (; i < n; ++i) s[i] = static_cast<char>(rng());
  return s;
}

const char* const kInvalidUtf8[] = {
    "\xc0\x80",          // overlong NUL
    "\xc1\xbf",          // overlong
    "\x80",              // lone continuation
    "\xbf",
    "\xed\xa0\x80",      // UTF-16 surrogate
    "\xed\xbf\xbf",
    "\xe2\x82",          // truncated 3-byte sequence
    "\xf0\x9f\x98",      // truncated 4-byte sequence
    "\xf4\x90\x80\x80",  // above U+10FFFF
    "\xfe",
    "\xff",
    "\xf8\x88\x80\x80\x80",  // 5-byte form
};
const char* const kUnicode[] = {"\xc3\xa9", "\xe4\xb8\xad", "\xf0\x9f\x98\x80", "\xc3\x9f",
                                "\xc2\xa0", "\xef\xac\x81", "\xd7\xa9", "\xe2\x80\x8b"};

std::string StringValue(std::mt19937_64& rng) {
  const uint64_t r = rng();
  const int kind = static_cast<int>(r % 100);
  if (kind < 15) return "";
  if (kind < 40) return RandomBytes(rng, (r >> 8) % 33);
  if (kind < 50) {
    static const char* const kNul[] = {"\0", "a\0b", "\0\0\0", "x\0"};
    static const size_t kNulLen[] = {1, 3, 3, 2};
    const int i = static_cast<int>((r >> 8) % 4);
    return std::string(kNul[i], kNulLen[i]);
  }
  if (kind < 70) {
    std::string s;
    const int parts = 1 + static_cast<int>((r >> 8) % 4);
    for (int i = 0; i < parts; ++i) {
      s += kInvalidUtf8[rng() % (sizeof(kInvalidUtf8) / sizeof(kInvalidUtf8[0]))];
      if (rng() % 2) s += "ok";
    }
    return s;
  }
  if (kind < 82) {
    std::string s;
    const int parts = 1 + static_cast<int>((r >> 8) % 6);
    for (int i = 0; i < parts; ++i) {
      s += kUnicode[rng() % (sizeof(kUnicode) / sizeof(kUnicode[0]))];
      s += static_cast<char>('a' + rng() % 26);
    }
    return s;
  }
  if (kind < 90) return RandomBytes(rng, 100 + (r >> 8) % 4900);
  if (kind < 95) {
    // Lengths at varint boundaries.
    static const size_t kLens[] = {127, 128, 255, 256, 16383, 16384};
    return RandomBytes(rng, kLens[(r >> 8) % 6]);
  }
  std::string s((r >> 8) % 64 + 1, ' ');
  for (char& c : s) c = static_cast<char>(' ' + rng() % 95);
  return s;
}

}  // namespace

Tensor FillTensor(DataType dtype, const TensorShape& shape, uint64_t seed, int special_percent,
                  uint64_t huge_string_length) {
  std::mt19937_64 rng(seed);
  const int64_t n = shape.num_elements();
  if (dtype == tensorflow::DT_STRING) {
    std::vector<std::string> values;
    values.reserve(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) values.push_back(StringValue(rng));
    if (huge_string_length > 0 && n > 0) {
      values[seed % static_cast<uint64_t>(n)] = RandomBytes(rng, huge_string_length);
    }
    return Tensor::FromStrings(shape, std::move(values));
  }
  Tensor t = *Tensor::Allocate(dtype, shape);
  const UnitInfo info = UnitOf(dtype);
  char* p = t.mutable_raw_data();
  const uint64_t units = t.TotalBytes() / static_cast<uint64_t>(info.unit);
  for (uint64_t i = 0; i < units; ++i) {
    uint64_t v;
    if (info.boolean) {
      v = rng() & 1;
    } else if (static_cast<int>(rng() % 100) < special_percent) {
      v = info.fp ? FloatSpecial(info.fp->exp, info.fp->man, rng) : IntSpecial(info.unit, rng);
    } else {
      v = rng();
    }
    StoreUnit(p + i * info.unit, info.unit, v);
  }
  return t;
}

rc::Gen<Tensor> GenTensor(DataType dtype, const TensorShape& shape, const ValueLimits& limits) {
  const int huge = std::clamp(limits.huge_string_percent, 0, 100);
  return rc::gen::apply(
      [dtype, shape](uint64_t seed, int special, bool make_huge, int huge_kib) {
        const uint64_t huge_len =
            make_huge && dtype == tensorflow::DT_STRING ? uint64_t(huge_kib) << 10 : 0;
        return FillTensor(dtype, shape, seed, special, huge_len);
      },
      rc::gen::arbitrary<uint64_t>(), rc::gen::element(0, 5, 30, 100),
      rc::gen::weightedElement<bool>({{static_cast<size_t>(100 - huge), false},
                                      {static_cast<size_t>(huge), true}}),
      rc::gen::inRange(1024, 4097));
}

}  // namespace tfckpt::testing
