#include "src/saved_model/loader.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <algorithm>
#include <optional>
#include <set>

#include "proto/saved_model.pb.h"
#include "src/graph/serving_ops.h"
#include "src/saved_model/constants.h"
#include "src/saved_model/loader_internal.h"
#include "src/path/model_path.h"

namespace tfckpt::saved_model {

namespace {
bool IsFunction(const tensorflow::GraphDef& g, const std::string& name) {
  for (const auto& f : g.library().function()) {
    if (f.signature().name() == name) return true;
  }
  return false;
}
}  // namespace

const char* ModelKindName(ModelKind kind) {
  switch (kind) {
    case ModelKind::kSavedModel: return "SavedModel";
    case ModelKind::kMetaGraph: return "MetaGraph";
    case ModelKind::kSessionBundle: return "session bundle";
    case ModelKind::kFrozenGraph: return "frozen GraphDef";
  }
  return "?";
}

std::string PythonRepr(const std::string& s) {
  const bool has_single = s.find('\'') != std::string::npos;
  const bool has_double = s.find('"') != std::string::npos;
  const char quote = has_single && !has_double ? '"' : '\'';
  std::string out(1, quote);
  for (unsigned char c : s) {
    if (c == quote || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);  // UTF-8 passes through (Python 3 str)
    }
  }
  out += quote;
  return out;
}

namespace {

constexpr int kTextRecursionLimit = 100;

// Keeps the text parser's first error (instead of protobuf's log line).
class FirstError : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (first_.empty()) first_ = StrCat(line + 1, ":", column + 1, ": ", message);
  }
  const std::string& first() const { return first_; }

 private:
  std::string first_;
};

}  // namespace

io::Env* EnvOf(const LoadOptions& o) { return o.env != nullptr ? o.env : io::Env::Default(); }

Status ReadProto(io::Env* env, const std::string& path, google::protobuf::Message* msg,
                 bool binary, bool text) {
  auto data = env->ReadFileToString(path);
  if (!data.ok()) return data.status();
  if (binary && msg->ParseFromString(*data)) return OkStatus();
  FirstError errors;
  if (text) {
    msg->Clear();
    google::protobuf::TextFormat::Parser parser;
    parser.SetRecursionLimit(kTextRecursionLimit);
    parser.RecordErrorsTo(&errors);
    if (parser.ParseFromString(*data, msg)) return OkStatus();
  }
  return DataLossError(StrCat(path, ": not a valid ", binary ? "binary" : "",
                              binary && text ? " or " : "", text ? "text" : "", " ",
                              msg->GetTypeName(), " (", data->size(), " bytes",
                              errors.first().empty() ? "" : "; as text: ", errors.first(), ")"));
}

namespace {

// "{'custom_tag', 'serve'}" (Python's set repr, elements sorted).
std::string TagSetRepr(const std::set<std::string>& tags) {
  if (tags.empty()) return "set()";
  std::string out = "{";
  for (const std::string& t : tags) out += StrCat(out.size() > 1 ? ", " : "", PythonRepr(t));
  return out + "}";
}

std::set<std::string> TagsOf(const tensorflow::MetaGraphDef& m) {
  return std::set<std::string>(m.meta_info_def().tags().begin(), m.meta_info_def().tags().end());
}

// The node a target name ("node" or "^node") refers to, or null.
const graph::Node* TargetNode(const graph::Graph& g, const std::string& name) {
  return g.FindNode(!name.empty() && name[0] == '^' ? name.substr(1) : name);
}

}  // namespace

