// Parsing and validation of the index records of a bundle: the header
// (key "") and one BundleEntryProto per key. This is the one place that
// decides whether a record is acceptable; the reader, the validator and the
// fuzzers all call it (docs/FORMATS.md §2.2, §2.4, §12.2).
#ifndef TFCKPT_BUNDLE_ENTRY_H_
#define TFCKPT_BUNDLE_ENTRY_H_

#include <string>
#include <string_view>
#include <vector>

#include "proto/tensor_bundle.pb.h"
#include "proto/versions.pb.h"
#include "src/bundle/bundle_error.h"
#include "src/tensor/shape.h"
#include "src/tensor/tensor_slice.h"

namespace tfckpt::bundle {

// TensorFlow's kTensorBundleVersion / kTensorBundleMinConsumer /
// kTensorBundleMinProducer.
constexpr int kTensorBundleVersion = 1;
constexpr int kTensorBundleMinConsumer = 0;
constexpr int kTensorBundleMinProducer = 0;
// More shards than this is treated as a corrupt header: each shard is a file.
constexpr int kMaxShards = 1 << 20;
// Partitioned tensors with more slices are refused: readers check slices
// pairwise for overlap. (TF's partitioners make at most a few thousand.)
constexpr int kMaxSlicesPerTensor = 10000;

// TensorFlow's CheckVersions with `upper_name` "Checkpoint".
Status CheckVersions(const tensorflow::VersionDef& versions, int consumer,
                     int min_producer, std::string_view upper_name,
                     std::string_view lower_name);

// Parses and checks the header record: proto parses, num_shards in
// [1, kMaxShards], endianness LITTLE or BIG, versions acceptable.
Status ParseHeader(std::string_view bytes, const std::string& index_path,
                   tensorflow::BundleHeaderProto* header, BundleError* error);

// A record that passed ParseEntry.
struct ParsedEntry {
  tensorflow::BundleEntryProto proto;
  tensor::TensorShape shape;
  std::vector<tensor::TensorSlice> slices;  // non-empty: partitioned tensor
  bool partitioned() const { return !slices.empty(); }
};

// Parses the record of `key` and checks everything that can be checked
// without the data file: dtype known and saveable, shape valid (rank,
// negative dims, element count overflow), shard_id in [0, num_shards),
// offset >= 0, size >= 0, offset + size without overflow, size consistent
// with dtype and shape (numeric: exactly n * dtype size; string: at least
// n + 4), slices valid and inside the shape.
Status ParseEntry(std::string_view key, std::string_view bytes,
                  const tensorflow::BundleHeaderProto& header,
                  const std::string& index_path, ParsedEntry* entry,
                  BundleError* error);

// A key for messages: io::EscapeBytes (unquoted, first 200 bytes), except
// that slice keys (binary OrderedCode starting with 0x00) are decoded and
// shown as "name[slice]".
std::string DisplayKey(std::string_view key);

}  // namespace tfckpt::bundle

#endif  // TFCKPT_BUNDLE_ENTRY_H_
