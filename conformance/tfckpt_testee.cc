// tfckpt's own testee for `tfckpt conform` (protocol.h): claims every
// profile and answers every op with the library's readers, writers, state
// parser, validator and model readers (model_ops.h). A refused read is classified (error_class) by what
// tfckpt's validator finds in the same file, through protocol.h's one
// defect-to-class table.
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
//   wrong-endianness reads take every bundle for the other byte order
//                    (multi-byte elements swapped), returning their data
//   lossy-names      names lose their non-ASCII bytes ('?') in reads and writes
//   unassembled-partitions  a partitioned tensor reads as zeros of its full
//                    shape (the slices never assembled)
//   wrong-error-class every refusal says error_class "io"
//   refuse-one-tensor a read refuses its first tensor alone ({"name", "error"})
//   skip-everything  answers "skipped" to everything, hello included
//   skip-reads       claims only read-v2, then skips every read_checkpoint
//   die-at-hello     exits (status 3) on hello
//   hog-memory       a read allocates and touches 64 MiB blocks until it fails
//   burn-cpu         a read spins forever
//   huge-response    a read answers with a 2 MiB frame
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <vector>
#include <cstring>
#include <iostream>
#include <set>
#include <string>
#include <thread>

#include "conformance/checkpoint_tensors.h"
#include "conformance/model_ops.h"
#include "conformance/protocol.h"
#include "src/bundle/bundle_reader.h"
#include "src/bundle/bundle_writer.h"
#include "src/check/validator.h"
#include "src/io/env.h"
#include "src/checkpoint_v1/tensor_slice_reader.h"
#include "src/checkpoint_v1/tensor_slice_writer.h"
#include "src/tensor/dtype.h"
#include "src/state/checkpoint_state.h"

