// Damaged and hostile V1 files: every byte flip and truncation of a real
// file is reported (never a crash, never silently different values), and
// hand-built tables exercise every SliceErrorKind a file can cause.
#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "proto/saved_tensor_slice.pb.h"
#include "src/io/mem_env.h"
#include "src/checkpoint_v1/slice_data.h"
#include "src/checkpoint_v1/tensor_slice_reader.h"
#include "src/checkpoint_v1/tensor_slice_writer.h"
#include "src/table/table.h"
#include "src/table/table_builder.h"

namespace tfckpt::checkpoint_v1 {
namespace {

using tensor::Tensor;
using tensor::TensorShape;
using tensor::TensorSlice;
using tensorflow::SavedTensorSlices;

TensorSlice Slice(const std::string& text) { return *TensorSlice::Parse(text); }

// A small file with a scalar, a string tensor and a two-slice tensor.
std::string SmallCheckpoint(io::MemEnv* env) {
  TensorSliceWriter w(env, "/c/small");
  EXPECT_TRUE(w.Add("a", Tensor::FromVector<float>(tensorflow::DT_FLOAT, TensorShape{}, {0.5f}))
                  .ok());
  EXPECT_TRUE(w.Add("s", Tensor::FromStrings(TensorShape{2}, {"x", "yz"})).ok());
  EXPECT_TRUE(w.AddSlice("p", TensorShape{3}, Slice("0,1"),
                         Tensor::FromVector<int8_t>(tensorflow::DT_INT8, TensorShape{1}, {-3}))
                  .ok());
  EXPECT_TRUE(w.AddSlice("p", TensorShape{3}, Slice("1,2"),
                         Tensor::FromVector<int8_t>(tensorflow::DT_INT8, TensorShape{2}, {4, 5}))
                  .ok());
  EXPECT_TRUE(w.Finish().ok());
  return *env->ReadFileToString("/c/small");
}

// Opens the file and reads every tensor; the values, or the first error.
StatusOr<std::vector<Tensor>> ReadEverything(io::Env* env, const std::string& path) {
  TFCKPT_ASSIGN_OR_RETURN(auto r, TensorSliceReader::Open(env, path));
  std::vector<Tensor> out;
  for (const SlicedTensorInfo& info : r->ListTensors()) {
    TFCKPT_ASSIGN_OR_RETURN(Tensor t, r->Lookup(info.name));
    out.push_back(std::move(t));
  }
  return out;
}

bool SameTensors(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!a[i].BitwiseEquals(b[i])) return false;
  }
  return true;
}

TEST(TensorSliceCorruption, EveryByteFlipIsDetectedOutsideFooterPadding) {
  io::MemEnv env;
  const std::string clean = SmallCheckpoint(&env);
  auto good = ReadEverything(&env, "/c/small");
  ASSERT_TRUE(good.ok()) << good.status();
  ASSERT_EQ(good->size(), 3u);
  // The footer's padding: after both handles, up to byte 40 of the footer.
  auto table = table::Table::Open(*env.NewRandomAccessFile("/c/small"));
  ASSERT_TRUE(table.ok());
  const size_t footer = clean.size() - table::kFooterLength;
  const size_t padding_begin = footer + (*table)->footer().metaindex_handle.Encode().size() +
                               (*table)->footer().index_handle.Encode().size();
  const size_t padding_end = footer + 2 * table::kMaxBlockHandleLength;
  int detected = 0, padding = 0, noncanonical = 0;
  for (size_t i = 0; i < clean.size(); ++i) {
    for (unsigned char mask : {0x01, 0x80, 0xff}) {
      std::string bad = clean;
      bad[i] = static_cast<char>(bad[i] ^ mask);
      env.PutFile("/c/bad", bad);
      auto got = ReadEverything(&env, "/c/bad");
      if (i >= padding_begin && i < padding_end) {
        // TF never checks these bytes; neither does the reader.
        ASSERT_TRUE(got.ok()) << "byte " << i << ": " << got.status();
        EXPECT_TRUE(SameTensors(*got, *good));
        ++padding;
      } else if (got.ok()) {
        // The one other unchecked spot (TF ignores it too): setting the
        // continuation bit of a footer handle's last byte, when a zero
        // padding byte follows, re-encodes the same value in a longer form.
        auto t = table::Table::Open(*env.NewRandomAccessFile("/c/bad"));
        ASSERT_TRUE(t.ok());
        EXPECT_FALSE((*t)->footer().handles_canonical)
            << "flip of byte " << i << " (mask " << int(mask) << ") went unnoticed";
        EXPECT_TRUE(SameTensors(*got, *good));
        ++noncanonical;
      } else {
        ++detected;
      }
    }
  }
  EXPECT_GT(detected, 600);
  EXPECT_GT(padding, 0);
  EXPECT_LE(noncanonical, 2);
}

