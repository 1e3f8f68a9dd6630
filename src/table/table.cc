#include "src/table/table.h"

#include <algorithm>
#include <utility>

#include "src/io/hex.h"

namespace tfckpt::table {
namespace {

// Adds "<context>: " to both the status and the recorded error message.
Status WithContext(const Status& s, TableError* error,
                   std::string_view context) {
  Status out = s.WithContext(context);
  if (error != nullptr) error->message = out.message();
  return out;
}

// Decodes an index entry's value; it must be exactly one handle.
bool DecodeIndexValue(std::string_view value, BlockHandle* handle) {
  return handle->DecodeFrom(&value) && value.empty();
}

Status BadIndexHandle(const io::RandomAccessFile& file,
                      const BlockHandle& index_handle,
                      const Block::Iterator& it, TableError* error) {
  return TableDataLoss(
      error, TableErrorKind::kBadBlockHandle, index_handle.offset,
      StrCat(file.path(), ": bad block handle in index entry for key ",
             PrintableKey(it.key()), " (value ", io::SpacedHex(it.value()),
             ") at offset ", it.entry_offset(), " of the index block at ",
             index_handle.offset),
      it.entry_offset());
}

}  // namespace

std::string_view BlockKindName(BlockInfo::Kind kind) {
  switch (kind) {
    case BlockInfo::Kind::kData: return "data";
    case BlockInfo::Kind::kMetaindex: return "metaindex";
    case BlockInfo::Kind::kIndex: return "index";
  }
  return "unknown";
}

TableLayout AnalyzeLayout(const std::vector<BlockInfo>& blocks,
                          uint64_t file_size) {
  // (start, end, index) for every block+trailer, then the footer.
  struct Range {
    uint64_t start, end;
    size_t index;
  };
  std::vector<Range> ranges;
  for (size_t i = 0; i < blocks.size(); ++i) {
    const BlockHandle& h = blocks[i].handle;
    ranges.push_back({h.offset, h.offset + h.size + kBlockTrailerSize, i});
  }
  const uint64_t footer_start =
      file_size >= kFooterLength ? file_size - kFooterLength : 0;
  ranges.push_back({footer_start, file_size, blocks.size()});
  std::sort(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) {
    return a.start != b.start ? a.start < b.start : a.index < b.index;
  });
  TableLayout layout;
  uint64_t covered = 0;  // end of the furthest range seen so far
  size_t furthest = 0;
  for (size_t i = 0; i < ranges.size(); ++i) {
    const Range& r = ranges[i];
    if (r.start > covered) {
      layout.gaps.push_back({covered, r.start - covered});
    } else if (i > 0 && r.start < covered) {
      layout.overlaps.emplace_back(std::min(furthest, r.index),
                                   std::max(furthest, r.index));
    }
    if (i == 0 || r.end > covered) {
      covered = r.end;
      furthest = r.index;
    }
  }
  return layout;
}

StatusOr<std::unique_ptr<Block>> Table::LoadBlock(const BlockHandle& handle,
                                                  std::string_view what,
                                                  TableError* error) const {
  BlockContents contents;
  TFCKPT_RETURN_IF_ERROR(ReadBlock(*file_, handle, options_.verify_checksums,
                                   &contents, error));
  return Block::Parse(std::move(contents),
                      StrCat(file_->path(), ": ", what, " block at offset ",
                             handle.offset, " (size ", handle.size, ")"),
                      error);
}

StatusOr<std::shared_ptr<const Block>> Table::CachedDataBlock(const BlockHandle& handle,
                                                              TableError* error) const {
  {
    std::lock_guard<std::mutex> l(cache_mu_);
    for (auto it = block_cache_.begin(); it != block_cache_.end(); ++it) {
      if (it->first == handle.offset && it->second->contents().handle == handle) {
        block_cache_.splice(block_cache_.begin(), block_cache_, it);  // most recent first
        return block_cache_.front().second;
      }
    }
  }
  TFCKPT_ASSIGN_OR_RETURN(std::unique_ptr<Block> loaded, LoadBlock(handle, "data", error));
  std::shared_ptr<const Block> block(std::move(loaded));
  std::lock_guard<std::mutex> l(cache_mu_);
  block_cache_.emplace_front(handle.offset, block);
  if (block_cache_.size() > kBlockCacheSize) block_cache_.pop_back();
  return block;
}

