// Running a loaded Bundle: by SignatureDef (TensorInfo names) or by tensor
// names (frozen graphs, MetaGraphs without signatures).
//
// RunSignature(bundle, key, inputs, output_keys):
//  - key must be a signature of the bundle (FailedPrecondition listing the
//    keys; TF Serving's code for an unknown signature key);
//  - every input key must be an input of the signature (InvalidArgument
//    listing its inputs), of its graph tensor's dtype (the TensorInfo's
//    dtype only when the graph cannot tell: TF ignores it, and TF's own
//    testdata has wrong ones), and of a shape compatible with the
//    tensor's: a Placeholder's shape attr (checked by the session), else
//    the TensorInfo's, as TF's Session.run checks the static shape:
//    InvalidArgument "Cannot feed value of shape (1, 1, 1) for Tensor x:0,
//    which has shape (None, 1)" (TF 2.21's text);
//    inputs not given are not fed (a PlaceholderWithDefault keeps its
//    default; a Placeholder the outputs need is TF's "You must feed a value
//    for placeholder tensor ..." error);
//  - output_keys selects outputs (default: all), each an output of the
//    signature;
//  - every TensorInfo must name a tensor of the graph (InvalidArgument
//    naming signature, key and tensor: CVE-2020-15206); sparse and
//    composite TensorInfos are Unimplemented;
//  - engine errors get the prefix "signature '<key>': "; when variables
//    were not restored (no variables/ directory), an uninitialized-value
//    error says so.
// Outputs come back by output key (reference outputs as their values).
#ifndef TFCKPT_SAVED_MODEL_SIGNATURE_H_
#define TFCKPT_SAVED_MODEL_SIGNATURE_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "src/saved_model/loader.h"
#include "src/tensor/tensor.h"

namespace tfckpt::saved_model {

using NamedTensors = std::map<std::string, tensor::Tensor>;

StatusOr<NamedTensors> RunSignature(const Bundle& bundle, const std::string& key,
                                    const NamedTensors& inputs,
                                    const std::vector<std::string>& output_keys = {});

// Checks that every TensorInfo of signature `key` names a graph tensor.
Status ValidateSignature(const Bundle& bundle, const std::string& key);

// Feeds and fetches by tensor name ("x:0", "x").
StatusOr<std::vector<tensor::Tensor>> RunTensors(
    const Bundle& bundle, const std::vector<std::pair<std::string, tensor::Tensor>>& feeds,
    const std::vector<std::string>& fetches);

// The dtype of graph tensor `name` (references as their value type);
// DT_INVALID for outputs of ops the engine lacks. NotFound if absent.
StatusOr<tensor::DataType> TensorDtype(const Bundle& bundle, const std::string& name);

}  // namespace tfckpt::saved_model

#endif  // TFCKPT_SAVED_MODEL_SIGNATURE_H_
