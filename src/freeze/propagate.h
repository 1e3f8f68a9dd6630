// Following a variable that became a constant through the nodes that read
// it, in the graph and through the function library, as the _Node
// subclasses of TF 2.21's python/framework/convert_to_constants.py do.
//
// ConstantPropagation(graph) indexes graph's data edges (and, on first use,
// each library function's); Propagate(node, dtype, shape) then rewrites,
// from top-level node `node` (already a Const), every consumer reached:
//  - ReadVariableOp -> Identity (input 0, T = its dtype attr, `_class`
//    kept); inside a function, readers' "r:value:i" become "r:output:i";
//  - Identity / Switch / Merge / Enter / Exit / NextIteration / _SwitchN:
//    T = dtype (a list T: entry k), `_output_shapes` dropped, and on to all
//    their consumers; IdentityN: T[k] and on along output k only (tfckpt's
//    inliner writes one IdentityN for a call's results);
//  - function callers: (Stateful)PartitionedCall (`f`; inputs from 0, Tin),
//    If / StatelessIf (`then_branch`, `else_branch`; from 1, Tin), Case /
//    StatelessCase (`branches`; from 1, Tin), While / StatelessWhile
//    (`cond`, `body`; from 0, T): the type attr's entry; in every called
//    function the input arg becomes dtype (its `_input_shapes` entry and
//    the arg's `_output_shapes` made unknown rank) and the body nodes
//    reading it follow the same rules, recursively. While also gets
//    output_shapes[k] = shape, and its body's output arg k the dtype: the
//    loop carries the constant. As TF, a caller's own outputs are not
//    followed (a body may route any input to any output).
//  - ResourceGather (a graph node, batch_dims 0) -> GatherV2 of (input 0,
//    input 1, a new Const "<name>/axis" = 0 of Tindices' type), Tparams =
//    its dtype; ResourceGatherNd -> GatherNd (Tparams, Tindices; `_class`
//    kept by both), as TF's _ResourceGather / _ResourceGatherNd;
//  - any other reader is listed in other_consumers(): "name (op)", or
//    "f/name (op)" inside function f (a ResourceGather there too: TF leaves
//    it unconverted, which no runtime can run).
// A function the library lacks is listed there too ("f (missing function)").
#ifndef TFCKPT_FREEZE_PROPAGATE_H_
#define TFCKPT_FREEZE_PROPAGATE_H_

#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "proto/function.pb.h"
#include "proto/graph.pb.h"

namespace tfckpt::freeze {

class ConstantPropagation {
 public:
  // `graph` must outlive this object; its nodes' ops, inputs and attrs and
  // its library change, and a ResourceGather adds its axis Const (at the end).
  explicit ConstantPropagation(tensorflow::GraphDef* graph);

  void Propagate(const std::string& node, tensorflow::DataType dtype,
                 const tensorflow::TensorShapeProto& shape);

  const std::vector<std::string>& other_consumers() const { return others_; }

 private:
  struct Use {
    int node;    // consumer's index in its scope
    int input;   // consumer's input index
    int output;  // the source's output index
  };
  // The graph (function "") or one library function.
  struct Scope {
    std::string function;
    google::protobuf::RepeatedPtrField<tensorflow::NodeDef>* nodes = nullptr;
    tensorflow::FunctionDef* fdef = nullptr;
    std::map<std::string, std::vector<Use>> uses;  // by source node / arg name
  };

  Scope* ScopeOf(const std::string& function);
  // Every use of `source` (output `output`, -1: any) in `scope` is queued.
  void Follow(Scope* scope, const std::string& source, int output);
  void Consume(Scope* scope, const Use& use);
  void ConvertCaller(tensorflow::NodeDef* node, int input);
  void ConvertArg(const std::string& function, int index);
  void ConvertGather(int index);

  tensorflow::GraphDef* graph_;
  std::map<std::string, tensorflow::FunctionDef*> functions_;
  std::map<std::string, std::unique_ptr<Scope>> scopes_;
  // The conversion under way.
  tensorflow::DataType dtype_ = tensorflow::DT_INVALID;
  tensorflow::TensorShapeProto shape_;
  std::deque<std::pair<Scope*, Use>> queue_;
  std::set<std::tuple<std::string, int, int>> consumed_;  // function, node, input
  std::set<std::pair<std::string, int>> converted_args_;
  std::vector<std::string> others_;
};

}  // namespace tfckpt::freeze

#endif  // TFCKPT_FREEZE_PROPAGATE_H_
