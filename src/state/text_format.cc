#include "src/state/text_format.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>

#include "src/io/escape.h"

namespace tfckpt::state {
namespace {

void AppendOctal(std::string* out, unsigned char c) {
  char buf[5];
  std::snprintf(buf, sizeof buf, "\\%03o", c);
  out->append(buf);
}

void AppendStringField(std::string* out, const char* name,
                       const std::string& value, bool as_utf8) {
  out->append(name);
  out->append(": \"");
  out->append(TextEscape(value, as_utf8));
  out->append("\"\n");
}

void AppendDoubleField(std::string* out, const char* name, double value) {
  out->append(name);
  out->append(": ");
  out->append(PythonFloatRepr(value));
  out->push_back('\n');
}

bool DoubleBitsNonZero(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return bits != 0;
}

// Remembers the first error the parser reports.
class FirstErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (!error_) error_ = StrCat(line + 1, ":", column + 1, ": ", message);
  }
  void AddWarning(int, google::protobuf::io::ColumnNumber,
                  const std::string&) override {}
  const std::optional<std::string>& error() const { return error_; }

 private:
  std::optional<std::string> error_;
};

Status StringFieldUtf8Error(std::string_view source, const char* field,
                            const std::string& value) {
  size_t bad = 0;
  if (io::IsValidUtf8(value, &bad)) return OkStatus();
  return DataLossError(
      StrCat("Can't parse checkpoint state ", source, ": field ", field,
             ": Couldn't parse string: invalid UTF-8 at byte ", bad,
             " of the unescaped value"));
}

}  // namespace

std::string PythonFloatRepr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  // Shortest round-trip digits, as d.ddde[+-]XX.
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, value,
                           std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));
  std::string out;
  if (!sci.empty() && sci[0] == '-') {
    out.push_back('-');
    sci.remove_prefix(1);
  }
  const size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits.push_back(c);
  }
  int exp10 = 0;
  std::string_view exp_text = sci.substr(e + 1);
  if (!exp_text.empty() && exp_text[0] == '+') exp_text.remove_prefix(1);
  std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exp10);
  // CPython format_float_short, mode 'r': value = 0.DIGITS * 10^decpt.
  const int decpt = exp10 + 1;
  const int ndigits = static_cast<int>(digits.size());
  if (decpt <= -4 || decpt > 16) {
    out.push_back(digits[0]);
    if (ndigits > 1) {
      out.push_back('.');
      out.append(digits, 1, std::string::npos);
    }
    char ebuf[16];
    std::snprintf(ebuf, sizeof ebuf, "e%+.02d", decpt - 1);
    out.append(ebuf);
  } else if (decpt <= 0) {
    out.append("0.");
    out.append(static_cast<size_t>(-decpt), '0');
    out.append(digits);
  } else if (decpt >= ndigits) {
    out.append(digits);
    out.append(static_cast<size_t>(decpt - ndigits), '0');
    out.append(".0");
  } else {
    out.append(digits, 0, static_cast<size_t>(decpt));
    out.push_back('.');
    out.append(digits, static_cast<size_t>(decpt), std::string::npos);
  }
  return out;
}

std::string TextEscape(std::string_view bytes, bool as_utf8) {
  std::string out;
  out.reserve(bytes.size() + 2);
  size_t i = 0;
  while (i < bytes.size()) {
    const unsigned char c = static_cast<unsigned char>(bytes[i]);
    switch (c) {
      case '\t': out.append("\\t"); ++i; continue;
      case '\n': out.append("\\n"); ++i; continue;
      case '\r': out.append("\\r"); ++i; continue;
      case '"': out.append("\\\""); ++i; continue;
      case '\'': out.append("\\'"); ++i; continue;
      case '\\': out.append("\\\\"); ++i; continue;
      default: break;
    }
    if (c < 0x20 || c == 0x7F) {
      AppendOctal(&out, c);
      ++i;
    } else if (c < 0x80) {
      out.push_back(static_cast<char>(c));
      ++i;
    } else if (as_utf8) {
      // _DecodeUtf8EscapeErrors: valid sequences raw, each bad byte octal.
      const size_t n = io::Utf8SequenceLength(bytes, i);
      if (n == 0) {
        AppendOctal(&out, c);
        ++i;
      } else {
        out.append(bytes.substr(i, n));
        i += n;
      }
    } else {
      AppendOctal(&out, c);
      ++i;
    }
  }
  return out;
}

std::string CheckpointStateToText(const tensorflow::CheckpointState& state,
                                  const TextFormatOptions& options) {
  std::string out;
  if (!state.model_checkpoint_path().empty()) {
    AppendStringField(&out, "model_checkpoint_path",
                      state.model_checkpoint_path(), options.as_utf8);
  }
  for (const std::string& p : state.all_model_checkpoint_paths()) {
    AppendStringField(&out, "all_model_checkpoint_paths", p, options.as_utf8);
  }
  for (double t : state.all_model_checkpoint_timestamps()) {
    AppendDoubleField(&out, "all_model_checkpoint_timestamps", t);
  }
  if (DoubleBitsNonZero(state.last_preserved_timestamp())) {
    AppendDoubleField(&out, "last_preserved_timestamp",
                      state.last_preserved_timestamp());
  }
  return out;
}

StatusOr<tensorflow::CheckpointState> ParseCheckpointStateText(
    std::string_view text, std::string_view source) {
  size_t bad = 0;
  if (!io::IsValidUtf8(text, &bad)) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02x",
                  static_cast<unsigned>(static_cast<unsigned char>(text[bad])));
    return DataLossError(StrCat("Can't parse checkpoint state ", source,
                                ": not valid UTF-8 (byte ", hex,
                                " at offset ", bad, ")"));
  }
  if (text.size() > static_cast<size_t>(INT32_MAX)) {
    return DataLossError(
        StrCat("Can't parse checkpoint state ", source, ": too large"));
  }
  tensorflow::CheckpointState state;
  FirstErrorCollector errors;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  parser.SetRecursionLimit(32);  // the message has no sub-messages
  const bool ok = parser.MergeFromString(std::string(text), &state);
  if (!ok || errors.error()) {
    return DataLossError(
        StrCat("Can't parse checkpoint state ", source, ": ",
               errors.error() ? *errors.error() : "unknown parser error"));
  }
  TFCKPT_RETURN_IF_ERROR(StringFieldUtf8Error(
      source, "model_checkpoint_path", state.model_checkpoint_path()));
  for (const std::string& p : state.all_model_checkpoint_paths()) {
    TFCKPT_RETURN_IF_ERROR(
        StringFieldUtf8Error(source, "all_model_checkpoint_paths", p));
  }
  return state;
}

}  // namespace tfckpt::state
