#include "bench/hostile_files.h"

#include <functional>
#include <utility>

#include "proto/tensor_bundle.pb.h"
#include "src/bundle/bundle_writer.h"
#include "src/bundle/naming.h"
#include "src/io/env.h"
#include "src/checkpoint_v1/tensor_slice_writer.h"
#include "src/table/table.h"
#include "src/table/table_builder.h"
#include "src/tensor/tensor.h"
#include "src/tensor/tensor_slice.h"

namespace tfckpt::bench {
namespace {

using tensor::Tensor;
using tensor::TensorShape;
using tensor::TensorSlice;
using Records = std::vector<std::pair<std::string, std::string>>;

Tensor Floats(int64_t n, float seed) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = seed + static_cast<float>(i % 997);
  return Tensor::FromVector(tensorflow::DT_FLOAT, TensorShape{n}, v);
}

StatusOr<Records> ReadRecords(io::Env* env, const std::string& path) {
  TFCKPT_ASSIGN_OR_RETURN(auto file, env->NewRandomAccessFile(path));
  TFCKPT_ASSIGN_OR_RETURN(auto table, table::Table::Open(std::move(file)));
  Records out;
  table::Table::Iterator it = table->NewIterator();
  for (it.SeekToFirst(); it.Valid(); it.Next()) out.emplace_back(it.key(), it.value());
  TFCKPT_RETURN_IF_ERROR(it.status());
  return out;
}

// Writes `records` (sorted) as a table at `path` through TableBuilder.
Status WriteRecords(io::Env* env, const std::string& path, const Records& records,
                    const table::Options& options = {}) {
  TFCKPT_ASSIGN_OR_RETURN(auto file, env->NewWritableFile(path));
  table::TableBuilder builder(options, file.get());
  for (const auto& [k, v] : records) TFCKPT_RETURN_IF_ERROR(builder.Add(k, v));
  TFCKPT_RETURN_IF_ERROR(builder.Finish());
  return file->Close();
}

// A valid one-tensor bundle at `prefix`, whose index records are then
// rewritten by `edit` (parsed header and entry protos, re-serialised).
Status EditedBundle(io::Env* env, const std::string& prefix, const Tensor& t,
                    const std::function<Status(Records*)>& edit) {
  {
    bundle::BundleWriter w(env, prefix);
    TFCKPT_RETURN_IF_ERROR(w.Add("v", t));
    TFCKPT_RETURN_IF_ERROR(w.Finish());
  }
  const std::string index = bundle::MetaFilename(prefix);
  TFCKPT_ASSIGN_OR_RETURN(Records records, ReadRecords(env, index));
  TFCKPT_RETURN_IF_ERROR(edit(&records));
  return WriteRecords(env, index, records);
}

StatusOr<uint64_t> DiskBytes(io::Env* env, const std::string& dir, const std::string& base) {
  TFCKPT_ASSIGN_OR_RETURN(std::vector<std::string> names, env->GetChildren(dir));
  uint64_t total = 0;
  for (const std::string& n : names) {
    if (n.rfind(base, 0) != 0) continue;
    TFCKPT_ASSIGN_OR_RETURN(uint64_t size, env->GetFileSize(io::JoinPath(dir, n)));
    total += size;
  }
  return total;
}

Status ClearDir(io::Env* env, const std::string& dir) {
  TFCKPT_RETURN_IF_ERROR(env->CreateDirRecursively(dir));
  TFCKPT_ASSIGN_OR_RETURN(std::vector<std::string> names, env->GetChildren(dir));
  for (const std::string& n : names) TFCKPT_RETURN_IF_ERROR(env->DeleteFile(io::JoinPath(dir, n)));
  return OkStatus();
}

}  // namespace

HostileSizes TinyHostileSizes() {
  HostileSizes s;
  s.real_bytes = 64 << 10;
  s.shared_range_entries = 4;
  s.shared_range_bytes = 4 << 10;
  s.slices = 16;
  s.block_entries = 100;
  return s;
}

