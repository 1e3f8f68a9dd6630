// The signatures of a legacy TF Serving session bundle: the
// `serving_signatures` collection holds Any(tensorflow.serving.Signatures)
// (tensorflow_serving/session_bundle/manifest.proto), a message tfckpt does
// not define. This decodes just what signatures need, field by field:
//
//   Signatures { Signature default_signature = 1;
//                map<string, Signature> named_signatures = 2; }
//   Signature  { oneof { RegressionSignature regression_signature = 1;
//                        ClassificationSignature classification_signature = 2;
//                        GenericSignature generic_signature = 3; } }
//   RegressionSignature     { TensorBinding input = 1; output = 2; }
//   ClassificationSignature { TensorBinding input = 1; classes = 2; scores = 3; }
//   GenericSignature        { map<string, TensorBinding> map = 1; }
//   TensorBinding           { string tensor_name = 1; }
//
// Unknown fields are skipped; malformed bytes are an error.
//
// session_bundle.cc also holds the loader of session bundles
// (LoadSessionBundle, loader.h) that uses this.
#ifndef TFCKPT_SAVED_MODEL_SESSION_BUNDLE_H_
#define TFCKPT_SAVED_MODEL_SESSION_BUNDLE_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "src/io/status.h"

namespace tfckpt::saved_model {

struct LegacySignature {
  enum Kind { kNone, kRegression, kClassification, kGeneric } kind = kNone;
  std::string input, output;               // regression
  std::string classes, scores;             // classification (input too)
  std::map<std::string, std::string> map;  // generic: key -> tensor name
};

struct LegacySignatures {
  std::optional<LegacySignature> default_signature;
  std::map<std::string, LegacySignature> named;
};

StatusOr<LegacySignatures> DecodeLegacySignatures(std::string_view bytes);

}  // namespace tfckpt::saved_model

#endif  // TFCKPT_SAVED_MODEL_SESSION_BUNDLE_H_
