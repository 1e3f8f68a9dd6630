// Properties of freezing (docs/TESTING.md section 4), over random float
// graphs (testing::GenGraphSpec: placeholders, reference and resource
// variables from tf.Variable or get_variable, constants, MatMul, Add, Sub,
// Mul, BiasAdd, Relu, Sigmoid, Tanh, Identity, Reshape, ConcatV2) fed random
// inputs (ordinary values, ±0, denormals, huge values, ±inf, NaNs):
//
//  - ConvertVariablesToConstants of the session's graph for the outputs
//    contains no variable op (Variable, VariableV2, VarHandleOp,
//    ReadVariableOp, VarIsInitializedOp, IsVariableInitialized, Assign*) and
//    no node the outputs do not need;
//  - the frozen GraphDef, serialized and parsed back, run by a fresh engine
//    session, imported with import_graph_def (name "") and imported under
//    "frozen" with an input_map from every placeholder to a new one, gives
//    bit-identical outputs to the original session on the same inputs.
#include <set>

#include "src/freeze/freeze.h"
#include "src/train/import_graph_def.h"
#include "src/graph/session.h"
#include "src/testing/graph_generators.h"
#include "src/train/ops.h"
#include "src/train/client_session.h"
#include "src/train/variables.h"

namespace tfckpt::freeze {
namespace {

using tensor::Tensor;
using train::ImportGraphDef;
using train::ImportOptions;
using ::tfckpt::testing::TensorDiff;


void AssertSame(const std::vector<Tensor>& want, const std::vector<Tensor>& got,
                const std::string& what) {
  RC_ASSERT(want.size() == got.size());
  for (size_t i = 0; i < want.size(); ++i) {
    const std::string d = TensorDiff(want[i], got[i]);
    if (!d.empty()) RC_FAIL(what + ", output " + std::to_string(i) + ": " + d);
  }
}

std::vector<int64_t> Dims(const train::Output& t) {
  const tensorflow::TensorShapeProto shape = t.shape();
  std::vector<int64_t> dims;
  for (const auto& d : shape.dim()) dims.push_back(d.size());
  return dims;
}

bool IsVariableOp(const std::string& op) {
  static const std::set<std::string> kOps = {
      "Variable",         "VariableV2",          "VarHandleOp",         "ReadVariableOp",
      "VarIsInitializedOp", "IsVariableInitialized", "Assign",           "AssignAdd",
      "AssignSub",        "AssignVariableOp",    "AssignAddVariableOp", "AssignSubVariableOp"};
  return kOps.count(op) != 0;
}

TFCKPT_PROPERTY(FreezeProperty, FrozenGraphGivesTheSameOutputs, 80) {
  const auto spec = *::tfckpt::testing::GenGraphSpec();
  train::Graph g;
  auto built = ::tfckpt::testing::BuildGraph(&g, spec);
  RC_ASSERT_OK(built);
  train::ClientSession sess(&g);
  RC_ASSERT_OK(sess.Run({train::GlobalVariablesInitializer(&g)}));
  std::vector<train::ClientSession::Feed> feeds;
  std::vector<graph::Session::Feed> engine_feeds;
  for (const train::Output& p : built->placeholders) {
    const std::vector<int64_t> shape = Dims(p);
    const Tensor value =
        ::tfckpt::testing::FillGraphInput(shape, *rc::gen::arbitrary<uint64_t>());
    feeds.emplace_back(p, value);
    engine_feeds.emplace_back(p.name(), value);
  }
  std::vector<train::TensorRef> fetches;
  std::vector<std::string> fetch_names, output_ops;
  for (const train::Output& o : built->outputs) {
    fetches.emplace_back(o);
    fetch_names.push_back(o.name());
    output_ops.push_back(o.op);
  }
  auto before = sess.Run(feeds, fetches);
  RC_ASSERT_OK(before);

  const tensorflow::GraphDef graph_def = g.ToGraphDef();
  auto frozen = ConvertVariablesToConstants(&sess, graph_def, output_ops);
  RC_ASSERT_OK(frozen);
  int variable_nodes = 0;
  for (const auto& n : graph_def.node()) variable_nodes += IsVariableOp(n.op());
  RC_TAG(variable_nodes == 0 ? "no variables" : "variables");
  for (const auto& n : frozen->node()) {
    if (IsVariableOp(n.op())) RC_FAIL("variable op left: " + n.name() + " (" + n.op() + ")");
  }
  auto needed = ExtractSubGraph(graph_def, output_ops);
  RC_ASSERT_OK(needed);
  RC_ASSERT(frozen->node_size() == needed->node_size());

  // Only the placeholders the outputs need are left to feed (feeding a
  // tensor the graph lacks is an error, in TF too).
  std::set<std::string> kept;
  for (const auto& n : frozen->node()) kept.insert(n.name());
  std::vector<size_t> fed;
  for (size_t i = 0; i < built->placeholders.size(); ++i) {
    if (kept.count(built->placeholders[i].op)) fed.push_back(i);
  }
  std::vector<train::ClientSession::Feed> frozen_feeds;
  std::vector<graph::Session::Feed> frozen_engine_feeds;
  for (size_t i : fed) {
    frozen_feeds.push_back(feeds[i]);
    frozen_engine_feeds.push_back(engine_feeds[i]);
  }
  RC_TAG(fed.size() == built->placeholders.size() ? "all inputs used" : "unused inputs");

  tensorflow::GraphDef parsed;
  RC_ASSERT(parsed.ParseFromString(frozen->SerializeAsString()));
  {
    auto engine = graph::Session::Create(parsed);
    RC_ASSERT_OK(engine);
    auto out = (*engine)->Run(frozen_engine_feeds, fetch_names);
    RC_ASSERT_OK(out);
    AssertSame(*before, *out, "frozen graph in a fresh session");
  }
  {
    train::Graph g2;
    ImportOptions o;
    o.name = "";
    RC_ASSERT_OK(ImportGraphDef(&g2, parsed, o));
    train::ClientSession s2(&g2);
    auto out = s2.Run(frozen_feeds, fetches);
    RC_ASSERT_OK(out);
    AssertSame(*before, *out, "import_graph_def(name='')");
  }
  // input_map: each placeholder to a new placeholder of another graph.
  train::Graph g3;
  ImportOptions o;
  o.name = "frozen";
  std::vector<train::ClientSession::Feed> mapped_feeds;
  for (size_t i : fed) {
    const train::Output& p = built->placeholders[i];
    const std::vector<int64_t> shape = Dims(p);
    train::Output in = train::Placeholder(&g3, tensorflow::DT_FLOAT, shape, "in");
    o.input_map[p.name()] = in;
    mapped_feeds.emplace_back(in, feeds[i].second);
  }
  o.return_elements = fetch_names;
  auto r = ImportGraphDef(&g3, parsed, o);
  RC_ASSERT_OK(r);
  std::vector<train::TensorRef> mapped_fetches;
  for (const auto& e : r->elements) {
    RC_ASSERT(e.is_tensor);
    RC_ASSERT(e.tensor.op.rfind("frozen/", 0) == 0);
    mapped_fetches.emplace_back(e.tensor);
  }
  // The original placeholders are still imported, but nothing reads them.
  train::ClientSession s3(&g3);
  auto out = s3.Run(mapped_feeds, mapped_fetches);
  RC_ASSERT_OK(out);
  AssertSame(*before, *out, "import_graph_def with input_map");
}

}  // namespace
}  // namespace tfckpt::freeze
