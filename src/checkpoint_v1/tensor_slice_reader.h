// TensorSliceReader: reads a checkpoint V1 (FORMATS.md §3) written by
// TensorFlow's TensorSliceWriter (Saver V1, tf.raw_ops.Save/SaveSlices,
// SessionBundle exports) or by checkpoint_v1::TensorSliceWriter.
//
//   TFCKPT_ASSIGN_OR_RETURN(auto r, TensorSliceReader::Open(env, "model.ckpt"));
//   TFCKPT_ASSIGN_OR_RETURN(tensor::Tensor w, r->Lookup("w"));
//
// `pattern` is a file name or a glob of shard files such as
// "export-?????-of-00002" (io::Env::Glob: basename wildcards only); every
// matching file is opened (TF's kLoadAllShards).
//
// Open validates, per file, in this order (kinds in slice_error.h):
//  - the table opens (kTable; TF's text "Unable to open table file <f>:
//    DATA_LOSS: <why>: perhaps your file is in a different file format and
//    you need to use a different restore operator?");
//  - the first record has key "" and parses as SavedTensorSlices with a
//    meta and no data (kMissingMeta / kBadMeta; TF's text "Failed to find
//    the saved tensor slices at the beginning of the checkpoint file: <f>");
//  - versions pass CheckVersions(consumer 1, min producer 0);
//  - every SavedSliceMeta: shape valid (kInvalidShape), dtype known
//    (kUnknownDtype) and V1-readable (kUnsupportedDtype), at least one slice
//    (kBadMeta), each slice valid and inside the shape (kBadSlice), the same
//    dtype and shape wherever the name appears, in any file
//    (kInconsistentMeta, TF's "Incompatible tensor shapes/types detected for
//    tensor ..."), no two slices of a tensor overlapping (kDuplicateSlice,
//    TF's "Overlapping slices: existing slice = .., new slice = ..").
//  - With ReaderOptions::verify_records (default on; TF does none of this
//    at open): every other record of the table is read — its key must be a
//    slice key (kBadSliceKey) listed in that file's meta, its value a
//    SavedTensorSlices with data whose name and slice equal the key's
//    (kBadRecord) and whose values decode (slice_data.h: kBadRecord,
//    kSizeMismatch, kValueOutOfRange); every listed slice must have its
//    record (kMissingData); the whole table is scanned, so its CRCs and key
//    order are all checked.
// Stricter than TF, never triggered by TF-written files: the meta-record
// checks above beyond parsing, tensors listed without slices, records not
// listed in the meta, extra TensorProto fields, out-of-range int_val.
//
// Lookup reads the records a region needs (checking each as above), then
// allocates the result, so memory is bounded by a small multiple of the
// record sizes however large the meta claims the tensor is.
//
// Thread safety: a reader is immutable after Open and may be shared.
#ifndef TFCKPT_CHECKPOINT_V1_TENSOR_SLICE_READER_H_
#define TFCKPT_CHECKPOINT_V1_TENSOR_SLICE_READER_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "src/io/env.h"
#include "src/io/status.h"
#include "src/checkpoint_v1/slice_error.h"
#include "src/table/table.h"
#include "src/tensor/dtype.h"
#include "src/tensor/shape.h"
#include "src/tensor/tensor.h"
#include "src/tensor/tensor_slice.h"

namespace tfckpt::checkpoint_v1 {

struct ReaderOptions {
  // Read and check every record at Open (see above).
  bool verify_records = true;
};

// One stored slice of a tensor.
struct StoredSlice {
  tensor::TensorSlice slice;
  int file = 0;     // index into TensorSliceReader::files()
  std::string key;  // EncodeTensorNameSlice(name, slice)
};

// What ListTensors reports for one tensor.
struct SlicedTensorInfo {
  std::string name;
  tensor::DataType dtype = tensorflow::DT_INVALID;
  tensor::TensorShape shape;
  std::vector<StoredSlice> slices;  // in file order, then meta order
};

class TensorSliceReader {
 public:
  static StatusOr<std::unique_ptr<TensorSliceReader>> Open(io::Env* env,
                                                           const std::string& pattern,
                                                           SliceError* error = nullptr,
                                                           const ReaderOptions& options = {});

  const std::string& pattern() const { return pattern_; }
  // The matching files, sorted.
  const std::vector<std::string>& files() const { return files_; }

  // Whether `name` is stored; fills *info if non-null.
  bool HasTensor(std::string_view name, SlicedTensorInfo* info = nullptr) const;
  // Every tensor, sorted by name.
  std::vector<SlicedTensorInfo> ListTensors() const;

  // The whole tensor, assembled from its slices. NotFound "<name> not found
  // in checkpoint file" for an absent name; kMissingSlices (InvalidArgument
  // "Does not have sufficient slices for tensor <name> to restore slice
  // <slice>") when the stored slices leave a gap.
  StatusOr<tensor::Tensor> Lookup(std::string_view name, SliceError* error = nullptr) const;
  // One region of a tensor; `slice` must fit its shape (kInvalidRequest).
  StatusOr<tensor::Tensor> LookupSlice(std::string_view name, const tensor::TensorSlice& slice,
                                       SliceError* error = nullptr) const;

 private:
  struct Entry {
    tensor::DataType dtype = tensorflow::DT_INVALID;
    tensor::TensorShape shape;
    std::vector<StoredSlice> slices;
  };

  TensorSliceReader(io::Env* env, std::string pattern, ReaderOptions options)
      : env_(env), pattern_(std::move(pattern)), options_(options) {}

  Status LoadFile(int index, SliceError* error);
  Status RegisterSlice(const std::string& name, const tensor::TensorShape& shape,
                       tensor::DataType dtype, int file, const tensor::TensorSlice& slice,
                       SliceError* error);
  // Scans every record of file `index` (verify_records).
  Status VerifyRecords(int index, SliceError* error) const;
  // Reads, checks and decodes the record of one stored slice.
  StatusOr<tensor::Tensor> ReadSlice(const std::string& name, const Entry& entry,
                                     const StoredSlice& stored, SliceError* error) const;

  io::Env* env_;
  std::string pattern_;
  ReaderOptions options_;
  std::vector<std::string> files_;
  std::vector<std::unique_ptr<table::Table>> tables_;
  std::map<std::string, Entry, std::less<>> tensors_;
};

}  // namespace tfckpt::checkpoint_v1

#endif  // TFCKPT_CHECKPOINT_V1_TENSOR_SLICE_READER_H_
