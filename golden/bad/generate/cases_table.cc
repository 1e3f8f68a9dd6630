// Table structure: blocks, trailers, footers, snappy (docs/spec/ TABLE-*;
// CVE-2018-7575, CVE-2018-7577). Each starts from saver_v2_basic's TF-written
// .index (one data block) and changes one field through EditDataBlock or
// EditFooter, which recompute every CRC with the library.
#include <limits>

#include "golden/bad/generate/generator.h"
#include "src/io/coding.h"
#include "src/table/block_builder.h"

namespace tfckpt::badcorpus {
namespace {

std::string Varint(uint64_t v) {
  std::string s;
  io::PutVarint64(&s, v);
  return s;
}

// A case on kBasic's .index: its data block edited.
CaseDef DataBlockCase(BadCase row, DataBlockEdit edit) {
  return {std::move(row), kBasic, [edit](const CaseDir& d) {
            return EditDataBlock(d.prefix + ".index", edit);
          }};
}

DataBlockEdit Stored(std::function<void(std::string* stored, uint8_t* type)> fn) {
  DataBlockEdit e;
  e.data_block = std::move(fn);
  return e;
}

// A snappy stream of `stored` as one literal, cut after half of its bytes
// (the declared length kept): the literal runs past the block's end.
void TruncatedSnappyLiteral(std::string* stored, uint8_t* type) {
  std::string s;
  io::PutVarint32(&s, static_cast<uint32_t>(stored->size()));
  const size_t n = stored->size();
  if (n <= 60) {  // literal tag: (n-1) << 2 in one byte, else 60<<2 + 1-byte (n-1)
    s.push_back(static_cast<char>((n - 1) << 2));
  } else {
    s.push_back(static_cast<char>(60 << 2));
    s.push_back(static_cast<char>(n - 1));
  }
  s += stored->substr(0, n / 2);
  *stored = s;
  *type = 1;
}

}  // namespace

std::vector<CaseDef> TableCases() {
  std::vector<CaseDef> out;
  // CVE-2018-7575: block handle size overflow.
  out.push_back(
      {{"cve_2018_7575_footer_handle", "",
        "CVE-2018-7575: the footer's index handle has size 2^64-3 (size + 5-byte trailer "
        "overflows uint64)",
        "saver_v2_basic; .index footer's index handle re-encoded as {0, 2^64-3}; all CRCs "
        "valid",
        {"BAD_BLOCK_HANDLE", "OFFSET_OUT_OF_RANGE"}},
       kBasic,
       [](const CaseDir& d) {
         return EditFooter(d.prefix + ".index", [](table::Footer* f) {
           f->index_handle = table::BlockHandle{0, std::numeric_limits<uint64_t>::max() - 2};
         });
       }});
  {
    DataBlockEdit e;
    e.index_value = table::BlockHandle{0, uint64_t{1} << 62}.Encode();
    out.push_back(DataBlockCase(
        {"cve_2018_7575_data_handle", "",
         "CVE-2018-7575: the index block's data block handle has size 2^62 in a 200-byte file",
         "saver_v2_basic; .index's index entry value re-encoded as {0, 2^62}; all CRCs valid",
         {"BAD_BLOCK_HANDLE", "OFFSET_OUT_OF_RANGE"}},
        e));
  }
  // CVE-2018-7577: hostile snappy.
  out.push_back(DataBlockCase(
      {"cve_2018_7577_snappy_bad_copy", "",
       "CVE-2018-7577: snappy data block whose first element copies from before the start of "
       "the output",
       "saver_v2_basic; .index's data block replaced by varint(len) + copy-1 tags, type byte "
       "1, CRC valid",
       {"BAD_COMPRESSION"}},
      Stored([](std::string* stored, uint8_t* type) {
        // The right length, then a copy (tag 0x01: 4 bytes at offset 0x100)
        // before any literal: reads before the output start.
        *stored = Varint(stored->size()) + std::string("\x01\x00\x01\x00\x01\x00", 6);
        *type = 1;
      })));
  out.push_back(DataBlockCase(
      {"cve_2018_7577_snappy_huge_length", "",
       "CVE-2018-7577: snappy data block declaring a 4 GiB uncompressed length in 21 bytes",
       "saver_v2_basic; .index's data block replaced by varint(0xfffffff0) + 16 zero bytes, "
       "type byte 1, CRC valid",
       {"BAD_COMPRESSION"}},
      Stored([](std::string* stored, uint8_t* type) {
        *stored = Varint(0xfffffff0u) + std::string(16, '\0');
        *type = 1;
      })));
  out.push_back(DataBlockCase(
      {"snappy_truncated_literal", "",
       "snappy data block whose literal runs past the end of the block",
       "saver_v2_basic; .index's data block = snappy literal of the block cut after half its "
       "bytes, type byte 1, CRC valid",
       {"BAD_COMPRESSION"}},
      Stored(TruncatedSnappyLiteral)));
  out.push_back(DataBlockCase(
      {"unknown_block_type", "", "data block trailer type byte 2 (only 0 and 1 exist)",
       "saver_v2_basic; .index's data block type byte 2, CRC valid", {"UNKNOWN_BLOCK_TYPE"}},
      Stored([](std::string*, uint8_t* type) { *type = 2; })));
  // Block contents (docs/spec/ TABLE-2).
  out.push_back(DataBlockCase(
      {"block_bad_shared", "",
       "the first entry of the index's data block shares 1 byte with a previous key it does "
       "not have",
       "saver_v2_basic; .index data block byte 0 (the header entry's `shared`) set to 1, CRC "
       "valid",
       {"BAD_BLOCK"}},
      Stored([](std::string* stored, uint8_t*) { (*stored)[0] = 0x01; })));
  out.push_back(DataBlockCase(
      {"block_zero_restarts", "",
       "the index's data block holds entries but a restart count of 0 (TensorFlow reads it "
       "as empty)",
       "saver_v2_basic; .index data block's restart array removed and count set to 0, CRC "
       "valid",
       {"BAD_BLOCK"}},
      Stored([](std::string* stored, uint8_t*) {  // one restart: drop it and the count
        stored->resize(stored->size() - 8);
        stored->append(4, '\0');
      })));
  out.push_back(DataBlockCase(
      {"block_overlong_varint", "",
       "the first entry of the index's data block encodes `shared` as a 6-byte varint32 "
       "(at most 5 are allowed)",
       "saver_v2_basic; .index data block byte 0 (00) replaced by 80 80 80 80 80 00, CRC "
       "valid",
       {"BAD_BLOCK"}},
      Stored([](std::string* stored, uint8_t*) {
        stored->replace(0, 1, std::string("\x80\x80\x80\x80\x80\x00", 6));
      })));
  // TF's footer decoder ignores its padding; tfckpt's validator reports it.
  out.push_back(
      {{"footer_nonzero_padding", "",
        "the footer's zero padding (between the handles and the magic) holds a 01 byte",
        "saver_v2_basic; .index byte size-9 (the last padding byte) set to 01",
        {"BAD_BLOCK_HANDLE"}},
       kBasic,
       [](const CaseDir& d) {
         return Mutate(d.prefix + ".index", [](std::string* b) {
           (*b)[b->size() - table::kFooterLength + 2 * table::kMaxBlockHandleLength - 1] = 0x01;
         });
       }});
  out.push_back(
      {{"unsorted_keys", "", "the index's data block holds v2 before v1",
        "saver_v2_basic's records in the order \"\", v2, v1 in the .index's data block "
        "(BlockBuilder), all CRCs valid",
        {"UNSORTED_KEYS"}},
       kBasic,
       [](const CaseDir& d) -> Status {
         const std::string index = d.prefix + ".index";
         TFCKPT_ASSIGN_OR_RETURN(Records r, ReadRecords(index));
         std::swap(r[1], r[2]);
         return EditDataBlock(index, Stored([&r](std::string* stored, uint8_t*) {
                                table::BlockBuilder b(table::kDefaultBlockRestartInterval);
                                for (const auto& [k, v] : r) b.Add(k, v);
                                *stored = std::string(b.Finish());
                              }));
       }});
  return out;
}

}  // namespace tfckpt::badcorpus
