#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "gtest/gtest.h"
#include "src/bundle/bundle_reader.h"
#include "src/bundle/bundle_writer.h"
#include "src/bundle/merge.h"
#include "src/bundle/naming.h"
#include "src/bundle/replace.h"
#include "src/bundle/slice_copy.h"
#include "src/bundle/test_tensors.h"
#include "src/io/hex.h"
#include "src/io/mem_env.h"
#include "src/state/latest_checkpoint.h"

namespace tfckpt::bundle {
namespace {

using tensor::Tensor;
using tensor::TensorShape;
using tensor::TensorSlice;

// Bytes written as in docs/FORMATS.md ("00 00 06 08 ...").
std::string FromSpacedHex(std::string hex) {
  hex.erase(std::remove(hex.begin(), hex.end(), ' '), hex.end());
  return *io::Unhex(hex);
}

// docs/FORMATS.md §2.7: the exact files TF writes for {a: float 0.5}.
TEST(BundleWriter, WorkedExampleByteForByte) {
  io::MemEnv env;
  BundleWriter w(&env, "/ckpt/model");
  ASSERT_TRUE(w.Add("a", Tensor::FromVector<float>(tensorflow::DT_FLOAT, TensorShape{}, {0.5f})).ok());
  ASSERT_TRUE(w.Finish().ok()) << w.status();
  EXPECT_EQ(io::SpacedHex(*env.ReadFileToString("/ckpt/model.data-00000-of-00001")), "00 00 00 3f");
  const std::string expected_index = FromSpacedHex(
      "00 00 06 08 01 1a 02 08 01 00 01 0b 61 08 01 12 00 28 04 35 06 38 27 1f"
      " 00 00 00 00 01 00 00 00 00 45 05 e1 ca"
      " 00 00 00 00 01 00 00 00 00 c0 f2 a1 b0"
      " 00 01 02 62 00 20 00 00 00 00 01 00 00 00 00 30 d3 69 1c"
      " 25 08 32 0e 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
      " 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 57 fb 80 8b 24 75 47 db");
  ASSERT_EQ(expected_index.size(), 117u);
  EXPECT_EQ(io::SpacedHex(*env.ReadFileToString("/ckpt/model.index")),
            io::SpacedHex(expected_index));
}

// docs/FORMATS.md §2.3: DT_STRING ["hello", "world"].
TEST(BundleWriter, StringEncodingFromSpec) {
  io::MemEnv env;
  BundleWriter w(&env, "/s");
  ASSERT_TRUE(w.Add("s", Tensor::FromStrings(TensorShape{2}, {"hello", "world"})).ok());
  ASSERT_TRUE(w.Finish().ok());
  EXPECT_EQ(io::SpacedHex(*env.ReadFileToString("/s.data-00000-of-00001")),
            "05 05 b5 6f 99 4f 68 65 6c 6c 6f 77 6f 72 6c 64");
}

TEST(Bundle, RoundTripEveryDtypeInAnyOrder) {
  io::MemEnv env;
  auto tensors = testing::AllDtypeTensors();
  ASSERT_GT(tensors.size(), 60u);
  BundleWriter w(&env, "/d/all");
  for (auto it = tensors.rbegin(); it != tensors.rend(); ++it) {  // reverse: sorted on Finish
    ASSERT_TRUE(w.Add(it->first, it->second).ok()) << it->first;
  }
  ASSERT_TRUE(w.Finish().ok()) << w.status();
  auto r = BundleReader::Open(&env, "/d/all");
  ASSERT_TRUE(r.ok()) << r.status();
  for (const auto& [key, t] : tensors) {
    auto got = (*r)->Lookup(key);
    ASSERT_TRUE(got.ok()) << key << ": " << got.status();
    EXPECT_TRUE(got->BitwiseEquals(t)) << key;
  }
  auto list = (*r)->ListTensors();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), tensors.size());
  EXPECT_EQ((*r)->Lookup("nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ((*r)->Lookup("nope").status().message(), "Key nope not found in checkpoint");
}

TEST(Bundle, BigEndianAndAlignedBundlesReadBack) {
  for (bool big : {false, true}) {
    for (int align : {1, 8, 64}) {
      io::MemEnv env;
      BundleWriterOptions opts;
      opts.big_endian = big;
      opts.data_alignment = align;
      opts.index_compression = big ? table::CompressionType::kSnappy : table::CompressionType::kNone;
      BundleWriter w(&env, "/x", opts);
      auto tensors = testing::AllDtypeTensors();
      for (const auto& [k, t] : tensors) ASSERT_TRUE(w.Add(k, t).ok());
      ASSERT_TRUE(w.Finish().ok()) << w.status();
      auto r = BundleReader::Open(&env, "/x");
      ASSERT_TRUE(r.ok()) << r.status();
      EXPECT_EQ((*r)->need_to_swap_bytes(), big);
      for (const auto& [k, t] : tensors) {
        auto e = (*r)->GetEntry(k);
        ASSERT_TRUE(e.ok());
        if (!e->partitioned()) {
          EXPECT_EQ(e->proto.offset() % align, 0) << k;
        }
        auto got = (*r)->Lookup(k);
        ASSERT_TRUE(got.ok()) << k << got.status();
        EXPECT_TRUE(got->BitwiseEquals(t)) << k << " big=" << big << " align=" << align;
      }
    }
  }
}

// Copying reads (zero_copy = false) checksum and copy in one pass, and on a
// second thread from 64 MiB: the copy is exact, in either byte order, and a
// damaged byte anywhere still fails the checksum.
TEST(Bundle, CopyingReadsOfLargeTensorsVerifyTheChecksum) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  ASSERT_NE(tmp, nullptr);
  for (int64_t elements : {int64_t{262147}, (int64_t{64} << 18) + 3}) {  // 1 MiB+, 64 MiB+
    for (bool big : {false, true}) {
      Tensor t = *Tensor::Allocate(tensorflow::DT_FLOAT, TensorShape({elements}));
      char* raw = t.mutable_raw_data();
      for (int64_t i = 0; i < elements * 4; ++i) raw[i] = static_cast<char>(i * 131 + (i >> 12));
      const std::string prefix = std::string(tmp) + "/large_" + std::to_string(elements) +
                                 (big ? "_be" : "_le");
      BundleWriterOptions opts;
      opts.big_endian = big;
      BundleWriter w(io::Env::Default(), prefix, opts);
      ASSERT_TRUE(w.Add("t", t).ok());
      ASSERT_TRUE(w.Finish().ok()) << w.status();
      ReadDataOptions copy;
      copy.zero_copy = false;
      {
        auto r = BundleReader::Open(io::Env::Default(), prefix);
        ASSERT_TRUE(r.ok()) << r.status();
        auto got = (*r)->Lookup("t", nullptr, copy);
        ASSERT_TRUE(got.ok()) << got.status();
        EXPECT_TRUE(got->BitwiseEquals(t)) << elements << " big=" << big;
      }
      // Damage the last byte of the tensor's data.
      const std::string data = prefix + ".data-00000-of-00001";
      FILE* f = std::fopen(data.c_str(), "r+b");
      ASSERT_NE(f, nullptr);
      ASSERT_EQ(std::fseek(f, elements * 4 - 1, SEEK_SET), 0);
      const int c = std::fgetc(f);
      ASSERT_EQ(std::fseek(f, elements * 4 - 1, SEEK_SET), 0);
      std::fputc(c ^ 0x20, f);
      std::fclose(f);
      auto r = BundleReader::Open(io::Env::Default(), prefix);
      ASSERT_TRUE(r.ok()) << r.status();
      auto got = (*r)->Lookup("t", nullptr, copy);
      ASSERT_FALSE(got.ok()) << elements << " big=" << big;
      EXPECT_NE(got.status().message().find("Checksum does not match"), std::string::npos)
          << got.status();
    }
  }
}

TEST(Bundle, BigEndianBytesAreSwappedOnDisk) {
  io::MemEnv env;
  BundleWriterOptions opts;
  opts.big_endian = true;
  BundleWriter w(&env, "/be", opts);
  ASSERT_TRUE(w.Add("x", Tensor::FromVector<int32_t>(tensorflow::DT_INT32, TensorShape{1}, {1})).ok());
  ASSERT_TRUE(w.Finish().ok());
  EXPECT_EQ(io::SpacedHex(*env.ReadFileToString("/be.data-00000-of-00001")), "00 00 00 01");
}

// tensor_bundle_test.cc PartitionedVariables: slices "-:0,1" and "-:1,9" of [5,10].
TEST(Bundle, PartitionedVariables) {
  io::MemEnv env;
  const TensorShape full{5, 10};
  Tensor whole = testing::MakeTensor(tensorflow::DT_FLOAT, full, 7);
  BundleWriter w(&env, "/p");
  const TensorSlice s1 = *TensorSlice::Parse("-:0,1");
  const TensorSlice s2 = *TensorSlice::Parse("-:1,9");
  for (const TensorSlice& s : {s1, s2}) {
    Tensor part = *Tensor::Allocate(tensorflow::DT_FLOAT, *s.SliceShape(full));
    ASSERT_TRUE(CopySliceOverlap(full, TensorSlice(2), whole, s, &part).ok());
    ASSERT_TRUE(w.AddSlice("w", full, s, part).ok());
  }
  ASSERT_TRUE(w.Finish().ok()) << w.status();
  auto r = BundleReader::Open(&env, "/p");
  ASSERT_TRUE(r.ok());
  auto e = (*r)->GetEntry("w");
  ASSERT_TRUE(e.ok());
  ASSERT_EQ(e->slices.size(), 2u);
  auto got = (*r)->Lookup("w");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(got->BitwiseEquals(whole));
  // A region across both stored slices.
  const TensorSlice want = *TensorSlice::Parse("1,3:0,4");
  auto region = (*r)->LookupSlice("w", want);
  ASSERT_TRUE(region.ok()) << region.status();
  Tensor expected = *Tensor::Allocate(tensorflow::DT_FLOAT, TensorShape{3, 4});
  ASSERT_TRUE(CopySliceOverlap(full, TensorSlice(2), whole, want, &expected).ok());
  EXPECT_TRUE(region->BitwiseEquals(expected));
  // Only user-visible names are listed.
  auto list = (*r)->ListTensors();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].key, "w");
}

