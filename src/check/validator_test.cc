#include "src/check/validator.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <functional>

#include "gtest/gtest.h"
#include "proto/tensor.pb.h"
#include "proto/tensor_bundle.pb.h"
#include "src/bundle/bundle_reader.h"
#include "src/bundle/bundle_writer.h"
#include "src/bundle/merge.h"
#include "src/bundle/naming.h"
#include "src/bundle/test_tensors.h"
#include "src/io/crc32c.h"
#include "src/io/hex.h"
#include "src/io/mem_env.h"
#include "src/table/format.h"
#include "src/table/table.h"
#include "src/table/table_builder.h"
#include "src/testing/unlistable_env.h"
#include "src/check/report_test_util.h"

namespace tfckpt::check {
namespace {

using tensor::Tensor;
using tensor::TensorShape;

// A small bundle with numbers and strings: the corruption target.
void WriteSmall(io::Env* env, const std::string& prefix) {
  bundle::BundleWriter w(env, prefix);
  ASSERT_TRUE(w.Add("f", bundle::testing::MakeTensor(tensorflow::DT_FLOAT, TensorShape{3}, 1)).ok());
  ASSERT_TRUE(w.Add("s", Tensor::FromStrings(TensorShape{2}, {"ab", "c"})).ok());
  ASSERT_TRUE(w.Add("i", bundle::testing::MakeTensor(tensorflow::DT_INT64, TensorShape{}, 2)).ok());
  ASSERT_TRUE(w.Finish().ok());
}

TEST(Validator, GoodBundleIsValid) {
  io::MemEnv env;
  WriteSmall(&env, "/c/m");
  for (const char* path : {"/c/m", "/c/m.index", "/c/m.data-00000-of-00001"}) {
    Report r = Validate(&env, path);
    EXPECT_TRUE(r.ok()) << path << "\n" << Codes(r);
    EXPECT_EQ(r.kind, "v2");
    EXPECT_EQ(r.tensors_checked, 3u);
  }
  EXPECT_EQ(Validate(&env, "/c/m.index").notes.at(0), "validated prefix /c/m (prefix of m.index)");
}

// The validator dispatches on path::Resolve's answer (docs/CLI.md "Paths"):
// the directory forms the resolver takes are validated by the library
// itself, and what it refuses is reported with its message.
TEST(Validator, ValidatesWhatTheResolverResolves) {
  io::MemEnv env;
  WriteSmall(&env, "/vo/variables/variables");  // D4: a SavedModel without saved_model.pb
  WriteSmall(&env, "/one/x");                   // D5: a single .index
  for (const char* dir : {"/vo", "/one"}) {
    const Report r = Validate(&env, dir);
    EXPECT_TRUE(r.ok()) << dir << "\n" << Codes(r);
    EXPECT_EQ(r.kind, "v2") << dir;
    EXPECT_EQ(r.path, dir);
    EXPECT_EQ(r.tensors_checked, 3u) << dir;
  }
  EXPECT_EQ(Validate(&env, "/one").notes.at(0), "validated prefix /one/x (the only .index file of /one)");
  WriteSmall(&env, "/one/y");  // D5 with two: the resolver's error, listing both
  const Report two = Validate(&env, "/one");
  ASSERT_EQ(two.defects.size(), 1u) << Codes(two);
  EXPECT_EQ(two.defects[0].code, DefectCode::kNotFound);
  EXPECT_NE(two.defects[0].message.find("name one: x, y"), std::string::npos) << Codes(two);
}

// A prefix whose directory cannot be listed (to look for V1 shards) is an
// I/O error, never NOT_FOUND: the validator does not vouch for what it
// could not see.
TEST(Validator, UnlistableDirectoryIsAnIoError) {
  tfckpt::testing::UnlistableEnv env("/locked");
  env.PutFile("/locked/other", "x");
  const Report r = Validate(&env, "/locked/model.ckpt");
  ASSERT_EQ(r.defects.size(), 1u) << Codes(r);
  EXPECT_EQ(r.defects[0].code, DefectCode::kIoError) << Codes(r);
  EXPECT_NE(r.defects[0].message.find("Permission denied"), std::string::npos) << Codes(r);
}

// Any single-byte change anywhere in the index or the data is reported.
TEST(Validator, EverySingleByteFlipIsReported) {
  io::MemEnv base;
  WriteSmall(&base, "/c/m");
  for (const std::string file : {"/c/m.index", "/c/m.data-00000-of-00001"}) {
    const std::string original = *base.ReadFileToString(file);
    for (size_t i = 0; i < original.size(); ++i) {
      for (unsigned char mask : {0x01, 0x80}) {
        io::MemEnv env;
        WriteSmall(&env, "/c/m");
        (*env.MutableFile(file))[i] ^= static_cast<char>(mask);
        Report r = Validate(&env, "/c/m");
        EXPECT_FALSE(r.ok()) << file << " byte " << i << " mask " << int(mask);
        ASSERT_FALSE(r.defects.empty());
        if (file.find(".data-") != std::string::npos) {
          const DefectCode c = r.defects[0].code;
          EXPECT_TRUE(c == DefectCode::kTensorCrc || c == DefectCode::kStringLengthCrc ||
                      c == DefectCode::kBadStringLengths)
              << "byte " << i << ": " << Codes(r);
        }
      }
    }
  }
}

TEST(Validator, EveryTruncationIsReported) {
  io::MemEnv base;
  WriteSmall(&base, "/c/m");
  for (const std::string file : {"/c/m.index", "/c/m.data-00000-of-00001"}) {
    const std::string original = *base.ReadFileToString(file);
    for (size_t len = 0; len < original.size(); ++len) {
      io::MemEnv env;
      WriteSmall(&env, "/c/m");
      env.MutableFile(file)->resize(len);
      Report r = Validate(&env, "/c/m");
      EXPECT_FALSE(r.ok()) << file << " cut to " << len;
      if (file.find(".data-") != std::string::npos && !r.defects.empty()) {
        EXPECT_TRUE(Has(r, DefectCode::kTruncated) || Has(r, DefectCode::kOffsetOutOfRange))
            << len << ": " << Codes(r);
      }
    }
  }
}

TEST(Validator, ReportsAllDefectsNotJustTheFirst) {
  io::MemEnv env;
  WriteSmall(&env, "/c/m");
  std::string* data = env.MutableFile("/c/m.data-00000-of-00001");
  (*data)[0] ^= 1;                  // "f"
  (*data)[data->size() - 1] ^= 1;   // last tensor written ("i")
  Report r = Validate(&env, "/c/m");
  int crc = 0;
  for (const Defect& d : r.defects) crc += d.code == DefectCode::kTensorCrc;
  EXPECT_EQ(crc, 2) << Codes(r);
  // A damaged last tensor still owns its bytes: nothing "unreferenced".
  EXPECT_FALSE(Has(r, DefectCode::kUnreferencedData)) << Codes(r);
}

// Full text of a report, for comparing runs.
std::string Dump(const Report& r) {
  return StrCat(r.tensors_checked, " tensors, ", r.bytes_checked, " bytes\n", Codes(r));
}

// Writes 40 tensors of mixed dtypes and returns the data file with
// tensors 3, 17, 18 and 39 damaged (a flip each; 39, the last, also cut
// short).
std::string WriteDamaged(io::Env* env, const std::string& prefix) {
  bundle::BundleWriter w(env, prefix);
  for (int i = 0; i < 40; ++i) {
    const Tensor t = i % 5 == 4 ? Tensor::FromStrings(TensorShape{3}, {"x", std::string(i, 'y'), ""})
                                : bundle::testing::MakeTensor(tensorflow::DT_FLOAT,
                                                              TensorShape{7 + i}, i);
    EXPECT_TRUE(w.Add(StrCat("t", i < 10 ? "0" : "", i), t).ok());
  }
  EXPECT_TRUE(w.Finish().ok());
  std::string data = *env->ReadFileToString(bundle::DataFilename(prefix, 0, 1));
  auto reader = bundle::BundleReader::Open(env, prefix);
  EXPECT_TRUE(reader.ok());
  for (const char* key : {"t03", "t17", "t18", "t39"}) {
    auto e = (*reader)->GetEntry(key);
    EXPECT_TRUE(e.ok());
    if (e.ok()) data[e->proto.offset() + e->proto.size() / 2] ^= 0x20;
  }
  data.resize(data.size() - 3);
  return data;
}

// The report does not depend on how many threads check the data, and
// progress ends at the total.
TEST(Validator, SameReportOnAnyThreadCount) {
  io::MemEnv env;
  const std::string data = WriteDamaged(&env, "/c/m");
  *env.MutableFile("/c/m.data-00000-of-00001") = data;
  ValidateOptions serial;
  serial.threads = 1;
  const std::string want = Dump(Validate(&env, "/c/m", serial));
  EXPECT_EQ(std::count(want.begin(), want.end(), '\n'), 5) << want;  // 4 defects
  for (int threads : {0, 2, 3, 7, 64}) {
    ValidateOptions o;
    o.threads = threads;
    uint64_t last_done = 0, last_total = 0;
    o.progress = [&](uint64_t done, uint64_t total) {
      EXPECT_GE(done, last_done);
      last_done = done;
      last_total = total;
    };
    EXPECT_EQ(Dump(Validate(&env, "/c/m", o)), want) << threads << " threads";
    EXPECT_GT(last_total, 0u);
    EXPECT_EQ(last_done, last_total) << threads << " threads";
  }
}

// The same on real files, where each worker maps its own windows.
TEST(Validator, SameReportOnAnyThreadCountPosix) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  ASSERT_NE(tmp, nullptr);
  io::Env* env = io::Env::Default();
  const std::string prefix = StrCat(tmp, "/threads/m");
  const std::string data = WriteDamaged(env, prefix);
  const std::string data_path = bundle::DataFilename(prefix, 0, 1);
  {
    std::ofstream out(data_path, std::ios::binary | std::ios::trunc);
    out << data;
  }
  ValidateOptions serial;
  serial.threads = 1;
  const std::string want = Dump(Validate(env, prefix, serial));
  EXPECT_EQ(std::count(want.begin(), want.end(), '\n'), 5) << want;
  for (int threads : {2, 3}) {
    ValidateOptions o;
    o.threads = threads;
    EXPECT_EQ(Dump(Validate(env, prefix, o)), want) << threads << " threads";
  }
}

TEST(Validator, ShardDefects) {
  io::MemEnv env;
  WriteSmall(&env, "/c/m");
  env.PutFile("/c/m.data-00000-of-00002", "stale");
  Report mixed = Validate(&env, "/c/m");
  EXPECT_TRUE(Has(mixed, DefectCode::kMixedShards)) << Codes(mixed);
  ASSERT_TRUE(env.DeleteFile("/c/m.data-00000-of-00001").ok());
  Report missing = Validate(&env, "/c/m");
  EXPECT_TRUE(Has(missing, DefectCode::kShardMissing)) << Codes(missing);
}

// A sharded save whose two data files were swapped (renamed over each
// other): every tensor of both shards is reported, none passes.
TEST(Validator, SwappedShardsAreReported) {
  io::MemEnv env;
  for (int p = 0; p < 2; ++p) {
    bundle::BundleWriter w(&env, StrCat("/s/part", p));
    ASSERT_TRUE(w.Add(StrCat("t", p), bundle::testing::MakeTensor(tensorflow::DT_FLOAT,
                                                                   TensorShape{4 + p}, p)).ok());
    ASSERT_TRUE(w.Finish().ok());
  }
  ASSERT_TRUE(bundle::MergeBundles(&env, {"/s/part0", "/s/part1"}, "/s/m").ok());
  ASSERT_TRUE(Validate(&env, "/s/m").ok());
  const std::string a = bundle::DataFilename("/s/m", 0, 2), b = bundle::DataFilename("/s/m", 1, 2);
  ASSERT_TRUE(env.RenameFile(a, "/s/tmp").ok());
  ASSERT_TRUE(env.RenameFile(b, a).ok());
  ASSERT_TRUE(env.RenameFile("/s/tmp", b).ok());
  Report r = Validate(&env, "/s/m");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.tensors_checked, 0u) << Codes(r);
  // Shard 0 now holds 20 bytes for a 16-byte tensor, shard 1 only 16 of 20.
  EXPECT_TRUE(Has(r, DefectCode::kTensorCrc)) << Codes(r);
  EXPECT_TRUE(Has(r, DefectCode::kTruncated)) << Codes(r);
}

