// RapidCheck properties of checkpoint V1 (TensorSlice files;
// docs/TESTING.md lists them with their case counts):
//  - save -> restore is the identity, bit for bit, for every dtype the V1
//    writer accepts (float/double/half with NaN payloads, ±0, denormals,
//    ±inf; integer extremes; bools; complex; strings with NUL bytes,
//    invalid UTF-8 and multi-MiB values), whole tensors and random
//    partitions, in one file or spread over sharded files read by glob;
//  - a tensor partitioned into random slices reads back whole, and any
//    random sub-slice equals the corresponding region;
//  - overwriting a V1 file with a fault injected at a random operation
//    leaves the old file or the new one, whole.
#include <map>
#include <random>
#include <string>
#include <vector>

#include "src/io/mem_env.h"
#include "src/checkpoint_v1/tensor_slice_reader.h"
#include "src/checkpoint_v1/tensor_slice_writer.h"
#include "src/testing/generators.h"

namespace tfckpt::checkpoint_v1 {
namespace {

using tensor::Tensor;
using tensor::TensorShape;
using tensor::TensorSlice;
using tfckpt::testing::CheckpointLimits;
using tfckpt::testing::ReferenceRegion;
using tfckpt::testing::ShowName;
using tfckpt::testing::TensorDiff;
using tfckpt::testing::TensorSpec;

CheckpointLimits V1Limits() {
  CheckpointLimits l;
  l.dtypes = tfckpt::testing::V1Dtypes();
  l.binary_names = false;  // proto3 `string` names must be UTF-8
  return l;
}

struct WriteOp {
  size_t spec = 0;
  int part = -1;  // -1: Add of the whole tensor
};

std::vector<WriteOp> Ops(const std::vector<TensorSpec>& specs, uint64_t shuffle_seed) {
  std::vector<WriteOp> ops;
  for (size_t i = 0; i < specs.size(); ++i) {
    if (specs[i].parts.empty()) {
      ops.push_back({i, -1});
    } else {
      for (size_t p = 0; p < specs[i].parts.size(); ++p) ops.push_back({i, static_cast<int>(p)});
    }
  }
  std::mt19937_64 rng(shuffle_seed);
  std::shuffle(ops.begin(), ops.end(), rng);
  return ops;
}

Status Apply(TensorSliceWriter* w, const std::vector<TensorSpec>& specs, const WriteOp& op) {
  const TensorSpec& s = specs[op.spec];
  if (op.part < 0) return w->Add(s.name, s.value);
  const TensorSlice& slice = s.parts[op.part];
  return w->AddSlice(s.name, s.value.shape(), slice, ReferenceRegion(s.value, slice));
}

// "" if the reader holds exactly `specs` (names, dtypes, shapes, number of
// stored slices, values bit for bit, every probe region), else the first
// difference.
std::string Mismatch(const TensorSliceReader& r, const std::vector<TensorSpec>& specs,
                     const std::vector<std::vector<TensorSlice>>& probes) {
  const auto list = r.ListTensors();
  if (list.size() != specs.size()) {
    return StrCat("reader lists ", list.size(), " tensors, expected ", specs.size());
  }
  for (size_t k = 0; k < specs.size(); ++k) {
    const TensorSpec& s = specs[k];
    SlicedTensorInfo info;
    if (!r.HasTensor(s.name, &info)) return StrCat("missing ", ShowName(s.name));
    if (info.dtype != s.value.dtype() || info.shape != s.value.shape()) {
      return StrCat(ShowName(s.name), ": dtype/shape ", tensor::DataTypeName(info.dtype), " ",
                    info.shape.DebugString());
    }
    if (info.slices.size() != std::max<size_t>(1, s.parts.size())) {
      return StrCat(ShowName(s.name), ": ", info.slices.size(), " stored slices, expected ",
                    std::max<size_t>(1, s.parts.size()));
    }
    SliceError e;
    auto got = r.Lookup(s.name, &e);
    if (!got.ok()) return StrCat("Lookup ", ShowName(s.name), ": ", got.status().ToString());
    const std::string diff = TensorDiff(s.value, *got);
    if (!diff.empty()) return StrCat("Lookup ", ShowName(s.name), ": ", diff);
    for (const TensorSlice& probe : probes[k]) {
      auto region = r.LookupSlice(s.name, probe, &e);
      if (!region.ok()) {
        return StrCat("LookupSlice ", ShowName(s.name), " ", probe.DebugString(), ": ",
                      region.status().ToString());
      }
      const std::string d = TensorDiff(ReferenceRegion(s.value, probe), *region);
      if (!d.empty()) return StrCat("LookupSlice ", ShowName(s.name), " ", probe.DebugString(), ": ", d);
    }
  }
  return "";
}

void CheckContents(const TensorSliceReader& r, const std::vector<TensorSpec>& specs,
                   const std::vector<std::vector<TensorSlice>>& probes) {
  const std::string m = Mismatch(r, specs, probes);
  if (!m.empty()) RC_FAIL(m);
}

std::vector<std::vector<TensorSlice>> GenProbes(const std::vector<TensorSpec>& specs, int max) {
  std::vector<std::vector<TensorSlice>> probes;
  for (const TensorSpec& s : specs) {
    probes.push_back(*rc::gen::container<std::vector<TensorSlice>>(
        static_cast<size_t>(*rc::gen::inRange(0, max + 1)),
        tfckpt::testing::GenSubSlice(s.value.shape())));
  }
  return probes;
}

std::string ShardName(const std::string& base, int i, int n) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "-%05d-of-%05d", i, n);
  return base + buf;
}

