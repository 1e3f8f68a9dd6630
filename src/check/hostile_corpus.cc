#include "src/check/hostile_corpus.h"

#include <cstdint>
#include <functional>
#include <limits>
#include <random>

#include "proto/tensor_bundle.pb.h"
#include "src/bundle/bundle_reader.h"
#include "src/bundle/bundle_writer.h"
#include "src/bundle/naming.h"
#include "src/bundle/test_tensors.h"
#include "src/io/mem_env.h"
#include "src/checkpoint_v1/tensor_slice_writer.h"
#include "src/table/table.h"
#include "src/table/table_builder.h"

namespace tfckpt::check {
namespace {

using tensor::Tensor;
using tensor::TensorShape;
using tensor::TensorSlice;

// A checkpoint as written, before any mutation.
struct Base {
  std::string name;
  std::map<std::string, std::string> files;  // relative name -> bytes
  std::string validate;                      // relative path to validate
  std::string table_file;                    // the .index, or the V1 file
  table::CompressionType compression = table::CompressionType::kNone;
  bool v1 = false;
};

// The files under `dir` of `env`, by name.
std::map<std::string, std::string> Files(io::MemEnv* env, const std::string& dir) {
  std::map<std::string, std::string> out;
  const auto names = env->GetChildren(dir);
  if (!names.ok()) std::abort();
  for (const std::string& name : *names) {
    out[name] = *env->ReadFileToString(dir + "/" + name);
  }
  return out;
}

Base V2Base(const std::string& name, bundle::BundleWriterOptions options) {
  io::MemEnv env;
  const std::string dir = "/" + name;
  {
    bundle::BundleWriter w(&env, dir + "/model.ckpt", options);
    const auto add = [&](const std::string& key, const Tensor& t) {
      if (!w.Add(key, t).ok()) std::abort();
    };
    add("dense/kernel", bundle::testing::MakeTensor(tensorflow::DT_FLOAT, TensorShape{4, 8}, 1));
    add("dense/bias", bundle::testing::MakeTensor(tensorflow::DT_DOUBLE, TensorShape{8}, 2));
    add("global_step", bundle::testing::MakeTensor(tensorflow::DT_INT64, TensorShape{}, 3));
    add("mask", bundle::testing::MakeTensor(tensorflow::DT_BOOL, TensorShape{5}, 4));
    add("vocab", Tensor::FromStrings(TensorShape{3}, {"alpha", "", "a longer string"}));
    const TensorShape full{6, 2};
    const Tensor whole = bundle::testing::MakeTensor(tensorflow::DT_FLOAT, full, 5);
    for (int64_t start : {0, 3}) {
      const TensorSlice slice({{start, 3}, {0, TensorSlice::kFullExtent}});
      auto part = bundle::testing::MakeTensor(tensorflow::DT_FLOAT, TensorShape{3, 2}, 6 + start);
      if (!w.AddSlice("part", full, slice, part).ok()) std::abort();
    }
    (void)whole;
    if (!w.Finish().ok()) std::abort();
  }
  Base b;
  b.name = name;
  b.files = Files(&env, dir);
  b.validate = "model.ckpt";
  b.table_file = "model.ckpt.index";
  b.compression = options.index_compression;
  return b;
}

Base V1Base() {
  io::MemEnv env;
  {
    checkpoint_v1::TensorSliceWriter w(&env, "/v1/model.ckpt");
    const auto ok = [](const Status& s) {
      if (!s.ok()) std::abort();
    };
    ok(w.Add("w", bundle::testing::MakeTensor(tensorflow::DT_FLOAT, TensorShape{3, 4}, 1)));
    ok(w.Add("b", bundle::testing::MakeTensor(tensorflow::DT_INT32, TensorShape{4}, 2)));
    ok(w.Add("names", Tensor::FromStrings(TensorShape{2}, {"x", "yz"})));
    const TensorShape full{4, 2};
    for (int64_t start : {0, 2}) {
      ok(w.AddSlice("p", full, TensorSlice({{start, 2}, {0, TensorSlice::kFullExtent}}),
                    bundle::testing::MakeTensor(tensorflow::DT_FLOAT, TensorShape{2, 2}, 3 + start)));
    }
    ok(w.Finish());
  }
  Base b;
  b.name = "v1";
  b.files = Files(&env, "/v1");
  b.validate = "model.ckpt";
  b.table_file = "model.ckpt";
  b.v1 = true;
  return b;
}

struct Region {
  std::string name;   // e.g. "index_block0", "tensor_dense/kernel"
  std::string kind;   // HostileCase::region
  std::string file;
  uint64_t begin = 0, size = 0;
  bool checksummed = false;
};

std::unique_ptr<table::Table> OpenTable(const std::string& bytes) {
  io::MemEnv env;
  env.PutFile("/t", bytes);
  auto t = table::Table::Open(*env.NewRandomAccessFile("/t"));
  if (!t.ok()) std::abort();
  return std::move(*t);
}

std::vector<Region> Regions(const Base& b) {
  std::vector<Region> out;
  const std::string& index = b.files.at(b.table_file);
  auto blocks = OpenTable(index)->ListBlocks();
  if (!blocks.ok()) std::abort();
  const std::string pre = b.v1 ? "v1_" : "";
  for (size_t i = 0; i < blocks->size(); ++i) {
    const table::BlockInfo& blk = (*blocks)[i];
    const std::string kind(table::BlockKindName(blk.kind));
    out.push_back({StrCat(kind, "_block", i), pre + (b.v1 ? "block" : "index_block"), b.table_file,
                   blk.handle.offset, blk.handle.size, true});
    out.push_back({StrCat(kind, "_trailer", i), pre + (b.v1 ? "trailer" : "block_trailer"),
                   b.table_file, blk.handle.offset + blk.handle.size, table::kBlockTrailerSize,
                   true});
  }
  out.push_back({"footer", pre + "footer", b.table_file, index.size() - table::kFooterLength,
                 table::kFooterLength, false});
  if (b.v1) return out;
  io::MemEnv env;
  for (const auto& [name, bytes] : b.files) env.PutFile("/c/" + name, bytes);
  auto reader = bundle::BundleReader::Open(&env, "/c/model.ckpt");
  if (!reader.ok()) std::abort();
  table::Table::Iterator it = (*reader)->index().NewIterator();
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    if (it.key().empty()) continue;
    auto e = (*reader)->GetEntry(it.key());
    if (!e.ok()) std::abort();
    if (e->partitioned() || e->proto.size() == 0) continue;
    out.push_back({"tensor_" + bundle::DisplayKey(it.key()), "tensor_data",
                   io::Basename(bundle::DataFilename("model.ckpt", e->proto.shard_id(),
                                                     (*reader)->header().num_shards())),
                   static_cast<uint64_t>(e->proto.offset()), static_cast<uint64_t>(e->proto.size()),
                   true});
  }
  return out;
}

// A name usable as a directory: '/' and other oddities become '_'.
std::string Clean(std::string s) {
  for (char& c : s) {
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) c = '_';
  }
  return s;
}

