// Model-level checks of `tfckpt validate` (docs/VALIDATOR.md): what
// TensorFlow's loader needs from a SavedModel, a .meta and its checkpoint,
// or a frozen GraphDef, beyond the checkpoint's own bytes. Files are read by
// the loaders' own readers (saved_model::ReadSavedModel, ReadModelFile) and
// graphs built by the engine's importer (graph_check.h), so `validate`
// and `run` cannot disagree about what parses.
//
// Every MetaGraph (of a SavedModel, or a .meta file) is checked for:
//  - the graph (graph_check.h: BAD_GRAPH, RECURSIVE_FUNCTION);
//  - BAD_META_GRAPH: a .meta that parses neither as binary nor as text; a
//    saver_def, asset or init-op name (signature __saved_model_init_op,
//    else collection saved_model_main_op / legacy_init_op) that names no
//    node or output of the graph (TF's loader fails on each);
//  - BAD_SIGNATURE: a signature input or output (dense, COO sparse or
//    composite component) naming no tensor of the graph
//    (tf.saved_model.load: "The name 'x:0' refers to a Tensor which does
//    not exist");
//  - with its checkpoint: every key its Saver restores (the tensor_names
//    Const of each RestoreV2 of the saver's scope, or of the functions a TF2
//    restore op calls) is present with the RestoreV2's dtype, and a graph
//    variable of that name has the checkpoint's shape (VARIABLE_MISMATCH);
//    TF2: every variable of the object graph has its SavedVariable's dtype
//    and shape in the checkpoint (model_object_graph.h, VARIABLE_MISMATCH);
//    without one, a Saver that restores keys is MISSING_VARIABLES.
// A SavedModel (saved_model.pb, else saved_model.pbtxt) also gets:
//  - SAVED_MODEL: the file does not parse (binary .pb, text .pbtxt), or
//    holds no MetaGraph;
//  - MISSING_ASSET: an AssetFileDef's file is not in assets/;
//  - its variables/ bundle validated once (V2; a V1 file is validated, its
//    keys not matched).
// A GraphDef file (.pb, .pbtxt) gets the graph checks; one that parses
// neither way is BAD_GRAPH.
#ifndef TFCKPT_CHECK_MODEL_CHECK_H_
#define TFCKPT_CHECK_MODEL_CHECK_H_

#include <string>

#include "src/check/validator.h"
#include "src/io/env.h"
#include "src/path/model_path.h"

namespace tfckpt::check {

// The SavedModel `saved_model.model` with the checkpoint path::Resolve gave
// it (rule D1: `checkpoint` and `format`, kNone for none), the one answer to
// where its variables are, which the loader restores too.
void CheckSavedModel(io::Env* env, const path::ResolvedPath& saved_model,
                     const ValidateOptions& options, Report* r);

// `meta` with its checkpoint as `tfckpt run` finds it (path::Resolve rule F4:
// its own prefix, else the directory's state file; D2 for a session
// bundle's export.meta); format kNone: the graph only.
void CheckMetaGraphFile(io::Env* env, const std::string& meta,
                        const path::ResolvedPath& checkpoint, const ValidateOptions& options,
                        Report* r);

void CheckGraphDefFile(io::Env* env, const std::string& path, Report* r);

}  // namespace tfckpt::check

#endif  // TFCKPT_CHECK_MODEL_CHECK_H_
