#include "src/bundle/bundle_error.h"

namespace tfckpt::bundle {

std::string_view BundleErrorKindName(BundleErrorKind kind) {
  switch (kind) {
    case BundleErrorKind::kNone: return "NONE";
    case BundleErrorKind::kTable: return "TABLE";
    case BundleErrorKind::kMissingHeader: return "MISSING_HEADER";
    case BundleErrorKind::kBadHeader: return "BAD_HEADER";
    case BundleErrorKind::kVersionUnsupported: return "VERSION_UNSUPPORTED";
    case BundleErrorKind::kBadEntry: return "BAD_ENTRY";
    case BundleErrorKind::kUnknownDtype: return "UNKNOWN_DTYPE";
    case BundleErrorKind::kInvalidShape: return "INVALID_SHAPE";
    case BundleErrorKind::kNegativeDim: return "NEGATIVE_DIM";
    case BundleErrorKind::kSizeOverflow: return "SIZE_OVERFLOW";
    case BundleErrorKind::kSizeMismatch: return "SIZE_MISMATCH";
    case BundleErrorKind::kShardIdOutOfRange: return "SHARD_ID_OUT_OF_RANGE";
    case BundleErrorKind::kShardMissing: return "SHARD_MISSING";
    case BundleErrorKind::kOffsetOutOfRange: return "OFFSET_OUT_OF_RANGE";
    case BundleErrorKind::kTruncated: return "TRUNCATED";
    case BundleErrorKind::kTensorCrc: return "TENSOR_CRC";
    case BundleErrorKind::kStringLengthCrc: return "STRING_LENGTH_CRC";
    case BundleErrorKind::kBadStringLengths: return "BAD_STRING_LENGTHS";
    case BundleErrorKind::kBadSlice: return "BAD_SLICE";
    case BundleErrorKind::kMissingSlices: return "MISSING_SLICES";
    case BundleErrorKind::kNotFound: return "NOT_FOUND";
    case BundleErrorKind::kBadVariant: return "BAD_VARIANT";
    case BundleErrorKind::kUnsupported: return "UNSUPPORTED";
    case BundleErrorKind::kIoError: return "IO_ERROR";
  }
  return "UNKNOWN";
}

Status BundleFail(BundleError* error, StatusCode code, BundleErrorKind kind,
                  std::string file, std::string key,
                  std::optional<uint64_t> offset, std::string message) {
  if (error != nullptr) {
    error->kind = kind;
    error->file = std::move(file);
    error->key = std::move(key);
    error->offset = offset;
    error->message = message;
  }
  return Status(code, std::move(message));
}

}  // namespace tfckpt::bundle