// Raw mutations of one region; only those that change its bytes are kept.
void RawCases(const Base& b, const Region& r, uint64_t seed, std::vector<HostileCase>* out) {
  static const char* const kOps[] = {"flip", "set", "zero", "insert", "cut"};
  for (int op = 0; op < 5; ++op) {
    std::mt19937_64 rng(seed * 8 + op);
    std::string bytes = b.files.at(r.file);
    const std::string before = bytes.substr(r.begin, r.size);
    const uint64_t pos = r.begin + rng() % r.size;
    switch (op) {
      case 0: bytes[pos] = static_cast<char>(bytes[pos] ^ (1 << (rng() % 8))); break;
      case 1: bytes[pos] = static_cast<char>(bytes[pos] ^ (1 + rng() % 255)); break;
      case 2: {
        const uint64_t n = 1 + rng() % std::min<uint64_t>(8, r.begin + r.size - pos);
        for (uint64_t i = 0; i < n; ++i) bytes[pos + i] = 0;
        break;
      }
      case 3: bytes.insert(bytes.begin() + pos, static_cast<char>(rng())); break;
      case 4: bytes.resize(pos); break;
    }
    if (op != 4 && bytes.substr(r.begin, r.size) == before) continue;  // no change
    HostileCase c;
    c.name = Clean(StrCat(b.name, "/", r.name, "/", kOps[op], "@", pos));
    c.region = r.kind;
    c.checksummed = r.checksummed || op == 4;
    c.files = b.files;
    c.files[r.file] = std::move(bytes);
    c.validate = b.validate;
    out->push_back(std::move(c));
  }
}

