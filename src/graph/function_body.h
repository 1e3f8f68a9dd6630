// A FunctionDef's body as a GraphDef (TF's FunctionDefToBodyHelper, reduced
// to concrete functions): what the function-call kernels run and what
// `tfckpt freeze` inlines into a frozen graph -- one conversion for both.
//
// FunctionBodyToGraphDef(fdef, registry):
//  - each input arg becomes a Placeholder node named after the arg (dtype
//    its type, unknown shape), in signature order, before the body nodes;
//  - body nodes are copied with inputs rewritten to GraphDef syntax: "arg"
//    stays, "^n" stays, "n:out_arg:i" becomes "n:<flat index>" through the
//    producing op's OpDef in `registry` (list outputs counted from the
//    node's attrs);
//  - rets: per output arg, its ret tensor in the same syntax;
//    control_rets: the node names of control_ret.
// Refused, as "Function '<f>': ..." : polymorphic functions (signature
// attrs), args or outputs that are not one tensor of a fixed type (with
// Unimplemented), attrs referring to function attrs ("$T"), unknown inputs,
// out-of-range or unknown output args, duplicate args, a ret missing or
// naming no node (InvalidArgument), an op the registry lacks (NotFound).
//
// AppendAttrFunctions(node, out): appends to `out` the name of every function
// `node`'s attrs refer to -- func attrs (PartitionedCall's f, While's cond and
// body, If's then/else_branch) and list(func) attrs (Case's branches) -- in
// attr order, duplicates kept. A node calling a library function directly
// (op == the function's name) is not included: AppendCalledFunctions adds it.
//
// AppendCalledFunctions(node, out): node.op() (a direct call when a library
// names a function so), then AppendAttrFunctions(node, out): every name
// `node` may call, for the caller to look up in its library. The one "what
// does this node call" of every library traversal (the checker's call graph,
// ReachableFunctions).
//
// ReachableFunctions(library, calls): the functions of `library` that the
// names in `calls` (from AppendCalledFunctions of the root nodes) reach,
// directly or through the functions they call, each once, in the order of a
// depth-first walk taking the last pending name first. Names `library` does
// not hold (ops, missing functions) are passed over. As TF's
// ReachableFunctionLibraryDefinition: what grappler keeps of a library (freeze's
// pruning) and which functions a restore op runs (the checker's restore keys).
#ifndef TFCKPT_GRAPH_FUNCTION_BODY_H_
#define TFCKPT_GRAPH_FUNCTION_BODY_H_

#include <string>
#include <vector>

#include "proto/function.pb.h"
#include "proto/graph.pb.h"
#include "proto/node_def.pb.h"
#include "src/graph/graph.h"
#include "src/graph/op_registry.h"
#include "src/io/status.h"

namespace tfckpt::graph {

struct FunctionBodyDef {
  tensorflow::GraphDef graph;              // arg Placeholders, then the body
  std::vector<std::string> args;           // node name per input arg
  std::vector<DataType> arg_types, ret_types;
  std::vector<std::string> rets;           // "n:<index>" per output arg
  std::vector<std::string> control_rets;   // node names
};

StatusOr<FunctionBodyDef> FunctionBodyToGraphDef(const tensorflow::FunctionDef& fdef,
                                                 const OpRegistry& registry);

void AppendAttrFunctions(const tensorflow::NodeDef& node, std::vector<std::string>* out);

void AppendCalledFunctions(const tensorflow::NodeDef& node, std::vector<std::string>* out);

std::vector<const tensorflow::FunctionDef*> ReachableFunctions(
    const tensorflow::FunctionDefLibrary& library, std::vector<std::string> calls);

}  // namespace tfckpt::graph

#endif  // TFCKPT_GRAPH_FUNCTION_BODY_H_
