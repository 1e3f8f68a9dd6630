#include "src/graph/executor.h"

#include <memory>
#include <queue>
#include <tuple>
#include <unordered_map>

namespace tfckpt::graph {

Status AtNode(const Status& s, const Node& node) {
  return Status(s.code(), StrCat(s.message(), "\n\t [[{{node ", node.name(), "}}]]"));
}

bool IsEnter(const Node& n) { return n.op() == "Enter" || n.op() == "RefEnter"; }
bool IsExit(const Node& n) { return n.op() == "Exit" || n.op() == "RefExit"; }
bool IsNextIteration(const Node& n) {
  return n.op() == "NextIteration" || n.op() == "RefNextIteration";
}
bool IsMerge(const Node& n) { return n.op() == "Merge" || n.op() == "RefMerge"; }

// ---------------------------------------------------------------------------
// FlowGraph

FlowGraph::FlowGraph(const Graph& graph)
    : graph_(graph),
      position_(graph.num_nodes(), 0),
      out_edges_(graph.num_nodes()),
      frame_(graph.num_nodes(), 0),
      output_frame_(graph.num_nodes(), 0) {
  frames_.push_back(Frame{});
  const std::vector<int>& order = graph.topological_order();
  for (size_t i = 0; i < order.size(); ++i) position_[order[i]] = static_cast<int>(i);
  for (int id = 0; id < graph.num_nodes(); ++id) {
    const Node& n = graph.node(id);
    for (int k = 0; k < n.num_inputs(); ++k) {
      out_edges_[n.input(k).node].push_back({id, k, n.input(k).index});
    }
    for (int c : n.control_inputs()) out_edges_[c].push_back({id, -1, 0});
  }
  // In topological order every input precedes its consumer, except a loop
  // Merge's back edge (its NextIteration): a node takes the frame of its
  // first placed input, then every input is checked against it.
  std::vector<char> placed(graph.num_nodes(), 0);
  for (int id : order) {
    const Node& n = graph.node(id);
    int from = -1;
    for (const Edge& e : n.inputs()) {
      if (placed[e.node]) { from = e.node; break; }
    }
    for (size_t k = 0; from < 0 && k < n.control_inputs().size(); ++k) {
      if (placed[n.control_inputs()[k]]) from = n.control_inputs()[k];
    }
    frame_[id] = from < 0 ? 0 : output_frame_[from];
    Place(id);
    placed[id] = 1;
  }
  for (int id = 0; id < graph.num_nodes(); ++id) {
    if (errors_.count(id) > 0) continue;
    const Node& n = graph.node(id);
    std::vector<int> sources;
    for (const Edge& e : n.inputs()) sources.push_back(e.node);
    sources.insert(sources.end(), n.control_inputs().begin(), n.control_inputs().end());
    for (int src : sources) {
      if (output_frame_[src] == frame_[id]) continue;
      // TF's control_flow.cc text, with the frames named.
      errors_[id] = StrCat("The node '", n.name(), "' has inputs from different frames. The input '",
                           graph.node(src).name(), "' is in ", FrameName(output_frame_[src]),
                           ". The node is in ", FrameName(frame_[id]),
                           ": a value enters a while loop only through an Enter and leaves it "
                           "through an Exit");
      break;
    }
  }
}

// Sets output_frame_[id] (and the frame table) for a node whose frame_ is set.
void FlowGraph::Place(int id) {
  const Node& n = graph_.node(id);
  const int f = frame_[id];
  output_frame_[id] = f;
  if (IsEnter(n)) {
    auto name = n.AttrString("frame_name");
    if (!name.ok()) {
      errors_[id] = StrCat("Enter '", n.name(), "': ", name.status().message());
      return;
    }
    auto [it, inserted] = frame_by_name_.emplace(*name, static_cast<int>(frames_.size()));
    if (inserted) {
      frames_.push_back(Frame{*name, f, -1});
    } else if (frames_[it->second].parent != f) {
      errors_[id] = StrCat("Enter '", n.name(), "' enters while loop frame '", *name, "' from ",
                           FrameName(f), ", but another Enter of that frame is in ",
                           FrameName(frames_[it->second].parent),
                           " (TF: mismatched parent frames)");
      return;
    }
    output_frame_[id] = it->second;
  } else if (IsExit(n)) {
    if (f == 0) {
      errors_[id] = StrCat("Exit '", n.name(),
                           "' is not inside a while loop (no Enter leads to it)");
      return;
    }
    output_frame_[id] = frames_[f].parent;
  } else if (n.op() == "LoopCond" && frames_[f].loop_cond < 0) {
    frames_[f].loop_cond = id;
  }
}

std::string FlowGraph::FrameName(int frame) const {
  return frame == 0 ? std::string("the root frame")
                    : StrCat("while loop frame '", frames_[frame].name, "'");
}

const std::string& FlowGraph::error(int node) const {
  static const std::string* none = new std::string;
  auto it = errors_.find(node);
  return it == errors_.end() ? *none : it->second;
}

// ---------------------------------------------------------------------------
// Execute

namespace {

Value DeadValue() { return Value{Tensor(), nullptr, nullptr, true}; }

class Executor {
 public:
  Executor(const ExecuteParams& p, const std::vector<OutputKey>& wanted,
           std::map<OutputKey, Value>* values)
      : p_(p), flow_(*p.flow), g_(p.flow->graph()), values_(values),
        initial_pending_(g_.num_nodes(), 0) {
    for (const OutputKey& k : wanted) wanted_[k.first].push_back(k.second);
  }

