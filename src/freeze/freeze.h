// Freezing graphs as TF 2.21 does (tensorflow/python/framework/
// graph_util_impl.py extract_sub_graph, convert_to_constants.py
// convert_variables_to_constants_from_session_graph).
//
// ExtractSubGraph(graph_def, dest_nodes): the nodes reachable backwards from
// dest_nodes over data and control inputs and `_class` colocation names
// ("loc:@x"), in their original order; library and versions copied.
// A missing destination is InvalidArgument "<n> is not in graph" (TF's
// AssertionError).
//
// ConvertVariablesToConstants(session, graph_def, outputs): on that
// subgraph, every VariableV2 / Variable / VarHandleOp (filtered by the
// allow / deny lists) becomes a Const of the same name holding the value the
// session has for it ("v:0", or "v/Read/ReadVariableOp:0" for a resource
// variable) -- only the `dtype` and `value` attrs, no device; every
// ReadVariableOp reading it becomes an Identity (input 0, T = its dtype,
// `_class` kept); Identity / Switch / Merge / Enter / Exit / NextIteration
// nodes on the way get T set to the variable's dtype and lose
// `_output_shapes`; everything else is copied unchanged. The result is what
// TF writes (byte for byte with WriteGraphDef): freeze_add,
// freeze_add_resource and freeze_mlp goldens.
#ifndef TFCKPT_FREEZE_FREEZE_H_
#define TFCKPT_FREEZE_FREEZE_H_

#include <optional>
#include <string>
#include <vector>

#include "proto/graph.pb.h"
#include "src/io/env.h"
#include "src/io/status.h"
#include "src/tensor/tensor.h"
#include "src/train/client_session.h"

namespace tfckpt::freeze {

StatusOr<tensorflow::GraphDef> ExtractSubGraph(const tensorflow::GraphDef& graph_def,
                                               const std::vector<std::string>& dest_nodes);

struct FreezeOptions {
  std::optional<std::vector<std::string>> variable_names_allowlist;
  std::vector<std::string> variable_names_denylist;
};

StatusOr<tensorflow::GraphDef> ConvertVariablesToConstants(
    train::ClientSession* session, const tensorflow::GraphDef& graph_def,
    const std::vector<std::string>& output_node_names, const FreezeOptions& options = {});

// Whether variable node `name` is converted under the allow / deny lists.
bool SelectedVariable(const std::string& name, const FreezeOptions& options);

// The rewrite behind both converters (and freeze_v2.h): node vars[i] of
// `graph` becomes a Const of values[i] (dtype and value only), propagated
// along data edges as above and into the functions of While / If / Case /
// call nodes (ConstantPropagation, propagate.h, as TF's _FunctionCaller).
// *other_consumers (if non-null) gets "name (op)" of every node consuming a
// converted variable that is neither a ReadVariableOp, a pass-through node
// (Identity, IdentityN, Switch, ...) nor a function caller.
StatusOr<tensorflow::GraphDef> ReplaceVariables(const tensorflow::GraphDef& graph,
                                                const std::vector<int>& vars,
                                                const std::vector<tensor::Tensor>& values,
                                                std::vector<std::string>* other_consumers);

// tf.io.write_graph: binary as TF serializes it, or text format.
Status WriteGraphDef(const tensorflow::GraphDef& graph_def, const std::string& path,
                     bool as_text = false, io::Env* env = nullptr);
StatusOr<tensorflow::GraphDef> ReadGraphDef(const std::string& path, io::Env* env = nullptr);

}  // namespace tfckpt::freeze

#endif  // TFCKPT_FREEZE_FREEZE_H_
