// Graph: a GraphDef checked against the op registry and turned into nodes
// with resolved edges, argument types and a topological order.
//
// Graph::Build validates, naming the node and what is wrong (InvalidArgument
// unless noted; texts follow TensorFlow's graph_constructor / node_def_util
// where TF has one):
//  - node names: non-empty, TF's charset ("Node 'a b': Node name contains
//    invalid characters"), unique ("Node 'x' is not unique");
//  - op: registered (NotFound "Node 'n': Op type not registered 'Foo' in
//    tfckpt's graph engine"; a name of the graph's function library gets its
//    own message, functions are not executed);
//  - inputs: "node", "node:k" or "^node", control inputs last ("Node 'n':
//    Non-control input 'a' after control input"), the number of data inputs
//    matching the OpDef ("Node 'n': NodeDef expected inputs 'float, float' do
//    not match 1 inputs specified (op Add)");
//  - attrs: defaults filled from the OpDef; every OpDef attr present ("Node
//    'n': NodeDef missing attr 'T' from op Add"), of the declared type
//    ("AttrValue had value with type 'int' when 'type' expected"), within
//    allowed values ("Value for attr 'T' of string is not in the list of
//    allowed values: half, float") and minimums ("Value for attr 'N' of 0
//    must be at least minimum 1"); attrs the OpDef lacks are refused unless
//    their name starts with '_' ("NodeDef mentions attr 'foo' not in op Add");
//  - edges: source node exists ("Node 'add': Unknown input node 'v3'"),
//    output index in range ("Node 'add': Connecting to invalid output 3 of
//    source node v1 which has 1 outputs."), types compatible, a reference
//    input fed by a reference output ("Input 0 of node v/Assign was passed
//    float from c:0 incompatible with expected float_ref.");
//  - no cycles (Kahn's algorithm, iterative): "2 nodes in a cycle: a -> b -> a";
//    TF's one exception: a Merge fed by a NextIteration (a while loop's back
//    edge) is ready once any one data input is (graph_constructor.cc), so
//    TF1 while loops are accepted (their frames are checked by the
//    executor, executor.h).
// GraphOptions::allow_unregistered_ops keeps nodes of unknown ops (their
// outputs untyped) so a loader can run the parts of a graph it supports;
// running such a node is then the error.
#ifndef TFCKPT_GRAPH_GRAPH_H_
#define TFCKPT_GRAPH_GRAPH_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/graph.pb.h"
#include "proto/node_def.pb.h"
#include "proto/op_def.pb.h"
#include "src/graph/op_registry.h"
#include "src/io/status.h"
#include "src/tensor/dtype.h"
#include "src/tensor/shape.h"

namespace tfckpt::graph {

using tensor::DataType;

// "name", "name:3" or "^name". index is -1 for control inputs.
struct TensorName {
  std::string node;
  int index = 0;
  bool control() const { return index < 0; }
  std::string ToString() const;  // "name:0", "^name"
};
StatusOr<TensorName> ParseTensorName(std::string_view text);

// A shape attr (TensorShapeProto) that may have unknown dims (-1) or rank.
class PartialShape {
 public:
  PartialShape() = default;  // unknown rank
  static StatusOr<PartialShape> FromProto(const tensorflow::TensorShapeProto& p);
  static PartialShape Known(const tensor::TensorShape& s);

  bool unknown_rank() const { return unknown_rank_; }
  const std::vector<int64_t>& dims() const { return dims_; }
  bool IsFullyDefined() const;
  std::optional<tensor::TensorShape> AsTensorShape() const;  // if fully defined
  bool IsCompatibleWith(const tensor::TensorShape& s) const;
  // TF's PartialTensorShape::DebugString: "[?,4]", "<unknown>".
  std::string DebugString() const;
  // Python's str(TensorShape): "(None, 4)", "(3,)", "()", "<unknown>".
  std::string PythonString() const;