  Status Run(int* kernels_run);

 private:
  struct Frame;
  // What has arrived for one node in one iteration.
  struct NodeState {
    std::vector<Value> inputs;
    int pending = 0;       // inputs still to arrive (a Merge: control inputs only)
    int dead = 0;          // dead inputs so far (a Merge: dead data inputs)
    bool live = false;     // a Merge: a live data input arrived
    bool dead_enter = false;  // a Merge: a dead Enter arrived
    bool started = false;  // a Merge that is ready (later inputs are ignored)
  };
  struct Iteration {
    Frame* frame = nullptr;
    int64_t num = 0;
    int64_t serial = 0;   // creation order: older iterations run first
    int outstanding = 0;  // its ready nodes not yet run
    std::unordered_map<int, NodeState> nodes;
    std::map<int, std::unique_ptr<Frame>> children;  // loop frames entered from here
  };
  struct Frame {
    int id = 0;  // FlowGraph frame
    Iteration* parent = nullptr;
    int pending_enters = 0;
    int64_t iteration_count = 0;  // the newest iteration
    std::map<int64_t, std::unique_ptr<Iteration>> iterations;  // unfinished ones
    std::vector<std::pair<int, Value>> invariants;  // is_constant Enters, for new iterations
    std::vector<int> dead_exits;                     // of the newest iteration
  };
  struct Item {
    int64_t serial;
    int position;
    int node;
    Iteration* iter;
    bool dead;
  };
  struct Later {
    bool operator()(const Item& a, const Item& b) const {
      return std::tie(a.serial, a.position) > std::tie(b.serial, b.position);
    }
  };

  std::unique_ptr<Iteration> NewIteration(Frame* f, int64_t num) {
    auto it = std::make_unique<Iteration>();
    it->frame = f;
    it->num = num;
    it->serial = next_serial_++;
    return it;
  }
  NodeState& State(Iteration* it, int id);
  void Push(Iteration* it, int id, bool dead);
  void Deliver(Iteration* it, int dst, int input, const Value* v, bool dead, bool from_enter);
  void Send(int src, Iteration* it, const std::vector<Value>& outputs, bool dead);
  Frame* Child(Iteration* it, int frame);
  Status Process(const Item& item, int* kernels_run);
  Status Propagate(const Node& node, Iteration* it, const std::vector<Value>& outputs, bool dead);
  StatusOr<Iteration*> StartIteration(Frame* f, const Node& next);
  Status Cleanup(Frame* f, Iteration* it);
  Status DeleteFrame(Frame* f);