StatusOr<std::unique_ptr<Bundle>> Loader::NewBundle(ModelKind kind, const std::string& path,
                                                    const std::string& file,
                                                    tensorflow::MetaGraphDef meta,
                                                    const tensorflow::GraphDef& graph_def,
                                                    const LoadOptions& options) {
  auto b = std::unique_ptr<Bundle>(new Bundle());
  b->kind_ = kind;
  b->path_ = path;
  b->meta_graph_def_ = std::move(meta);
  b->registry_ = graph::NewServingOpRegistry(graph_def.library());
  TFCKPT_RETURN_IF_ERROR(b->registry_->status());
  // TF reads a scalar `shape` attr of a Placeholder in a GraphDef of
  // producer <= 21 as an unknown shape (array_ops.cc, Placeholder's shape
  // function); such graphs (TF 1.0's half_plus_three) feed any shape.
  std::optional<tensorflow::GraphDef> legacy;
  if (graph_def.versions().producer() <= 21) {
    int n = 0;
    for (int i = 0; i < graph_def.node_size(); ++i) {
      const tensorflow::NodeDef& node = graph_def.node(i);
      auto it = node.attr().find("shape");
      if (node.op() != "Placeholder" || it == node.attr().end() || !it->second.has_shape() ||
          it->second.shape().unknown_rank() || it->second.shape().dim_size() > 0) {
        continue;
      }
      if (!legacy) legacy = graph_def;
      (*legacy->mutable_node(i)->mutable_attr())["shape"].mutable_shape()->set_unknown_rank(true);
      ++n;
    }
    if (n > 0) {
      b->log_.push_back(StrCat(n, " Placeholder(s) with a scalar shape attr read as unknown "
                               "shape (GraphDef producer ",
                               graph_def.versions().producer(), " <= 21)"));
    }
  }
  graph::SessionOptions so;
  so.env = EnvOf(options);
  so.max_tensor_bytes = options.max_tensor_bytes;
  so.graph.registry = b->registry_.get();
  so.graph.allow_unregistered_ops = options.allow_unregistered_ops;
  auto session = graph::Session::Create(legacy ? *legacy : graph_def, so);
  if (!session.ok()) {
    return session.status().WithContext(StrCat(file, ": the graph is invalid"));
  }
  b->session_ = std::move(*session);
  // Ops the engine lacks, in the graph and in its function library's
  // bodies (TF2 signatures), named once here; running one is the error.
  auto missing = b->session_->graph().MissingOps();
  for (const auto& f : graph_def.library().function()) {
    for (const auto& n : f.node_def()) {
      if (b->registry_->Find(n.op()) == nullptr && !IsFunction(graph_def, n.op())) {
        missing[n.op()].push_back(StrCat(f.signature().name(), "/", n.name()));
      }
    }
  }
  if (!missing.empty()) {
    b->log_.push_back(StrCat("the graph has ", graph::MissingOpsText(missing),
                             "; running them is an error"));
  }
  return b;
}

Status Loader::CheckTensor(const Bundle& b, const std::string& file, const std::string& what,
                           const std::string& name) {
  const graph::Graph& g = b.session_->graph();
  auto t = graph::ParseTensorName(name);
  const graph::Node* n = t.ok() && !t->control() ? g.FindNode(t->node) : nullptr;
  if (n == nullptr) {
    return InvalidArgumentError(StrCat(file, ": ", what, " '", name,
                                       "' does not name a tensor of the graph"));
  }
  if (n->registration() != nullptr && t->index >= n->num_outputs()) {
    return InvalidArgumentError(StrCat(file, ": ", what, " '", name, "' names output ",
                                       t->index, " of node ", n->name(), ", which has ",
                                       n->num_outputs(), " output(s)"));
  }
  return OkStatus();
}

Status Loader::CheckTarget(const Bundle& b, const std::string& file, const std::string& what,
                           const std::string& name) {
  if (TargetNode(b.session_->graph(), name) == nullptr) {
    return InvalidArgumentError(StrCat(file, ": ", what, " '", name,
                                       "' does not name a node of the graph"));
  }
  return OkStatus();
}

Status Loader::AddAssets(Bundle* b, const std::string& file, const std::string& assets_dir,
                         const std::vector<tensorflow::AssetFileDef>& assets) {
  std::map<std::string, std::string> seen;
  for (const auto& a : assets) {
    const std::string& tensor = a.tensor_info().name();
    TFCKPT_RETURN_IF_ERROR(CheckTensor(*b, file, "asset tensor", tensor));
    if (a.filename().empty()) {
      return InvalidArgumentError(StrCat(file, ": asset for tensor '", tensor,
                                         "' has an empty filename"));
    }
    const std::string path = io::JoinPath(assets_dir, a.filename());
    auto [it, inserted] = seen.emplace(tensor, path);
    if (!inserted) {
      if (it->second != path) {
        return InvalidArgumentError(StrCat(file, ": asset tensor '", tensor,
                                           "' is given two files: ", it->second, " and ", path));
      }
      continue;
    }
    b->asset_feeds_.push_back({tensor, tensor::Tensor::FromStrings({}, {path})});
    b->log_.push_back(StrCat("asset ", tensor, " = ", path));
  }
  return OkStatus();
}