// Hand-made index records for each attack class of FORMATS.md §12.2.
void WriteIndex(io::MemEnv* env, const std::string& prefix,
                const tensorflow::BundleEntryProto& entry, int num_shards = 1) {
  auto f = env->NewWritableFile(bundle::MetaFilename(prefix));
  table::TableBuilder b({}, f->get());
  tensorflow::BundleHeaderProto h;
  h.set_num_shards(num_shards);
  h.mutable_version()->set_producer(1);
  ASSERT_TRUE(b.Add("", h.SerializeAsString()).ok());
  ASSERT_TRUE(b.Add("t", entry.SerializeAsString()).ok());
  ASSERT_TRUE(b.Finish().ok());
  env->PutFile(bundle::DataFilename(prefix, 0, num_shards), std::string(16, '\0'));
}

TEST(Validator, HostileEntries) {
  struct Case {
    const char* what;
    std::function<void(tensorflow::BundleEntryProto*)> mutate;
    DefectCode want;
  };
  const Case cases[] = {
      {"negative dim", [](auto* e) { e->mutable_shape()->add_dim()->set_size(-3); },
       DefectCode::kNegativeDim},
      {"huge shape",
       [](auto* e) {
         for (int i = 0; i < 5; ++i) e->mutable_shape()->add_dim()->set_size(int64_t{1} << 40);
       },
       DefectCode::kSizeOverflow},
      {"unknown dtype", [](auto* e) { e->set_dtype(static_cast<tensorflow::DataType>(77)); },
       DefectCode::kUnknownDtype},
      {"resource dtype", [](auto* e) { e->set_dtype(tensorflow::DT_RESOURCE); },
       DefectCode::kUnknownDtype},
      {"shard id", [](auto* e) { e->set_shard_id(5); }, DefectCode::kShardIdOutOfRange},
      {"offset past end", [](auto* e) { e->set_offset(1000); }, DefectCode::kOffsetOutOfRange},
      {"overflowing offset",
       [](auto* e) { e->set_offset(std::numeric_limits<int64_t>::max() - 1); },
       DefectCode::kOffsetOutOfRange},
      {"wrong size", [](auto* e) { e->set_size(5); }, DefectCode::kSizeMismatch},
      {"negative extent",
       [](auto* e) {
         e->mutable_shape()->add_dim()->set_size(4);
         auto* x = e->add_slices()->add_extent();
         x->set_start(0);
         x->set_length(-1);
       },
       DefectCode::kBadSlice},
      {"huge string count",
       [](auto* e) {
         e->set_dtype(tensorflow::DT_STRING);
         e->mutable_shape()->add_dim()->set_size(int64_t{1} << 50);
       },
       DefectCode::kSizeMismatch},
  };
  for (const Case& c : cases) {
    io::MemEnv env;
    tensorflow::BundleEntryProto e;
    e.set_dtype(tensorflow::DT_FLOAT);
    e.mutable_shape();
    e.set_size(4);
    c.mutate(&e);
    WriteIndex(&env, "/h", e);
    Report r = Validate(&env, "/h");
    EXPECT_TRUE(Has(r, c.want)) << c.what << "\n" << Codes(r);
  }
}

