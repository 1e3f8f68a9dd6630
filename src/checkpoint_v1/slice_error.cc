#include "src/checkpoint_v1/slice_error.h"

namespace tfckpt::checkpoint_v1 {

std::string_view SliceErrorKindName(SliceErrorKind kind) {
  switch (kind) {
    case SliceErrorKind::kNone: return "NONE";
    case SliceErrorKind::kTable: return "TABLE";
    case SliceErrorKind::kMissingMeta: return "MISSING_META";
    case SliceErrorKind::kBadMeta: return "BAD_META";
    case SliceErrorKind::kVersionUnsupported: return "VERSION_UNSUPPORTED";
    case SliceErrorKind::kInvalidShape: return "INVALID_SHAPE";
    case SliceErrorKind::kUnknownDtype: return "UNKNOWN_DTYPE";
    case SliceErrorKind::kUnsupportedDtype: return "UNSUPPORTED_DTYPE";
    case SliceErrorKind::kInconsistentMeta: return "INCONSISTENT_META";
    case SliceErrorKind::kBadSlice: return "BAD_SLICE";
    case SliceErrorKind::kDuplicateSlice: return "DUPLICATE_SLICE";
    case SliceErrorKind::kBadSliceKey: return "BAD_SLICE_KEY";
    case SliceErrorKind::kBadRecord: return "BAD_RECORD";
    case SliceErrorKind::kMissingData: return "MISSING_DATA";
    case SliceErrorKind::kSizeMismatch: return "SIZE_MISMATCH";
    case SliceErrorKind::kValueOutOfRange: return "VALUE_OUT_OF_RANGE";
    case SliceErrorKind::kMissingSlices: return "MISSING_SLICES";
    case SliceErrorKind::kNotFound: return "NOT_FOUND";
    case SliceErrorKind::kInvalidRequest: return "INVALID_REQUEST";
    case SliceErrorKind::kIoError: return "IO_ERROR";
  }
  return "UNKNOWN";
}

Status SliceFail(SliceError* error, StatusCode code, SliceErrorKind kind,
                 std::string file, std::string tensor, std::string key,
                 std::string message) {
  if (error != nullptr) {
    error->kind = kind;
    error->file = std::move(file);
    error->tensor = std::move(tensor);
    error->key = std::move(key);
    error->message = message;
  }
  return Status(code, std::move(message));
}

}  // namespace tfckpt::checkpoint_v1
