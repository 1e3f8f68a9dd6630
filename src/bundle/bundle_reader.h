// BundleReader: reads a checkpoint V2 written by TensorFlow or by
// BundleWriter (docs/FORMATS.md §2), validating everything it touches:
// the index table (CRCs, order), the header (versions, endianness), every
// entry (ParseEntry) and the tensor bytes (ranges, CRCs). Through
// io::Env::Default a tensor's bytes are read (pread) once into its own
// buffer, so a file truncated meanwhile is an error, not SIGBUS; through
// io::Env::Mmap, Lookup of a large little-endian tensor borrows the mapping
// instead of copying it.
//
// Open is safe against a writer replacing the prefix meanwhile
// (replace.h): it returns the checkpoint before or after a replacement,
// whole, never a mix and never a transient failure. It opens the index, then
// every data file (stopping at the first that cannot be opened; that shard's
// error comes from DataFile later), then checks that the same file is still
// the index; if not, it tries again (a bounded number of times, then
// Unavailable). While no index exists but a parked one (`.tfckpt-old`) does,
// a replacement is under way or was interrupted: it reads the parked, i.e.
// previous, checkpoint; then errors name the parked files.
//
// Errors carry TensorFlow's message texts where TF has one ("Key x not
// found in checkpoint", "Checksum does not match", ...) and fill an
// optional BundleError for callers that classify them.
#ifndef TFCKPT_BUNDLE_BUNDLE_READER_H_
#define TFCKPT_BUNDLE_BUNDLE_READER_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "proto/tensor_bundle.pb.h"
#include "src/bundle/bundle_error.h"
#include "src/bundle/entry.h"
#include "src/bundle/tensor_data.h"
#include "src/io/env.h"
#include "src/table/table.h"
#include "src/tensor/tensor.h"
#include "src/tensor/tensor_slice.h"

namespace tfckpt::bundle {

// What `inspect` shows for one key.
struct TensorInfo {
  std::string key;
  tensor::DataType dtype;
  tensor::TensorShape shape;
  std::vector<tensor::TensorSlice> slices;  // non-empty for partitioned tensors
};

class BundleReader {
 public:
  static StatusOr<std::unique_ptr<BundleReader>> Open(io::Env* env, std::string prefix,
                                                      BundleError* error = nullptr);

  const std::string& prefix() const { return prefix_; }
  const tensorflow::BundleHeaderProto& header() const { return header_; }
  bool need_to_swap_bytes() const { return swap_; }
  const table::Table& index() const { return *table_; }

  // The validated entry of `key`: NotFound "Key <k> not found in checkpoint"
  // (the key verbatim, as TF prints it).
  StatusOr<ParsedEntry> GetEntry(std::string_view key, BundleError* error = nullptr) const;
  bool Contains(std::string_view key) const;

  // The whole tensor; partitioned tensors are assembled from their slices.
  StatusOr<tensor::Tensor> Lookup(std::string_view key, BundleError* error = nullptr,
                                  const ReadDataOptions& options = {}) const;
  // One region of a tensor (partitioned or not).
  StatusOr<tensor::Tensor> LookupSlice(std::string_view key, const tensor::TensorSlice& slice,
                                       BundleError* error = nullptr) const;
  // The data of one non-partitioned entry (also slice-data entries).
  StatusOr<tensor::Tensor> ReadEntry(std::string_view key, const ParsedEntry& entry,
                                     BundleError* error = nullptr,
                                     const ReadDataOptions& options = {}) const;

  // Every user-visible tensor (header and slice-data keys excluded), in key
  // order. Stops at the first bad record.
  StatusOr<std::vector<TensorInfo>> ListTensors(BundleError* error = nullptr) const;

  // The index file actually read: `<prefix>.index`, or its parked backup.
  const std::string& index_path() const { return index_path_; }
  bool read_parked_backup() const { return parked_; }

  // The data file of `shard` (opened once, then shared).
  StatusOr<std::shared_ptr<const io::RandomAccessFile>> DataFile(int shard,
                                                                 BundleError* error = nullptr) const;

 private:
  BundleReader(io::Env* env, std::string prefix) : env_(env), prefix_(std::move(prefix)) {}
  // One attempt at reading `<prefix>.index` (or, if `parked`, its backup)
  // with its data files; *torn says the files changed meanwhile.
  static StatusOr<std::unique_ptr<BundleReader>> OpenOnce(io::Env* env, const std::string& prefix,
                                                          bool parked, BundleError* error,
                                                          bool* torn);
  StatusOr<std::shared_ptr<const io::RandomAccessFile>> OpenDataFile(const std::string& path,
                                                                     bool* torn) const;

  io::Env* env_;
  std::string prefix_;
  std::string index_path_;
  std::unique_ptr<table::Table> table_;
  tensorflow::BundleHeaderProto header_;
  bool swap_ = false;
  bool parked_ = false;
  mutable std::mutex mu_;
  mutable std::map<int, std::shared_ptr<const io::RandomAccessFile>> data_files_;
};

// Host byte order, for deciding whether a bundle needs swapping.
bool HostIsLittleEndian();

}  // namespace tfckpt::bundle

#endif  // TFCKPT_BUNDLE_BUNDLE_READER_H_
