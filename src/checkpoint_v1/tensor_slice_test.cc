// Round trips through TensorSliceWriter / TensorSliceReader in memory:
// every V1 dtype, scalars and zero-sized shapes, partitioned tensors,
// sharded files found by glob, writer refusals, atomic replacement.
#include <cstring>

#include "gtest/gtest.h"
#include "proto/saved_tensor_slice.pb.h"
#include "src/bundle/test_tensors.h"
#include "src/io/mem_env.h"
#include "src/checkpoint_v1/slice_data.h"
#include "src/checkpoint_v1/tensor_slice_reader.h"
#include "src/checkpoint_v1/tensor_slice_writer.h"
#include "src/table/table.h"

namespace tfckpt::checkpoint_v1 {
namespace {

using tensor::DataType;
using tensor::Tensor;
using tensor::TensorShape;
using tensor::TensorSlice;

constexpr DataType kWritable[] = {
    tensorflow::DT_FLOAT,  tensorflow::DT_DOUBLE,    tensorflow::DT_INT32,
    tensorflow::DT_UINT8,  tensorflow::DT_INT16,     tensorflow::DT_INT8,
    tensorflow::DT_STRING, tensorflow::DT_COMPLEX64, tensorflow::DT_INT64,
    tensorflow::DT_BOOL,   tensorflow::DT_QINT8,     tensorflow::DT_QUINT8,
    tensorflow::DT_QINT32, tensorflow::DT_UINT16,    tensorflow::DT_COMPLEX128,
    tensorflow::DT_HALF,
};

TensorSlice Slice(const std::string& text) { return *TensorSlice::Parse(text); }

std::unique_ptr<TensorSliceReader> MustOpen(io::Env* env, const std::string& pattern) {
  SliceError e;
  auto r = TensorSliceReader::Open(env, pattern, &e);
  EXPECT_TRUE(r.ok()) << r.status() << " kind " << SliceErrorKindName(e.kind);
  return r.ok() ? std::move(*r) : nullptr;
}

TEST(TensorSliceRoundTrip, EveryDtypeAndShape) {
  io::MemEnv env;
  TensorSliceWriter w(&env, "/ckpt/model.ckpt");
  std::vector<std::pair<std::string, Tensor>> saved;
  uint64_t seed = 1;
  for (DataType dt : kWritable) {
    for (const TensorShape& shape : {TensorShape{}, TensorShape{0}, TensorShape{3, 0},
                                     TensorShape{2, 3}, TensorShape{7}, TensorShape{2, 1, 2, 2}}) {
      const std::string name = tensor::DataTypeName(dt) + "/" + shape.DebugString();
      Tensor t = bundle::testing::MakeTensor(dt, shape, seed++);
      ASSERT_TRUE(w.Add(name, t).ok()) << name;
      saved.emplace_back(name, t);
    }
  }
  ASSERT_TRUE(w.Finish().ok());
  auto r = MustOpen(&env, "/ckpt/model.ckpt");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->ListTensors().size(), saved.size());
  for (const auto& [name, t] : saved) {
    auto got = r->Lookup(name);
    ASSERT_TRUE(got.ok()) << name << ": " << got.status();
    EXPECT_TRUE(got->BitwiseEquals(t)) << name << ": " << got->DebugString() << " vs "
                                       << t.DebugString();
    SlicedTensorInfo info;
    ASSERT_TRUE(r->HasTensor(name, &info));
    EXPECT_EQ(info.dtype, t.dtype());
    EXPECT_EQ(info.shape, t.shape());
    ASSERT_EQ(info.slices.size(), 1u);
    EXPECT_TRUE(info.slices[0].slice.IsFull());
  }
}

TEST(TensorSliceRoundTrip, RecordLayoutMatchesTheSpec) {
  io::MemEnv env;
  TensorSliceWriter w(&env, "/c/f");
  ASSERT_TRUE(w.Add("a", Tensor::FromVector<float>(tensorflow::DT_FLOAT, TensorShape{}, {0.5f}))
                  .ok());
  ASSERT_TRUE(w.Add("b", Tensor::FromVector<int8_t>(tensorflow::DT_INT8, TensorShape{2}, {-1, 7}))
                  .ok());
  auto records = w.Records();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].first, "");
  tensorflow::SavedTensorSlices meta;
  ASSERT_TRUE(meta.ParseFromString(records[0].second));
  EXPECT_EQ(meta.meta().versions().producer(), 1);
  EXPECT_EQ(meta.meta().versions().min_consumer(), 0);
  ASSERT_EQ(meta.meta().tensor_size(), 2);
  EXPECT_EQ(meta.meta().tensor(0).name(), "a");
  // Scalar key: 00 | "a" 00 01 | rank 0. 1-D full: ... | 01 01 | 80 7f.
  EXPECT_EQ(records[1].first, std::string("\x00" "a\x00\x01\x00", 5));
  EXPECT_EQ(records[2].first, std::string("\x00" "b\x00\x01\x01\x01\x80\x7f", 8));
  tensorflow::SavedTensorSlices b;
  ASSERT_TRUE(b.ParseFromString(records[2].second));
  EXPECT_EQ(b.data().data().int_val_size(), 2);
  EXPECT_EQ(b.data().data().int_val(0), -1);
  EXPECT_EQ(b.data().data().dtype(), 0);
  EXPECT_FALSE(b.data().data().has_tensor_shape());
}