Status Loader::Restore(Bundle* b, const std::string& file, const std::string& prefix) {
  const tensorflow::SaverDef& saver = b->meta_graph_def_.saver_def();
  TFCKPT_RETURN_IF_ERROR(
      CheckTensor(*b, file, "saver_def.filename_tensor_name", saver.filename_tensor_name()));
  TFCKPT_RETURN_IF_ERROR(
      CheckTarget(*b, file, "saver_def.restore_op_name", saver.restore_op_name()));
  std::vector<graph::Session::Feed> feeds = b->asset_feeds_;
  feeds.push_back({saver.filename_tensor_name(), tensor::Tensor::FromStrings({}, {prefix})});
  Status s = b->session_->Run(feeds, {}, {saver.restore_op_name()}, nullptr);
  if (!s.ok()) {
    return Status(s.code(), StrCat(file, ": restoring ", prefix, " (saver_def.restore_op_name ",
                                   saver.restore_op_name(), "): ", s.message()));
  }
  b->restored_ = true;
  b->log_.push_back(StrCat("restored variables from ", prefix, " (", saver.restore_op_name(), ")"));
  return OkStatus();
}

Status Loader::RunInit(Bundle* b, const std::string& file, const std::string& op,
                       const std::string& source) {
  TFCKPT_RETURN_IF_ERROR(CheckTarget(*b, file, StrCat("init op (", source, ")"), op));
  Status s = b->session_->Run(b->asset_feeds_, {}, {op}, nullptr);
  if (!s.ok()) {
    return Status(s.code(), StrCat(file, ": running init op ", op, " (", source, "): ",
                                   s.message()));
  }
  b->log_.push_back(StrCat("ran init op ", op, " (", source, ")"));
  return OkStatus();
}

StatusOr<std::vector<tensorflow::AssetFileDef>> AssetFileDefs(const tensorflow::MetaGraphDef& m,
                                                              const std::string& file) {
  std::vector<tensorflow::AssetFileDef> assets(m.asset_file_def().begin(),
                                               m.asset_file_def().end());
  if (!assets.empty()) return assets;
  auto it = m.collection_def().find(kSavedModelAssetsKey);
  if (it == m.collection_def().end()) return assets;
  if (it->second.kind_case() != tensorflow::CollectionDef::kAnyList) {
    return InvalidArgumentError(StrCat(file, ": collection ", kSavedModelAssetsKey,
                                       " is not an any_list of AssetFileDef"));
  }
  for (const auto& any : it->second.any_list().value()) {
    tensorflow::AssetFileDef a;
    if (any.type_url() != kAssetFileDefTypeUrl || !a.ParseFromString(any.value())) {
      return InvalidArgumentError(StrCat(file, ": collection ", kSavedModelAssetsKey, " holds a ",
                                         any.type_url(),
                                         " that is not a valid tensorflow.AssetFileDef"));
    }
    assets.push_back(std::move(a));
  }
  return assets;
}

StatusOr<tensorflow::SavedModel> ReadSavedModel(const std::string& dir, io::Env* env,
                                                std::string* file) {
  if (env == nullptr) env = io::Env::Default();
  const std::string pb = io::JoinPath(dir, kSavedModelFilenamePb);
  const std::string pbtxt = io::JoinPath(dir, kSavedModelFilenamePbTxt);
  tensorflow::SavedModel sm;
  std::string read;
  if (env->FileExists(pb) && !env->IsDirectory(pb)) {
    read = pb;
    TFCKPT_RETURN_IF_ERROR(ReadProto(env, pb, &sm, /*binary=*/true, /*text=*/false));
  } else if (env->FileExists(pbtxt) && !env->IsDirectory(pbtxt)) {
    read = pbtxt;
    TFCKPT_RETURN_IF_ERROR(ReadProto(env, pbtxt, &sm, /*binary=*/false, /*text=*/true));
  } else {
    return NotFoundError(StrCat("SavedModel file does not exist at: ", dir, "/{",
                                kSavedModelFilenamePbTxt, "|", kSavedModelFilenamePb, "}"));
  }
  if (file != nullptr) *file = read;
  return sm;
}

