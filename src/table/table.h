// Reading a table (FORMATS.md §1): open, iterate in key order, look up.
//
//   TFCKPT_ASSIGN_OR_RETURN(auto table, Table::Open(std::move(file)));
//   Table::Iterator it = table->NewIterator();
//   for (it.SeekToFirst(); it.Valid(); it.Next()) use(it.key(), it.value());
//   TFCKPT_RETURN_IF_ERROR(it.status());
//
// Open checks: file ≥ 48 bytes (kTooShort), footer magic (kBadMagic), both
// footer handles (kBadBlockHandle), index block range + CRC + structure,
// and (ReadOptions::check_metaindex, default on; TF skips this) the
// metaindex block's range + CRC + structure. Data blocks are read and
// CRC-checked when the iterator reaches them.
//
// Iteration also verifies ordering (kUnsortedKeys): keys strictly increase
// inside every block, every key of data block i is <= its index key, and,
// when stepping from block i to i+1, the next block's first key is greater
// than index key i. So a full scan from SeekToFirst() proves the whole
// table is sorted and consistent with its index.
//
// Stricter than TF (never triggered by TF-written files): each index value
// must be exactly one encoded BlockHandle (TF ignores trailing bytes), and
// block structure is checked as described in block.h.
//
// Bytes no check covers: the footer's padding (between the end of the
// index handle and byte 40) and the choice of a longer-than-needed varint
// encoding for a footer handle. TF ignores both; Footer::padding_is_zero
// and Footer::handles_canonical report them (see footer()).
//
// Thread safety: a Table is immutable after Open and may be shared;
// each Iterator is for one thread.
#ifndef TFCKPT_TABLE_TABLE_H_
#define TFCKPT_TABLE_TABLE_H_

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/io/env.h"
#include "src/io/status.h"
#include "src/table/block.h"
#include "src/table/format.h"
#include "src/table/options.h"

namespace tfckpt::table {

// One block of a table, for `tfckpt inspect` and the validator.
struct BlockInfo {
  enum class Kind { kData, kMetaindex, kIndex };
  Kind kind = Kind::kData;
  BlockHandle handle;  // stored bytes, without the 5-byte trailer
  CompressionType type = CompressionType::kNone;
  uint64_t uncompressed_size = 0;
  uint64_t num_entries = 0;
  uint32_t num_restarts = 0;
  std::string index_key;  // data blocks: the index entry's key
};
std::string_view BlockKindName(BlockInfo::Kind kind);  // "data", ...

// How blocks tile the file. TF writes blocks back to back from offset 0
// with the footer last, so both lists are empty for its files; a crafted
// file may hide bytes between blocks or point two index entries at
// overlapping ranges, which reading alone does not reveal.
struct TableLayout {
  // Ranges (offset, size) covered by no block, trailer or footer.
  std::vector<BlockHandle> gaps;
  // Pairs of indexes into the `blocks` argument whose ranges (with
  // trailers) overlap, including the footer as index blocks.size().
  std::vector<std::pair<size_t, size_t>> overlaps;
  bool ok() const { return gaps.empty() && overlaps.empty(); }
};
// `blocks` as returned by Table::ListBlocks(); file_size >= 48.
TableLayout AnalyzeLayout(const std::vector<BlockInfo>& blocks,
                          uint64_t file_size);

class Table {
 public:
  // The file is shared so that values read zero-copy from its mapping stay
  // valid as long as the caller keeps either the file or the Table.
  static StatusOr<std::unique_ptr<Table>> Open(
      std::shared_ptr<const io::RandomAccessFile> file,
      const ReadOptions& options = {}, TableError* error = nullptr);
  static StatusOr<std::unique_ptr<Table>> Open(
      std::unique_ptr<io::RandomAccessFile> file,
      const ReadOptions& options = {}, TableError* error = nullptr) {
    return Open(std::shared_ptr<const io::RandomAccessFile>(std::move(file)),
                options, error);
  }

  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;