namespace tfckpt::conformance {
namespace {

using nlohmann::json;

std::string g_break;  // --break=MODE, "" for none

// The error class of a failed operation on `path` with status `s`.
std::string ClassOf(io::Env* env, const std::string& path, const Status& s) {
  if (g_break == "wrong-error-class") return "io";
  if (!path.empty()) {
    // The validator names the defect; the table turns it into a class.
    for (const check::Defect& d : check::Validate(env, path).defects) {
      if (check::IsWarning(d.code)) continue;
      const auto classes = ErrorClassesOfDefect(check::DefectCodeName(d.code));
      if (!classes.empty()) return classes.front();
    }
  }
  switch (s.code()) {
    case StatusCode::kNotFound: return "not_found";
    case StatusCode::kInvalidArgument: return "invalid_argument";
    case StatusCode::kResourceExhausted: return "resource_limit";
    case StatusCode::kUnimplemented: return "unsupported";
    case StatusCode::kDataLoss: return "corrupt";
    default: return "io";
  }
}

json Error(io::Env* env, const std::string& path, const Status& s) {
  return json{{"error", s.ToString()}, {"error_class", ClassOf(env, path, s)}};
}

// Lossy names: every byte >= 0x80 becomes '?'.
std::string Name(std::string name) {
  if (g_break == "lossy-names") {
    for (char& c : name) {
      if (static_cast<unsigned char>(c) >= 0x80) c = '?';
    }
  }
  return name;
}

// The element bytes in the other byte order (complex: each component).
void SwapBytes(tensor::Tensor* t) {
  if (t->is_string()) return;
  size_t width = tensor::DataTypeSize(t->dtype());
  if (t->dtype() == tensorflow::DT_COMPLEX64 || t->dtype() == tensorflow::DT_COMPLEX128) width /= 2;
  if (width < 2) return;
  char* p = t->mutable_raw_data();
  for (uint64_t off = 0; off + width <= t->TotalBytes(); off += width) std::reverse(p + off, p + off + width);
}

// Names of the tensors stored in more than one slice (partitioned).
StatusOr<std::set<std::string>> Partitioned(io::Env* env, const std::string& prefix, bool v1) {
  std::set<std::string> out;
  if (v1) {
    TFCKPT_ASSIGN_OR_RETURN(auto reader, checkpoint_v1::TensorSliceReader::Open(env, prefix));
    for (const auto& info : reader->ListTensors()) {
      if (info.slices.size() > 1) out.insert(info.name);
    }
    return out;
  }
  TFCKPT_ASSIGN_OR_RETURN(auto reader, bundle::BundleReader::Open(env, prefix));
  TFCKPT_ASSIGN_OR_RETURN(auto infos, reader->ListTensors());
  for (const auto& info : infos) {
    TFCKPT_ASSIGN_OR_RETURN(bundle::ParsedEntry e, reader->GetEntry(info.key));
    if (e.partitioned()) out.insert(info.key);
  }
  return out;
}

StatusOr<json> ReadCheckpoint(io::Env* env, const json& request) {
  const std::string format = request.value("format", "");
  const std::string prefix = request.value("prefix", "");
  if (format != "V1" && format != "V2") {
    return InvalidArgumentError(StrCat("unknown checkpoint format \"", format, "\""));
  }
  const bool v1 = format == "V1";
  TFCKPT_ASSIGN_OR_RETURN(NamedTensors read, ReadCheckpointTensors(env, prefix, v1));
  std::set<std::string> parted;
  if (g_break == "unassembled-partitions") {
    TFCKPT_ASSIGN_OR_RETURN(parted, Partitioned(env, prefix, v1));
  }
  json tensors = json::array();
  for (auto& [name, t] : read) {
    if (parted.count(name)) {
      TFCKPT_ASSIGN_OR_RETURN(t, tensor::Tensor::Allocate(t.dtype(), t.shape()));
    }
    if (g_break == "wrong-endianness" && !v1) {
      SwapBytes(&t);
      tensors.push_back(WireTensorWithData(Name(name), t));
      continue;
    }
    if (g_break == "refuse-one-tensor" && tensors.empty()) {
      tensors.push_back({{"name", name}, {"error", "refused on purpose (--break=refuse-one-tensor)"}});
      continue;
    }
    tensors.push_back(WireTensor(Name(name), t));
  }
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
      TFCKPT_RETURN_IF_ERROR(writer.Add(Name(w["name"].get<std::string>()), t));
    }
    return writer.Finish();
  }
  if (format == "V1") {
    checkpoint_v1::TensorSliceWriter writer(env, prefix);
    for (const json& w : request["tensors"]) {
      TFCKPT_ASSIGN_OR_RETURN(tensor::Tensor t, TensorFromWire(w));
      TFCKPT_RETURN_IF_ERROR(writer.Add(Name(w["name"].get<std::string>()), t));
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
  if (!state.ok()) return Error(env, dir, state.status());
  if (!state->has_value()) return Error(env, "", NotFoundError(StrCat(dir, ": no checkpoint file")));
  json all = json::array();
  for (const std::string& p : (*state)->all_model_checkpoint_paths()) all.push_back(p);
  return json{{"result",
               {{"model_checkpoint_path", (*state)->model_checkpoint_path()},
                {"all_model_checkpoint_paths", all}}}};
}

json Hello() {
  json profiles = json::array();
  for (const char* p : kProfiles) profiles.push_back(p);
  if (g_break == "skip-reads") profiles = json::array({"read-v2"});
  return json{{"result", {{"name", "tfckpt_testee"}, {"version", "tfckpt"}, {"profiles", profiles}}}};
}

// The planted bugs that stand in for a read (hog-memory, burn-cpu,
// huge-response); null when none applies.
json MisbehaveOnRead() {
  if (g_break == "hog-memory") {
    std::vector<std::unique_ptr<char[]>> blocks;
    for (;;) {  // new throws std::bad_alloc at the limit: the process aborts
      blocks.emplace_back(new char[64 << 20]);
      std::fill_n(blocks.back().get(), 64 << 20, 1);
    }
  }
  if (g_break == "burn-cpu") {
    for (volatile uint64_t i = 0;; ++i) {
    }
  }
  if (g_break == "huge-response") return json{{"result", {{"padding", std::string(2 << 20, 'x')}}}};
  return json();
}

json Handle(io::Env* env, const json& request) {
  const std::string op = request.value("op", "");
  if (g_break == "skip-everything") return json{{"skipped", "--break=skip-everything"}};
  if (op == "hello") {
    if (g_break == "die-at-hello") std::exit(3);
    return Hello();
  }
  if (op == "read_checkpoint") {
    if (g_break == "skip-reads") return json{{"skipped", "--break=skip-reads"}};
    if (json bad = MisbehaveOnRead(); !bad.is_null()) return bad;
    auto result = ReadCheckpoint(env, request);
    if (result.ok()) {
      if (g_break == "flip-read" && !(*result)["tensors"].empty()) {
        std::string& sha = (*result)["tensors"][0]["sha256"].get_ref<std::string&>();
        sha.back() = sha.back() == '0' ? '1' : '0';
      }
      return json{{"result", *result}};
    }
    if (g_break == "accept-defects") return json{{"result", {{"tensors", json::array()}}}};
    if (g_break == "abort-on-reject") std::abort();
    return Error(env, request.value("prefix", ""), result.status());
  }
  if (op == "write_checkpoint") {
    Status s = WriteCheckpoint(env, request);
    return s.ok() ? json{{"result", json::object()}} : Error(env, "", s);
  }
  if (op == "validate") {
    if (g_break == "hang-on-validate") {
      for (;;) std::this_thread::sleep_for(std::chrono::seconds(60));
    }
    if (g_break == "mistyped-validate") return json{{"result", {{"valid", "no"}}}};
    return Validate(env, request.value("path", ""));
  }
  if (op == "read_checkpoint_state") return ReadState(env, request.value("dir", ""));
  for (const auto& [name, fn] : {std::pair{"read_saved_model", &ReadSavedModelOp},
                                 std::pair{"read_meta_graph", &ReadMetaGraphOp},
                                 std::pair{"read_graph", &ReadGraphOp},
                                 std::pair{"read_object_graph", &ReadObjectGraphOp},
                                 std::pair{"load_model", &LoadModelOp}}) {
    if (op != name) continue;
    auto result = fn(env, request);
    if (result.ok()) return json{{"result", *result}};
    return Error(env, "", result.status());
  }
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
