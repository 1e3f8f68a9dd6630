#include "src/train/session.h"

namespace tfckpt::train {
namespace {

// Moves every variable of `from` into `to` (TF keeps variables when the
// session's graph is extended). Session::state() is const for callers; the
// state object itself belongs to the (non-const) session, so writing to it
// through the pointer is well defined.
void TransferState(const graph::SessionState& from, graph::Session* to) {
  auto& state = const_cast<graph::SessionState&>(to->state());
  for (const auto& [key, var] : from.ref_variables()) {
    const size_t slash = key.find('/');
    auto slot = state.RefVariableFor(key.substr(0, slash), key.substr(slash + 1), var->dtype,
                                     var->declared_shape);
    *slot = *var;
  }
  for (const auto& [key, var] : from.resource_variables()) {
    const size_t slash = key.find('/');
    graph::ResourceHandle h;
    h.container = key.substr(0, slash);
    h.name = key.substr(slash + 1);
    auto slot = state.CreateResourceVariable(h, var->dtype);
    *slot = *var;
  }
}

}  // namespace

Session::Session(Graph* graph, graph::SessionOptions options)
    : graph_(graph), options_(std::move(options)) {
  if (options_.graph.registry == nullptr) options_.graph.registry = &graph->registry();
  options_.graph.allow_unregistered_ops = true;
}

Status Session::Sync() {
  if (engine_ != nullptr && graph_->num_nodes() == synced_nodes_ &&
      graph_->version() == synced_version_) {
    return OkStatus();
  }
  TFCKPT_ASSIGN_OR_RETURN(std::unique_ptr<graph::Session> fresh,
                          graph::Session::Create(graph_->ToGraphDef(), options_));
  if (engine_ != nullptr) TransferState(engine_->state(), fresh.get());
  engine_ = std::move(fresh);
  synced_nodes_ = graph_->num_nodes();
  synced_version_ = graph_->version();
  return OkStatus();
}

StatusOr<graph::Session*> Session::Engine() {
  TFCKPT_RETURN_IF_ERROR(Sync());
  return engine_.get();
}

StatusOr<std::vector<tensor::Tensor>> Session::Run(const std::vector<Feed>& feeds,
                                                   const std::vector<TensorRef>& fetches,
                                                   const std::vector<TargetRef>& targets) {
  TFCKPT_RETURN_IF_ERROR(Sync());
  std::vector<graph::Session::Feed> f;
  for (const auto& [ref, value] : feeds) f.emplace_back(ref.name, value);
  std::vector<std::string> fetch_names, target_names;
  for (const auto& r : fetches) fetch_names.push_back(r.name);
  for (const auto& t : targets) target_names.push_back(t.name);
  return engine_->Run(f, fetch_names, target_names);
}

Status Session::Run(const std::vector<TargetRef>& targets, const std::vector<Feed>& feeds) {
  return Run(feeds, {}, targets).status();
}

StatusOr<tensor::Tensor> Session::Eval(const TensorRef& fetch, const std::vector<Feed>& feeds) {
  TFCKPT_ASSIGN_OR_RETURN(std::vector<tensor::Tensor> out, Run(feeds, {fetch}, {}));
  return std::move(out[0]);
}

}  // namespace tfckpt::train
