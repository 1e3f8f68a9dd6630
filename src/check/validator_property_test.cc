// RapidCheck properties of the validator (docs/TESTING.md lists them with
// their case counts). For random checkpoints (every dtype, partitioned
// tensors, merged multi-shard bundles, alignment, big-endian, snappy index):
//  - what the writers write is valid, with no defect at all;
//  - any single-byte change inside some tensor's [offset, offset+size) is
//    reported as TENSOR_CRC, STRING_LENGTH_CRC or BAD_STRING_LENGTHS for
//    that tensor's key;
//  - any single-byte change anywhere in the index is reported (invalid);
//  - any truncation of the index, or of a data file below the end of its
//    last tensor, is reported (TRUNCATED or a more specific code);
//  - the same for V1 files: any byte change, any truncation;
//  - a failed read anywhere in a validation (V2, V1, state directory) is
//    never an OK verdict;
// and never a crash.
#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "src/bundle/bundle_reader.h"
#include "src/bundle/bundle_writer.h"
#include "src/bundle/entry.h"
#include "src/bundle/merge.h"
#include "src/bundle/naming.h"
#include "src/check/report_test_util.h"
#include "src/check/validator.h"
#include "src/io/mem_env.h"
#include "src/io/read_fault_env.h"
#include "src/checkpoint_v1/tensor_slice_writer.h"
#include "src/state/checkpoint_state.h"
#include "src/testing/generators.h"