// Hostile values for the fields of a BundleEntryProto / BundleHeaderProto.
std::vector<std::pair<std::string, std::function<void(tensorflow::BundleEntryProto*)>>>
EntryMutations() {
  using E = tensorflow::BundleEntryProto;
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  return {
      {"dtype0", [](E* e) { e->set_dtype(tensorflow::DT_INVALID); }},
      {"dtype77", [](E* e) { e->set_dtype(static_cast<tensorflow::DataType>(77)); }},
      {"dtype_ref", [](E* e) { e->set_dtype(tensorflow::DT_FLOAT_REF); }},
      {"dtype_resource", [](E* e) { e->set_dtype(tensorflow::DT_RESOURCE); }},
      {"dtype_variant", [](E* e) { e->set_dtype(tensorflow::DT_VARIANT); }},
      {"dtype_string", [](E* e) { e->set_dtype(tensorflow::DT_STRING); }},
      {"shard_neg", [](E* e) { e->set_shard_id(-1); }},
      {"shard_1", [](E* e) { e->set_shard_id(1); }},
      {"offset_neg", [](E* e) { e->set_offset(-8); }},
      {"offset_max", [](E* e) { e->set_offset(kMax); }},
      {"size_max", [](E* e) { e->set_size(kMax); }},
      {"size_plus1", [](E* e) { e->set_size(e->size() + 1); }},
      {"crc", [](E* e) { e->set_crc32c(e->crc32c() ^ 1); }},
      {"dim_neg", [](E* e) { e->mutable_shape()->add_dim()->set_size(-2); }},
      {"dims_huge",
       [](E* e) {
         for (int i = 0; i < 4; ++i) e->mutable_shape()->add_dim()->set_size(int64_t{1} << 40);
       }},
      {"unknown_rank", [](E* e) { e->mutable_shape()->set_unknown_rank(true); }},
      {"slice_neg", [](E* e) {
         auto* x = e->add_slices()->add_extent();
         x->set_start(-1);
         x->set_length(kMax);
       }},
  };
}

std::vector<std::pair<std::string, std::function<void(tensorflow::BundleHeaderProto*)>>>
HeaderMutations() {
  using H = tensorflow::BundleHeaderProto;
  return {
      {"shards0", [](H* h) { h->set_num_shards(0); }},
      {"shards_neg", [](H* h) { h->set_num_shards(-1); }},
      {"shards2", [](H* h) { h->set_num_shards(2); }},
      {"shards_2pow20", [](H* h) { h->set_num_shards(1 << 20); }},
      {"shards_int_max", [](H* h) { h->set_num_shards(std::numeric_limits<int32_t>::max()); }},
      {"big_endian", [](H* h) { h->set_endianness(tensorflow::BundleHeaderProto::BIG); }},
      {"endianness2", [](H* h) { h->set_endianness(static_cast<tensorflow::BundleHeaderProto_Endianness>(2)); }},
      {"producer_neg", [](H* h) { h->mutable_version()->set_producer(-1); }},
      {"min_consumer", [](H* h) { h->mutable_version()->set_min_consumer(5); }},
      {"bad_consumer", [](H* h) { h->mutable_version()->add_bad_consumers(1); }},
  };
}

