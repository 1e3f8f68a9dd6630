// Knobs of the table writer and reader (TF's table_options.h).
#ifndef TFCKPT_TABLE_OPTIONS_H_
#define TFCKPT_TABLE_OPTIONS_H_

#include <cstddef>

#include "src/table/format.h"

namespace tfckpt::table {

// Writer options. Defaults produce what TF's BundleWriter, MergeBundles and
// TensorSliceWriter write (they override TF's snappy default with none).
struct Options {
  // Target uncompressed size of a data block: a block is cut once
  // BlockBuilder::CurrentSizeEstimate() reaches it. 0 means one entry per
  // block. At most 2 GiB - 1 (restart offsets are 32-bit); larger values
  // make the builder fail with InvalidArgument.
  size_t block_size = kDefaultBlockSize;
  // Entries between restart points in data blocks (≥ 1). Index blocks
  // always use 1, as TF does.
  int block_restart_interval = kDefaultBlockRestartInterval;
  // kSnappy stores a block compressed only when that saves at least 12.5%
  // (like TF/LevelDB); it applies to data, metaindex and index blocks.
  CompressionType compression = CompressionType::kNone;
};

// Reader options.
struct ReadOptions {
  // Verify every block's trailer CRC when it is read (TF always does).
  bool verify_checksums = true;
  // Also read, CRC-check and parse the metaindex block on Open. TF never
  // reads it (so TF would accept a table whose metaindex is damaged);
  // leaving this on makes every byte outside the footer padding checked.
  bool check_metaindex = true;
};

}  // namespace tfckpt::table

#endif  // TFCKPT_TABLE_OPTIONS_H_
