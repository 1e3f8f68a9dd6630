#include "src/table/format.h"

#include <snappy.h>

#include <cstdio>
#include <cstring>
#include <limits>

#include "src/io/coding.h"
#include "src/io/crc32c.h"
#include "src/io/escape.h"
#include "src/io/hex.h"

namespace tfckpt::table {

std::string_view CompressionTypeName(CompressionType type) {
  switch (type) {
    case CompressionType::kNone: return "none";
    case CompressionType::kSnappy: return "snappy";
  }
  return "unknown";
}

std::string_view TableErrorKindName(TableErrorKind kind) {
  switch (kind) {
    case TableErrorKind::kNone: return "NONE";
    case TableErrorKind::kTooShort: return "TOO_SHORT";
    case TableErrorKind::kBadMagic: return "BAD_MAGIC";
    case TableErrorKind::kBadBlockHandle: return "BAD_BLOCK_HANDLE";
    case TableErrorKind::kBlockOutOfRange: return "BLOCK_OUT_OF_RANGE";
    case TableErrorKind::kBlockChecksum: return "BLOCK_CHECKSUM";
    case TableErrorKind::kBadCompression: return "BAD_COMPRESSION";
    case TableErrorKind::kUnknownBlockType: return "UNKNOWN_BLOCK_TYPE";
    case TableErrorKind::kBadBlockContents: return "BAD_BLOCK_CONTENTS";
    case TableErrorKind::kUnsortedKeys: return "UNSORTED_KEYS";
    case TableErrorKind::kIoError: return "IO_ERROR";
  }
  return "UNKNOWN";
}

Status TableDataLoss(TableError* error, TableErrorKind kind, uint64_t offset,
                     std::string message,
                     std::optional<uint64_t> offset_in_block) {
  if (error != nullptr) {
    error->kind = kind;
    error->offset = offset;
    error->offset_in_block = offset_in_block;
    error->message = message;
  }
  return DataLossError(std::move(message));
}

std::string Hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%08x", v);
  return buf;
}

std::string PrintableKey(std::string_view key) {
  return io::EscapeBytes(key, io::kEscapeQuoted, 64);
}

// ---------------------------------------------------------------------------
// BlockHandle

void BlockHandle::EncodeTo(std::string* dst) const {
  io::PutVarint64(dst, offset);
  io::PutVarint64(dst, size);
}

std::string BlockHandle::Encode() const {
  std::string s;
  EncodeTo(&s);
  return s;
}

bool BlockHandle::DecodeFrom(std::string_view* input, bool* canonical) {
  std::string_view in = *input;
  uint64_t off = 0, sz = 0;
  const size_t before = in.size();
  if (!io::GetVarint64(&in, &off)) return false;
  const size_t off_len = before - in.size();
  if (!io::GetVarint64(&in, &sz)) return false;
  const size_t sz_len = before - in.size() - off_len;
  if (sz > std::numeric_limits<uint64_t>::max() - kBlockTrailerSize) {
    return false;
  }
  if (canonical != nullptr) {
    *canonical = off_len == static_cast<size_t>(io::VarintLength(off)) &&
                 sz_len == static_cast<size_t>(io::VarintLength(sz));
  }
  offset = off;
  size = sz;
  *input = in;
  return true;
}

// ---------------------------------------------------------------------------
// Footer

std::string Footer::Encode() const {
  std::string s;
  metaindex_handle.EncodeTo(&s);
  index_handle.EncodeTo(&s);
  s.resize(2 * kMaxBlockHandleLength, '\0');
  io::PutFixed32(&s, static_cast<uint32_t>(kTableMagicNumber & 0xffffffffu));
  io::PutFixed32(&s, static_cast<uint32_t>(kTableMagicNumber >> 32));
  return s;
}

Status Footer::DecodeFrom(std::string_view input, uint64_t file_offset,
                          TableError* error) {
  if (input.size() != kFooterLength) {
    return TableDataLoss(error, TableErrorKind::kTooShort, file_offset,
                         StrCat("footer must be ", kFooterLength,
                                " bytes, got ", input.size()));
  }
  const std::string_view magic_bytes = input.substr(kFooterLength - 8);
  const uint64_t magic = io::DecodeFixed64(magic_bytes.data());
  if (magic != kTableMagicNumber) {
    return TableDataLoss(
        error, TableErrorKind::kBadMagic, file_offset + kFooterLength - 8,
        StrCat("not an sstable (bad magic number): found bytes ",
               io::SpacedHex(magic_bytes), " at offset ",
               file_offset + kFooterLength - 8, ", expected ",
               io::SpacedHex(Footer().Encode().substr(kFooterLength - 8))));
  }
  std::string_view handles = input.substr(0, 2 * kMaxBlockHandleLength);
  bool meta_canonical = true, index_canonical = true;
  if (!metaindex_handle.DecodeFrom(&handles, &meta_canonical)) {
    return TableDataLoss(
        error, TableErrorKind::kBadBlockHandle, file_offset,
        StrCat("bad block handle: metaindex handle in footer at offset ",
               file_offset, " is malformed or its size overflows"));
  }
  if (!index_handle.DecodeFrom(&handles, &index_canonical)) {
    return TableDataLoss(
        error, TableErrorKind::kBadBlockHandle, file_offset,
        StrCat("bad block handle: index handle in footer at offset ",
               file_offset, " is malformed or its size overflows"));
  }
  handles_canonical = meta_canonical && index_canonical;
  padding_is_zero = handles.find_first_not_of('\0') == std::string_view::npos;
  return OkStatus();
}

// ---------------------------------------------------------------------------
// Blocks

