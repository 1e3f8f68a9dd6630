#include "src/train/client_session.h"

namespace tfckpt::train {

ClientSession::ClientSession(Graph* graph, graph::SessionOptions options)
    : graph_(graph), options_(std::move(options)) {
  if (options_.graph.registry == nullptr) options_.graph.registry = &graph->registry();
  options_.graph.allow_unregistered_ops = true;
}

Status ClientSession::Sync() {
  if (engine_ != nullptr && graph_->num_nodes() == synced_nodes_ &&
      graph_->version() == synced_version_) {
    return OkStatus();
  }
  TFCKPT_ASSIGN_OR_RETURN(std::unique_ptr<graph::Session> fresh,
                          graph::Session::Create(graph_->ToGraphDef(), options_));
  if (engine_ != nullptr) TFCKPT_RETURN_IF_ERROR(fresh->AdoptVariablesFrom(engine_.get()));
  engine_ = std::move(fresh);
  synced_nodes_ = graph_->num_nodes();
  synced_version_ = graph_->version();
  return OkStatus();
}

StatusOr<graph::Session*> ClientSession::Engine() {
  TFCKPT_RETURN_IF_ERROR(Sync());
  return engine_.get();
}

StatusOr<std::vector<tensor::Tensor>> ClientSession::Run(const std::vector<Feed>& feeds,
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

Status ClientSession::Run(const std::vector<TargetRef>& targets, const std::vector<Feed>& feeds) {
  return Run(feeds, {}, targets).status();
}

StatusOr<tensor::Tensor> ClientSession::Eval(const TensorRef& fetch,
                                             const std::vector<Feed>& feeds) {
  TFCKPT_ASSIGN_OR_RETURN(std::vector<tensor::Tensor> out, Run(feeds, {fetch}, {}));
  return std::move(out[0]);
}

}  // namespace tfckpt::train