TEST(TensorSliceRoundTrip, PartitionedTensor) {
  io::MemEnv env;
  std::vector<float> all(50);
  for (int i = 0; i < 50; ++i) all[i] = static_cast<float>(i);
  const TensorShape full{10, 5};
  TensorSliceWriter w(&env, "/c/p");
  // Rows 0..3 and 4..9, written in reverse order.
  std::vector<float> top(all.begin(), all.begin() + 20), bottom(all.begin() + 20, all.end());
  ASSERT_TRUE(w.AddSlice("w", full, Slice("4,6:-"),
                         Tensor::FromVector(tensorflow::DT_FLOAT, TensorShape{6, 5}, bottom))
                  .ok());
  ASSERT_TRUE(w.AddSlice("w", full, Slice("0,4:-"),
                         Tensor::FromVector(tensorflow::DT_FLOAT, TensorShape{4, 5}, top))
                  .ok());
  EXPECT_EQ(w.num_tensors(), 1);
  EXPECT_EQ(w.num_slices(), 2);
  ASSERT_TRUE(w.Finish().ok());
  auto r = MustOpen(&env, "/c/p");
  ASSERT_NE(r, nullptr);
  auto whole = r->Lookup("w");
  ASSERT_TRUE(whole.ok()) << whole.status();
  EXPECT_TRUE(whole->BitwiseEquals(Tensor::FromVector(tensorflow::DT_FLOAT, full, all)));
  // A region across both slices: rows 3..5, columns 1..2.
  auto region = r->LookupSlice("w", Slice("3,3:1,2"));
  ASSERT_TRUE(region.ok()) << region.status();
  EXPECT_TRUE(region->BitwiseEquals(
      Tensor::FromVector<float>(tensorflow::DT_FLOAT, TensorShape{3, 2}, {16, 17, 21, 22, 26, 27})));
  // Exactly one stored slice, and an equivalent spelling of the full slice.
  EXPECT_TRUE(r->LookupSlice("w", Slice("0,4:-"))->BitwiseEquals(
      Tensor::FromVector(tensorflow::DT_FLOAT, TensorShape{4, 5}, top)));
  EXPECT_TRUE(r->LookupSlice("w", Slice("0,10:0,5"))->BitwiseEquals(*whole));
  // Meta lists slices in the order added.
  auto list = r->ListTensors();
  ASSERT_EQ(list.size(), 1u);
  ASSERT_EQ(list[0].slices.size(), 2u);
  EXPECT_EQ(list[0].slices[0].slice.DebugString(), "4,6:-");
  // Out of shape: a request error.
  SliceError e;
  EXPECT_EQ(r->LookupSlice("w", Slice("9,2:-"), &e).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(e.kind, SliceErrorKind::kInvalidRequest);
}

TEST(TensorSliceRoundTrip, PartitionedStringTensor) {
  io::MemEnv env;
  TensorSliceWriter w(&env, "/c/s");
  ASSERT_TRUE(w.AddSlice("s", TensorShape{2, 2}, Slice("-:1,1"),
                         Tensor::FromStrings(TensorShape{2, 1}, {"b", "d"}))
                  .ok());
  ASSERT_TRUE(w.AddSlice("s", TensorShape{2, 2}, Slice("-:0,1"),
                         Tensor::FromStrings(TensorShape{2, 1}, {"a", std::string("c\0", 2)}))
                  .ok());
  ASSERT_TRUE(w.Finish().ok());
  auto r = MustOpen(&env, "/c/s");
  ASSERT_NE(r, nullptr);
  auto t = r->Lookup("s");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->strings(), (std::vector<std::string>{"a", "b", std::string("c\0", 2), "d"}));
}

