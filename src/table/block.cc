#include "src/table/block.h"

#include "src/io/coding.h"

namespace tfckpt::table {
namespace {

std::string WithPrefix(const std::string& context, std::string msg) {
  return context.empty() ? msg : StrCat(context, ": ", msg);
}

}  // namespace

StatusOr<std::unique_ptr<Block>> Block::Parse(BlockContents contents,
                                              std::string context,
                                              TableError* error) {
  const std::string_view d = contents.data;
  const uint64_t file_offset = contents.handle.offset;
  auto fail = [&](uint64_t offset_in_block, std::string what) {
    return TableDataLoss(
        error, TableErrorKind::kBadBlockContents, file_offset,
        WithPrefix(context, StrCat("bad block contents: ", what)),
        offset_in_block);
  };
  if (d.size() < sizeof(uint32_t)) {
    return fail(0, StrCat("block of ", d.size(),
                          " bytes cannot hold its 4-byte restart count"));
  }
  const uint64_t count_offset = d.size() - sizeof(uint32_t);
  const uint32_t n = io::DecodeFixed32(d.data() + count_offset);
  if (n > count_offset / sizeof(uint32_t)) {
    return fail(count_offset,
                StrCat("num_restarts ", n, " needs ", 4 * (uint64_t{n} + 1),
                       " bytes but the block has ", d.size()));
  }
  const uint64_t restarts_offset = count_offset - uint64_t{4} * n;
  if (n == 0 && restarts_offset != 0) {
    return fail(count_offset, StrCat("num_restarts is 0 but ", restarts_offset,
                                     " bytes of entries precede it"));
  }
  uint32_t prev = 0;
  for (uint32_t i = 0; i < n; ++i) {
    const uint64_t at = restarts_offset + uint64_t{4} * i;
    const uint32_t r = io::DecodeFixed32(d.data() + at);
    if (i == 0 && r != 0) {
      return fail(at, StrCat("first restart point is ", r, ", expected 0"));
    }
    if (i > 0 && (r <= prev || r >= restarts_offset)) {
      return fail(at, StrCat("restart point ", i, " is ", r,
                             ": must exceed the previous (", prev,
                             ") and lie below the restart array at ",
                             restarts_offset));
    }
    prev = r;
  }
  return std::unique_ptr<Block>(
      new Block(std::move(contents), std::move(context), restarts_offset, n));
}

uint32_t Block::RestartPoint(uint32_t index) const {
  return io::DecodeFixed32(contents_.data.data() + restarts_offset_ +
                           uint64_t{4} * index);
}

Block::Iterator::Iterator(const Block* block)
    : block_(block),
      data_(block->contents_.data.data()),
      restarts_offset_(block->restarts_offset_),
      num_restarts_(block->num_restarts_) {}

void Block::Iterator::Corrupt(TableErrorKind kind, uint64_t offset,
                              std::string what) {
  valid_ = false;
  key_.clear();
  value_ = {};
  std::string msg =
      kind == TableErrorKind::kBadBlockContents
          ? StrCat("bad entry in block at offset ", offset, ": ", what)
          : StrCat("keys out of order in block at offset ", offset, ": ",
                   what);
  status_ = TableDataLoss(&error_, kind, block_->contents_.handle.offset,
                          WithPrefix(block_->context_, std::move(msg)),
                          offset);
}

void Block::Iterator::SeekToRestartPoint(uint32_t index) {
  status_ = OkStatus();
  error_ = TableError();
  valid_ = false;
  has_prev_ = false;
  key_.clear();
  value_ = {};
  restart_index_ = index;
  next_ = num_restarts_ == 0 ? restarts_offset_ : block_->RestartPoint(index);
  current_ = next_;
}

void Block::Iterator::ParseNextEntry() {
  const uint64_t p = next_;
  if (p >= restarts_offset_) {  // end of entries
    valid_ = false;
    current_ = restarts_offset_;
    key_.clear();
    value_ = {};
    return;
  }
  bool at_restart = block_->RestartPoint(restart_index_) == p;
  while (restart_index_ + 1 < num_restarts_) {
    const uint32_t r = block_->RestartPoint(restart_index_ + 1);
    if (r > p) break;
    if (r < p) {
      Corrupt(TableErrorKind::kBadBlockContents, r,
              StrCat("restart point ", restart_index_ + 1, " (", r,
                     ") lies inside the entry that starts at ", current_));
      return;
    }
    ++restart_index_;
    at_restart = true;
  }

  const char* const limit = data_ + restarts_offset_;
  const char* q = data_ + p;
  uint32_t shared = 0, non_shared = 0, value_len = 0;
  if ((q = io::GetVarint32Ptr(q, limit, &shared)) == nullptr ||
      (q = io::GetVarint32Ptr(q, limit, &non_shared)) == nullptr ||
      (q = io::GetVarint32Ptr(q, limit, &value_len)) == nullptr) {
    Corrupt(TableErrorKind::kBadBlockContents, p,
            StrCat("entry header varints are malformed or run past the ",
                   "entries region (ends at ", restarts_offset_, ")"));
    return;
  }
  if (shared > key_.size()) {
    Corrupt(TableErrorKind::kBadBlockContents, p,
            StrCat("shares ", shared, " bytes with a previous key of ",
                   key_.size(), " bytes"));
    return;
  }
  if (at_restart && shared != 0) {
    Corrupt(TableErrorKind::kBadBlockContents, p,
            StrCat("entry at restart point shares ", shared,
                   " bytes (must be 0)"));
    return;
  }
  const uint64_t avail = static_cast<uint64_t>(limit - q);
  if (uint64_t{non_shared} + value_len > avail) {
    Corrupt(TableErrorKind::kBadBlockContents, p,
            StrCat("key delta (", non_shared, " bytes) and value (",
                   value_len, " bytes) overrun the entries region by ",
                   uint64_t{non_shared} + value_len - avail, " bytes"));
    return;
  }
  const std::string_view delta(q, non_shared);
  if (has_prev_ && delta.compare(std::string_view(key_).substr(shared)) <= 0) {
    std::string next_key = key_.substr(0, shared);
    next_key.append(delta);
    Corrupt(TableErrorKind::kUnsortedKeys, p,
            StrCat("key ", PrintableKey(next_key),
                   " is not greater than the previous key ",
                   PrintableKey(key_)));
    return;
  }
  key_.resize(shared);
  key_.append(delta);
  value_ = std::string_view(q + non_shared, value_len);
  current_ = p;
  next_ = static_cast<uint64_t>(q - data_) + non_shared + value_len;
  valid_ = true;
  has_prev_ = true;
}

bool Block::Iterator::RestartKey(uint32_t index, std::string_view* key) {
  const uint64_t p = block_->RestartPoint(index);
  const char* const limit = data_ + restarts_offset_;
  const char* q = data_ + p;
  uint32_t shared = 0, non_shared = 0, value_len = 0;
  if ((q = io::GetVarint32Ptr(q, limit, &shared)) == nullptr ||
      (q = io::GetVarint32Ptr(q, limit, &non_shared)) == nullptr ||
      (q = io::GetVarint32Ptr(q, limit, &value_len)) == nullptr) {
    Corrupt(TableErrorKind::kBadBlockContents, p,
            "entry header varints at restart point are malformed");
    return false;
  }
  if (shared != 0) {
    Corrupt(TableErrorKind::kBadBlockContents, p,
            StrCat("entry at restart point shares ", shared,
                   " bytes (must be 0)"));
    return false;
  }
  const uint64_t avail = static_cast<uint64_t>(limit - q);
  if (uint64_t{non_shared} + value_len > avail) {
    Corrupt(TableErrorKind::kBadBlockContents, p,
            StrCat("key delta (", non_shared, " bytes) and value (",
                   value_len, " bytes) overrun the entries region"));
    return false;
  }
  *key = std::string_view(q, non_shared);
  return true;
}

void Block::Iterator::SeekToFirst() {
  SeekToRestartPoint(0);
  ParseNextEntry();
}

void Block::Iterator::Next() {
  if (!valid_) return;
  ParseNextEntry();
}

void Block::Iterator::Seek(std::string_view target) {
  status_ = OkStatus();
  error_ = TableError();
  uint32_t left = 0;
  uint32_t right = num_restarts_ == 0 ? 0 : num_restarts_ - 1;
  // Last restart whose key is < target (or 0).
  while (left < right) {
    const uint32_t mid = left + (right - left + 1) / 2;
    std::string_view mid_key;
    if (!RestartKey(mid, &mid_key)) return;
    if (mid_key < target) {
      left = mid;
    } else {
      right = mid - 1;
    }
  }
  SeekToRestartPoint(left);
  while (true) {
    ParseNextEntry();
    if (!valid_ || std::string_view(key_) >= target) return;
  }
}

}  // namespace tfckpt::table