// Finding 3 of issue 16: an index claiming 2^20 shards (the most a header
// may) beside one data file costs one listing, and reports a bounded number
// of SHARD_MISSING defects plus a count of the rest; a million defects of
// one file are likewise capped.
TEST(Validator, HugeShardCountIsCheapAndBounded) {
  io::MemEnv env;
  tensorflow::BundleEntryProto e;
  e.set_dtype(tensorflow::DT_FLOAT);
  e.mutable_shape()->add_dim()->set_size(4);
  e.set_size(16);
  WriteIndex(&env, "/big/m", e, 1 << 20);
  ValidateOptions o;
  o.max_defects_per_file = 10;
  const Report r = Validate(&env, "/big/m", o);
  EXPECT_FALSE(r.ok());
  size_t missing = 0;
  for (const Defect& d : r.defects) missing += d.code == DefectCode::kShardMissing ? 1 : 0;
  EXPECT_EQ(missing, 11u) << Codes(r);  // 10 listed + the count of the rest
  EXPECT_NE(Codes(r).find(StrCat((1 << 20) - 1 - 10, " more of the ")), std::string::npos)
      << Codes(r);
  EXPECT_LE(r.files.size(), 2u);
  EXPECT_LT(r.defects.size(), 20u);
}

TEST(Validator, DefectsPerFileAreCappedAndCounted) {
  io::MemEnv env;
  {
    bundle::BundleWriter w(&env, "/cap/m");
    for (int i = 0; i < 30; ++i) {
      ASSERT_TRUE(w.Add(StrCat("t", i), bundle::testing::MakeTensor(tensorflow::DT_FLOAT,
                                                                     TensorShape{4}, i)).ok());
    }
    ASSERT_TRUE(w.Finish().ok());
  }
  std::string* data = env.MutableFile(bundle::DataFilename("/cap/m", 0, 1));
  for (char& c : *data) c = static_cast<char>(c ^ 0x5a);  // every tensor's CRC now fails
  ValidateOptions o;
  o.max_defects_per_file = 7;
  const Report r = Validate(&env, "/cap/m", o);
  EXPECT_EQ(r.defects.size(), 7u) << Codes(r);
  ASSERT_EQ(r.suppressed.size(), 1u);
  EXPECT_EQ(r.suppressed.begin()->second.errors, 23u);
  EXPECT_EQ(r.errors(), 30u);
  EXPECT_FALSE(r.ok());
  o.max_defects_per_file = 0;
  EXPECT_EQ(Validate(&env, "/cap/m", o).defects.size(), 30u);
}