Status ReadModelFile(const std::string& path, google::protobuf::Message* msg, io::Env* env) {
  return ReadProto(env == nullptr ? io::Env::Default() : env, path, msg, /*binary=*/true,
                   /*text=*/true);
}

StatusOr<SavedModelMetaGraph> ReadSavedModelMetaGraph(const std::string& dir,
                                                     const std::vector<std::string>& tags,
                                                     io::Env* env) {
  std::string file;
  TFCKPT_ASSIGN_OR_RETURN(tensorflow::SavedModel sm, ReadSavedModel(dir, env, &file));

  // The MetaGraph whose tag set equals the requested one.
  const std::set<std::string> want(tags.begin(), tags.end());
  int found = -1;
  for (int i = 0; i < sm.meta_graphs_size() && found < 0; ++i) {
    if (TagsOf(sm.meta_graphs(i)) == want) found = i;
  }
  if (found < 0) {
    std::string requested;
    for (size_t i = 0; i < tags.size(); ++i) {
      requested += StrCat(i > 0 ? ", " : "", PythonRepr(tags[i]));
    }
    std::string available = "[";
    for (int i = 0; i < sm.meta_graphs_size(); ++i) {
      available += StrCat(i > 0 ? ", " : "", TagSetRepr(TagsOf(sm.meta_graphs(i))));
    }
    available += "]";
    return NotFoundError(StrCat("MetaGraphDef associated with tags ", requested,
                                " could not be found in SavedModel, with available tags '",
                                available,
                                "'. To inspect available tag-sets in the SavedModel, please use "
                                "the SavedModel CLI: `saved_model_cli`."));
  }
  SavedModelMetaGraph out;
  out.meta_graph = std::move(*sm.mutable_meta_graphs(found));
  out.file = file;
  out.index = found;
  return out;
}

