// The model cases of the conformance suite: SavedModel directories, .meta
// files, frozen GraphDefs and TF2 object graphs that TensorFlow wrote
// (golden/tf-2.21/), read through the model operations of protocol.h and
// compared with what TensorFlow recorded about them in golden/MANIFEST.json
// (scenario "notes" and "errors", written by golden/generate/ from TF's own
// objects). Nothing expected is written here by hand.
//
//   Required.SavedModel.<scenario>          read_saved_model: tag-sets,
//       signatures (TensorInfo names, dtypes, shapes), collection keys,
//       saver_def, node counts, variables            (profile read-savedmodel)
//   Required.SavedModelTags.<scenario>/<tags>  read_saved_model with "tags"
//       picks the MetaGraph whose tag *set* matches; a set TF could not find
//       must be refused                               (read-savedmodel)
//   Required.MetaGraph.<scenario>/<file>    read_meta_graph: saver_def,
//       collections, VariableDef names               (read-metagraph)
//   Required.Graph.<scenario>/<file>        read_graph: a frozen graph's
//       nodes and its Const values (= the checkpoint it was frozen from)
//                                                    (read-metagraph)
//   Required.ObjectGraph.<scenario>/<prefix> read_object_graph: a TF2
//       checkpoint's TrackableObjectGraph            (read-object-graph)
#ifndef TFCKPT_CONFORMANCE_SUITE_MODEL_H_
#define TFCKPT_CONFORMANCE_SUITE_MODEL_H_

#include <string>
#include <vector>

#include "conformance/suite.h"
#include "nlohmann/json.hpp"

namespace tfckpt::conformance {

// Appends the model cases of MANIFEST scenario `scenario` (whose files are
// in `dir`; case names carry `label` before the scenario name, e.g.
// "tf-1.15/") to *out.
void AddModelCases(const nlohmann::json& scenario, const std::string& dir,
                   const std::string& label, std::vector<TestCase>* out);

}  // namespace tfckpt::conformance

#endif  // TFCKPT_CONFORMANCE_SUITE_MODEL_H_