TEST(Bundle, MissingSliceIsReported) {
  io::MemEnv env;
  const TensorShape full{4};
  BundleWriter w(&env, "/m");
  ASSERT_TRUE(w.AddSlice("v", full, *TensorSlice::Parse("0,2"),
                         testing::MakeTensor(tensorflow::DT_INT32, TensorShape{2}, 1)).ok());
  ASSERT_TRUE(w.Finish().ok());
  auto r = BundleReader::Open(&env, "/m");
  ASSERT_TRUE(r.ok());
  BundleError err;
  auto got = (*r)->Lookup("v", &err);
  EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(err.kind, BundleErrorKind::kMissingSlices);
  EXPECT_NE(got.status().message().find("Does not have sufficient slices"), std::string::npos);
  EXPECT_TRUE((*r)->LookupSlice("v", *TensorSlice::Parse("0,2")).ok());
}

TEST(BundleWriter, RejectsDuplicateAndReservedKeys) {
  io::MemEnv env;
  BundleWriter w(&env, "/dup");
  Tensor t = testing::MakeTensor(tensorflow::DT_INT8, TensorShape{3}, 1);
  ASSERT_TRUE(w.Add("k", t).ok());
  Status s = w.Add("k", t);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "Adding duplicate key: k");
  EXPECT_FALSE(w.Add("", t).ok());
  EXPECT_TRUE(w.Finish().ok());
}

