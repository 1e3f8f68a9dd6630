#include "src/path/model_path.h"

#include <algorithm>
#include <optional>

#include "src/bundle/naming.h"
#include "src/bundle/replace.h"
#include "src/state/checkpoint_state.h"

namespace tfckpt::path {
namespace {

constexpr char kSavedModelPb[] = "saved_model.pb";
constexpr char kSavedModelPbTxt[] = "saved_model.pbtxt";
constexpr char kSessionBundleMeta[] = "export.meta";
// Split so "??-" is never read as a trigraph.
constexpr char kShardGlob[] = "-" "?????" "-of-" "?????";

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool IsFile(io::Env* env, const std::string& p) {
  return env->FileExists(p) && !env->IsDirectory(p);
}

// Whether `pattern` matches a file; an error when its directory exists but
// cannot be listed (nothing there would be a guess).
StatusOr<bool> GlobMatches(io::Env* env, const std::string& pattern) {
  auto m = env->Glob(pattern);
  if (!m.ok()) {
    return Status(m.status().code(), StrCat("cannot list the directory to look for ", pattern,
                                            ": ", m.status().message()));
  }
  return !m->empty();
}

std::string DirOf(const std::string& path) {
  const std::string d = io::Dirname(path);
  return d.empty() ? "." : d;
}

// V2 prefixes (X for every X.index, or its parked X.index.tfckpt-old while
// a save replaces X) in `dir`, sorted.
std::vector<std::string> PrefixesIn(io::Env* env, const std::string& dir) {
  std::vector<std::string> out;
  auto children = env->GetChildren(dir);
  if (!children.ok()) return out;
  const std::string parked = bundle::ParkedName(".index");
  for (const std::string& c : *children) {
    if (EndsWith(c, ".index") && c.size() > 6) out.push_back(c.substr(0, c.size() - 6));
    if (EndsWith(c, parked) && c.size() > parked.size()) {
      out.push_back(c.substr(0, c.size() - parked.size()));
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string JoinList(const std::vector<std::string>& items, size_t max) {
  std::string s;
  for (size_t i = 0; i < items.size() && i < max; ++i) s += StrCat(i > 0 ? ", " : "", items[i]);
  if (items.size() > max) s += StrCat(", ... (", items.size() - max, " more)");
  return s;
}

// The model's checkpoint at `prefix`, or none; V1 shards of `prefix` only
// if `shards`.
void AttachCheckpoint(io::Env* env, const std::string& prefix, bool shards, ResolvedPath* r,
                      std::string how) {
  auto c = ResolvePrefix(env, prefix);
  if (!c.ok() || (!shards && c->checkpoint != prefix)) return;
  r->format = c->format;
  r->checkpoint = c->checkpoint;
  r->how = std::move(how);
}

// Rule D3: follow <dir>/checkpoint (or, not following, stop at it).
Status FollowStateFile(io::Env* env, const std::string& dir, const ResolveOptions& options,
                       ResolvedPath* r) {
  const std::string state_file = state::CheckpointStatePath(dir);
  if (!options.follow_state_file) {
    r->state_file = state_file;
    return OkStatus();
  }
  auto st = state::GetCheckpointState(env, dir);
  if (!st.ok()) return Status(st.status().code(), st.status().message());
  if (!st->has_value()) return NotFoundError(StrCat(state_file, ": no such file"));
  const std::string p = (*st)->model_checkpoint_path();
  auto c = ResolvePrefix(env, p);
  if (!c.ok()) {
    if (c.status().code() != StatusCode::kNotFound) return c.status();
    std::string hint;
    const std::string here = io::JoinPath(dir, io::Basename(p));
    if (here != p && ResolvePrefix(env, here).ok()) {
      hint = StrCat("; the directory holds ", here,
                    ": the state file looks stale (written before the directory moved?)");
    }
    return NotFoundError(StrCat(state_file, ": model_checkpoint_path \"", p,
                                "\" names no checkpoint (no ", bundle::MetaFilename(p),
                                ", no V1 file ", p, ")", hint));
  }
  r->format = c->format;
  r->checkpoint = c->checkpoint;
  r->state_file = state_file;
  r->how = StrCat("model_checkpoint_path of ", state_file);
  return OkStatus();
}

StatusOr<ResolvedPath> ResolveDirectory(io::Env* env, const std::string& dir,
                                        const ResolveOptions& options, ResolvedPath r) {
  if (env->FileExists(io::JoinPath(dir, kSavedModelPb)) ||
      env->FileExists(io::JoinPath(dir, kSavedModelPbTxt))) {
    r.kind = Kind::kSavedModel;
    r.model = dir;
    // Not V1 shards variables/variables-?????-of-?????: TF's loaders restore
    // the prefix itself (Saver.restore's checkpoint_exists), never a pattern.
    AttachCheckpoint(env, io::JoinPath(dir, "variables/variables"), /*shards=*/false, &r,
                     "SavedModel variables");
    return r;
  }
  if (env->FileExists(io::JoinPath(dir, kSessionBundleMeta))) {
    r.kind = Kind::kSessionBundle;
    r.model = dir;
    // Rule C on DIR/export covers its V1 shards export-?????-of-?????.
    AttachCheckpoint(env, io::JoinPath(dir, "export"), /*shards=*/true, &r,
                     "session bundle variables");
    return r;
  }
  if (env->FileExists(state::CheckpointStatePath(dir))) {
    TFCKPT_RETURN_IF_ERROR(FollowStateFile(env, dir, options, &r));
    return r;
  }
  const std::string vars = io::JoinPath(dir, "variables/variables");
  if (env->FileExists(bundle::MetaFilename(vars))) {
    r.format = Format::kV2;
    r.checkpoint = vars;
    r.how = "variables/ of a SavedModel directory without saved_model.pb";
    return r;
  }
  const std::vector<std::string> prefixes = PrefixesIn(env, dir);
  if (prefixes.size() == 1) {
    r.format = Format::kV2;
    r.checkpoint = io::JoinPath(dir, prefixes[0]);
    r.how = StrCat("the only .index file of ", dir);
    return r;
  }
  if (prefixes.size() > 1) {
    return InvalidArgumentError(StrCat(dir, ": directory holds ", prefixes.size(),
                                       " checkpoints and no `checkpoint` state file; name one: ",
                                       JoinList(prefixes, 10)));
  }
  return NotFoundError(StrCat(dir, ": directory holds no saved_model.pb, export.meta, "
                                   "`checkpoint` state file, variables/variables.index or "
                                   ".index file; ", ExpectedForms()));
}

}  // namespace

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kCheckpoint: return "checkpoint";
    case Kind::kSavedModel: return "SavedModel";
    case Kind::kSessionBundle: return "session bundle";
    case Kind::kMetaGraph: return "MetaGraph";
    case Kind::kGraphDef: return "GraphDef";
  }
  return "?";
}

const char* FormatName(Format format) {
  switch (format) {
    case Format::kNone: return "none";
    case Format::kV2: return "V2";
    case Format::kV1: return "V1";
  }
  return "?";
}

std::string ExpectedForms() {
  return "expected a checkpoint prefix (with PREFIX.index), a .index or .data-NNNNN-of-NNNNN "
         "file, a V1 checkpoint file or shard pattern, a directory with a `checkpoint` state "
         "file or a single .index, a SavedModel directory, a .meta or a .pb file "
         "(docs/CLI.md \"Paths\")";
}

StatusOr<ResolvedPath> ResolvePrefix(io::Env* env, const std::string& prefix) {
  ResolvedPath r;
  r.given = prefix;
  r.checkpoint = prefix;
  if (prefix.empty()) return NotFoundError("");
  // While a save replaces the checkpoint, or after one was interrupted, the
  // index is parked and BundleReader reads the previous checkpoint from the
  // parked files (src/bundle/replace.h). One of the two names always holds
  // an index, but the two lookups are made at two instants: alternate, as
  // state::CheckpointExists does, so a save in between cannot hide it.
  const std::string index = bundle::MetaFilename(prefix);
  const std::string parked = bundle::ParkedName(index);
  for (int round = 0; round < 3; ++round) {
    if (env->FileExists(index)) {
      r.format = Format::kV2;
      return r;
    }
    if (env->FileExists(parked)) {
      r.format = Format::kV2;
      r.how = StrCat("the previous checkpoint, parked as ", parked,
                     " by a save that is running or was interrupted");
      return r;
    }
  }
  if (IsFile(env, prefix)) {
    r.format = Format::kV1;
    return r;
  }
  if (io::Basename(prefix).find_first_of("*?[") != std::string::npos) {
    TFCKPT_ASSIGN_OR_RETURN(const bool matches, GlobMatches(env, prefix));
    if (matches) {
      r.format = Format::kV1;
      return r;
    }
  }
  if (env->IsDirectory(prefix)) return NotFoundError("");
  TFCKPT_ASSIGN_OR_RETURN(const bool shards, GlobMatches(env, prefix + kShardGlob));
  if (shards) {
    r.format = Format::kV1;
    r.checkpoint = prefix + kShardGlob;
    r.how = "V1 shards of prefix " + prefix;
    return r;
  }
  return NotFoundError("");
}

StatusOr<ResolvedPath> Resolve(io::Env* env, const std::string& path,
                               const ResolveOptions& options) {
  ResolvedPath r;
  r.given = path;
  if (path.empty()) return InvalidArgumentError("empty path; " + ExpectedForms());
  if (env->IsDirectory(path)) return ResolveDirectory(env, path, options, std::move(r));
  const std::string base = io::Basename(path);
  if (base == state::kDefaultLatestFilename && IsFile(env, path)) {
    TFCKPT_RETURN_IF_ERROR(FollowStateFile(env, DirOf(path), options, &r));
    return r;
  }
  if ((base == kSavedModelPb || base == kSavedModelPbTxt || base == kSessionBundleMeta) &&
      IsFile(env, path)) {
    return ResolveDirectory(env, DirOf(path), options, std::move(r));
  }
  if (auto prefix = bundle::PrefixFromBundleFilename(path)) {
    if (!env->FileExists(path)) {
      return NotFoundError(StrCat(path, ": no such file (prefix ", *prefix, ")"));
    }
    r.format = Format::kV2;
    r.checkpoint = *prefix;
    r.how = StrCat("prefix of ", base);
    return r;
  }
  const bool meta = EndsWith(path, ".meta") && IsFile(env, path);
  const bool graph = (EndsWith(path, ".pb") || EndsWith(path, ".pbtxt")) && IsFile(env, path);
  if (!meta || env->FileExists(bundle::MetaFilename(path))) {
    auto c = ResolvePrefix(env, path);
    if (c.ok() && !(graph && c->format == Format::kV1 && c->checkpoint == path)) {
      c->given = path;
      return c;
    }
    if (!c.ok() && c.status().code() != StatusCode::kNotFound) return c.status();
  }
  if (meta) {
    r.kind = Kind::kMetaGraph;
    r.model = path;
    const std::string own = path.substr(0, path.size() - 5);
    AttachCheckpoint(env, own, /*shards=*/true, &r, StrCat("the checkpoint beside ", base));
    if (r.format == Format::kNone && env->FileExists(state::CheckpointStatePath(DirOf(path)))) {
      TFCKPT_RETURN_IF_ERROR(FollowStateFile(env, DirOf(path), options, &r));
    }
    return r;
  }
  if (graph) {
    r.kind = Kind::kGraphDef;
    r.model = path;
    return r;
  }
  std::string near;
  if (env->IsDirectory(DirOf(path))) {
    const std::vector<std::string> prefixes = PrefixesIn(env, DirOf(path));
    if (!prefixes.empty()) near = StrCat("; checkpoints in ", DirOf(path), ": ", JoinList(prefixes, 10));
  }
  return NotFoundError(StrCat(path, env->FileExists(path) ? ": not a readable file"
                                                          : ": no such file or directory",
                              near, "; ", ExpectedForms()));
}

StatusOr<ResolvedPath> ResolveCheckpoint(io::Env* env, const std::string& path) {
  TFCKPT_ASSIGN_OR_RETURN(ResolvedPath r, Resolve(env, path));
  if (r.kind == Kind::kGraphDef) {
    return InvalidArgumentError(StrCat(path, ": a GraphDef (.pb) file, not a checkpoint; a "
                                             "frozen graph holds its values as constants "
                                             "(`tfckpt show ", path, "`)"));
  }
  if (r.format == Format::kNone) {
    std::string why;
    if (r.kind == Kind::kSavedModel) {
      why = StrCat("a SavedModel without variables (no ",
                   bundle::MetaFilename(io::JoinPath(r.model, "variables/variables")), ")");
    } else if (r.kind == Kind::kMetaGraph) {
      why = StrCat("a MetaGraph (.meta) file with no checkpoint beside it (no ",
                   bundle::MetaFilename(path.substr(0, path.size() - 5)),
                   ", no `checkpoint` state file)");
    } else {
      why = StrCat("a ", KindName(r.kind), " without variables");
    }
    return InvalidArgumentError(StrCat(path, ": ", why, ", not a checkpoint"));
  }
  return r;
}

}  // namespace tfckpt::path