// Finding 6 of issue 16: a stray shard numbered for this save, a stale
// `.tempstate` file and a hole left by a removed entry are reported.
TEST(Validator, StrayShardTempFileAndHoleAreReported) {
  io::MemEnv env;
  WriteSmall(&env, "/n/m");
  ASSERT_TRUE(Validate(&env, "/n/m").defects.empty());
  env.PutFile("/n/m.data-00001-of-00001", "stray");
  env.PutFile("/n/m.index.tempstate123", "half an index");
  env.PutFile("/n/checkpoint.tempstate9", "model_checkpoint_path");
  env.PutFile("/n/other.data-00005-of-00001", "another prefix: not ours");
  Report r = Validate(&env, "/n/m");
  EXPECT_TRUE(Has(r, DefectCode::kStrayShard)) << Codes(r);
  EXPECT_TRUE(Has(r, DefectCode::kStaleTempFile)) << Codes(r);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.defects.size(), 2u) << Codes(r);
  ASSERT_TRUE(env.DeleteFile("/n/m.data-00001-of-00001").ok());
  ASSERT_TRUE(env.DeleteFile("/n/m.index.tempstate123").ok());

  // A hole: "f" (12 bytes at offset 0) dropped from the index; the other
  // entries and every checksum still valid.
  io::MemEnv holed;
  {
    bundle::BundleWriter w(&holed, "/h/m");
    ASSERT_TRUE(w.Add("a", bundle::testing::MakeTensor(tensorflow::DT_FLOAT, TensorShape{3}, 1)).ok());
    ASSERT_TRUE(w.Add("b", bundle::testing::MakeTensor(tensorflow::DT_FLOAT, TensorShape{3}, 2)).ok());
    ASSERT_TRUE(w.Add("c", bundle::testing::MakeTensor(tensorflow::DT_FLOAT, TensorShape{3}, 3)).ok());
    ASSERT_TRUE(w.Finish().ok());
  }
  auto reader = bundle::BundleReader::Open(&holed, "/h/m");
  ASSERT_TRUE(reader.ok());
  {
    auto f = holed.NewWritableFile("/h/m.index");
    table::TableBuilder b({}, f->get());
    table::Table::Iterator it = (*reader)->index().NewIterator();
    for (it.SeekToFirst(); it.Valid(); it.Next()) {
      if (it.key() != "b") ASSERT_TRUE(b.Add(it.key(), it.value()).ok());
    }
    ASSERT_TRUE(b.Finish().ok());
  }
  reader->reset();
  r = Validate(&holed, "/h/m");
  ASSERT_TRUE(Has(r, DefectCode::kUnreferencedData)) << Codes(r);
  EXPECT_EQ(r.defects[0].offset, std::optional<uint64_t>(12)) << Codes(r);
  EXPECT_NE(r.defects[0].message.find("between tensors"), std::string::npos) << Codes(r);
}