TEST(MergeBundles, ShardedSaveReadsAsOne) {
  io::MemEnv env;
  auto tensors = testing::AllDtypeTensors();
  std::vector<std::string> parts;
  for (int p = 0; p < 3; ++p) {
    parts.push_back(StrCat("/tmp_dir/part-", p));
    BundleWriter w(&env, parts.back());
    for (size_t i = p; i < tensors.size(); i += 3) {
      ASSERT_TRUE(w.Add(tensors[i].first, tensors[i].second).ok());
    }
    // A partitioned tensor whose slices live in different parts.
    const TensorShape full{6};
    const TensorSlice s = *TensorSlice::Parse(StrCat(2 * p, ",2"));
    ASSERT_TRUE(w.AddSlice("part", full, s,
                           testing::MakeTensor(tensorflow::DT_FLOAT, TensorShape{2}, 100 + p)).ok());
    ASSERT_TRUE(w.Finish().ok());
  }
  ASSERT_TRUE(MergeBundles(&env, parts, "/final/model").ok());
  auto r = BundleReader::Open(&env, "/final/model");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)->header().num_shards(), 3);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(env.FileExists(DataFilename("/final/model", i, 3)));
  EXPECT_FALSE(env.FileExists("/tmp_dir/part-0.index"));
  for (const auto& [k, t] : tensors) {
    auto got = (*r)->Lookup(k);
    ASSERT_TRUE(got.ok()) << k << got.status();
    EXPECT_TRUE(got->BitwiseEquals(t)) << k;
  }
  auto part = (*r)->Lookup("part");
  ASSERT_TRUE(part.ok()) << part.status();
  EXPECT_EQ(part->shape().DebugString(), "[6]");
}

