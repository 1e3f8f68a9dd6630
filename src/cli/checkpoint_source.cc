#include "src/cli/checkpoint_source.h"

#include <iostream>

#include "src/bundle/entry.h"
#include "src/bundle/naming.h"
#include "src/cli/checkpoint_v1.h"
#include "src/cli/exit_codes.h"
#include "src/state/checkpoint_state.h"
#include "src/tensor/tensor_slice.h"

namespace tfckpt::cli {
namespace {

bool HasGlobChars(const std::string& path) {
  return io::Basename(path).find_first_of("*?[") != std::string::npos;
}

std::string Expected(const std::string& path) {
  return StrCat("expected a V2 checkpoint prefix (", path,
                ".index), a .index or .data-NNNNN-of-NNNNN file",
                kV1Supported ? ", a V1 checkpoint file or shard pattern" : "",
                ", a directory with a `checkpoint` state file, or a SavedModel "
                "directory");
}

// A prefix named by a state file or typed by the user: V2 if <p>.index
// exists, V1 if <p> is a file or a matching shard pattern.
StatusOr<ResolvedPath> ResolvePrefix(io::Env* env, const std::string& given,
                                     const std::string& p, std::string how) {
  ResolvedPath r{given, p, CheckpointFormat::kV2, std::move(how)};
  if (env->FileExists(bundle::MetaFilename(p))) return r;
  bool v1 = env->FileExists(p) && !env->IsDirectory(p);
  if (!v1 && HasGlobChars(p)) {
    auto matches = env->Glob(p);
    v1 = matches.ok() && !matches->empty();
  }
  if (!v1) return NotFoundError("");  // caller words the error
  if (!kV1Supported) {
    return UnimplementedError(StrCat(
        p, ": no ", p, ".index, so this would be a V1 (TensorSlice) checkpoint; "
        "this build of tfckpt reads V2 checkpoints only"));
  }
  r.format = CheckpointFormat::kV1;
  return r;
}

StatusOr<ResolvedPath> ResolveDirectory(io::Env* env, const std::string& dir) {
  const std::string vars = io::JoinPath(dir, "variables/variables");
  const bool saved_model = env->FileExists(io::JoinPath(dir, "saved_model.pb")) ||
                           env->FileExists(io::JoinPath(dir, "saved_model.pbtxt"));
  if (saved_model || env->FileExists(bundle::MetaFilename(vars))) {
    if (!env->FileExists(bundle::MetaFilename(vars))) {
      return NotFoundError(StrCat(dir, ": SavedModel directory without variables: expected ",
                                  bundle::MetaFilename(vars)));
    }
    return ResolvedPath{dir, vars, CheckpointFormat::kV2, "SavedModel variables"};
  }
  const std::string state_file = state::CheckpointStatePath(dir);
  if (!env->FileExists(state_file)) {
    return NotFoundError(StrCat(dir, ": directory has no `checkpoint` state file and is not a "
                                "SavedModel (no saved_model.pb, no variables/variables.index); ",
                                Expected(dir)));
  }
  auto st = state::GetCheckpointState(env, dir);
  if (!st.ok()) return Status(st.status().code(), WithFile(state_file, st.status().message()));
  if (!st->has_value()) return NotFoundError(StrCat(state_file, ": disappeared while reading"));
  const std::string p = (*st)->model_checkpoint_path();
  auto r = ResolvePrefix(env, dir, p, StrCat("model_checkpoint_path of ", state_file));
  if (r.ok() || r.status().code() != StatusCode::kNotFound) return r;
  return NotFoundError(StrCat(state_file, ": model_checkpoint_path \"", p,
                              "\" names no checkpoint: expected ", bundle::MetaFilename(p),
                              " (V2) or ", p, " (V1)"));
}

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

std::string DisplayName(const std::string& name) { return bundle::DisplayKey(name); }

StatusOr<ResolvedPath> ResolveCheckpointPath(io::Env* env, const std::string& path) {
  if (path.empty()) return InvalidArgumentError("empty checkpoint path; " + Expected("PATH"));
  if (env->IsDirectory(path)) return ResolveDirectory(env, path);
  if (auto prefix = bundle::PrefixFromBundleFilename(path)) {
    if (!env->FileExists(path)) {
      return NotFoundError(StrCat(path, ": no such file; ", Expected(*prefix)));
    }
    return ResolvedPath{path, *prefix, CheckpointFormat::kV2,
                        StrCat("prefix of ", io::Basename(path))};
  }
  constexpr std::string_view kMeta = ".meta";
  if (path.size() > kMeta.size() &&
      path.compare(path.size() - kMeta.size(), kMeta.size(), kMeta) == 0 &&
      !env->FileExists(bundle::MetaFilename(path))) {
    const std::string prefix = path.substr(0, path.size() - kMeta.size());
    return InvalidArgumentError(StrCat(path, ": a MetaGraph (.meta) file, not a checkpoint; ",
                                       "its checkpoint is usually the prefix ", prefix));
  }
  auto r = ResolvePrefix(env, path, path, "");
  if (r.ok() || r.status().code() != StatusCode::kNotFound) return r;
  return NotFoundError(StrCat(path, ": no checkpoint found (", bundle::MetaFilename(path),
                              " does not exist); ", Expected(path)));
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
  if (v1_ != nullptr) return LookupV1(*v1_, name);
  if (!v2_->Contains(name)) {
    return NotFoundError(StrCat("tensor \"", DisplayName(name), "\" not found in checkpoint ",
                                resolved_.prefix, " (`tfckpt inspect ", resolved_.given,
                                "` lists its tensors)"));
  }
  bundle::BundleError e;
  auto t = v2_->Lookup(name, &e);
  if (!t.ok()) return Annotate(t.status(), e);
  return t;
}

}  // namespace tfckpt::cli