StatusOr<std::unique_ptr<Bundle>> Loader::SavedModel(const std::string& dir,
                                                     const std::vector<std::string>& tags,
                                                     const LoadOptions& options) {
  io::Env* env = EnvOf(options);
  TFCKPT_ASSIGN_OR_RETURN(SavedModelMetaGraph read, ReadSavedModelMetaGraph(dir, tags, env));
  const std::string& file = read.file;
  const int found = read.index;
  tensorflow::MetaGraphDef meta = std::move(read.meta_graph);
  tensorflow::GraphDef graph_def;
  graph_def.Swap(meta.mutable_graph_def());
  TFCKPT_ASSIGN_OR_RETURN(std::unique_ptr<Bundle> b,
                          NewBundle(ModelKind::kSavedModel, dir, file, std::move(meta), graph_def,
                                    options));
  b->meta_graph_def_.mutable_graph_def()->Swap(&graph_def);
  const tensorflow::MetaGraphDef& m = b->meta_graph_def_;
  b->signatures_.insert(m.signature_def().begin(), m.signature_def().end());
  b->log_.push_back(StrCat("MetaGraph ", found, " of ", file, ", tags ", TagSetRepr(TagsOf(m))));

  // Assets.
  TFCKPT_ASSIGN_OR_RETURN(std::vector<tensorflow::AssetFileDef> assets, AssetFileDefs(m, file));
  TFCKPT_RETURN_IF_ERROR(
      AddAssets(b.get(), file, io::JoinPath(dir, kSavedModelAssetsDirectory), assets));

  // Variables.
  const std::string prefix = io::JoinPath(
      io::JoinPath(dir, kSavedModelVariablesDirectory), kSavedModelVariablesFilename);
  // TF 1.x's SavedModelBuilder takes any Saver: with write_version=V1 the
  // variables are one V1 file, variables/variables, which TF's Python loader
  // restores like a bundle (golden/tf-1.15/saved_model_v1_variables).
  if (!env->FileExists(prefix + ".index") && !env->FileExists(prefix)) {
    b->log_.push_back(StrCat("no ", prefix, ".index: the SavedModel has no variables; nothing "
                             "restored"));
  } else if (!m.has_saver_def()) {
    b->log_.push_back(StrCat("the MetaGraph has no saver_def: variables in ", prefix,
                             " not restored"));
  } else {
    TFCKPT_RETURN_IF_ERROR(Restore(b.get(), file, prefix));
  }

  // Init op.
  std::string init_op, source;
  auto sig = m.signature_def().find(kSavedModelInitOpSignatureKey);
  if (sig != m.signature_def().end()) {
    auto out = sig->second.outputs().find(kSavedModelInitOpSignatureKey);
    if (out == sig->second.outputs().end()) {
      return FailedPreconditionError(StrCat(file, ": Could not find output ",
                                            kSavedModelInitOpSignatureKey, " of signature ",
                                            kSavedModelInitOpSignatureKey));
    }
    init_op = out->second.name();
    source = StrCat("signature ", kSavedModelInitOpSignatureKey);
  } else {
    const char* key = m.collection_def().count(kSavedModelMainOpKey) > 0
                          ? kSavedModelMainOpKey
                          : kSavedModelLegacyInitOpKey;
    auto it = m.collection_def().find(key);
    if (it != m.collection_def().end()) {
      if (it->second.node_list().value_size() != 1) {
        return FailedPreconditionError(StrCat(
            "Expected exactly one main op in : ", dir, " (", file, ": collection ", key,
            " holds ", it->second.node_list().value_size(), " node names)"));
      }
      init_op = it->second.node_list().value(0);
      source = StrCat("collection ", key);
    }
  }
  if (!init_op.empty()) {
    TFCKPT_RETURN_IF_ERROR(RunInit(b.get(), file, init_op, source));
  } else if (sig != m.signature_def().end()) {
    return InvalidArgumentError(StrCat(file, ": signature ", kSavedModelInitOpSignatureKey,
                                       " has an empty init op name"));
  }
  return b;
}

StatusOr<std::unique_ptr<Bundle>> Loader::MetaGraph(const std::string& meta_path,
                                                    const std::string& checkpoint,
                                                    const LoadOptions& options) {
  io::Env* env = EnvOf(options);
  tensorflow::MetaGraphDef meta;
  TFCKPT_RETURN_IF_ERROR(ReadProto(env, meta_path, &meta, /*binary=*/true, /*text=*/true));
  const bool default_saver =
      !meta.has_saver_def() && !checkpoint.empty() && options.add_default_saver;
  if (default_saver) {
    auto with_saver = options.add_default_saver(meta);
    if (!with_saver.ok()) {
      return with_saver.status().WithContext(
          StrCat(meta_path, ": adding TF's default Saver (the MetaGraph has no saver_def)"));
    }
    meta = std::move(*with_saver);
  }
  tensorflow::GraphDef graph_def;
  graph_def.Swap(meta.mutable_graph_def());
  TFCKPT_ASSIGN_OR_RETURN(std::unique_ptr<Bundle> b,
                          NewBundle(ModelKind::kMetaGraph, meta_path, meta_path, std::move(meta),
                                    graph_def, options));
  b->meta_graph_def_.mutable_graph_def()->Swap(&graph_def);
  b->signatures_.insert(b->meta_graph_def_.signature_def().begin(),
                        b->meta_graph_def_.signature_def().end());
  if (default_saver && b->meta_graph_def_.has_saver_def()) {
    b->log_.push_back("the MetaGraph has no saver_def: restoring with TF's default Saver");
  }
  if (checkpoint.empty()) {
    b->log_.push_back("no checkpoint given: nothing restored");
    return b;
  }
  // docs/CLI.md "Paths". A prefix naming nothing goes to the restore op,
  // which reports it in TF's words.
  std::string prefix = checkpoint;
  auto c = path::ResolveCheckpoint(env, checkpoint);
  if (c.ok()) {
    prefix = c->checkpoint;
    if (!c->how.empty()) b->log_.push_back(StrCat(checkpoint, ": ", c->how, ": ", prefix));
  } else if (c.status().code() != StatusCode::kNotFound || env->IsDirectory(checkpoint)) {
    return c.status();
  }
  if (!b->meta_graph_def_.has_saver_def()) {
    return FailedPreconditionError(StrCat(meta_path, ": the MetaGraph has no saver_def, so ",
                                          prefix, " cannot be restored"));
  }
  TFCKPT_RETURN_IF_ERROR(Restore(b.get(), meta_path, prefix));
  return b;
}

