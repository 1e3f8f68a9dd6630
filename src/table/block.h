// Reading one block (FORMATS.md §1.2): a sorted run of prefix-compressed
// entries plus the restart array. Hardened for hostile input: every length
// and offset is checked against the block before use, and problems become
// DataLoss errors ("bad block contents" / "bad entry in block" with the
// offset inside the block), never out-of-bounds reads.
//
// Beyond TF's own checks, a Block also rejects (all kBadBlockContents):
// entries with no restart point (num_restarts == 0 but bytes before it),
// a first restart other than 0, restart offsets that do not increase, and
// restart offsets that do not fall on an entry boundary. Iteration rejects
// keys that do not strictly increase (kUnsortedKeys). None of these occur
// in anything TF writes.
#ifndef TFCKPT_TABLE_BLOCK_H_
#define TFCKPT_TABLE_BLOCK_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "src/io/status.h"
#include "src/table/format.h"

namespace tfckpt::table {

class Block {
 public:
  // Takes ownership of `contents` and validates the restart array.
  // `context` (e.g. "x.index: data block at offset 0 (size 32)") prefixes
  // every error message; errors use contents.handle.offset as file offset.
  static StatusOr<std::unique_ptr<Block>> Parse(BlockContents contents,
                                                std::string context = "",
                                                TableError* error = nullptr);

  Block(const Block&) = delete;
  Block& operator=(const Block&) = delete;

  const BlockContents& contents() const { return contents_; }
  size_t size() const { return contents_.data.size(); }
  uint32_t num_restarts() const { return num_restarts_; }

  // Iterates one block. The Block must outlive the iterator.
  //  - key() is valid until the iterator moves.
  //  - value() points into the block contents (so into the file mapping
  //    when the block was read zero-copy) and is valid while the Block is.
  // After an error, Valid() is false and status()/error() describe it; the
  // iterator stays in that state until the next Seek*/SeekToFirst.
  class Iterator {
   public:
    explicit Iterator(const Block* block);

    bool Valid() const { return valid_; }
    void SeekToFirst();
    // Positions at the first entry with key >= target (bytewise).
    void Seek(std::string_view target);
    void Next();  // requires Valid()

    std::string_view key() const { return key_; }
    std::string_view value() const { return value_; }
    // Offset inside the block of the current entry.
    uint64_t entry_offset() const { return current_; }
    const Status& status() const { return status_; }
    const TableError& error() const { return error_; }

   private:
    void SeekToRestartPoint(uint32_t index);
    // Parses the entry at next_; clears valid_ at the end of the entries.
    void ParseNextEntry();
    // Decodes the full key stored at restart `index` into *key.
    bool RestartKey(uint32_t index, std::string_view* key);
    void Corrupt(TableErrorKind kind, uint64_t offset, std::string what);

    const Block* block_;
    const char* data_;
    uint64_t restarts_offset_;  // entries live in [0, restarts_offset_)
    uint32_t num_restarts_;

    uint64_t current_ = 0;  // offset of the current entry
    uint64_t next_ = 0;     // offset of the entry after it
    uint32_t restart_index_ = 0;  // restart region holding next_
    bool valid_ = false;
    bool has_prev_ = false;  // key_ holds the previous entry's key
    std::string key_;
    std::string_view value_;
    Status status_;
    TableError error_;
  };

  Iterator NewIterator() const { return Iterator(this); }

 private:
  Block(BlockContents contents, std::string context, uint64_t restarts_offset,
        uint32_t num_restarts)
      : contents_(std::move(contents)),
        context_(std::move(context)),
        restarts_offset_(restarts_offset),
        num_restarts_(num_restarts) {}
  uint32_t RestartPoint(uint32_t index) const;

  BlockContents contents_;
  std::string context_;
  uint64_t restarts_offset_;
  uint32_t num_restarts_;
};

}  // namespace tfckpt::table

#endif  // TFCKPT_TABLE_BLOCK_H_
