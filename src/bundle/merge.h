// MergeBundles: combines the bundles of a sharded save into one bundle with
// several data files, as TensorFlow's MergeV2Checkpoints does
// (docs/FORMATS.md §2.6). Data files are renamed, not copied.
#ifndef TFCKPT_BUNDLE_MERGE_H_
#define TFCKPT_BUNDLE_MERGE_H_

#include <string>
#include <vector>

#include "src/io/env.h"
#include "src/io/status.h"
#include "src/table/format.h"

namespace tfckpt::bundle {

struct MergeOptions {
  // Skip inputs whose .index does not exist instead of failing.
  bool allow_missing_files = false;
  table::CompressionType index_compression = table::CompressionType::kNone;
};

// Inputs must agree on endianness and format version. Keys must be unique
// across inputs, except partitioned tensors whose slice lists are joined.
// Every data file of every input becomes a shard of the result (numbered in
// input order), so the header's num_shards always equals the number of
// data files. Input .index files are deleted afterwards (best effort).
Status MergeBundles(io::Env* env, const std::vector<std::string>& prefixes,
                    const std::string& merged_prefix, const MergeOptions& options = {});

}  // namespace tfckpt::bundle

#endif  // TFCKPT_BUNDLE_MERGE_H_
