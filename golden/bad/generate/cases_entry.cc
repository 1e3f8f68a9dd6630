// Hostile BundleEntryProtos and BundleHeaderProtos (CVE-2021-41203 and
// kin): one field of a TF-written index record changed, the index rewritten
// by the library's TableBuilder.
#include <limits>

#include "golden/bad/generate/generator.h"
#include "proto/tensor.pb.h"
#include "src/io/coding.h"
#include "src/io/crc32c.h"

namespace tfckpt::badcorpus {
namespace {

using tensorflow::BundleEntryProto;
using tensorflow::BundleHeaderProto;

CaseDef Entry(BadCase row, const char* from, std::string key,
              std::function<void(BundleEntryProto*)> fn) {
  return {std::move(row), from, [key = std::move(key), fn = std::move(fn)](const CaseDir& d) {
            return EditEntry(d.prefix, key, fn);
          }};
}

CaseDef Header(BadCase row, std::function<void(BundleHeaderProto*)> fn) {
  return {std::move(row), kBasic, [fn = std::move(fn)](const CaseDir& d) {
            return RewriteIndex(d.prefix, [&](Records* r) {
              BundleHeaderProto h;
              h.ParseFromString(r->front().second);
              fn(&h);
              r->front().second = h.SerializeAsString();
            });
          }};
}

// v2's bytes replaced by a well-formed DT_VARIANT [2] laid out as BUNDLE-5.5
// says (the library has no variant writer; no golden holds a variant):
// per element varint64 len, a VariantTensorDataProto, the masked running
// CRC, which is extended by len as 8 little-endian bytes, the bytes and the
// 4 checksum bytes.
Status WellFormedVariant(const std::string& prefix) {
  TFCKPT_ASSIGN_OR_RETURN(Records r, ReadRecords(prefix + ".index"));
  BundleEntryProto e = ParseEntry(r, "v2");
  const std::string data_path = prefix + ".data-00000-of-00001";
  TFCKPT_ASSIGN_OR_RETURN(std::string data, ReadAll(data_path));
  std::string rec;
  uint32_t c = 0;
  for (const char* type_name : {"A", "BC"}) {
    tensorflow::VariantTensorDataProto p;
    p.set_type_name(type_name);
    const std::string elem = p.SerializeAsString();
    io::PutVarint64(&rec, elem.size());
    char len8[8];
    io::EncodeFixed64(len8, elem.size());
    c = io::crc32c::Extend(c, len8, 8);
    c = io::crc32c::Extend(c, elem.data(), elem.size());
    rec += elem;
    char sum[4];
    io::EncodeFixed32(sum, io::crc32c::Mask(c));
    rec.append(sum, 4);
    c = io::crc32c::Extend(c, sum, 4);
  }
  data.resize(e.offset());  // v2 is the last tensor of the data file
  data += rec;
  e.set_dtype(tensorflow::DT_VARIANT);
  e.mutable_shape()->clear_dim();
  e.mutable_shape()->add_dim()->set_size(2);
  e.set_size(static_cast<int64_t>(rec.size()));
  e.set_crc32c(io::crc32c::Mask(c));
  SetEntry(&r, "v2", e);
  TFCKPT_RETURN_IF_ERROR(WriteAll(data_path, data));
  return WriteTable(prefix + ".index", r);
}

// The TF-written partitioned variable pv [10,4] in row slices 0,4 / 4,3 / 7,3.
CaseDef Slice(BadCase row, std::function<void(BundleEntryProto*)> fn) {
  return Entry(std::move(row), kParted, "pv", std::move(fn));
}

}  // namespace

std::vector<CaseDef> EntryCases() {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  return {
      Entry({"negative_dim", "", "CVE-2021-41203: tensor v1 has shape [1,-2]",
             "saver_v2_basic; v1's entry dim 1 set to -2, index rewritten", {"NEGATIVE_DIM"}},
            kBasic, "v1",
            [](BundleEntryProto* e) { e->mutable_shape()->mutable_dim(1)->set_size(-2); }),
      Entry({"huge_shape", "",
             "CVE-2021-41203: tensor v1 has shape [2^40,2^40,2^40,2^40,2^40]: element count "
             "overflows int64",
             "saver_v2_basic; v1's entry shape replaced, index rewritten", {"SIZE_OVERFLOW"}},
            kBasic, "v1",
            [](BundleEntryProto* e) {
              e->mutable_shape()->clear_dim();
              for (int i = 0; i < 5; ++i) e->mutable_shape()->add_dim()->set_size(int64_t{1} << 40);
            }),
      Entry({"tensor_bytes_overflow", "",
             "CVE-2021-41203: complex128 [2^31,2^30]: 2^61 elements fit int64, their 2^65 "
             "bytes do not",
             "saver_v2_basic; v1's entry dtype DT_COMPLEX128, shape [2147483648,1073741824]",
             {"SIZE_OVERFLOW"}},
            kBasic, "v1",
            [](BundleEntryProto* e) {
              e->set_dtype(tensorflow::DT_COMPLEX128);
              e->mutable_shape()->clear_dim();
              e->mutable_shape()->add_dim()->set_size(int64_t{1} << 31);
              e->mutable_shape()->add_dim()->set_size(int64_t{1} << 30);
            }),
      Entry({"unknown_dtype", "", "CVE-2021-41203: tensor v1 has dtype 77 (no such DataType)",
             "saver_v2_basic; v1's entry dtype set to 77", {"UNKNOWN_DTYPE"}},
            kBasic, "v1",
            [](BundleEntryProto* e) { e->set_dtype(static_cast<tensorflow::DataType>(77)); }),
      Entry({"resource_dtype", "", "tensor v1 has dtype DT_RESOURCE (never saveable)",
             "saver_v2_basic; v1's entry dtype set to DT_RESOURCE (20)", {"UNKNOWN_DTYPE"}},
            kBasic, "v1", [](BundleEntryProto* e) { e->set_dtype(tensorflow::DT_RESOURCE); }),
      Entry({"reference_dtype", "", "tensor v1 has dtype DT_FLOAT_REF (101)",
             "saver_v2_basic; v1's entry dtype set to 101", {"UNKNOWN_DTYPE"}},
            kBasic, "v1", [](BundleEntryProto* e) { e->set_dtype(tensorflow::DT_FLOAT_REF); }),
      Entry({"offset_past_end", "",
             "CVE-2021-41203: tensor v2's data starts at 1000 in a 32-byte file",
             "saver_v2_basic; v2's entry offset set to 1000",
             {"OFFSET_OUT_OF_RANGE", "TRUNCATED"}},
            kBasic, "v2", [](BundleEntryProto* e) { e->set_offset(1000); }),
      Entry({"offset_overflow", "", "tensor v2's offset + size overflows int64",
             "saver_v2_basic; v2's entry offset set to 2^63-2",
             {"OFFSET_OUT_OF_RANGE", "TRUNCATED"}},
            kBasic, "v2", [=](BundleEntryProto* e) { e->set_offset(kMax - 1); }),
      Entry({"negative_offset", "", "tensor v2 has offset -8",
             "saver_v2_basic; v2's entry offset -8", {"OFFSET_OUT_OF_RANGE", "BAD_ENTRY"}},
            kBasic, "v2", [](BundleEntryProto* e) { e->set_offset(-8); }),
      Entry({"size_mismatch", "", "tensor v2 ([2,3] float: 24 bytes) records size 20",
             "saver_v2_basic; v2's entry size set to 20", {"SIZE_MISMATCH"}},
            kBasic, "v2", [](BundleEntryProto* e) { e->set_size(20); }),
      Entry({"shard_id_out_of_range", "", "CVE-2021-41203: tensor v2 is in shard 7 of 1",
             "saver_v2_basic; v2's entry shard_id set to 7", {"SHARD_ID_OUT_OF_RANGE"}},
            kBasic, "v2", [](BundleEntryProto* e) { e->set_shard_id(7); }),
      Entry({"shard_id_negative", "", "tensor v2 is in shard -1",
             "saver_v2_basic; v2's entry shard_id set to -1", {"SHARD_ID_OUT_OF_RANGE"}},
            kBasic, "v2", [](BundleEntryProto* e) { e->set_shard_id(-1); }),
      {{"entry_not_a_proto", "", "the record of v2 is not a BundleEntryProto",
        "saver_v2_basic; v2's record value replaced by ff ff ff ff", {"BAD_ENTRY"}},
       kBasic,
       [](const CaseDir& d) {
         return RewriteIndex(d.prefix, [](Records* r) {
           for (auto& [k, v] : *r) {
             if (k == "v2") v = std::string(4, '\xff');
           }
         });
       }},

      Slice({"slice_negative_length", "", "CVE-2021-41203: a slice extent of pv has length -5",
             "partitioned; pv's first slice extent 0 length set to -5", {"BAD_SLICE"}},
            [](BundleEntryProto* e) { e->mutable_slices(0)->mutable_extent(0)->set_length(-5); }),
      Slice({"slice_negative_start", "", "CVE-2021-41203: a slice extent of pv starts at -4",
             "partitioned; pv's second slice extent 0 start set to -4", {"BAD_SLICE"}},
            [](BundleEntryProto* e) { e->mutable_slices(1)->mutable_extent(0)->set_start(-4); }),
      Slice({"slice_end_overflow", "",
             "CVE-2021-41203: a slice extent of pv is start 2^63-2, length 10 (end overflows "
             "int64)",
             "partitioned; pv's third slice extent 0 set to {2^63-2, 10}", {"BAD_SLICE"}},
            [=](BundleEntryProto* e) {
              auto* x = e->mutable_slices(2)->mutable_extent(0);
              x->set_start(kMax - 1);
              x->set_length(10);
            }),
      Slice({"slice_outside_shape", "", "a slice of pv [10,4] covers rows 7..12",
             "partitioned; pv's third slice extent 0 length set to 6", {"BAD_SLICE"}},
            [](BundleEntryProto* e) { e->mutable_slices(2)->mutable_extent(0)->set_length(6); }),
      Slice({"slice_rank_mismatch", "", "a slice of pv [10,4] has 3 extents",
             "partitioned; an extent added to pv's first slice", {"BAD_SLICE"}},
            [](BundleEntryProto* e) { e->mutable_slices(0)->add_extent(); }),
      Slice({"slices_missing", "", "pv's slice list lacks rows 4..6: the tensor is not covered",
             "partitioned; pv's second slice removed from its entry (its data record stays)",
             {"MISSING_SLICES"}},
            [](BundleEntryProto* e) {
              auto* s = e->mutable_slices();
              s->erase(s->begin() + 1);
            }),
      Slice({"slices_overlapping", "", "two slices of pv overlap (rows 0..3 and 2..6)",
             "partitioned; pv's second slice start set to 2, length 5", {"BAD_SLICE"}},
            [](BundleEntryProto* e) {
              auto* x = e->mutable_slices(1)->mutable_extent(0);
              x->set_start(2);
              x->set_length(5);
            }),

      Header({"header_zero_shards", "", "the header says num_shards 0",
              "saver_v2_basic; header num_shards set to 0", {"BAD_HEADER"}},
             [](BundleHeaderProto* h) { h->set_num_shards(0); }),
      Header({"header_huge_shards", "", "the header says num_shards 2^31-1",
              "saver_v2_basic; header num_shards set to 2147483647",
              {"BAD_HEADER", "SHARD_MISSING"}},
             [](BundleHeaderProto* h) { h->set_num_shards(std::numeric_limits<int32_t>::max()); }),
      Header({"version_unsupported", "", "the header needs a consumer of version >= 1000",
              "saver_v2_basic; header version.min_consumer set to 1000",
              {"VERSION_UNSUPPORTED"}},
             [](BundleHeaderProto* h) { h->mutable_version()->set_min_consumer(1000); }),
      {{"header_missing", "", "the index has no \"\" header record",
        "saver_v2_basic; the header record dropped, index rewritten", {"MISSING_HEADER"}},
       kBasic,
       [](const CaseDir& d) {
         return RewriteIndex(d.prefix, [](Records* r) { r->erase(r->begin()); });
       }},

      Entry({"shape_unknown_rank", "", "tensor v1's shape has unknown_rank set",
             "saver_v2_basic; v1's entry shape replaced by {unknown_rank: true}",
             {"INVALID_SHAPE"}},
            kBasic, "v1",
            [](BundleEntryProto* e) {
              e->mutable_shape()->clear_dim();
              e->mutable_shape()->set_unknown_rank(true);
            }),

      Entry({"bad_variant", "",
             "tensor v2 (24 bytes of float) relabelled DT_VARIANT: its bytes are not variant "
             "elements TensorFlow could hold",
             "saver_v2_basic; v2's entry dtype set to DT_VARIANT (21), size and crc32c kept",
             {"BAD_VARIANT"}},
            kBasic, "v2", [](BundleEntryProto* e) { e->set_dtype(tensorflow::DT_VARIANT); }),
      {{"variant_tensor", "",
        "tensor v2 is a well-formed DT_VARIANT [2] (lengths, VariantTensorDataProtos and "
        "checksums as BUNDLE-5.5 lays them out): a reader may hold it, tfckpt checks its "
        "structure but does not decode it (a warning, the checkpoint is intact)",
        "saver_v2_basic; v2's 24 bytes replaced by two elements (type_name \"A\", \"BC\"), its "
        "entry dtype DT_VARIANT, shape [2], size and crc32c set, index rewritten",
        {"UNSUPPORTED"}},
       kBasic,
       [](const CaseDir& d) { return WellFormedVariant(d.prefix); }},
      {{"slice_data_missing", "",
        "pv's entry lists 3 slices but the index lacks the record of its second (rows 4..6)",
        "partitioned; the second slice record of pv (key EncodeTensorNameSlice(\"pv\", 4,3:-)) "
        "dropped, index rewritten",
        {"NOT_FOUND"}},
       kParted,
       [](const CaseDir& d) {
         return RewriteIndex(d.prefix, [](Records* r) {
           // Slice records sort after "" and before the names (their keys start with 0x00).
           int seen = 0;
           for (auto it = r->begin(); it != r->end(); ++it) {
             if (!it->first.empty() && it->first[0] == '\0' && ++seen == 2) {
               r->erase(it);
               return;
             }
           }
         });
       }},
      {{"overlapping_data", "",
        "tensor v2 claims bytes [0, 32) of the data file, which include v1's [0, 8): two "
        "entries share bytes (every checksum valid)",
        "saver_v2_basic; v2's entry set to float [2,4] at offset 0, size 32, crc32c of those "
        "bytes (computed by the library)",
        {"OVERLAPPING_DATA"}},
       kBasic,
       [](const CaseDir& d) -> Status {
         TFCKPT_ASSIGN_OR_RETURN(std::string data, ReadAll(d.prefix + ".data-00000-of-00001"));
         return EditEntry(d.prefix, "v2", [&](BundleEntryProto* e) {
           e->mutable_shape()->mutable_dim(1)->set_size(4);
           e->set_offset(0);
           e->set_size(static_cast<int64_t>(data.size()));
           e->set_crc32c(io::crc32c::Mask(io::crc32c::Value(data)));
         });
       }},
  };
}

}  // namespace tfckpt::badcorpus