BlockContents BlockContents::Borrow(std::string_view bytes) {
  BlockContents c;
  c.handle.size = bytes.size();
  c.data = bytes;
  return c;
}

std::string BlockTrailer(std::string_view contents, CompressionType type) {
  char trailer[kBlockTrailerSize];
  trailer[0] = static_cast<char>(type);
  uint32_t crc = io::crc32c::Value(contents);
  crc = io::crc32c::Extend(crc, trailer, 1);
  io::EncodeFixed32(trailer + 1, io::crc32c::Mask(crc));
  return std::string(trailer, kBlockTrailerSize);
}

void AppendBlockWithTrailer(std::string_view contents, CompressionType type,
                            std::string* dst) {
  dst->append(contents);
  dst->append(BlockTrailer(contents, type));
}

Status ReadBlock(const io::RandomAccessFile& file, const BlockHandle& handle,
                 bool verify_checksum, BlockContents* result,
                 TableError* error) {
  *result = BlockContents();
  const uint64_t file_size = file.Size();
  const std::string where =
      StrCat(file.path(), ": block at offset ", handle.offset, " (size ",
             handle.size, ")");
  // Overflow-free form of offset + size + 5 <= file_size.
  if (handle.size > std::numeric_limits<uint64_t>::max() - kBlockTrailerSize) {
    return TableDataLoss(error, TableErrorKind::kBadBlockHandle, handle.offset,
                         StrCat(where, ": handle size too big"));
  }
  const uint64_t total = handle.size + kBlockTrailerSize;
  if (handle.offset > file_size || total > file_size - handle.offset) {
    return TableDataLoss(
        error, TableErrorKind::kBlockOutOfRange, handle.offset,
        StrCat(where, ": block and its ", kBlockTrailerSize,
               "-byte trailer would end at byte ",
               handle.offset > file_size ? std::string("(past end)")
                                         : std::to_string(handle.offset + total),
               " but the file has only ", file_size, " bytes"));
  }
  const size_t n = static_cast<size_t>(handle.size);

  // Locate the stored bytes + trailer: in place when mapped, else on heap.
  std::unique_ptr<char[]> buf;
  const char* stored = nullptr;
  if (const char* base = file.MappedData(); base != nullptr) {
    stored = base + handle.offset;
  } else {
    buf.reset(new char[n + kBlockTrailerSize]);
    std::string_view got;
    Status s = file.ReadExact(handle.offset, n + kBlockTrailerSize, &got,
                              buf.get());
    if (!s.ok()) {
      if (error != nullptr) {
        error->kind = TableErrorKind::kIoError;
        error->offset = handle.offset;
        error->offset_in_block.reset();
        error->message = s.message();
      }
      return s;
    }
    if (got.data() != buf.get()) std::memmove(buf.get(), got.data(), got.size());
    stored = buf.get();
  }

  const uint8_t type_byte = static_cast<uint8_t>(stored[n]);
  if (verify_checksum) {
    const uint32_t stored_masked = io::DecodeFixed32(stored + n + 1);
    const uint32_t computed = io::crc32c::Value(stored, n + 1);
    if (io::crc32c::Mask(computed) != stored_masked) {
      return TableDataLoss(
          error, TableErrorKind::kBlockChecksum, handle.offset,
          StrCat(file.path(), ": block checksum mismatch at offset ",
                 handle.offset, " (size ", handle.size, ", type ",
                 int{type_byte}, "): stored ", Hex32(stored_masked),
                 " computed ", Hex32(io::crc32c::Mask(computed)),
                 " (masked crc32c)"));
    }
  }

  result->handle = handle;
  switch (type_byte) {
    case static_cast<uint8_t>(CompressionType::kNone):
      result->stored_type = CompressionType::kNone;
      result->data = std::string_view(stored, n);
      result->owned = std::move(buf);  // null when zero-copy
      return OkStatus();
    case static_cast<uint8_t>(CompressionType::kSnappy): {
      result->stored_type = CompressionType::kSnappy;
      size_t ulength = 0;
      if (!snappy::GetUncompressedLength(stored, n, &ulength)) {
        return TableDataLoss(
            error, TableErrorKind::kBadCompression, handle.offset,
            StrCat(where, ": corrupted compressed block contents "
                          "(bad snappy length header)"));
      }
      if (ulength > kMaxUncompressedBlockSize ||
          ulength > kMaxSnappyExpansion * handle.size) {
        return TableDataLoss(
            error, TableErrorKind::kBadCompression, handle.offset,
            StrCat(where, ": corrupted compressed block contents: declares ",
                   ulength, " uncompressed bytes, over the limit of min(",
                   kMaxSnappyExpansion, " x ", handle.size, ", ",
                   kMaxUncompressedBlockSize, ")"));
      }
      std::unique_ptr<char[]> ubuf(new char[ulength == 0 ? 1 : ulength]);
      if (!snappy::RawUncompress(stored, n, ubuf.get())) {
        return TableDataLoss(
            error, TableErrorKind::kBadCompression, handle.offset,
            StrCat(where, ": corrupted compressed block contents "
                          "(snappy stream does not decode to the declared ",
                   ulength, " bytes)"));
      }
      result->data = std::string_view(ubuf.get(), ulength);
      result->owned = std::move(ubuf);
      return OkStatus();
    }
    default:
      return TableDataLoss(
          error, TableErrorKind::kUnknownBlockType, handle.offset,
          StrCat(where, ": bad block type ", int{type_byte},
                 " (expected 0 = none or 1 = snappy)"));
  }
}

}  // namespace tfckpt::table