StatusOr<std::unique_ptr<Table>> Table::Open(
    std::shared_ptr<const io::RandomAccessFile> file,
    const ReadOptions& options, TableError* error) {
  if (error != nullptr) *error = TableError();
  const uint64_t size = file->Size();
  if (size < kFooterLength) {
    return TableDataLoss(
        error, TableErrorKind::kTooShort, 0,
        StrCat(file->path(), ": file is too short to be an sstable: ", size,
               " bytes, the footer alone needs ", kFooterLength));
  }
  const uint64_t footer_offset = size - kFooterLength;
  char scratch[kFooterLength];
  std::string_view footer_bytes;
  if (const char* base = file->MappedData(); base != nullptr) {
    footer_bytes = std::string_view(base + footer_offset, kFooterLength);
  } else {
    Status s = file->ReadExact(footer_offset, kFooterLength, &footer_bytes,
                               scratch);
    if (!s.ok()) {
      if (error != nullptr) {
        *error = TableError{TableErrorKind::kIoError, footer_offset,
                            std::nullopt, s.message()};
      }
      return s;
    }
  }
  Footer footer;
  if (Status s = footer.DecodeFrom(footer_bytes, footer_offset, error);
      !s.ok()) {
    return WithContext(s, error, file->path());
  }

  Table probe(file, options, footer, nullptr, 0);
  TFCKPT_ASSIGN_OR_RETURN(std::unique_ptr<Block> index_block,
                          probe.LoadBlock(footer.index_handle, "index", error));
  // Walk the index once: proves its structure and every handle's encoding.
  uint64_t num_blocks = 0;
  Block::Iterator it = index_block->NewIterator();
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    BlockHandle h;
    if (!DecodeIndexValue(it.value(), &h)) {
      return BadIndexHandle(*file, footer.index_handle, it, error);
    }
    ++num_blocks;
  }
  if (!it.status().ok()) {
    if (error != nullptr) *error = it.error();
    return it.status();
  }

  if (options.check_metaindex) {
    TFCKPT_ASSIGN_OR_RETURN(
        std::unique_ptr<Block> meta,
        probe.LoadBlock(footer.metaindex_handle, "metaindex", error));
    Block::Iterator mit = meta->NewIterator();
    for (mit.SeekToFirst(); mit.Valid(); mit.Next()) {
    }
    if (!mit.status().ok()) {
      if (error != nullptr) *error = mit.error();
      return mit.status();
    }
  }
  return std::unique_ptr<Table>(new Table(std::move(file), options, footer,
                                          std::move(index_block), num_blocks));
}

StatusOr<std::optional<std::string>> Table::Get(std::string_view key,
                                                TableError* error) const {
  Iterator it = NewIterator();
  it.Seek(key);
  if (it.Valid() && it.key() == key) {
    return std::optional<std::string>(std::string(it.value()));
  }
  if (!it.status().ok()) {
    if (error != nullptr) *error = it.error();
    return it.status();
  }
  return std::optional<std::string>();
}

StatusOr<std::vector<BlockInfo>> Table::ListBlocks(TableError* error) const {
  std::vector<BlockInfo> out;
  auto info_of = [](BlockInfo::Kind kind, const Block& b) {
    BlockInfo info;
    info.kind = kind;
    info.handle = b.contents().handle;
    info.type = b.contents().stored_type;
    info.uncompressed_size = b.size();
    info.num_restarts = b.num_restarts();
    return info;
  };
  auto fail = [&](const Block::Iterator& bit) -> Status {
    if (error != nullptr) *error = bit.error();
    return bit.status();
  };

  Block::Iterator idx = index_block_->NewIterator();
  std::optional<std::string> prev_index_key;
  for (idx.SeekToFirst(); idx.Valid(); idx.Next()) {
    BlockHandle h;
    if (!DecodeIndexValue(idx.value(), &h)) {
      return BadIndexHandle(*file_, footer_.index_handle, idx, error);
    }
    TFCKPT_ASSIGN_OR_RETURN(std::unique_ptr<Block> block,
                            LoadBlock(h, "data", error));
    BlockInfo info = info_of(BlockInfo::Kind::kData, *block);
    info.index_key = std::string(idx.key());
    Block::Iterator bit = block->NewIterator();
    for (bit.SeekToFirst(); bit.Valid(); bit.Next()) {
      const bool first = info.num_entries == 0;
      ++info.num_entries;
      if (bit.key() > idx.key() ||
          (first && prev_index_key && bit.key() <= *prev_index_key)) {
        return TableDataLoss(
            error, TableErrorKind::kUnsortedKeys, h.offset,
            StrCat(file_->path(), ": key ", PrintableKey(bit.key()),
                   " in data block at offset ", h.offset,
                   bit.key() > idx.key()
                       ? StrCat(" is greater than its index key ",
                                PrintableKey(idx.key()))
                       : StrCat(" is not greater than the previous block's "
                                "index key ",
                                PrintableKey(*prev_index_key))),
            bit.entry_offset());
      }
    }
    if (!bit.status().ok()) return fail(bit);
    prev_index_key = std::string(idx.key());
    out.push_back(std::move(info));
  }
  if (!idx.status().ok()) return fail(idx);

  TFCKPT_ASSIGN_OR_RETURN(
      std::unique_ptr<Block> meta,
      LoadBlock(footer_.metaindex_handle, "metaindex", error));
  BlockInfo meta_info = info_of(BlockInfo::Kind::kMetaindex, *meta);
  Block::Iterator mit = meta->NewIterator();
  for (mit.SeekToFirst(); mit.Valid(); mit.Next()) ++meta_info.num_entries;
  if (!mit.status().ok()) return fail(mit);
  out.push_back(std::move(meta_info));

  BlockInfo index_info = info_of(BlockInfo::Kind::kIndex, *index_block_);
  index_info.num_entries = num_data_blocks_;
  out.push_back(std::move(index_info));
  return out;
}

