#include "src/table/table_builder.h"

#include <snappy.h>

#include <algorithm>
#include <limits>

namespace tfckpt::table {

void FindShortestSeparator(std::string* start, std::string_view limit) {
  const size_t min_length = std::min(start->size(), limit.size());
  size_t diff = 0;
  while (diff < min_length && (*start)[diff] == limit[diff]) ++diff;
  if (diff >= min_length) return;  // one is a prefix of the other
  const auto byte = static_cast<uint8_t>((*start)[diff]);
  if (byte < 0xff && byte + 1 < static_cast<uint8_t>(limit[diff])) {
    (*start)[diff] = static_cast<char>(byte + 1);
    start->resize(diff + 1);
  }
}

void FindShortSuccessor(std::string* key) {
  for (size_t i = 0; i < key->size(); ++i) {
    const auto byte = static_cast<uint8_t>((*key)[i]);
    if (byte != 0xff) {
      (*key)[i] = static_cast<char>(byte + 1);
      key->resize(i + 1);
      return;
    }
  }
}

TableBuilder::TableBuilder(const Options& options, io::WritableFile* file)
    : options_(options),
      file_(file),
      data_block_(options.block_restart_interval),
      index_block_(1) {
  if (options.block_restart_interval < 1) {
    status_ = InvalidArgumentError(
        StrCat("table block_restart_interval must be >= 1, got ",
               options.block_restart_interval));
  } else if (options.compression != CompressionType::kNone &&
             options.compression != CompressionType::kSnappy) {
    status_ = InvalidArgumentError(
        StrCat("unknown table compression type ",
               static_cast<int>(options.compression)));
  } else if (options.block_size > std::numeric_limits<uint32_t>::max() / 2) {
    status_ = InvalidArgumentError(
        StrCat("table block_size ", options.block_size, " is too large"));
  }
}

Status TableBuilder::Add(std::string_view key, std::string_view value) {
  if (!status_.ok()) return status_;
  if (closed_) return FailedPreconditionError("TableBuilder: Add after Finish");
  constexpr uint64_t kMaxLen = std::numeric_limits<uint32_t>::max();
  if (key.size() > kMaxLen || value.size() > kMaxLen) {
    return InvalidArgumentError(
        StrCat("table entry too large: key ", key.size(), " bytes, value ",
               value.size(), " bytes (max ", kMaxLen, " each)"));
  }
  if (num_entries_ > 0) {
    if (key <= std::string_view(last_key_)) {
      return InvalidArgumentError(StrCat(
          "table keys must be strictly increasing: ", PrintableKey(key),
          key == last_key_ ? " repeats " : " comes after ",
          PrintableKey(last_key_)));
    }
    // TF: an entry at least twice the block size gets a block of its own.
    constexpr size_t kOverlyLargeBlockRatio = 2;
    if (key.size() + value.size() >=
        kOverlyLargeBlockRatio * options_.block_size) {
      Flush();
      if (!status_.ok()) return status_;
    }
  }
  if (pending_index_entry_) {
    FindShortestSeparator(&last_key_, key);
    AddIndexEntry(last_key_);
  }
  last_key_.assign(key);
  ++num_entries_;
  data_block_.Add(key, value);
  if (data_block_.CurrentSizeEstimate() >= options_.block_size) Flush();
  return status_;
}

void TableBuilder::AddIndexEntry(std::string_view separator) {
  std::string handle_encoding;
  pending_handle_.EncodeTo(&handle_encoding);
  index_block_.Add(separator, handle_encoding);
  pending_index_entry_ = false;
}

void TableBuilder::Flush() {
  if (!status_.ok() || data_block_.empty()) return;
  WriteBlock(&data_block_, &pending_handle_);
  if (status_.ok()) {
    pending_index_entry_ = true;
    status_ = file_->Flush();
  }
}

void TableBuilder::WriteBlock(BlockBuilder* block, BlockHandle* handle) {
  const std::string_view raw = block->Finish();
  std::string_view contents = raw;
  CompressionType type = CompressionType::kNone;
  if (options_.compression == CompressionType::kSnappy) {
    compressed_.clear();
    snappy::Compress(raw.data(), raw.size(), &compressed_);
    // Keep snappy only if it saves at least 12.5%.
    if (compressed_.size() < raw.size() - raw.size() / 8) {
      contents = compressed_;
      type = CompressionType::kSnappy;
    }
  }
  WriteRawBlock(contents, type, handle);
  compressed_.clear();
  block->Reset();
}

void TableBuilder::WriteRawBlock(std::string_view contents,
                                 CompressionType type, BlockHandle* handle) {
  handle->offset = offset_;
  handle->size = contents.size();
  status_ = file_->Append(contents);
  if (!status_.ok()) return;
  status_ = file_->Append(BlockTrailer(contents, type));
  if (status_.ok()) offset_ += contents.size() + kBlockTrailerSize;
}

Status TableBuilder::Finish() {
  if (!status_.ok()) return status_;
  if (closed_) return FailedPreconditionError("TableBuilder: Finish twice");
  Flush();
  closed_ = true;
  BlockHandle metaindex_handle, index_handle;
  if (status_.ok()) {
    BlockBuilder metaindex(options_.block_restart_interval);
    WriteBlock(&metaindex, &metaindex_handle);
  }
  if (status_.ok()) {
    if (pending_index_entry_) {
      FindShortSuccessor(&last_key_);
      AddIndexEntry(last_key_);
    }
    WriteBlock(&index_block_, &index_handle);
  }
  if (status_.ok()) {
    Footer footer;
    footer.metaindex_handle = metaindex_handle;
    footer.index_handle = index_handle;
    const std::string encoded = footer.Encode();
    status_ = file_->Append(encoded);
    if (status_.ok()) offset_ += encoded.size();
  }
  return status_;
}

void TableBuilder::Abandon() {
  if (status_.ok()) {
    status_ = FailedPreconditionError("TableBuilder: abandoned");
  }
  closed_ = true;
}

}  // namespace tfckpt::table
