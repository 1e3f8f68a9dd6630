// tf.import_graph_def (tensorflow/python/framework/importer.py over the C++
// graph_constructor) into a train::Graph.
//
//   auto r = train::ImportGraphDef(&g, frozen, {.return_elements = {"add:0"}});
//   // r->elements[0].tensor is "import/add:0"
//
// Rules reproduced:
//  - name: nullopt -> the name scope "import" (made unique: "import_1"...),
//    "" -> no prefix, "frozen" -> "frozen/" (unique). Node names, inputs and
//    `_class` colocation names ("loc:@x") get the prefix; a name that
//    already exists in the graph is made unique ("x_1", TF's uniquify_names).
//  - input_map: "x:0" (or "x", "^x" for control inputs) -> a tensor of the
//    graph; mapped inputs are rewired. Keys the GraphDef does not have (or
//    whose output index is out of range) are InvalidArgument "Attempted to
//    map inputs that were not found in graph_def: [x:0]" (checked after the
//    import, as TF does).
//  - return_elements: "name:k" are tensors, "name" operations, returned in
//    request order; unknown ones are InvalidArgument "Requested return
//    tensor 'missing:0' not found in graph def" / "Requested return node
//    'x' not found in graph def" / "Invalid return output 3 of node 'x',
//    which has 1 output(s)" and leave the graph unchanged.
//  - Nodes are added in TF's order (a topological order that takes the
//    lowest GraphDef index among ready nodes, i.e. the GraphDef order for
//    graphs TF wrote); missing attrs get OpDef defaults; with a producer op
//    list, attrs our OpDef lacks whose value is the producer's default are
//    dropped; devices: the node's, merged under the active device scopes.
//  - `_output_shapes` attrs become the nodes' known shapes (and are removed).
#ifndef TFCKPT_TRAIN_IMPORT_GRAPH_DEF_H_
#define TFCKPT_TRAIN_IMPORT_GRAPH_DEF_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "proto/graph.pb.h"
#include "proto/op_def.pb.h"
#include "src/io/status.h"
#include "src/train/graph_builder.h"

namespace tfckpt::train {

struct ImportOptions {
  std::map<std::string, Output> input_map;
  std::vector<std::string> return_elements;
  std::optional<std::string> name;  // nullopt: "import"
  const tensorflow::OpList* producer_op_list = nullptr;
};

struct ReturnElement {
  bool is_tensor = false;
  Output tensor;
  Operation op;
};

struct ImportResult {
  std::string prefix;  // "import" ("" for no prefix)
  std::vector<ReturnElement> elements;
  // Original GraphDef node name -> name in the graph.
  std::map<std::string, std::string> names;
};

StatusOr<ImportResult> ImportGraphDef(Graph* g, const tensorflow::GraphDef& graph_def,
                                      const ImportOptions& options = {});

}  // namespace tfckpt::train

#endif  // TFCKPT_TRAIN_IMPORT_GRAPH_DEF_H_