  const io::RandomAccessFile& file() const { return *file_; }
  const Footer& footer() const { return footer_; }
  // Number of data blocks (= index entries).
  uint64_t num_data_blocks() const { return num_data_blocks_; }

  // A two-level iterator: the index block picks a data block, which is read
  // (and CRC-checked) on demand.
  //  - key() is valid until the iterator moves.
  //  - value() is valid until the iterator moves to another data block or is
  //    destroyed; if value_is_stable(), it points into the file's mapping
  //    and stays valid while the Table (or the file) lives.
  // After an error Valid() is false and status()/error() say why; a new
  // Seek/SeekToFirst starts over.
  class Iterator {
   public:
    explicit Iterator(const Table* table);
    Iterator(Iterator&&) = default;

    bool Valid() const { return data_iter_.has_value() && data_iter_->Valid(); }
    void SeekToFirst();
    void Seek(std::string_view target);  // first key >= target
    void Next();
    std::string_view key() const { return data_iter_->key(); }
    std::string_view value() const { return data_iter_->value(); }
    bool value_is_stable() const {
      return data_block_ != nullptr && data_block_->contents().zero_copy();
    }
    // The data block holding the current entry.
    const BlockHandle& block_handle() const { return data_handle_; }
    const Status& status() const { return status_; }
    const TableError& error() const { return error_; }

   private:
    void Reset();
    // Loads the block the index iterator points at; false on error or end.
    bool InitDataBlock();
    // Moves to the next non-empty data block while the current one is done.
    void SkipExhaustedBlocks();
    // Checks the current entry against the index key (and the previous
    // block's index key right after a block change).
    void CheckOrder();
    void SetError(const Status& s, const TableError& e);

    const Table* table_;
    Block::Iterator index_iter_;
    std::shared_ptr<const Block> data_block_;
    std::optional<Block::Iterator> data_iter_;
    BlockHandle data_handle_;
    // Index key of the block left by sequential iteration (for the
    // cross-block order check); empty optional after a Seek.
    std::optional<std::string> prev_index_key_;
    bool first_in_block_ = false;
    Status status_;
    TableError error_;
  };

  Iterator NewIterator() const { return Iterator(this); }

  // Exact-match lookup: the value (copied), nullopt if absent, or the error
  // met on the way.
  StatusOr<std::optional<std::string>> Get(std::string_view key,
                                           TableError* error = nullptr) const;

  // Every block in index order (data blocks, then metaindex, then index),
  // each read, CRC-checked and fully iterated to count entries. Stops at the
  // first error. Ordering checks are those of Iterator.
  StatusOr<std::vector<BlockInfo>> ListBlocks(
      TableError* error = nullptr) const;

 private:
  Table(std::shared_ptr<const io::RandomAccessFile> file, ReadOptions options,
        Footer footer, std::unique_ptr<Block> index_block,
        uint64_t num_data_blocks)
      : file_(std::move(file)),
        options_(options),
        footer_(footer),
        index_block_(std::move(index_block)),
        num_data_blocks_(num_data_blocks) {}

  // A data block from the small cache of recently used ones (so point
  // lookups do not re-read and re-checksum a 256 KiB block each time), or
  // freshly loaded and cached.
  StatusOr<std::shared_ptr<const Block>> CachedDataBlock(const BlockHandle& handle,
                                                         TableError* error) const;
  static constexpr size_t kBlockCacheSize = 8;
  mutable std::mutex cache_mu_;
  mutable std::list<std::pair<uint64_t, std::shared_ptr<const Block>>> block_cache_;

  // Reads and parses the block at `handle` ("data"/"index"/"metaindex").
  StatusOr<std::unique_ptr<Block>> LoadBlock(const BlockHandle& handle,
                                             std::string_view what,
                                             TableError* error) const;

  std::shared_ptr<const io::RandomAccessFile> file_;
  ReadOptions options_;
  Footer footer_;
  std::unique_ptr<Block> index_block_;
  uint64_t num_data_blocks_;
};

}  // namespace tfckpt::table

#endif  // TFCKPT_TABLE_TABLE_H_
