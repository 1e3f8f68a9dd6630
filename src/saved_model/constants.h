// File names, collection keys and signature constants of SavedModels and
// legacy session bundles (tensorflow/cc/saved_model/constants.h,
// python/saved_model/{constants,signature_constants,tag_constants}.py,
// tensorflow_serving session_bundle/session_bundle.h).
#ifndef TFCKPT_SAVED_MODEL_CONSTANTS_H_
#define TFCKPT_SAVED_MODEL_CONSTANTS_H_

namespace tfckpt::saved_model {

// SavedModel layout.
inline constexpr char kSavedModelFilenamePb[] = "saved_model.pb";
inline constexpr char kSavedModelFilenamePbTxt[] = "saved_model.pbtxt";
inline constexpr char kSavedModelAssetsDirectory[] = "assets";
inline constexpr char kSavedModelAssetsExtraDirectory[] = "assets.extra";
inline constexpr char kSavedModelVariablesDirectory[] = "variables";
inline constexpr char kSavedModelVariablesFilename[] = "variables";
inline constexpr int kSavedModelSchemaVersion = 1;

// Collections and reserved signatures.
inline constexpr char kSavedModelAssetsKey[] = "saved_model_assets";
inline constexpr char kSavedModelLegacyInitOpKey[] = "legacy_init_op";
inline constexpr char kSavedModelMainOpKey[] = "saved_model_main_op";
inline constexpr char kSavedModelTrainOpKey[] = "saved_model_train_op";
inline constexpr char kSavedModelInitOpSignatureKey[] = "__saved_model_init_op";
inline constexpr char kSavedModelTrainOpSignatureKey[] = "__saved_model_train_op";
inline constexpr char kAssetFileDefTypeUrl[] = "type.googleapis.com/tensorflow.AssetFileDef";

// Tags.
inline constexpr char kTagServe[] = "serve";
inline constexpr char kTagTrain[] = "train";

// Signatures.
inline constexpr char kDefaultServingSignatureDefKey[] = "serving_default";
inline constexpr char kPredictMethodName[] = "tensorflow/serving/predict";
inline constexpr char kClassifyMethodName[] = "tensorflow/serving/classify";
inline constexpr char kRegressMethodName[] = "tensorflow/serving/regress";
inline constexpr char kClassifyInputs[] = "inputs";
inline constexpr char kClassifyOutputClasses[] = "classes";
inline constexpr char kClassifyOutputScores[] = "scores";
inline constexpr char kRegressInputs[] = "inputs";
inline constexpr char kRegressOutputs[] = "outputs";
inline constexpr char kPredictInputs[] = "inputs";
inline constexpr char kPredictOutputs[] = "outputs";

// Legacy session bundles (TF Serving's pre-SavedModel export).
inline constexpr char kSessionBundleMetaGraphFilename[] = "export.meta";
inline constexpr char kSessionBundleVariablesFilename[] = "export";
inline constexpr char kSessionBundleVariablesPattern[] = "export-\?\?\?\?\?-of-\?\?\?\?\?";
inline constexpr char kSessionBundleAssetsKey[] = "serving_assets";
inline constexpr char kSessionBundleGraphKey[] = "serving_graph";
inline constexpr char kSessionBundleInitOpKey[] = "serving_init_op";
inline constexpr char kSessionBundleSignaturesKey[] = "serving_signatures";
inline constexpr char kSessionBundleSignaturesTypeUrl[] =
    "type.googleapis.com/tensorflow.serving.Signatures";
inline constexpr char kSessionBundleAssetFileTypeUrl[] =
    "type.googleapis.com/tensorflow.serving.AssetFile";
inline constexpr char kGraphDefTypeUrl[] = "type.googleapis.com/tensorflow.GraphDef";

}  // namespace tfckpt::saved_model

#endif  // TFCKPT_SAVED_MODEL_CONSTANTS_H_
