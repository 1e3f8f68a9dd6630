// On-disk building blocks of TensorFlow's table (LevelDB SSTable) format
// (FORMATS.md §1): block handles, the 48-byte footer, block trailers, and
// ReadBlock, which fetches one block with every bound checked before any
// byte is read or allocated.
//
// Errors are always DataLoss (or the file's own error for I/O failures).
// Callers that must tell failures apart (the validator) pass a TableError*:
// it receives a machine-readable kind, the file offset concerned and the
// same message as the Status. Passing nullptr is always allowed.
#ifndef TFCKPT_TABLE_FORMAT_H_
#define TFCKPT_TABLE_FORMAT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "src/io/env.h"
#include "src/io/status.h"

namespace tfckpt::table {

// ---------------------------------------------------------------------------
// Constants (FORMATS.md §1.3, §1.4, §1.6).

constexpr uint64_t kTableMagicNumber = 0xdb4775248b80fb57ull;
// type byte + masked crc32c of (stored bytes ‖ type byte).
constexpr size_t kBlockTrailerSize = 5;
// Two varint64s.
constexpr size_t kMaxBlockHandleLength = 20;
// metaindex handle, index handle, zero padding to 40 bytes, magic (fixed64).
constexpr size_t kFooterLength = 2 * kMaxBlockHandleLength + 8;
constexpr size_t kDefaultBlockSize = 262144;
constexpr int kDefaultBlockRestartInterval = 16;

// Bounds on a snappy block's declared uncompressed length, checked before
// allocating. Snappy's densest encoding is a 3-byte copy of 64 bytes, so a
// genuine stream never expands more than 64/3 ≈ 21.4x; 32x leaves margin
// while keeping a hostile 1 KiB block from asking for gigabytes. The
// absolute cap (1 GiB) is far above anything TF writes through snappy
// (bundle indexes hold small protos; V1 checkpoints are written uncompressed).
constexpr uint64_t kMaxSnappyExpansion = 32;
constexpr uint64_t kMaxUncompressedBlockSize = uint64_t{1} << 30;

enum class CompressionType : uint8_t {
  kNone = 0,
  kSnappy = 1,
};
std::string_view CompressionTypeName(CompressionType type);  // "none"/"snappy"

// ---------------------------------------------------------------------------
// Error classification.

enum class TableErrorKind {
  kNone = 0,
  kTooShort,           // file shorter than the 48-byte footer
  kBadMagic,           // footer magic is not 0xdb4775248b80fb57
  kBadBlockHandle,     // handle varints malformed, or size+5 overflows
  kBlockOutOfRange,    // offset+size+5 beyond the end of the file
  kBlockChecksum,      // trailer CRC does not match the stored bytes
  kBadCompression,     // snappy header/stream invalid or over the bounds
  kUnknownBlockType,   // trailer type byte not 0 or 1
  kBadBlockContents,   // restart array or an entry is malformed
  kUnsortedKeys,       // keys not strictly increasing / not under index key
  kIoError,            // the file itself failed to read (status is its own)
};
// "NONE", "TOO_SHORT", "BAD_MAGIC", ... (stable, for logs and tests).
std::string_view TableErrorKindName(TableErrorKind kind);

// Where and why a table could not be read. `message` equals the message of
// the Status returned alongside it.
struct TableError {
  TableErrorKind kind = TableErrorKind::kNone;
  // File offset of the structure at fault: the footer's first byte
  // (kTooShort: 0; kBadMagic: the magic's first byte), or the first byte of
  // the block concerned (for a bad handle: of the block that holds it, or
  // the footer's offset for footer handles).
  uint64_t offset = 0;
  // For kBadBlockContents / kUnsortedKeys: offset inside the (uncompressed)
  // block contents of the faulty entry or restart field.
  std::optional<uint64_t> offset_in_block;
  std::string message;

