// tfckpt's own testee for `tfckpt conform` (protocol.h): answers every op
// with the library's readers, writers, state parser and validator.
//
//   tfckpt conform -- bazel-bin/conformance/tfckpt_testee
//
// --break=MODE plants one deliberate bug, so tests can show the runner
// catches each kind of non-conformance (conformance/conform_test.sh):
//   flip-read        a read returns a wrong sha256 for its first tensor
//   accept-defects   a read that fails returns an empty tensor list instead
//   abort-on-reject  a read that fails abort()s the process
//   hang-on-validate validate never answers
//   align-writes     V2 writes pad tensors to 64 bytes (valid, not TF's bytes)
//   garbage-state    read_checkpoint_state answers with a frame that is not JSON
//   mistyped-validate validate answers {"valid": "no"} (a string, not a bool)
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>

#include "conformance/checkpoint_tensors.h"
#include "conformance/protocol.h"
#include "src/bundle/bundle_writer.h"
#include "src/check/validator.h"
#include "src/io/env.h"
#include "src/slices/tensor_slice_writer.h"
#include "src/state/checkpoint_state.h"

namespace tfckpt::conformance {
namespace {

using nlohmann::json;

std::string g_break;  // --break=MODE, "" for none

json Error(const Status& s) { return json{{"error", s.ToString()}}; }

StatusOr<json> ReadCheckpoint(io::Env* env, const std::string& prefix) {
  const bool v1 = !env->FileExists(prefix + ".index");
  TFCKPT_ASSIGN_OR_RETURN(NamedTensors read, ReadCheckpointTensors(env, prefix, v1));
  json tensors = json::array();
  for (const auto& [name, t] : read) tensors.push_back(WireTensor(name, t));
  return json{{"tensors", tensors}};
}

Status WriteCheckpoint(io::Env* env, const json& request) {
  const std::string format = request.value("format", "");
  const std::string prefix = request.value("prefix", "");
  if (!request.contains("tensors") || !request["tensors"].is_array()) {
    return InvalidArgumentError("write_checkpoint needs a \"tensors\" array");
  }
  if (format == "V2") {
    bundle::BundleWriterOptions options;
    if (g_break == "align-writes") options.data_alignment = 64;
    bundle::BundleWriter writer(env, prefix, options);
    for (const json& w : request["tensors"]) {
      TFCKPT_ASSIGN_OR_RETURN(tensor::Tensor t, TensorFromWire(w));
      TFCKPT_RETURN_IF_ERROR(writer.Add(w["name"].get<std::string>(), t));
    }
    return writer.Finish();
  }
  if (format == "V1") {
    slices::TensorSliceWriter writer(env, prefix);
    for (const json& w : request["tensors"]) {
      TFCKPT_ASSIGN_OR_RETURN(tensor::Tensor t, TensorFromWire(w));
      TFCKPT_RETURN_IF_ERROR(writer.Add(w["name"].get<std::string>(), t));
    }
    return writer.Finish();
  }
  return InvalidArgumentError(StrCat("unknown checkpoint format \"", format, "\""));
}

json Validate(io::Env* env, const std::string& path) {
  const check::Report report = check::Validate(env, path);
  json defects = json::array();
  for (const check::Defect& d : report.defects) {
    defects.push_back({{"code", std::string(check::DefectCodeName(d.code))},
                       {"file", d.file},
                       {"key", d.key},
                       {"message", d.message}});
  }
  return json{{"result", {{"valid", report.ok()}, {"defects", defects}}}};
}

json ReadState(io::Env* env, const std::string& dir) {
  auto state = state::GetCheckpointState(env, dir);
  if (!state.ok()) return Error(state.status());
  if (!state->has_value()) return Error(NotFoundError(StrCat(dir, ": no checkpoint file")));
  json all = json::array();
  for (const std::string& p : (*state)->all_model_checkpoint_paths()) all.push_back(p);
  return json{{"result",
               {{"model_checkpoint_path", (*state)->model_checkpoint_path()},
                {"all_model_checkpoint_paths", all}}}};
}

json Handle(io::Env* env, const json& request) {
  const std::string op = request.value("op", "");
  if (op == "read_checkpoint") {
    auto result = ReadCheckpoint(env, request.value("prefix", ""));
    if (result.ok()) {
      if (g_break == "flip-read" && !(*result)["tensors"].empty()) {
        std::string& sha = (*result)["tensors"][0]["sha256"].get_ref<std::string&>();
        sha.back() = sha.back() == '0' ? '1' : '0';
      }
      return json{{"result", *result}};
    }
    if (g_break == "accept-defects") return json{{"result", {{"tensors", json::array()}}}};
    if (g_break == "abort-on-reject") std::abort();
    return Error(result.status());
  }
  if (op == "write_checkpoint") {
    Status s = WriteCheckpoint(env, request);
    return s.ok() ? json{{"result", json::object()}} : Error(s);
  }
  if (op == "validate") {
    if (g_break == "hang-on-validate") {
      for (;;) std::this_thread::sleep_for(std::chrono::seconds(60));
    }
    if (g_break == "mistyped-validate") return json{{"result", {{"valid", "no"}}}};
    return Validate(env, request.value("path", ""));
  }
  if (op == "read_checkpoint_state") return ReadState(env, request.value("dir", ""));
  return json{{"skipped", StrCat("unknown op \"", op, "\"")}};
}

int Main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--break=", 8) == 0) {
      g_break = argv[i] + 8;
    } else {
      std::cerr << "usage: tfckpt_testee [--break=MODE]  (speaks protocol.h on stdin/stdout)\n";
      return 2;
    }
  }
  io::Env* env = io::Env::Default();
  for (;;) {
    auto request = ReadFrame(0);
    if (!request.ok()) {
      std::cerr << "tfckpt_testee: " << request.status() << "\n";
      return 1;
    }
    if (!request->has_value()) return 0;  // EOF: the runner is done
    if (g_break == "garbage-state" && (*request)->value("op", "") == "read_checkpoint_state") {
      const char junk[] = "\x05\x00\x00\x00{oops";
      if (::write(1, junk, sizeof(junk) - 1) < 0) return 1;
      continue;
    }
    json response;
    try {
      response = Handle(env, **request);
    } catch (const json::exception& e) {  // e.g. "prefix" is not a string
      response = json{{"error", StrCat("malformed request: ", e.what())}};
    }
    Status sent = WriteFrame(1, response);
    if (!sent.ok()) {
      std::cerr << "tfckpt_testee: " << sent << "\n";
      return 1;
    }
  }
}

}  // namespace
}  // namespace tfckpt::conformance

int main(int argc, char** argv) { return tfckpt::conformance::Main(argc, argv); }
