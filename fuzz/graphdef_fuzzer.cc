// A GraphDef: import + validation (unknown ops, bad edges, cycles, attrs),
// then pruning and running every node as a fetch with a small budget.
#include "proto/graph.pb.h"
#include "src/graph/serving_ops.h"
#include "src/graph/session.h"
#include "src/io/mem_env.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tfckpt;
  tensorflow::GraphDef g;
  if (!g.ParseFromArray(data, static_cast<int>(size))) return 0;
  if (g.node_size() > 2000) return 0;  // keep each run short
  io::MemEnv env;  // checkpoint ops write here, never to disk
  graph::SessionOptions options;
  options.env = &env;
  options.max_tensor_bytes = 16 << 20;
  options.proto.max_broadcast_bytes = 16 << 20;
  auto session = graph::Session::Create(g, options);
  if (!session.ok()) return 0;
  int n = 0;
  for (const auto& node : g.node()) {
    if (++n > 32) break;
    (*session)->Run({}, {}, {node.name()}, nullptr).IgnoreError();
  }
  return 0;
}
