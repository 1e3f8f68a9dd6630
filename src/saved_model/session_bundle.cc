#include "src/saved_model/session_bundle.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include "src/graph/graph.h"
#include "src/saved_model/constants.h"
#include "src/saved_model/loader_internal.h"

namespace tfckpt::saved_model {
namespace {

using google::protobuf::io::CodedInputStream;
using google::protobuf::internal::WireFormatLite;

// One message's fields: number -> length-delimited payloads (other wire
// types are skipped).
StatusOr<std::multimap<int, std::string>> Fields(std::string_view bytes, const char* what) {
  CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                      static_cast<int>(bytes.size()));
  std::multimap<int, std::string> out;
  auto bad = [&]() {
    return InvalidArgumentError(StrCat("malformed ", what, " in serving_signatures"));
  };
  while (true) {
    const uint32_t tag = in.ReadTag();
    if (tag == 0) break;
    const int field = static_cast<int>(WireFormatLite::GetTagFieldNumber(tag));
    if (WireFormatLite::GetTagWireType(tag) == WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      uint32_t length;
      std::string value;
      if (!in.ReadVarint32(&length) || !in.ReadString(&value, static_cast<int>(length))) {
        return bad();
      }
      out.emplace(field, std::move(value));
    } else if (!WireFormatLite::SkipField(&in, tag)) {
      return bad();
    }
  }
  if (!in.ConsumedEntireMessage()) return bad();
  return out;
}

StatusOr<std::string> TensorName(const std::string& binding) {
  TFCKPT_ASSIGN_OR_RETURN(auto f, Fields(binding, "TensorBinding"));
  auto it = f.find(1);
  return it == f.end() ? std::string() : it->second;
}

StatusOr<LegacySignature> DecodeSignature(const std::string& bytes) {
  TFCKPT_ASSIGN_OR_RETURN(auto f, Fields(bytes, "Signature"));
  LegacySignature s;
  for (const auto& [field, value] : f) {  // a oneof: the last one wins
    TFCKPT_ASSIGN_OR_RETURN(auto sub, Fields(value, "signature"));
    s = LegacySignature();
    auto binding = [&](int n) -> StatusOr<std::string> {
      auto it = sub.find(n);
      if (it == sub.end()) return std::string();
      return TensorName(it->second);
    };
    if (field == 1) {
      s.kind = LegacySignature::kRegression;
      TFCKPT_ASSIGN_OR_RETURN(s.input, binding(1));
      TFCKPT_ASSIGN_OR_RETURN(s.output, binding(2));
    } else if (field == 2) {
      s.kind = LegacySignature::kClassification;
      TFCKPT_ASSIGN_OR_RETURN(s.input, binding(1));
      TFCKPT_ASSIGN_OR_RETURN(s.classes, binding(2));
      TFCKPT_ASSIGN_OR_RETURN(s.scores, binding(3));
    } else if (field == 3) {
      s.kind = LegacySignature::kGeneric;
      for (auto [it, end] = sub.equal_range(1); it != end; ++it) {
        TFCKPT_ASSIGN_OR_RETURN(auto entry, Fields(it->second, "GenericSignature map entry"));
        auto k = entry.find(1);
        auto v = entry.find(2);
        std::string name;
        if (v != entry.end()) {
          TFCKPT_ASSIGN_OR_RETURN(name, TensorName(v->second));
        }
        s.map[k == entry.end() ? "" : k->second] = name;
      }
    }
  }
  return s;
}

}  // namespace

StatusOr<LegacySignatures> DecodeLegacySignatures(std::string_view bytes) {
  TFCKPT_ASSIGN_OR_RETURN(auto f, Fields(bytes, "Signatures"));
  LegacySignatures out;
  for (const auto& [field, value] : f) {
    if (field == 1) {
      TFCKPT_ASSIGN_OR_RETURN(out.default_signature, DecodeSignature(value));
    } else if (field == 2) {
      TFCKPT_ASSIGN_OR_RETURN(auto entry, Fields(value, "named_signatures entry"));
      auto k = entry.find(1);
      auto v = entry.find(2);
      LegacySignature s;
      if (v != entry.end()) {
        TFCKPT_ASSIGN_OR_RETURN(s, DecodeSignature(v->second));
      }
      out.named[k == entry.end() ? "" : k->second] = std::move(s);
    }
  }
  return out;
}

// ---- Loading a session bundle (Loader::SessionBundle) ----------------------

