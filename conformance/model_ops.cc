#include "conformance/model_ops.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "conformance/protocol.h"
#include "proto/meta_graph.pb.h"
#include "proto/saved_model.pb.h"
#include "proto/trackable_object_graph.pb.h"
#include "proto/variable.pb.h"
#include "src/bundle/bundle_reader.h"
#include "src/checkpoint_v1/tensor_slice_reader.h"
#include "src/graph/session.h"
#include "src/path/model_path.h"
#include "src/saved_model/loader.h"
#include "src/tensor/tensor_proto.h"

namespace tfckpt::conformance {

using nlohmann::json;

namespace {

std::string Hex(const std::string& s) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

json ShapeJson(const tensorflow::TensorShapeProto& s) {
  if (s.unknown_rank()) return nullptr;
  json dims = json::array();
  for (const auto& d : s.dim()) dims.push_back(d.size());
  return dims;
}

json TensorInfoJson(const tensorflow::TensorInfo& t) {
  return {{"name", t.name()},
          {"dtype", tensorflow::DataType_Name(t.dtype())},
          {"shape", ShapeJson(t.tensor_shape())}};
}

json SaverDefJson(const tensorflow::SaverDef& s) {
  return {{"filename_tensor_name", s.filename_tensor_name()},
          {"save_tensor_name", s.save_tensor_name()},
          {"restore_op_name", s.restore_op_name()},
          {"max_to_keep", s.max_to_keep()},
          {"sharded", s.sharded()},
          {"keep_checkpoint_every_n_hours", s.keep_checkpoint_every_n_hours()},
          {"version", tensorflow::SaverDef::CheckpointFormatVersion_Name(s.version())}};
}

// What a SavedModel's MetaGraph and a .meta file share.
json MetaGraphJson(const tensorflow::MetaGraphDef& mg) {
  json tags = json::array();
  for (const std::string& t : mg.meta_info_def().tags()) tags.push_back(t);
  json sigs = json::object();
  for (const auto& [key, sig] : mg.signature_def()) {
    json in = json::object(), out = json::object();
    for (const auto& [k, t] : sig.inputs()) in[k] = TensorInfoJson(t);
    for (const auto& [k, t] : sig.outputs()) out[k] = TensorInfoJson(t);
    sigs[key] = {{"inputs", in}, {"outputs", out}, {"method_name", sig.method_name()}};
  }
  std::vector<std::string> keys;
  for (const auto& [k, c] : mg.collection_def()) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  json out = {{"tags", tags},
              {"signature_def", sigs},
              {"collection_keys", keys},
              {"num_nodes", mg.graph_def().node_size()}};
  if (mg.has_saver_def()) out["saver_def"] = SaverDefJson(mg.saver_def());
  return out;
}

json CollectionJson(const tensorflow::CollectionDef& c) {
  json values = json::array();
  switch (c.kind_case()) {
    case tensorflow::CollectionDef::kNodeList:
      for (const auto& v : c.node_list().value()) values.push_back(v);
      return {{"kind", "node_list"}, {"value", values}};
    case tensorflow::CollectionDef::kBytesList:
      for (const auto& v : c.bytes_list().value()) values.push_back(Hex(v));
      return {{"kind", "bytes_list"}, {"value", values}};
    case tensorflow::CollectionDef::kInt64List:
      for (const auto v : c.int64_list().value()) values.push_back(v);
      return {{"kind", "int64_list"}, {"value", values}};
    case tensorflow::CollectionDef::kFloatList:
      for (const float v : c.float_list().value()) values.push_back(static_cast<double>(v));
      return {{"kind", "float_list"}, {"value", values}};
    case tensorflow::CollectionDef::kAnyList:
      for (const auto& v : c.any_list().value()) values.push_back(v.type_url());
      return {{"kind", "any_list"}, {"value", values}};
    default:
      return {{"kind", "none"}, {"value", values}};
  }
}

// The VariableDef names of the variable collections (META-3.2).
json VariableCollections(const tensorflow::MetaGraphDef& mg) {
  json out = json::object();
  for (const char* key : {"variables", "trainable_variables", "local_variables",
                          "model_variables"}) {
    auto it = mg.collection_def().find(key);
    if (it == mg.collection_def().end() || !it->second.has_bytes_list()) continue;
    json names = json::array();
    for (const std::string& bytes : it->second.bytes_list().value()) {
      tensorflow::VariableDef v;
      names.push_back(v.ParseFromString(bytes) ? json(v.variable_name()) : json(nullptr));
    }
    out[key] = names;
  }
  return out;
}

StatusOr<std::string> StringField(const json& request, const char* field) {
  if (!request.contains(field) || !request[field].is_string()) {
    return InvalidArgumentError(StrCat("request needs a string \"", field, "\""));
  }
  return request[field].get<std::string>();
}

StatusOr<std::vector<std::string>> StringList(const json& request, const char* field) {
  std::vector<std::string> out;
  if (!request.contains(field)) return out;
  if (!request[field].is_array()) return InvalidArgumentError(StrCat("\"", field, "\" is not a list"));
  for (const json& s : request[field]) {
    if (!s.is_string()) return InvalidArgumentError(StrCat("\"", field, "\" holds a non-string"));
    out.push_back(s.get<std::string>());
  }
  return out;
}

StatusOr<std::unique_ptr<saved_model::Bundle>> LoadBundle(io::Env* env, const json& request) {
  TFCKPT_ASSIGN_OR_RETURN(std::string kind, StringField(request, "kind"));
  TFCKPT_ASSIGN_OR_RETURN(std::string path, StringField(request, "path"));
  saved_model::LoadOptions options;
  options.env = env;
  if (kind == "saved_model") {
    TFCKPT_ASSIGN_OR_RETURN(std::vector<std::string> tags, StringList(request, "tags"));
    if (!request.contains("tags")) {  // the first MetaGraph's tag set
      TFCKPT_ASSIGN_OR_RETURN(tensorflow::SavedModel sm, saved_model::ReadSavedModel(path, env));
      if (sm.meta_graphs_size() == 0) return DataLossError(StrCat(path, ": no MetaGraph"));
      const auto& first = sm.meta_graphs(0).meta_info_def().tags();
      tags.assign(first.begin(), first.end());
    }
    return saved_model::LoadSavedModel(path, tags, options);
  }
  if (kind == "meta_graph") {
    return saved_model::LoadMetaGraphAndCheckpoint(path, request.value("checkpoint", ""), options);
  }
  if (kind == "graph") return saved_model::LoadFrozenGraph(path, options);
  return InvalidArgumentError(StrCat("unknown model kind \"", kind, "\""));
}

// The initializer ops of the "variables" collection's VariableDefs.
StatusOr<std::vector<std::string>> VariableInitializers(const tensorflow::MetaGraphDef& mg) {
  std::vector<std::string> out;
  auto it = mg.collection_def().find("variables");
  if (it == mg.collection_def().end()) return out;
  for (const std::string& bytes : it->second.bytes_list().value()) {
    tensorflow::VariableDef v;
    if (!v.ParseFromString(bytes)) {
      return DataLossError("collection \"variables\" holds bytes that are not a VariableDef");
    }
    out.push_back(v.initializer_name());
  }
  return out;
}

}  // namespace

StatusOr<json> LoadModelOp(io::Env* env, const json& request) {
  TFCKPT_ASSIGN_OR_RETURN(auto bundle, LoadBundle(env, request));
  const tensorflow::MetaGraphDef& mg = bundle->meta_graph_def();
  if (request.value("initialize", false)) {
    TFCKPT_ASSIGN_OR_RETURN(std::vector<std::string> inits, VariableInitializers(mg));
    TFCKPT_RETURN_IF_ERROR(bundle->session()->Run(bundle->asset_feeds(), {}, inits, nullptr));
  }
  if (request.contains("save_to")) {
    TFCKPT_ASSIGN_OR_RETURN(std::string prefix, StringField(request, "save_to"));
    if (!mg.has_saver_def()) return FailedPreconditionError(StrCat(bundle->path(), ": no saver_def"));
    std::vector<graph::Session::Feed> feeds = bundle->asset_feeds();
    feeds.emplace_back(mg.saver_def().filename_tensor_name(),
                       tensor::Tensor::FromStrings(tensor::TensorShape({}), {prefix}));
    TFCKPT_RETURN_IF_ERROR(
        bundle->session()->Run(feeds, {mg.saver_def().save_tensor_name()}, {}).status());
  }
  TFCKPT_ASSIGN_OR_RETURN(std::vector<std::string> fetch, StringList(request, "fetch"));
  if (fetch.empty()) return json::object();
  TFCKPT_ASSIGN_OR_RETURN(auto values, bundle->session()->Run(bundle->asset_feeds(), fetch, {}));
  json tensors = json::array();
  for (size_t i = 0; i < fetch.size(); ++i) tensors.push_back(WireTensor(fetch[i], values[i]));
  return json{{"tensors", tensors}};
}

StatusOr<json> ReadSavedModelOp(io::Env* env, const json& request) {
  TFCKPT_ASSIGN_OR_RETURN(std::string dir, StringField(request, "dir"));
  // The SavedModel and its variables/variables as every command finds them
  // (path::Resolve rules D1, F2): the directory, or its saved_model.pb(txt);
  // the variables a V2 bundle or the V1 file TF 1.x SavedModels may hold.
  auto resolved = path::Resolve(env, dir);
  const bool saved_model = resolved.ok() && resolved->kind == path::Kind::kSavedModel;
  if (saved_model) dir = resolved->model;
  json out;
  if (request.contains("tags")) {
    std::vector<std::string> tags;
    for (const json& t : request["tags"]) tags.push_back(t.get<std::string>());
    TFCKPT_ASSIGN_OR_RETURN(auto mg, saved_model::ReadSavedModelMetaGraph(dir, tags, env));
    out["meta_graphs"] = json::array({MetaGraphJson(mg.meta_graph)});
  } else {
    TFCKPT_ASSIGN_OR_RETURN(tensorflow::SavedModel sm, saved_model::ReadSavedModel(dir, env));
    out["saved_model_schema_version"] = sm.saved_model_schema_version();
    out["meta_graphs"] = json::array();
    for (const auto& mg : sm.meta_graphs()) out["meta_graphs"].push_back(MetaGraphJson(mg));
  }
  json vars = json::array();
  if (saved_model && resolved->format == path::Format::kV2) {
    TFCKPT_ASSIGN_OR_RETURN(auto reader, bundle::BundleReader::Open(env, resolved->checkpoint));
    TFCKPT_ASSIGN_OR_RETURN(auto infos, reader->ListTensors());
    for (const auto& i : infos) {
      vars.push_back({{"name", i.key},
                      {"dtype", tensorflow::DataType_Name(i.dtype)},
                      {"shape", i.shape.dims()}});
    }
  } else if (saved_model && resolved->format == path::Format::kV1) {
    TFCKPT_ASSIGN_OR_RETURN(auto reader,
                            checkpoint_v1::TensorSliceReader::Open(env, resolved->checkpoint));
    for (const auto& i : reader->ListTensors()) {
      vars.push_back({{"name", i.name},
                      {"dtype", tensorflow::DataType_Name(i.dtype)},
                      {"shape", i.shape.dims()}});
    }
  }
  out["variables"] = vars;
  return out;
}

StatusOr<json> ReadMetaGraphOp(io::Env* env, const json& request) {
  TFCKPT_ASSIGN_OR_RETURN(std::string path, StringField(request, "path"));
  tensorflow::MetaGraphDef mg;
  TFCKPT_RETURN_IF_ERROR(saved_model::ReadModelFile(path, &mg, env));
  json out = MetaGraphJson(mg);
  json collections = json::object();
  for (const auto& [k, c] : mg.collection_def()) collections[k] = CollectionJson(c);
  out["collections"] = collections;
  out["variables"] = VariableCollections(mg);
  return out;
}

StatusOr<json> ReadGraphOp(io::Env* env, const json& request) {
  TFCKPT_ASSIGN_OR_RETURN(std::string path, StringField(request, "path"));
  tensorflow::GraphDef g;
  TFCKPT_RETURN_IF_ERROR(saved_model::ReadModelFile(path, &g, env));
  json nodes = json::array(), consts = json::array();
  for (const auto& n : g.node()) {
    nodes.push_back({{"name", n.name()}, {"op", n.op()}});
    if (n.op() != "Const") continue;
    auto value = n.attr().find("value");
    if (value == n.attr().end() || !value->second.has_tensor()) {
      return InvalidArgumentError(StrCat(path, ": Const node ", n.name(), " has no value"));
    }
    auto t = tensor::TensorFromProto(value->second.tensor());
    if (!t.ok()) return t.status().WithContext(StrCat(path, ": Const node ", n.name()));
    consts.push_back(WireTensor(n.name(), *t));
  }
  return json{{"nodes", nodes}, {"consts", consts}};
}

StatusOr<json> ReadObjectGraphOp(io::Env* env, const json& request) {
  TFCKPT_ASSIGN_OR_RETURN(std::string prefix, StringField(request, "prefix"));
  TFCKPT_ASSIGN_OR_RETURN(auto reader, bundle::BundleReader::Open(env, prefix));
  constexpr char kKey[] = "_CHECKPOINTABLE_OBJECT_GRAPH";
  TFCKPT_ASSIGN_OR_RETURN(tensor::Tensor t, reader->Lookup(kKey));
  if (!t.is_string() || t.strings().size() != 1) {
    return InvalidArgumentError(StrCat(prefix, ": ", kKey, " is not a string scalar"));
  }
  tensorflow::TrackableObjectGraph g;
  if (!g.ParseFromString(t.strings()[0])) {
    return DataLossError(StrCat(prefix, ": ", kKey, " is not a TrackableObjectGraph"));
  }
  json nodes = json::array();
  for (const auto& n : g.nodes()) {
    json children = json::array(), attributes = json::array();
    for (const auto& c : n.children()) {
      children.push_back({{"node_id", c.node_id()}, {"local_name", c.local_name()}});
    }
    for (const auto& a : n.attributes()) {
      attributes.push_back(
          {{"name", a.name()}, {"full_name", a.full_name()}, {"checkpoint_key", a.checkpoint_key()}});
    }
    nodes.push_back({{"children", children}, {"attributes", attributes}});
  }
  return json{{"nodes", nodes}};
}

}  // namespace tfckpt::conformance