// ---------------------------------------------------------------------------
// Table::Iterator

Table::Iterator::Iterator(const Table* table)
    : table_(table), index_iter_(table->index_block_->NewIterator()) {}

void Table::Iterator::Reset() {
  status_ = OkStatus();
  error_ = TableError();
  data_iter_.reset();
  prev_index_key_.reset();
  first_in_block_ = false;
}

void Table::Iterator::SetError(const Status& s, const TableError& e) {
  status_ = s;
  error_ = e;
  data_iter_.reset();
}

bool Table::Iterator::InitDataBlock() {
  data_iter_.reset();
  if (!index_iter_.Valid()) {
    if (!index_iter_.status().ok()) {
      SetError(index_iter_.status(), index_iter_.error());
    }
    return false;
  }
  BlockHandle h;
  if (!DecodeIndexValue(index_iter_.value(), &h)) {
    TableError e;
    Status s = BadIndexHandle(*table_->file_, table_->footer_.index_handle,
                              index_iter_, &e);
    SetError(s, e);
    return false;
  }
  if (data_block_ == nullptr || h != data_handle_) {
    data_block_.reset();
    TableError e;
    auto block = table_->CachedDataBlock(h, &e);
    if (!block.ok()) {
      SetError(block.status(), e);
      return false;
    }
    data_block_ = std::move(block).value();
    data_handle_ = h;
  }
  data_iter_.emplace(data_block_.get());
  first_in_block_ = true;
  return true;
}

void Table::Iterator::SkipExhaustedBlocks() {
  while (data_iter_.has_value() && !data_iter_->Valid()) {
    if (!data_iter_->status().ok()) {
      SetError(data_iter_->status(), data_iter_->error());
      return;
    }
    prev_index_key_ = std::string(index_iter_.key());
    index_iter_.Next();
    if (!InitDataBlock()) return;
    data_iter_->SeekToFirst();
  }
}

void Table::Iterator::CheckOrder() {
  if (!Valid()) return;
  const bool first = first_in_block_;
  first_in_block_ = false;
  const std::string_view k = key();
  const std::string_view index_key = index_iter_.key();
  std::string problem;
  if (k > index_key) {
    problem = StrCat(" is greater than its index key ",
                     PrintableKey(index_key));
  } else if (first && prev_index_key_.has_value() && k <= *prev_index_key_) {
    problem = StrCat(" is not greater than the previous block's index key ",
                     PrintableKey(*prev_index_key_));
  } else {
    return;
  }
  TableError e;
  Status s = TableDataLoss(
      &e, TableErrorKind::kUnsortedKeys, data_handle_.offset,
      StrCat(table_->file_->path(), ": key ", PrintableKey(k),
             " in data block at offset ", data_handle_.offset, problem),
      data_iter_->entry_offset());
  SetError(s, e);
}

void Table::Iterator::SeekToFirst() {
  Reset();
  index_iter_.SeekToFirst();
  if (InitDataBlock()) data_iter_->SeekToFirst();
  SkipExhaustedBlocks();
  CheckOrder();
}

void Table::Iterator::Seek(std::string_view target) {
  Reset();
  index_iter_.Seek(target);
  if (InitDataBlock()) data_iter_->Seek(target);
  SkipExhaustedBlocks();
  CheckOrder();
}

void Table::Iterator::Next() {
  if (!Valid()) return;
  data_iter_->Next();
  SkipExhaustedBlocks();
  CheckOrder();
}

}  // namespace tfckpt::table