TEST(TensorSliceRoundTrip, MissingSlicesAndNotFound) {
  io::MemEnv env;
  TensorSliceWriter w(&env, "/c/m");
  ASSERT_TRUE(w.AddSlice("w", TensorShape{4}, Slice("0,2"),
                         Tensor::FromVector<int32_t>(tensorflow::DT_INT32, TensorShape{2}, {1, 2}))
                  .ok());
  ASSERT_TRUE(w.Finish().ok());
  auto r = MustOpen(&env, "/c/m");
  ASSERT_NE(r, nullptr);
  SliceError e;
  auto whole = r->Lookup("w", &e);
  EXPECT_EQ(whole.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(e.kind, SliceErrorKind::kMissingSlices);
  EXPECT_NE(whole.status().message().find("Does not have sufficient slices for tensor w"),
            std::string::npos);
  EXPECT_TRUE(r->LookupSlice("w", Slice("1,1"))->BitwiseEquals(
      Tensor::FromVector<int32_t>(tensorflow::DT_INT32, TensorShape{1}, {2})));
  auto missing = r->Lookup("nope", &e);
  EXPECT_EQ(missing.status(), NotFoundError("nope not found in checkpoint file"));
  EXPECT_EQ(e.kind, SliceErrorKind::kNotFound);
}

TEST(TensorSliceRoundTrip, ShardedFilesThroughGlob) {
  io::MemEnv env;
  const TensorShape full{6, 2};
  std::vector<int64_t> all{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  for (int shard = 0; shard < 3; ++shard) {
    TensorSliceWriter w(&env, "/d/model.ckpt-0000" + std::to_string(shard) + "-of-00003");
    std::vector<int64_t> part(all.begin() + 4 * shard, all.begin() + 4 * shard + 4);
    ASSERT_TRUE(w.AddSlice("emb", full, Slice(std::to_string(2 * shard) + ",2:-"),
                           Tensor::FromVector(tensorflow::DT_INT64, TensorShape{2, 2}, part))
                    .ok());
    ASSERT_TRUE(w.Add("own" + std::to_string(shard),
                      Tensor::FromVector<double>(tensorflow::DT_DOUBLE, TensorShape{}, {shard + 0.5}))
                    .ok());
    ASSERT_TRUE(w.Finish().ok());
  }
  env.PutFile("/d/model.ckpt-00000-of-00003.tempstate123", "junk");  // not matched
  auto r = MustOpen(&env, "/d/model.ckpt-?????" "-of-00003");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->files().size(), 3u);
  EXPECT_EQ(r->ListTensors().size(), 4u);
  auto emb = r->Lookup("emb");
  ASSERT_TRUE(emb.ok()) << emb.status();
  EXPECT_TRUE(emb->BitwiseEquals(Tensor::FromVector(tensorflow::DT_INT64, full, all)));
  EXPECT_EQ(*r->Lookup("own2")->flat<double>(), 2.5);
  SlicedTensorInfo info;
  ASSERT_TRUE(r->HasTensor("emb", &info));
  ASSERT_EQ(info.slices.size(), 3u);
  EXPECT_EQ(info.slices[2].file, 2);

  // A single shard alone lacks the other slices.
  auto one = MustOpen(&env, "/d/model.ckpt-00001-of-00003");
  ASSERT_NE(one, nullptr);
  EXPECT_EQ(one->Lookup("emb").status().code(), StatusCode::kInvalidArgument);
  // No match at all.
  SliceError e;
  auto none = TensorSliceReader::Open(&env, "/d/other-?????" "-of-00003", &e);
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(e.kind, SliceErrorKind::kNotFound);
  EXPECT_NE(none.status().message().find("Failed to find any matching files for"),
            std::string::npos);
}

TEST(TensorSliceRoundTrip, SameSliceInTwoShardsIsRejected) {
  io::MemEnv env;
  for (int shard = 0; shard < 2; ++shard) {
    TensorSliceWriter w(&env, "/c/x-0000" + std::to_string(shard) + "-of-00002");
    ASSERT_TRUE(w.Add("v", Tensor::FromVector<float>(tensorflow::DT_FLOAT, TensorShape{2},
                                                     {1.0f, 2.0f}))
                    .ok());
    ASSERT_TRUE(w.Finish().ok());
  }
  SliceError e;
  auto r = TensorSliceReader::Open(&env, "/c/x-?????" "-of-00002", &e);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(e.kind, SliceErrorKind::kDuplicateSlice);
  EXPECT_NE(r.status().message().find("Overlapping slices: existing slice = -, new slice = -"),
            std::string::npos)
      << r.status();
}

TEST(TensorSliceWriter, RefusesWhatTensorFlowRefuses) {
  io::MemEnv env;
  TensorSliceWriter w(&env, "/c/r");
  const auto add = [&](DataType dt) {
    return w.Add("t", bundle::testing::MakeTensor(dt, TensorShape{2}, 1));
  };
  EXPECT_EQ(add(tensorflow::DT_BFLOAT16),
            UnimplementedError("Saving data type bfloat16 not yet supported"));
  EXPECT_EQ(add(tensorflow::DT_QINT16),
            UnimplementedError("Saving data type qint16 not yet supported"));
  EXPECT_EQ(add(tensorflow::DT_QUINT16),
            UnimplementedError("Saving data type quint16 not yet supported"));
  EXPECT_EQ(add(tensorflow::DT_UINT32),
            InvalidArgumentError("Tensor slice serialization not implemented for dtype 22"));
  EXPECT_EQ(add(tensorflow::DT_UINT64),
            InvalidArgumentError("Tensor slice serialization not implemented for dtype 23"));
  EXPECT_EQ(w.num_tensors(), 0);

  const Tensor f2 = Tensor::FromVector<float>(tensorflow::DT_FLOAT, TensorShape{2}, {1, 2});
  ASSERT_TRUE(w.AddSlice("v", TensorShape{4}, Slice("0,2"), f2).ok());
  EXPECT_EQ(w.AddSlice("v", TensorShape{5}, Slice("0,2"), f2),
            InternalError("Mismatching shapes: existing tensor = [4], trying to add name v, "
                          "shape = [5]"));
  EXPECT_EQ(w.AddSlice("v", TensorShape{4}, Slice("2,2"),
                       Tensor::FromVector<int32_t>(tensorflow::DT_INT32, TensorShape{2}, {1, 2})),
            InternalError("Mismatching types: existing type = float, trying to add name v, "
                          "type = int32"));
  EXPECT_EQ(w.AddSlice("v", TensorShape{4, 1}, Slice("0,2"), f2),
            InternalError("Incompatible tensor shape and slice: shape = [4,1], slice = 0,2"));
  EXPECT_EQ(w.AddSlice("u", TensorShape{4}, Slice("3,2"), f2),
            InternalError("Extent in dimension 0 out of bounds: shape = [4], slice = 3,2"));
  EXPECT_EQ(w.AddSlice("v", TensorShape{4}, Slice("1,2"), f2).code(),
            StatusCode::kInvalidArgument);  // overlaps 0,2
  EXPECT_EQ(w.AddSlice("v", TensorShape{4}, Slice("2,1"), f2).code(),
            StatusCode::kInvalidArgument);  // data shape [2] != [1]
  EXPECT_EQ(w.num_tensors(), 1);
  EXPECT_EQ(w.num_slices(), 1);
  ASSERT_TRUE(w.AddSlice("v", TensorShape{4}, Slice("2,2"), f2).ok());
  ASSERT_TRUE(w.Finish().ok());
  EXPECT_EQ(w.Finish().code(), StatusCode::kFailedPrecondition);
  auto r = MustOpen(&env, "/c/r");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->ListTensors().size(), 1u);
}