  const ExecuteParams& p_;
  const FlowGraph& flow_;
  const Graph& g_;
  std::map<OutputKey, Value>* values_;
  std::map<int, std::vector<int>> wanted_;  // node -> outputs to return
  std::vector<int> initial_pending_;
  std::vector<int> enters_;  // per FlowGraph frame: needed Enters into it
  Frame root_;
  Iteration* root_iter_ = nullptr;
  int64_t next_serial_ = 0;
  std::priority_queue<Item, std::vector<Item>, Later> ready_;
};

Executor::NodeState& Executor::State(Iteration* it, int id) {
  auto [pos, inserted] = it->nodes.try_emplace(id);
  NodeState& s = pos->second;
  if (inserted) {
    const Node& n = g_.node(id);
    s.inputs.assign(n.num_inputs(), DeadValue());
    s.pending = initial_pending_[id];
    for (int k = 0; k < n.num_inputs(); ++k) {
      auto f = p_.fed->find({n.input(k).node, n.input(k).index});
      if (f == p_.fed->end()) continue;
      s.inputs[k] = f->second;
      s.live = true;
    }
  }
  return s;
}

void Executor::Push(Iteration* it, int id, bool dead) {
  ready_.push(Item{it->serial, flow_.position(id), id, it, dead});
  ++it->outstanding;
}

void Executor::Deliver(Iteration* it, int dst, int input, const Value* v, bool dead,
                       bool from_enter) {
  NodeState& s = State(it, dst);
  const Node& n = g_.node(dst);
  if (IsMerge(n)) {
    if (s.started) return;  // TF's Merge uses the inputs present when it became ready
    if (input < 0) {
      --s.pending;  // a control input; dead or not, it does not make the Merge dead
    } else if (!dead) {
      s.inputs[input] = *v;
      s.live = true;
    } else {
      ++s.dead;
      s.dead_enter = s.dead_enter || from_enter;
    }
    if (s.pending == 0 && (s.live || s.dead == n.num_inputs() || s.dead_enter)) {
      s.started = true;
      Push(it, dst, !s.live);
    }
    return;
  }
  if (input >= 0) s.inputs[input] = *v;
  if (dead) ++s.dead;
  if (--s.pending == 0) Push(it, dst, s.dead > 0);
}

void Executor::Send(int src, Iteration* it, const std::vector<Value>& outputs, bool dead) {
  const bool from_enter = IsEnter(g_.node(src));
  for (const FlowGraph::OutEdge& e : flow_.out_edges(src)) {
    if (!(*p_.needed)[e.dst]) continue;
    if (e.dst_input < 0) {
      Deliver(it, e.dst, -1, nullptr, dead, from_enter);
    } else if (p_.fed->count({src, e.src_output}) == 0) {
      const Value& v = outputs[e.src_output];
      Deliver(it, e.dst, e.dst_input, &v, dead || v.dead, from_enter);
    }
  }
  if (it == root_iter_) {
    auto w = wanted_.find(src);
    if (w == wanted_.end()) return;
    for (int k : w->second) (*values_)[{src, k}] = dead ? DeadValue() : outputs[k];
  }
}

Executor::Frame* Executor::Child(Iteration* it, int frame) {
  std::unique_ptr<Frame>& child = it->children[frame];
  if (child == nullptr) {
    child = std::make_unique<Frame>();
    child->id = frame;
    child->parent = it;
    child->pending_enters = enters_[frame];
    child->iterations[0] = NewIteration(child.get(), 0);
  }
  return child.get();
}

Status Executor::Run(int* kernels_run) {
  const std::vector<char>& needed = *p_.needed;
  enters_.assign(flow_.num_frames(), 0);
  for (int id = 0; id < g_.num_nodes(); ++id) {
    if (!needed[id]) continue;
    const Node& n = g_.node(id);
    if (IsEnter(n)) ++enters_[flow_.output_frame(id)];
    int pending = static_cast<int>(n.control_inputs().size());
    if (!IsMerge(n)) {
      for (const Edge& e : n.inputs()) pending += p_.fed->count({e.node, e.index}) == 0 ? 1 : 0;
    }
    initial_pending_[id] = pending;
  }
  auto root = NewIteration(&root_, 0);
  root_iter_ = root.get();
  root_.iterations[0] = std::move(root);
  // Roots: nodes of the root frame with nothing to wait for.
  for (int id : g_.topological_order()) {
    if (!needed[id] || flow_.frame(id) != 0 || initial_pending_[id] != 0) continue;
    NodeState& s = State(root_iter_, id);
    if (IsMerge(g_.node(id))) {
      if (!s.live) continue;  // waits for a live input
      s.started = true;
    }
    Push(root_iter_, id, false);
  }
  while (!ready_.empty()) {
    const Item item = ready_.top();
    ready_.pop();
    TFCKPT_RETURN_IF_ERROR(Process(item, kernels_run));
  }
  if (!root_iter_->children.empty()) {
    const int frame = root_iter_->children.begin()->first;
    return InternalError(StrCat(flow_.FrameName(frame),
                                " did not finish: a node in it waits for an input that never "
                                "comes (a malformed while loop)"));
  }
  return OkStatus();
}

Status Executor::Process(const Item& item, int* kernels_run) {
  Iteration* it = item.iter;
  const Node& node = g_.node(item.node);
  auto s = it->nodes.find(item.node);
  std::vector<Value> inputs = std::move(s->second.inputs);
  if (IsMerge(node)) {
    s->second.inputs.clear();  // the state stays: it ignores later inputs
  } else {
    it->nodes.erase(s);
  }
  std::vector<Value> outputs;
  if (item.dead) {
    outputs.assign(node.num_outputs(), DeadValue());
  } else {
    TFCKPT_RETURN_IF_ERROR(p_.run_kernel(node, std::move(inputs), &outputs));
    ++*kernels_run;
  }
  TFCKPT_RETURN_IF_ERROR(Propagate(node, it, outputs, item.dead));
  if (--it->outstanding == 0) return Cleanup(it->frame, it);
  return OkStatus();
}

Status Executor::Propagate(const Node& node, Iteration* it, const std::vector<Value>& outputs,
                           bool dead) {
  Frame* f = it->frame;
  if (IsEnter(node)) {
    Frame* child = Child(it, flow_.output_frame(node.id()));
    auto constant = node.AttrBool("is_constant");
    if (constant.ok() && *constant) {
      // A loop invariant: every iteration, the ones to come too.
      child->invariants.push_back({node.id(), outputs[0]});
      for (auto& [num, iter] : child->iterations) Send(node.id(), iter.get(), outputs, dead);
    } else {
      Send(node.id(), child->iterations.at(0).get(), outputs, dead);
    }
    --child->pending_enters;
    auto first = child->iterations.find(0);
    if (first != child->iterations.end() && first->second->outstanding == 0) {
      return Cleanup(child, first->second.get());
    }
    return OkStatus();
  }
  if (IsExit(node)) {
    if (dead) {
      // Sent on when the frame is done, unless a later iteration starts.
      if (it->num == f->iteration_count) f->dead_exits.push_back(node.id());
      return OkStatus();
    }
    Send(node.id(), f->parent, outputs, false);
    return OkStatus();
  }
  if (IsNextIteration(node)) {
    if (dead) return OkStatus();  // the loop ends here
    Iteration* next = nullptr;
    if (it->num == f->iteration_count) {
      TFCKPT_ASSIGN_OR_RETURN(next, StartIteration(f, node));
    } else {
      next = f->iterations.at(it->num + 1).get();
    }
    Send(node.id(), next, outputs, false);
    return OkStatus();
  }
  Send(node.id(), it, outputs, dead);
  return OkStatus();
}

StatusOr<Executor::Iteration*> Executor::StartIteration(Frame* f, const Node& next) {
  if (f->iteration_count >= p_.max_loop_iterations) {
    const int cond = flow_.frame_info(f->id).loop_cond;
    return AtNode(ResourceExhaustedError(StrCat(
                      "TF1 while loop '", flow_.frame_info(f->id).name, "' ran ",
                      p_.max_loop_iterations, " iterations and its condition",
                      cond < 0 ? std::string() : StrCat(" '", g_.node(cond).name(), "'"),
                      " is still true (tfckpt's bound, SessionOptions::max_loop_iterations)")),
                  next);
  }
  ++f->iteration_count;
  f->dead_exits.clear();
  std::unique_ptr<Iteration>& slot = f->iterations[f->iteration_count];
  slot = NewIteration(f, f->iteration_count);
  for (const auto& [enter, value] : f->invariants) Send(enter, slot.get(), {value}, value.dead);
  return slot.get();
}

// TF's CleanupIterations: an iteration is done when nothing of it is left to
// run, no loop entered from it is running and the one before it is done
// (iteration 0: every Enter into the frame ran); a frame is done when all
// its iterations are.
Status Executor::Cleanup(Frame* f, Iteration* it) {
  if (f == &root_) return OkStatus();
  while (it != nullptr && it->outstanding == 0 && it->children.empty() &&
         (it->num == 0 ? f->pending_enters == 0 : f->iterations.count(it->num - 1) == 0)) {
    const int64_t num = it->num;
    f->iterations.erase(num);
    auto next = f->iterations.find(num + 1);
    it = next == f->iterations.end() ? nullptr : next->second.get();
  }
  if (f->pending_enters == 0 && f->iterations.empty()) return DeleteFrame(f);
  return OkStatus();
}

Status Executor::DeleteFrame(Frame* f) {
  Iteration* parent = f->parent;
  const std::vector<int> dead_exits = std::move(f->dead_exits);
  parent->children.erase(f->id);  // deletes f
  for (int exit : dead_exits) {
    Send(exit, parent, std::vector<Value>(g_.node(exit).num_outputs(), DeadValue()), true);
  }
  if (parent->outstanding == 0) return Cleanup(parent->frame, parent);
  return OkStatus();
}

}  // namespace

Status Execute(const ExecuteParams& params, const std::vector<OutputKey>& wanted,
               std::map<OutputKey, Value>* values, int* kernels_run) {
  *kernels_run = 0;
  Executor executor(params, wanted, values);
  return executor.Run(kernels_run);
}

}  // namespace tfckpt::graph
