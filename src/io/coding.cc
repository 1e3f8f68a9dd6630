#include "src/io/coding.h"

namespace tfckpt::io {

void PutFixed32(std::string* dst, uint32_t v) {
  char buf[4];
  EncodeFixed32(buf, v);
  dst->append(buf, 4);
}

void PutFixed64(std::string* dst, uint64_t v) {
  char buf[8];
  EncodeFixed64(buf, v);
  dst->append(buf, 8);
}

char* EncodeVarint64(char* buf, uint64_t v) {
  auto* p = reinterpret_cast<unsigned char*>(buf);
  while (v >= 0x80) {
    *p++ = static_cast<unsigned char>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<unsigned char>(v);
  return reinterpret_cast<char*>(p);
}

void PutVarint32(std::string* dst, uint32_t v) { PutVarint64(dst, v); }

void PutVarint64(std::string* dst, uint64_t v) {
  char buf[kMaxVarint64Bytes];
  dst->append(buf, EncodeVarint64(buf, v) - buf);
}

int VarintLength(uint64_t v) {
  int len = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++len;
  }
  return len;
}

namespace {
const char* GetVarintPtr(const char* p, const char* limit, int max_bytes,
                         uint64_t* v) {
  uint64_t result = 0;
  for (int i = 0; i < max_bytes && p < limit; ++i) {
    const uint64_t byte = static_cast<unsigned char>(*p++);
    result |= (byte & 0x7f) << (7 * i);
    if (byte < 0x80) {
      // The last byte may not carry bits beyond the type's width.
      const int used_bits = 7 * i;
      const int width = max_bytes == kMaxVarint32Bytes ? 32 : 64;
      if (used_bits + 7 > width && (byte >> (width - used_bits)) != 0) {
        return nullptr;
      }
      *v = result;
      return p;
    }
  }
  return nullptr;
}
}  // namespace

const char* GetVarint32Ptr(const char* p, const char* limit, uint32_t* v) {
  uint64_t wide = 0;
  const char* q = GetVarintPtr(p, limit, kMaxVarint32Bytes, &wide);
  if (q != nullptr) *v = static_cast<uint32_t>(wide);
  return q;
}

const char* GetVarint64Ptr(const char* p, const char* limit, uint64_t* v) {
  return GetVarintPtr(p, limit, kMaxVarint64Bytes, v);
}

bool GetVarint32(std::string_view* input, uint32_t* v) {
  const char* end = input->data() + input->size();
  const char* q = GetVarint32Ptr(input->data(), end, v);
  if (q == nullptr) return false;
  input->remove_prefix(q - input->data());
  return true;
}

bool GetVarint64(std::string_view* input, uint64_t* v) {
  const char* end = input->data() + input->size();
  const char* q = GetVarint64Ptr(input->data(), end, v);
  if (q == nullptr) return false;
  input->remove_prefix(q - input->data());
  return true;
}

}  // namespace tfckpt::io