TEST(TensorSliceWriter, SizeGuardLikeTensorFlow) {
  io::MemEnv env;
  TensorSliceWriter w(&env, "/c/big");
  // 2^29 floats: 2 GiB of values. The guard fires before any value is read,
  // so a borrowed one-byte buffer stands in for the data.
  static const char dummy[64] = {};
  const Tensor big = Tensor::Borrow(tensorflow::DT_FLOAT, TensorShape{int64_t{1} << 29}, dummy,
                                    nullptr);
  // SavedSlice{name "big", slice {extent {}}} is 9 bytes; + 1024 + 4 * 2^29.
  EXPECT_EQ(w.Add("big", big),
            InvalidArgumentError("Tensor slice is too large to serialize (conservative "
                                 "estimate: 2147484681 bytes)"));
  EXPECT_EQ(w.num_tensors(), 0);
}

TEST(TensorSliceWriter, SaveTensorsSortsNamesAndParsesSlices) {
  io::MemEnv env;
  const Tensor a = Tensor::FromVector<float>(tensorflow::DT_FLOAT, TensorShape{2}, {1, 2});
  const Tensor b = Tensor::FromVector<float>(tensorflow::DT_FLOAT, TensorShape{1, 2}, {3, 4});
  ASSERT_TRUE(SaveTensors(&env, "/c/st", {"zeta", "alpha"}, {a, b}, {"", "3 2 1,1:-"}).ok());
  auto r = MustOpen(&env, "/c/st");
  ASSERT_NE(r, nullptr);
  auto list = r->ListTensors();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].shape, (TensorShape{3, 2}));
  // Meta order is the sorted name order.
  TensorSliceWriter sorted(&env, "/c/unused");
  ASSERT_TRUE(sorted.AddSlice("alpha", TensorShape{3, 2}, Slice("1,1:-"), b).ok());
  ASSERT_TRUE(sorted.Add("zeta", a).ok());
  EXPECT_EQ(*env.ReadFileToString("/c/st"), [&] {
    EXPECT_TRUE(sorted.Finish().ok());
    return *env.ReadFileToString("/c/unused");
  }());
  EXPECT_EQ(SaveTensors(&env, "/c/st2", {"a"}, {a}, {"3 1,1"}),
            InvalidArgumentError("Slice in shape_and_slice specification does not match the "
                                 "shape of the tensor to  save: 3 1,1, tensor: [2]"));
  EXPECT_FALSE(env.FileExists("/c/st2"));
}

