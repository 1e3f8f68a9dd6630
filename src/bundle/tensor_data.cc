#include "src/bundle/tensor_data.h"

#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

#include "src/bundle/byte_swap.h"
#include "src/io/coding.h"
#include "src/io/crc32c.h"
#include "proto/tensor.pb.h"

namespace tfckpt::bundle {

namespace {

namespace crc32c = io::crc32c;

// Copying reads of at least this many bytes use a second thread.
constexpr uint64_t kParallelCopyBytes = uint64_t{64} << 20;

// Bytes read (and checksummed) at a time when reading copies: small enough
// to still be in cache (L2) when the checksum reads them back, large enough
// that the read(2) per chunk costs nothing in comparison.
constexpr uint64_t kReadChunk = uint64_t{1} << 20;

void EncodeU32(char* dst, uint32_t v, bool big_endian) {
  for (int i = 0; i < 4; ++i) {
    dst[big_endian ? 3 - i : i] = static_cast<char>(v >> (8 * i));
  }
}
uint32_t DecodeU32(const char* p, bool big_endian) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    v |= uint32_t{static_cast<unsigned char>(p[big_endian ? 3 - i : i])} << (8 * i);
  }
  return v;
}

}  // namespace

uint32_t ExtendStringLengthCrc(uint32_t crc, uint64_t len, bool big_endian) {
  char buf[8];
  if (len <= 0xffffffffu) {
    EncodeU32(buf, static_cast<uint32_t>(len), big_endian);
    return crc32c::Extend(crc, buf, 4);
  }
  for (int i = 0; i < 8; ++i) {
    buf[big_endian ? 7 - i : i] = static_cast<char>(len >> (8 * i));
  }
  return crc32c::Extend(crc, buf, 8);
}

namespace {

Status WriteStrings(const tensor::Tensor& t, bool big_endian, io::WritableFile* out,
                    uint64_t* bytes, uint32_t* crc) {
  std::string lengths;
  uint32_t c = 0;
  for (const std::string& s : t.strings()) {
    io::PutVarint64(&lengths, s.size());
    c = ExtendStringLengthCrc(c, s.size(), big_endian);
  }
  char checksum[4];
  EncodeU32(checksum, crc32c::Mask(c), big_endian);
  c = crc32c::Extend(c, checksum, 4);
  TFCKPT_RETURN_IF_ERROR(out->Append(lengths));
  TFCKPT_RETURN_IF_ERROR(out->Append(std::string_view(checksum, 4)));
  uint64_t total = lengths.size() + 4;
  for (const std::string& s : t.strings()) {
    TFCKPT_RETURN_IF_ERROR(out->Append(s));
    c = crc32c::Extend(c, s.data(), s.size());
    total += s.size();
  }
  *bytes = total;
  *crc = c;
  return OkStatus();
}

// The data of a DT_VARIANT entry (docs/FORMATS.md §2.3.4): per element a
// varint64 length, that many bytes of a VariantTensorDataProto, and the
// 4-byte masked running CRC; the entry's CRC masks the final running CRC.
// `fail(kind, offset, message)` reports; `at` is the entry's offset.
template <typename Fail>
Status CheckVariantData(std::string_view bytes, int64_t n, uint32_t stored_crc, bool verify_crc,
                        const Fail& fail, uint64_t at, const std::string& key) {
  const char* const p0 = bytes.data();
  const char* const limit = p0 + bytes.size();
  const char* cur = p0;
  uint32_t c = 0;
  for (int64_t i = 0; i < n; ++i) {
    uint64_t len;
    const char* next = io::GetVarint64Ptr(cur, limit, &len);
    if (next == nullptr || len > static_cast<uint64_t>(limit - next) ||
        static_cast<uint64_t>(limit - next) - len < 4) {
      return fail(BundleErrorKind::kBadVariant, at + (cur - p0),
                  StrCat("Entry for key ", key, ": DT_VARIANT element ", i, " of ", n,
                         " does not fit in the entry's ", bytes.size(),
                         " bytes (a length varint, the bytes, a 4-byte checksum)"));
    }
    char len8[8];
    for (int b = 0; b < 8; ++b) len8[b] = static_cast<char>(len >> (8 * b));
    c = crc32c::Extend(c, len8, 8);
    c = crc32c::Extend(c, next, len);
    tensorflow::VariantTensorDataProto proto;
    if (!proto.ParseFromArray(next, static_cast<int>(std::min<uint64_t>(len, INT32_MAX))) ||
        len > INT32_MAX) {
      return fail(BundleErrorKind::kBadVariant, at + (next - p0),
                  StrCat("Entry for key ", key, ": DT_VARIANT element ", i,
                         " is not a VariantTensorDataProto"));
    }
    cur = next + len;
    if (verify_crc && DecodeU32(cur, false) != crc32c::Mask(c)) {
      return fail(BundleErrorKind::kBadVariant, at + (cur - p0),
                  StrCat("Entry for key ", key, ": DT_VARIANT element ", i,
                         " checksum does not match: stored ", DecodeU32(cur, false),
                         ", computed ", crc32c::Mask(c)));
    }
    c = crc32c::Extend(c, cur, 4);
    cur += 4;
  }
  if (cur != limit) {
    return fail(BundleErrorKind::kBadVariant, at + (cur - p0),
                StrCat("Entry for key ", key, ": its ", n, " DT_VARIANT element(s) end after ",
                       cur - p0, " of the entry's ", bytes.size(), " bytes"));
  }
  if (verify_crc && crc32c::Mask(c) != stored_crc) {
    return fail(BundleErrorKind::kTensorCrc, at,
                StrCat("Entry for key ", key, ": Checksum does not match: stored ", stored_crc,
                       " vs. calculated ", crc32c::Mask(c)));
  }
  return OkStatus();
}

}  // namespace