namespace {

// The serving graph: collection serving_graph's one GraphDef, else the
// MetaGraph's own graph_def.
StatusOr<tensorflow::GraphDef> ServingGraph(const tensorflow::MetaGraphDef& meta,
                                            const std::string& dir, const std::string& file) {
  tensorflow::GraphDef graph_def;
  auto it = meta.collection_def().find(kSessionBundleGraphKey);
  if (it == meta.collection_def().end()) return meta.graph_def();
  if (it->second.any_list().value_size() != 1) {
    return FailedPreconditionError(StrCat("Expected exactly one serving GraphDef in : ", dir,
                                          " (", file, ": collection ", kSessionBundleGraphKey,
                                          ")"));
  }
  const auto& any = it->second.any_list().value(0);
  if (any.type_url() != kGraphDefTypeUrl || !graph_def.ParseFromString(any.value())) {
    return InvalidArgumentError(StrCat(file, ": collection ", kSessionBundleGraphKey,
                                       " does not hold a valid tensorflow.GraphDef"));
  }
  return graph_def;
}

// tensorflow.serving.AssetFile has AssetFileDef's wire format
// (tensor_binding {tensor_name} = 1, filename = 2).
StatusOr<std::vector<tensorflow::AssetFileDef>> SessionBundleAssets(
    const tensorflow::MetaGraphDef& m, const std::string& file) {
  std::vector<tensorflow::AssetFileDef> assets;
  auto it = m.collection_def().find(kSessionBundleAssetsKey);
  if (it == m.collection_def().end()) return assets;
  for (const auto& any : it->second.any_list().value()) {
    tensorflow::AssetFileDef a;
    if (any.type_url() != kSessionBundleAssetFileTypeUrl || !a.ParseFromString(any.value())) {
      return InvalidArgumentError(StrCat(file, ": collection ", kSessionBundleAssetsKey,
                                         " holds a ", any.type_url(),
                                         " that is not a valid tensorflow.serving.AssetFile"));
    }
    assets.push_back(std::move(a));
  }
  return assets;
}

// A TensorInfo for `name`, with the dtype the graph gives it.
tensorflow::TensorInfo Info(const graph::Graph& g, const std::string& name) {
  tensorflow::TensorInfo t;
  t.set_name(name);
  auto tn = graph::ParseTensorName(name);
  const graph::Node* n = tn.ok() ? g.FindNode(tn->node) : nullptr;
  if (n != nullptr && tn->index >= 0 && tn->index < n->num_outputs()) {
    t.set_dtype(n->output_type(tn->index).dtype);
  }
  return t;
}

// A regression or classification signature as a SignatureDef; false for
// the others.
bool Convert(const graph::Graph& g, const LegacySignature& s, tensorflow::SignatureDef* d) {
  if (s.kind == LegacySignature::kRegression) {
    d->set_method_name(kRegressMethodName);
    if (!s.input.empty()) (*d->mutable_inputs())[kRegressInputs] = Info(g, s.input);
    if (!s.output.empty()) (*d->mutable_outputs())[kRegressOutputs] = Info(g, s.output);
    return true;
  }
  if (s.kind == LegacySignature::kClassification) {
    d->set_method_name(kClassifyMethodName);
    if (!s.input.empty()) (*d->mutable_inputs())[kClassifyInputs] = Info(g, s.input);
    if (!s.classes.empty()) (*d->mutable_outputs())[kClassifyOutputClasses] = Info(g, s.classes);
    if (!s.scores.empty()) (*d->mutable_outputs())[kClassifyOutputScores] = Info(g, s.scores);
    return true;
  }
  return false;
}

}  // namespace