TEST(TensorSliceCorruption, EveryTruncationIsDetected) {
  io::MemEnv env;
  const std::string clean = SmallCheckpoint(&env);
  for (size_t n = 0; n < clean.size(); ++n) {
    env.PutFile("/c/cut", clean.substr(0, n));
    SliceError e;
    auto r = TensorSliceReader::Open(&env, "/c/cut", &e);
    ASSERT_FALSE(r.ok()) << "truncated to " << n;
    EXPECT_EQ(e.kind, SliceErrorKind::kTable) << n;
  }
  // Not a table at all.
  env.PutFile("/c/text", std::string(100, 'x'));
  SliceError e;
  auto r = TensorSliceReader::Open(&env, "/c/text", &e);
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(e.kind, SliceErrorKind::kTable);
  EXPECT_EQ(e.table_error.kind, table::TableErrorKind::kBadMagic);
  EXPECT_NE(r.status().message().find("perhaps your file is in a different file format"),
            std::string::npos);
}

// ---------------------------------------------------------------------------
// Hand-built tables.

class Crafted : public ::testing::Test {
 protected:
  // Writes a table of `records` (sorted here) to `path`.
  void Write(const std::string& path, std::vector<std::pair<std::string, std::string>> records) {
    std::sort(records.begin(), records.end());
    auto file = env_.NewWritableFile(path);
    ASSERT_TRUE(file.ok());
    table::TableBuilder b(table::Options(), file->get());
    for (const auto& [k, v] : records) ASSERT_TRUE(b.Add(k, v).ok());
    ASSERT_TRUE(b.Finish().ok());
    ASSERT_TRUE((*file)->Close().ok());
  }

  static tensorflow::SavedSliceMeta* AddMeta(SavedTensorSlices* sts, const std::string& name,
                                             tensorflow::DataType dtype,
                                             const std::vector<int64_t>& dims,
                                             const std::vector<std::string>& slices) {
    auto* m = sts->mutable_meta()->add_tensor();
    m->set_name(name);
    m->set_type(dtype);
    m->mutable_shape();
    for (int64_t d : dims) m->mutable_shape()->add_dim()->set_size(d);
    for (const std::string& s : slices) Slice(s).ToProto(m->add_slice());
    return m;
  }
  static SavedTensorSlices Meta() {
    SavedTensorSlices sts;
    sts.mutable_meta()->mutable_versions()->set_producer(1);
    return sts;
  }
  static std::pair<std::string, std::string> Record(const std::string& name,
                                                    const std::string& slice,
                                                    const tensorflow::TensorProto& data) {
    SavedTensorSlices sts;
    sts.mutable_data()->set_name(name);
    Slice(slice).ToProto(sts.mutable_data()->mutable_slice());
    *sts.mutable_data()->mutable_data() = data;
    return {tensor::EncodeTensorNameSlice(name, Slice(slice)), sts.SerializeAsString()};
  }
  static tensorflow::TensorProto Floats(std::vector<float> v) {
    tensorflow::TensorProto p;
    for (float f : v) p.add_float_val(f);
    return p;
  }