Status WriteTensorData(const tensor::Tensor& t, bool big_endian, io::WritableFile* out,
                       uint64_t* bytes, uint32_t* crc) {
  if (t.is_string()) return WriteStrings(t, big_endian, out, bytes, crc);
  if (!tensor::IsMemcpyable(t.dtype())) {
    return UnimplementedError(StrCat("cannot save a tensor of dtype ",
                                     tensor::DataTypeName(t.dtype())));
  }
  const uint64_t n = t.TotalBytes();
  const char* data = t.raw_data();
  if (!big_endian || SwapUnitSize(t.dtype()) == 1) {
    *crc = crc32c::Value(data, n);
    TFCKPT_RETURN_IF_ERROR(out->Append(std::string_view(data, n)));
  } else {
    constexpr uint64_t kChunk = 1 << 20;  // a multiple of every unit size
    std::vector<char> buf(std::min(n, kChunk));
    uint32_t c = 0;
    for (uint64_t pos = 0; pos < n; pos += kChunk) {
      const uint64_t len = std::min(kChunk, n - pos);
      std::memcpy(buf.data(), data + pos, len);
      TFCKPT_RETURN_IF_ERROR(ByteSwapBuffer(t.dtype(), buf.data(), len));
      c = crc32c::Extend(c, buf.data(), len);
      TFCKPT_RETURN_IF_ERROR(out->Append(std::string_view(buf.data(), len)));
    }
    *crc = c;
  }
  *bytes = n;
  return OkStatus();
}

