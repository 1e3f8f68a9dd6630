#include "conformance/oracle/corpus_random.h"

#include <algorithm>
#include <map>

#include "src/bundle/bundle_writer.h"
#include "src/bundle/merge.h"
#include "src/bundle/naming.h"
#include "src/table/table.h"
#include "src/tensor/tensor_record.h"
#include "src/testing/generators.h"

namespace tfckpt::conformance {
namespace {

using nlohmann::json;
using tensor::DataType;
using tensor::Tensor;
using tensor::TensorSlice;
using testing::TensorSpec;

bool IsOneByteExtended(DataType d) {
  return d >= tensorflow::DT_FLOAT8_E5M2 && d <= tensorflow::DT_FLOAT4_E2M1FN;
}

// Sub-byte dtypes hold one value per byte: keep it in range (sign-extended
// for the signed ones), so no reader has to decide about the spare bits.
void KeepInRange(Tensor* t) {
  int bits = 0;
  bool is_signed = false;
  switch (t->dtype()) {
    case tensorflow::DT_INT4: bits = 4; is_signed = true; break;
    case tensorflow::DT_UINT4: bits = 4; break;
    case tensorflow::DT_INT2: bits = 2; is_signed = true; break;
    case tensorflow::DT_UINT2: bits = 2; break;
    case tensorflow::DT_FLOAT4_E2M1FN: bits = 4; break;
    default: return;
  }
  auto* p = reinterpret_cast<uint8_t*>(t->mutable_raw_data());
  for (uint64_t i = 0; i < t->TotalBytes(); ++i) {
    uint8_t v = p[i] & ((1u << bits) - 1);
    if (is_signed && (v & (1u << (bits - 1)))) v |= static_cast<uint8_t>(0xff << bits);
    p[i] = v;
  }
}

// Everything one case draws.
struct Draw {
  std::vector<TensorSpec> tensors;
  bundle::BundleWriterOptions options;
  int writers = 1;                  // > 1: sharded (MergeBundles)
  std::vector<uint32_t> placement;  // writer choices, consumed in order
  std::vector<std::pair<size_t, TensorSlice>> regions;
};

template <typename T>
T Sample(const rc::Gen<T>& gen, uint64_t seed) {
  return gen(rc::Random(seed), rc::kNominalSize).value();
}

Draw DrawCase(uint64_t seed) {
  Draw d;
  d.options.big_endian = Sample(rc::gen::inRange(0, 4), seed * 8 + 1) == 0;
  d.options.data_alignment =
      Sample(rc::gen::element(1, 1, 4, 8, 64, 4096, 7), seed * 8 + 2);
  d.options.index_compression = Sample(rc::gen::inRange(0, 4), seed * 8 + 3) == 0
                                    ? table::CompressionType::kSnappy
                                    : table::CompressionType::kNone;
  d.writers = Sample(rc::gen::element(1, 1, 2, 3, 4), seed * 8 + 4);

  testing::CheckpointLimits limits;
  limits.binary_names = false;
  limits.max_tensors = 8;
  limits.max_tensor_bytes = 64 << 10;
  limits.values.huge_string_percent = 0;
  if (d.options.big_endian) {
    limits.dtypes.erase(std::remove_if(limits.dtypes.begin(), limits.dtypes.end(),
                                       IsOneByteExtended),
                        limits.dtypes.end());
  }
  d.tensors = Sample(testing::GenCheckpoint(limits), seed * 8 + 5);
  for (TensorSpec& t : d.tensors) {
    if (t.value.is_string()) t.parts.clear();
    KeepInRange(&t.value);
  }
  size_t items = 0;
  for (const TensorSpec& t : d.tensors) items += std::max<size_t>(1, t.parts.size());
  d.writers = static_cast<int>(std::min<size_t>(static_cast<size_t>(d.writers), items));
  d.placement = Sample(rc::gen::container<std::vector<uint32_t>>(
                           64, rc::gen::arbitrary<uint32_t>()),
                       seed * 8 + 6);
  // Up to 3 regions of non-string tensors of rank >= 1.
  std::vector<size_t> candidates;
  for (size_t i = 0; i < d.tensors.size(); ++i) {
    const Tensor& v = d.tensors[i].value;
    if (!v.is_string() && v.shape().rank() >= 1) candidates.push_back(i);
  }
  for (size_t r = 0; r < 3 && !candidates.empty(); ++r) {
    const size_t i = candidates[Sample(rc::gen::inRange<size_t>(0, candidates.size()),
                                       seed * 8 + 7 + 1000 * r)];
    d.regions.emplace_back(
        i, Sample(testing::GenSubSlice(d.tensors[i].value.shape()), seed * 8 + 8 + 1000 * r));
  }
  return d;
}

// The dtypes TF 2.21's BundleReader::GetSliceValue copies (its HANDLE_COPY
// list, tensorflow/core/util/tensor_bundle/tensor_bundle.cc): a partitioned
// tensor or a region of anything else is "Dtype <t> not supported." unless
// GetSliceValue can read a stored slice directly (TfReadsDirectly); TF
// refuses its own files the same way. Strings are not listed either: they
// are never partitioned or region-restored here (the fixed cases pin that).
bool TfCopiesSlicesOf(DataType d) {
  switch (d) {
    case tensorflow::DT_FLOAT: case tensorflow::DT_DOUBLE: case tensorflow::DT_INT32:
    case tensorflow::DT_UINT8: case tensorflow::DT_INT16: case tensorflow::DT_INT8:
    case tensorflow::DT_COMPLEX64: case tensorflow::DT_COMPLEX128: case tensorflow::DT_INT64:
    case tensorflow::DT_BOOL: case tensorflow::DT_QINT32: case tensorflow::DT_QUINT8:
    case tensorflow::DT_QINT8: case tensorflow::DT_BFLOAT16: case tensorflow::DT_INT4:
    case tensorflow::DT_UINT4:
      return true;
    default:
      return false;
  }
}

// TF's IsFullSlice(slice, dims): every extent full or [0, dim).
bool TfIsFullSlice(const TensorSlice& s, const std::vector<int64_t>& dims) {
  for (int d = 0; d < s.rank(); ++d) {
    const TensorSlice::Extent& e = s.extent(d);
    if (!e.full() && !(e.start == 0 && e.length == dims[d])) return false;
  }
  return true;
}

// Whether TF's GetSliceValue reads `request` of `t` without its per-dtype
// copy: a stored slice (the whole tensor when unpartitioned) equal to the
// request, or of the request's shape with both "full" for that shape.
bool TfReadsDirectly(const TensorSpec& t, const TensorSlice& request) {
  const tensor::TensorShape& shape = t.value.shape();
  const std::vector<TensorSlice> stored =
      t.parts.empty() ? std::vector<TensorSlice>{TensorSlice(shape.rank())} : t.parts;
  const std::vector<int64_t> want = request.SliceShape(shape)->dims();
  for (const TensorSlice& s : stored) {
    const std::vector<int64_t> have = s.SliceShape(shape)->dims();
    if (s == request || (have == want && TfIsFullSlice(s, have) && TfIsFullSlice(request, have))) {
      return true;
    }
  }
  return false;
}

bool TfRefuses(const TensorSpec& t, const TensorSlice& request) {
  return !TfCopiesSlicesOf(t.value.dtype()) && !TfReadsDirectly(t, request);
}

json Refusal(const std::string& label, DataType d) {
  return {{"label", label},
          {"error", StrCat("Dtype ", tensor::DataTypeName(d), " not supported")},
          {"why", "TF's BundleReader::GetSliceValue does not copy this dtype"}};
}

// Whether the index holds a snappy block (a small index is stored
// uncompressed even when snappy is asked for: a block is compressed only
// when that saves space).
StatusOr<bool> IndexHasSnappyBlock(io::Env* env, const std::string& prefix) {
  TFCKPT_ASSIGN_OR_RETURN(auto file, env->NewRandomAccessFile(bundle::MetaFilename(prefix)));
  std::shared_ptr<const io::RandomAccessFile> shared(std::move(file));
  TFCKPT_ASSIGN_OR_RETURN(auto t, table::Table::Open(shared));
  std::vector<table::BlockHandle> blocks = {t->footer().index_handle};
  table::Table::Iterator it = t->NewIterator();
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    if (blocks.back().offset != it.block_handle().offset) blocks.push_back(it.block_handle());
  }
  TFCKPT_RETURN_IF_ERROR(it.status());
  for (const table::BlockHandle& h : blocks) {
    std::string_view type;
    char scratch[1];
    TFCKPT_RETURN_IF_ERROR(shared->ReadExact(h.offset + h.size, 1, &type, scratch));
    if (type[0] == static_cast<char>(table::CompressionType::kSnappy)) return true;
  }
  return false;
}

std::string ShapeAndSlice(const tensor::TensorShape& shape, const TensorSlice& slice) {
  std::string s;
  for (int64_t dim : shape.dims()) s += StrCat(dim, " ");
  return s + slice.DebugString();
}

std::string Describe(const Draw& d) {
  int parts = 0;
  std::map<std::string, int> dtypes;
  for (const TensorSpec& t : d.tensors) {
    parts += t.parts.empty() ? 0 : 1;
    dtypes[tensor::DataTypeName(t.value.dtype())]++;
  }
  std::string ds;
  for (const auto& [name, n] : dtypes) ds += StrCat(ds.empty() ? "" : ",", name, n > 1 ? StrCat("x", n) : "");
  return StrCat("GenCheckpoint: ", d.tensors.size(), " tensors (", ds, "), ", parts,
                " partitioned; ", d.writers > 1 ? StrCat(d.writers, " writers + MergeBundles; ") : "",
                d.options.big_endian ? "big-endian; " : "", "alignment ",
                d.options.data_alignment,
                d.options.index_compression == table::CompressionType::kSnappy ? "; snappy index"
                                                                               : "");
}

Status WriteCase(io::Env* env, const std::string& root, const std::string& name, const Draw& d,
                 json* c) {
  const std::string dir = io::JoinPath(root, name);
  TFCKPT_RETURN_IF_ERROR(env->CreateDirRecursively(dir));
  const std::string prefix = io::JoinPath(dir, "model.ckpt");
  std::vector<std::string> prefixes;
  for (int w = 0; w < d.writers; ++w) {
    prefixes.push_back(d.writers == 1 ? prefix : io::JoinPath(dir, StrCat("part-", w)));
  }
  std::vector<std::unique_ptr<bundle::BundleWriter>> writers;
  for (const std::string& p : prefixes) {
    writers.push_back(std::make_unique<bundle::BundleWriter>(env, p, d.options));
  }
  // Every writer gets an item first (so each shard holds something), then
  // items go to random writers; slices of one tensor may land in several.
  size_t item = 0;
  auto writer_for = [&]() -> bundle::BundleWriter* {
    const size_t k = item++;
    const uint32_t r = d.placement[k % d.placement.size()];
    return writers[k < writers.size() ? k : r % writers.size()].get();
  };
  for (const TensorSpec& t : d.tensors) {
    if (t.parts.empty()) {
      TFCKPT_RETURN_IF_ERROR(writer_for()->Add(t.name, t.value));
    } else {
      for (const TensorSlice& s : t.parts) {
        TFCKPT_RETURN_IF_ERROR(writer_for()->AddSlice(t.name, t.value.shape(), s,
                                                      testing::ReferenceRegion(t.value, s)));
      }
    }
  }
  for (auto& w : writers) TFCKPT_RETURN_IF_ERROR(w->Finish());
  if (d.writers > 1) {
    bundle::MergeOptions mo;
    mo.index_compression = d.options.index_compression;
    TFCKPT_RETURN_IF_ERROR(bundle::MergeBundles(env, prefixes, prefix, mo));
    // Whatever the merge left of its inputs (it deletes their indexes).
    TFCKPT_ASSIGN_OR_RETURN(std::vector<std::string> children, env->GetChildren(dir));
    for (const std::string& f : children) {
      if (f.rfind("part-", 0) == 0) TFCKPT_RETURN_IF_ERROR(env->DeleteFile(io::JoinPath(dir, f)));
    }
  }
  (*c)["name"] = name;
  (*c)["kind"] = "v2";
  (*c)["description"] = Describe(d);
  (*c)["prefix"] = name + "/model.ckpt";
  (*c)["endianness"] = d.options.big_endian ? "BIG" : "LITTLE";
  (*c)["num_shards"] = d.writers;
  TFCKPT_ASSIGN_OR_RETURN((*c)["index_snappy"], IndexHasSnappyBlock(env, prefix));
  const bool snappy = d.options.index_compression == table::CompressionType::kSnappy;
  (*c)["options"] = {{"data_alignment", d.options.data_alignment},
                     {"index_compression", snappy ? "snappy" : "none"},
                     {"big_endian", d.options.big_endian},
                     {"writers", d.writers}};
  (*c)["tensors"] = json::array();
  (*c)["tf_refuses"] = json::array();
  for (const TensorSpec& t : d.tensors) {
    (*c)["tensors"].push_back(tensor::TensorRecord(t.name, t.value));
    // Lookup of a partitioned tensor goes through GetSliceValue.
    if (!t.parts.empty() && TfRefuses(t, TensorSlice(t.value.shape().rank()))) {
      (*c)["tf_refuses"].push_back(Refusal("get_tensor " + t.name, t.value.dtype()));
      (*c)["tf_refuses"].push_back(Refusal("RestoreV2 " + t.name, t.value.dtype()));
    }
  }
  (*c)["restores"] = json::array();
  for (const auto& [i, slice] : d.regions) {
    const TensorSpec& t = d.tensors[i];
    const std::string spec = ShapeAndSlice(t.value.shape(), slice);
    (*c)["restores"].push_back(
        {{"key", t.name},
         {"shape_and_slice", spec},
         {"expected", tensor::TensorRecord(t.name, testing::ReferenceRegion(t.value, slice))}});
    if (TfRefuses(t, slice)) {
      (*c)["tf_refuses"].push_back(
          Refusal(StrCat("RestoreV2 ", t.name, "[", spec, "]"), t.value.dtype()));
    }
  }
  return OkStatus();
}

}  // namespace

StatusOr<std::vector<json>> WriteRandomCases(io::Env* env, const std::string& root,
                                             const RandomCorpusOptions& options) {
  std::vector<json> out;
  for (int i = 0; i < options.cases; ++i) {
    const Draw d = DrawCase(options.seed + static_cast<uint64_t>(i));
    const std::string name = StrCat("random_", i < 10 ? "0" : "", i);
    json c;
    Status s = WriteCase(env, root, name, d, &c);
    if (!s.ok()) return s.WithContext(name);
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace tfckpt::conformance
