// BundleWriter: writes a checkpoint V2 (`<prefix>.index` + one data file
// `<prefix>.data-00000-of-00001`) byte-compatible with TensorFlow's
// BundleWriter (docs/FORMATS.md §2).
//
//   BundleWriter w(env, "/tmp/model.ckpt");
//   w.Add("v1", t1);                       // in any order; keys must be unique
//   w.AddSlice("w", {10, 4}, slice, part);  // partitioned variables
//   TFCKPT_RETURN_IF_ERROR(w.Finish());
//
// Tensor bytes go to a temp data file as they are added (nothing is kept in
// memory but the index entries). Finish writes the index to a temp file,
// fsyncs both and renames data then index over the final names. When a
// checkpoint already exists under the prefix, its index and data files are
// first parked as `*.tfckpt-old` and removed only after the new pair is in
// place (replace.h); so a crash at any point leaves either the whole old
// checkpoint (restored by RecoverInterruptedSave, which every BundleWriter
// runs first) or the whole new one, never a mix. (TF overwrites in place.)
// Errors are sticky: after the first, every call returns it.
#ifndef TFCKPT_BUNDLE_BUNDLE_WRITER_H_
#define TFCKPT_BUNDLE_BUNDLE_WRITER_H_

#include <map>
#include <memory>
#include <string>

#include "proto/tensor_bundle.pb.h"
#include "src/bundle/replace.h"
#include "src/io/atomic_file.h"
#include "src/io/env.h"
#include "src/table/format.h"
#include "src/tensor/tensor.h"
#include "src/tensor/tensor_slice.h"

namespace tfckpt::bundle {

struct BundleWriterOptions {
  // Each tensor starts at a multiple of this (zero padding between tensors;
  // padding is in neither `size` nor the CRC). TF's default is 1.
  int data_alignment = 1;
  // TF writes uncompressed indexes; snappy is accepted by every reader.
  table::CompressionType index_compression = table::CompressionType::kNone;
  // Write a big-endian bundle (header endianness BIG, values swapped), as a
  // big-endian machine running TensorFlow would.
  bool big_endian = false;
};

class BundleWriter {
 public:
  BundleWriter(io::Env* env, std::string prefix, BundleWriterOptions options = {});
  ~BundleWriter();  // an unfinished writer removes its temp files

  // Adds a whole tensor. Duplicate keys are rejected ("Adding duplicate
  // key: <key>", InvalidArgument) like TF; the empty key is reserved.
  Status Add(std::string_view key, const tensor::Tensor& value);
  // Adds one slice of a partitioned tensor. A slice covering the whole
  // tensor is an ordinary Add; otherwise the full key's entry records the
  // slice and the data goes under EncodeTensorNameSlice(key, slice).
  Status AddSlice(std::string_view full_key, const tensor::TensorShape& full_shape,
                  const tensor::TensorSlice& slice, const tensor::Tensor& value);
  Status Finish();

  const Status& status() const { return status_; }
  const std::string& prefix() const { return prefix_; }

 private:
  Status Fail(Status s);

  io::Env* env_;
  std::string prefix_;
  BundleWriterOptions options_;
  Status status_;
  std::unique_ptr<io::AtomicFileWriter> data_;
  uint64_t data_size_ = 0;
  std::map<std::string, tensorflow::BundleEntryProto> entries_;
  bool finished_ = false;
};

// Renames the sealed temp files over `prefix`'s data file and index,
// parking an existing checkpoint meanwhile (replace.h).
Status PublishReplacing(io::Env* env, const std::string& prefix, io::AtomicFileWriter* data,
                        io::AtomicFileWriter* index);

}  // namespace tfckpt::bundle

#endif  // TFCKPT_BUNDLE_BUNDLE_WRITER_H_
