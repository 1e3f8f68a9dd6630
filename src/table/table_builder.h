// Writes a table (FORMATS.md §1.6) byte-for-byte as TensorFlow's
// TableBuilder does, to a caller-owned io::WritableFile that starts empty.
//
//   TableBuilder b(options, file);
//   for (...) TFCKPT_RETURN_IF_ERROR(b.Add(key, value));  // sorted keys
//   TFCKPT_RETURN_IF_ERROR(b.Finish());
//   file->Close();
//
// Unlike TF (a debug-only assert), Add rejects keys that are not strictly
// increasing with InvalidArgument naming both keys, and writes nothing for
// that call; the builder stays usable. Keys and values longer than
// 4 GiB - 1 (what varint32 lengths can express) are rejected the same way.
// A write error from the file is sticky: every later call returns it.
#ifndef TFCKPT_TABLE_TABLE_BUILDER_H_
#define TFCKPT_TABLE_TABLE_BUILDER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "src/io/env.h"
#include "src/io/status.h"
#include "src/table/block_builder.h"
#include "src/table/format.h"
#include "src/table/options.h"

namespace tfckpt::table {

class TableBuilder {
 public:
  // `file` is not owned and must outlive the builder. Invalid options
  // (restart interval < 1, unknown compression) make every call fail.
  TableBuilder(const Options& options, io::WritableFile* file);

  TableBuilder(const TableBuilder&) = delete;
  TableBuilder& operator=(const TableBuilder&) = delete;

  Status Add(std::string_view key, std::string_view value);
  // Writes the last data block, the (empty) metaindex block, the index
  // block and the footer. No Add/Finish after it.
  Status Finish();
  // Gives up: Finish() and Add() fail afterwards; nothing more is written.
  void Abandon();

  // The first error seen (sticky), or OK.
  const Status& status() const { return status_; }
  uint64_t NumEntries() const { return num_entries_; }
  // Bytes written so far (the final file size after Finish()).
  uint64_t FileSize() const { return offset_; }

 private:
  // Writes the current data block (if any) and queues its index entry.
  void Flush();
  void WriteBlock(BlockBuilder* block, BlockHandle* handle);
  void WriteRawBlock(std::string_view contents, CompressionType type,
                     BlockHandle* handle);
  void AddIndexEntry(std::string_view separator);

  const Options options_;
  io::WritableFile* const file_;
  uint64_t offset_ = 0;
  Status status_;
  BlockBuilder data_block_;
  BlockBuilder index_block_;
  std::string last_key_;
  uint64_t num_entries_ = 0;
  bool closed_ = false;
  // A data block was written and its index entry waits for the next key
  // (so the separator can be short). Only true while data_block_ is empty.
  bool pending_index_entry_ = false;
  BlockHandle pending_handle_;
  std::string compressed_;
};

// The separator/successor rules TF uses for index keys (FORMATS.md §1.5).
// Exposed for tests and tools.
// Shortens *start to a key k with *start <= k < limit where possible.
void FindShortestSeparator(std::string* start, std::string_view limit);
// Shortens *key to a key k >= *key (unchanged if all bytes are 0xff).
void FindShortSuccessor(std::string* key);

}  // namespace tfckpt::table

#endif  // TFCKPT_TABLE_TABLE_BUILDER_H_
