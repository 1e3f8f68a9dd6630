// The text format of the `checkpoint` state file, byte for byte as TF's
// Python writes it (google.protobuf.text_format.MessageToString) and as
// leniently as TF reads it (text_format.Merge).
//
// Writer (CheckpointStateToText), verified against protobuf 7.36.2 under
// TF 2.21 -- see text_format_test.cc for the cases:
//  - Fields in field-number order, one `name: value\n` line per value,
//    repeated fields one line per element, no indentation, no trailer.
//  - Implicit-presence (proto3) singular fields are omitted when their bits
//    are zero: "" and +0.0 are omitted, -0.0 and NaN are printed.
//  - Strings: "..." with \" \\ \' \n \r \t, other bytes < 0x20 and 0x7F as
//    3-digit octal (\001, \177). Bytes >= 0x80: raw when they form valid
//    UTF-8 (as_utf8 = true, the Python default since protobuf 5), else -- and
//    always with as_utf8 = false, the default of older Python protobuf and of
//    C++ TextFormat -- octal (\303\251).
//  - Doubles: Python's repr(float): shortest round-trip digits; fixed notation
//    with at least one fractional digit ("1.0", "1700000000.123456") when
//    the decimal exponent is in [-4, 16), else d[.ddd]e[+-]XX ("1e+16",
//    "1e-05"); "inf", "-inf", "nan". (C++ TextFormat would print "1" and
//    "1e+16" differently: we never use it for output.)
//
// Reader (ParseCheckpointStateText): protobuf's C++ TextFormat::Parser in
// merge mode (repeated singular fields: last wins, like Python's Merge),
// plus the two UTF-8 rules Python applies: the whole file must decode as
// UTF-8 (TF's read_file_to_string decodes it), and every string value must be
// UTF-8 after unescaping. Errors name the source and the 1-based line:column
// of the first parser error.
#ifndef TFCKPT_STATE_TEXT_FORMAT_H_
#define TFCKPT_STATE_TEXT_FORMAT_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "proto/checkpoint_state.pb.h"
#include "src/io/status.h"

namespace tfckpt::state {

struct TextFormatOptions {
  // Python protobuf >= 5 default (TF 2.21 pins protobuf 7): non-ASCII UTF-8
  // printed raw. false reproduces older TF / protobuf 3.x (octal escapes).
  bool as_utf8 = true;
};

// Python's repr() of a float.
std::string PythonFloatRepr(double value);

// text_encoding.CEscape(value, as_utf8) for a string field's bytes.
std::string TextEscape(std::string_view bytes, bool as_utf8);


// text_format.MessageToString(state).
std::string CheckpointStateToText(const tensorflow::CheckpointState& state,
                                  const TextFormatOptions& options = {});

// text_format.Merge(text, CheckpointState()). `source` (usually the file
// path) prefixes every error message. Errors are DATA_LOSS (TF's C++
// ReadTextProto uses the same code for unparseable text protos).
StatusOr<tensorflow::CheckpointState> ParseCheckpointStateText(
    std::string_view text, std::string_view source);

}  // namespace tfckpt::state

#endif  // TFCKPT_STATE_TEXT_FORMAT_H_