  // Opens `path`; expects failure of `kind` and returns the message.
  std::string ExpectOpenError(const std::string& path, SliceErrorKind kind,
                              const ReaderOptions& options = {}) {
    SliceError e;
    auto r = TensorSliceReader::Open(&env_, path, &e, options);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(e.kind, kind) << SliceErrorKindName(e.kind) << ": " << r.status();
    EXPECT_EQ(e.message, r.status().message());
    return std::string(r.status().message());
  }
  // Opens `path` without record checks; expects Lookup(name) to fail with `kind`.
  std::string ExpectLookupError(const std::string& path, const std::string& name,
                                SliceErrorKind kind) {
    ReaderOptions lazy;
    lazy.verify_records = false;
    auto r = TensorSliceReader::Open(&env_, path, nullptr, lazy);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return "";
    SliceError e;
    auto t = (*r)->Lookup(name, &e);
    EXPECT_FALSE(t.ok());
    EXPECT_EQ(e.kind, kind) << SliceErrorKindName(e.kind) << ": " << t.status();
    return std::string(t.status().message());
  }

  io::MemEnv env_;
};

TEST_F(Crafted, ValidFileReads) {
  SavedTensorSlices meta = Meta();
  AddMeta(&meta, "v", tensorflow::DT_FLOAT, {2}, {"-"});
  Write("/c/f", {{"", meta.SerializeAsString()}, Record("v", "-", Floats({1, 2}))});
  auto r = TensorSliceReader::Open(&env_, "/c/f");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)->Lookup("v")->flat<float>()[1], 2.0f);
}

TEST_F(Crafted, MissingOrBadMeta) {
  Write("/c/empty", {});
  EXPECT_NE(ExpectOpenError("/c/empty", SliceErrorKind::kMissingMeta)
                .find("Failed to find the saved tensor slices at the beginning of the "
                      "checkpoint file: /c/empty"),
            std::string::npos);
  Write("/c/nometa", {Record("v", "-", Floats({1, 2}))});
  ExpectOpenError("/c/nometa", SliceErrorKind::kMissingMeta);
  Write("/c/garbage", {{"", "\xff\xff\xff"}});
  ExpectOpenError("/c/garbage", SliceErrorKind::kBadMeta);
  Write("/c/datameta", {{"", Record("v", "-", Floats({1})).second}});
  ExpectOpenError("/c/datameta", SliceErrorKind::kBadMeta);
  SavedTensorSlices meta = Meta();
  AddMeta(&meta, "v", tensorflow::DT_FLOAT, {2}, {});
  Write("/c/noslices", {{"", meta.SerializeAsString()}});
  ExpectOpenError("/c/noslices", SliceErrorKind::kBadMeta);
}

TEST_F(Crafted, Versions) {
  SavedTensorSlices meta = Meta();
  meta.mutable_meta()->mutable_versions()->set_min_consumer(2);
  Write("/c/f", {{"", meta.SerializeAsString()}});
  EXPECT_NE(ExpectOpenError("/c/f", SliceErrorKind::kVersionUnsupported)
                .find("Checkpoint min consumer version 2 above current version 1"),
            std::string::npos);
  meta = Meta();
  meta.mutable_meta()->mutable_versions()->add_bad_consumers(1);
  Write("/c/g", {{"", meta.SerializeAsString()}});
  ExpectOpenError("/c/g", SliceErrorKind::kVersionUnsupported);
}

