// tfckpt's answers to the model read operations of the testee protocol
// (protocol.h: read_saved_model, read_meta_graph, read_graph,
// read_object_graph; profiles read-savedmodel, read-metagraph,
// read-object-graph), built with the library's model readers
// (saved_model::ReadSavedModel / ReadModelFile, the bundle reader). The
// JSON shapes are documented in conformance/README.md; the suite's side is
// suite_model.h.
#ifndef TFCKPT_CONFORMANCE_MODEL_OPS_H_
#define TFCKPT_CONFORMANCE_MODEL_OPS_H_

#include "nlohmann/json.hpp"
#include "src/io/env.h"
#include "src/io/status.h"

namespace tfckpt::conformance {

// {"dir", "tags"?}: every MetaGraph of the SavedModel (or, with "tags", the
// one whose tag set equals them: NotFound when none) and its variables.
StatusOr<nlohmann::json> ReadSavedModelOp(io::Env* env, const nlohmann::json& request);
// {"path"}: a MetaGraphDef file (binary, else text).
StatusOr<nlohmann::json> ReadMetaGraphOp(io::Env* env, const nlohmann::json& request);
// {"path"}: a GraphDef file (binary, else text): nodes and Const values.
StatusOr<nlohmann::json> ReadGraphOp(io::Env* env, const nlohmann::json& request);
// {"prefix"}: the TrackableObjectGraph of a V2 checkpoint.
StatusOr<nlohmann::json> ReadObjectGraphOp(io::Env* env, const nlohmann::json& request);

}  // namespace tfckpt::conformance

#endif  // TFCKPT_CONFORMANCE_MODEL_OPS_H_