namespace tfckpt::check {
namespace {

using tensor::TensorSlice;
using tfckpt::testing::CheckpointLimits;
using tfckpt::testing::ReferenceRegion;
using tfckpt::testing::TensorSpec;

constexpr char kPrefix[] = "/ck/model.ckpt";

CheckpointLimits SmallLimits() {
  CheckpointLimits l;
  l.max_tensors = 6;
  l.max_tensor_bytes = 64 << 10;
  l.values.huge_string_percent = 1;
  return l;
}

rc::Gen<bundle::BundleWriterOptions> GenWriterOptions() {
  return rc::gen::apply(
      [](int alignment, bool big_endian, bool snappy) {
        bundle::BundleWriterOptions o;
        o.data_alignment = alignment;
        o.big_endian = big_endian;
        o.index_compression =
            snappy ? table::CompressionType::kSnappy : table::CompressionType::kNone;
        return o;
      },
      rc::gen::weightedOneOf<int>({{5, rc::gen::just(1)},
                                   {3, rc::gen::element(2, 4, 8, 64, 4096)},
                                   {2, rc::gen::inRange(1, 100)}}),
      rc::gen::arbitrary<bool>(), rc::gen::arbitrary<bool>());
}

template <typename Writer>
Status AddSpec(Writer* w, const TensorSpec& s, int part) {
  if (part < 0) return w->Add(s.name, s.value);
  return w->AddSlice(s.name, s.value.shape(), s.parts[part], ReferenceRegion(s.value, s.parts[part]));
}

// Writes `specs` under kPrefix: one BundleWriter, or `shards` writers
// merged with MergeBundles (each whole tensor / slice to a random shard).
void WriteBundle(io::Env* env, const std::vector<TensorSpec>& specs, int shards,
                 const std::vector<bundle::BundleWriterOptions>& options, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::unique_ptr<bundle::BundleWriter>> writers;
  std::vector<std::string> prefixes;
  for (int i = 0; i < std::max(1, shards); ++i) {
    prefixes.push_back(shards == 0 ? kPrefix : StrCat("/ck/tmp/part-", i));
    writers.push_back(std::make_unique<bundle::BundleWriter>(env, prefixes.back(), options[i]));
  }
  for (const TensorSpec& s : specs) {
    const int parts = s.parts.empty() ? 1 : static_cast<int>(s.parts.size());
    for (int p = 0; p < parts; ++p) {
      auto& w = writers[rng() % writers.size()];
      const Status st = AddSpec(w.get(), s, s.parts.empty() ? -1 : p);
      if (!st.ok()) RC_FAIL(StrCat("write: ", st.ToString()));
    }
  }
  for (auto& w : writers) {
    const Status st = w->Finish();
    if (!st.ok()) RC_FAIL(StrCat("Finish: ", st.ToString()));
  }
  if (shards > 0) {
    const Status st = bundle::MergeBundles(env, prefixes, kPrefix);
    if (!st.ok()) RC_FAIL(StrCat("MergeBundles: ", st.ToString()));
  }
}

// A random bundle in `env`: returns the number of data shards.
int GenBundle(io::Env* env, const CheckpointLimits& limits) {
  const auto specs = *tfckpt::testing::GenCheckpoint(limits);
  const int shards = *rc::gen::weightedElement<int>({{6, 0}, {2, 1}, {2, 2}, {1, 4}});
  const bool big_endian = *rc::gen::arbitrary<bool>();
  std::vector<bundle::BundleWriterOptions> options;
  for (int i = 0; i < std::max(1, shards); ++i) {
    options.push_back(*GenWriterOptions());
    options.back().big_endian = big_endian;
  }
  WriteBundle(env, specs, shards, options, *rc::gen::arbitrary<uint64_t>());
  return std::max(1, shards);
}

// One data entry (whole tensor or stored slice) of the bundle.
struct DataEntry {
  std::string key;
  int shard = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
};

std::vector<DataEntry> DataEntries(io::Env* env) {
  auto r = bundle::BundleReader::Open(env, kPrefix);
  RC_ASSERT(r.ok());
  std::vector<DataEntry> out;
  table::Table::Iterator it = (*r)->index().NewIterator();
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    if (it.key().empty()) continue;
    auto e = (*r)->GetEntry(it.key());
    RC_ASSERT(e.ok());
    if (e->partitioned()) continue;
    out.push_back(DataEntry{std::string(it.key()), static_cast<int>(e->proto.shard_id()),
                            static_cast<uint64_t>(e->proto.offset()),
                            static_cast<uint64_t>(e->proto.size())});
  }
  RC_ASSERT(it.status().ok());
  return out;
}

// Tags the case with the set of defect codes reported (for the
// distribution RapidCheck prints).
void TagCodes(const Report& r) {
  std::set<std::string> codes;
  for (const Defect& d : r.defects) codes.insert(std::string(DefectCodeName(d.code)));
  std::string tag;
  for (const std::string& c : codes) tag += (tag.empty() ? "" : "+") + c;
  RC_TAG(tag.empty() ? std::string("(none)") : tag);
}

bool HasError(const Report& r) {
  for (const Defect& d : r.defects) {
    if (!IsWarning(d.code)) return true;
  }
  return false;
}

// What the writers write is valid: no defect at all.
TFCKPT_PROPERTY(ValidatorProperty, WrittenCheckpointsAreValid, 300) {
  io::MemEnv env;
  const int shards = GenBundle(&env, SmallLimits());
  RC_TAG(StrCat(shards, " shard(s)"));
  const Report r = Validate(&env, kPrefix);
  if (!r.defects.empty()) RC_FAIL(Codes(r));
  RC_ASSERT(r.kind == "v2");
}

// Any single-byte change inside a tensor's bytes is a checksum defect of
// that tensor.
TFCKPT_PROPERTY(ValidatorProperty, DataByteChangeIsReported, 600) {
  io::MemEnv env;
  CheckpointLimits limits = SmallLimits();
  const int shards = GenBundle(&env, limits);
  std::vector<DataEntry> entries = DataEntries(&env);
  entries.erase(std::remove_if(entries.begin(), entries.end(),
                               [](const DataEntry& e) { return e.size == 0; }),
                entries.end());
  RC_PRE(!entries.empty());
  const DataEntry& target = *rc::gen::elementOf(entries);
  const uint64_t pos = target.offset + *rc::gen::inRange<uint64_t>(0, target.size);
  const int mask = *rc::gen::weightedOneOf<int>(
      {{1, rc::gen::element(0x01, 0x80, 0xff)}, {3, rc::gen::inRange(1, 256)}});
  const std::string file = bundle::DataFilename(kPrefix, target.shard, shards);
  std::string* bytes = env.MutableFile(file);
  RC_ASSERT(bytes != nullptr);
  RC_ASSERT(pos < bytes->size());
  (*bytes)[pos] = static_cast<char>((*bytes)[pos] ^ mask);

  const Report r = Validate(&env, kPrefix);
  bool found = false;
  for (const Defect& d : r.defects) {
    const bool checksum = d.code == DefectCode::kTensorCrc ||
                          d.code == DefectCode::kStringLengthCrc ||
                          d.code == DefectCode::kBadStringLengths;
    if (checksum && d.key == bundle::DisplayKey(target.key)) found = true;
  }
  TagCodes(r);
  if (!found || r.ok()) {
    RC_FAIL(StrCat("byte ", pos, " of ", file, " (tensor ", bundle::DisplayKey(target.key),
                   " at [", target.offset, ", ", target.offset + target.size, ")) ^= ", mask,
                   ": ", r.ok() ? "reported valid" : "not reported as a checksum defect", "\n",
                   Codes(r)));
  }
}

// Any single-byte change in the index is reported.
TFCKPT_PROPERTY(ValidatorProperty, IndexByteChangeIsReported, 600) {
  io::MemEnv env;
  GenBundle(&env, SmallLimits());
  const std::string file = bundle::MetaFilename(kPrefix);
  std::string* bytes = env.MutableFile(file);
  RC_ASSERT(bytes != nullptr && !bytes->empty());
  const size_t size = bytes->size();
  // Half the time in the last 64 bytes (index block, footer).
  const size_t pos = *rc::gen::weightedOneOf<size_t>(
      {{1, rc::gen::inRange<size_t>(0, size)},
       {1, rc::gen::inRange<size_t>(size > 64 ? size - 64 : 0, size)}});
  const int mask = *rc::gen::weightedOneOf<int>(
      {{1, rc::gen::element(0x01, 0x80, 0xff)}, {3, rc::gen::inRange(1, 256)}});
  (*bytes)[pos] = static_cast<char>((*bytes)[pos] ^ mask);
  RC_TAG(pos + 48 >= size ? "footer" : "blocks");

  const Report r = Validate(&env, kPrefix);
  TagCodes(r);
  if (!HasError(r)) {
    RC_FAIL(StrCat("byte ", pos, " of ", size, " in the index ^= ", mask, ": reported valid\n",
                   Codes(r)));
  }
}

// Any truncation of the index, or of a data file below the end of its last
// tensor, is reported. (A data file cut only inside the alignment padding
// after its last tensor is still a valid file: nothing records its size.)
TFCKPT_PROPERTY(ValidatorProperty, TruncationIsReported, 600) {
  io::MemEnv env;
  const int shards = GenBundle(&env, SmallLimits());
  std::map<int, uint64_t> shard_end;
  for (const DataEntry& e : DataEntries(&env)) {
    shard_end[e.shard] = std::max(shard_end[e.shard], e.offset + e.size);
  }
  std::vector<std::pair<std::string, uint64_t>> candidates;  // file, bytes that must stay
  candidates.emplace_back(bundle::MetaFilename(kPrefix), *env.GetFileSize(bundle::MetaFilename(kPrefix)));
  for (const auto& [shard, end] : shard_end) {
    if (end > 0) candidates.emplace_back(bundle::DataFilename(kPrefix, shard, shards), end);
  }
  const auto& [file, must_keep] = *rc::gen::elementOf(candidates);
  const uint64_t len = *rc::gen::weightedOneOf<uint64_t>(
      {{2, rc::gen::inRange<uint64_t>(0, must_keep)},
       {1, rc::gen::inRange<uint64_t>(must_keep > 64 ? must_keep - 64 : 0, must_keep)},
       {1, rc::gen::just<uint64_t>(0)}});
  env.MutableFile(file)->resize(len);
  const bool index = file == bundle::MetaFilename(kPrefix);
  RC_TAG(index ? "index" : "data");

  const Report r = Validate(&env, kPrefix);
  TagCodes(r);
  if (!HasError(r)) {
    RC_FAIL(StrCat(file, " cut to ", len, " bytes: reported valid\n", Codes(r)));
  }
  if (!index) {
    // The data file is there but short: TRUNCATED or OFFSET_OUT_OF_RANGE,
    // and every byte left still belongs to a tensor (no UNREFERENCED_DATA:
    // bug 4 of docs/TESTING.md, regression
    // ValidatorPropertyRegression.TruncatedTensorOwnsItsBytes).
    bool truncated = false;
    for (const Defect& d : r.defects) {
      truncated = truncated || d.code == DefectCode::kTruncated ||
                  d.code == DefectCode::kOffsetOutOfRange;
      if (d.code == DefectCode::kUnreferencedData) {
        RC_FAIL(StrCat(file, " cut to ", len, ": spurious UNREFERENCED_DATA\n", Codes(r)));
      }
    }
    if (!truncated) RC_FAIL(StrCat(file, " cut to ", len, ": ", Codes(r)));
  }
}

// V1 files: valid as written; any byte change and any truncation reported.
TFCKPT_PROPERTY(ValidatorProperty, V1ByteChangeAndTruncationAreReported, 600) {
  CheckpointLimits limits = SmallLimits();
  limits.dtypes = tfckpt::testing::V1Dtypes();
  limits.binary_names = false;
  const auto specs = *tfckpt::testing::GenCheckpoint(limits);
  io::MemEnv env;
  const std::string path = "/ck/v1.ckpt";
  {
    checkpoint_v1::TensorSliceWriter w(&env, path);
    for (const TensorSpec& s : specs) {
      const int parts = s.parts.empty() ? 1 : static_cast<int>(s.parts.size());
      for (int p = 0; p < parts; ++p) {
        const Status st = AddSpec(&w, s, s.parts.empty() ? -1 : p);
        if (!st.ok()) RC_FAIL(StrCat("write: ", st.ToString()));
      }
    }
    RC_ASSERT(w.Finish().ok());
  }
  {
    const Report clean = Validate(&env, path);
    if (!clean.defects.empty()) RC_FAIL(StrCat("as written: ", Codes(clean)));
    RC_ASSERT(clean.kind == "v1");
  }
  std::string* bytes = env.MutableFile(path);
  const size_t size = bytes->size();
  const bool truncate = *rc::gen::arbitrary<bool>();
  std::string what;
  if (truncate) {
    const size_t len = *rc::gen::inRange<size_t>(0, size);
    bytes->resize(len);
    what = StrCat("cut to ", len, " of ", size);
  } else {
    const size_t pos = *rc::gen::weightedOneOf<size_t>(
        {{1, rc::gen::inRange<size_t>(0, size)},
         {1, rc::gen::inRange<size_t>(size > 64 ? size - 64 : 0, size)}});
    const int mask = *rc::gen::inRange(1, 256);
    (*bytes)[pos] = static_cast<char>((*bytes)[pos] ^ mask);
    what = StrCat("byte ", pos, " of ", size, " ^= ", mask);
  }
  RC_TAG(truncate ? "truncated" : "byte changed");
  const Report r = Validate(&env, path);
  TagCodes(r);
  if (!HasError(r)) RC_FAIL(StrCat(what, ": reported valid\n", Codes(r)));
}

// Writes a random V1 file at `path`.
void GenV1(io::Env* env, const std::string& path) {
  CheckpointLimits limits = SmallLimits();
  limits.dtypes = tfckpt::testing::V1Dtypes();
  limits.binary_names = false;
  const auto specs = *tfckpt::testing::GenCheckpoint(limits);
  checkpoint_v1::TensorSliceWriter w(env, path);
  for (const TensorSpec& s : specs) {
    const int parts = s.parts.empty() ? 1 : static_cast<int>(s.parts.size());
    for (int p = 0; p < parts; ++p) {
      const Status st = AddSpec(&w, s, s.parts.empty() ? -1 : p);
      if (!st.ok()) RC_FAIL(StrCat("write: ", st.ToString()));
    }
  }
  RC_ASSERT(w.Finish().ok());
}

// Finding 1 of issue 16: a read that fails is never vouched for. The
// validation of a valid checkpoint (V2 prefix, V1 file, or a state
// directory listing both) is repeated with its i-th read failing, for every
// i; each verdict must be "not OK".
TFCKPT_PROPERTY(ValidatorProperty, FailedReadIsNeverOk, 60) {
  io::MemEnv mem;
  const int kind = *rc::gen::element(0, 1, 2);
  std::string path = kPrefix;
  if (kind == 0) {
    GenBundle(&mem, SmallLimits());
    RC_TAG("v2");
  } else if (kind == 1) {
    path = "/ck/v1.ckpt";
    GenV1(&mem, path);
    RC_TAG("v1");
  } else {
    GenBundle(&mem, SmallLimits());
    GenV1(&mem, "/ck/v1.ckpt");
    RC_ASSERT(state::UpdateCheckpointState(&mem, "/ck", kPrefix, {"/ck/v1.ckpt", kPrefix}).ok());
    path = "/ck";
    RC_TAG("state dir");
  }
  io::ReadFaultEnv env(&mem);
  ValidateOptions options;
  options.threads = 1;  // the same reads in the same order every time
  const Report clean = Validate(&env, path, options);
  if (!clean.defects.empty()) RC_FAIL(StrCat("as written: ", Codes(clean)));
  const int64_t reads = env.reads();
  RC_ASSERT(reads > 0);
  for (int64_t i = 0; i < reads; ++i) {
    env.FailRead(i);
    const Report r = Validate(&env, path, options);
    RC_ASSERT(env.injected());
    if (r.ok()) RC_FAIL(StrCat("read ", i, " of ", reads, " (", env.fault(), ") failed: reported OK\n",
                              Codes(r)));
  }
  env.FailRead(-1);
}

// ---- regressions for bugs the properties found (docs/TESTING.md) ----------

// Bug 4 of docs/TESTING.md (found by ValidatorProperty.TruncationIsReported:
// in its first long run, 57% of the data-file truncations also reported
// UNREFERENCED_DATA). When a data file ended inside a tensor, the validator
// reported that tensor TRUNCATED (right) and also "N bytes after the last
// tensor are not referenced by any entry" (UNREFERENCED_DATA) for the head
// of that same tensor, which is referenced: the truncation counterpart of
// the false warning fixed for bad checksums in 66ee348. Minimal case: "a"
// and "b", float[4] each, data file cut from 32 to 24 bytes. Expected:
// TRUNCATED for b, no UNREFERENCED_DATA. Was: TRUNCATED + UNREFERENCED_DATA
// at offset 16 (8 bytes). Fixed in 63c554f.
TEST(ValidatorPropertyRegression, TruncatedTensorOwnsItsBytes) {
  io::MemEnv env;
  {
    bundle::BundleWriter w(&env, kPrefix);
    ASSERT_TRUE(w.Add("a", tensor::Tensor::FromVector<float>(tensorflow::DT_FLOAT,
                                                             tensor::TensorShape{4}, {1, 2, 3, 4}))
                    .ok());
    ASSERT_TRUE(w.Add("b", tensor::Tensor::FromVector<float>(tensorflow::DT_FLOAT,
                                                             tensor::TensorShape{4}, {5, 6, 7, 8}))
                    .ok());
    ASSERT_TRUE(w.Finish().ok());
  }
  std::string* data = env.MutableFile(bundle::DataFilename(kPrefix, 0, 1));
  ASSERT_EQ(data->size(), 32u);
  data->resize(24);
  const Report r = Validate(&env, kPrefix);
  EXPECT_FALSE(r.ok());
  bool truncated = false, unreferenced = false;
  for (const Defect& d : r.defects) {
    truncated = truncated || (d.code == DefectCode::kTruncated && d.key == "b");
    unreferenced = unreferenced || d.code == DefectCode::kUnreferencedData;
  }
  EXPECT_TRUE(truncated) << Codes(r);
  EXPECT_FALSE(unreferenced) << Codes(r);
}

}  // namespace
}  // namespace tfckpt::check