TEST(TensorSliceWriter, FailedSaveLeavesThePreviousFileIntact) {
  io::MemEnv base;
  const Tensor v1 = Tensor::FromVector<float>(tensorflow::DT_FLOAT, TensorShape{3}, {1, 2, 3});
  const Tensor v2 = Tensor::FromVector<float>(tensorflow::DT_FLOAT, TensorShape{3}, {4, 5, 6});
  ASSERT_TRUE(SaveTensors(&base, "/c/model.ckpt", {"v"}, {v1}).ok());
  const std::string before = *base.ReadFileToString("/c/model.ckpt");
  int64_t ops = 0;
  std::string after;
  {
    // Counted on the same kind of save: over an existing file.
    io::MemEnv probe_base;
    ASSERT_TRUE(SaveTensors(&probe_base, "/c/model.ckpt", {"v"}, {v1}).ok());
    io::FaultInjectionEnv counter(&probe_base);
    ASSERT_TRUE(SaveTensors(&counter, "/c/model.ckpt", {"v"}, {v2}).ok());
    after = *probe_base.ReadFileToString("/c/model.ckpt");
    ops = counter.operations();
  }
  ASSERT_GT(ops, 1);
  for (int64_t k = 0; k <= ops; ++k) {
    // With each number of the unsynced creates/renames/deletes surviving a
    // power loss (a rename is durable only once the directory is synced).
    for (size_t keep = 0;; ++keep) {
      io::MemEnv mem;
      ASSERT_TRUE(SaveTensors(&mem, "/c/model.ckpt", {"v"}, {v1}).ok());
      io::FaultInjectionEnv env(&mem);
      env.FailAfter(k < ops ? k : -1);
      Status s = SaveTensors(&env, "/c/model.ckpt", {"v"}, {v2});
      ASSERT_EQ(s.ok(), k == ops) << k;
      const size_t unsynced = env.unsynced_operations();
      ASSERT_TRUE(env.Crash(keep).ok());
      mem.DropUnsyncedData();
      const std::string now = *mem.ReadFileToString("/c/model.ckpt");
      if (s.ok()) {
        EXPECT_EQ(now, after) << "an acknowledged save was lost, keeping " << keep;
      } else {
        // Old or new (a failed directory sync after the rename), never partial.
        EXPECT_TRUE(now == before || now == after) << "failure at op " << k << ", keeping " << keep;
      }
      // (Temp files may remain: the injected failure also hits their deletion,
      // as after a crash.)
      EXPECT_NE(MustOpen(&mem, "/c/model.ckpt"), nullptr);
      if (keep >= unsynced) break;
    }
  }
}

}  // namespace
}  // namespace tfckpt::checkpoint_v1
