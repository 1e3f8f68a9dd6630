// Bytes shown to people: the one escaper behind keys in error messages
// (table, bundle, V1 readers, the validator), names in CLI output and string
// values in `tfckpt dump`.
//
// EscapeBytes(bytes, flags, max_bytes), byte by byte:
//   - printable ASCII (0x20..0x7e) as itself, except `\` -> `\\` and, with
//     kEscapeQuoted, `"` -> `\"` (the result is then wrapped in "...");
//   - newline, tab, carriage return -> `\n`, `\t`, `\r`;
//   - with kEscapeKeepUtf8 and `bytes` valid UTF-8 as a whole: every byte
//     >= 0x80 as itself (names and strings in their own script);
//   - every other byte -> `\xNN` (two lowercase hex digits).
// So without kEscapeKeepUtf8 the text is printable ASCII whatever the input
// (safe in a terminal, a log or a JSON string), and read as a C string
// literal it gives the bytes back. max_bytes > 0 shows only the first
// max_bytes input bytes, followed by "..." (after the closing quote).
#ifndef TFCKPT_IO_ESCAPE_H_
#define TFCKPT_IO_ESCAPE_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace tfckpt::io {

enum EscapeFlags : unsigned {
  kEscapeQuoted = 1,    // wrap in double quotes and escape `"`
  kEscapeKeepUtf8 = 2,  // keep the non-ASCII bytes of valid UTF-8
};

std::string EscapeBytes(std::string_view bytes, unsigned flags = 0, size_t max_bytes = 0);

// Strict UTF-8 as CPython's decoder accepts it: no overlong forms,
// surrogates or code points above U+10FFFF. On failure *bad_offset (if
// non-null) is the offset of the first sequence that is not valid.
bool IsValidUtf8(std::string_view bytes, size_t* bad_offset = nullptr);

// Length of the valid UTF-8 sequence at bytes[i], or 0 if none starts there.
size_t Utf8SequenceLength(std::string_view bytes, size_t i);

}  // namespace tfckpt::io

#endif  // TFCKPT_IO_ESCAPE_H_
