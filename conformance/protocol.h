// The testee protocol of `tfckpt conform`, version 2 (docs/CONFORMANCE.md §2).
//
// The runner starts the testee program once and talks to it over the
// testee's stdin and stdout in frames: a 4-byte little-endian length, then
// that many bytes of UTF-8 JSON. Each request frame gets exactly one
// response frame. The first request is
//   {"op": "hello", "protocol_version": 2}
// answered by {"result": {"name", "version", "profiles": [...]}}: the
// profiles (kProfiles) the testee claims. A response holds exactly one of
//   {"result": {...}}   the operation succeeded (op-specific object);
//   {"error": "...", "error_class": "corrupt"}
//                       the implementation refused the input (the expected
//                       answer for defective files); error_class optional,
//                       one of kErrorClasses;
//   {"skipped": "..."}  the testee does not implement this op or format.
// Paths in requests are absolute. read_checkpoint carries "format": "V2"
// (prefix.index + data files) or "V1" (the prefix is the file itself).
// The testee exits when stdin reaches EOF. Anything it prints on stderr goes
// to a log file, never into the protocol.
//
// Tensors cross the protocol as JSON objects ("wire tensors"):
//   {"name", "dtype": "DT_FLOAT", "shape": [2, 3], "sha256"}
// and, when the runner sends tensors to write, also the values:
//   numeric dtypes: "data_hex", the little-endian element bytes, row-major;
//   DT_STRING:      "strings_hex", one hex string per element.
// sha256 is over those same bytes; for strings over (uint64 LE length ‖
// bytes) per element -- golden/MANIFEST.json's raw_sha256.
#ifndef TFCKPT_CONFORMANCE_PROTOCOL_H_
#define TFCKPT_CONFORMANCE_PROTOCOL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nlohmann/json.hpp"
#include "src/io/status.h"
#include "src/tensor/tensor.h"

namespace tfckpt::conformance {

// Larger frames are a protocol error (a 3 MiB tensor in hex is 6 MiB).
inline constexpr uint32_t kMaxFrameBytes = 256u << 20;

inline constexpr int kProtocolVersion = 2;

// What a testee may claim in its hello; every case belongs to one.
//   read-v2 / read-v1   read_checkpoint of V2 bundles / V1 files
//   write-v2 / write-v1 write_checkpoint
//   state               read_checkpoint_state
//   validate            validate
//   read-savedmodel     read_saved_model (tag-sets, signatures, variables)
//   read-metagraph      read_meta_graph (.meta), read_graph (frozen GraphDef)
//   read-object-graph   read_object_graph (a TF2 checkpoint's object graph)
//   load-model          load_model (import a SavedModel, .meta or frozen
//                       graph, restore, initialize, save, fetch)
inline constexpr const char* kProfiles[] = {"read-v2",  "read-v1",         "write-v2",
                                            "write-v1", "state",           "validate",
                                            "read-savedmodel", "read-metagraph",
                                            "read-object-graph", "load-model"};
bool IsProfile(std::string_view name);

// The coarse vocabulary of "error_class", for any implementation:
//   not_found        a file the checkpoint needs does not exist
//   truncated        a file ends before a structure it must hold
//   corrupt          checksum mismatch or malformed structure / field values
//   unsupported      well-formed, but uses a feature the reader lacks
//                    (a newer version, a dtype it does not know)
//   resource_limit   it would need more memory / time than the reader allows
//   invalid_argument the request itself is wrong (unknown format, bad tensor)
//   io               a file exists but cannot be read
inline constexpr const char* kErrorClasses[] = {"not_found",   "truncated",      "corrupt",
                                                "unsupported", "resource_limit", "invalid_argument",
                                                "io"};
bool IsErrorClass(std::string_view name);

// The error classes that describe a defect of the validator's vocabulary
// (check::DefectCodeName spelling, e.g. "TENSOR_CRC" -> {"corrupt"}); the
// one table both the suite's RejectClass cases and tfckpt's testee use.
// Empty for a code it does not know.
std::vector<std::string> ErrorClassesOfDefect(std::string_view code);

// Writes one frame; retries short writes and EINTR.
Status WriteFrame(int fd, const nlohmann::json& message);

// Reads one frame. nullopt at end of input before the first byte of a
// frame. Errors: a frame cut short (DataLoss, with how many bytes arrived),
// a length over `max_bytes` (ResourceExhausted), invalid JSON or a
// non-object (InvalidArgument), nothing within `timeout_ms`
// (DeadlineExceeded; -1 waits forever).
StatusOr<std::optional<nlohmann::json>> ReadFrame(int fd, int timeout_ms = -1,
                                                  uint32_t max_bytes = kMaxFrameBytes);

// The sha256 of a tensor's content as defined above.
std::string ContentSha256(const tensor::Tensor& t);

// {"name", "dtype", "shape", "sha256"}.
nlohmann::json WireTensor(const std::string& name, const tensor::Tensor& t);
// WireTensor plus "data_hex" or "strings_hex".
nlohmann::json WireTensorWithData(const std::string& name, const tensor::Tensor& t);
// The tensor a WireTensorWithData object describes. Errors name the tensor
// and the field (unknown dtype, bad shape, odd or non-hex digits, byte count
// not dtype size × elements, string count not the element count).
StatusOr<tensor::Tensor> TensorFromWire(const nlohmann::json& wire);

}  // namespace tfckpt::conformance

#endif  // TFCKPT_CONFORMANCE_PROTOCOL_H_