  bool ok() const { return kind == TableErrorKind::kNone; }
};

// Fills *error (if non-null) and returns DataLoss(message).
Status TableDataLoss(TableError* error, TableErrorKind kind, uint64_t offset,
                     std::string message,
                     std::optional<uint64_t> offset_in_block = std::nullopt);

// "0x0000abcd".
std::string Hex32(uint32_t v);
// A key for error messages: io::EscapeBytes quoted, cut after 64 bytes.
std::string PrintableKey(std::string_view key);

// ---------------------------------------------------------------------------
// BlockHandle: where a block lives (size excludes the 5-byte trailer).

struct BlockHandle {
  uint64_t offset = 0;
  uint64_t size = 0;

  void EncodeTo(std::string* dst) const;
  std::string Encode() const;
  // Consumes a handle from the front of *input. Fails (false) on truncated
  // or over-long varints and on a size for which size + kBlockTrailerSize
  // overflows uint64 (CVE-2018-7575). *canonical (if non-null) is set to
  // whether both varints used their shortest encoding.
  bool DecodeFrom(std::string_view* input, bool* canonical = nullptr);

  bool operator==(const BlockHandle& o) const {
    return offset == o.offset && size == o.size;
  }
  bool operator!=(const BlockHandle& o) const { return !(*this == o); }
};

// ---------------------------------------------------------------------------
// Footer: the last 48 bytes of every table.

struct Footer {
  BlockHandle metaindex_handle;
  BlockHandle index_handle;
  // Diagnostics from DecodeFrom. TF's reader ignores both, so they are not
  // errors: bytes between the end of the index handle and byte 40 are
  // padding TF writes as zeros but never checks, and a varint may use a
  // longer encoding than needed (e.g. 0x8e 0x00 for 14).
  bool padding_is_zero = true;
  bool handles_canonical = true;

  // Exactly kFooterLength bytes.
  std::string Encode() const;
  // `input` must be exactly kFooterLength bytes read at `file_offset`
  // (used for error offsets). Checks the magic first (kBadMagic), then
  // decodes both handles (kBadBlockHandle).
  Status DecodeFrom(std::string_view input, uint64_t file_offset,
                    TableError* error = nullptr);
};

// ---------------------------------------------------------------------------
// Reading blocks.

// The uncompressed contents of one block (without its trailer).
struct BlockContents {
  BlockHandle handle;  // where it was read from
  CompressionType stored_type = CompressionType::kNone;
  // The uncompressed bytes. Points into `owned` when that is set, otherwise
  // into the file's mapping (RandomAccessFile::MappedData(); valid while the
  // file lives) or into memory the caller of Borrow() keeps alive.
  std::string_view data;
  std::unique_ptr<char[]> owned;

  bool zero_copy() const { return owned == nullptr; }
  // Contents referencing caller-owned bytes (tests, builders).
  static BlockContents Borrow(std::string_view bytes);
};

// Reads the block at `handle` from `file`.
//  - offset + size + 5 must fit in the file (checked without overflow,
//    before reading or allocating): else kBlockOutOfRange.
//  - With verify_checksum, the masked CRC in the trailer must match
//    crc32c(stored bytes ‖ type byte): else kBlockChecksum.
//  - type 0: the bytes are used in place when the file has MappedData()
//    (zero copy), else copied to the heap.
//  - type 1: snappy. The declared length must be ≤ kMaxUncompressedBlockSize
//    and ≤ kMaxSnappyExpansion × stored size, and the stream must decode:
//    else kBadCompression.
//  - any other type: kUnknownBlockType.
// Messages name the file path, the block offset and size, and what was
// expected versus found.
Status ReadBlock(const io::RandomAccessFile& file, const BlockHandle& handle,
                 bool verify_checksum, BlockContents* result,
                 TableError* error = nullptr);

// Appends `contents`, its type byte and masked CRC (a block and trailer).
void AppendBlockWithTrailer(std::string_view contents, CompressionType type,
                            std::string* dst);
// The 5-byte trailer for `contents` stored with `type`.
std::string BlockTrailer(std::string_view contents, CompressionType type);

}  // namespace tfckpt::table

#endif  // TFCKPT_TABLE_FORMAT_H_
