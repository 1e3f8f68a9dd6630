// Properties of train::ExponentialMovingAverage (docs/TESTING.md section 4),
// against a re-implementation of TF 2.21's formula
// (tensorflow/python/training/moving_averages.py) in the float arithmetic
// TF's graph computes it in. Every value is one op's result, rounded to the
// op's dtype, in this order:
//
//   decay'  = float32(decay)                                  Const "decay"
//   with num_updates n (int64):
//     nf    = float32(n)                                      Cast
//     decay' = min(decay', (1.0f + nf) / (10.0f + nf))        AddV2, AddV2, RealDiv, Minimum
//   d       = T(1.0f - decay')                                Sub, then Cast to T if double
//   shadow  = shadow - (shadow - value) * d                   Sub, Mul, AssignSub
//   zero_debias (tensors; biased, local_step, shadow start at 0):
//     biased = biased - (biased - value) * d                  Sub, Mul, AssignSub
//     step   = step + 1                                       AssignAdd
//     shadow = biased / (1 - pow(1 - d, step))                Sub, Pow, Sub, RealDiv, Assign
//
// Each op is one IEEE operation per element (Eigen's element-wise functors;
// x86-64 without FMA contraction across ops, since they are separate
// kernels), and Pow's operands are scalars, for which Eigen calls std::pow:
// so the model is bit-exact, and so is the comparison. The shadows are read
// back after Saver save -> restore into a fresh graph, both through
// variables_to_restore() and through an explicit rename map.
#include <unistd.h>

#include <cctype>
#include <cmath>
#include <set>

#include "src/io/env.h"
#include "src/testing/graph_generators.h"
#include "src/train/ema.h"
#include "src/train/ops.h"
#include "src/train/saver.h"
#include "src/train/client_session.h"
#include "src/train/variables.h"

