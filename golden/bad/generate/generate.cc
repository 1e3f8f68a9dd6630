#include "golden/bad/generate/generate.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <sstream>

#include "golden/bad/generate/clauses.h"
#include "nlohmann/json.hpp"
#include "proto/saved_tensor_slice.pb.h"
#include "proto/tensor_bundle.pb.h"
#include "src/bundle/naming.h"
#include "src/io/coding.h"
#include "src/io/crc32c.h"
#include "src/io/env.h"
#include "src/table/block_builder.h"
#include "src/table/format.h"
#include "src/table/table.h"
#include "src/table/table_builder.h"
#include "src/tensor/tensor_slice.h"

namespace tfckpt::badcorpus {
namespace {

namespace fs = std::filesystem;
using Records = std::vector<std::pair<std::string, std::string>>;
using tensorflow::BundleEntryProto;
using tensorflow::BundleHeaderProto;

// ---------------------------------------------------------------------------
// Files.

StatusOr<std::string> ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return NotFoundError(StrCat("cannot open ", path));
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

Status WriteAll(const std::string& path, std::string_view bytes) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  f.close();
  if (!f) return InternalError(StrCat("cannot write ", path));
  return OkStatus();
}

Status Copy(const std::string& from, const std::string& to) {
  TFCKPT_ASSIGN_OR_RETURN(std::string bytes, ReadAll(from));
  return WriteAll(to, bytes);
}

// The data files of a V2 prefix, by file name (sorted).
std::vector<std::string> DataFiles(const std::string& prefix) {
  std::vector<std::string> out;
  const fs::path p(prefix);
  const std::string stem = p.filename().string() + ".data-";
  for (const auto& e : fs::directory_iterator(p.parent_path())) {
    const std::string n = e.path().filename().string();
    if (n.compare(0, stem.size(), stem) == 0) out.push_back(n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Status CopyBundle(const std::string& src_prefix, const std::string& dst_prefix) {
  TFCKPT_RETURN_IF_ERROR(Copy(src_prefix + ".index", dst_prefix + ".index"));
  const std::string src_stem = fs::path(src_prefix).filename().string();
  const std::string dst_stem = fs::path(dst_prefix).filename().string();
  for (const std::string& n : DataFiles(src_prefix)) {
    TFCKPT_RETURN_IF_ERROR(Copy((fs::path(src_prefix).parent_path() / n).string(),
                                (fs::path(dst_prefix).parent_path() /
                                 (dst_stem + n.substr(src_stem.size())))
                                    .string()));
  }
  return OkStatus();
}

Status Mutate(const std::string& path, const std::function<void(std::string*)>& fn) {
  TFCKPT_ASSIGN_OR_RETURN(std::string bytes, ReadAll(path));
  fn(&bytes);
  return WriteAll(path, bytes);
}

// ---------------------------------------------------------------------------
// Tables.

StatusOr<Records> ReadRecords(const std::string& path) {
  TFCKPT_ASSIGN_OR_RETURN(auto file, io::Env::Default()->NewRandomAccessFile(path));
  TFCKPT_ASSIGN_OR_RETURN(auto t, table::Table::Open(std::move(file)));
  Records out;
  auto it = t->NewIterator();
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    out.emplace_back(std::string(it.key()), std::string(it.value()));
  }
  TFCKPT_RETURN_IF_ERROR(it.status());
  return out;
}

// A well-formed table (TF's layout) holding `records` in the given order.
Status WriteTable(const std::string& path, const Records& records) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  TFCKPT_ASSIGN_OR_RETURN(auto f, io::Env::Default()->NewWritableFile(path));
  table::TableBuilder b({}, f.get());
  for (const auto& [k, v] : records) TFCKPT_RETURN_IF_ERROR(b.Add(k, v));
  TFCKPT_RETURN_IF_ERROR(b.Finish());
  return f->Close();
}

void AppendBlock(std::string_view stored, uint8_t type, std::string* dst) {
  dst->append(stored);
  const char t = static_cast<char>(type);
  const uint32_t crc = io::crc32c::Extend(io::crc32c::Value(stored.data(), stored.size()), &t, 1);
  dst->push_back(t);
  char buf[4];
  io::EncodeFixed32(buf, io::crc32c::Mask(crc));
  dst->append(buf, 4);
}

// A table assembled block by block (one data block), for defects
// TableBuilder cannot produce. Every CRC is correct: only what the options
// change is wrong.
struct RawTableOptions {
  // Replaces the data block's stored bytes and type byte.
  std::function<void(std::string* stored, uint8_t* type)> data_block;
  // Replaces the index entry's value (the encoded data block handle).
  std::optional<std::string> index_value;
  // Replaces the footer's index handle.
  std::optional<table::BlockHandle> footer_index_handle;
};

std::string RawTable(const Records& records, const RawTableOptions& o) {
  std::string file;
  table::BlockBuilder data(16);
  for (const auto& [k, v] : records) data.Add(k, v);
  std::string stored(data.Finish());
  uint8_t type = 0;
  if (o.data_block) o.data_block(&stored, &type);
  const table::BlockHandle data_handle{0, stored.size()};
  AppendBlock(stored, type, &file);

  table::BlockBuilder meta(1);
  const std::string meta_contents(meta.Finish());
  const table::BlockHandle meta_handle{file.size(), meta_contents.size()};
  AppendBlock(meta_contents, 0, &file);

  table::BlockBuilder index(1);
  index.Add(records.back().first, o.index_value ? *o.index_value : data_handle.Encode());
  const std::string index_contents(index.Finish());
  const table::BlockHandle index_handle{file.size(), index_contents.size()};
  AppendBlock(index_contents, 0, &file);

  table::Footer footer;
  footer.metaindex_handle = meta_handle;
  footer.index_handle = o.footer_index_handle ? *o.footer_index_handle : index_handle;
  file += footer.Encode();
  return file;
}

BundleEntryProto ParseEntry(const Records& r, std::string_view key) {
  BundleEntryProto e;
  for (const auto& [k, v] : r) {
    if (k == key) e.ParseFromString(v);
  }
  return e;
}

void SetEntry(Records* r, std::string_view key, const BundleEntryProto& e) {
  for (auto& [k, v] : *r) {
    if (k == key) v = e.SerializeAsString();
  }
}

// Offset of `key`'s record bytes inside the index file (the first data
// block), found by searching for the serialized value.
uint64_t OffsetInFile(const std::string& file, const std::string& value) {
  const size_t pos = file.find(value);
  return pos == std::string::npos ? 0 : pos;
}

// ---------------------------------------------------------------------------
// The generator.

class Generator {
 public:
  Generator(std::string golden, std::string out) : golden_(std::move(golden)), out_(std::move(out)) {}

  const std::vector<BadCase>& cases() const { return cases_; }

  std::string G(const std::string& rel) const { return (fs::path(golden_) / rel).string(); }
  std::string O(const std::string& rel) const { return (fs::path(out_) / rel).string(); }

  // Starts case `name` (its directory emptied) and records it.
  Status Begin(BadCase c) {
    std::error_code ec;
    fs::remove_all(O(c.name), ec);
    fs::create_directories(O(c.name), ec);
    if (ec) return InternalError(StrCat("cannot create ", O(c.name), ": ", ec.message()));
    cases_.push_back(std::move(c));
    return OkStatus();
  }

  // A case whose files are a copy of the golden bundle `src` (relative to
  // golden/tf-2.21) as <case>/model.ckpt, then `fn` applied.
  Status FromGolden(BadCase c, const std::string& src,
                    const std::function<Status(const std::string& prefix)>& fn) {
    const std::string prefix = O(c.name + "/model.ckpt");
    if (c.validate.empty()) c.validate = c.name + "/model.ckpt";
    if (c.source.empty()) c.source = src;
    TFCKPT_RETURN_IF_ERROR(Begin(std::move(c)));
    TFCKPT_RETURN_IF_ERROR(CopyBundle(G(src), prefix));
    return fn(prefix);
  }

  // A golden bundle whose index is rewritten (well-formed table) after
  // `fn` changed its records.
  Status RewrittenIndex(BadCase c, const std::string& src,
                        const std::function<void(Records*)>& fn) {
    return FromGolden(std::move(c), src, [&](const std::string& prefix) -> Status {
      TFCKPT_ASSIGN_OR_RETURN(Records r, ReadRecords(prefix + ".index"));
      fn(&r);
      return WriteTable(prefix + ".index", r);
    });
  }

  Status EntryAttack(BadCase c, const std::string& src, const std::string& key,
                     const std::function<void(BundleEntryProto*)>& fn) {
    return RewrittenIndex(std::move(c), src, [&](Records* r) {
      BundleEntryProto e = ParseEntry(*r, key);
      fn(&e);
      SetEntry(r, key, e);
    });
  }

  // A hand-assembled index over the records of golden `src`.
  Status RawIndex(BadCase c, const std::string& src, const RawTableOptions& o) {
    return FromGolden(std::move(c), src, [&](const std::string& prefix) -> Status {
      TFCKPT_ASSIGN_OR_RETURN(Records r, ReadRecords(prefix + ".index"));
      return WriteAll(prefix + ".index", RawTable(r, o));
    });
  }

  Status WriteExpected() const {
    nlohmann::json doc;
    doc["schema_version"] = 1;
    doc["generator"] = "golden/bad/generate (bazel run //golden/bad/generate)";
    doc["cases"] = nlohmann::json::array();
    for (const BadCase& c : cases_) {
      doc["cases"].push_back({{"name", c.name},
                              {"validate", c.validate},
                              {"expect_any", c.expect},
                              {"broken", c.broken},
                              {"how", c.how},
                              {"clauses", BadCaseClauses(c.name, c.expect)}});
      if (!c.source.empty()) doc["cases"].back()["source"] = c.source;
    }
    return WriteAll(O("EXPECTED.json"), doc.dump(1) + "\n");
  }

  Status WriteReadme() const;

 private:
  std::string golden_;
  std::string out_;
  std::vector<BadCase> cases_;
};

constexpr char kBasic[] = "saver_v2_basic/model.ckpt";  // v1 [1,2] @0, v2 [2,3] @8 (float)
constexpr char kSharded[] = "sharded/model.ckpt";       // 3 data files
constexpr char kParted[] = "partitioned/model.ckpt";    // pv [10,4] in 3 slices, w
constexpr char kTf2[] = "tf2_checkpoint/written/model";  // string tensors
constexpr char kNote[] = "model/note/.ATTRIBUTES/VARIABLE_VALUE";

std::string Varint(uint64_t v) {
  std::string s;
  io::PutVarint64(&s, v);
  return s;
}

// The masked length checksum tfckpt and TF 2.21 expect for `lengths`.
std::string LengthChecksum(const std::vector<uint64_t>& lengths) {
  uint32_t c = 0;
  for (uint64_t len : lengths) {
    char buf[8];
    if (len <= 0xffffffffu) {
      io::EncodeFixed32(buf, static_cast<uint32_t>(len));
      c = io::crc32c::Extend(c, buf, 4);
    } else {
      io::EncodeFixed64(buf, len);
      c = io::crc32c::Extend(c, buf, 8);
    }
  }
  char out[4];
  io::EncodeFixed32(out, io::crc32c::Mask(c));
  return std::string(out, 4);
}

// Defects of block structure, key order, shapes and SavedModels
// (docs/spec/ TABLE-2, TABLE-5, BUNDLE-3.6, SMODEL-2.1, META-2.3).
Status GenerateStructural(Generator* g) {
  {
    RawTableOptions o;  // the header entry (the block's first) claims a shared prefix
    o.data_block = [](std::string* stored, uint8_t*) { (*stored)[0] = 0x01; };
    TFCKPT_RETURN_IF_ERROR(g->RawIndex(
        {"block_bad_shared", "",
         "the first entry of the index's data block shares 1 byte with a previous key it does "
         "not have",
         "saver_v2_basic's records; data block byte 0 (the header entry's `shared`) set to 1, "
         "CRC valid",
         {"BAD_BLOCK"}},
        kBasic, o));
  }
  {
    RawTableOptions o;  // entries kept, restart array dropped, count 0
    o.data_block = [](std::string* stored, uint8_t*) {
      stored->resize(stored->size() - 8);
      stored->append(4, '\0');
    };
    TFCKPT_RETURN_IF_ERROR(g->RawIndex(
        {"block_zero_restarts", "",
         "the index's data block holds entries but a restart count of 0 (TensorFlow reads it "
         "as empty)",
         "saver_v2_basic's records; data block's restart array removed and count set to 0, "
         "CRC valid",
         {"BAD_BLOCK"}},
        kBasic, o));
  }
  {
    RawTableOptions o;  // the header entry's `shared` as a 6-byte varint32 of 0
    o.data_block = [](std::string* stored, uint8_t*) {
      stored->replace(0, 1, std::string("\x80\x80\x80\x80\x80\x00", 6));
    };
    TFCKPT_RETURN_IF_ERROR(g->RawIndex(
        {"block_overlong_varint", "",
         "the first entry of the index's data block encodes `shared` as a 6-byte varint32 "
         "(at most 5 are allowed)",
         "saver_v2_basic's records; data block byte 0 (00) replaced by 80 80 80 80 80 00, CRC "
         "valid",
         {"BAD_BLOCK"}},
        kBasic, o));
  }
  {  // TF's footer decoder ignores its padding; tfckpt's validator reports it
    TFCKPT_RETURN_IF_ERROR(g->FromGolden(
        {"footer_nonzero_padding", "",
         "the footer's zero padding (between the handles and the magic) holds a 01 byte",
         "saver_v2_basic; .index byte size-9 (the last padding byte) set to 01",
         {"BAD_BLOCK_HANDLE"}},
        kBasic, [](const std::string& p) {
          return Mutate(p + ".index", [](std::string* b) { (*b)[b->size() - 9] = 0x01; });
        }));
  }
  TFCKPT_RETURN_IF_ERROR(g->Begin(
      {"v1_short_values", "v1_short_values/model.ckpt",
       "V1 record of v2 ([2,3] float) holds 5 float_val values instead of 6",
       "saver_v1_basic/model.ckpt; v2's SavedSlice.data.float_val lost its last value, table "
       "rewritten",
       {"SIZE_MISMATCH"}}));
  {
    const std::string v1 = g->O("v1_short_values/model.ckpt");
    TFCKPT_RETURN_IF_ERROR(Copy(g->G("saver_v1_basic/model.ckpt"), v1));
    TFCKPT_ASSIGN_OR_RETURN(Records r, ReadRecords(v1));
    for (auto& [k, v] : r) {
      tensorflow::SavedTensorSlices s;
      if (k.empty() || !s.ParseFromString(v) || s.data().name() != "v2") continue;
      s.mutable_data()->mutable_data()->mutable_float_val()->RemoveLast();
      v = s.SerializeAsString();
    }
    TFCKPT_RETURN_IF_ERROR(WriteTable(v1, r));
  }
  TFCKPT_RETURN_IF_ERROR(g->FromGolden(
      {"unsorted_keys", "", "the index's data block holds v2 before v1",
       "saver_v2_basic's records in the order \"\", v2, v1 in a hand-assembled .index, all "
       "CRCs valid",
       {"UNSORTED_KEYS"}},
      kBasic, [](const std::string& p) -> Status {
        TFCKPT_ASSIGN_OR_RETURN(Records r, ReadRecords(p + ".index"));
        std::swap(r[1], r[2]);
        return WriteAll(p + ".index", RawTable(r, {}));
      }));
  TFCKPT_RETURN_IF_ERROR(g->EntryAttack(
      {"shape_unknown_rank", "", "tensor v1's shape has unknown_rank set",
       "saver_v2_basic; v1's entry shape replaced by {unknown_rank: true}", {"INVALID_SHAPE"}},
      kBasic, "v1", [](BundleEntryProto* e) {
        e->mutable_shape()->clear_dim();
        e->mutable_shape()->set_unknown_rank(true);
      }));
  // SavedModels: TF-written simple_save export (variables/ a V2 bundle).
  const std::string sm = "saved_model_simple_save/saved_model";
  const auto copy_sm = [g, &sm](const std::string& name) -> Status {
    TFCKPT_RETURN_IF_ERROR(Copy(g->G(sm + "/saved_model.pb"), g->O(name + "/saved_model/saved_model.pb")));
    return CopyBundle(g->G(sm + "/variables/variables"), g->O(name + "/saved_model/variables/variables"));
  };
  TFCKPT_RETURN_IF_ERROR(g->Begin(
      {"saved_model_garbage", "saved_model_garbage/saved_model",
       "saved_model.pb is not a SavedModel protocol buffer",
       "saved_model_simple_save; saved_model.pb replaced by the bytes ff ff ff ff", {"SAVED_MODEL"}}));
  TFCKPT_RETURN_IF_ERROR(copy_sm("saved_model_garbage"));
  TFCKPT_RETURN_IF_ERROR(
      WriteAll(g->O("saved_model_garbage/saved_model/saved_model.pb"), std::string(4, '\xff')));
  TFCKPT_RETURN_IF_ERROR(g->Begin(
      {"saved_model_variable_missing", "saved_model_variable_missing/saved_model",
       "the MetaGraph's Saver restores a key the variables/ bundle lacks",
       "saved_model_simple_save; variables/variables.index key \"b\" renamed \"b_renamed\" "
       "(its data still referenced), index rewritten",
       {"VARIABLE_MISMATCH"}}));
  TFCKPT_RETURN_IF_ERROR(copy_sm("saved_model_variable_missing"));
  const std::string index = g->O("saved_model_variable_missing/saved_model/variables/variables.index");
  TFCKPT_ASSIGN_OR_RETURN(Records r, ReadRecords(index));
  for (auto& [k, v] : r) {
    if (k == "b") k = "b_renamed";  // still sorted: "W" < "b_renamed"
  }
  return WriteTable(index, r);
}

Status Generate(Generator* g) {
  // --- byte flips, truncations, magic: TF-written saver_v2_basic --------------
  TFCKPT_RETURN_IF_ERROR(g->FromGolden(
      {"data_byte_flip", "", "one bit of tensor v2's bytes flipped in the data file",
       "saver_v2_basic; data byte 9 ^= 0x01", {"TENSOR_CRC"}},
      kBasic, [](const std::string& p) {
        return Mutate(p + ".data-00000-of-00001", [](std::string* b) { (*b)[9] ^= 0x01; });
      }));
  TFCKPT_RETURN_IF_ERROR(g->FromGolden(
      {"index_data_block_flip", "",
       "one bit of the index's data block (inside the BundleEntryProto of v2) flipped",
       "saver_v2_basic; .index: the first byte of v2's record value ^= 0x10", {"BLOCK_CRC"}},
      kBasic, [](const std::string& p) -> Status {
        TFCKPT_ASSIGN_OR_RETURN(Records r, ReadRecords(p + ".index"));
        return Mutate(p + ".index", [&](std::string* b) {
          (*b)[OffsetInFile(*b, ParseEntry(r, "v2").SerializeAsString())] ^= 0x10;
        });
      }));
  TFCKPT_RETURN_IF_ERROR(g->FromGolden(
      {"index_index_block_flip", "",
       "one bit of the table's index block (the block mapping keys to data blocks) flipped",
       "saver_v2_basic; .index: the byte at the footer's index handle offset ^= 0x01",
       {"BLOCK_CRC"}},
      kBasic, [](const std::string& p) {
        return Mutate(p + ".index", [](std::string* b) {
          table::Footer f;
          const uint64_t at = b->size() - table::kFooterLength;
          if (f.DecodeFrom(std::string_view(*b).substr(at), at).ok()) {
            (*b)[f.index_handle.offset] ^= 0x01;
          }
        });
      }));
  TFCKPT_RETURN_IF_ERROR(g->FromGolden(
      {"index_block_trailer_crc", "", "the stored CRC of the index's data block altered",
       "saver_v2_basic; .index: first CRC byte of the data block trailer ^= 0xff", {"BLOCK_CRC"}},
      kBasic, [](const std::string& p) {
        return Mutate(p + ".index", [](std::string* b) {
          table::Footer f;
          const uint64_t at = b->size() - table::kFooterLength;
          if (!f.DecodeFrom(std::string_view(*b).substr(at), at).ok()) return;
          // The index block's only entry holds the data block handle.
          std::string_view v(*b);
          v = v.substr(f.index_handle.offset, f.index_handle.size);
          // entry: shared(0) non_shared value_len key value
          uint32_t shared, non_shared, value_len;
          const char* q = io::GetVarint32Ptr(v.data(), v.data() + v.size(), &shared);
          q = io::GetVarint32Ptr(q, v.data() + v.size(), &non_shared);
          q = io::GetVarint32Ptr(q, v.data() + v.size(), &value_len);
          std::string_view hv(q + non_shared, value_len);
          table::BlockHandle h;
          if (h.DecodeFrom(&hv)) (*b)[h.offset + h.size + 1] ^= static_cast<char>(0xff);
        });
      }));
  TFCKPT_RETURN_IF_ERROR(g->FromGolden(
      {"footer_bad_magic", "", "the footer magic's last byte altered",
       "saver_v2_basic; .index: last byte ^= 0x01", {"BAD_MAGIC"}},
      kBasic, [](const std::string& p) {
        return Mutate(p + ".index", [](std::string* b) { b->back() ^= 0x01; });
      }));
  TFCKPT_RETURN_IF_ERROR(g->FromGolden(
      {"index_truncated_footer", "", "the .index lost its last 10 bytes (footer cut)",
       "saver_v2_basic; .index truncated to size - 10", {"TRUNCATED", "BAD_MAGIC"}},
      kBasic, [](const std::string& p) {
        return Mutate(p + ".index", [](std::string* b) { b->resize(b->size() - 10); });
      }));
  TFCKPT_RETURN_IF_ERROR(g->FromGolden(
      {"index_truncated_short", "", "the .index is 20 bytes: shorter than a footer",
       "saver_v2_basic; .index truncated to 20 bytes", {"TRUNCATED"}},
      kBasic, [](const std::string& p) {
        return Mutate(p + ".index", [](std::string* b) { b->resize(20); });
      }));
  TFCKPT_RETURN_IF_ERROR(g->FromGolden(
      {"index_empty", "", "the .index is empty", "saver_v2_basic; .index truncated to 0 bytes",
       {"TRUNCATED"}},
      kBasic, [](const std::string& p) {
        return Mutate(p + ".index", [](std::string* b) { b->clear(); });
      }));
  TFCKPT_RETURN_IF_ERROR(g->FromGolden(
      {"data_truncated", "", "the data file ends inside tensor v2 (20 of 32 bytes)",
       "saver_v2_basic; data file truncated to 20 bytes", {"TRUNCATED", "OFFSET_OUT_OF_RANGE"}},
      kBasic, [](const std::string& p) {
        return Mutate(p + ".data-00000-of-00001", [](std::string* b) { b->resize(20); });
      }));
  TFCKPT_RETURN_IF_ERROR(g->FromGolden(
      {"data_empty", "", "the data file is empty: no tensor has its bytes",
       "saver_v2_basic; data file truncated to 0 bytes", {"TRUNCATED", "OFFSET_OUT_OF_RANGE"}},
      kBasic, [](const std::string& p) {
        return Mutate(p + ".data-00000-of-00001", [](std::string* b) { b->clear(); });
      }));

  // --- shards: TF-written sharded save (3 data files) ---------------------------
  TFCKPT_RETURN_IF_ERROR(g->FromGolden(
      {"shard_missing", "", "data file 1 of 3 is absent",
       "sharded; model.ckpt.data-00001-of-00003 deleted", {"SHARD_MISSING"}},
      kSharded, [](const std::string& p) -> Status {
        std::error_code ec;
        fs::remove(p + ".data-00001-of-00003", ec);
        if (ec) return InternalError(ec.message());
        return OkStatus();
      }));
  TFCKPT_RETURN_IF_ERROR(g->FromGolden(
      {"mixed_shards", "",
       "a data file of another save (…-of-00002) lies beside the 3-shard bundle",
       "sharded + saver_v2_basic's data file copied in as model.ckpt.data-00000-of-00002",
       {"MIXED_SHARDS"}},
      kSharded, [g](const std::string& p) {
        return Copy(g->G(std::string(kBasic) + ".data-00000-of-00001"),
                    p + ".data-00000-of-00002");
      }));

  // --- strings: TF2 checkpoint with scalar string tensors -----------------------
  TFCKPT_RETURN_IF_ERROR(g->FromGolden(
      {"string_length_crc", "",
       "the length checksum of string tensor model/note altered (lengths and bytes intact)",
       "tf2_checkpoint/written/model; first byte of the 4-byte length checksum after "
       "model/note's varint length ^= 0x01",
       {"STRING_LENGTH_CRC"}},
      kTf2, [](const std::string& p) -> Status {
        TFCKPT_ASSIGN_OR_RETURN(Records r, ReadRecords(p + ".index"));
        const BundleEntryProto e = ParseEntry(r, kNote);
        return Mutate(p + ".data-00000-of-00001",
                      [&](std::string* b) { (*b)[e.offset() + 1] ^= 0x01; });
      }));
  TFCKPT_RETURN_IF_ERROR(g->FromGolden(
      {"string_huge_length", "",
       "string tensor model/note claims a 2^40-byte element; length checksum and tensor CRC "
       "recomputed so only the length is wrong",
       "tf2_checkpoint/written/model; model/note's bytes re-encoded with varint length 2^40 "
       "appended to the data file, entry offset/size/crc32c pointed at them",
       {"BAD_STRING_LENGTHS"}},
      kTf2, [](const std::string& p) -> Status {
        TFCKPT_ASSIGN_OR_RETURN(Records r, ReadRecords(p + ".index"));
        BundleEntryProto e = ParseEntry(r, kNote);
        const std::string data_path = p + ".data-00000-of-00001";
        TFCKPT_ASSIGN_OR_RETURN(std::string data, ReadAll(data_path));
        const std::string old = data.substr(e.offset(), e.size());
        const std::string payload = old.substr(5);  // 1-byte varint + 4-byte checksum
        const uint64_t huge = uint64_t{1} << 40;
        std::string rec = Varint(huge) + LengthChecksum({huge});
        uint32_t c = 0;
        char len8[8];
        io::EncodeFixed64(len8, huge);
        c = io::crc32c::Extend(c, len8, 8);
        c = io::crc32c::Extend(c, rec.data() + rec.size() - 4, 4);
        c = io::crc32c::Extend(c, payload.data(), payload.size());
        rec += payload;
        e.set_offset(static_cast<int64_t>(data.size()));
        e.set_size(static_cast<int64_t>(rec.size()));
        e.set_crc32c(io::crc32c::Mask(c));
        data += rec;
        SetEntry(&r, kNote, e);
        TFCKPT_RETURN_IF_ERROR(WriteAll(data_path, data));
        return WriteTable(p + ".index", r);
      }));
  TFCKPT_RETURN_IF_ERROR(g->EntryAttack(
      {"string_huge_shape", "",
       "BundleEntryProto of string tensor model/note claims shape [2^50] (17 bytes stored)",
       "tf2_checkpoint/written/model; model/note's entry shape set to [1125899906842624]",
       {"SIZE_MISMATCH", "BAD_STRING_LENGTHS"}},
      kTf2, kNote, [](BundleEntryProto* e) {
        e->mutable_shape()->add_dim()->set_size(int64_t{1} << 50);
      }));

  // --- CVE-2018-7575: block handle size overflow ---------------------------------
  {
    RawTableOptions o;
    o.footer_index_handle = table::BlockHandle{0, std::numeric_limits<uint64_t>::max() - 2};
    TFCKPT_RETURN_IF_ERROR(g->RawIndex(
        {"cve_2018_7575_footer_handle", "",
         "CVE-2018-7575: the footer's index handle has size 2^64-3 (size + 5-byte trailer "
         "overflows uint64)",
         "saver_v2_basic's records in a hand-assembled .index whose footer index handle is "
         "{0, 2^64-3}; all CRCs valid",
         {"BAD_BLOCK_HANDLE", "OFFSET_OUT_OF_RANGE"}},
        kBasic, o));
  }
  {
    RawTableOptions o;
    o.index_value = table::BlockHandle{0, uint64_t{1} << 62}.Encode();
    TFCKPT_RETURN_IF_ERROR(g->RawIndex(
        {"cve_2018_7575_data_handle", "",
         "CVE-2018-7575: the index block's data block handle has size 2^62 in a 200-byte file",
         "saver_v2_basic's records in a hand-assembled .index whose index entry is "
         "{0, 2^62}; all CRCs valid",
         {"BAD_BLOCK_HANDLE", "OFFSET_OUT_OF_RANGE"}},
        kBasic, o));
  }

  // --- CVE-2018-7577: bad snappy -------------------------------------------------
  {
    RawTableOptions o;
    o.data_block = [](std::string* stored, uint8_t* type) {
      // Declares the right length, then a copy (tag 0x01: 4 bytes at
      // offset 0x100) before any literal: reads before the output start.
      *stored = Varint(stored->size()) + std::string("\x01\x00\x01\x00\x01\x00", 6);
      *type = 1;
    };
    TFCKPT_RETURN_IF_ERROR(g->RawIndex(
        {"cve_2018_7577_snappy_bad_copy", "",
         "CVE-2018-7577: snappy data block whose first element copies from before the start of "
         "the output",
         "saver_v2_basic's records; data block replaced by varint(len) + copy-1 tags, type byte "
         "1, CRC valid",
         {"BAD_COMPRESSION"}},
        kBasic, o));
  }
  {
    RawTableOptions o;
    o.data_block = [](std::string* stored, uint8_t* type) {
      *stored = Varint(0xfffffff0u) + std::string(16, '\0');
      *type = 1;
    };
    TFCKPT_RETURN_IF_ERROR(g->RawIndex(
        {"cve_2018_7577_snappy_huge_length", "",
         "CVE-2018-7577: snappy data block declaring a 4 GiB uncompressed length in 21 bytes",
         "saver_v2_basic's records; data block replaced by varint(0xfffffff0) + 16 zero bytes, "
         "type byte 1, CRC valid",
         {"BAD_COMPRESSION"}},
        kBasic, o));
  }
  {
    RawTableOptions o;
    o.data_block = [](std::string* stored, uint8_t* type) {
      // A genuine stream of the block, cut short (declared length kept).
      std::string lit;
      io::PutVarint32(&lit, static_cast<uint32_t>(stored->size()));
      const size_t n = stored->size();
      // literal tag for n bytes (n <= 60: one byte, else 0xf0 + 1-byte len-1)
      if (n <= 60) {
        lit.push_back(static_cast<char>((n - 1) << 2));
      } else {
        lit.push_back(static_cast<char>(60 << 2));
        lit.push_back(static_cast<char>(n - 1));
      }
      lit += stored->substr(0, n / 2);
      *stored = lit;
      *type = 1;
    };
    TFCKPT_RETURN_IF_ERROR(g->RawIndex(
        {"snappy_truncated_literal", "",
         "snappy data block whose literal runs past the end of the block",
         "saver_v2_basic's records; data block = snappy literal of the block cut after half its "
         "bytes, type byte 1, CRC valid",
         {"BAD_COMPRESSION"}},
        kBasic, o));
  }
  {
    RawTableOptions o;
    o.data_block = [](std::string*, uint8_t* type) { *type = 2; };
    TFCKPT_RETURN_IF_ERROR(g->RawIndex(
        {"unknown_block_type", "", "data block trailer type byte 2 (only 0 and 1 exist)",
         "saver_v2_basic's records; data block type byte 2, CRC valid", {"UNKNOWN_BLOCK_TYPE"}},
        kBasic, o));
  }

  // --- CVE-2021-41203 and other hostile BundleEntryProtos --------------------------
  TFCKPT_RETURN_IF_ERROR(g->EntryAttack(
      {"negative_dim", "", "CVE-2021-41203: tensor v1 has shape [1,-2]",
       "saver_v2_basic; v1's entry dim 1 set to -2, index rewritten", {"NEGATIVE_DIM"}},
      kBasic, "v1", [](BundleEntryProto* e) { e->mutable_shape()->mutable_dim(1)->set_size(-2); }));
  TFCKPT_RETURN_IF_ERROR(g->EntryAttack(
      {"huge_shape", "",
       "CVE-2021-41203: tensor v1 has shape [2^40,2^40,2^40,2^40,2^40]: element count overflows "
       "int64",
       "saver_v2_basic; v1's entry shape replaced, index rewritten", {"SIZE_OVERFLOW"}},
      kBasic, "v1", [](BundleEntryProto* e) {
        e->mutable_shape()->clear_dim();
        for (int i = 0; i < 5; ++i) e->mutable_shape()->add_dim()->set_size(int64_t{1} << 40);
      }));
  TFCKPT_RETURN_IF_ERROR(g->EntryAttack(
      {"tensor_bytes_overflow", "",
       "CVE-2021-41203: complex128 [2^31,2^30]: 2^61 elements fit int64, their 2^65 bytes do not",
       "saver_v2_basic; v1's entry dtype DT_COMPLEX128, shape [2147483648,1073741824]",
       {"SIZE_OVERFLOW"}},
      kBasic, "v1", [](BundleEntryProto* e) {
        e->set_dtype(tensorflow::DT_COMPLEX128);
        e->mutable_shape()->clear_dim();
        e->mutable_shape()->add_dim()->set_size(int64_t{1} << 31);
        e->mutable_shape()->add_dim()->set_size(int64_t{1} << 30);
      }));
  TFCKPT_RETURN_IF_ERROR(g->EntryAttack(
      {"unknown_dtype", "", "CVE-2021-41203: tensor v1 has dtype 77 (no such DataType)",
       "saver_v2_basic; v1's entry dtype set to 77", {"UNKNOWN_DTYPE"}},
      kBasic, "v1", [](BundleEntryProto* e) { e->set_dtype(static_cast<tensorflow::DataType>(77)); }));
  TFCKPT_RETURN_IF_ERROR(g->EntryAttack(
      {"resource_dtype", "", "tensor v1 has dtype DT_RESOURCE (never saveable)",
       "saver_v2_basic; v1's entry dtype set to DT_RESOURCE (20)", {"UNKNOWN_DTYPE"}},
      kBasic, "v1", [](BundleEntryProto* e) { e->set_dtype(tensorflow::DT_RESOURCE); }));
  TFCKPT_RETURN_IF_ERROR(g->EntryAttack(
      {"reference_dtype", "", "tensor v1 has dtype DT_FLOAT_REF (101)",
       "saver_v2_basic; v1's entry dtype set to 101", {"UNKNOWN_DTYPE"}},
      kBasic, "v1", [](BundleEntryProto* e) { e->set_dtype(tensorflow::DT_FLOAT_REF); }));
  TFCKPT_RETURN_IF_ERROR(g->EntryAttack(
      {"offset_past_end", "", "CVE-2021-41203: tensor v2's data starts at 1000 in a 32-byte file",
       "saver_v2_basic; v2's entry offset set to 1000", {"OFFSET_OUT_OF_RANGE", "TRUNCATED"}},
      kBasic, "v2", [](BundleEntryProto* e) { e->set_offset(1000); }));
  TFCKPT_RETURN_IF_ERROR(g->EntryAttack(
      {"offset_overflow", "", "tensor v2's offset + size overflows int64",
       "saver_v2_basic; v2's entry offset set to 2^63-2", {"OFFSET_OUT_OF_RANGE", "TRUNCATED"}},
      kBasic, "v2", [](BundleEntryProto* e) { e->set_offset(std::numeric_limits<int64_t>::max() - 1); }));
  TFCKPT_RETURN_IF_ERROR(g->EntryAttack(
      {"negative_offset", "", "tensor v2 has offset -8", "saver_v2_basic; v2's entry offset -8",
       {"OFFSET_OUT_OF_RANGE", "BAD_ENTRY"}},
      kBasic, "v2", [](BundleEntryProto* e) { e->set_offset(-8); }));
  TFCKPT_RETURN_IF_ERROR(g->EntryAttack(
      {"size_mismatch", "", "tensor v2 ([2,3] float: 24 bytes) records size 20",
       "saver_v2_basic; v2's entry size set to 20", {"SIZE_MISMATCH"}},
      kBasic, "v2", [](BundleEntryProto* e) { e->set_size(20); }));
  TFCKPT_RETURN_IF_ERROR(g->EntryAttack(
      {"shard_id_out_of_range", "", "CVE-2021-41203: tensor v2 is in shard 7 of 1",
       "saver_v2_basic; v2's entry shard_id set to 7", {"SHARD_ID_OUT_OF_RANGE"}},
      kBasic, "v2", [](BundleEntryProto* e) { e->set_shard_id(7); }));
  TFCKPT_RETURN_IF_ERROR(g->EntryAttack(
      {"shard_id_negative", "", "tensor v2 is in shard -1",
       "saver_v2_basic; v2's entry shard_id set to -1", {"SHARD_ID_OUT_OF_RANGE"}},
      kBasic, "v2", [](BundleEntryProto* e) { e->set_shard_id(-1); }));
  TFCKPT_RETURN_IF_ERROR(g->RewrittenIndex(
      {"entry_not_a_proto", "", "the record of v2 is not a BundleEntryProto",
       "saver_v2_basic; v2's record value replaced by ff ff ff ff", {"BAD_ENTRY"}},
      kBasic, [](Records* r) {
        for (auto& [k, v] : *r) {
          if (k == "v2") v = std::string(4, '\xff');
        }
      }));

  // Slices (TF-written partitioned variable pv [10,4] in slices 0,4 / 4,3 / 7,3).
  const auto slice_attack = [g](BadCase c, const std::function<void(BundleEntryProto*)>& fn) {
    return g->EntryAttack(std::move(c), kParted, "pv", fn);
  };
  TFCKPT_RETURN_IF_ERROR(slice_attack(
      {"slice_negative_length", "", "CVE-2021-41203: a slice extent of pv has length -5",
       "partitioned; pv's first slice extent 0 length set to -5", {"BAD_SLICE"}},
      [](BundleEntryProto* e) { e->mutable_slices(0)->mutable_extent(0)->set_length(-5); }));
  TFCKPT_RETURN_IF_ERROR(slice_attack(
      {"slice_negative_start", "", "CVE-2021-41203: a slice extent of pv starts at -4",
       "partitioned; pv's second slice extent 0 start set to -4", {"BAD_SLICE"}},
      [](BundleEntryProto* e) { e->mutable_slices(1)->mutable_extent(0)->set_start(-4); }));
  TFCKPT_RETURN_IF_ERROR(slice_attack(
      {"slice_end_overflow", "",
       "CVE-2021-41203: a slice extent of pv is start 2^63-2, length 10 (end overflows int64)",
       "partitioned; pv's third slice extent 0 set to {2^63-2, 10}", {"BAD_SLICE"}},
      [](BundleEntryProto* e) {
        auto* x = e->mutable_slices(2)->mutable_extent(0);
        x->set_start(std::numeric_limits<int64_t>::max() - 1);
        x->set_length(10);
      }));
  TFCKPT_RETURN_IF_ERROR(slice_attack(
      {"slice_outside_shape", "", "a slice of pv [10,4] covers rows 7..12",
       "partitioned; pv's third slice extent 0 length set to 6", {"BAD_SLICE"}},
      [](BundleEntryProto* e) { e->mutable_slices(2)->mutable_extent(0)->set_length(6); }));
  TFCKPT_RETURN_IF_ERROR(slice_attack(
      {"slice_rank_mismatch", "", "a slice of pv [10,4] has 3 extents",
       "partitioned; an extent added to pv's first slice", {"BAD_SLICE"}},
      [](BundleEntryProto* e) { e->mutable_slices(0)->add_extent(); }));
  TFCKPT_RETURN_IF_ERROR(slice_attack(
      {"slices_missing", "", "pv's slice list lacks rows 4..6: the tensor is not covered",
       "partitioned; pv's second slice removed from its entry (its data record stays)",
       {"MISSING_SLICES"}},
      [](BundleEntryProto* e) {
        auto* s = e->mutable_slices();
        s->erase(s->begin() + 1);
      }));
  TFCKPT_RETURN_IF_ERROR(slice_attack(
      {"slices_overlapping", "", "two slices of pv overlap (rows 0..3 and 2..6)",
       "partitioned; pv's second slice start set to 2, length 5", {"BAD_SLICE"}},
      [](BundleEntryProto* e) {
        auto* x = e->mutable_slices(1)->mutable_extent(0);
        x->set_start(2);
        x->set_length(5);
      }));

  // --- headers -------------------------------------------------------------------
  const auto header_attack = [g](BadCase c, const std::function<void(BundleHeaderProto*)>& fn) {
    return g->RewrittenIndex(std::move(c), kBasic, [&](Records* r) {
      BundleHeaderProto h;
      h.ParseFromString(r->front().second);
      fn(&h);
      r->front().second = h.SerializeAsString();
    });
  };
  TFCKPT_RETURN_IF_ERROR(header_attack(
      {"header_zero_shards", "", "the header says num_shards 0",
       "saver_v2_basic; header num_shards set to 0", {"BAD_HEADER"}},
      [](BundleHeaderProto* h) { h->set_num_shards(0); }));
  TFCKPT_RETURN_IF_ERROR(header_attack(
      {"header_huge_shards", "", "the header says num_shards 2^31-1",
       "saver_v2_basic; header num_shards set to 2147483647",
       {"BAD_HEADER", "SHARD_MISSING"}},
      [](BundleHeaderProto* h) { h->set_num_shards(std::numeric_limits<int32_t>::max()); }));
  TFCKPT_RETURN_IF_ERROR(header_attack(
      {"version_unsupported", "", "the header needs a consumer of version >= 1000",
       "saver_v2_basic; header version.min_consumer set to 1000", {"VERSION_UNSUPPORTED"}},
      [](BundleHeaderProto* h) { h->mutable_version()->set_min_consumer(1000); }));
  TFCKPT_RETURN_IF_ERROR(g->RewrittenIndex(
      {"header_missing", "", "the index has no \"\" header record",
       "saver_v2_basic; the header record dropped, index rewritten", {"MISSING_HEADER"}},
      kBasic, [](Records* r) { r->erase(r->begin()); }));

  // --- checkpoint state files ------------------------------------------------------
  TFCKPT_RETURN_IF_ERROR(g->Begin(
      {"stale_absolute_paths", "stale_absolute_paths",
       "the `checkpoint` state file names absolute paths that no longer resolve (the run "
       "directory moved)",
       "hand-written state file naming /nonexistent/tfckpt-golden-bad/train/model.ckpt-{100,200}",
       {"STALE_PATH"}}));
  TFCKPT_RETURN_IF_ERROR(WriteAll(
      g->O("stale_absolute_paths/checkpoint"),
      "model_checkpoint_path: \"/nonexistent/tfckpt-golden-bad/train/model.ckpt-200\"\n"
      "all_model_checkpoint_paths: \"/nonexistent/tfckpt-golden-bad/train/model.ckpt-100\"\n"
      "all_model_checkpoint_paths: \"/nonexistent/tfckpt-golden-bad/train/model.ckpt-200\"\n"));
  TFCKPT_RETURN_IF_ERROR(g->Begin(
      {"stale_relative_path", "stale_relative_path",
       "the `checkpoint` state file names model.ckpt-2, which is not in the directory "
       "(model.ckpt-1 is, and is valid)",
       "saver_v2_basic copied as model.ckpt-1 + hand-written state file", {"STALE_PATH"}}));
  TFCKPT_RETURN_IF_ERROR(CopyBundle(g->G(kBasic), g->O("stale_relative_path/model.ckpt-1")));
  TFCKPT_RETURN_IF_ERROR(WriteAll(g->O("stale_relative_path/checkpoint"),
                                  "model_checkpoint_path: \"model.ckpt-2\"\n"
                                  "all_model_checkpoint_paths: \"model.ckpt-1\"\n"
                                  "all_model_checkpoint_paths: \"model.ckpt-2\"\n"));
  TFCKPT_RETURN_IF_ERROR(g->Begin(
      {"state_file_garbage", "state_file_garbage",
       "the `checkpoint` state file is not a text-format CheckpointState",
       "hand-written state file with an unknown field", {"STATE_FILE"}}));
  TFCKPT_RETURN_IF_ERROR(WriteAll(g->O("state_file_garbage/checkpoint"),
                                  "model_checkpoint_path: \"model.ckpt-1\"\nbogus_field: 3\n"));

  // --- V1 (TensorSlice) files: TF-written saver_v1_basic ---------------------------
  TFCKPT_RETURN_IF_ERROR(g->Begin(
      {"v1_block_flip", "v1_block_flip/model.ckpt", "one bit of a V1 checkpoint's data block flipped",
       "saver_v1_basic/model.ckpt; byte 30 ^= 0x01", {"BLOCK_CRC"},
       "saver_v1_basic/model.ckpt"}));
  TFCKPT_RETURN_IF_ERROR(Copy(g->G("saver_v1_basic/model.ckpt"), g->O("v1_block_flip/model.ckpt")));
  TFCKPT_RETURN_IF_ERROR(
      Mutate(g->O("v1_block_flip/model.ckpt"), [](std::string* b) { (*b)[30] ^= 0x01; }));
  TFCKPT_RETURN_IF_ERROR(g->Begin(
      {"v1_truncated", "v1_truncated/model.ckpt", "a V1 checkpoint cut in the middle of its footer",
       "saver_v1_basic/model.ckpt truncated to size - 20", {"TRUNCATED", "BAD_MAGIC"},
       "saver_v1_basic/model.ckpt"}));
  TFCKPT_RETURN_IF_ERROR(Copy(g->G("saver_v1_basic/model.ckpt"), g->O("v1_truncated/model.ckpt")));
  TFCKPT_RETURN_IF_ERROR(Mutate(g->O("v1_truncated/model.ckpt"),
                                [](std::string* b) { b->resize(b->size() - 20); }));
  return GenerateStructural(g);
}

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') {
      out += "\\|";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Status Generator::WriteReadme() const {
  std::string md =
      "# golden/bad/ — broken checkpoints and the defect codes they must produce\n"
      "\n"
      "Like parquet-testing's `bad_data/`: each directory holds one damaged or hostile\n"
      "checkpoint, and `tfckpt validate` (`check::Validate`) must report at least one of the\n"
      "listed defect codes (`src/check/defect.h`) for it, and never call it valid.\n"
      "`EXPECTED.json` is the same table, machine-readable; `//golden/bad:bad_corpus_test`\n"
      "checks every row.\n"
      "\n"
      "**Generated — do not edit.** Everything here but `BUILD` and `generate/` is written by\n"
      "`golden/bad/generate/` from the TensorFlow 2.21 goldens in `golden/tf-2.21/` (byte flips,\n"
      "truncations, rewritten index records) or from tables assembled by hand with the\n"
      "project's block builder (every CRC valid, so only the intended field is wrong):\n"
      "\n"
      "```sh\n"
      "bazel run //golden/bad/generate             # rewrites golden/bad/ in the source tree\n"
      "bazel test //golden/bad/...                 # bad_corpus_test + generate_check_test\n"
      "```\n"
      "\n"
      "`generate_check_test` regenerates the corpus in a temp dir and requires it to be\n"
      "byte-identical to the committed files (so the files and this table cannot drift).\n"
      "V2 cases are validated as the prefix `<dir>/model.ckpt`; state-file cases as the\n"
      "directory; V1 cases as the file.\n"
      "\n"
      "| file | what is broken | how it was made | expected code(s) |\n"
      "|---|---|---|---|\n";
  for (const BadCase& c : cases_) {
    std::string codes;
    for (const std::string& e : c.expect) codes += (codes.empty() ? "`" : " or `") + e + "`";
    md += StrCat("| `", c.validate, "` | ", Escape(c.broken), " | ", Escape(c.how), " | ", codes,
                 " |\n");
  }
  md +=
      "\n"
      "Sources: `saver_v2_basic` (v1 float [1,2] at offset 0, v2 float [2,3] at 8; 32-byte data\n"
      "file), `sharded` (3 data files), `partitioned` (pv [10,4] saved as row slices 0,4 / 4,3 /\n"
      "7,3), `tf2_checkpoint/written/model` (scalar string tensors), `saver_v1_basic` (a V1 file).\n"
      "CVE-2018-7575: block handle size overflow in the table reader; CVE-2018-7577: snappy\n"
      "decompression of hostile blocks; CVE-2021-41203: unvalidated shapes, dtypes, offsets,\n"
      "shard ids and slices in checkpoint metadata.\n"
      "\n"
      "What TensorFlow 2.21 itself does with each file (`tf.train.load_checkpoint` + `get_tensor`,\n"
      "or `get_checkpoint_state`: reject, accept silently, or crash the process) is pinned in\n"
      "`conformance/oracle/tf_reads_bad.py` and checked by the oracle tier\n"
      "(`conformance/oracle/README.md`).\n";
  return WriteAll(O("README.md"), md);
}

}  // namespace

StatusOr<std::vector<BadCase>> GenerateAll(const std::string& golden_dir,
                                           const std::string& out_dir) {
  Generator g(golden_dir, out_dir);
  TFCKPT_RETURN_IF_ERROR(Generate(&g));
  TFCKPT_RETURN_IF_ERROR(g.WriteExpected());
  TFCKPT_RETURN_IF_ERROR(g.WriteReadme());
  return g.cases();
}

}  // namespace tfckpt::badcorpus