TEST_F(Crafted, BadShapesDtypesSlices) {
  const auto one = [&](const std::string& path, tensorflow::DataType dtype,
                       std::vector<int64_t> dims, std::vector<std::string> slices,
                       SliceErrorKind kind) {
    SavedTensorSlices meta = Meta();
    AddMeta(&meta, "v", dtype, dims, slices);
    Write(path, {{"", meta.SerializeAsString()}});
    return ExpectOpenError(path, kind);
  };
  one("/c/negdim", tensorflow::DT_FLOAT, {-2}, {"-"}, SliceErrorKind::kInvalidShape);
  one("/c/overflow", tensorflow::DT_FLOAT, {int64_t{1} << 40, int64_t{1} << 40}, {"-:-"},
      SliceErrorKind::kInvalidShape);
  one("/c/invalid", tensorflow::DT_INVALID, {2}, {"-"}, SliceErrorKind::kUnknownDtype);
  one("/c/ref", tensorflow::DT_FLOAT_REF, {2}, {"-"}, SliceErrorKind::kUnknownDtype);
  one("/c/999", static_cast<tensorflow::DataType>(999), {2}, {"-"},
      SliceErrorKind::kUnknownDtype);
  one("/c/bf16", tensorflow::DT_BFLOAT16, {2}, {"-"}, SliceErrorKind::kUnsupportedDtype);
  one("/c/resource", tensorflow::DT_RESOURCE, {2}, {"-"}, SliceErrorKind::kUnsupportedDtype);
  one("/c/rank", tensorflow::DT_FLOAT, {2}, {"-:-"}, SliceErrorKind::kBadSlice);
  one("/c/past", tensorflow::DT_FLOAT, {2}, {"1,2"}, SliceErrorKind::kBadSlice);
  EXPECT_NE(one("/c/overlap", tensorflow::DT_FLOAT, {4}, {"0,2", "1,2"},
                SliceErrorKind::kDuplicateSlice)
                .find("Overlapping slices: existing slice = 0,2, new slice = 1,2"),
            std::string::npos);
  one("/c/dup", tensorflow::DT_FLOAT, {4}, {"0,2", "0,2"}, SliceErrorKind::kDuplicateSlice);
  one("/c/fullpart", tensorflow::DT_FLOAT, {4, 3}, {"2,2:-", "-:1,1"},
      SliceErrorKind::kDuplicateSlice);
  one("/c/scalar2", tensorflow::DT_FLOAT, {}, {"", ""}, SliceErrorKind::kDuplicateSlice);
  one("/c/empty2", tensorflow::DT_FLOAT, {0}, {"-", "-"}, SliceErrorKind::kDuplicateSlice);
  // A negative start (BuildTensorSlice's check).
  SavedTensorSlices meta = Meta();
  auto* m = AddMeta(&meta, "v", tensorflow::DT_FLOAT, {4}, {});
  auto* e = m->add_slice()->add_extent();
  e->set_start(-1);
  e->set_length(2);
  Write("/c/negstart", {{"", meta.SerializeAsString()}});
  ExpectOpenError("/c/negstart", SliceErrorKind::kBadSlice);
}

TEST_F(Crafted, InconsistentMetaAcrossFiles) {
  for (int shard = 0; shard < 2; ++shard) {
    SavedTensorSlices meta = Meta();
    AddMeta(&meta, "v", tensorflow::DT_FLOAT, {shard == 0 ? 4 : 5},
            {shard == 0 ? "0,2" : "2,2"});
    Write("/c/s-0000" + std::to_string(shard) + "-of-00002", {{"", meta.SerializeAsString()}});
  }
  EXPECT_NE(ExpectOpenError("/c/s-*-of-00002", SliceErrorKind::kInconsistentMeta)
                .find("Incompatible tensor shapes detected for tensor v: existing = [4], "
                      "new = [5]"),
            std::string::npos);
  SavedTensorSlices meta = Meta();
  AddMeta(&meta, "v", tensorflow::DT_FLOAT, {4}, {"0,2"});
  AddMeta(&meta, "v", tensorflow::DT_INT32, {4}, {"2,2"});
  Write("/c/types", {{"", meta.SerializeAsString()}});
  EXPECT_NE(ExpectOpenError("/c/types", SliceErrorKind::kInconsistentMeta)
                .find("Incompatible tensor types detected for tensor v: existing = float, "
                      "new = int32"),
            std::string::npos);
}

