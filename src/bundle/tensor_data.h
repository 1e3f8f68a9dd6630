// The bytes of one tensor in a bundle data file and their checksum
// (docs/FORMATS.md §2.3): numeric tensors are the raw elements; strings are
// varint64 lengths, a masked CRC of the lengths, then the bytes. Writing and
// reading both live here so the two can never disagree.
#ifndef TFCKPT_BUNDLE_TENSOR_DATA_H_
#define TFCKPT_BUNDLE_TENSOR_DATA_H_

#include <cstdint>
#include <memory>
#include <string>

#include "src/bundle/bundle_error.h"
#include "src/bundle/entry.h"
#include "src/io/env.h"
#include "src/tensor/tensor.h"

namespace tfckpt::bundle {

// Appends the encoding of `t` to `out`; sets *bytes and the *unmasked*
// CRC32C of what was written. With big_endian, multi-byte values (and the
// string length checksum) are written big-endian; large numeric tensors are
// swapped in chunks, never copied whole.
Status WriteTensorData(const tensor::Tensor& t, bool big_endian,
                       io::WritableFile* out, uint64_t* bytes, uint32_t* crc);

// Extends the (unmasked) CRC of a string tensor's lengths by `len` as the
// data file checksums it: 4 bytes when it fits (compatibility with old TF),
// else 8, in the file's byte order (big_endian). Exposed for the bad-corpus
// generator, which forges a length no tensor could hold.
uint32_t ExtendStringLengthCrc(uint32_t crc, uint64_t len, bool big_endian);

struct ReadDataOptions {
  bool verify_crc = true;
  // Return a Tensor at all (false: check only, nothing allocated for
  // numeric tensors, which is what the validator wants).
  bool materialize = true;
  // Borrow the bytes the file lends (its mapping under io::Env::Mmap, an
  // in-memory file) when possible (little-endian file, aligned), instead of
  // copying them. Files whose reads copy anyway (pread, io::Env::Default)
  // are read straight into the tensor's own buffer, whatever this says.
  bool zero_copy = true;
};

// Reads (and checks) the data of a non-partitioned entry from its data file.
// `swap` says the bundle is big-endian. Error kinds: kOffsetOutOfRange,
// kTruncated, kTensorCrc, kStringLengthCrc, kBadStringLengths, kUnsupported.
Status ReadTensorData(std::string_view key, const ParsedEntry& entry,
                      const std::shared_ptr<const io::RandomAccessFile>& file,
                      bool swap, const ReadDataOptions& options,
                      tensor::Tensor* out, BundleError* error);

}  // namespace tfckpt::bundle

#endif  // TFCKPT_BUNDLE_TENSOR_DATA_H_