// Rewrites the index at `prefix`: `edit` may change its (key, value)
// records, header first; the table is re-encoded by the library.
void RewriteRecords(io::MemEnv* env, const std::string& prefix,
                    const std::function<void(std::vector<std::pair<std::string, std::string>>*)>&
                        edit) {
  std::vector<std::pair<std::string, std::string>> records;
  {
    auto reader = bundle::BundleReader::Open(env, prefix);
    ASSERT_TRUE(reader.ok());
    table::Table::Iterator it = (*reader)->index().NewIterator();
    for (it.SeekToFirst(); it.Valid(); it.Next()) records.emplace_back(it.key(), it.value());
  }
  edit(&records);
  std::sort(records.begin(), records.end());
  auto f = env->NewWritableFile(bundle::MetaFilename(prefix));
  table::TableBuilder b({}, f->get());
  for (const auto& [key, value] : records) ASSERT_TRUE(b.Add(key, value).ok());
  ASSERT_TRUE(b.Finish().ok());
}

// Issue 16's last cost case: 256 entries all claiming one tensor's bytes
// (each checksum valid) cost 256 checksums of them. Overlapping entries are
// a defect, reported once per entry (capped), and each byte is read once.
TEST(Validator, OverlappingEntriesAreReportedAndReadOnce) {
  io::MemEnv env;
  {
    bundle::BundleWriter w(&env, "/o/m");
    ASSERT_TRUE(w.Add("a", bundle::testing::MakeTensor(tensorflow::DT_FLOAT, TensorShape{1024}, 1)).ok());
    ASSERT_TRUE(w.Finish().ok());
  }
  RewriteRecords(&env, "/o/m", [](auto* records) {
    const std::string entry = records->back().second;
    for (int i = 0; i < 255; ++i) records->emplace_back(StrCat("k", 1000 + i), entry);
  });
  Report r = Validate(&env, "/o/m");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.bytes_checked, 4096u) << "each byte is checksummed once";
  EXPECT_EQ(r.tensors_checked, 1u);
  ASSERT_EQ(r.defects.size(), 100u) << Codes(r);  // max_defects_per_file
  for (const Defect& d : r.defects) {
    EXPECT_EQ(d.code, DefectCode::kOverlappingData) << Codes(r);
    EXPECT_EQ(d.file, "/o/m.data-00000-of-00001");
    EXPECT_EQ(d.offset, std::optional<uint64_t>(0));
  }
  EXPECT_EQ(r.defects[0].key, "k1000");
  EXPECT_NE(r.defects[0].message.find("also claimed by a at [0, 4096)"), std::string::npos)
      << Codes(r);
  EXPECT_EQ(r.suppressed["/o/m.data-00000-of-00001"].errors, 155u);

  // A partial overlap: "b" (12 bytes at 12) moved to start inside "a"
  // ([0, 12)); "c" after them is intact and still checked.
  io::MemEnv part;
  {
    bundle::BundleWriter w(&part, "/p/m");
    ASSERT_TRUE(w.Add("a", bundle::testing::MakeTensor(tensorflow::DT_FLOAT, TensorShape{3}, 1)).ok());
    ASSERT_TRUE(w.Add("b", bundle::testing::MakeTensor(tensorflow::DT_FLOAT, TensorShape{3}, 2)).ok());
    ASSERT_TRUE(w.Add("c", bundle::testing::MakeTensor(tensorflow::DT_FLOAT, TensorShape{3}, 3)).ok());
    ASSERT_TRUE(w.Finish().ok());
  }
  RewriteRecords(&part, "/p/m", [](auto* records) {
    for (auto& [key, value] : *records) {
      if (key != "b") continue;
      tensorflow::BundleEntryProto e;
      ASSERT_TRUE(e.ParseFromString(value));
      e.set_offset(8);
      value = e.SerializeAsString();
    }
  });
  r = Validate(&part, "/p/m");
  ASSERT_EQ(r.defects.size(), 2u) << Codes(r);
  EXPECT_EQ(r.defects[0].code, DefectCode::kOverlappingData) << Codes(r);
  EXPECT_EQ(r.defects[0].key, "b");
  EXPECT_EQ(r.defects[0].offset, std::optional<uint64_t>(8));
  EXPECT_NE(r.defects[0].message.find("bytes [8, 12) of this entry's [8, 20)"), std::string::npos)
      << Codes(r);
  // Bytes 20..24 of the old "b" are now referenced by nobody.
  EXPECT_EQ(r.defects[1].code, DefectCode::kUnreferencedData) << Codes(r);
  EXPECT_EQ(r.tensors_checked, 2u);
  EXPECT_EQ(r.bytes_checked, 24u);

  // Adjacent entries, and entries of size 0 at any offset, do not overlap.
  io::MemEnv empty;
  {
    bundle::BundleWriter w(&empty, "/e/m");
    ASSERT_TRUE(w.Add("a", bundle::testing::MakeTensor(tensorflow::DT_FLOAT, TensorShape{3}, 1)).ok());
    ASSERT_TRUE(w.Add("z", bundle::testing::MakeTensor(tensorflow::DT_FLOAT, TensorShape{0}, 1)).ok());
    ASSERT_TRUE(w.Add("b", bundle::testing::MakeTensor(tensorflow::DT_FLOAT, TensorShape{3}, 2)).ok());
    ASSERT_TRUE(w.Finish().ok());
  }
  RewriteRecords(&empty, "/e/m", [](auto* records) {
    for (auto& [key, value] : *records) {
      if (key != "z") continue;
      tensorflow::BundleEntryProto e;
      ASSERT_TRUE(e.ParseFromString(value));
      e.set_offset(4);
      value = e.SerializeAsString();
    }
  });
  r = Validate(&empty, "/e/m");
  EXPECT_TRUE(r.defects.empty()) << Codes(r);
  EXPECT_EQ(r.tensors_checked, 3u);
}

