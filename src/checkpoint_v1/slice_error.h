// Why a V1 (TensorSlice) checkpoint could not be written or read, in a form
// the validator can map to stable defect codes — the V1 counterpart of
// bundle::BundleError. Every reader function that can fail on file contents
// takes an optional SliceError* and fills it alongside the returned Status
// (whose message is the same text).
#ifndef TFCKPT_CHECKPOINT_V1_SLICE_ERROR_H_
#define TFCKPT_CHECKPOINT_V1_SLICE_ERROR_H_

#include <optional>
#include <string>
#include <string_view>

#include "src/io/status.h"
#include "src/table/format.h"

namespace tfckpt::checkpoint_v1 {

enum class SliceErrorKind {
  kNone = 0,
  kTable,               // the table itself is damaged: see table_error
  kMissingMeta,         // no record under key "" (the SavedTensorSliceMeta)
  kBadMeta,             // "" record unparseable, not a meta, or a tensor with no slices
  kVersionUnsupported,  // VersionDef check failed
  kInvalidShape,        // a SavedSliceMeta shape is invalid (unknown rank, dim < 0, ...)
  kUnknownDtype,        // dtype is not a known DataType value
  kUnsupportedDtype,    // known dtype that V1 cannot hold (bfloat16, resource, ...)
  kInconsistentMeta,    // one tensor listed with different dtypes / shapes
  kBadSlice,            // a TensorSliceProto is invalid or outside the tensor shape
  kDuplicateSlice,      // two registered slices of one tensor overlap
  kBadSliceKey,         // a record key is not a valid slice key / not in the meta
  kBadRecord,           // a slice record does not parse, or disagrees with its key
  kMissingData,         // a slice listed in the meta has no record
  kSizeMismatch,        // TensorProto value count != elements of the slice
  kValueOutOfRange,     // a stored value does not fit the dtype (e.g. int_val 300 for int8)
  kMissingSlices,       // the stored slices do not cover the requested region
  kNotFound,            // no such tensor / no file matches the pattern (not a defect)
  kInvalidRequest,      // the caller's request is invalid (slice outside the shape)
  kIoError,             // the environment failed (permission, ...)
};
// "MISSING_META", "SIZE_MISMATCH", ... (stable names).
std::string_view SliceErrorKindName(SliceErrorKind kind);

struct SliceError {
  SliceErrorKind kind = SliceErrorKind::kNone;
  std::string file;               // the file at fault (or the pattern)
  std::string tensor;             // tensor name, when one is concerned
  std::string key;                // table key, when one is concerned
  table::TableError table_error;  // for kTable
  std::string message;            // equals the Status message

  bool ok() const { return kind == SliceErrorKind::kNone; }
};

// Fills *error (if non-null) and returns a Status with `code` and `message`.
Status SliceFail(SliceError* error, StatusCode code, SliceErrorKind kind,
                 std::string file, std::string tensor, std::string key,
                 std::string message);

}  // namespace tfckpt::checkpoint_v1

#endif  // TFCKPT_CHECKPOINT_V1_SLICE_ERROR_H_
