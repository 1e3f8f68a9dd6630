// Graph-level checks of `tfckpt validate` (docs/VALIDATOR.md): what
// TensorFlow's importer needs from a GraphDef before it can load it, for a
// frozen .pb, a .meta's graph and every MetaGraph of a SavedModel. The graph
// is built by the engine's own importer (graph::Graph::Build), so validating
// and running a graph cannot disagree about what is well formed.
//
// CheckGraphDef reports, naming the file and `where` ("graph", "MetaGraph 0"):
//  - BAD_GRAPH: the first structural error Graph::Build finds (node names,
//    inputs that name no node or output, attrs that contradict the OpDef,
//    edge dtypes, a cycle other than a TF1 while loop's back edge); a Const
//    whose `value` does not decode or disagrees with its `dtype` (each one);
//    in the function library: duplicate function or body-node names, body
//    inputs and return values naming no argument or node. Ops the engine
//    lacks are not defects (TensorFlow has thousands): their attrs and output
//    counts are not checked, and the returned graph keeps them untyped.
//  - RECURSIVE_FUNCTION: a library function that calls itself, directly or
//    through others -- as an op, or through a func / list(func) attr
//    (PartitionedCall's f, While's body, ...). TensorFlow's runtime assumes
//    none exists and overflows its stack inlining one (CVE-2022-23591;
//    tf.saved_model.load refuses it: "There is a cyclic dependency between
//    functions"). One defect per cycle, naming it ("f -> g -> f").
#ifndef TFCKPT_CHECK_GRAPH_CHECK_H_
#define TFCKPT_CHECK_GRAPH_CHECK_H_

#include <memory>
#include <string>

#include "proto/graph.pb.h"
#include "src/check/validator.h"
#include "src/graph/graph.h"
#include "src/graph/op_registry.h"

namespace tfckpt::check {

// A graph checked by CheckGraphDef. `graph` is null when Build failed (a
// BAD_GRAPH defect was reported); nodes then resolve through `def` only.
struct CheckedGraph {
  std::unique_ptr<graph::OpRegistry> registry;  // outlives graph
  std::unique_ptr<graph::Graph> graph;
};

CheckedGraph CheckGraphDef(const tensorflow::GraphDef& def, const std::string& file,
                           const std::string& where, Report* r);

}  // namespace tfckpt::check

#endif  // TFCKPT_CHECK_GRAPH_CHECK_H_
