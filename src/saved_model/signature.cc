#include "src/saved_model/signature.h"

namespace tfckpt::saved_model {
namespace {

std::string Keys(const google::protobuf::Map<std::string, tensorflow::TensorInfo>& m) {
  std::string out;
  for (const auto& k : std::map<std::string, tensorflow::TensorInfo>(m.begin(), m.end())) {
    out += StrCat(out.empty() ? "" : ", ", k.first);
  }
  return out.empty() ? "(none)" : out;
}

Status CheckInfo(const Bundle& bundle, const std::string& key, const char* side,
                 const std::string& name, const tensorflow::TensorInfo& info) {
  if (info.encoding_case() != tensorflow::TensorInfo::kName) {
    return UnimplementedError(StrCat("signature '", key, "' ", side, " '", name,
                                     "' is a sparse or composite tensor; tfckpt runs only "
                                     "dense TensorInfos"));
  }
  auto t = TensorDtype(bundle, info.name());
  if (!t.ok()) {
    return InvalidArgumentError(StrCat("signature '", key, "' ", side, " '", name,
                                       "': ", t.status().message()));
  }
  return OkStatus();
}

// Adds context to an engine error of a signature run.
Status RunError(const Bundle& bundle, const std::string& what, const Status& s) {
  std::string message = StrCat(what, ": ", s.message());
  if (s.code() == StatusCode::kFailedPrecondition && !bundle.restored() &&
      s.message().find("uninitialized value") != std::string::npos) {
    message += StrCat("\n(no variables were restored when loading ", bundle.path(),
                      bundle.kind() == ModelKind::kSavedModel
                          ? ": it has no variables/variables.index"
                          : "", ")");
  }
  return Status(s.code(), message);
}

}  // namespace

StatusOr<tensor::DataType> TensorDtype(const Bundle& bundle, const std::string& name) {
  const graph::Graph& g = bundle.session()->graph();
  auto t = graph::ParseTensorName(name);
  const graph::Node* n = t.ok() && !t->control() ? g.FindNode(t->node) : nullptr;
  if (n == nullptr) {
    return NotFoundError(StrCat("tensor '", name, "' is not in the graph of ", bundle.path()));
  }
  if (n->registration() == nullptr) return tensorflow::DT_INVALID;
  if (t->index >= n->num_outputs()) {
    return NotFoundError(StrCat("tensor '", name, "': node ", n->name(), " (", n->op(),
                                ") has ", n->num_outputs(), " output(s)"));
  }
  return n->output_type(t->index).dtype;
}

Status ValidateSignature(const Bundle& bundle, const std::string& key) {
  auto it = bundle.signatures().find(key);
  if (it == bundle.signatures().end()) {
    std::string keys;
    for (const auto& [k, v] : bundle.signatures()) keys += StrCat(keys.empty() ? "" : ", ", k);
    // FailedPrecondition, as TF Serving's "Serving signature key ... not found."
    return FailedPreconditionError(StrCat("signature '", key, "' not found in ", bundle.path(),
                                "; its signatures: ", keys.empty() ? "(none)" : keys));
  }
  for (const auto& [name, info] : it->second.inputs()) {
    TFCKPT_RETURN_IF_ERROR(CheckInfo(bundle, key, "input", name, info));
  }
  for (const auto& [name, info] : it->second.outputs()) {
    TFCKPT_RETURN_IF_ERROR(CheckInfo(bundle, key, "output", name, info));
  }
  return OkStatus();
}

StatusOr<NamedTensors> RunSignature(const Bundle& bundle, const std::string& key,
                                    const NamedTensors& inputs,
                                    const std::vector<std::string>& output_keys) {
  TFCKPT_RETURN_IF_ERROR(ValidateSignature(bundle, key));
  const tensorflow::SignatureDef& sig = bundle.signatures().at(key);
  std::vector<graph::Session::Feed> feeds;
  for (const auto& [name, value] : inputs) {
    auto it = sig.inputs().find(name);
    if (it == sig.inputs().end()) {
      return InvalidArgumentError(StrCat("signature '", key, "' has no input '", name,
                                         "'; its inputs: ", Keys(sig.inputs())));
    }
    // The graph decides (Session::Run checks it too); a TensorInfo dtype
    // only when the graph cannot tell. TF's own testdata has signatures
    // whose TensorInfo dtype is wrong (half_plus_three's tf_example:0).
    TFCKPT_ASSIGN_OR_RETURN(tensorflow::DataType want, TensorDtype(bundle, it->second.name()));
    if (want == tensorflow::DT_INVALID) want = it->second.dtype();
    if (want != tensorflow::DT_INVALID && want != value.dtype()) {
      return InvalidArgumentError(StrCat("signature '", key, "' input '", name, "' (",
                                         it->second.name(), ") is ", tensor::DataTypeName(want),
                                         ", got ", tensor::DataTypeName(value.dtype())));
    }
    // Python's Session.run checks a feed against the tensor's static shape.
    // The engine checks a Placeholder's shape attr (session.cc) but infers
    // no shapes, so another fed tensor (half_plus_two's x:0 is an Identity)
    // is checked against the signature's TensorInfo, with TF's message.
    const graph::Graph& g = bundle.session()->graph();
    auto t = graph::ParseTensorName(it->second.name());
    const graph::Node* node = t.ok() ? g.FindNode(t->node) : nullptr;
    const bool placeholder = node != nullptr && (node->op() == "Placeholder" ||
                                                 node->op() == "PlaceholderWithDefault");
    if (!placeholder && it->second.has_tensor_shape()) {
      auto shape = graph::PartialShape::FromProto(it->second.tensor_shape());
      if (shape.ok() && !shape->IsCompatibleWith(value.shape())) {
        return InvalidArgumentError(StrCat(
            "Cannot feed value of shape ", graph::PartialShape::Known(value.shape()).PythonString(),
            " for Tensor ", it->second.name(), ", which has shape ", shape->PythonString()));
      }
    }
    feeds.push_back({it->second.name(), value});
  }
  std::vector<std::string> keys = output_keys;
  if (keys.empty()) {
    for (const auto& [name, info] : sig.outputs()) keys.push_back(name);
    std::sort(keys.begin(), keys.end());
  }
  std::vector<std::string> fetches;
  for (const std::string& k : keys) {
    auto it = sig.outputs().find(k);
    if (it == sig.outputs().end()) {
      return InvalidArgumentError(StrCat("signature '", key, "' has no output '", k,
                                         "'; its outputs: ", Keys(sig.outputs())));
    }
    fetches.push_back(it->second.name());
  }
  std::vector<tensor::Tensor> out;
  Status s = bundle.session()->Run(feeds, fetches, {}, &out);
  if (!s.ok()) return RunError(bundle, StrCat("signature '", key, "'"), s);
  NamedTensors result;
  for (size_t i = 0; i < keys.size(); ++i) result[keys[i]] = out[i];
  return result;
}

StatusOr<std::vector<tensor::Tensor>> RunTensors(
    const Bundle& bundle, const std::vector<std::pair<std::string, tensor::Tensor>>& feeds,
    const std::vector<std::string>& fetches) {
  for (const auto& [name, value] : feeds) TFCKPT_RETURN_IF_ERROR(TensorDtype(bundle, name).status());
  for (const std::string& name : fetches) TFCKPT_RETURN_IF_ERROR(TensorDtype(bundle, name).status());
  std::vector<tensor::Tensor> out;
  Status s = bundle.session()->Run(feeds, fetches, {}, &out);
  if (!s.ok()) return RunError(bundle, "run", s);
  return out;
}

}  // namespace tfckpt::saved_model
