// A tf.compat.v1.Session over a train::Graph that keeps growing (named, like
// TF's C++ ClientSession, apart from the engine's graph::Session): every Run
// first brings the engine (graph::Session) up to date with the graph --
// rebuilding it from Graph::ToGraphDef() when nodes were added -- and keeps
// the variables' values across rebuilds, as TF's session does when the
// graph is extended.
//
//   train::ClientSession sess(&g);
//   TFCKPT_RETURN_IF_ERROR(sess.Run({init.name}));              // targets
//   TFCKPT_ASSIGN_OR_RETURN(auto out, sess.Run({}, {y}, {}));   // fetches
//
// Fetches and feeds name tensors ("x:0") or take Outputs / Variables (a
// variable is fetched as TF fetches it: its reference "v:0", or the read of
// a resource variable). Graphs may contain ops the engine lacks (imported
// meta graphs); running one is then the error.
#ifndef TFCKPT_TRAIN_CLIENT_SESSION_H_
#define TFCKPT_TRAIN_CLIENT_SESSION_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "src/graph/session.h"
#include "src/tensor/tensor.h"
#include "src/train/graph_builder.h"
#include "src/train/variables.h"

namespace tfckpt::train {

// Something to fetch or feed: a tensor name, an Output or a Variable.
struct TensorRef {
  TensorRef(const char* name) : name(name) {}         // NOLINT
  TensorRef(std::string name) : name(std::move(name)) {}  // NOLINT
  TensorRef(const Output& t) : name(t.name()) {}      // NOLINT
  TensorRef(const Variable& v) : name(v.fetch_name()) {}  // NOLINT
  std::string name;
};

// A run target: an op name, an Operation or an Output's op.
struct TargetRef {
  TargetRef(const char* name) : name(name) {}          // NOLINT
  TargetRef(std::string name) : name(std::move(name)) {}  // NOLINT
  TargetRef(const Operation& op) : name(op.name) {}    // NOLINT
  TargetRef(const Output& t) : name(t.op) {}           // NOLINT
  std::string name;
};

class ClientSession {
 public:
  explicit ClientSession(Graph* graph, graph::SessionOptions options = {});

  using Feed = std::pair<TensorRef, tensor::Tensor>;
  StatusOr<std::vector<tensor::Tensor>> Run(const std::vector<Feed>& feeds,
                                            const std::vector<TensorRef>& fetches,
                                            const std::vector<TargetRef>& targets = {});
  // Targets only.
  Status Run(const std::vector<TargetRef>& targets, const std::vector<Feed>& feeds = {});
  // One fetch.
  StatusOr<tensor::Tensor> Eval(const TensorRef& fetch, const std::vector<Feed>& feeds = {});

  Graph* graph() const { return graph_; }
  // The engine session, synchronised with the graph.
  StatusOr<graph::Session*> Engine();

 private:
  Status Sync();
  Graph* graph_;
  graph::SessionOptions options_;
  std::unique_ptr<graph::Session> engine_;
  uint64_t synced_version_ = 0;
  int synced_nodes_ = -1;
};

}  // namespace tfckpt::train

#endif  // TFCKPT_TRAIN_CLIENT_SESSION_H_