TEST(MergeBundles, DuplicateKeysAcrossInputsFail) {
  io::MemEnv env;
  for (const char* p : {"/a", "/b"}) {
    BundleWriter w(&env, p);
    ASSERT_TRUE(w.Add("same", testing::MakeTensor(tensorflow::DT_FLOAT, TensorShape{1}, 1)).ok());
    ASSERT_TRUE(w.Finish().ok());
  }
  Status s = MergeBundles(&env, {"/a", "/b"}, "/c");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "Duplicate tensor keyed by same encountered, when merging prefix: /b");
}

TEST(Naming, PrefixFromFilename) {
  EXPECT_EQ(DataFilename("m", 3, 12), "m.data-00003-of-00012");
  EXPECT_EQ(PrefixFromBundleFilename("/x/m.index"), "/x/m");
  EXPECT_EQ(PrefixFromBundleFilename("/x/m.ckpt-10.data-00000-of-00001"), "/x/m.ckpt-10");
  EXPECT_EQ(PrefixFromBundleFilename("/x/m.ckpt"), std::nullopt);
  EXPECT_EQ(PrefixFromBundleFilename("/x/m.data-0a-of-1"), std::nullopt);
}

// What a reader gets from `prefix`: the value of "v", or -1 with `why`.
float ReadV(io::Env* env, const std::string& prefix, std::string* why) {
  auto r = BundleReader::Open(env, prefix);
  if (!r.ok()) {
    *why = r.status().ToString();
    return -1;
  }
  auto v = (*r)->Lookup("v");
  auto s = (*r)->Lookup("s");
  if (!v.ok() || !s.ok()) {
    *why = (v.ok() ? s.status() : v.status()).ToString();
    return -1;
  }
  const float got = v->flat<float>()[0];
  for (int64_t i = 0; i < v->num_elements(); ++i) {
    if (v->flat<float>()[i] != got) {
      *why = "mixed values";
      return -1;
    }
  }
  return got;
}