// The state directory's own temporary files.
TEST(Validator, StaleStateTempFileIsAWarning) {
  io::MemEnv env;
  WriteSmall(&env, "/sd/m");
  env.PutFile("/sd/checkpoint", "model_checkpoint_path: \"/sd/m\"\n");
  env.PutFile("/sd/checkpoint.tempstate42", "model_checkpoint_path: \"/sd/m\"\n");
  const Report r = Validate(&env, "/sd");
  EXPECT_TRUE(Has(r, DefectCode::kStaleTempFile)) << Codes(r);
  EXPECT_TRUE(r.ok()) << Codes(r);
}

// Rewrites the index of the one-tensor bundle at `prefix` with its entry
// changed by `mutate` (checksums of the index recomputed).
void RewriteEntry(io::MemEnv* env, const std::string& prefix,
                  const std::function<void(tensorflow::BundleEntryProto*)>& mutate) {
  std::vector<std::pair<std::string, std::string>> records;
  {
    auto reader = bundle::BundleReader::Open(env, prefix);
    ASSERT_TRUE(reader.ok());
    table::Table::Iterator it = (*reader)->index().NewIterator();
    for (it.SeekToFirst(); it.Valid(); it.Next()) records.emplace_back(it.key(), it.value());
  }
  auto f = env->NewWritableFile(bundle::MetaFilename(prefix));
  table::TableBuilder b({}, f->get());
  for (auto& [key, value] : records) {
    if (!key.empty()) {
      tensorflow::BundleEntryProto e;
      ASSERT_TRUE(e.ParseFromString(value));
      mutate(&e);
      value = e.SerializeAsString();
    }
    ASSERT_TRUE(b.Add(key, value).ok());
  }
  ASSERT_TRUE(b.Finish().ok());
}