StatusOr<std::vector<HostileFile>> WriteHostileFiles(const std::string& dir,
                                                     const HostileSizes& s) {
  io::Env* env = io::Env::Default();
  std::vector<HostileFile> out;
  const auto add = [&](std::string name, std::string what, std::string path,
                       bool expect_defects) -> Status {
    TFCKPT_ASSIGN_OR_RETURN(uint64_t bytes, DiskBytes(env, io::JoinPath(dir, name), "c"));
    out.push_back(HostileFile{std::move(name), std::move(what), std::move(path), bytes, expect_defects});
    return OkStatus();
  };
  const auto case_dir = [&](const std::string& name) -> StatusOr<std::string> {
    const std::string d = io::JoinPath(dir, name);
    TFCKPT_RETURN_IF_ERROR(ClearDir(env, d));
    return io::JoinPath(d, "c");
  };

  {  // The index of issue 16 finding 3: 2^20 shards claimed, none present.
    TFCKPT_ASSIGN_OR_RETURN(std::string p, case_dir("huge_shards"));
    TFCKPT_RETURN_IF_ERROR(EditedBundle(env, p, Floats(2, 0), [](Records* r) {
      tensorflow::BundleHeaderProto h;
      if (!h.ParseFromString((*r)[0].second)) return InternalError("header");
      h.set_num_shards(1 << 20);
      (*r)[0].second = h.SerializeAsString();
      return OkStatus();
    }));
    TFCKPT_RETURN_IF_ERROR(env->DeleteFile(bundle::DataFilename(p, 0, 1)));
    TFCKPT_RETURN_IF_ERROR(add("huge_shards", "index claiming num_shards = 2^20, no data file", p, true));
  }
  {  // Shapes and sizes far beyond the file: 2^40 floats, a 2^50-byte string tensor.
    TFCKPT_ASSIGN_OR_RETURN(std::string p, case_dir("huge_claims"));
    TFCKPT_RETURN_IF_ERROR(EditedBundle(env, p, Floats(2, 0), [](Records* r) {
      tensorflow::BundleEntryProto e;
      if (!e.ParseFromString(r->back().second)) return InternalError("entry");
      e.mutable_shape()->clear_dim();
      e.mutable_shape()->add_dim()->set_size(int64_t{1} << 20);
      e.mutable_shape()->add_dim()->set_size(int64_t{1} << 20);
      e.set_size(int64_t{1} << 42);
      r->back().second = e.SerializeAsString();
      tensorflow::BundleEntryProto str = e;
      str.set_dtype(tensorflow::DT_STRING);
      str.mutable_shape()->clear_dim();
      str.mutable_shape()->add_dim()->set_size(int64_t{1} << 40);
      str.set_size(int64_t{1} << 50);
      r->emplace_back("w", str.SerializeAsString());
      return OkStatus();
    }));
    TFCKPT_RETURN_IF_ERROR(add("huge_claims",
                               "entries claiming [2^20, 2^20] floats (2^42 bytes) and 2^40 "
                               "strings (2^50 bytes) in an 8-byte data file",
                               p, true));
  }
  {  // Many entries claiming the same bytes: OVERLAPPING_DATA, each byte
     // checksummed once (it cost one read per entry before).
    TFCKPT_ASSIGN_OR_RETURN(std::string p, case_dir("shared_range"));
    const int n = s.shared_range_entries;
    TFCKPT_RETURN_IF_ERROR(EditedBundle(
        env, p, Floats(static_cast<int64_t>(s.shared_range_bytes / 4), 1), [n](Records* r) {
          const std::string entry = r->back().second;
          r->pop_back();
          for (int i = 0; i < n; ++i) r->emplace_back(StrCat("k", 100000 + i), entry);
          return OkStatus();
        }));
    TFCKPT_RETURN_IF_ERROR(add("shared_range",
                               StrCat(n, " entries all claiming the same ",
                                      s.shared_range_bytes >> 10, " KiB tensor"),
                               p, true));
  }
  {  // A V2 partitioned tensor of many one-element slices.
    TFCKPT_ASSIGN_OR_RETURN(std::string p, case_dir("many_slices_v2"));
    bundle::BundleWriter w(env, p);
    const TensorShape full{s.slices};
    for (int i = 0; i < s.slices; ++i) {
      TFCKPT_RETURN_IF_ERROR(w.AddSlice("p", full, TensorSlice({{i, 1}}), Floats(1, i)));
    }
    TFCKPT_RETURN_IF_ERROR(w.Finish());
    TFCKPT_RETURN_IF_ERROR(add("many_slices_v2",
                               StrCat("V2 partitioned tensor of ", s.slices, " one-element slices"),
                               p, false));
  }
  {  // The same in a V1 TensorSlice file.
    TFCKPT_ASSIGN_OR_RETURN(std::string p, case_dir("many_slices_v1"));
    checkpoint_v1::TensorSliceWriter w(env, p);
    const TensorShape full{s.slices};
    for (int i = 0; i < s.slices; ++i) {
      TFCKPT_RETURN_IF_ERROR(w.AddSlice("p", full, TensorSlice({{i, 1}}), Floats(1, i)));
    }
    TFCKPT_RETURN_IF_ERROR(w.Finish());
    TFCKPT_RETURN_IF_ERROR(add("many_slices_v1",
                               StrCat("V1 file, one tensor in ", s.slices, " one-element slices"),
                               p, false));
  }
  {  // Every entry in one data block with a single restart point: a lookup
     // in it is a linear scan.
    TFCKPT_ASSIGN_OR_RETURN(std::string p, case_dir("huge_block"));
    {
      bundle::BundleWriter w(env, p);
      for (int i = 0; i < s.block_entries; ++i) {
        TFCKPT_RETURN_IF_ERROR(w.Add(StrCat("layer_", 1000000 + i), Floats(1, i)));
      }
      TFCKPT_RETURN_IF_ERROR(w.Finish());
    }
    const std::string index = bundle::MetaFilename(p);
    TFCKPT_ASSIGN_OR_RETURN(Records records, ReadRecords(env, index));
    table::Options o;
    o.block_size = size_t{1} << 30;
    o.block_restart_interval = 1 << 30;
    TFCKPT_RETURN_IF_ERROR(WriteRecords(env, index, records, o));
    TFCKPT_RETURN_IF_ERROR(add("huge_block",
                               StrCat(s.block_entries, " scalar entries in one index data block "
                                      "with one restart point"),
                               p, false));
  }
  {  // For comparison: a real checkpoint, 10 float tensors.
    TFCKPT_ASSIGN_OR_RETURN(std::string p, case_dir("real"));
    bundle::BundleWriter w(env, p);
    for (int i = 0; i < 10; ++i) {
      TFCKPT_RETURN_IF_ERROR(
          w.Add(StrCat("layer_", i, "/kernel"), Floats(static_cast<int64_t>(s.real_bytes / 40), i)));
    }
    TFCKPT_RETURN_IF_ERROR(w.Finish());
    TFCKPT_RETURN_IF_ERROR(add("real",
                               StrCat("a real checkpoint: 10 float tensors, ",
                                      s.real_bytes >> 20, " MiB"),
                               p, false));
  }
  return out;
}

}  // namespace tfckpt::bench
