#include "conformance/protocol.h"

#include <unistd.h>

#include <fstream>
#include <set>
#include <string>

#include "conformance/runner.h"
#include "conformance/tensor_diff.h"
#include "conformance/testee_process.h"
#include "gtest/gtest.h"
#include "src/check/defect.h"
#include "src/io/env.h"

namespace tfckpt::conformance {
namespace {

using nlohmann::json;

struct Pipe {
  int fds[2];
  Pipe() { EXPECT_EQ(::pipe(fds), 0); }
  ~Pipe() {
    ::close(fds[0]);
    if (fds[1] >= 0) ::close(fds[1]);
  }
  void CloseWrite() { ::close(fds[1]); fds[1] = -1; }
  void Raw(const std::string& bytes) {
    ASSERT_EQ(::write(fds[1], bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }
};

TEST(Frame, RoundTripsAndEndsCleanly) {
  Pipe p;
  const json a = {{"op", "read_checkpoint"}, {"prefix", "/x/\xc3\xa9"}};
  const json b = json::object();
  ASSERT_TRUE(WriteFrame(p.fds[1], a).ok());
  ASSERT_TRUE(WriteFrame(p.fds[1], b).ok());
  p.CloseWrite();
  auto r1 = ReadFrame(p.fds[0]);
  ASSERT_TRUE(r1.ok() && r1->has_value());
  EXPECT_EQ(**r1, a);
  auto r2 = ReadFrame(p.fds[0]);
  ASSERT_TRUE(r2.ok() && r2->has_value());
  EXPECT_EQ(**r2, b);
  auto end = ReadFrame(p.fds[0]);
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(end->has_value());
}

TEST(Frame, LengthIsFourBytesLittleEndian) {
  Pipe p;
  ASSERT_TRUE(WriteFrame(p.fds[1], json::object()).ok());  // "{}"
  p.CloseWrite();
  char buf[16];
  ASSERT_EQ(::read(p.fds[0], buf, sizeof(buf)), 6);
  EXPECT_EQ(std::string(buf, 6), std::string("\x02\x00\x00\x00{}", 6));
}

TEST(Frame, RejectsDamagedFrames) {
  struct Case { std::string bytes; StatusCode code; std::string text; };
  const Case cases[] = {
      {std::string("\x02\x00", 2), StatusCode::kDataLoss, "cut short after 2 of 4"},
      {std::string("\x09\x00\x00\x00{}", 6), StatusCode::kDataLoss, "2 of 9 bytes"},
      {std::string("\xff\xff\xff\xff", 4), StatusCode::kResourceExhausted, "exceeds the limit"},
      {std::string("\x03\x00\x00\x00{x}", 7), StatusCode::kInvalidArgument, "not valid JSON"},
      {std::string("\x02\x00\x00\x00[]", 6), StatusCode::kInvalidArgument, "not a JSON object"},
  };
  for (const Case& c : cases) {
    Pipe p;
    p.Raw(c.bytes);
    p.CloseWrite();
    auto r = ReadFrame(p.fds[0]);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().code(), c.code) << r.status();
    EXPECT_NE(r.status().message().find(c.text), std::string::npos) << r.status();
  }
}

TEST(Frame, TimesOut) {
  Pipe p;
  auto r = ReadFrame(p.fds[0], 50);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
}

TEST(WireTensor, RoundTripsValuesAndHashesLikeTheManifest) {
  const tensor::Tensor f = tensor::Tensor::FromVector<float>(tensorflow::DT_FLOAT, {2}, {1.0f, -2.0f});
  const json w = WireTensorWithData("f", f);
  EXPECT_EQ(w["dtype"], "DT_FLOAT");
  EXPECT_EQ(w["shape"], json::array({2}));
  EXPECT_EQ(w["data_hex"], "0000803f000000c0");
  auto back = TensorFromWire(w);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(back->BitwiseEquals(f));

  // Strings hash as (uint64 LE length || bytes) per element.
  const tensor::Tensor s = tensor::Tensor::FromStrings({2}, {"ab", std::string("\0", 1)});
  const json ws = WireTensorWithData("s", s);
  EXPECT_EQ(ws["strings_hex"], json::array({"6162", "00"}));
  auto sback = TensorFromWire(ws);
  ASSERT_TRUE(sback.ok()) << sback.status();
  EXPECT_EQ(sback->strings(), s.strings());
  EXPECT_EQ(ContentSha256(s), ContentSha256(*sback));
  EXPECT_NE(ContentSha256(s), ContentSha256(tensor::Tensor::FromStrings({2}, {"a", "b"})));
}

TEST(WireTensor, RejectsMalformedTensorsNamingTheField) {
  const json good = {{"name", "t"}, {"dtype", "DT_INT32"}, {"shape", {2}}, {"data_hex", "0100000002000000"}};
  ASSERT_TRUE(TensorFromWire(good).ok());
  struct Case { const char* field; json value; const char* text; };
  const Case cases[] = {
      {"dtype", "DT_NOPE", "\"dtype\" must name a saveable DataType"},
      {"dtype", "DT_RESOURCE", "\"dtype\" must name a saveable DataType"},
      {"shape", json::array({-1}), "tensor \"t\""},
      {"shape", json::array({"2"}), "non-integer"},
      {"data_hex", "010", "odd number of hex digits"},
      {"data_hex", "01000000020000zz", "not a hex digit at offset 14"},
      {"data_hex", "01000000", "holds 4 bytes, int32 [2] needs 4 x 2"},
  };
  for (const Case& c : cases) {
    json bad = good;
    bad[c.field] = c.value;
    auto r = TensorFromWire(bad);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(r.status().message().find(c.text), std::string::npos) << r.status();
  }
  json strings = {{"name", "s"}, {"dtype", "DT_STRING"}, {"shape", {2}}, {"strings_hex", {"61"}}};
  auto r = TensorFromWire(strings);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("1 strings for 2 elements"), std::string::npos);
}

TEST(ErrorClasses, EveryCheckpointDefectHasAKnownClass) {
  // Defects of a checkpoint's own files map to classes of the vocabulary;
  // the SavedModel / graph / interrupted-save ones are not read errors.
  const std::set<std::string> not_read_errors = {"UNREFERENCED_DATA", "INTERRUPTED_SAVE",
                                                 "STALE_TEMP_FILE", "SAVED_MODEL",
                                                 "VARIABLE_MISMATCH"};
  for (int code = 0; code <= static_cast<int>(check::DefectCode::kUnsupported); ++code) {
    const std::string name(check::DefectCodeName(static_cast<check::DefectCode>(code)));
    const auto classes = ErrorClassesOfDefect(name);
    if (not_read_errors.count(name)) {
      EXPECT_TRUE(classes.empty()) << name;
      continue;
    }
    ASSERT_FALSE(classes.empty()) << name;
    for (const std::string& c : classes) EXPECT_TRUE(IsErrorClass(c)) << name << " -> " << c;
  }
  EXPECT_EQ(ErrorClassesOfDefect("TENSOR_CRC"), std::vector<std::string>{"corrupt"});
  EXPECT_TRUE(ErrorClassesOfDefect("NO_SUCH_CODE").empty());
  EXPECT_TRUE(IsProfile("read-v2"));
  EXPECT_FALSE(IsProfile("read"));
}

TEST(TensorDiff, ReportsEveryDifferenceWithTheFirstDifferingElement) {
  const tensor::Tensor a = tensor::Tensor::FromVector<float>(tensorflow::DT_FLOAT, {3}, {1, 2, 3});
  const tensor::Tensor b = tensor::Tensor::FromVector<float>(tensorflow::DT_FLOAT, {3}, {1, 2, 4});
  const std::vector<json> expected = {WireTensor("a", a), WireTensor("b", a), WireTensor("c", a),
                                      WireTensor("d", a), WireTensor("e", a), WireTensor("opt", a)};
  json wrong_shape = WireTensor("c", a);
  wrong_shape["shape"] = json::array({1, 3});
  const json result = {{"tensors",
                        {WireTensor("a", a), WireTensorWithData("b", b), wrong_shape,
                         {{"name", "d"}, {"error", "no"}}, {{"name", "opt"}, {"error", "TF too"}},
                         WireTensor("x", a)}}};
  const ContentOf want = [&a](const std::string&) { return &a; };
  const ContentOf got = [&b](const std::string& n) { return n == "b" ? &b : nullptr; };
  const auto diffs = DiffTensors(result, expected, {"opt"}, want, got);
  ASSERT_EQ(diffs.size(), 5u) << json(diffs).dump();
  EXPECT_EQ(diffs[0]["kind"], "values");
  EXPECT_EQ(diffs[0]["first_differing_element"], 2);
  EXPECT_EQ(diffs[0]["got_element"], "00008040");
  EXPECT_EQ(diffs[1]["kind"], "shape");
  EXPECT_EQ(diffs[2]["kind"], "refused");  // d; opt's refusal is allowed
  EXPECT_EQ(diffs[3]["kind"], "missing");  // e
  EXPECT_EQ(diffs[4]["kind"], "extra");    // x
  // Without "opt" optional its refusal counts too; the line caps, --json not.
  const auto all = DiffTensors(result, expected, {}, want, got);
  EXPECT_EQ(all.size(), 6u);
  EXPECT_EQ(SummarizeDiffs(all, 2).find("; and 4 more differences (all in --json)") != std::string::npos,
            true)
      << SummarizeDiffs(all, 2);
  EXPECT_EQ(DescribeDiff(diffs[0]),
            "tensor \"b\": values differ from element 2 (got 00008040, expected 00004040)");
}

TEST(FailureList, IgnoresCommentsAndRefusesDuplicates) {
  io::Env* env = io::Env::Default();
  const std::string dir = ::testing::TempDir();
  const std::string path = dir + "/list.txt";
  std::ofstream(path) << "# header\n  Required.Reject.a  # why\n\nRecommended.B\n";
  auto names = ReadFailureList(env, path);
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_EQ(*names, (std::vector<std::string>{"Required.Reject.a", "Recommended.B"}));
  std::ofstream(path, std::ios::trunc) << "A\nB\nA\n";
  auto dup = ReadFailureList(env, path);
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("list.txt:3: \"A\" already listed on line 1"),
            std::string::npos)
      << dup.status();
}

TEST(TesteeProcess, ReportsHowTheTesteeFailed) {
  const std::string log = ::testing::TempDir() + "/testee.stderr";
  auto missing = TesteeProcess::Start({"/nonexistent/testee"}, log);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("cannot run testee \"/nonexistent/testee\""),
            std::string::npos);

  auto exits = TesteeProcess::Start({"/bin/sh", "-c", "exit 3"}, log);
  ASSERT_TRUE(exits.ok()) << exits.status();
  auto r = (*exits)->Call(json{{"op", "x"}}, 5000);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("testee died (exit status 3)"), std::string::npos)
      << r.status();

  auto silent = TesteeProcess::Start({"/bin/sh", "-c", "cat >/dev/null"}, log);
  ASSERT_TRUE(silent.ok());
  auto t = (*silent)->Call(json{{"op", "x"}}, 100);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("no response within 0.1 s"), std::string::npos)
      << t.status();
}

}  // namespace
}  // namespace tfckpt::conformance
