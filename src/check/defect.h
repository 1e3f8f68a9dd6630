// What `tfckpt validate` reports: each defect has a stable code (scripts
// match on it), the file, the byte offset and/or tensor key concerned, and
// one human-readable line. Codes never change meaning once released.
#ifndef TFCKPT_CHECK_DEFECT_H_
#define TFCKPT_CHECK_DEFECT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tfckpt::check {

enum class DefectCode {
  kNotFound,            // the path names nothing tfckpt can read
  kIoError,             // a file exists but cannot be read
  kTruncated,           // a file ends before a structure it must hold
  kBadMagic,            // table footer magic wrong
  kBadBlockHandle,      // malformed block handle
  kOffsetOutOfRange,    // a handle or entry points outside its file
  kBlockCrc,            // table block checksum mismatch
  kBadCompression,      // snappy block does not decode
  kUnknownBlockType,    // block trailer type not 0/1
  kBadBlock,            // block structure (restarts, entries) malformed
  kUnsortedKeys,        // keys out of order / duplicated
  kMissingHeader,       // bundle index lacks the "" header record
  kBadHeader,           // header unparseable / bad num_shards / endianness
  kVersionUnsupported,  // version check failed
  kBadEntry,            // BundleEntryProto (or V1 record) unparseable
  kUnknownDtype,        // dtype unknown or not saveable
  kInvalidShape,        // unknown rank / too many dims
  kNegativeDim,         // dimension < 0
  kSizeOverflow,        // element or byte count overflows
  kSizeMismatch,        // stored size inconsistent with dtype x shape
  kShardIdOutOfRange,   // shard_id outside [0, num_shards)
  kShardMissing,        // a data shard file is absent
  kMixedShards,         // data files of another save beside this prefix
  kStrayShard,          // a data file numbered for this save that its index does not name
  kTensorCrc,           // tensor bytes checksum mismatch
  kStringLengthCrc,     // string length checksum mismatch
  kBadStringLengths,    // string lengths malformed
  kBadVariant,          // DT_VARIANT elements malformed (not something TF could hold)
  kBadSlice,            // slice spec invalid / outside shape / overlapping
  kMissingSlices,       // partitioned tensor not fully covered
  kUnreferencedData,    // bytes of a data file no entry covers (warning)
  kOverlappingData,     // an entry's bytes overlap another entry's in the same data file
  kStateFile,           // `checkpoint` file unparseable or invalid
  kStalePath,           // state file names a checkpoint that does not exist
  kInterruptedSave,     // *.tfckpt-old backups of an interrupted save
  kStaleTempFile,       // *.tempstate* file of an unfinished (or killed) save (warning)
  kSavedModel,          // saved_model.pb missing/unparseable
  kVariableMismatch,    // graph variable absent from bundle or dtype/shape differ
  kMissingVariables,    // a Saver restores keys, but the model has no checkpoint
  kMissingAsset,        // an AssetFileDef's file is not in assets/
  kBadSignature,        // a signature names a tensor the graph lacks
  kBadMetaGraph,        // .meta unparseable; saver/asset/init-op name not in the graph
  kBadGraph,            // GraphDef unparseable or structurally invalid
  kRecursiveFunction,   // a library function calls itself (CVE-2022-23591)
  kUnsupported,         // valid feature tfckpt cannot check (DT_VARIANT...)
};

// "BLOCK_CRC", "TENSOR_CRC", ... (the stable spelling).
std::string_view DefectCodeName(DefectCode code);
// Warnings do not make a file invalid (exit code 0), errors do.
bool IsWarning(DefectCode code);

struct Defect {
  DefectCode code;
  std::string file;
  std::optional<uint64_t> offset;  // byte offset in `file`
  std::string key;                 // tensor key (printable form), if any
  std::string message;             // one line
};

}  // namespace tfckpt::check

#endif  // TFCKPT_CHECK_DEFECT_H_
