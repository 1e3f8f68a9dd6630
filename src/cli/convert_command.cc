// tfckpt convert IN OUT: rewrite a checkpoint in another layout.
//
// Every tensor of IN (any PATH `inspect` accepts: V2 prefix, V1 file or
// shard glob, checkpoint directory, SavedModel) is written to OUT as a V2
// bundle (one data file: sharded inputs are merged) or a V1 TensorSlice file.
// Partitioned tensors keep their slices unless --merge-slices; the V2 options
// of bundle::BundleWriterOptions (byte order, alignment, index compression)
// are exposed. The writers replace an existing OUT crash-safely (temp files
// + rename), so converting a checkpoint onto itself is allowed: IN is read
// through mappings that stay valid while OUT's files are renamed over it.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "src/bundle/bundle_writer.h"
#include "src/cli/checkpoint_source.h"
#include "src/cli/commands.h"
#include "src/cli/exit_codes.h"
#include "src/cli/progress.h"
#include "src/safetensors/safetensors_writer.h"
#include "src/checkpoint_v1/tensor_slice_reader.h"
#include "src/checkpoint_v1/tensor_slice_writer.h"

namespace tfckpt::cli {
namespace {

struct ConvertOptions {
  std::string in, out, format = "v2", index_compression = "none";
  bool big_endian = false, merge_slices = false;
  int alignment = 1;
};

// One tensor as stored in IN: whole, or its slices.
struct SourceTensor {
  TensorSummary summary;
  std::vector<tensor::TensorSlice> slices;  // empty: whole
};

StatusOr<std::vector<SourceTensor>> ListSource(const Checkpoint& ckpt, bool merge_slices) {
  std::vector<SourceTensor> out;
  if (ckpt.format() == CheckpointFormat::kV2) {
    TFCKPT_ASSIGN_OR_RETURN(std::vector<bundle::TensorInfo> infos, ckpt.v2()->ListTensors());
    for (auto& info : infos) {
      SourceTensor t{{info.key, info.dtype, info.shape}, {}};
      if (!merge_slices) t.slices = std::move(info.slices);
      out.push_back(std::move(t));
    }
  } else {
    for (auto& info : ckpt.v1()->ListTensors()) {
      SourceTensor t{{info.name, info.dtype, info.shape}, {}};
      // One stored slice covering the tensor is a whole tensor.
      bool whole = info.slices.size() == 1 && info.slices[0].slice.CoversAll(info.shape);
      if (!merge_slices && !whole) {
        for (const auto& s : info.slices) t.slices.push_back(s.slice);
      }
      out.push_back(std::move(t));
    }
  }
  return out;
}

StatusOr<tensor::Tensor> ReadSlice(const Checkpoint& ckpt, const std::string& name,
                                   const tensor::TensorSlice& slice) {
  if (ckpt.format() == CheckpointFormat::kV2) return ckpt.v2()->LookupSlice(name, slice);
  return ckpt.v1()->LookupSlice(name, slice);
}

// "<OUT>: tensor "<name>": <message>".
Status AboutTensor(const std::string& out, const std::string& name, const Status& s) {
  return Status(s.code(), WithFile(out, StrCat("tensor \"", DisplayName(name), "\": ",
                                                s.message())));
}

// Adds every tensor through `add_whole` / `add_slice`; returns the number of
// slices written.
template <typename Writer>
StatusOr<int> CopyTensors(const Checkpoint& ckpt, const std::vector<SourceTensor>& tensors,
                          const std::string& out, Writer& writer, Progress* progress) {
  int slices = 0;
  uint64_t total = 0, done = 0;
  for (const SourceTensor& t : tensors) total += WorkBytes(t.summary.dtype, t.summary.shape);
  for (const SourceTensor& t : tensors) {
    progress->Update(done, total);
    done += WorkBytes(t.summary.dtype, t.summary.shape);
    const std::string& name = t.summary.name;
    if (t.slices.empty()) {
      TFCKPT_ASSIGN_OR_RETURN(tensor::Tensor value, ckpt.Lookup(name));
      Status s = writer.Add(name, value);
      if (!s.ok()) return AboutTensor(out, name, s);
      continue;
    }
    for (const tensor::TensorSlice& slice : t.slices) {
      auto value = ReadSlice(ckpt, name, slice);
      if (!value.ok()) {
        return Status(value.status().code(),
                      WithFile(ckpt.resolved().prefix,
                               StrCat("tensor \"", DisplayName(name), "\" slice ",
                                      slice.DebugString(), ": ", value.status().message())));
      }
      Status s = writer.AddSlice(name, t.summary.shape, slice, *value);
      if (!s.ok()) return AboutTensor(out, name, s);
      ++slices;
    }
  }
  progress->Update(total, total);
  return slices;
}

// Every tensor, whole (partitioned ones assembled), under its TF name.
StatusOr<std::string> ConvertToSafetensors(const ConvertOptions& o, Progress* progress) {
  io::Env* env = io::Env::Default();
  TFCKPT_ASSIGN_OR_RETURN(std::unique_ptr<Checkpoint> ckpt, Checkpoint::Open(env, o.in));
  TFCKPT_ASSIGN_OR_RETURN(std::vector<TensorSummary> tensors, ckpt->List());
  std::vector<safetensors::SafetensorsEntry> entries;
  uint64_t total = 0, done = 0;
  for (const TensorSummary& t : tensors) {
    entries.push_back({t.name, t.dtype, t.shape});
    total += WorkBytes(t.dtype, t.shape);
  }
  TFCKPT_RETURN_IF_ERROR(safetensors::WriteSafetensors(env, o.out, entries, [&](size_t i) {
    progress->Update(done, total);
    done += WorkBytes(tensors[i].dtype, tensors[i].shape);
    return ckpt->Lookup(tensors[i].name);
  }));
  progress->Update(total, total);
  return StrCat("wrote ", o.out, " (safetensors): ", tensors.size(),
                tensors.size() == 1 ? " tensor" : " tensors", " from ", ckpt->Describe());
}

StatusOr<std::string> Convert(const ConvertOptions& o, Progress* progress) {
  if (o.format == "safetensors") return ConvertToSafetensors(o, progress);
  io::Env* env = io::Env::Default();
  TFCKPT_ASSIGN_OR_RETURN(std::unique_ptr<Checkpoint> ckpt, Checkpoint::Open(env, o.in));
  TFCKPT_ASSIGN_OR_RETURN(std::vector<SourceTensor> tensors, ListSource(*ckpt, o.merge_slices));
  int slices = 0;
  if (o.format == "v2") {
    bundle::BundleWriterOptions options;
    options.big_endian = o.big_endian;
    options.data_alignment = o.alignment;
    options.index_compression = o.index_compression == "snappy"
                                    ? table::CompressionType::kSnappy
                                    : table::CompressionType::kNone;
    bundle::BundleWriter writer(env, o.out, options);
    TFCKPT_ASSIGN_OR_RETURN(slices, CopyTensors(*ckpt, tensors, o.out, writer, progress));
    TFCKPT_RETURN_IF_ERROR(writer.Finish());
  } else {
    checkpoint_v1::TensorSliceWriter writer(env, o.out);
    TFCKPT_ASSIGN_OR_RETURN(slices, CopyTensors(*ckpt, tensors, o.out, writer, progress));
    TFCKPT_RETURN_IF_ERROR(writer.Finish());
  }
  return StrCat("wrote ", o.out, " (", o.format == "v2" ? "V2 bundle" : "V1 TensorSlice file",
                "): ", tensors.size(), tensors.size() == 1 ? " tensor" : " tensors",
                slices > 0 ? StrCat(", ", slices, " slices") : std::string(), " from ",
                ckpt->Describe());
}

}  // namespace

void RegisterConvert(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "convert", "Rewrite a checkpoint: V1 <-> V2, merge shards, change byte order, "
                 "alignment or index compression.");
  cmd->footer(
      "Reads every tensor of IN and writes them to OUT: a V2 bundle (OUT is the prefix; one "
      "data file, so sharded inputs are merged) or a V1 TensorSlice file (OUT is the file). "
      "Partitioned tensors keep their slices unless --merge-slices. An existing OUT is "
      "replaced crash-safely (IN may equal OUT). V1 holds fewer dtypes than V2: converting "
      "such a tensor to V1 is an error naming it, and nothing is written. --to safetensors "
      "writes a safetensors file (Hugging Face's format: every tensor whole, TF's names; "
      "strings, complex and quantized dtypes have no safetensors form and are an error).");
  auto o = std::make_shared<ConvertOptions>();
  cmd->add_option("IN", o->in,
                  "checkpoint prefix, .index/.data-* file, V1 file or shard glob, checkpoint "
                  "directory or SavedModel directory")
      ->required();
  cmd->add_option("OUT", o->out, "output prefix (v2) or file (v1, safetensors)")->required();
  cmd->add_option("--format,--to", o->format, "v2 (default), v1 or safetensors")
      ->check(CLI::IsMember({"v1", "v2", "safetensors"}));
  cmd->add_flag("--big-endian", o->big_endian, "v2: write a big-endian bundle");
  cmd->add_option("--alignment", o->alignment, "v2: align each tensor's data to N bytes")
      ->check(CLI::Range(1, 1 << 20));
  cmd->add_option("--index-compression", o->index_compression, "v2: none (default) or snappy")
      ->check(CLI::IsMember({"none", "snappy"}));
  cmd->add_flag("--merge-slices", o->merge_slices,
                "write partitioned tensors whole instead of slice by slice");
  cmd->callback([o, exit_code] {
    const bool v2_options = o->big_endian || o->alignment != 1 || o->index_compression != "none";
    if ((o->format == "v1" && v2_options) || (o->format == "safetensors" && (v2_options || o->merge_slices))) {
      *exit_code = ReportError(
          "convert", InvalidArgumentError(o->format == "v1"
                                              ? "--big-endian, --alignment and --index-compression "
                                                "apply to --format v2 only"
                                              : "--big-endian, --alignment, --index-compression and "
                                                "--merge-slices do not apply to safetensors "
                                                "(tensors are written whole)"));
      return;
    }
    const std::string new_dir = MissingOutputDirectory(io::Env::Default(), o->out);
    Progress progress(StrCat("converting ", o->in), true);
    auto summary = Convert(*o, &progress);
    progress.Clear();
    if (!summary.ok()) {
      *exit_code = ReportError("convert", summary.status());
      return;
    }
    NoteCreatedDirectory("convert", new_dir);
    std::cout << *summary << "\n";
    *exit_code = kExitOk;
  });
}

}  // namespace tfckpt::cli