// Records re-encoded through TableBuilder with record `i`'s value replaced.
std::string Reencode(const Base& b, const std::vector<std::pair<std::string, std::string>>& records,
                     size_t i, const std::string& value) {
  io::MemEnv env;
  auto f = env.NewWritableFile("/t");
  table::Options o;
  o.compression = b.compression;
  table::TableBuilder builder(o, f->get());
  for (size_t k = 0; k < records.size(); ++k) {
    if (!builder.Add(records[k].first, k == i ? value : records[k].second).ok()) std::abort();
  }
  if (!builder.Finish().ok()) std::abort();
  return *env.ReadFileToString("/t");
}

void RecordCases(const Base& b, uint64_t seed, std::vector<HostileCase>* out) {
  std::vector<std::pair<std::string, std::string>> records;
  {
    auto t = OpenTable(b.files.at(b.table_file));
    table::Table::Iterator it = t->NewIterator();
    for (it.SeekToFirst(); it.Valid(); it.Next()) records.emplace_back(it.key(), it.value());
  }
  const auto add = [&](size_t i, const std::string& what, const std::string& value) {
    HostileCase c;
    const bool header = records[i].first.empty();
    c.name = Clean(StrCat(b.name, "/", header ? "header" : StrCat("entry", i, "_", records[i].first),
                          "/", what));
    c.region = header ? "header" : "entry";
    c.files = b.files;
    c.files[b.table_file] = Reencode(b, records, i, value);
    c.validate = b.validate;
    out->push_back(std::move(c));
  };
  for (size_t i = 0; i < records.size(); ++i) {
    const std::string& v = records[i].second;
    std::mt19937_64 rng(seed + i);
    // Byte-level: a flipped bit, a cut, junk appended, nothing at all.
    if (!v.empty()) {
      std::string flipped = v;
      flipped[rng() % v.size()] ^= static_cast<char>(1 << (rng() % 8));
      add(i, "bytes_flip", flipped);
      add(i, "bytes_cut", v.substr(0, rng() % v.size()));
    }
    add(i, "bytes_junk", v + std::string("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10));
    add(i, "bytes_empty", "");
    if (b.v1) continue;
    if (records[i].first.empty()) {
      for (const auto& [what, mutate] : HeaderMutations()) {
        tensorflow::BundleHeaderProto h;
        if (!h.ParseFromString(v)) std::abort();
        mutate(&h);
        add(i, what, h.SerializeAsString());
      }
    } else {
      for (const auto& [what, mutate] : EntryMutations()) {
        tensorflow::BundleEntryProto e;
        if (!e.ParseFromString(v)) std::abort();
        mutate(&e);
        add(i, what, e.SerializeAsString());
      }
    }
  }
}

}  // namespace

std::vector<HostileCase> HostileCorpus() {
  std::vector<Base> bases;
  bases.push_back(V2Base("v2", {}));
  bundle::BundleWriterOptions snappy;
  snappy.index_compression = table::CompressionType::kSnappy;
  snappy.data_alignment = 8;
  bases.push_back(V2Base("v2_snappy_aligned", snappy));
  bundle::BundleWriterOptions big;
  big.big_endian = true;
  bases.push_back(V2Base("v2_big_endian", big));
  bases.push_back(V1Base());
  std::vector<HostileCase> out;
  uint64_t seed = 1;
  for (const Base& b : bases) {
    for (const Region& r : Regions(b)) RawCases(b, r, seed++, &out);
    RecordCases(b, seed++ * 1000, &out);
  }
  return out;
}

}  // namespace tfckpt::check
