// The testee protocol of `tfckpt conform` (docs/CONFORMANCE.md §2).
//
// The runner starts the testee program once and talks to it over the
// testee's stdin and stdout in frames: a 4-byte little-endian length, then
// that many bytes of UTF-8 JSON. Each request frame gets exactly one
// response frame. A response holds exactly one of
//   {"result": {...}}   the operation succeeded (op-specific object);
//   {"error": "..."}    the implementation refused the input (the expected
//                       answer for defective files);
//   {"skipped": "..."}  the testee does not implement this op or format.
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

#include "nlohmann/json.hpp"
#include "src/io/status.h"
#include "src/tensor/tensor.h"

namespace tfckpt::conformance {

// Larger frames are a protocol error (a 3 MiB tensor in hex is 6 MiB).
inline constexpr uint32_t kMaxFrameBytes = 256u << 20;

// Writes one frame; retries short writes and EINTR.
Status WriteFrame(int fd, const nlohmann::json& message);

// Reads one frame. nullopt at end of input before the first byte of a
// frame. Errors: a frame cut short (DataLoss, with how many bytes arrived),
// a length over kMaxFrameBytes, invalid JSON or a non-object (all
// InvalidArgument), nothing within `timeout_ms` (DeadlineExceeded-style
// Unavailable; -1 waits forever).
StatusOr<std::optional<nlohmann::json>> ReadFrame(int fd, int timeout_ms = -1);

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