// Finding 6: a float tensor relabelled DT_VARIANT (its CRC still valid) is
// not something TF can hold: an error, not the UNSUPPORTED warning. Data
// laid out as TF writes variants (docs/FORMATS.md §2.3.4, spec/bundle.md
// §5) stays a warning: tfckpt does not decode the payload.
TEST(Validator, VariantStructureIsChecked) {
  io::MemEnv env;
  {
    bundle::BundleWriter w(&env, "/var/m");
    ASSERT_TRUE(w.Add("f", Tensor::FromVector<float>(tensorflow::DT_FLOAT, TensorShape{4},
                                                     {1, 2, 3, 4})).ok());
    ASSERT_TRUE(w.Finish().ok());
  }
  RewriteEntry(&env, "/var/m", [](auto* e) { e->set_dtype(tensorflow::DT_VARIANT); });
  Report r = Validate(&env, "/var/m");
  EXPECT_TRUE(Has(r, DefectCode::kBadVariant)) << Codes(r);
  EXPECT_FALSE(r.ok()) << Codes(r);

  // Two elements built per the spec: varint64 len, a VariantTensorDataProto,
  // the masked running CRC (extended with len as 8 little-endian bytes).
  std::string data;
  uint32_t c = 0;
  for (const char* type_name : {"A", "BC"}) {
    tensorflow::VariantTensorDataProto p;
    p.set_type_name(type_name);
    const std::string elem = p.SerializeAsString();
    data.push_back(static_cast<char>(elem.size()));  // a one-byte varint
    char len8[8] = {static_cast<char>(elem.size())};
    c = io::crc32c::Extend(c, len8, 8);
    c = io::crc32c::Extend(c, elem.data(), elem.size());
    data += elem;
    const uint32_t masked = io::crc32c::Mask(c);
    char sum[4];
    for (int i = 0; i < 4; ++i) sum[i] = static_cast<char>(masked >> (8 * i));
    data.append(sum, 4);
    c = io::crc32c::Extend(c, sum, 4);
  }
  env.PutFile(bundle::DataFilename("/var/m", 0, 1), data);
  RewriteEntry(&env, "/var/m", [&](auto* e) {
    e->mutable_shape()->mutable_dim(0)->set_size(2);
    e->set_size(data.size());
    e->set_crc32c(io::crc32c::Mask(c));
  });
  r = Validate(&env, "/var/m");
  EXPECT_TRUE(r.ok()) << Codes(r);
  EXPECT_TRUE(Has(r, DefectCode::kUnsupported)) << Codes(r);
  // One element checksum off: an error.
  (*env.MutableFile(bundle::DataFilename("/var/m", 0, 1)))[data.size() - 1] ^= 1;
  EXPECT_FALSE(Validate(&env, "/var/m").ok());
}

