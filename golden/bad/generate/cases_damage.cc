// Byte flips, truncations, shard and string damage on TF-written bundles.
#include <algorithm>

#include "golden/bad/generate/generator.h"
#include "src/bundle/tensor_data.h"
#include "src/io/coding.h"
#include "src/io/crc32c.h"

namespace tfckpt::badcorpus {
namespace {

constexpr char kData[] = ".data-00000-of-00001";
constexpr char kNote[] = "model/note/.ATTRIBUTES/VARIABLE_VALUE";

// Flips `mask` in the byte at `at(bytes)` of `path`.
Status Flip(const std::string& path, const std::function<uint64_t(const std::string&)>& at,
            uint8_t mask) {
  return Mutate(path, [&](std::string* b) { (*b)[at(*b)] ^= static_cast<char>(mask); });
}

Status Truncate(const std::string& path, const std::function<size_t(size_t)>& new_size) {
  return Mutate(path, [&](std::string* b) { b->resize(new_size(b->size())); });
}

// model/note's record re-encoded with the string length 2^40: varint
// length, the length checksum and the tensor CRC computed as the bundle
// writer does (tensor_data.h), the one payload byte kept.
Status HugeStringLength(const std::string& prefix) {
  TFCKPT_ASSIGN_OR_RETURN(Records r, ReadRecords(prefix + ".index"));
  tensorflow::BundleEntryProto e = ParseEntry(r, kNote);
  const std::string data_path = prefix + kData;
  TFCKPT_ASSIGN_OR_RETURN(std::string data, ReadAll(data_path));
  const std::string payload = data.substr(e.offset() + 5, e.size() - 5);  // varint(1) + crc(4)
  const uint64_t huge = uint64_t{1} << 40;
  uint32_t c = bundle::ExtendStringLengthCrc(0, huge, /*big_endian=*/false);
  char checksum[4];
  io::EncodeFixed32(checksum, io::crc32c::Mask(c));
  c = io::crc32c::Extend(c, checksum, 4);
  c = io::crc32c::Extend(c, payload.data(), payload.size());
  std::string rec;
  io::PutVarint64(&rec, huge);
  rec.append(checksum, 4);
  rec += payload;
  e.set_offset(static_cast<int64_t>(data.size()));
  e.set_size(static_cast<int64_t>(rec.size()));
  e.set_crc32c(io::crc32c::Mask(c));
  data += rec;
  SetEntry(&r, kNote, e);
  TFCKPT_RETURN_IF_ERROR(WriteAll(data_path, data));
  return WriteTable(prefix + ".index", r);
}

}  // namespace

std::vector<CaseDef> DamageCases() {
  const auto data = [](const CaseDir& d) { return d.prefix + kData; };
  const auto index = [](const CaseDir& d) { return d.prefix + ".index"; };
  return {
      {{"data_byte_flip", "", "one bit of tensor v2's bytes flipped in the data file",
        "saver_v2_basic; data byte 9 ^= 0x01", {"TENSOR_CRC"}},
       kBasic,
       [=](const CaseDir& d) { return Flip(data(d), [](auto&) { return 9; }, 0x01); }},
      {{"index_data_block_flip", "",
        "one bit of the index's data block (inside the BundleEntryProto of v2) flipped",
        "saver_v2_basic; .index: the first byte of v2's record value ^= 0x10", {"BLOCK_CRC"}},
       kBasic,
       [=](const CaseDir& d) -> Status {
         TFCKPT_ASSIGN_OR_RETURN(Records r, ReadRecords(index(d)));
         TFCKPT_ASSIGN_OR_RETURN(table::BlockInfo block, OnlyDataBlock(index(d)));
         const std::string value = ParseEntry(r, "v2").SerializeAsString();
         return Flip(index(d), [&](const std::string& b) {
           return std::string_view(b).substr(0, block.handle.offset + block.handle.size)
               .find(value, block.handle.offset);
         }, 0x10);
       }},
      {{"index_index_block_flip", "",
        "one bit of the table's index block (the block mapping keys to data blocks) flipped",
        "saver_v2_basic; .index: the byte at the footer's index handle offset ^= 0x01",
        {"BLOCK_CRC"}},
       kBasic,
       [=](const CaseDir& d) -> Status {
         TFCKPT_ASSIGN_OR_RETURN(auto blocks, ListBlocks(index(d)));
         return Flip(index(d), [&](auto&) { return blocks.back().handle.offset; }, 0x01);
       }},
      {{"index_block_trailer_crc", "", "the stored CRC of the index's data block altered",
        "saver_v2_basic; .index: first CRC byte of the data block trailer ^= 0xff",
        {"BLOCK_CRC"}},
       kBasic,
       [=](const CaseDir& d) -> Status {
         TFCKPT_ASSIGN_OR_RETURN(table::BlockInfo b, OnlyDataBlock(index(d)));
         return Flip(index(d), [&](auto&) { return b.handle.offset + b.handle.size + 1; }, 0xff);
       }},
      {{"footer_bad_magic", "", "the footer magic's last byte altered",
        "saver_v2_basic; .index: last byte ^= 0x01", {"BAD_MAGIC"}},
       kBasic,
       [=](const CaseDir& d) {
         return Flip(index(d), [](const std::string& b) { return b.size() - 1; }, 0x01);
       }},
      {{"index_truncated_footer", "", "the .index lost its last 10 bytes (footer cut)",
        "saver_v2_basic; .index truncated to size - 10", {"TRUNCATED", "BAD_MAGIC"}},
       kBasic,
       [=](const CaseDir& d) { return Truncate(index(d), [](size_t n) { return n - 10; }); }},
      {{"index_truncated_short", "", "the .index is 20 bytes: shorter than a footer",
        "saver_v2_basic; .index truncated to 20 bytes", {"TRUNCATED"}},
       kBasic,
       [=](const CaseDir& d) { return Truncate(index(d), [](size_t) { return 20; }); }},
      {{"index_empty", "", "the .index is empty", "saver_v2_basic; .index truncated to 0 bytes",
        {"TRUNCATED"}},
       kBasic,
       [=](const CaseDir& d) { return Truncate(index(d), [](size_t) { return 0; }); }},
      {{"data_truncated", "", "the data file ends inside tensor v2 (20 of 32 bytes)",
        "saver_v2_basic; data file truncated to 20 bytes", {"TRUNCATED", "OFFSET_OUT_OF_RANGE"}},
       kBasic,
       [=](const CaseDir& d) { return Truncate(data(d), [](size_t) { return 20; }); }},
      {{"data_empty", "", "the data file is empty: no tensor has its bytes",
        "saver_v2_basic; data file truncated to 0 bytes", {"TRUNCATED", "OFFSET_OUT_OF_RANGE"}},
       kBasic,
       [=](const CaseDir& d) { return Truncate(data(d), [](size_t) { return 0; }); }},

      // Shards: TF-written sharded save (3 data files).
      {{"shard_missing", "", "data file 1 of 3 is absent",
        "sharded; model.ckpt.data-00001-of-00003 deleted", {"SHARD_MISSING"}},
       kSharded,
       [](const CaseDir& d) { return Remove(d.prefix + ".data-00001-of-00003"); }},
      {{"mixed_shards", "",
        "a data file of another save (…-of-00002) lies beside the 3-shard bundle",
        "sharded + saver_v2_basic's data file copied in as model.ckpt.data-00000-of-00002",
        {"MIXED_SHARDS"}},
       kSharded,
       [](const CaseDir& d) {
         return Copy(d.G(std::string(kBasic) + kData), d.prefix + ".data-00000-of-00002");
       }},

      // Strings: TF2 checkpoint with scalar string tensors.
      {{"string_length_crc", "",
        "the length checksum of string tensor model/note altered (lengths and bytes intact)",
        "tf2_checkpoint/written/model; first byte of the 4-byte length checksum after "
        "model/note's varint length ^= 0x01",
        {"STRING_LENGTH_CRC"}},
       kTf2,
       [=](const CaseDir& d) -> Status {
         TFCKPT_ASSIGN_OR_RETURN(Records r, ReadRecords(index(d)));
         const uint64_t at = ParseEntry(r, kNote).offset() + 1;  // after the 1-byte varint
         return Flip(data(d), [&](auto&) { return at; }, 0x01);
       }},
      {{"string_huge_length", "",
        "string tensor model/note claims a 2^40-byte element; length checksum and tensor CRC "
        "recomputed so only the length is wrong",
        "tf2_checkpoint/written/model; model/note's bytes re-encoded with varint length 2^40 "
        "appended to the data file, entry offset/size/crc32c pointed at them",
        {"BAD_STRING_LENGTHS"}},
       kTf2,
       [](const CaseDir& d) { return HugeStringLength(d.prefix); }},
      {{"string_huge_shape", "",
        "BundleEntryProto of string tensor model/note claims shape [2^50] (17 bytes stored)",
        "tf2_checkpoint/written/model; model/note's entry shape set to [1125899906842624]",
        {"SIZE_MISMATCH", "BAD_STRING_LENGTHS"}},
       kTf2,
       [](const CaseDir& d) {
         return EditEntry(d.prefix, kNote, [](tensorflow::BundleEntryProto* e) {
           e->mutable_shape()->add_dim()->set_size(int64_t{1} << 50);
         });
       }},

      // Files beside the bundle and holes in its data file.
      {{"stray_shard", "",
        "a data file numbered for this save but past its shard count (…-00001-of-00001) lies "
        "beside the bundle",
        "saver_v2_basic + its data file copied in as model.ckpt.data-00001-of-00001",
        {"STRAY_SHARD"}},
       kBasic,
       [=](const CaseDir& d) { return Copy(data(d), d.prefix + ".data-00001-of-00001"); }},
      {{"data_unreferenced_bytes", "",
        "tensor v1's entry removed from the index: its 8 bytes at offset 0 of the data file "
        "belong to no tensor (a warning: the rest reads correctly)",
        "saver_v2_basic; the v1 record dropped from the index, index rewritten",
        {"UNREFERENCED_DATA"}},
       kBasic,
       [](const CaseDir& d) {
         return RewriteIndex(d.prefix, [](Records* r) {
           r->erase(std::remove_if(r->begin(), r->end(),
                                   [](const auto& kv) { return kv.first == "v1"; }),
                    r->end());
         });
       }},
      {{"data_file_is_directory", "",
        "the data file is a directory: it exists but cannot be read",
        "saver_v2_basic; model.ckpt.data-00000-of-00001 replaced by a directory holding the "
        "original file",
        {"IO_ERROR"}},
       kBasic,
       [=](const CaseDir& d) -> Status {
         TFCKPT_RETURN_IF_ERROR(Copy(data(d), d.O("data")));
         TFCKPT_RETURN_IF_ERROR(Remove(data(d)));
         TFCKPT_RETURN_IF_ERROR(Copy(d.O("data"), data(d) + "/model.ckpt.data-00000-of-00001"));
         return Remove(d.O("data"));
       }},
  };
}

}  // namespace tfckpt::badcorpus
