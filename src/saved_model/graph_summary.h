// What `tfckpt show` reports about a graph (a frozen GraphDef, a MetaGraph's
// graph_def): node and op counts, the placeholders a caller feeds, the
// likely outputs, and the ops tfckpt's engine cannot run.
//
// "Likely outputs" is a heuristic (as TF's summarize_graph tool): nodes whose
// outputs no other node consumes (data or control input), other than NoOp,
// Const, Placeholder, Assign*/variable ops, variables' `<v>/read` and the
// Saver's own nodes (under save/ or save_N/), in graph order. Placeholders
// exclude the Saver's (save/filename ...).
// Unsupported ops: ops of the graph and of its function library's bodies
// that neither graph::ServingOpRegistry() nor the library defines.
#ifndef TFCKPT_SAVED_MODEL_GRAPH_SUMMARY_H_
#define TFCKPT_SAVED_MODEL_GRAPH_SUMMARY_H_

#include <map>
#include <string>
#include <vector>

#include "proto/graph.pb.h"
#include "proto/saver.pb.h"
#include "proto/tensor_shape.pb.h"
#include "proto/types.pb.h"

namespace tfckpt::saved_model {

struct PlaceholderInfo {
  std::string name;
  tensorflow::DataType dtype = tensorflow::DT_INVALID;
  bool has_shape = false;               // the node has a `shape` attr
  tensorflow::TensorShapeProto shape;   // unknown_rank / dims with -1
};

struct GraphSummary {
  int nodes = 0;
  int functions = 0;
  std::map<std::string, int> op_counts;         // op -> nodes (top level)
  std::vector<PlaceholderInfo> placeholders;    // graph order
  std::vector<std::string> likely_outputs;      // node names, graph order
  std::map<std::string, int> unsupported_ops;   // op -> nodes (graph + functions)
};

// `saver` (a MetaGraph's saver_def, may be null): its save and restore
// nodes are not outputs, nor its filename tensor a placeholder to feed.
GraphSummary SummarizeGraph(const tensorflow::GraphDef& graph,
                            const tensorflow::SaverDef* saver = nullptr);

}  // namespace tfckpt::saved_model

#endif  // TFCKPT_SAVED_MODEL_GRAPH_SUMMARY_H_
