#include "conformance/oracle/corpus.h"

#include <limits.h>
#include <stdlib.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <iostream>
#include <set>

#include "conformance/checkpoint_tensors.h"
#include "conformance/oracle/corpus_random.h"
#include "nlohmann/json.hpp"
#include "src/bundle/bundle_writer.h"
#include "src/bundle/merge.h"
#include "src/bundle/naming.h"
#include "src/bundle/slice_copy.h"
#include "src/bundle/test_tensors.h"
#include "src/io/env.h"
#include "src/checkpoint_v1/tensor_slice_writer.h"
#include "src/state/checkpoint_state.h"
#include "src/tensor/tensor_record.h"

namespace tfckpt::conformance {
namespace {

using bundle::testing::MakeTensor;
using nlohmann::json;
using tensor::DataType;
using tensor::Tensor;
using tensor::TensorShape;
using tensor::TensorSlice;

// The region `slice` of `full` (row-major copy), for expected values of
// partial restores.
StatusOr<Tensor> ExtractRegion(const Tensor& full, const TensorSlice& slice) {
  TFCKPT_ASSIGN_OR_RETURN(TensorShape shape, slice.SliceShape(full.shape()));
  Tensor out;
  if (full.is_string()) {
    out = Tensor::FromStrings(shape, std::vector<std::string>(shape.num_elements()));
  } else {
    TFCKPT_ASSIGN_OR_RETURN(out, Tensor::Allocate(full.dtype(), shape));
  }
  TFCKPT_RETURN_IF_ERROR(
      bundle::CopySliceOverlap(full.shape(), TensorSlice(full.shape().rank()), full, slice, &out));
  return out;
}

// Any failure while writing aborts the corpus: thrown, caught in WriteCorpus.
struct CorpusError {
  Status status;
};

#define CHECK_OK(expr)                                                    \
  do {                                                                    \
    const Status _s = (expr);                                             \
    if (!_s.ok()) throw CorpusError{_s.WithContext(#expr)};               \
  } while (0)

template <typename T>
T Unwrap(StatusOr<T> v, const char* what) {
  if (!v.ok()) throw CorpusError{v.status().WithContext(what)};
  return std::move(v).value();
}

// The dtypes of TF's DataType enum up to DT_UINT64 that a bundle can hold
// (everything but resource and variant).
bool IsCoreDtype(DataType d) {
  return d >= tensorflow::DT_FLOAT && d <= tensorflow::DT_UINT64 && d != tensorflow::DT_RESOURCE &&
         d != tensorflow::DT_VARIANT;
}

std::vector<DataType> CoreDtypes() {
  std::vector<DataType> out;
  for (int v = 1; v <= tensorflow::DT_UINT64; ++v) {
    if (IsCoreDtype(static_cast<DataType>(v))) out.push_back(static_cast<DataType>(v));
  }
  return out;
}

// float8 / int4 / int2 / float4 types: newer than most TF releases.
std::vector<DataType> ExtendedDtypes() {
  std::vector<DataType> out;
  for (int v = tensorflow::DT_FLOAT8_E5M2; v <= tensorflow::DT_FLOAT4_E2M1FN; ++v) {
    if (tensor::IsKnownDataType(v)) out.push_back(static_cast<DataType>(v));
  }
  return out;
}

// Sub-byte types keep one value per byte; keep the stored bytes inside the
// value range so no reader has to decide what to do with the spare bits.
Tensor MakeValid(DataType dtype, const TensorShape& shape, uint64_t seed) {
  Tensor t = MakeTensor(dtype, shape, seed);
  int bits = 0;
  bool is_signed = false;
  switch (dtype) {
    case tensorflow::DT_INT4: bits = 4; is_signed = true; break;
    case tensorflow::DT_UINT4: bits = 4; break;
    case tensorflow::DT_INT2: bits = 2; is_signed = true; break;
    case tensorflow::DT_UINT2: bits = 2; break;
    case tensorflow::DT_FLOAT4_E2M1FN: bits = 4; break;
    default: return t;
  }
  auto* p = reinterpret_cast<uint8_t*>(t.mutable_raw_data());
  for (uint64_t i = 0; i < t.TotalBytes(); ++i) {
    uint8_t v = p[i] & ((1u << bits) - 1);
    if (is_signed && (v & (1u << (bits - 1)))) v |= static_cast<uint8_t>(0xff << bits);
    p[i] = v;
  }
  return t;
}

std::string DtypeKey(DataType d) { return tensor::DataTypeName(d); }

class Corpus {
 public:
  explicit Corpus(std::string root) : root_(std::move(root)), env_(io::Env::Default()) {}

  std::string Path(const std::string& rel) const { return io::JoinPath(root_, rel); }
  io::Env* env() { return env_; }
  const std::string& root() const { return root_; }

  json& NewCase(const std::string& name, const std::string& kind, const std::string& description) {
    json c;
    c["name"] = name;
    c["kind"] = kind;
    c["description"] = description;
    c["tensors"] = json::array();
    c["restores"] = json::array();
    cases_.push_back(c);
    CHECK_OK(env_->CreateDirRecursively(Path(name)));
    return cases_.back();
  }

  void Write() {
    // A V2 case is what it claims (so TF reading it means what the case
    // says): its layout measured with the library, not a second reader.
    for (const json& c : cases_) {
      if (!c.contains("index_snappy")) continue;
      const std::string prefix = Path(c["prefix"].get<std::string>());
      const CheckpointLayout layout = Unwrap(ReadCheckpointLayout(env_, prefix, false), prefix.c_str());
      if (layout.snappy != c["index_snappy"].get<bool>() ||
          layout.big_endian != (c["endianness"] == "BIG")) {
        throw CorpusError{InternalError(StrCat(prefix, ": index snappy ", layout.snappy,
                                               ", big-endian ", layout.big_endian,
                                               "; the case claims ", c["index_snappy"].dump(),
                                               ", ", c["endianness"].dump()))};
      }
    }
    json doc;
    doc["schema_version"] = 1;
    doc["writer"] = "tfckpt //conformance/oracle:write_corpus";
    doc["cases"] = cases_;
    std::ofstream f(Path("expected.json"));
    f << doc.dump(1) << "\n";
    f.close();
    if (!f) throw CorpusError{InternalError("cannot write " + Path("expected.json"))};
  }

  // A case written elsewhere (corpus_random.h).
  void AddCase(json c) { cases_.push_back(std::move(c)); }

  size_t num_cases() const { return cases_.size(); }

 private:
  std::string root_;
  io::Env* env_;
  std::vector<json> cases_;
};

// A bundle written with one BundleWriter; records every tensor added.
class V2Case {
 public:
  V2Case(Corpus* corpus, json* c, const std::string& prefix_rel,
         bundle::BundleWriterOptions options = {})
      : corpus_(corpus), case_(c), writer_(corpus->env(), corpus->Path(prefix_rel), options) {
    (*c)["prefix"] = prefix_rel;
    (*c)["endianness"] = options.big_endian ? "BIG" : "LITTLE";
    (*c)["num_shards"] = 1;
    (*c)["index_snappy"] = options.index_compression == table::CompressionType::kSnappy;
    (*c)["options"] = {{"data_alignment", options.data_alignment},
                       {"index_compression", options.index_compression ==
                                                     table::CompressionType::kSnappy
                                                 ? "snappy"
                                                 : "none"},
                       {"big_endian", options.big_endian}};
  }

  void Add(const std::string& key, const Tensor& t) {
    CHECK_OK(writer_.Add(key, t));
    (*case_)["tensors"].push_back(tensor::TensorRecord(key, t));
  }

  // Saves `full` as the given slices (which must cover it), recording the
  // full tensor.
  void AddPartitioned(const std::string& key, const Tensor& full,
                      const std::vector<std::string>& slice_specs) {
    for (const std::string& spec : slice_specs) {
      const TensorSlice slice = Unwrap(TensorSlice::Parse(spec), spec.c_str());
      const Tensor part = Unwrap(ExtractRegion(full, slice), "ExtractRegion");
      CHECK_OK(writer_.AddSlice(key, full.shape(), slice, part));
    }
    (*case_)["tensors"].push_back(tensor::TensorRecord(key, full));
  }

  void Finish() { CHECK_OK(writer_.Finish()); }

 private:
  Corpus* corpus_;
  json* case_;
  bundle::BundleWriter writer_;
};

// A RestoreV2 check of `full` (stored under `key`) with `spec` "d0 d1 .. SLICE".
void AddRestore(json* c, const std::string& key, const Tensor& full, const std::string& spec) {
  const auto ss = Unwrap(tensor::ParseShapeAndSlice(spec), spec.c_str());
  const Tensor region =
      ss.whole ? full : Unwrap(ExtractRegion(full, ss.slice), "ExtractRegion");
  (*c)["restores"].push_back(
      {{"key", key}, {"shape_and_slice", spec}, {"expected", tensor::TensorRecord(key, region)}});
}

Tensor FloatSpecials() {
  const uint32_t bits[] = {
      0x00000000u, 0x80000000u,  // +0, -0
      0x7f800000u, 0xff800000u,  // +inf, -inf
      0x7fc00000u, 0xffc00001u,  // quiet NaNs (second with payload, negative)
      0x7f800001u,               // signalling NaN
      0x00000001u, 0x807fffffu,  // denormals
      0x7f7fffffu, 0x00800000u,  // max, min normal
      0x3f800000u,               // 1
  };
  Tensor t = Unwrap(Tensor::Allocate(tensorflow::DT_FLOAT, TensorShape{12}), "alloc");
  std::memcpy(t.mutable_raw_data(), bits, sizeof(bits));
  return t;
}

Tensor SpecialStrings() {
  std::string big(300, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7);
  return Tensor::FromStrings(TensorShape{2, 4},
                             {"", std::string("\0", 1), std::string("a\0b", 3),
                              "\xff\xfe\x80\xc3\x28", "plain ascii", "\xe2\x82\xac utf-8 \xf0\x9f\x98\x80",
                              big, std::string(129, 'x')});
}

void WriteDtypes(Corpus* corpus) {
  json& c = corpus->NewCase(
      "dtypes", "v2",
      "BundleWriter (defaults) of every core dtype (float..uint64 but resource/variant, incl. "
      "half, bfloat16, complex, quantized) as [2,3], scalar and [0,5] with every byte pattern "
      "(NaN payloads); float specials; strings with NUL, non-UTF-8 and long elements; rank 4; "
      "[3,0]; a 64K-element float tensor");
  V2Case w(corpus, &c, "dtypes/ckpt");
  uint64_t seed = 100;
  for (DataType d : CoreDtypes()) {
    const std::string n = DtypeKey(d);
    w.Add(n + "_2x3", MakeTensor(d, TensorShape{2, 3}, seed++));
    w.Add(n + "_scalar", MakeTensor(d, TensorShape{}, seed++));
    w.Add(n + "_0x5", MakeTensor(d, TensorShape{0, 5}, seed++));
  }
  w.Add("float_specials", FloatSpecials());
  w.Add("string_special", SpecialStrings());
  w.Add("string_scalar_nul", Tensor::FromStrings(TensorShape{}, {std::string("\0\xff", 2)}));
  w.Add("double_rank4", MakeTensor(tensorflow::DT_DOUBLE, TensorShape{2, 1, 3, 2}, 7));
  w.Add("int32_3x0", MakeTensor(tensorflow::DT_INT32, TensorShape{3, 0}, 8));
  w.Add("float_256x256", MakeTensor(tensorflow::DT_FLOAT, TensorShape{256, 256}, 9));
  w.Finish();
  // RestoreV2 of a region of an ordinary (unpartitioned) tensor.
  AddRestore(&c, "double_rank4", MakeTensor(tensorflow::DT_DOUBLE, TensorShape{2, 1, 3, 2}, 7),
             "2 1 3 2 1,1:-:0,2:1,1");
  AddRestore(&c, "string_special", SpecialStrings(), "2 4 0,2:1,2");
}

void WriteExtendedDtypes(Corpus* corpus) {
  json& c = corpus->NewCase(
      "dtypes_extended", "v2",
      "float8 (e5m2, e4m3fn, e4m3fnuz, e4m3b11fnuz, e5m2fnuz), int4, uint4, int2, uint2, "
      "float4_e2m1fn: one byte per element, values in range");
  V2Case w(corpus, &c, "dtypes_extended/ckpt");
  uint64_t seed = 500;
  for (DataType d : ExtendedDtypes()) {
    const std::string n = DtypeKey(d);
    w.Add(n + "_2x3", MakeValid(d, TensorShape{2, 3}, seed++));
    w.Add(n + "_scalar", MakeValid(d, TensorShape{}, seed++));
  }
  w.Finish();
}

void WritePartitioned(Corpus* corpus, const std::string& name, bool big_endian) {
  json& c = corpus->NewCase(
      name, "v2",
      std::string("AddSlice: float [10,4] in 3 row partitions, int64 [6,6] in a 2x2 grid, string "
                  "[5] in 2 partitions, bfloat16 [4,3] in column partitions") +
          (big_endian ? " (big-endian bundle)" : ""));
  bundle::BundleWriterOptions opts;
  opts.big_endian = big_endian;
  V2Case w(corpus, &c, name + "/ckpt", opts);
  const Tensor pw = MakeTensor(tensorflow::DT_FLOAT, TensorShape{10, 4}, 21);
  const Tensor pe = MakeTensor(tensorflow::DT_INT64, TensorShape{6, 6}, 22);
  const Tensor ps = MakeTensor(tensorflow::DT_STRING, TensorShape{5}, 23);
  const Tensor pb = MakeTensor(tensorflow::DT_BFLOAT16, TensorShape{4, 3}, 24);
  w.AddPartitioned("part/w", pw, {"0,4:-", "4,3:-", "7,3:-"});
  w.AddPartitioned("part/e", pe, {"0,3:0,3", "0,3:3,3", "3,3:0,3", "3,3:3,3"});
  w.AddPartitioned("part/s", ps, {"0,2", "2,3"});
  w.AddPartitioned("part/b", pb, {"-:0,1", "-:1,2"});
  w.Add("plain", MakeTensor(tensorflow::DT_INT32, TensorShape{3}, 25));
  w.Finish();
  AddRestore(&c, "part/w", pw, "10 4 2,5:-");     // spans partitions 0 and 1
  AddRestore(&c, "part/w", pw, "10 4 -:1,2");     // every partition, some columns
  AddRestore(&c, "part/w", pw, "10 4 7,3:-");     // exactly one stored slice
  AddRestore(&c, "part/e", pe, "6 6 1,4:2,3");    // all four partitions
  AddRestore(&c, "part/s", ps, "5 1,3");
  AddRestore(&c, "part/b", pb, "4 3 1,2:-");
  AddRestore(&c, "part/w", pw, "");               // whole, assembled
}

void WriteSharded(Corpus* corpus) {
  json& c = corpus->NewCase(
      "sharded", "v2",
      "three bundles (as the per-device shards of a sharded save) merged with MergeBundles: "
      "data-0000{0,1,2}-of-00003; a partitioned int32 [9,2] with one slice in each shard");
  const std::string parts = corpus->Path("sharded/parts");
  CHECK_OK(corpus->env()->CreateDirRecursively(parts));
  const Tensor p = MakeTensor(tensorflow::DT_INT32, TensorShape{9, 2}, 31);
  std::vector<std::string> prefixes;
  const DataType kinds[] = {tensorflow::DT_FLOAT, tensorflow::DT_STRING, tensorflow::DT_INT64};
  for (int i = 0; i < 3; ++i) {
    const std::string prefix = io::JoinPath(parts, StrCat("part-", i));
    prefixes.push_back(prefix);
    bundle::BundleWriter w(corpus->env(), prefix);
    const std::string key = StrCat("shard", i, "/v");
    const Tensor t = MakeTensor(kinds[i], TensorShape{3, i + 1}, 32 + i);
    CHECK_OK(w.Add(key, t));
    c["tensors"].push_back(tensor::TensorRecord(key, t));
    const TensorSlice slice = Unwrap(TensorSlice::Parse(StrCat(3 * i, ",3:-")), "slice");
    CHECK_OK(w.AddSlice("sharded/p", p.shape(), slice, Unwrap(ExtractRegion(p, slice), "region")));
    CHECK_OK(w.Finish());
  }
  CHECK_OK(bundle::MergeBundles(corpus->env(), prefixes, corpus->Path("sharded/model.ckpt")));
  const std::vector<std::string> children = Unwrap(corpus->env()->GetChildren(parts), "list parts");
  for (const auto& child : children) {
    CHECK_OK(corpus->env()->DeleteFile(io::JoinPath(parts, child)));
  }
  CHECK_OK(corpus->env()->DeleteDir(parts));
  c["tensors"].push_back(tensor::TensorRecord("sharded/p", p));
  c["prefix"] = "sharded/model.ckpt";
  c["endianness"] = "LITTLE";
  c["num_shards"] = 3;
  c["index_snappy"] = false;
  c["options"] = {{"merge", "MergeBundles of 3 BundleWriter outputs"}};
  AddRestore(&c, "sharded/p", p, "9 2 2,5:1,1");
}

void WriteAligned(Corpus* corpus) {
  json& c = corpus->NewCase("aligned", "v2",
                            "BundleWriter data_alignment=64: odd-sized tensors of several dtypes");
  bundle::BundleWriterOptions opts;
  opts.data_alignment = 64;
  V2Case w(corpus, &c, "aligned/ckpt", opts);
  w.Add("a_int8_3", MakeTensor(tensorflow::DT_INT8, TensorShape{3}, 41));
  w.Add("b_float_5", MakeTensor(tensorflow::DT_FLOAT, TensorShape{5}, 42));
  w.Add("c_string_3", MakeTensor(tensorflow::DT_STRING, TensorShape{3}, 43));
  w.Add("d_double_7", MakeTensor(tensorflow::DT_DOUBLE, TensorShape{7}, 44));
  w.Add("e_complex128", MakeTensor(tensorflow::DT_COMPLEX128, TensorShape{}, 45));
  w.Add("f_bool_9", MakeTensor(tensorflow::DT_BOOL, TensorShape{9}, 46));
  w.Add("g_half_0", MakeTensor(tensorflow::DT_HALF, TensorShape{0}, 47));
  w.Add("h_uint16_65", MakeTensor(tensorflow::DT_UINT16, TensorShape{65}, 48));
  w.Finish();
}

void WriteSnappy(Corpus* corpus) {
  json& c = corpus->NewCase(
      "snappy_index", "v2",
      "BundleWriter index_compression=snappy: 300 keys with long similar names so the index "
      "blocks compress (TF itself always writes uncompressed indexes)");
  bundle::BundleWriterOptions opts;
  opts.index_compression = table::CompressionType::kSnappy;
  V2Case w(corpus, &c, "snappy_index/ckpt", opts);
  for (int i = 0; i < 300; ++i) {
    char key[96];
    std::snprintf(key, sizeof(key), "model/encoder/layer_%03d/attention/self/kernel/Adam_1", i);
    const DataType d = i % 3 == 0 ? tensorflow::DT_FLOAT
                                  : (i % 3 == 1 ? tensorflow::DT_INT32 : tensorflow::DT_STRING);
    w.Add(key, MakeTensor(d, TensorShape{i % 4}, 1000 + i));
  }
  w.Finish();
}

void WriteBigEndian(Corpus* corpus) {
  json& c = corpus->NewCase(
      "big_endian", "v2",
      "BundleWriter big_endian=true (header endianness BIG, values byte-swapped, string length "
      "checksum in big-endian) of every core dtype; a reader on a little-endian host must swap");
  bundle::BundleWriterOptions opts;
  opts.big_endian = true;
  V2Case w(corpus, &c, "big_endian/ckpt", opts);
  uint64_t seed = 300;
  std::map<std::string, Tensor> added;
  for (DataType d : CoreDtypes()) {
    const std::string n = DtypeKey(d);
    added[n + "_2x3"] = MakeTensor(d, TensorShape{2, 3}, seed++);
    added[n + "_scalar"] = MakeTensor(d, TensorShape{}, seed++);
  }
  added["float_specials"] = FloatSpecials();
  added["string_special"] = SpecialStrings();
  for (const auto& [key, t] : added) w.Add(key, t);
  w.Finish();
  AddRestore(&c, "double_2x3", added["double_2x3"], "2 3 -:1,2");
  AddRestore(&c, "string_special", added["string_special"], "2 4 1,1:-");
}

void WriteBigEndianExtended(Corpus* corpus) {
  json& c = corpus->NewCase(
      "big_endian_extended", "v2",
      "big-endian bundle of the one-byte float8/int4/int2/float4 types (nothing to swap)");
  bundle::BundleWriterOptions opts;
  opts.big_endian = true;
  V2Case w(corpus, &c, "big_endian_extended/ckpt", opts);
  uint64_t seed = 700;
  for (DataType d : ExtendedDtypes()) {
    w.Add(DtypeKey(d) + "_2x3", MakeValid(d, TensorShape{2, 3}, seed++));
  }
  w.Finish();
}

void WriteState(Corpus* corpus, const std::string& name, bool relative) {
  json& c = corpus->NewCase(
      name, "state",
      relative ? "three checkpoints model.ckpt-{1,2,3} + `checkpoint` written by "
                 "UpdateCheckpointState with save_relative_paths=true (absolute inputs)"
               : "three checkpoints model.ckpt-{1,2,3} + `checkpoint` written by "
                 "UpdateCheckpointState with absolute paths, timestamps and "
                 "last_preserved_timestamp");
  const std::string dir = corpus->Path(name);
  std::vector<std::string> paths;
  for (int step = 1; step <= 3; ++step) {
    const std::string prefix = io::JoinPath(dir, StrCat("model.ckpt-", step));
    bundle::BundleWriter w(corpus->env(), prefix);
    CHECK_OK(w.Add("global_step", Tensor::FromVector<int64_t>(tensorflow::DT_INT64, TensorShape{},
                                                             {int64_t{step}})));
    CHECK_OK(w.Add("w", MakeTensor(tensorflow::DT_FLOAT, TensorShape{2, 2}, 60 + step)));
    CHECK_OK(w.Finish());
    paths.push_back(prefix);
  }
  const std::vector<double> timestamps = {1.5, 1700000000.125, 1700000123.0625};
  const double last_preserved = 0.25;
  CHECK_OK(state::UpdateCheckpointState(corpus->env(), dir, paths.back(), paths, timestamps,
                                        last_preserved, relative));
  c["dir"] = name;
  c["prefix"] = name + "/model.ckpt-3";
  c["save_relative_paths"] = relative;
  c["update"] = {{"save_dir", dir},
                 {"model_checkpoint_path", paths.back()},
                 {"all_model_checkpoint_paths", paths},
                 {"all_model_checkpoint_timestamps", timestamps},
                 {"last_preserved_timestamp", last_preserved}};
  // What get_checkpoint_state returns (relative stored paths are joined
  // onto the directory, giving the same absolute strings).
  c["expect"] = {{"model_checkpoint_path", paths.back()},
                 {"all_model_checkpoint_paths", paths},
                 {"all_model_checkpoint_timestamps", timestamps},
                 {"last_preserved_timestamp", last_preserved},
                 {"latest_checkpoint", paths.back()}};
  c["tensors"].push_back(tensor::TensorRecord(
      "global_step", Tensor::FromVector<int64_t>(tensorflow::DT_INT64, TensorShape{}, {3})));
  c["tensors"].push_back(tensor::TensorRecord("w", MakeTensor(tensorflow::DT_FLOAT, TensorShape{2, 2}, 63)));
}

void WriteV1(Corpus* corpus) {
  json& c = corpus->NewCase(
      "v1", "v1",
      "TensorSliceWriter (checkpoint V1): every dtype V1 can store as [2,3] and scalar, strings "
      "with NUL / non-UTF-8, a partitioned float [6,4] in 3 column slices");
  const std::string file_rel = "v1/model.ckpt";
  checkpoint_v1::TensorSliceWriter w(corpus->env(), corpus->Path(file_rel));
  c["prefix"] = file_rel;
  c["v1_refused"] = json::array();
  uint64_t seed = 800;
  for (DataType d : CoreDtypes()) {
    const std::string n = DtypeKey(d);
    const Tensor a = MakeTensor(d, TensorShape{2, 3}, seed++);
    const Tensor s = MakeTensor(d, TensorShape{}, seed++);
    Status st = w.Add(n + "_2x3", a);
    if (!st.ok()) {
      c["v1_refused"].push_back({{"dtype", tensorflow::DataType_Name(d)}, {"error", st.ToString()}});
      continue;
    }
    c["tensors"].push_back(tensor::TensorRecord(n + "_2x3", a));
    CHECK_OK(w.Add(n + "_scalar", s));
    c["tensors"].push_back(tensor::TensorRecord(n + "_scalar", s));
  }
  const Tensor specials = SpecialStrings();
  CHECK_OK(w.Add("string_special", specials));
  c["tensors"].push_back(tensor::TensorRecord("string_special", specials));
  const Tensor p = MakeTensor(tensorflow::DT_FLOAT, TensorShape{6, 4}, 899);
  for (const char* spec : {"-:0,1", "-:1,2", "-:3,1"}) {
    const TensorSlice slice = Unwrap(TensorSlice::Parse(spec), spec);
    CHECK_OK(w.AddSlice("part/p", p.shape(), slice, Unwrap(ExtractRegion(p, slice), "region")));
  }
  c["tensors"].push_back(tensor::TensorRecord("part/p", p));
  CHECK_OK(w.Finish());
  AddRestore(&c, "part/p", p, "6 4 1,3:0,2");
  AddRestore(&c, "part/p", p, "");
}

}  // namespace

StatusOr<size_t> WriteCorpus(const std::string& out_dir) {
  TFCKPT_RETURN_IF_ERROR(io::Env::Default()->CreateDirRecursively(out_dir));
  char real[PATH_MAX];
  if (realpath(out_dir.c_str(), real) == nullptr) {
    return InternalError("cannot resolve " + out_dir);
  }
  try {
    Corpus corpus(real);
    WriteDtypes(&corpus);
    WriteExtendedDtypes(&corpus);
    WritePartitioned(&corpus, "partitioned", false);
    WriteSharded(&corpus);
    WriteAligned(&corpus);
    WriteSnappy(&corpus);
    WriteBigEndian(&corpus);
    WritePartitioned(&corpus, "big_endian_partitioned", true);
    WriteBigEndianExtended(&corpus);
    WriteState(&corpus, "state_absolute", false);
    WriteState(&corpus, "state_relative", true);
    WriteV1(&corpus);
    for (json& c : Unwrap(WriteRandomCases(corpus.env(), corpus.root()), "random cases")) {
      corpus.AddCase(std::move(c));
    }
    corpus.Write();
    return corpus.num_cases();
  } catch (const CorpusError& e) {
    return e.status;
  }
}

}  // namespace tfckpt::conformance