// A save over an existing checkpoint crashes at each of its mutating
// operations in turn (the count taken on that same kind of save), with each
// number of its unsynced creates/renames/deletes surviving and unsynced
// bytes lost. Right after the crash a reader must get the whole old or the
// whole new checkpoint (the new one if the save reported success); then a
// recovery, itself crashed at each of its operations and run again, must
// leave the same one and no parked files.
TEST(BundleWriter, CrashAtEveryOperationOfAnOverwrite) {
  auto write = [](io::Env* env, float value) {
    BundleWriter w(env, "/ck/model");
    Status s = w.Add("v", Tensor::FromVector<float>(tensorflow::DT_FLOAT, TensorShape{1000},
                                                    std::vector<float>(1000, value)));
    if (s.ok()) s = w.Add("s", Tensor::FromStrings(TensorShape{2}, {"x", "y"}));
    return s.ok() ? w.Finish() : s;
  };
  int64_t ops = 0;
  {
    io::MemEnv mem;
    ASSERT_TRUE(write(&mem, 1.0f).ok());
    io::FaultInjectionEnv probe(&mem);
    ASSERT_TRUE(write(&probe, 2.0f).ok());
    ops = probe.operations();
  }
  ASSERT_GT(ops, 6);
  int crashes = 0, faulted_ops = 0, recovery_crashes = 0;
  for (int64_t i = 0; i <= ops; ++i) {
    for (size_t keep = 0;; ++keep) {
      io::MemEnv mem;
      ASSERT_TRUE(write(&mem, 1.0f).ok());
      io::FaultInjectionEnv env(&mem);
      env.FailAfter(i < ops ? i : -1);
      const Status s = write(&env, 2.0f);
      const size_t unsynced = env.unsynced_operations();
      ASSERT_EQ(s.ok(), i == ops) << "op " << i << ": " << s;
      ASSERT_TRUE(env.Crash(keep).ok());
      mem.DropUnsyncedData();
      ++crashes;
      if (keep == 0) ++faulted_ops;
      const std::string at = StrCat("crash at op ", i, " of ", ops, " keeping ", keep, " of ",
                                    unsynced, " unsynced namespace ops");
      std::string why;
      const float seen = ReadV(&mem, "/ck/model", &why);
      ASSERT_TRUE(seen == 1.0f || seen == 2.0f) << at << ": reader got " << why;
      if (s.ok()) {
        EXPECT_EQ(seen, 2.0f) << at;
      }
      // Parked files outliving their (dead) save are what validate reports.
      auto reported = InterruptedSaveFiles(&mem, "/ck/model");
      ASSERT_TRUE(reported.ok());
      std::sort(reported->begin(), reported->end());
      EXPECT_EQ(*reported, *mem.Glob("/ck/model*.tfckpt-old")) << at;
      // Recovery crashing at each of its own operations, then run again.
      for (int64_t j = 0;; ++j) {
        io::MemEnv copy;
        const std::vector<std::string> files = *mem.Glob("/ck/*");
        for (const std::string& f : files) copy.PutFile(f, *mem.ReadFileToString(f));
        io::FaultInjectionEnv renv(&copy);
        renv.FailAfter(j);
        const Status rs = RecoverInterruptedSave(&renv, "/ck/model");
        const bool done = rs.ok();
        ASSERT_TRUE(done || rs.code() == StatusCode::kUnavailable) << at << ": " << rs;
        if (!done) {
          EXPECT_NE(rs.message().find("the previous checkpoint is parked as /ck/model.index"
                                      ".tfckpt-old"),
                    std::string::npos)
              << rs;
        }
        ASSERT_LT(j, 100) << at;
        ASSERT_TRUE(renv.Crash(0).ok());
        if (!done) ++recovery_crashes;
        ASSERT_EQ(ReadV(&copy, "/ck/model", &why), seen) << at << ", recovery op " << j << ": "
                                                           << why;
        ASSERT_TRUE(RecoverInterruptedSave(&copy, "/ck/model").ok()) << at;
        ASSERT_EQ(ReadV(&copy, "/ck/model", &why), seen) << at << ", recovery op " << j << ": "
                                                           << why;
        EXPECT_TRUE(copy.Glob("/ck/*.tfckpt-old")->empty()) << at;
        EXPECT_FALSE(copy.FileExists("/ck/model.index.tfckpt-old")) << at;
        if (done) break;
      }
      if (keep >= unsynced) break;
    }
  }
  // Every operation of the overwrite, including the index rename that
  // publishes it, was faulted.
  EXPECT_EQ(faulted_ops, ops + 1);
  std::printf("%lld operations per overwrite, %d crashes, %d crashed recoveries\n",
              static_cast<long long>(ops), crashes, recovery_crashes);
}

// `tfckpt convert P P`: read every tensor of P and write them back to P
// (here with another alignment, so the new files differ from the old).
Status RewriteInPlace(io::Env* env, const std::string& prefix, int alignment) {
  TFCKPT_ASSIGN_OR_RETURN(std::unique_ptr<BundleReader> r, BundleReader::Open(env, prefix));
  TFCKPT_ASSIGN_OR_RETURN(std::vector<TensorInfo> infos, r->ListTensors());
  BundleWriterOptions options;
  options.data_alignment = alignment;
  BundleWriter w(env, prefix, options);
  for (const TensorInfo& info : infos) {
    TFCKPT_ASSIGN_OR_RETURN(Tensor t, r->Lookup(info.key));
    TFCKPT_RETURN_IF_ERROR(w.Add(info.key, t));
  }
  return w.Finish();
}

