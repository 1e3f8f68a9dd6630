#include "src/state/text_format.h"

#include <cstdint>
#include <cstring>
#include <string>

#include "gtest/gtest.h"

namespace tfckpt::state {
namespace {

using namespace std::string_literals;
using tensorflow::CheckpointState;

double FromBits(uint64_t bits) {
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

// Every expected string below is what TF 2.21's Python (protobuf 7.36.2)
// text_format.MessageToString printed for the same message.

TEST(PythonFloatReprTest, MatchesPythonProtobufOutput) {
  struct Case {
    uint64_t bits;
    const char* text;
  };
  const Case cases[] = {
#include "src/state/python_float_repr_cases.inc"
  };
  for (const Case& c : cases) {
    EXPECT_EQ(PythonFloatRepr(FromBits(c.bits)), c.text) << std::hex << c.bits;
  }
}

TEST(PythonFloatReprTest, NegativeNanPrintsAsNan) {
  EXPECT_EQ(PythonFloatRepr(-FromBits(0x7ff8000000000000ull)), "nan");
}

TEST(TextEscapeTest, MatchesPythonProtobufOutput) {
  struct Case {
    std::string value;
    std::string as_utf8_text;   // protobuf >= 5 default
    std::string octal_text;     // as_utf8=False (older TF)
  };
  const Case cases[] = {
  {"plain/path-1"s, "model_checkpoint_path: \"plain/path-1\"\x0a"""s, "model_checkpoint_path: \"plain/path-1\"\x0a"""s},
  {"we\"ird'\\"s, "model_checkpoint_path: \"we\\\"ird\\'\\\\\"\x0a"""s, "model_checkpoint_path: \"we\\\"ird\\'\\\\\"\x0a"""s},
  {"\x0a""\x09""\x0d""\x00""\x01""\x1f""\x7f"""s, "model_checkpoint_path: \"\\n\\t\\r\\000\\001\\037\\177\"\x0a"""s, "model_checkpoint_path: \"\\n\\t\\r\\000\\001\\037\\177\"\x0a"""s},
  {"\xc3""\xa9""\xe2""\x82""\xac""\xf0""\x9f""\x98""\x80"""s, "model_checkpoint_path: \"\xc3""\xa9""\xe2""\x82""\xac""\xf0""\x9f""\x98""\x80""\"\x0a"""s, "model_checkpoint_path: \"\\303\\251\\342\\202\\254\\360\\237\\230\\200\"\x0a"""s},
  {"\xc2""\x80""\xc2""\x9f"""s, "model_checkpoint_path: \"\xc2""\x80""\xc2""\x9f""\"\x0a"""s, "model_checkpoint_path: \"\\302\\200\\302\\237\"\x0a"""s},
  {"a b#c:d{e}"s, "model_checkpoint_path: \"a b#c:d{e}\"\x0a"""s, "model_checkpoint_path: \"a b#c:d{e}\"\x0a"""s},
  {"x'y"s, "model_checkpoint_path: \"x\\'y\"\x0a"""s, "model_checkpoint_path: \"x\\'y\"\x0a"""s},
  {"/tmp/\xc3""\xbc""n\xc3""\xaf""c\xc3""\xb6""d\xc3""\xa9""/model.ckpt-7"s, "model_checkpoint_path: \"/tmp/\xc3""\xbc""n\xc3""\xaf""c\xc3""\xb6""d\xc3""\xa9""/model.ckpt-7\"\x0a"""s, "model_checkpoint_path: \"/tmp/\\303\\274n\\303\\257c\\303\\266d\\303\\251/model.ckpt-7\"\x0a"""s},
  {"\\x41\\101"s, "model_checkpoint_path: \"\\\\x41\\\\101\"\x0a"""s, "model_checkpoint_path: \"\\\\x41\\\\101\"\x0a"""s},
  };
  for (const Case& c : cases) {
    CheckpointState s;
    s.set_model_checkpoint_path(c.value);
    EXPECT_EQ(CheckpointStateToText(s), c.as_utf8_text);
    EXPECT_EQ(CheckpointStateToText(s, TextFormatOptions{false}), c.octal_text);
    // And the C++ parser reads both spellings back to the same bytes.
    for (const std::string& text : {c.as_utf8_text, c.octal_text}) {
      auto back = ParseCheckpointStateText(text, "case");
      ASSERT_TRUE(back.ok()) << back.status();
      EXPECT_EQ(back->model_checkpoint_path(), c.value);
    }
  }
}

TEST(TextEscapeTest, InvalidUtf8BytesAreOctalEvenInUtf8Mode) {
  // Python cannot hold these in a str; we follow _DecodeUtf8EscapeErrors.
  EXPECT_EQ(TextEscape("a\xff\xc3\xa9\xe2\x82", true), "a\\377\xc3\xa9\\342\\202");
  EXPECT_EQ(TextEscape("\xed\xa0\x80", true), "\\355\\240\\200");  // surrogate
}

TEST(CheckpointStateToTextTest, FullMessageFieldOrder) {
  CheckpointState s;
  // Set in reverse order: output order is by field number regardless.
  s.set_last_preserved_timestamp(1699999999.0);
  s.add_all_model_checkpoint_timestamps(1700000000.123456);
  s.add_all_model_checkpoint_timestamps(1700000100.5);
  s.add_all_model_checkpoint_timestamps(1700000200.0);
  s.add_all_model_checkpoint_paths("ckpt-3");
  s.add_all_model_checkpoint_paths("ckpt-4");
  s.add_all_model_checkpoint_paths("ckpt-5");
  s.set_model_checkpoint_path("ckpt-5");
  EXPECT_EQ(CheckpointStateToText(s),
            "model_checkpoint_path: \"ckpt-5\"\x0a""all_model_checkpoint_paths: \"ckpt-3\"\x0a""all_model_checkpoint_paths: \"ckpt-4\"\x0a""all_model_checkpoint_paths: \"ckpt-5\"\x0a""all_model_checkpoint_timestamps: 1700000000.123456\x0a""all_model_checkpoint_timestamps: 1700000100.5\x0a""all_model_checkpoint_timestamps: 1700000200.0\x0a""last_preserved_timestamp: 1699999999.0\x0a"""s);
}

TEST(CheckpointStateToTextTest, ImplicitPresence) {
  CheckpointState s;
  EXPECT_EQ(CheckpointStateToText(s), "");
  s.add_all_model_checkpoint_paths("");
  s.add_all_model_checkpoint_timestamps(0.0);
  s.set_last_preserved_timestamp(0.0);
  // Python: 'all_model_checkpoint_paths: ""\nall_model_checkpoint_timestamps: 0.0\n'
  EXPECT_EQ(CheckpointStateToText(s),
            "all_model_checkpoint_paths: \"\"\n"
            "all_model_checkpoint_timestamps: 0.0\n");
  s.set_last_preserved_timestamp(-0.0);
  EXPECT_EQ(CheckpointStateToText(s),
            "all_model_checkpoint_paths: \"\"\n"
            "all_model_checkpoint_timestamps: 0.0\n"
            "last_preserved_timestamp: -0.0\n");
}

TEST(ParseCheckpointStateTextTest, AcceptsWhatPythonMergeAccepts) {
  auto s = ParseCheckpointStateText(
      "# comment\n"
      "model_checkpoint_path: \"a\"  # trailing\n"
      "model_checkpoint_path: 'b'\n"            // Merge: last one wins
      "all_model_checkpoint_paths: [\"x\", \"y\"]\n"
      "all_model_checkpoint_timestamps: [1, 2.5]\n"
      "last_preserved_timestamp: 7\n"
      "all_model_checkpoint_paths: \"con\" \"cat\"\n",
      "f");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->model_checkpoint_path(), "b");
  ASSERT_EQ(s->all_model_checkpoint_paths_size(), 3);
  EXPECT_EQ(s->all_model_checkpoint_paths(2), "concat");
  ASSERT_EQ(s->all_model_checkpoint_timestamps_size(), 2);
  EXPECT_EQ(s->all_model_checkpoint_timestamps(1), 2.5);
  EXPECT_EQ(s->last_preserved_timestamp(), 7.0);
}

TEST(ParseCheckpointStateTextTest, RoundTripsSpecialDoubles) {
  CheckpointState s;
  s.set_model_checkpoint_path("m");
  for (uint64_t bits : {0x7ff0000000000000ull, 0xfff0000000000000ull,
                        0x0000000000000001ull, 0x7fefffffffffffffull,
                        0x41d954fc40078000ull}) {
    s.add_all_model_checkpoint_timestamps(FromBits(bits));
  }
  auto back = ParseCheckpointStateText(CheckpointStateToText(s), "f");
  ASSERT_TRUE(back.ok()) << back.status();
  for (int i = 0; i < s.all_model_checkpoint_timestamps_size(); ++i) {
    EXPECT_EQ(back->all_model_checkpoint_timestamps(i),
              s.all_model_checkpoint_timestamps(i));
  }
}

void ExpectParseError(const std::string& text, const std::string& fragment) {
  auto s = ParseCheckpointStateText(text, "/d/checkpoint");
  ASSERT_FALSE(s.ok()) << "parsed: " << text;
  EXPECT_EQ(s.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(s.status().message().find("/d/checkpoint"), std::string::npos)
      << s.status();
  EXPECT_NE(s.status().message().find(fragment), std::string::npos)
      << s.status();
}

TEST(ParseCheckpointStateTextTest, ErrorsNameFileLineAndColumn) {
  // Positions are protobuf C++'s (1-based here): it reports where it stopped,
  // Python where the offending token starts ("2:1 : Message type ...").
  ExpectParseError("model_checkpoint_path: \"a\"\nfoo: 1\n",
                   "/d/checkpoint: 2:4: Message type "
                   "\"tensorflow.CheckpointState\" has no field named \"foo\".");
  ExpectParseError("model_checkpoint_path: \"abc\n",
                   "1:28: String literals cannot cross line boundaries.");
  ExpectParseError("model_checkpoint_path: \"a\"\nlast_preserved_timestamp: \"x\"\n",
                   "2:27: Expected double");
  // Python: Couldn't parse string: 'utf-8' codec can't decode byte 0xff.
  ExpectParseError("model_checkpoint_path: \"\\377\"\n", "invalid UTF-8");
  ExpectParseError("all_model_checkpoint_paths: \"\\355\\240\\200\"\n",
                   "invalid UTF-8");
  // TF's read_file_to_string raises UnicodeDecodeError here.
  ExpectParseError("\x00\xff\xfe binary"s, "not valid UTF-8 (byte 0xff at offset 1)");
}

}  // namespace
}  // namespace tfckpt::state
