#include "src/cli/checkpoint_source.h"

#include <iostream>

#include "src/bundle/entry.h"
#include "src/bundle/naming.h"
#include "src/cli/checkpoint_v1.h"
#include "src/cli/exit_codes.h"
#include "src/cli/suggest.h"
#include "src/path/model_path.h"
#include "src/tensor/tensor_slice.h"

namespace tfckpt::cli {
namespace {

Status Annotate(const Status& s, const bundle::BundleError& e) {
  if (s.ok()) return s;
  std::string msg = s.message();
  if (!e.key.empty() && msg.find(bundle::DisplayKey(e.key)) == std::string::npos) {
    msg = StrCat("tensor ", bundle::DisplayKey(e.key), ": ", msg);
  }
  if (e.offset.has_value() && !e.file.empty() && msg.find("offset") == std::string::npos) {
    msg = StrCat(msg, " (at offset ", *e.offset, ")");
  }
  return Status(s.code(), e.file.empty() ? msg : WithFile(e.file, msg));
}

}  // namespace

std::string WithFile(const std::string& file, const std::string& message) {
  if (file.empty() || message.find(file) != std::string::npos) return message;
  return StrCat(file, ": ", message);
}

int ReportError(std::string_view command, const Status& status) {
  std::cerr << "tfckpt " << command << ": error: " << status.message() << "\n";
  return kExitError;
}

std::string MissingOutputDirectory(io::Env* env, const std::string& out) {
  const std::string dir = io::Dirname(out);
  return dir.empty() || env->IsDirectory(dir) ? "" : dir;
}

void NoteCreatedDirectory(std::string_view command, const std::string& dir) {
  if (!dir.empty()) std::cerr << "tfckpt " << command << ": created directory " << dir << "\n";
}

std::string DisplayName(const std::string& name) { return bundle::DisplayKey(name); }

StatusOr<ResolvedPath> ResolveCheckpointPath(io::Env* env, const std::string& path) {
  TFCKPT_ASSIGN_OR_RETURN(path::ResolvedPath r, path::ResolveCheckpoint(env, path));
  return ResolvedPath{path, r.checkpoint,
                      r.format == path::Format::kV1 ? CheckpointFormat::kV1 : CheckpointFormat::kV2,
                      r.how};
}

Checkpoint::~Checkpoint() = default;

StatusOr<std::unique_ptr<Checkpoint>> Checkpoint::Open(io::Env* env, const std::string& path) {
  TFCKPT_ASSIGN_OR_RETURN(ResolvedPath resolved, ResolveCheckpointPath(env, path));
  std::unique_ptr<Checkpoint> c(new Checkpoint());
  c->resolved_ = std::move(resolved);
  if (c->resolved_.format == CheckpointFormat::kV1) {
    TFCKPT_ASSIGN_OR_RETURN(c->v1_, OpenV1(env, c->resolved_.prefix));
    return c;
  }
  bundle::BundleError e;
  auto r = bundle::BundleReader::Open(env, c->resolved_.prefix, &e);
  if (!r.ok()) return Annotate(r.status(), e);
  c->v2_ = std::move(*r);
  return c;
}

std::string Checkpoint::Describe() const {
  std::string s = StrCat(format() == CheckpointFormat::kV2 ? "V2 prefix " : "V1 checkpoint ",
                         resolved_.prefix);
  if (!resolved_.how.empty()) s += StrCat(" (", resolved_.how, ")");
  return s;
}

std::vector<std::string> Checkpoint::V1Files() const {
  return v1_ != nullptr ? FilesV1(*v1_) : std::vector<std::string>();
}

StatusOr<std::vector<TensorSummary>> Checkpoint::List() const {
  std::vector<TensorSummary> out;
  if (v1_ != nullptr) return ListV1(*v1_);
  bundle::BundleError e;
  auto infos = v2_->ListTensors(&e);
  if (!infos.ok()) return Annotate(infos.status(), e);
  for (const bundle::TensorInfo& i : *infos) out.push_back({i.key, i.dtype, i.shape});
  return out;
}

StatusOr<std::vector<TensorLayout>> Checkpoint::Layout() const {
  if (v1_ != nullptr) return LayoutV1(*v1_);
  std::vector<TensorLayout> out;
  bundle::BundleError e;
  auto infos = v2_->ListTensors(&e);
  if (!infos.ok()) return Annotate(infos.status(), e);
  const auto piece = [&](const std::string& key, std::string slice) -> StatusOr<StoredPiece> {
    auto entry = v2_->GetEntry(key, &e);
    if (!entry.ok()) return Annotate(entry.status(), e);
    const tensorflow::BundleEntryProto& p = entry->proto;
    return StoredPiece{std::move(slice), p.shard_id(), p.offset(), p.size(), p.crc32c(), ""};
  };
  for (const bundle::TensorInfo& i : *infos) {
    TensorLayout l{{i.key, i.dtype, i.shape}, !i.slices.empty(), {}};
    if (i.slices.empty()) {
      TFCKPT_ASSIGN_OR_RETURN(StoredPiece p, piece(i.key, ""));
      l.pieces.push_back(std::move(p));
    }
    for (const tensor::TensorSlice& s : i.slices) {
      TFCKPT_ASSIGN_OR_RETURN(StoredPiece p,
                              piece(tensor::EncodeTensorNameSlice(i.key, s), s.DebugString()));
      l.pieces.push_back(std::move(p));
    }
    out.push_back(std::move(l));
  }
  return out;
}

StatusOr<tensor::Tensor> Checkpoint::Lookup(const std::string& name) const {
  const bool present = v1_ != nullptr ? true : v2_->Contains(name);
  if (!present || v1_ != nullptr) {
    auto list = List();
    bool found = false;
    std::vector<std::string> names;
    if (list.ok()) {
      for (const TensorSummary& t : *list) {
        found = found || t.name == name;
        names.push_back(t.name);
      }
    }
    if (list.ok() && !found) {
      return NotFoundError(StrCat("tensor \"", DisplayName(name), "\" not found in checkpoint ",
                                  resolved_.prefix, DidYouMean(name, names), "; `tfckpt inspect ",
                                  resolved_.given, "` lists its ", names.size(), " tensors"));
    }
  }
  if (v1_ != nullptr) return LookupV1(*v1_, name);
  bundle::BundleError e;
  auto t = v2_->Lookup(name, &e);
  if (!t.ok()) return Annotate(t.status(), e);
  return t;
}

}  // namespace tfckpt::cli
