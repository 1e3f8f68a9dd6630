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
// load_model (profile load-model): loads a model into tfckpt's graph engine
// (saved_model/loader.h) and then, in this order:
//   {"kind": "saved_model", "path": dir, "tags"?}  LoadSavedModel (import,
//        asset feeds, restore, init op: SMODEL-3.3); without "tags", the
//        first MetaGraph's tag set;
//   {"kind": "meta_graph", "path", "checkpoint"?}  the .meta restored from
//        "checkpoint" by its saver_def (META-2.2), if given;
//   {"kind": "graph", "path"}                      a frozen GraphDef;
//   "initialize": true  runs the initializer of every VariableDef of the
//        "variables" collection (global_variables_initializer);
//   "save_to": prefix   runs the MetaGraph's Saver: feeds the prefix to
//        saver_def.filename_tensor_name, fetches save_tensor_name (META-2.2);
//   "fetch": [names]    runs these tensors ({"tensors": wire tensors}).
// Result {"tensors": [...]} with "fetch", else {}. Any failure (a name that does not resolve, a
// restore or init op that fails) is the error.
StatusOr<nlohmann::json> LoadModelOp(io::Env* env, const nlohmann::json& request);

}  // namespace tfckpt::conformance

#endif  // TFCKPT_CONFORMANCE_MODEL_OPS_H_
