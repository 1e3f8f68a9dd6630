// The dataflow executor behind Session::Run: runs the nodes a run needs as
// TensorFlow's executor does (tensorflow/core/common_runtime/executor.cc,
// propagator_state.cc), on one thread, including control flow v1 --
// deadness (tf.cond) and TF1 while loops (frames and iterations).
//
// Every value travels tagged with the frame instance and iteration it
// belongs to. A node becomes ready in an iteration when all its inputs
// (data and control) have arrived there; it is dead if any of them is dead,
// and a dead node does not run (its outputs are dead). A Merge is ready once
// its control inputs and one live data input have arrived -- or, dead, when
// every data input is dead or a dead Enter arrives (a loop in an untaken
// cond branch) -- and forwards its lowest-indexed live input.
// Loops (frames):
//  - Enter sends its input into a child frame, one instance per (parent
//    frame instance, parent iteration, frame_name), iteration 0; an Enter
//    with is_constant sends it to every iteration of that instance;
//  - NextIteration sends its input to the next iteration of its frame,
//    starting it (a dead NextIteration sends nothing: the loop ends);
//  - Exit sends its input to the enclosing frame's iteration; a dead Exit
//    of the last iteration is sent on, dead, once the frame is done (every
//    Enter ran, every iteration finished), so what follows a loop that never
//    ran live is dead too.
// One thread: of the ready nodes, the one of the oldest iteration (in order
// of creation) runs first, then the earliest in the graph's topological
// order -- a graph without frames runs in exactly that order. Loops run their
// iterations one after the other (parallel_iterations changes nothing but
// speed in TF). A frame starting iteration max_loop_iterations + 1 fails with
// ResourceExhausted naming the loop, instead of running forever.
#ifndef TFCKPT_GRAPH_EXECUTOR_H_
#define TFCKPT_GRAPH_EXECUTOR_H_

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "src/graph/graph.h"
#include "src/graph/kernel.h"
#include "src/io/status.h"

namespace tfckpt::graph {

using OutputKey = std::pair<int, int>;  // node id, output index

// TF appends the failing node to every kernel error:
// "message\n\t [[{{node name}}]]".
Status AtNode(const Status& s, const Node& node);

bool IsEnter(const Node& n);          // Enter, RefEnter
bool IsExit(const Node& n);           // Exit, RefExit
bool IsNextIteration(const Node& n);  // NextIteration, RefNextIteration
bool IsMerge(const Node& n);          // Merge, RefMerge

// What the executor precomputes once per graph (TF's ImmutableExecutorState):
// each node's position in the topological order, its consumers, and its
// frame (TF's ControlFlowInfo). A node runs in the frame of its inputs -- the
// root frame, or the while loop frame an Enter's frame_name names; its
// outputs are in its own frame, except an Enter's (the loop's frame) and an
// Exit's (the frame enclosing the loop). A node whose inputs come from
// different frames, an Exit outside any loop and a frame entered from two
// frames carry an error, returned when a run needs the node.
class FlowGraph {
 public:
  struct Frame {
    std::string name;    // frame_name; "" for the root frame
    int parent = -1;     // the enclosing frame; -1 for the root
    int loop_cond = -1;  // a LoopCond node of the frame (for messages), or -1
  };
  struct OutEdge {
    int dst = -1;
    int dst_input = -1;  // -1: a control edge
    int src_output = 0;
  };

  explicit FlowGraph(const Graph& graph);

  const Graph& graph() const { return graph_; }
  int position(int node) const { return position_[node]; }
  const std::vector<OutEdge>& out_edges(int node) const { return out_edges_[node]; }
  int frame(int node) const { return frame_[node]; }
  int output_frame(int node) const { return output_frame_[node]; }
  const Frame& frame_info(int frame) const { return frames_[frame]; }
  int num_frames() const { return static_cast<int>(frames_.size()); }
  // "the root frame" or "while loop frame 'name'".
  std::string FrameName(int frame) const;
  // Why the node's frame is inconsistent; "" when it is not.
  const std::string& error(int node) const;

 private:
  void Place(int node);

  const Graph& graph_;
  std::vector<int> position_;
  std::vector<std::vector<OutEdge>> out_edges_;
  std::vector<int> frame_;
  std::vector<int> output_frame_;
  std::vector<Frame> frames_;
  std::map<std::string, int> frame_by_name_;
  std::map<int, std::string> errors_;
};

struct ExecuteParams {
  const FlowGraph* flow = nullptr;
  const std::vector<char>* needed = nullptr;            // the nodes this run executes
  const std::map<OutputKey, Value>* fed = nullptr;      // outputs replaced by feeds
  int64_t max_loop_iterations = int64_t{1} << 20;
  // Runs a live node's kernel: its inputs as delivered (a Merge's missing
  // ones dead) -> its outputs. Errors name the node.
  std::function<Status(const Node&, std::vector<Value>, std::vector<Value>*)> run_kernel;
};

// Runs every needed node (once per iteration of each frame instance it is
// in) and returns, for each key of `wanted` (outputs of nodes whose outputs
// are in the root frame, not fed), its value -- marked dead if it is --
// in *values. *kernels_run counts kernel executions.
Status Execute(const ExecuteParams& params, const std::vector<OutputKey>& wanted,
               std::map<OutputKey, Value>* values, int* kernels_run);

}  // namespace tfckpt::graph

#endif  // TFCKPT_GRAPH_EXECUTOR_H_