TEST_F(Crafted, RecordProblems) {
  SavedTensorSlices meta = Meta();
  AddMeta(&meta, "v", tensorflow::DT_FLOAT, {2}, {"-"});
  const std::string m = meta.SerializeAsString();
  const auto good = Record("v", "-", Floats({1, 2}));

  Write("/c/nodata", {{"", m}});
  EXPECT_NE(ExpectOpenError("/c/nodata", SliceErrorKind::kMissingData)
                .find("Failed to seek to the record for tensor v, slice -"),
            std::string::npos);
  ExpectLookupError("/c/nodata", "v", SliceErrorKind::kMissingData);

  Write("/c/badkey", {{"", m}, good, {"\x01junk", good.second}});
  ExpectOpenError("/c/badkey", SliceErrorKind::kBadSliceKey);
  Write("/c/unlisted", {{"", m}, good, Record("w", "-", Floats({1, 2}))});
  ExpectOpenError("/c/unlisted", SliceErrorKind::kBadSliceKey);

  Write("/c/garbage", {{"", m}, {good.first, "\xff\xff"}});
  ExpectOpenError("/c/garbage", SliceErrorKind::kBadRecord);
  ExpectLookupError("/c/garbage", "v", SliceErrorKind::kBadRecord);
  Write("/c/name", {{"", m}, {good.first, Record("w", "-", Floats({1, 2})).second}});
  ExpectOpenError("/c/name", SliceErrorKind::kBadRecord);
  Write("/c/slice", {{"", m}, {good.first, Record("v", "0,2", Floats({1, 2})).second}});
  ExpectOpenError("/c/slice", SliceErrorKind::kBadRecord);
  Write("/c/meta", {{"", m}, {good.first, m}});
  ExpectOpenError("/c/meta", SliceErrorKind::kBadRecord);
  tensorflow::TensorProto extra = Floats({1, 2});
  extra.set_dtype(tensorflow::DT_FLOAT);
  Write("/c/extra", {{"", m}, Record("v", "-", extra)});
  EXPECT_NE(ExpectOpenError("/c/extra", SliceErrorKind::kBadRecord).find("also sets dtype"),
            std::string::npos);

  Write("/c/short", {{"", m}, Record("v", "-", Floats({1}))});
  EXPECT_NE(ExpectOpenError("/c/short", SliceErrorKind::kSizeMismatch)
                .find("slice of shape [2] (2 elements) holds 1 float_val values"),
            std::string::npos);
  ExpectLookupError("/c/short", "v", SliceErrorKind::kSizeMismatch);
  Write("/c/long", {{"", m}, Record("v", "-", Floats({1, 2, 3}))});
  ExpectOpenError("/c/long", SliceErrorKind::kSizeMismatch);
}