// save -> restore is the identity, in one file or in sharded files.
TFCKPT_PROPERTY(TensorSliceProperty, RoundTrip, 500) {
  const auto specs = *tfckpt::testing::GenCheckpoint(V1Limits());
  const int files = *rc::gen::weightedElement<int>({{5, 1}, {2, 2}, {2, 3}, {1, 5}});
  const auto ops = Ops(specs, *rc::gen::arbitrary<uint64_t>());
  const auto file_of =
      *rc::gen::container<std::vector<uint32_t>>(ops.size(), rc::gen::arbitrary<uint32_t>());
  const auto probes = GenProbes(specs, 3);
  RC_TAG(StrCat(files, " file(s)"));

  io::MemEnv env;
  std::string pattern = "/ckpt/model.ckpt";
  for (int f = 0; f < files; ++f) {
    const std::string name = files == 1 ? pattern : ShardName("/ckpt/model.ckpt", f, files);
    TensorSliceWriter w(&env, name);
    for (size_t k = 0; k < ops.size(); ++k) {
      if (static_cast<int>(file_of[k] % files) != f) continue;
      const Status s = Apply(&w, specs, ops[k]);
      if (!s.ok()) RC_FAIL(StrCat("write ", ShowName(specs[ops[k].spec].name), ": ", s.ToString()));
    }
    const Status s = w.Finish();
    if (!s.ok()) RC_FAIL(StrCat("Finish: ", s.ToString()));
  }
  if (files > 1) pattern = StrCat("/ckpt/model.ckpt-?????-of-", ShardName("", 0, files).substr(10));
  SliceError e;
  auto r = TensorSliceReader::Open(&env, pattern, &e);
  if (!r.ok()) {
    RC_FAIL(StrCat("Open ", pattern, ": ", r.status().ToString(), " (",
                   SliceErrorKindName(e.kind), ")"));
  }
  RC_ASSERT(static_cast<int>((*r)->files().size()) == files);
  CheckContents(**r, specs, probes);
}