// An in-place rewrite crashed at each of its operations (with each number
// of unsynced namespace operations surviving) leaves a prefix that reads
// whole and that the same rewrite, run again, completes.
TEST(BundleWriter, InPlaceRewriteIsCrashSafeAndRerunnable) {
  auto original = [](io::MemEnv* mem) {
    BundleWriter w(mem, "/ck/model");
    ASSERT_TRUE(w.Add("v", Tensor::FromVector<float>(tensorflow::DT_FLOAT, TensorShape{100},
                                                     std::vector<float>(100, 1.0f)))
                    .ok());
    ASSERT_TRUE(w.Add("s", Tensor::FromStrings(TensorShape{2}, {"x", "y"})).ok());
    ASSERT_TRUE(w.Finish().ok());
  };
  int64_t ops = 0;
  {
    io::MemEnv mem;
    original(&mem);
    io::FaultInjectionEnv probe(&mem);
    ASSERT_TRUE(RewriteInPlace(&probe, "/ck/model", 64).ok());
    ops = probe.operations();
  }
  for (int64_t i = 0; i < ops; ++i) {
    for (size_t keep = 0;; ++keep) {
      io::MemEnv mem;
      original(&mem);
      io::FaultInjectionEnv env(&mem);
      env.FailAfter(i);
      EXPECT_FALSE(RewriteInPlace(&env, "/ck/model", 64).ok());
      const size_t unsynced = env.unsynced_operations();
      ASSERT_TRUE(env.Crash(keep).ok());
      mem.DropUnsyncedData();
      const std::string at = StrCat("crash at op ", i, " of ", ops, " keeping ", keep);
      std::string why;
      ASSERT_EQ(ReadV(&mem, "/ck/model", &why), 1.0f) << at << ": " << why;
      const Status again = RewriteInPlace(&mem, "/ck/model", 64);
      ASSERT_TRUE(again.ok()) << at << ": rerun: " << again;
      ASSERT_EQ(ReadV(&mem, "/ck/model", &why), 1.0f) << at << " then rerun: " << why;
      EXPECT_TRUE(mem.Glob("/ck/*.tfckpt-old")->empty()) << at;
      if (keep >= unsynced) break;
    }
  }
}

// The overlap sweep both readers use: a partition along either axis or a
// grid has none; any overlapping pair is found (indexes in order), also in
// a dimension other than the one swept; full extents of a zero-sized
// dimension overlap, as in TF.
TEST(FindOverlappingSlices, PartitionsGridsAndOverlaps) {
  const auto s = [](std::vector<TensorSlice::Extent> e) { return TensorSlice(std::move(e)); };
  size_t a = 9, b = 9;
  std::vector<TensorSlice> rows, grid;
  for (int i = 0; i < 100; ++i) rows.push_back(s({{i, 1}, {0, -1}}));
  EXPECT_FALSE(FindOverlappingSlices(rows, TensorShape{100, 7}, &a, &b));
  for (int i = 0; i < 10; ++i) {
    for (int j = 0; j < 10; ++j) grid.push_back(s({{i * 2, 2}, {j * 3, 3}}));
  }
  EXPECT_FALSE(FindOverlappingSlices(grid, TensorShape{20, 30}, &a, &b));
  grid.push_back(s({{5, 1}, {7, 1}}));  // inside grid[2 * 10 + 2]
  ASSERT_TRUE(FindOverlappingSlices(grid, TensorShape{20, 30}, &a, &b));
  EXPECT_EQ(a, 22u);
  EXPECT_EQ(b, 100u);
  rows.push_back(s({{0, 1}, {3, 1}}));  // inside row 0
  ASSERT_TRUE(FindOverlappingSlices(rows, TensorShape{100, 7}, &a, &b));
  EXPECT_EQ(a, 0u);
  EXPECT_EQ(b, 100u);
  EXPECT_TRUE(FindOverlappingSlices({s({{0, -1}}), s({{0, -1}})}, TensorShape{0}, &a, &b));
}

// state::CheckpointExists (which may not depend on bundle) spells the parked
// index name itself; it must be the one replace.h parks under.
TEST(Replace, StateLayerKnowsTheParkedIndexName) {
  EXPECT_EQ(ParkedName(MetaFilename("d/m")), std::string("d/m") + state::kParkedIndexSuffix);
}

}  // namespace
}  // namespace tfckpt::bundle