TEST_F(Crafted, ValueChecksPerDtype) {
  const auto one = [&](const std::string& path, tensorflow::DataType dtype,
                       const tensorflow::TensorProto& data) {
    SavedTensorSlices meta = Meta();
    AddMeta(&meta, "v", dtype, {2}, {"-"});
    Write(path, {{"", meta.SerializeAsString()}, Record("v", "-", data)});
  };
  tensorflow::TensorProto p;
  p.add_int_val(300);
  p.add_int_val(1);
  one("/c/int8", tensorflow::DT_INT8, p);
  EXPECT_NE(ExpectOpenError("/c/int8", SliceErrorKind::kValueOutOfRange)
                .find("int_val[0] = 300 is outside the range [-128, 127] of int8"),
            std::string::npos);
  one("/c/uint8", tensorflow::DT_UINT8, p);
  ExpectOpenError("/c/uint8", SliceErrorKind::kValueOutOfRange);
  one("/c/int16", tensorflow::DT_INT16, p);  // 300 fits
  EXPECT_TRUE(TensorSliceReader::Open(&env_, "/c/int16").ok());
  tensorflow::TensorProto h;
  h.add_half_val(-1);
  h.add_half_val(0x3c00);
  one("/c/half", tensorflow::DT_HALF, h);
  ExpectOpenError("/c/half", SliceErrorKind::kValueOutOfRange);
  tensorflow::TensorProto c;
  c.add_scomplex_val(1);
  c.add_scomplex_val(2);
  c.add_scomplex_val(3);
  one("/c/complex", tensorflow::DT_COMPLEX64, c);
  ExpectOpenError("/c/complex", SliceErrorKind::kSizeMismatch);
  // uint32 / uint64: TF's writer refuses them, its reader (and ours) reads them.
  tensorflow::TensorProto u;
  u.add_uint32_val(7);
  u.add_uint32_val(0xffffffffu);
  one("/c/u32", tensorflow::DT_UINT32, u);
  auto r = TensorSliceReader::Open(&env_, "/c/u32");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)->Lookup("v")->flat<uint32_t>()[1], 0xffffffffu);
  tensorflow::TensorProto u64;
  u64.add_uint64_val(~uint64_t{0});
  u64.add_uint64_val(1);
  one("/c/u64", tensorflow::DT_UINT64, u64);
  r = TensorSliceReader::Open(&env_, "/c/u64");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)->Lookup("v")->flat<uint64_t>()[0], ~uint64_t{0});
}

// A meta claiming an enormous tensor backed by a tiny record: rejected from
// the record's own size, nothing of the claimed size is allocated.
TEST_F(Crafted, HugeClaimsAreNotAllocated) {
  for (auto dtype : {tensorflow::DT_FLOAT, tensorflow::DT_STRING, tensorflow::DT_COMPLEX128}) {
    SavedTensorSlices meta = Meta();
    AddMeta(&meta, "v", dtype, {int64_t{1} << 30, int64_t{1} << 30}, {"-:-"});
    AddMeta(&meta, "w", dtype, {int64_t{1} << 40}, {"0,4", "4,1099511627772"});
    tensorflow::TensorProto small;
    if (dtype == tensorflow::DT_STRING) {
      small.add_string_val("x");
    } else if (dtype == tensorflow::DT_FLOAT) {
      small.add_float_val(1);
    } else {
      small.add_dcomplex_val(1);
      small.add_dcomplex_val(2);
    }
    Write("/c/huge", {{"", meta.SerializeAsString()}, Record("v", "-:-", small),
                      Record("w", "0,4", small), Record("w", "4,1099511627772", small)});
    ExpectOpenError("/c/huge", SliceErrorKind::kSizeMismatch);
    ExpectLookupError("/c/huge", "v", SliceErrorKind::kSizeMismatch);
    ExpectLookupError("/c/huge", "w", SliceErrorKind::kSizeMismatch);
  }
}

// Many slices of one tensor: the overlap check must not be quadratic.
TEST_F(Crafted, ManySlicesOpenQuickly) {
  constexpr int kSlices = 200000;
  SavedTensorSlices meta = Meta();
  std::vector<std::string> slices;
  for (int i = kSlices - 1; i >= 0; --i) slices.push_back(std::to_string(i) + ",1:-");
  AddMeta(&meta, "v", tensorflow::DT_FLOAT, {kSlices, 3}, slices);
  Write("/c/many", {{"", meta.SerializeAsString()}});
  ReaderOptions lazy;
  lazy.verify_records = false;
  auto r = TensorSliceReader::Open(&env_, "/c/many", nullptr, lazy);
  ASSERT_TRUE(r.ok()) << r.status();
  SlicedTensorInfo info;
  ASSERT_TRUE((*r)->HasTensor("v", &info));
  EXPECT_EQ(info.slices.size(), static_cast<size_t>(kSlices));
}

}  // namespace
}  // namespace tfckpt::checkpoint_v1
