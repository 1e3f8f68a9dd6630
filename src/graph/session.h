// Session: runs a Graph the way tf.compat.v1.Session does.
//
//   TFCKPT_ASSIGN_OR_RETURN(auto session, Session::Create(graph_def));
//   TFCKPT_RETURN_IF_ERROR(session->Run({}, {}, {"init"}, nullptr));
//   TFCKPT_ASSIGN_OR_RETURN(std::vector<Tensor> out,
//                           session->Run({{"x:0", x}}, {"probs:0"}));
//
// Run(feeds, fetches, targets):
//  - feeds name tensors "node:k" ("node" = "node:0"); a fed tensor replaces
//    that output (its node does not run unless otherwise needed). The value
//    must have the output's dtype ("Type mismatch: actual int32 vs. expect
//    float (feed x:0)") and, for Placeholder / PlaceholderWithDefault with a
//    (partially) known shape attr, a compatible shape (Python's "Cannot feed
//    value of shape (3,) for Tensor x:0, which has shape (None, 4)").
//    Reference (variable) outputs and DT_RESOURCE outputs cannot be fed.
//  - fetches are tensors, targets are nodes run for their effects; only the
//    nodes they need (data and control inputs, stopping at fed tensors) run,
//    each once (once per loop iteration inside a while loop), in the graph's
//    topological order.
//  - a kernel error is returned with TF's node suffix:
//    "Key v2 not found in checkpoint\n\t [[{{node save/RestoreV2}}]]".
//  - reading an uninitialized reference variable: FailedPrecondition
//    "Attempting to use uninitialized value v1" (TF's executor text; ops
//    declaring allows_uninitialized_input, like Assign, are exempt); an
//    unfed placeholder: InvalidArgument "You must feed a value for
//    placeholder tensor 'x' with dtype float and shape [?,4]".
//  - control flow v1 (TF's executor, executor.h): a Switch's untaken output
//    is dead; a node with a dead data input or a control input from a dead
//    node is dead (its kernel does not run, its outputs are dead), except a
//    Merge, which is dead only when all its data inputs are and otherwise
//    forwards its lowest-indexed live input. Fetching a dead tensor:
//    InvalidArgument "Retval[i] does not have value" (i = the fetch's
//    index); a dead target is not an error. TF1 while loops run frame by
//    frame, iteration by iteration (at most max_loop_iterations body runs);
//    a tensor inside a loop cannot be fed or fetched.
// Variables persist across runs in state(): reference variables by
// container/shared_name (node name by default), resource variables by the
// container/shared_name of their handle. Runs are serialised (one at a time).
//
// Loaders (SavedModel, .meta, session bundles) build on this: create the
// session from the MetaGraphDef's graph_def, RestoreFromSaverDef with the
// variables prefix, run the init/main op as a target, then Run signatures by
// tensor name.
#ifndef TFCKPT_GRAPH_SESSION_H_
#define TFCKPT_GRAPH_SESSION_H_

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "proto/graph.pb.h"
#include "proto/saver.pb.h"
#include "src/graph/executor.h"
#include "src/graph/graph.h"
#include "src/graph/kernel.h"
#include "src/io/env.h"
#include "src/io/status.h"
#include "src/tensor/tensor.h"

namespace tfckpt::graph {

struct SessionOptions {
  io::Env* env = nullptr;  // nullptr: io::Env::Default()
  // Largest tensor a kernel may allocate (Fill, broadcasting, random ops).
  uint64_t max_tensor_bytes = uint64_t{1} << 30;
  // Body runs a While loop or a TF1 while loop frame may make
  // (ResourceExhausted beyond; kernel.h, executor.h).
  int64_t max_loop_iterations = int64_t{1} << 20;
  // Const values: the bounded-broadcast limit of TensorFromProto.
  tensor::TensorProtoOptions proto;
  GraphOptions graph;
};

class Session {
 public:
  using Feed = std::pair<std::string, tensor::Tensor>;

  static StatusOr<std::unique_ptr<Session>> Create(const tensorflow::GraphDef& graph_def,
                                                   const SessionOptions& options = {});
  static StatusOr<std::unique_ptr<Session>> Create(std::unique_ptr<Graph> graph,
                                                   const SessionOptions& options = {});

  // *outputs (may be null when there are no fetches) gets one tensor per fetch.
  Status Run(const std::vector<Feed>& feeds, const std::vector<std::string>& fetches,
             const std::vector<std::string>& targets, std::vector<tensor::Tensor>* outputs);
  StatusOr<std::vector<tensor::Tensor>> Run(const std::vector<Feed>& feeds,
                                            const std::vector<std::string>& fetches,
                                            const std::vector<std::string>& targets = {});

  const Graph& graph() const { return *graph_; }
  // Variables created so far (not thread-safe against a concurrent Run).
  const SessionState& state() const { return state_; }
  // Takes over every variable of `other` -- the variable objects, so values
  // and initialization carry over -- as TF keeps a session's variables when
  // its graph is extended: run this on a session created from the grown
  // graph. A variable of the same container/name here is replaced; a graph
  // node whose dtype disagrees with an adopted variable fails when it runs.
  // `other` is left as if new (no variables, kernels re-created on its next
  // run). Waits for runs in progress on either session; adopting from
  // itself is InvalidArgument.
  Status AdoptVariablesFrom(Session* other);
  // How many nodes the last successful Run executed (for tests and tools).
  int last_run_node_count() const { return last_run_node_count_; }

 private:
  Session(std::unique_ptr<Graph> graph, const SessionOptions& options);
  StatusOr<OpKernel*> GetKernel(const Node& node);
  Status RunKernel(const Node& node, std::vector<Value> inputs, std::vector<Value>* outputs);

  std::unique_ptr<Graph> graph_;
  std::unique_ptr<FlowGraph> flow_;  // frames and edges, for the executor
  KernelOptions kernel_options_;
  SessionState state_;
  std::vector<std::unique_ptr<OpKernel>> kernels_;  // by node id, created on first run
  std::mutex mu_;
  int last_run_node_count_ = 0;
};

// Saver.restore: runs saver.restore_op_name with `prefix` fed to
// saver.filename_tensor_name.
Status RestoreFromSaverDef(Session* session, const tensorflow::SaverDef& saver,
                           const std::string& prefix);
// Saver.save: runs saver.save_tensor_name with `prefix` fed; returns the
// path the graph reports (the prefix, or a sharded filespec).
StatusOr<std::string> SaveWithSaverDef(Session* session, const tensorflow::SaverDef& saver,
                                       const std::string& prefix);

// "Name:0" -> "Name" for output 0, else "Name:k" (how TF names an input).
std::string InputString(const TensorName& t);

}  // namespace tfckpt::graph

#endif  // TFCKPT_GRAPH_SESSION_H_