// Up-converted as bundle_shim.cc does.
Status Loader::AddLegacySignatures(Bundle* b, const std::string& file,
                                   const tensorflow::MetaGraphDef& m) {
  auto sig_it = m.collection_def().find(kSessionBundleSignaturesKey);
  if (sig_it == m.collection_def().end() || sig_it->second.any_list().value_size() == 0) {
    return OkStatus();
  }
  const auto& any = sig_it->second.any_list().value(0);
  if (any.type_url() != kSessionBundleSignaturesTypeUrl) {
    return InvalidArgumentError(StrCat(file, ": collection ", kSessionBundleSignaturesKey,
                                       " holds a ", any.type_url(),
                                       ", not a tensorflow.serving.Signatures"));
  }
  auto legacy = DecodeLegacySignatures(any.value());
  if (!legacy.ok()) return legacy.status().WithContext(file);
  const graph::Graph& g = b->session_->graph();
  if (legacy->default_signature) {
    tensorflow::SignatureDef d;
    if (Convert(g, *legacy->default_signature, &d)) {
      b->signatures_[kDefaultServingSignatureDefKey] = d;
    } else {
      b->log_.push_back("default signature is not regression/classification: not converted");
    }
  }
  auto in = legacy->named.find(kPredictInputs);
  auto out = legacy->named.find(kPredictOutputs);
  const bool predict = in != legacy->named.end() && out != legacy->named.end() &&
                       in->second.kind == LegacySignature::kGeneric &&
                       out->second.kind == LegacySignature::kGeneric;
  if (predict) {
    tensorflow::SignatureDef d;
    d.set_method_name(kPredictMethodName);
    for (const auto& [k, v] : in->second.map) (*d.mutable_inputs())[k] = Info(g, v);
    for (const auto& [k, v] : out->second.map) (*d.mutable_outputs())[k] = Info(g, v);
    const std::string key = b->signatures_.count(kDefaultServingSignatureDefKey) > 0
                                ? StrCat(kDefaultServingSignatureDefKey, "_from_named")
                                : std::string(kDefaultServingSignatureDefKey);
    b->signatures_[key] = d;
  }
  for (const auto& [key, s] : legacy->named) {
    if (predict && (key == kPredictInputs || key == kPredictOutputs)) continue;
    tensorflow::SignatureDef d;
    if (Convert(g, s, &d)) {
      b->signatures_[key] = d;
    } else {
      b->log_.push_back(StrCat("named signature ", key, " not converted (generic)"));
    }
  }
  return OkStatus();
}

StatusOr<std::unique_ptr<Bundle>> Loader::SessionBundle(const std::string& dir,
                                                        const LoadOptions& options) {
  io::Env* env = EnvOf(options);
  const std::string file = io::JoinPath(dir, kSessionBundleMetaGraphFilename);
  tensorflow::MetaGraphDef meta;
  TFCKPT_RETURN_IF_ERROR(ReadProto(env, file, &meta, /*binary=*/true, /*text=*/false));
  const bool graph_from_collection = meta.collection_def().count(kSessionBundleGraphKey) > 0;
  TFCKPT_ASSIGN_OR_RETURN(tensorflow::GraphDef graph_def, ServingGraph(meta, dir, file));
  TFCKPT_ASSIGN_OR_RETURN(std::unique_ptr<Bundle> b,
                          NewBundle(ModelKind::kSessionBundle, dir, file, std::move(meta),
                                    graph_def, options));
  b->meta_graph_def_.clear_graph_def();
  *b->meta_graph_def_.mutable_graph_def() = std::move(graph_def);
  const tensorflow::MetaGraphDef& m = b->meta_graph_def_;
  if (graph_from_collection) {
    b->log_.push_back(StrCat("graph from collection ", kSessionBundleGraphKey));
  }
  TFCKPT_ASSIGN_OR_RETURN(auto assets, SessionBundleAssets(m, file));
  TFCKPT_RETURN_IF_ERROR(
      AddAssets(b.get(), file, io::JoinPath(dir, kSavedModelAssetsDirectory), assets));

  // Variables: "export" (V1 file or V2 prefix), else the sharded pattern.
  const std::string plain = io::JoinPath(dir, kSessionBundleVariablesFilename);
  const std::string prefix = env->FileExists(plain) || env->FileExists(plain + ".index")
                                 ? plain
                                 : io::JoinPath(dir, kSessionBundleVariablesPattern);
  if (!m.has_saver_def()) {
    return FailedPreconditionError(StrCat(file, ": the session bundle has no saver_def"));
  }
  TFCKPT_RETURN_IF_ERROR(Restore(b.get(), file, prefix));

  auto init_it = m.collection_def().find(kSessionBundleInitOpKey);
  if (init_it != m.collection_def().end()) {
    if (init_it->second.node_list().value_size() != 1) {
      return FailedPreconditionError(StrCat("Expected exactly one serving init op in : ", dir,
                                            " (", file, ")"));
    }
    TFCKPT_RETURN_IF_ERROR(RunInit(b.get(), file, init_it->second.node_list().value(0),
                                   StrCat("collection ", kSessionBundleInitOpKey)));
  }
  TFCKPT_RETURN_IF_ERROR(AddLegacySignatures(b.get(), file, m));
  return b;
}

}  // namespace tfckpt::saved_model
