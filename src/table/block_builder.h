// Builds one block: prefix-compressed entries followed by the restart array
// (FORMATS.md §1.2). Every `restart_interval` entries the key is stored in
// full and its offset recorded, so readers can binary-search restarts.
//
//   shared:varint32 non_shared:varint32 value_len:varint32 key_delta value
//   ... restarts: fixed32 × n, n: fixed32
//
// The caller (TableBuilder) guarantees keys are strictly increasing; the
// builder itself does not check (it is also used for index blocks whose keys
// are computed). An empty block encodes as 00 00 00 00 01 00 00 00.
#ifndef TFCKPT_TABLE_BLOCK_BUILDER_H_
#define TFCKPT_TABLE_BLOCK_BUILDER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tfckpt::table {

class BlockBuilder {
 public:
  // restart_interval < 1 is treated as 1.
  explicit BlockBuilder(int restart_interval);

  BlockBuilder(const BlockBuilder&) = delete;
  BlockBuilder& operator=(const BlockBuilder&) = delete;

  // Appends an entry. Must not be called after Finish() until Reset().
  void Add(std::string_view key, std::string_view value);
  // Appends the restart array; the returned view stays valid until the next
  // Reset() or destruction.
  std::string_view Finish();
  // Back to an empty block (keeps capacity).
  void Reset();

  // TF's estimate used to cut blocks: raw bytes + 4 × restarts + 4 (the
  // exact size Finish() would produce).
  size_t CurrentSizeEstimate() const;
  bool empty() const { return buffer_.empty(); }
  size_t num_entries() const { return num_entries_; }

 private:
  const int restart_interval_;
  std::string buffer_;
  std::vector<uint32_t> restarts_;
  int counter_ = 0;  // entries since the last restart
  size_t num_entries_ = 0;
  bool finished_ = false;
  std::string last_key_;
};

}  // namespace tfckpt::table

#endif  // TFCKPT_TABLE_BLOCK_BUILDER_H_