namespace tfckpt::train {
namespace {

#define RC_ASSERT_SAME(want, got)                                  \
  do {                                                             \
    const std::string rc_diff_ = TensorDiff(want, got);            \
    if (!rc_diff_.empty()) RC_FAIL("model vs tfckpt: " + rc_diff_); \
  } while (0)

using tensor::Tensor;
using ::tfckpt::testing::EmaCase;
using ::tfckpt::testing::FillEmaValues;
using ::tfckpt::testing::TensorDiff;

std::string TempDir() {
  static int counter = 0;
  const char* base = std::getenv("TEST_TMPDIR");
  const std::string dir =
      StrCat(base ? base : "/tmp", "/ema_property_", getpid(), "_", counter++);
  RC_ASSERT_OK(io::Env::Default()->CreateDirRecursively(dir));
  return dir;
}

// The model's state for one averaged variable (T = float or double).
template <typename T>
struct Average {
  std::vector<T> shadow, biased;
  T local_step = 0;
};

// One update, as the ops above compute it.
template <typename T>
void Update(Average<T>* a, const T* value, float decay_prime, bool zero_debias) {
  const float one_minus_f = 1.0f - decay_prime;
  const T d = static_cast<T>(one_minus_f);
  for (size_t i = 0; i < a->shadow.size(); ++i) {
    if (!zero_debias) {
      const T diff = a->shadow[i] - value[i];
      const T delta = diff * d;
      a->shadow[i] = a->shadow[i] - delta;
    } else {
      const T diff = a->biased[i] - value[i];
      const T delta = diff * d;
      a->biased[i] = a->biased[i] - delta;
    }
  }
  if (!zero_debias) return;
  a->local_step = a->local_step + static_cast<T>(1);
  const T base = static_cast<T>(1) - d;
  const T p = std::pow(base, a->local_step);
  const T factor = static_cast<T>(1) - p;
  for (size_t i = 0; i < a->shadow.size(); ++i) a->shadow[i] = a->biased[i] / factor;
}

float DecayPrime(const EmaCase& c, int64_t n) {
  float decay = static_cast<float>(c.decay);
  if (!c.use_num_updates) return decay;
  const float nf = static_cast<float>(n);
  const float num = 1.0f + nf;
  const float den = 10.0f + nf;
  const float q = num / den;
  return q < decay ? q : decay;  // Eigen's scalar_min_op: b < a ? b : a
}

template <typename T>
Tensor ModelShadow(const EmaCase& c, size_t var) {
  const auto& spec = c.variables[var];
  const Tensor init = FillEmaValues(spec.dtype, spec.shape, spec.initial_seed);
  Average<T> a;
  const int64_t n = init.num_elements();
  if (c.zero_debias) {
    a.shadow.assign(n, 0);
    a.biased.assign(n, 0);
  } else {
    a.shadow.assign(init.flat<T>(), init.flat<T>() + n);
  }
  for (const auto& step : c.steps) {
    const Tensor value = FillEmaValues(spec.dtype, spec.shape, step.value_seeds[var]);
    // zero_debias averages v * 1, which is v (one IEEE multiply by 1).
    Update(&a, value.flat<T>(), DecayPrime(c, step.num_updates), c.zero_debias);
  }
  return Tensor::FromVector<T>(spec.dtype, init.shape(), a.shadow);
}

Tensor Model(const EmaCase& c, size_t var) {
  return c.variables[var].dtype == tensorflow::DT_DOUBLE ? ModelShadow<double>(c, var)
                                                         : ModelShadow<float>(c, var);
}

StatusOr<Tensor> Eval(ClientSession* s, const TensorRef& r) { return s->Eval(r); }

// The variables v0, v1... of a case with their initial values (in a fresh
// graph for restores: values are overwritten).
std::vector<Variable> MakeVariables(Graph* g, const EmaCase& c) {
  std::vector<Variable> vars;
  for (size_t i = 0; i < c.variables.size(); ++i) {
    const auto& spec = c.variables[i];
    auto v = MakeVariable(g, FillEmaValues(spec.dtype, spec.shape, spec.initial_seed),
                          StrCat("v", i));
    RC_ASSERT_OK(v);
    vars.push_back(*v);
  }
  return vars;
}

TFCKPT_PROPERTY(EmaProperty, RestoredShadowIsTfFormula, 60) {
  const EmaCase c = *::tfckpt::testing::GenEmaCase();
  RC_TAG(c.zero_debias ? "zero_debias" : "variables", c.use_num_updates ? "num_updates" : "decay",
         c.resource ? "resource" : "ref");
  GraphOptions go;
  go.resource_variables = c.resource;
  Graph g(go);
  const std::vector<Variable> vars = MakeVariables(&g, c);
  std::optional<Variable> step;
  std::optional<Input> num_updates;
  if (c.use_num_updates) {
    VariableOptions so;
    so.name = "global_step";
    so.trainable = false;
    auto s = MakeVariable(&g, Tensor::FromVector<int64_t>(tensorflow::DT_INT64, {}, {0}), so);
    RC_ASSERT_OK(s);
    step = *s;
    num_updates = Input(*step);
  }
  std::vector<Averageable> averaged;
  for (size_t i = 0; i < vars.size(); ++i) {
    if (c.zero_debias) {
      averaged.emplace_back(Multiply(&g, vars[i], 1.0, StrCat("v", i, "_times_1")));
    } else {
      averaged.emplace_back(vars[i]);
    }
  }
  ExponentialMovingAverage ema(&g, c.decay, num_updates, c.zero_debias);
  auto maintain = ema.Apply(averaged);
  RC_ASSERT_OK(maintain);
  // Assignments fed through placeholders.
  std::vector<Output> value_in, assigns;
  for (size_t i = 0; i < vars.size(); ++i) {
    value_in.push_back(Placeholder(&g, c.variables[i].dtype, c.variables[i].shape));
    assigns.push_back(vars[i].Assign(value_in.back()));
  }
  Output step_in, step_assign;
  if (step) {
    step_in = Placeholder(&g, tensorflow::DT_INT64, std::vector<int64_t>{});
    step_assign = step->Assign(step_in);
  }
  auto saver = Saver::Create(&g);
  RC_ASSERT_OK(saver);
  RC_ASSERT_OK(g.status());
  ClientSession sess(&g);
  RC_ASSERT_OK(sess.Run({GlobalVariablesInitializer(&g)}));
  for (const auto& s : c.steps) {
    std::vector<ClientSession::Feed> feeds;
    std::vector<TargetRef> targets;
    for (size_t i = 0; i < vars.size(); ++i) {
      const auto& spec = c.variables[i];
      feeds.emplace_back(value_in[i], FillEmaValues(spec.dtype, spec.shape, s.value_seeds[i]));
      targets.emplace_back(assigns[i]);
    }
    if (step) {
      feeds.emplace_back(step_in,
                         Tensor::FromVector<int64_t>(tensorflow::DT_INT64, {}, {s.num_updates}));
      targets.emplace_back(step_assign);
    }
    RC_ASSERT_OK(sess.Run(targets, feeds));
    RC_ASSERT_OK(sess.Run({*maintain}));
  }
  std::vector<Tensor> want;
  for (size_t i = 0; i < vars.size(); ++i) {
    want.push_back(Model(c, i));
    auto shadow = Eval(&sess, *ema.Average(averaged[i]));
    RC_ASSERT_OK(shadow);
    RC_ASSERT_SAME(want[i], *shadow);
  }
  const std::string prefix = TempDir() + "/model.ckpt";
  SaveOptions so;
  so.write_meta_graph = false;
  RC_ASSERT_OK((*saver)->Save(&sess, prefix, so));

  // Restore through an explicit rename map: shadow key -> a fresh variable.
  {
    Graph g2(go);
    std::map<std::string, Variable> dict;
    std::vector<Variable> fresh = MakeVariables(&g2, c);
    for (size_t i = 0; i < vars.size(); ++i) dict[ema.AverageName(averaged[i])] = fresh[i];
    SaverOptions o;
    o.var_dict = dict;
    auto s2 = Saver::Create(&g2, o);
    RC_ASSERT_OK(s2);
    ClientSession sess2(&g2);
    RC_ASSERT_OK((*s2)->Restore(&sess2, prefix));
    for (size_t i = 0; i < vars.size(); ++i) {
      auto got = Eval(&sess2, fresh[i]);
      RC_ASSERT_OK(got);
      RC_ASSERT_SAME(want[i], *got);
    }
  }
  if (c.zero_debias) return;  // variables_to_restore maps variables only
  // Restore through variables_to_restore(): v_i gets its shadow.
  Graph g3(go);
  std::vector<Variable> fresh = MakeVariables(&g3, c);
  if (c.use_num_updates) {
    VariableOptions vo;
    vo.name = "global_step";
    vo.trainable = false;
    RC_ASSERT_OK(MakeVariable(&g3, Tensor::FromVector<int64_t>(tensorflow::DT_INT64, {}, {7}), vo));
  }
  ExponentialMovingAverage ema3(&g3, c.decay);
  SaverOptions o;
  o.var_dict = ema3.VariablesToRestore();
  auto s3 = Saver::Create(&g3, o);
  RC_ASSERT_OK(s3);
  ClientSession sess3(&g3);
  RC_ASSERT_OK((*s3)->Restore(&sess3, prefix));
  for (size_t i = 0; i < vars.size(); ++i) {
    auto got = Eval(&sess3, fresh[i]);
    RC_ASSERT_OK(got);
    RC_ASSERT_SAME(want[i], *got);
  }
}

// Bug 5 (docs/TESTING.md section 5): apply() with zero_debias over a tensor
// computed from resource variables failed ("op .../AssignAddVariableOp has 0
// outputs": the update used the AssignAddVariableOp as a tensor). Found by
// RestoredShadowIsTfFormula (minimal: one float scalar, resource, zero_debias).
// The nodes and the shadow below are what TF 2.21 builds and computes for
// this program (tf.compat.v1, run with the oracle venv of tools/oracle).
TEST(EmaPropertyRegression, ZeroDebiasOfResourceVariables) {
  GraphOptions go;
  go.resource_variables = true;
  Graph g(go);
  Variable v = *MakeVariable(&g, Tensor::FromVector<float>(tensorflow::DT_FLOAT, {}, {0}), "v");
  Output t = Multiply(&g, v, 1.0f, "v_times_1");
  ExponentialMovingAverage ema(&g, 0.99, std::nullopt, /*zero_debias=*/true);
  auto maintain = ema.Apply(std::vector<Averageable>{t});
  ASSERT_TRUE(maintain.ok()) << maintain.status();
  const std::string s = "ExponentialMovingAverage/AssignMovingAvg";
  const std::string biased = "v_times_1/ExponentialMovingAverage/biased";
  const std::string step = "v_times_1/ExponentialMovingAverage/local_step";
  const std::vector<std::pair<std::string, std::vector<std::string>>> tf_nodes = {
      {"ExponentialMovingAverage/decay", {}},
      {s + "/sub/x", {}},
      {s + "/sub", {s + "/sub/x", "ExponentialMovingAverage/decay"}},
      {s + "/ReadVariableOp", {biased}},
      {s + "/sub_1", {s + "/ReadVariableOp", "v_times_1"}},
      {s + "/mul", {s + "/sub_1", s + "/sub"}},
      {s + "/AssignSubVariableOp", {biased, s + "/mul"}},
      {s + "/ReadVariableOp_1", {biased, "^" + s + "/AssignSubVariableOp"}},
      {s + "/Const", {}},
      {s + "/AssignAddVariableOp", {step, s + "/Const"}},
      {s + "/ReadVariableOp_2", {step, "^" + s + "/AssignAddVariableOp"}},
      {s + "/sub_2/x", {}},
      {s + "/sub_2", {s + "/sub_2/x", s + "/sub"}},
      {s + "/Pow/ReadVariableOp", {step, "^" + s + "/AssignAddVariableOp"}},
      {s + "/Pow", {s + "/sub_2", s + "/Pow/ReadVariableOp"}},
      {s + "/sub_3/x", {}},
      {s + "/sub_3", {s + "/sub_3/x", s + "/Pow"}},
      {s + "/ReadVariableOp_3", {biased, "^" + s + "/AssignSubVariableOp"}},
      {s + "/truediv", {s + "/ReadVariableOp_3", s + "/sub_3"}},
      {s, {"v_times_1/ExponentialMovingAverage", s + "/truediv"}},
      {s + "/ReadVariableOp_4", {"v_times_1/ExponentialMovingAverage", "^" + s}},
  };
  std::vector<std::pair<std::string, std::vector<std::string>>> mine;
  const tensorflow::GraphDef gd = g.ToGraphDef();
  for (const auto& n : gd.node()) {
    if (n.name().rfind("ExponentialMovingAverage/", 0) != 0) continue;
    mine.emplace_back(n.name(), std::vector<std::string>(n.input().begin(), n.input().end()));
  }
  EXPECT_EQ(mine, tf_nodes);
  ClientSession sess(&g);
  ASSERT_TRUE(sess.Run({GlobalVariablesInitializer(&g)}).ok());
  ASSERT_TRUE(sess.Run({v.Assign(10.0f)}).ok());
  ASSERT_TRUE(sess.Run({*maintain}).ok());
  auto shadow = sess.Eval(*ema.Average(t));
  ASSERT_TRUE(shadow.ok()) << shadow.status();
  EXPECT_EQ(TensorDiff(*shadow, Tensor::FromVector<float>(tensorflow::DT_FLOAT, {}, {10.0f})), "");
}

// ---- variables_to_restore ---------------------------------------------------

// A variable of the variables_to_restore property: its name (names with
// '/' and names equal to another's average name, so that TF's
// unique_name(mark_as_used=False) suffixes them), trainable or not, whether
// apply() averages it.
struct VtrVariable {
  std::string name;
  bool trainable = true;
  bool applied = false;
};

struct VtrCase {
  std::vector<VtrVariable> variables;
  // nullopt: variables_to_restore(); else moving_avg_variables = these.
  std::optional<std::vector<int>> explicit_list;
};

void showValue(const VtrCase& c, std::ostream& os) {
  for (const auto& v : c.variables) {
    os << "  Variable('" << v.name << "'" << (v.trainable ? "" : ", trainable=False") << ")"
       << (v.applied ? " applied" : "") << "\n";
  }
  if (c.explicit_list) {
    os << "  moving_avg_variables =";
    for (int i : *c.explicit_list) os << " " << i;
    os << "\n";
  }
}

rc::Gen<VtrCase> GenVtrCase() {
  return rc::gen::exec([] {
    VtrCase c;
    const int n = *rc::gen::inRange(1, 7);
    for (int i = 0; i < n; ++i) {
      VtrVariable v;
      v.name = *rc::gen::element<std::string>("a", "b", "s/a", "a/ExponentialMovingAverage",
                                              "a/ExponentialMovingAverage_1", "A",
                                              "b/ExponentialMovingAverage/ExponentialMovingAverage");
      v.trainable = *rc::gen::inRange(0, 3) != 0;
      v.applied = *rc::gen::arbitrary<bool>();
      c.variables.push_back(v);
    }
    if (*rc::gen::inRange(0, 3) == 0) {
      std::vector<int> list;
      for (int i = 0; i < n; ++i) {
        if (*rc::gen::arbitrary<bool>()) list.push_back(i);
      }
      c.explicit_list = list;
    }
    return c;
  });
}

// TF's Graph.unique_name(name, mark_as_used=False) over `in_use`, the
// lowercased names marked so far. Here every marked name is a node name
// (tf.Variable scopes and their ops, the averages' scopes and their
// variables), and a name marked k times has its suffixes _1.._(k-1) marked
// too, so TF's counter equals "the first free suffix".
std::string UniqueNameModel(const std::string& name, const std::set<std::string>& in_use) {
  const auto lower = [](std::string s) {
    for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
  };
  if (in_use.count(lower(name)) == 0) return name;
  int i = 1;
  while (in_use.count(lower(StrCat(name, "_", i))) != 0) ++i;
  return StrCat(name, "_", i);
}

TFCKPT_PROPERTY(EmaProperty, VariablesToRestoreFollowsTfRules, 150) {
  const VtrCase c = *GenVtrCase();
  Graph g;
  std::vector<Variable> vars;
  for (const auto& spec : c.variables) {
    VariableOptions o;
    o.name = spec.name;
    o.trainable = spec.trainable;
    auto v = MakeVariable(&g, Tensor::FromVector<float>(tensorflow::DT_FLOAT, {}, {1}), o);
    RC_ASSERT_OK(v);
    vars.push_back(*v);
  }
  std::vector<Averageable> applied;
  for (size_t i = 0; i < vars.size(); ++i) {
    if (c.variables[i].applied) applied.emplace_back(vars[i]);
  }
  ExponentialMovingAverage ema(&g, 0.9);
  // TF 2.21 fails when a variable's shadow name is already a node (checked
  // with TF: tf.Variable(name="a/ExponentialMovingAverage") then
  // apply([a]), reference or resource variables, raises ValueError
  // "Duplicate node name in graph: 'a/ExponentialMovingAverage'").
  std::string taken;
  for (const Averageable& a : applied) {
    const std::string shadow = a.variable.op_name() + "/ExponentialMovingAverage";
    if (taken.empty() && g.HasNode(shadow)) taken = shadow;
  }
  if (!applied.empty()) {
    auto maintain = ema.Apply(applied);
    if (!taken.empty()) {
      RC_ASSERT(!maintain.ok());
      RC_ASSERT(maintain.status().message() == "Duplicate node name in graph: '" + taken + "'");
      RC_SUCCEED("TF raises too");
    }
    RC_ASSERT_OK(maintain);
  }
  std::set<std::string> in_use;
  const tensorflow::GraphDef graph_def = g.ToGraphDef();
  for (const auto& node : graph_def.node()) {
    std::string s = node.name();
    for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    in_use.insert(s);
  }
  // average_name(v): the shadow's op name if v has one, else the unique name.
  std::map<std::string, std::string> average_name;  // by variable name
  for (size_t i = 0; i < vars.size(); ++i) {
    const std::optional<Variable> shadow = ema.Average(vars[i]);
    average_name[vars[i].name()] =
        shadow ? shadow->op_name()
               : UniqueNameModel(vars[i].op_name() + "/ExponentialMovingAverage", in_use);
    RC_ASSERT(ema.AverageName(vars[i]) == average_name[vars[i].name()]);
  }
  // The model of variables_to_restore.
  std::vector<Variable> averaged;
  if (c.explicit_list) {
    for (int i : *c.explicit_list) averaged.push_back(vars[i]);
  } else {
    averaged = TrainableVariables(&g);  // moving_average_variables: the applied ones
    for (const Averageable& a : applied) averaged.push_back(a.variable);
  }
  std::map<std::string, std::string> want;  // key -> variable name
  std::set<std::string> averaged_names;
  for (const Variable& v : averaged) {
    want[average_name.count(v.name()) ? average_name[v.name()] : ema.AverageName(v)] = v.name();
    averaged_names.insert(v.name());
  }
  for (const Variable& v : GlobalVariables(&g)) {
    if (averaged_names.count(v.name()) == 0 && want.count(v.op_name()) == 0) {
      want[v.op_name()] = v.name();
    }
  }
  std::map<std::string, std::string> got;
  const auto vtr = c.explicit_list ? ema.VariablesToRestore(averaged) : ema.VariablesToRestore();
  for (const auto& [k, v] : vtr) got[k] = v.name();
  RC_ASSERT(got == want);
}

}  // namespace
}  // namespace tfckpt::train
