// Splitting one fuzz input into several files (an index and its data
// shards...). Inputs that start with "TFCKPTFZ" are seeds made by
// pack_seeds: a u32 count, then u32 little-endian length + bytes per part.
// Any other input is split by 2-byte length prefixes, so mutations of
// either kind reach every part.
#ifndef TFCKPT_FUZZ_FUZZ_INPUT_H_
#define TFCKPT_FUZZ_FUZZ_INPUT_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace tfckpt::fuzz {

inline constexpr std::string_view kPackMagic = "TFCKPTFZ";

inline uint32_t ReadU32(std::string_view* in) {
  uint32_t v = 0;
  for (int i = 0; i < 4 && !in->empty(); ++i) {
    v |= uint32_t{static_cast<unsigned char>((*in)[0])} << (8 * i);
    in->remove_prefix(1);
  }
  return v;
}

inline std::vector<std::string> SplitInput(const uint8_t* data, size_t size, size_t parts) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> out;
  if (in.substr(0, kPackMagic.size()) == kPackMagic) {
    in.remove_prefix(kPackMagic.size());
    const uint32_t n = ReadU32(&in);
    for (uint32_t i = 0; i < n && out.size() < parts; ++i) {
      const uint32_t len = std::min<uint32_t>(ReadU32(&in), in.size());
      out.emplace_back(in.substr(0, len));
      in.remove_prefix(len);
    }
  } else {
    while (out.size() + 1 < parts && in.size() >= 2) {
      size_t len = static_cast<unsigned char>(in[0]) | static_cast<unsigned char>(in[1]) << 8;
      in.remove_prefix(2);
      len = std::min(len, in.size());
      out.emplace_back(in.substr(0, len));
      in.remove_prefix(len);
    }
    out.emplace_back(in);
  }
  while (out.size() < parts) out.emplace_back();
  return out;
}

inline std::string Pack(const std::vector<std::string>& parts) {
  std::string out(kPackMagic);
  auto put = [&](uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
  };
  put(static_cast<uint32_t>(parts.size()));
  for (const std::string& p : parts) {
    put(static_cast<uint32_t>(p.size()));
    out += p;
  }
  return out;
}

}  // namespace tfckpt::fuzz

#endif  // TFCKPT_FUZZ_FUZZ_INPUT_H_