 private:
  bool unknown_rank_ = true;
  std::vector<int64_t> dims_;
};

// A data type on an edge: a value type, or a reference to one (Ref(T)).
struct EdgeType {
  DataType dtype = tensorflow::DT_INVALID;
  bool ref = false;
  std::string DebugString() const;  // "float", "float_ref"
};

struct Edge {
  int node = -1;   // source node id
  int index = 0;   // source output
};

class Graph;

class Node {
 public:
  int id() const { return id_; }
  const std::string& name() const { return def_.name(); }
  const std::string& op() const { return def_.op(); }
  // The NodeDef with OpDef defaults filled in.
  const tensorflow::NodeDef& def() const { return def_; }
  // nullptr for an unregistered op (GraphOptions::allow_unregistered_ops).
  const OpRegistration* registration() const { return registration_; }
  const tensorflow::OpDef* op_def() const {
    return registration_ ? &registration_->op_def : nullptr;
  }
  const Graph& graph() const { return *graph_; }

  int num_inputs() const { return static_cast<int>(inputs_.size()); }
  const Edge& input(int i) const { return inputs_[i]; }
  const std::vector<Edge>& inputs() const { return inputs_; }
  const std::vector<int>& control_inputs() const { return control_inputs_; }
  const EdgeType& input_type(int i) const { return input_types_[i]; }
  int num_outputs() const { return static_cast<int>(output_types_.size()); }
  const EdgeType& output_type(int i) const { return output_types_[i]; }
  const std::vector<EdgeType>& output_types() const { return output_types_; }
  // The input as written in the NodeDef ("v", "RestoreV2:1"), for messages.
  const std::string& requested_input(int i) const { return def_.input(i); }

  // Attr accessors (InvalidArgument if absent or of another type; Build has
  // checked every OpDef attr, so kernels see errors only for '_' attrs).
  const tensorflow::AttrValue* FindAttr(std::string_view name) const;
  StatusOr<DataType> AttrType(std::string_view name) const;
  StatusOr<int64_t> AttrInt(std::string_view name) const;
  StatusOr<bool> AttrBool(std::string_view name) const;
  StatusOr<float> AttrFloat(std::string_view name) const;
  StatusOr<std::string> AttrString(std::string_view name) const;
  StatusOr<PartialShape> AttrShape(std::string_view name) const;
  StatusOr<const tensorflow::TensorProto*> AttrTensor(std::string_view name) const;
  StatusOr<std::vector<DataType>> AttrTypeList(std::string_view name) const;

 private:
  friend class Graph;
  int id_ = -1;
  tensorflow::NodeDef def_;
  const OpRegistration* registration_ = nullptr;
  const Graph* graph_ = nullptr;
  std::vector<Edge> inputs_;
  std::vector<int> control_inputs_;
  std::vector<EdgeType> input_types_;
  std::vector<EdgeType> output_types_;
};

struct GraphOptions {
  const OpRegistry* registry = nullptr;  // nullptr: OpRegistry::Global()
  // Keep nodes of unknown ops instead of failing (see the file comment).
  bool allow_unregistered_ops = false;
};

class Graph {
 public:
  static StatusOr<std::unique_ptr<Graph>> Build(const tensorflow::GraphDef& def,
                                                const GraphOptions& options = {});

  int num_nodes() const { return static_cast<int>(nodes_.size()); }
  const Node& node(int id) const { return *nodes_[id]; }
  const Node* FindNode(std::string_view name) const;
  // Every node, inputs (data and control) before consumers; ties in
  // GraphDef order.
  const std::vector<int>& topological_order() const { return order_; }
  // GraphDef versions.producer (0 if unset).
  int producer() const { return producer_; }
  // Op -> its nodes, for every op of the graph the registry lacks (kept
  // with GraphOptions::allow_unregistered_ops); empty when all run.
  std::map<std::string, std::vector<std::string>> MissingOps() const;

 private:
  std::vector<std::unique_ptr<Node>> nodes_;
  std::map<std::string, int, std::less<>> by_name_;
  std::vector<int> order_;
  int producer_ = 0;
};

// The input/output types of a NodeDef under an OpDef (attrs must be valid).
Status InOutTypes(const tensorflow::NodeDef& def, const tensorflow::OpDef& op,
                  std::vector<EdgeType>* inputs, std::vector<EdgeType>* outputs);

// "2 ops tfckpt lacks: Squeeze (node 'a'), Tile (2 nodes: 'b', 'c')" --
// at most 3 node names per op -- for messages about MissingOps().
std::string MissingOpsText(const std::map<std::string, std::vector<std::string>>& missing);

// The attr type of a value ("int", "list(type)"...), "" if none is set.
std::string AttrValueTypeName(const tensorflow::AttrValue& v);

}  // namespace tfckpt::graph

#endif  // TFCKPT_GRAPH_GRAPH_H_