StatusOr<std::unique_ptr<Bundle>> Loader::Frozen(const std::string& path,
                                                 const LoadOptions& options) {
  io::Env* env = EnvOf(options);
  tensorflow::GraphDef graph_def;
  TFCKPT_RETURN_IF_ERROR(ReadProto(env, path, &graph_def, /*binary=*/true, /*text=*/true));
  tensorflow::MetaGraphDef meta;
  TFCKPT_ASSIGN_OR_RETURN(std::unique_ptr<Bundle> b,
                          NewBundle(ModelKind::kFrozenGraph, path, path, meta, graph_def, options));
  *b->meta_graph_def_.mutable_graph_def() = std::move(graph_def);
  return b;
}

StatusOr<std::unique_ptr<Bundle>> LoadSavedModel(const std::string& export_dir,
                                                 const std::vector<std::string>& tags,
                                                 const LoadOptions& options) {
  return Loader::SavedModel(export_dir, tags, options);
}

StatusOr<std::unique_ptr<Bundle>> LoadMetaGraphAndCheckpoint(const std::string& meta_path,
                                                             const std::string& checkpoint,
                                                             const LoadOptions& options) {
  return Loader::MetaGraph(meta_path, checkpoint, options);
}

StatusOr<std::unique_ptr<Bundle>> LoadSessionBundle(const std::string& export_dir,
                                                    const LoadOptions& options) {
  return Loader::SessionBundle(export_dir, options);
}

StatusOr<std::unique_ptr<Bundle>> LoadFrozenGraph(const std::string& path,
                                                  const LoadOptions& options) {
  return Loader::Frozen(path, options);
}

StatusOr<std::unique_ptr<Bundle>> LoadModel(const ModelSpec& spec, const LoadOptions& options) {
  io::Env* env = EnvOf(options);
  const std::string& path = spec.path;
  auto r = path::Resolve(env, path);
  const bool dir = env->IsDirectory(path);
  if (!r.ok() || r->kind == path::Kind::kCheckpoint) {
    // Not a model. A plain file that would be a V1 checkpoint by name alone
    // is tried as a GraphDef (frozen graphs need no extension).
    if (r.ok() && !dir && r->format == path::Format::kV1 && r->checkpoint == path) {
      return LoadFrozenGraph(path, options);
    }
    std::string what = dir ? StrCat(path, ": a directory with neither saved_model.pb / "
                                          "saved_model.pbtxt (SavedModel) nor export.meta "
                                          "(session bundle)")
                           : (r.ok() ? StrCat(path, ": a checkpoint, not a model")
                                     : std::string(r.status().message()));
    if (r.ok()) {
      what += StrCat("; it names the ", path::FormatName(r->format), " checkpoint ", r->checkpoint,
                     r->how.empty() ? "" : StrCat(" (", r->how, ")"),
                     ", which `tfckpt inspect` lists; run needs a SavedModel, a .meta or a .pb");
    }
    return Status(r.ok() || dir ? StatusCode::kNotFound : r.status().code(), what);
  }
  switch (r->kind) {
    case path::Kind::kSavedModel:
      return LoadSavedModel(r->model, spec.tags, options);
    case path::Kind::kSessionBundle:
      return LoadSessionBundle(r->model, options);
    case path::Kind::kMetaGraph:
      return LoadMetaGraphAndCheckpoint(r->model,
                                        spec.checkpoint.empty() ? r->checkpoint : spec.checkpoint,
                                        options);
    default:
      return LoadFrozenGraph(r->model, options);
  }
}

}  // namespace tfckpt::saved_model
