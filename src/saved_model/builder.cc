#include "src/saved_model/builder.h"

#include <utility>

#include <google/protobuf/any.pb.h>

#include "src/io/atomic_file.h"
#include "src/saved_model/constants.h"
#include "src/train/meta_graph.h"
#include "src/train/proto_serialize.h"
#include "src/train/saver.h"
#include "src/train/variables.h"

namespace tfckpt::saved_model {
namespace {

io::Env* EnvOr(io::Env* env) { return env != nullptr ? env : io::Env::Default(); }

std::string ExportDirError(const std::string& dir) {
  return StrCat(
      "Export directory already exists, and isn't empty. Please choose a different export "
      "directory, or delete all the contents of the specified directory: ",
      dir);
}

// Absent, or an empty directory.
StatusOr<bool> UsableExportDir(io::Env* env, const std::string& dir) {
  if (!env->FileExists(dir)) return true;
  if (!env->IsDirectory(dir)) return false;
  TFCKPT_ASSIGN_OR_RETURN(auto children, env->GetChildren(dir));
  return children.empty();
}

Status DeleteRecursively(io::Env* env, const std::string& path) {
  if (!env->FileExists(path)) return OkStatus();
  if (!env->IsDirectory(path)) return env->DeleteFile(path);
  TFCKPT_ASSIGN_OR_RETURN(auto children, env->GetChildren(path));
  for (const std::string& c : children) {
    TFCKPT_RETURN_IF_ERROR(DeleteRecursively(env, io::JoinPath(path, c)));
  }
  return env->DeleteDir(path);
}

// _asset_path_from_tensor: the string value of a scalar string Const.
StatusOr<std::string> AssetPathFromTensor(const train::Output& t) {
  const tensorflow::NodeDef* node = t.valid() ? t.graph->FindNode(t.op) : nullptr;
  if (node == nullptr) return InvalidArgumentError("Asset path tensor is not a tensor of the graph");
  if (node->op() != "Const") {
    return InvalidArgumentError(StrCat("Asset path tensor ", t.name(),
                                       " must be of type constant.Has type ", node->op(),
                                       " instead."));
  }
  if (t.dtype() != tensorflow::DT_STRING) {
    return InvalidArgumentError(
        StrCat("Asset path tensor ", t.name(), " must be of dtype string."));
  }
  auto it = node->attr().find("value");
  if (it == node->attr().end() || it->second.tensor().string_val_size() != 1) {
    return InvalidArgumentError(StrCat("Asset path tensor ", t.name(), " must be a scalar."));
  }
  const std::string& path = it->second.tensor().string_val(0);
  if (path.empty()) {
    return InvalidArgumentError(StrCat("Asset filepath tensor ", t.name(), " in is invalid."));
  }
  return path;
}

Status ValidateTensorInfo(const tensorflow::TensorInfo& info) {
  // _validate_tensor_info (TF's ValueError text).
  const bool has_name = info.encoding_case() != tensorflow::TensorInfo::ENCODING_NOT_SET;
  if (!has_name || info.dtype() == tensorflow::DT_INVALID) {
    return InvalidArgumentError(
        StrCat("Invalid `tensor_info`: ", info.ShortDebugString(),
               ". All TensorInfo protos used in the SignatureDefs must have the name and dtype "
               "fields set."));
  }
  return OkStatus();
}

Status ValidateSignatureDefMap(const SignatureDefMap& map) {
  for (const auto& [key, sig] : map) {
    for (const auto& [k, info] : sig.inputs()) TFCKPT_RETURN_IF_ERROR(ValidateTensorInfo(info));
    for (const auto& [k, info] : sig.outputs()) TFCKPT_RETURN_IF_ERROR(ValidateTensorInfo(info));
  }
  if (map.count(kSavedModelInitOpSignatureKey) != 0) {
    return InvalidArgumentError(StrCat("SignatureDef map key \"", kSavedModelInitOpSignatureKey,
                                       "\" is reserved for initialization. Please use a "
                                       "different key."));
  }
  if (map.count(kSavedModelTrainOpSignatureKey) != 0) {
    return InvalidArgumentError(StrCat("SignatureDef map key \"", kSavedModelTrainOpSignatureKey,
                                       "\" is reserved for the train op. Please use a "
                                       "different key."));
  }
  return OkStatus();
}

}  // namespace

tensorflow::TensorInfo BuildTensorInfo(const train::Output& t) {
  tensorflow::TensorInfo info;
  info.set_name(t.name());
  info.set_dtype(t.dtype());
  *info.mutable_tensor_shape() = t.shape();
  return info;
}

tensorflow::SignatureDef PredictSignatureDef(const std::map<std::string, train::Output>& inputs,
                                             const std::map<std::string, train::Output>& outputs) {
  tensorflow::SignatureDef sig;
  for (const auto& [k, t] : inputs) (*sig.mutable_inputs())[k] = BuildTensorInfo(t);
  for (const auto& [k, t] : outputs) (*sig.mutable_outputs())[k] = BuildTensorInfo(t);
  sig.set_method_name(kPredictMethodName);
  return sig;
}

SavedModelBuilder::SavedModelBuilder(io::Env* env, std::string export_dir)
    : env_(env), export_dir_(std::move(export_dir)) {
  saved_model_.set_saved_model_schema_version(kSavedModelSchemaVersion);
}

SavedModelBuilder::~SavedModelBuilder() {
  if (!staging_.empty() && !saved_) (void)DeleteRecursively(env_, staging_);
}

StatusOr<std::unique_ptr<SavedModelBuilder>> SavedModelBuilder::Create(
    io::Env* env, const std::string& export_dir) {
  env = EnvOr(env);
  if (export_dir.empty()) return InvalidArgumentError("export_dir must not be empty");
  TFCKPT_ASSIGN_OR_RETURN(bool usable, UsableExportDir(env, export_dir));
  if (!usable) return FailedPreconditionError(ExportDirError(export_dir));
  return std::unique_ptr<SavedModelBuilder>(new SavedModelBuilder(env, export_dir));
}

Status SavedModelBuilder::EnsureStaging() {
  if (!staging_.empty()) return OkStatus();
  std::string dir = export_dir_;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  const std::string candidate = StrCat(dir, ".tmp-", io::RandomUint64());
  TFCKPT_RETURN_IF_ERROR(env_->CreateDirRecursively(candidate));
  staging_ = candidate;
  return OkStatus();
}

Status SavedModelBuilder::AddCollections(train::Graph* graph,
                                         const std::vector<train::Output>& assets,
                                         const std::optional<train::Operation>& main_op) {
  // _save_and_write_assets: AssetFileDefs into the collection, files copied.
  std::map<std::string, std::string> filename_map;  // asset filename -> source path
  std::vector<std::pair<std::string, std::string>> order;
  for (const train::Output& t : assets) {
    TFCKPT_ASSIGN_OR_RETURN(std::string source, AssetPathFromTensor(t));
    std::string filename = io::Basename(source);
    auto it = filename_map.find(filename);
    if (it != filename_map.end() && it->second != source) {
      TFCKPT_ASSIGN_OR_RETURN(std::string a, env_->ReadFileToString(source));
      TFCKPT_ASSIGN_OR_RETURN(std::string b, env_->ReadFileToString(it->second));
      if (a != b) {  // _get_unique_asset_filename
        const std::string base = filename;
        for (int i = 1; filename_map.count(filename) != 0; ++i) filename = StrCat(base, "_", i);
      }
    }
    tensorflow::AssetFileDef def;
    def.mutable_tensor_info()->set_name(t.name());
    def.set_filename(filename);
    google::protobuf::Any any;
    any.PackFrom(def);
    graph->AddToCollection(kSavedModelAssetsKey, train::AnyItem(any));
    filename_map[filename] = source;
  }
  if (!filename_map.empty()) {
    TFCKPT_RETURN_IF_ERROR(EnsureStaging());
    const std::string dest_dir = io::JoinPath(staging_, kSavedModelAssetsDirectory);
    TFCKPT_RETURN_IF_ERROR(env_->CreateDirRecursively(dest_dir));
    for (const auto& [filename, source] : filename_map) {
      const std::string dest = io::JoinPath(dest_dir, filename);
      if (saved_asset_files_.count(dest) != 0) continue;
      TFCKPT_ASSIGN_OR_RETURN(std::string contents, env_->ReadFileToString(source));
      TFCKPT_RETURN_IF_ERROR(io::WriteFileAtomically(env_, dest, contents));
      saved_asset_files_.insert(dest);
    }
  }
  // _maybe_add_main_op.
  if (main_op.has_value()) {
    if (!main_op->valid() || !graph->HasNode(main_op->name)) {
      return InvalidArgumentError("main_op is not an operation of the graph");
    }
    for (const char* key : {kSavedModelMainOpKey, kSavedModelLegacyInitOpKey}) {
      if (!graph->GetCollection(key).empty()) {
        return InvalidArgumentError(StrCat(
            "Graph already contains one or more main ops under the collection ", key, "."));
      }
    }
    graph->AddToCollection(kSavedModelMainOpKey, train::CollectionItem::Of(*main_op));
  }
  return OkStatus();
}

Status SavedModelBuilder::ExportAndAdd(train::Graph* graph, const std::vector<std::string>& tags,
                                       const SignatureDefMap& signature_def_map,
                                       bool clear_devices, bool strip_default_attrs,
                                       train::ClientSession* session) {
  // _maybe_create_saver: Saver(_all_saveable_objects(), sharded=True,
  // write_version=V2, allow_empty=True).
  train::SaverOptions so;
  so.sharded = true;
  so.write_version = tensorflow::SaverDef::V2;
  so.allow_empty = true;
  so.env = env_;
  TFCKPT_ASSIGN_OR_RETURN(auto saver, train::Saver::Create(graph, so));
  if (session != nullptr) {
    TFCKPT_RETURN_IF_ERROR(EnsureStaging());
    const std::string vars_dir = io::JoinPath(staging_, kSavedModelVariablesDirectory);
    TFCKPT_RETURN_IF_ERROR(env_->CreateDirRecursively(vars_dir));
    train::SaveOptions save;
    save.write_meta_graph = false;
    save.write_state = false;
    TFCKPT_RETURN_IF_ERROR(
        saver->Save(session, io::JoinPath(vars_dir, kSavedModelVariablesFilename), save)
            .status());
  }
  // saver.export_meta_graph(clear_devices, strip_default_attrs).
  train::ExportOptions eo;
  eo.clear_devices = clear_devices;
  eo.strip_default_attrs = strip_default_attrs;
  eo.env = env_;
  TFCKPT_ASSIGN_OR_RETURN(tensorflow::MetaGraphDef meta, saver->ExportMetaGraph(std::move(eo)));
  // _tag_and_add_meta_graph.
  for (const std::string& tag : tags) meta.mutable_meta_info_def()->add_tags(tag);
  for (const auto& [key, sig] : signature_def_map) (*meta.mutable_signature_def())[key] = sig;
  *saved_model_.add_meta_graphs() = std::move(meta);
  return OkStatus();
}

Status SavedModelBuilder::AddMetaGraphAndVariables(
    train::ClientSession* session, train::Graph* graph, const std::vector<std::string>& tags,
    const SignatureDefMap& signature_def_map, const std::vector<train::Output>& assets,
    const std::optional<train::Operation>& main_op, bool clear_devices,
    bool strip_default_attrs) {
  if (saved_) return FailedPreconditionError("SavedModelBuilder: Save() was already called");
  if (has_saved_variables_) {
    return FailedPreconditionError(
        "Graph state including variables and assets has already been saved. Please invoke "
        "`add_meta_graph()` instead.");
  }
  if (session == nullptr) return InvalidArgumentError("session is null");
  TFCKPT_RETURN_IF_ERROR(ValidateSignatureDefMap(signature_def_map));
  TFCKPT_RETURN_IF_ERROR(AddCollections(graph, assets, main_op));
  TFCKPT_RETURN_IF_ERROR(EnsureStaging());
  TFCKPT_RETURN_IF_ERROR(
      ExportAndAdd(graph, tags, signature_def_map, clear_devices, strip_default_attrs, session));
  has_saved_variables_ = true;
  return OkStatus();
}

Status SavedModelBuilder::AddMetaGraph(train::Graph* graph, const std::vector<std::string>& tags,
                                       const SignatureDefMap& signature_def_map,
                                       const std::vector<train::Output>& assets,
                                       const std::optional<train::Operation>& main_op,
                                       bool clear_devices, bool strip_default_attrs) {
  if (saved_) return FailedPreconditionError("SavedModelBuilder: Save() was already called");
  if (!has_saved_variables_) {
    return FailedPreconditionError(
        "Graph state including variables and assets has not been saved yet. Please invoke "
        "`add_meta_graph_and_variables()` first.");
  }
  TFCKPT_RETURN_IF_ERROR(ValidateSignatureDefMap(signature_def_map));
  TFCKPT_RETURN_IF_ERROR(AddCollections(graph, assets, main_op));
  return ExportAndAdd(graph, tags, signature_def_map, clear_devices, strip_default_attrs,
                      nullptr);
}

StatusOr<std::string> SavedModelBuilder::Save(bool as_text) {
  if (saved_) return FailedPreconditionError("SavedModelBuilder: Save() was already called");
  TFCKPT_RETURN_IF_ERROR(EnsureStaging());
  const char* name = as_text ? kSavedModelFilenamePbTxt : kSavedModelFilenamePb;
  const std::string contents = as_text ? train::PythonTextFormat(saved_model_)
                                       : train::SerializeLikeTensorFlow(saved_model_);
  TFCKPT_RETURN_IF_ERROR(io::WriteFileAtomically(env_, io::JoinPath(staging_, name), contents));
  TFCKPT_ASSIGN_OR_RETURN(bool usable, UsableExportDir(env_, export_dir_));
  if (!usable) return FailedPreconditionError(ExportDirError(export_dir_));
  TFCKPT_RETURN_IF_ERROR(env_->CreateDirRecursively(io::Dirname(export_dir_)));
  TFCKPT_RETURN_IF_ERROR(env_->RenameFile(staging_, export_dir_));
  (void)env_->SyncDir(io::Dirname(export_dir_));
  saved_ = true;
  return io::JoinPath(export_dir_, name);
}

Status SimpleSave(train::ClientSession* session, train::Graph* graph, const std::string& export_dir,
                  const std::map<std::string, train::Output>& inputs,
                  const std::map<std::string, train::Output>& outputs, io::Env* env) {
  if (inputs.empty()) return InvalidArgumentError("Prediction inputs cannot be None or empty.");
  if (outputs.empty()) return InvalidArgumentError("Prediction outputs cannot be None or empty.");
  SignatureDefMap sigs;
  sigs[kDefaultServingSignatureDefKey] = PredictSignatureDef(inputs, outputs);
  std::vector<train::Output> assets;
  for (const train::CollectionItem& item : graph->GetCollection("asset_filepaths")) {
    if (item.kind != train::CollectionItem::Kind::kTensor) continue;
    TFCKPT_ASSIGN_OR_RETURN(train::Output t, graph->GetTensorByName(item.text));
    assets.push_back(t);
  }
  TFCKPT_ASSIGN_OR_RETURN(auto builder, SavedModelBuilder::Create(env, export_dir));
  TFCKPT_RETURN_IF_ERROR(builder->AddMetaGraphAndVariables(session, graph, {kTagServe}, sigs,
                                                           assets, std::nullopt,
                                                           /*clear_devices=*/true));
  return builder->Save().status();
}

}  // namespace tfckpt::saved_model
