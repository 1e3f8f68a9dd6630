// Why a bundle (checkpoint V2) could not be read, in a form the validator
// can map to stable defect codes. Every reader function that can fail on
// file contents takes an optional BundleError* and fills it alongside the
// returned Status (whose message is the same text).
#ifndef TFCKPT_BUNDLE_BUNDLE_ERROR_H_
#define TFCKPT_BUNDLE_BUNDLE_ERROR_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "src/io/status.h"
#include "src/table/format.h"

namespace tfckpt::bundle {

enum class BundleErrorKind {
  kNone = 0,
  kTable,                // the .index table itself is damaged: see table_error
  kMissingHeader,        // no entry with key "" first in the index
  kBadHeader,            // header proto unparseable, num_shards < 1, bad endianness
  kVersionUnsupported,   // VersionDef check failed
  kBadEntry,             // BundleEntryProto unparseable
  kUnknownDtype,         // dtype not a known, saveable value
  kInvalidShape,         // unknown rank, rank > 254
  kNegativeDim,          // a dimension < 0
  kSizeOverflow,         // element count or byte size overflows
  kSizeMismatch,         // stored size != elements * dtype size (or string bounds)
  kShardIdOutOfRange,    // shard_id < 0 or >= num_shards
  kShardMissing,         // the data file for a shard does not exist / opens with error
  kOffsetOutOfRange,     // offset < 0, or the tensor starts beyond the data file
  kTruncated,            // the tensor starts inside the data file but ends past it
  kTensorCrc,            // stored crc32c differs from the bytes
  kStringLengthCrc,      // DT_STRING length checksum differs
  kBadStringLengths,     // string varints malformed or longer than the entry
  kBadSlice,             // a TensorSliceProto / slice key is invalid or mismatched
  kMissingSlices,        // partitioned tensor lacks slices to cover the request
  kNotFound,             // key absent (not a file defect)
  kBadVariant,           // DT_VARIANT elements malformed (lengths, protos, checksums)
  kUnsupported,          // a valid feature tfckpt does not read (DT_VARIANT...)
  kIoError,              // the environment failed (permission, ...)
};
// "BAD_HEADER", "TENSOR_CRC", ... (stable names).
std::string_view BundleErrorKindName(BundleErrorKind kind);

struct BundleError {
  BundleErrorKind kind = BundleErrorKind::kNone;
  std::string file;                 // path of the file at fault
  std::string key;                  // tensor key, when one is concerned
  std::optional<uint64_t> offset;   // byte offset in `file`, when known
  table::TableError table_error;    // for kTable
  std::string message;              // equals the Status message

  bool ok() const { return kind == BundleErrorKind::kNone; }
};

// Fills *error (if non-null) and returns a Status with `code` and `message`.
Status BundleFail(BundleError* error, StatusCode code, BundleErrorKind kind,
                  std::string file, std::string key,
                  std::optional<uint64_t> offset, std::string message);

}  // namespace tfckpt::bundle

#endif  // TFCKPT_BUNDLE_BUNDLE_ERROR_H_
