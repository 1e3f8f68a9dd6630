// TF2 SavedModels: the variables of a MetaGraph's object graph against the
// checkpoint (docs/VALIDATOR.md, VARIABLE_MISMATCH), as the TF1 check holds
// a graph's variable nodes against it (model_check.cc).
//
// tf.saved_model.save writes two views of the same objects: saved_model.pb's
// object_graph_def (a SavedVariable per variable: dtype, shape, name) and
// the checkpoint's `_CHECKPOINTABLE_OBJECT_GRAPH` (a TrackableObjectGraph
// whose nodes carry the checkpoint key of each variable's VARIABLE_VALUE).
// tf.saved_model.load creates each variable from its SavedVariable and
// restores it from the checkpoint object matched to it -- from the roots,
// children paired by local name. CheckObjectGraphVariables does that
// matching and reports, for every SavedVariable whose key is not in `skip`
// (keys already reported by the restore-op check), VARIABLE_MISMATCH when
// the key is not in the checkpoint, or its entry's dtype differs, or its
// shape is incompatible (another rank, or a dim the SavedVariable knows
// differs; an unknown rank or dim -1 matches any). A checkpoint without a
// readable object graph, or variables it saves no value for (TF fails only
// when one is read), are notes. A MetaGraph without object_graph_def (TF1)
// is not checked here.
#ifndef TFCKPT_CHECK_MODEL_OBJECT_GRAPH_H_
#define TFCKPT_CHECK_MODEL_OBJECT_GRAPH_H_

#include <set>
#include <string>

#include "proto/meta_graph.pb.h"
#include "src/bundle/bundle_reader.h"
#include "src/check/validator.h"

namespace tfckpt::check {

void CheckObjectGraphVariables(const tensorflow::MetaGraphDef& mg,
                               const bundle::BundleReader& reader, const std::string& file,
                               const std::string& where, const std::set<std::string>& skip,
                               Report* r);

}  // namespace tfckpt::check

#endif  // TFCKPT_CHECK_MODEL_OBJECT_GRAPH_H_
