// Freezing graphs that call functions: TF2 SavedModels (and any graph whose
// signatures are StatefulPartitionedCall / PartitionedCall into its function
// library), as TF's convert_to_constants.convert_variables_to_constants_v2
// does for a signature's ConcreteFunction with lower_control_flow=False:
// calls are inlined, every resource variable the outputs read becomes a
// Const holding its value, and each ReadVariableOp of it an Identity --
// also inside the functions of While / If / Case loops and branches and the
// calls they make (src/freeze/propagate.h).
//
// InlineFunctionCalls(graph_def, registry): every PartitionedCall /
// StatefulPartitionedCall node C calling f (attr `f`) is replaced, until
// none is left (nested calls too, at most 64 levels):
//  - each input arg a of f becomes an Identity "C/a" (T = a's type) of C's
//    input for it, carrying C's control inputs;
//  - each body node n becomes "C/n" (device cleared), inputs renamed;
//  - C itself becomes an IdentityN of f's ret tensors (T = output types),
//    with control inputs on f's control_ret nodes, so "C:i" still names
//    output i (a signature's tensor names stay valid); a function without
//    outputs becomes a NoOp.
// Body nodes are converted by graph::FunctionBodyToGraphDef (the engine's
// own conversion). Functional control flow (While, If, Case and their
// stateless forms) is kept: their functions stay in the library, and calls
// inside them are not inlined (as grappler's function optimizer). Refused:
// a name collision, a function missing from the library (NotFound).
//
// ConvertVariablesToConstantsV2(graph_def, outputs, value_of, options): the
// subgraph the output nodes need (ExtractSubGraph), inlined, pruned again to
// what the outputs need (dead body nodes go, as grappler's), then each
// VarHandleOp in it (allow/deny lists by node name) becomes a Const of
// value_of(node), propagated by ConstantPropagation (propagate.h):
// ReadVariableOp -> Identity, pass-through nodes get the variable's dtype,
// a While / If / Case / call taking it gets the dtype in its type attr and
// its functions' input args (a While's loop-carried handle becomes the
// constant carried through the loop), a ResourceGather a GatherV2. Any
// other consumer of a converted handle (AssignVariableOp, ...) is
// Unimplemented naming the node: a frozen graph cannot write a constant. The
// library keeps only the functions a node still calls (directly or through
// other functions); none: no library.
#ifndef TFCKPT_FREEZE_FREEZE_V2_H_
#define TFCKPT_FREEZE_FREEZE_V2_H_

#include <functional>
#include <string>
#include <vector>

#include "proto/graph.pb.h"
#include "src/freeze/freeze.h"
#include "src/graph/op_registry.h"
#include "src/graph/session.h"
#include "src/io/status.h"
#include "src/tensor/tensor.h"

namespace tfckpt::freeze {

StatusOr<tensorflow::GraphDef> InlineFunctionCalls(const tensorflow::GraphDef& graph_def,
                                                   const graph::OpRegistry& registry);

using VariableValueFn = std::function<StatusOr<tensor::Tensor>(const tensorflow::NodeDef&)>;

StatusOr<tensorflow::GraphDef> ConvertVariablesToConstantsV2(
    const tensorflow::GraphDef& graph_def, const std::vector<std::string>& output_node_names,
    const VariableValueFn& value_of, const FreezeOptions& options = {});

// The value a session holds for the resource variable of VarHandleOp `node`
// (its container/shared_name); FailedPrecondition naming the node when it
// was never assigned (not restored).
StatusOr<tensor::Tensor> ResourceVariableValue(const graph::Session& session,
                                               const tensorflow::NodeDef& node);

}  // namespace tfckpt::freeze

#endif  // TFCKPT_FREEZE_FREEZE_V2_H_