// A partitioned tensor reads back whole and by random regions.
TFCKPT_PROPERTY(TensorSliceProperty, PartitionedTensorSlices, 200) {
  const TensorSpec spec = *tfckpt::testing::GenPartitionedTensor(tfckpt::testing::V1Dtypes(),
                                                                 /*binary_name=*/false);
  const TensorShape& shape = spec.value.shape();
  const std::vector<TensorSpec> specs = {spec};
  const auto ops = Ops(specs, *rc::gen::arbitrary<uint64_t>());
  std::vector<std::vector<TensorSlice>> probes = {
      *rc::gen::container<std::vector<TensorSlice>>(8, tfckpt::testing::GenSubSlice(shape))};
  for (const TensorSlice& p : spec.parts) probes[0].push_back(p);
  probes[0].push_back(TensorSlice(shape.rank()));
  RC_TAG(StrCat(spec.parts.size(), " part(s) of rank ", shape.rank()));

  io::MemEnv env;
  TensorSliceWriter w(&env, "/ckpt/p");
  for (const WriteOp& op : ops) {
    const Status s = Apply(&w, specs, op);
    if (!s.ok()) RC_FAIL(StrCat("write: ", s.ToString()));
  }
  RC_ASSERT(w.Finish().ok());
  auto r = TensorSliceReader::Open(&env, "/ckpt/p");
  RC_ASSERT(r.ok());
  CheckContents(**r, specs, probes);
}

// Overwriting a V1 file: a fault at any mutating operation (then power
// loss) leaves the old file or the new one, whole; a save that reported
// success left the new one.
TFCKPT_PROPERTY(TensorSliceProperty, OverwriteWithFaultKeepsOldOrNew, 300) {
  CheckpointLimits limits = V1Limits();
  limits.max_tensors = 4;
  limits.values.huge_string_percent = 0;
  const auto old_specs = *tfckpt::testing::GenCheckpoint(limits);
  const auto new_specs = *tfckpt::testing::GenCheckpoint(limits);
  const auto old_ops = Ops(old_specs, 1);
  const auto new_ops = Ops(new_specs, 2);
  const bool power_loss = *rc::gen::arbitrary<bool>();
  const auto write = [&](io::Env* env, const std::vector<TensorSpec>& specs,
                         const std::vector<WriteOp>& ops) {
    TensorSliceWriter w(env, "/ckpt/model.ckpt");
    for (const WriteOp& op : ops) {
      const Status s = Apply(&w, specs, op);
      if (!s.ok()) return s;
    }
    return w.Finish();
  };
  // Count the operations of the second save.
  int64_t total = 0;
  {
    io::MemEnv mem;
    RC_ASSERT(write(&mem, old_specs, old_ops).ok());
    io::FaultInjectionEnv probe(&mem);
    RC_ASSERT(write(&probe, new_specs, new_ops).ok());
    total = probe.operations();
  }
  const int64_t fail_at = *tfckpt::testing::GenFaultPoint(total);
  RC_TAG(fail_at == total ? "no fault" : "fault");

  io::MemEnv mem;
  RC_ASSERT(write(&mem, old_specs, old_ops).ok());
  io::FaultInjectionEnv env(&mem);
  env.FailAfter(fail_at < total ? fail_at : -1);
  const Status saved = write(&env, new_specs, new_ops);
  if (power_loss) mem.DropUnsyncedData();
  auto r = TensorSliceReader::Open(&mem, "/ckpt/model.ckpt");
  if (!r.ok()) RC_FAIL(StrCat("after a fault at op ", fail_at, ": ", r.status().ToString()));
  const std::string vs_new =
      Mismatch(**r, new_specs, std::vector<std::vector<TensorSlice>>(new_specs.size()));
  const std::string vs_old =
      Mismatch(**r, old_specs, std::vector<std::vector<TensorSlice>>(old_specs.size()));
  if (saved.ok() && !vs_new.empty()) RC_FAIL(StrCat("the save succeeded but: ", vs_new));
  if (!vs_new.empty() && !vs_old.empty()) {
    RC_FAIL(StrCat("fault at op ", fail_at, " (", saved.ToString(), "): neither new (", vs_new,
                   ") nor old (", vs_old, ")"));
  }
}

}  // namespace
}  // namespace tfckpt::checkpoint_v1