// Finding 6: a state file naming a file that is no checkpoint (here a
// stand-in for /etc/passwd) gets a defect that quotes none of its bytes.
TEST(Validator, StateFileNamingAnUnrelatedFileEchoesNoneOfIt) {
  io::MemEnv env;
  const std::string secret = "root:x:0:0:root:/root:/bin/bash\nSECRETSECRETSECRET:tail\n";
  env.PutFile("/etc/passwd", secret);
  env.PutFile("/s/checkpoint", "model_checkpoint_path: \"/etc/passwd\"\n");
  const Report r = Validate(&env, "/s");
  EXPECT_FALSE(r.ok());
  std::string all = Codes(r);
  for (const std::string& n : r.notes) all += n + "\n";
  for (size_t i = 0; i + 4 <= secret.size(); ++i) {
    const std::string piece = secret.substr(i, 4);
    ASSERT_EQ(all.find(piece), std::string::npos) << "echoes '" << piece << "':\n" << all;
  }
  EXPECT_TRUE(Has(r, DefectCode::kStalePath)) << all;
  // Nor the hex of the 8 bytes where a table's magic would be.
  EXPECT_EQ(all.find(io::SpacedHex(secret.substr(secret.size() - 8))), std::string::npos) << all;
}

TEST(Validator, StateDirectoryWithStalePath) {
  io::MemEnv env;
  WriteSmall(&env, "/d/model.ckpt-1");
  env.PutFile("/d/checkpoint",
              "model_checkpoint_path: \"model.ckpt-2\"\n"
              "all_model_checkpoint_paths: \"model.ckpt-1\"\n"
              "all_model_checkpoint_paths: \"model.ckpt-2\"\n");
  Report r = Validate(&env, "/d");
  EXPECT_EQ(r.kind, "state_dir");
  EXPECT_TRUE(Has(r, DefectCode::kStalePath)) << Codes(r);
  EXPECT_EQ(r.tensors_checked, 3u);  // model.ckpt-1 was validated
}

TEST(Validator, NothingThere) {
  io::MemEnv env;
  Report r = Validate(&env, "/nope/model");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.defects.at(0).code, DefectCode::kNotFound);
}

}  // namespace
}  // namespace tfckpt::check
