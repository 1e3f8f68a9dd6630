#include "src/check/defect.h"

namespace tfckpt::check {

std::string_view DefectCodeName(DefectCode code) {
  switch (code) {
    case DefectCode::kNotFound: return "NOT_FOUND";
    case DefectCode::kIoError: return "IO_ERROR";
    case DefectCode::kTruncated: return "TRUNCATED";
    case DefectCode::kBadMagic: return "BAD_MAGIC";
    case DefectCode::kBadBlockHandle: return "BAD_BLOCK_HANDLE";
    case DefectCode::kOffsetOutOfRange: return "OFFSET_OUT_OF_RANGE";
    case DefectCode::kBlockCrc: return "BLOCK_CRC";
    case DefectCode::kBadCompression: return "BAD_COMPRESSION";
    case DefectCode::kUnknownBlockType: return "UNKNOWN_BLOCK_TYPE";
    case DefectCode::kBadBlock: return "BAD_BLOCK";
    case DefectCode::kUnsortedKeys: return "UNSORTED_KEYS";
    case DefectCode::kMissingHeader: return "MISSING_HEADER";
    case DefectCode::kBadHeader: return "BAD_HEADER";
    case DefectCode::kVersionUnsupported: return "VERSION_UNSUPPORTED";
    case DefectCode::kBadEntry: return "BAD_ENTRY";
    case DefectCode::kUnknownDtype: return "UNKNOWN_DTYPE";
    case DefectCode::kInvalidShape: return "INVALID_SHAPE";
    case DefectCode::kNegativeDim: return "NEGATIVE_DIM";
    case DefectCode::kSizeOverflow: return "SIZE_OVERFLOW";
    case DefectCode::kSizeMismatch: return "SIZE_MISMATCH";
    case DefectCode::kShardIdOutOfRange: return "SHARD_ID_OUT_OF_RANGE";
    case DefectCode::kShardMissing: return "SHARD_MISSING";
    case DefectCode::kMixedShards: return "MIXED_SHARDS";
    case DefectCode::kStrayShard: return "STRAY_SHARD";
    case DefectCode::kTensorCrc: return "TENSOR_CRC";
    case DefectCode::kStringLengthCrc: return "STRING_LENGTH_CRC";
    case DefectCode::kBadStringLengths: return "BAD_STRING_LENGTHS";
    case DefectCode::kBadVariant: return "BAD_VARIANT";
    case DefectCode::kBadSlice: return "BAD_SLICE";
    case DefectCode::kMissingSlices: return "MISSING_SLICES";
    case DefectCode::kUnreferencedData: return "UNREFERENCED_DATA";
    case DefectCode::kOverlappingData: return "OVERLAPPING_DATA";
    case DefectCode::kStateFile: return "STATE_FILE";
    case DefectCode::kStalePath: return "STALE_PATH";
    case DefectCode::kInterruptedSave: return "INTERRUPTED_SAVE";
    case DefectCode::kStaleTempFile: return "STALE_TEMP_FILE";
    case DefectCode::kSavedModel: return "SAVED_MODEL";
    case DefectCode::kVariableMismatch: return "VARIABLE_MISMATCH";
    case DefectCode::kMissingVariables: return "MISSING_VARIABLES";
    case DefectCode::kMissingAsset: return "MISSING_ASSET";
    case DefectCode::kBadSignature: return "BAD_SIGNATURE";
    case DefectCode::kBadMetaGraph: return "BAD_META_GRAPH";
    case DefectCode::kBadGraph: return "BAD_GRAPH";
    case DefectCode::kRecursiveFunction: return "RECURSIVE_FUNCTION";
    case DefectCode::kUnsupported: return "UNSUPPORTED";
  }
  return "UNKNOWN";
}

bool IsWarning(DefectCode code) {
  return code == DefectCode::kUnreferencedData || code == DefectCode::kInterruptedSave ||
         code == DefectCode::kStaleTempFile || code == DefectCode::kUnsupported;
}

}  // namespace tfckpt::check