Status ReadTensorData(std::string_view key, const ParsedEntry& entry,
                      const std::shared_ptr<const io::RandomAccessFile>& file,
                      bool swap, const ReadDataOptions& options,
                      tensor::Tensor* out, BundleError* error) {
  const tensorflow::BundleEntryProto& p = entry.proto;
  // Error messages only: building it for every tensor costs real time.
  const auto shown_key = [&] { return DisplayKey(key); };
  const uint64_t offset = static_cast<uint64_t>(p.offset());
  const uint64_t size = static_cast<uint64_t>(p.size());
  const uint64_t file_size = file->Size();
  const auto fail = [&](BundleErrorKind kind, std::optional<uint64_t> at, std::string msg) {
    return BundleFail(error, StatusCode::kDataLoss, kind, file->path(), std::string(key),
                      at, std::move(msg));
  };
  if (offset > file_size) {
    return fail(BundleErrorKind::kOffsetOutOfRange, offset,
                StrCat("Entry for key ", shown_key(), " starts at offset ", offset,
                       " but ", file->path(), " has only ", file_size, " bytes"));
  }
  if (size > file_size - offset) {
    return fail(BundleErrorKind::kTruncated, offset,
                StrCat("Entry for key ", shown_key(), " needs ", size, " bytes at offset ",
                       offset, " but ", file->path(), " ends after ", file_size - offset,
                       " of them (truncated data file?)"));
  }

  const auto check_crc = [&](uint32_t computed) -> Status {
    if (options.verify_crc && crc32c::Mask(computed) != p.crc32c()) {
      return fail(BundleErrorKind::kTensorCrc, offset,
                  StrCat("TensorBundle at ", file->path(), " shard ", p.shard_id(), " (",
                         size, " bytes): Checksum does not match: stored ", p.crc32c(),
                         " vs. calculated on the restored bytes ", crc32c::Mask(computed),
                         " (key ", shown_key(), ", offset ", offset, ")"));
    }
    return OkStatus();
  };
  // A failed read is an error of its own, never taken for good bytes.
  const auto read_failed = [&](const Status& s, uint64_t at, uint64_t n) {
    return BundleFail(error, s.code(), BundleErrorKind::kIoError, file->path(), std::string(key),
                      at,
                      StrCat("Reading ", n, " bytes of ", shown_key(), " at offset ", at,
                             " failed: ", s.message()));
  };

  if (p.dtype() == tensorflow::DT_VARIANT) {
    // Checked as TF would read it (structure, checksums); never decoded.
    auto read = file->ReadRegion(offset, size);
    if (!read.ok()) return read_failed(read.status(), offset, size);
    if (swap) {
      return fail(BundleErrorKind::kUnsupported, offset,
                  StrCat("Entry for key ", shown_key(), " holds a DT_VARIANT tensor in a "
                         "bundle of the other byte order, which TensorFlow refuses to read"));
    }
    TFCKPT_RETURN_IF_ERROR(CheckVariantData(std::string_view(read->data, read->size),
                                            entry.shape.num_elements(), p.crc32c(),
                                            options.verify_crc, fail, offset, shown_key()));
    return fail(BundleErrorKind::kUnsupported, offset,
                StrCat("Entry for key ", shown_key(), " holds a DT_VARIANT tensor (structure and "
                       "checksums verified), which tfckpt does not decode"));
  }

  // Checking only (the validator): checksum numeric bytes chunk by chunk,
  // so memory stays at one chunk however large the tensor: views of what
  // the Env lends (a mapping), else reads into one reused buffer.
  if (!options.materialize && p.dtype() != tensorflow::DT_STRING) {
    if (!options.verify_crc) return OkStatus();
    const bool lends = file->LendsRegions();
    std::unique_ptr<char[]> scratch(lends ? nullptr : new char[std::min(size, kReadChunk) + 1]);
    uint32_t computed = 0;
    for (uint64_t done = 0; done < size; done += kReadChunk) {
      const uint64_t n = std::min(kReadChunk, size - done);
      if (lends) {
        auto chunk = file->ReadRegion(offset + done, n);
        if (!chunk.ok()) return read_failed(chunk.status(), offset + done, n);
        computed = crc32c::Extend(computed, chunk->data, n);
      } else {
        std::string_view got;
        const Status s = file->ReadExact(offset + done, n, &got, scratch.get());
        if (!s.ok()) return read_failed(s, offset + done, n);
        computed = crc32c::Extend(computed, got.data(), n);
      }
    }
    return check_crc(computed);
  }

  // Numeric bytes from a file whose reads copy (pread, Env::Default): read
  // straight into the tensor's own buffer a chunk at a time, each chunk
  // checksummed while it is still in cache. One copy (the kernel's), and
  // the tensor owns its memory (writable without copying again).
  if (p.dtype() != tensorflow::DT_STRING && !file->LendsRegions()) {
    TFCKPT_ASSIGN_OR_RETURN(tensor::Tensor t,
                            tensor::Tensor::AllocateUninitialized(p.dtype(), entry.shape));
    char* dst = size > 0 ? t.mutable_raw_data() : nullptr;
    uint32_t computed = 0;
    for (uint64_t done = 0; done < size; done += kReadChunk) {
      const uint64_t n = std::min(kReadChunk, size - done);
      std::string_view got;
      const Status s = file->ReadExact(offset + done, n, &got, dst + done);
      if (!s.ok()) return read_failed(s, offset + done, n);
      if (got.data() != dst + done) std::memcpy(dst + done, got.data(), n);
      if (options.verify_crc) computed = crc32c::Extend(computed, dst + done, n);
    }
    if (options.verify_crc) TFCKPT_RETURN_IF_ERROR(check_crc(computed));
    if (swap) TFCKPT_RETURN_IF_ERROR(ByteSwapBuffer(p.dtype(), dst, size));
    *out = std::move(t);
    return OkStatus();
  }

  // The whole range, mapped when the Env can (zero copy; unmapped when the
  // last tensor borrowing it goes), else read once.
  auto read = file->ReadRegion(offset, size);
  if (!read.ok()) return read_failed(read.status(), offset, size);
  io::Region region = std::move(*read);
  const std::string_view bytes(region.data, region.size);
  // What keeps the bytes alive: the region's own mapping, else the file.
  std::shared_ptr<const void> owner =
      region.owner != nullptr ? region.owner : std::shared_ptr<const void>(file);

  if (p.dtype() != tensorflow::DT_STRING) {
    const int unit = SwapUnitSize(p.dtype());
    const bool aligned = reinterpret_cast<uintptr_t>(bytes.data()) %
                             static_cast<uintptr_t>(std::max(1, std::min(unit, 8))) == 0;
    const bool borrow = options.zero_copy && aligned && (!swap || unit == 1);
    if (!options.materialize || borrow) {
      if (options.verify_crc) TFCKPT_RETURN_IF_ERROR(check_crc(crc32c::Value(bytes)));
      if (!options.materialize) return OkStatus();
      *out = tensor::Tensor::Borrow(p.dtype(), entry.shape, bytes.data(), std::move(owner));
      return OkStatus();
    }
    // A copy: checksum and copy chunk by chunk, so each chunk is read from
    // memory once and copied while it is still in cache. The copy is only
    // handed out once the checksum matched.
    TFCKPT_ASSIGN_OR_RETURN(tensor::Tensor copy,
                            tensor::Tensor::AllocateUninitialized(p.dtype(), entry.shape));
    char* dst = size > 0 ? copy.mutable_raw_data() : nullptr;
    uint32_t computed = 0;
    if (options.verify_crc && size >= kParallelCopyBytes &&
        std::thread::hardware_concurrency() >= 2) {
      // Large tensors: a second thread checksums the whole range, then
      // helps this one copy; the copy (with the first-touch faults of the
      // new buffer) is the larger part, handed out in 8 MiB pieces.
      std::atomic<uint64_t> next{0};
      const auto copy_pieces = [&] {
        constexpr uint64_t kPiece = uint64_t{8} << 20;
        for (uint64_t at; (at = next.fetch_add(kPiece)) < size;) {
          std::memcpy(dst + at, bytes.data() + at, std::min(kPiece, size - at));
        }
      };
      std::thread helper([&] {
        computed = crc32c::Value(bytes.data(), size);
        copy_pieces();
      });
      copy_pieces();
      helper.join();
    } else {
      constexpr uint64_t kChunk = 256 << 10;
      for (uint64_t done = 0; done < size; done += kChunk) {
        const uint64_t n = std::min<uint64_t>(kChunk, size - done);
        if (options.verify_crc) computed = crc32c::Extend(computed, bytes.data() + done, n);
        std::memcpy(dst + done, bytes.data() + done, n);
      }
    }
    if (options.verify_crc) TFCKPT_RETURN_IF_ERROR(check_crc(computed));
    if (swap) TFCKPT_RETURN_IF_ERROR(ByteSwapBuffer(p.dtype(), dst, size));
    *out = std::move(copy);
    return OkStatus();
  }

  // DT_STRING: n varint64 lengths, 4-byte masked length checksum, bytes.
  const int64_t n = entry.shape.num_elements();
  std::vector<uint64_t> lengths;
  lengths.reserve(static_cast<size_t>(std::min<int64_t>(n, size)));  // n <= size
  const char* p0 = bytes.data();
  const char* limit = p0 + size;
  const char* cur = p0;
  uint32_t c = 0;
  uint64_t remaining = size;  // bytes not yet claimed by lengths/strings
  for (int64_t i = 0; i < n; ++i) {
    uint64_t len;
    const char* next = io::GetVarint64Ptr(cur, limit, &len);
    if (next == nullptr) {
      return fail(BundleErrorKind::kBadStringLengths, offset + (cur - p0),
                  StrCat("Entry for key ", shown_key(), ": string length ", i,
                         " is not a valid varint64 inside the entry's ", size, " bytes"));
    }
    remaining -= static_cast<uint64_t>(next - cur);
    if (len > remaining) {
      return fail(BundleErrorKind::kBadStringLengths, offset + (cur - p0),
                  StrCat("Entry for key ", shown_key(), ": String lengths longer than expected offset ",
                         offset + size, " (string ", i, " claims ", len, " bytes)"));
    }
    remaining -= len;
    cur = next;
    lengths.push_back(len);
    c = ExtendStringLengthCrc(c, len, swap);
  }
  if (limit - cur < 4) {
    return fail(BundleErrorKind::kBadStringLengths, offset + (cur - p0),
                StrCat("Entry for key ", shown_key(), ": no room for the length checksum"));
  }
  const uint32_t stored_length_crc = DecodeU32(cur, swap);
  if (options.verify_crc && crc32c::Unmask(stored_length_crc) != c) {
    return fail(BundleErrorKind::kStringLengthCrc, offset + (cur - p0),
                StrCat("Entry for key ", shown_key(),
                       ": The length checksum does not match: expected ", crc32c::Mask(c),
                       " but actual is ", stored_length_crc, " (at offset ",
                       offset + (cur - p0), ")"));
  }
  c = crc32c::Extend(c, cur, 4);
  cur += 4;
  uint64_t total = 0;
  for (uint64_t len : lengths) total += len;  // bounded by size above
  if (total != static_cast<uint64_t>(limit - cur)) {
    return fail(BundleErrorKind::kBadStringLengths, offset + (cur - p0),
                StrCat("Entry for key ", shown_key(), ": string lengths add up to ", total,
                       " bytes but the entry holds ", limit - cur, " after the lengths"));
  }
  c = crc32c::Extend(c, cur, total);
  TFCKPT_RETURN_IF_ERROR(check_crc(c));
  if (!options.materialize) return OkStatus();
  std::vector<std::string> values;
  values.reserve(lengths.size());
  for (uint64_t len : lengths) {
    values.emplace_back(cur, len);
    cur += len;
  }
  *out = tensor::Tensor::FromStrings(entry.shape, std::move(values));
  return OkStatus();
}

}  // namespace tfckpt::bundle
