#include "src/testing/graph_generators.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

namespace tfckpt::testing {
namespace {

using Kind = ScopeAction::Kind;
using Op = GraphNodeSpec::Op;
using tensor::Tensor;

// Names that collide on purpose: "add" is tf.add's lowercased default name,
// "a_1" is what uniquifying "a" gives, "Add" equals "add" to unique_name.
const std::vector<std::string>& ScopeNamePool() {
  static const auto* pool = new std::vector<std::string>{"a", "b", "v", "add", "a_1", "Add"};
  return *pool;
}

rc::Gen<ScopeAction> GenScopeAction() {
  return rc::gen::exec([] {
    ScopeAction a;
    a.kind = *rc::gen::weightedElement<Kind>({{4, Kind::kOpenVariableScope},
                                              {1, Kind::kOpenDefaultScope},
                                              {2, Kind::kOpenNameScope},
                                              {4, Kind::kClose},
                                              {5, Kind::kGetVariable},
                                              {2, Kind::kMakeVariable},
                                              {2, Kind::kAddOp}});
    if (a.kind != Kind::kClose) a.name = *rc::gen::elementOf(ScopeNamePool());
    if (a.kind == Kind::kOpenVariableScope) {
      a.reuse = *rc::gen::element(train::Reuse::kNone, train::Reuse::kTrue,
                                  train::Reuse::kAutoReuse);
    }
    return a;
  });
}

// Drops closes with nothing open and opens beyond depth 4, closes what is
// left open: any action list becomes a well-nested program (so shrinking by
// removing actions keeps programs valid).
std::vector<ScopeAction> WellNested(std::vector<ScopeAction> in) {
  std::vector<ScopeAction> out;
  int depth = 0;
  for (ScopeAction& a : in) {
    const bool open = a.kind == Kind::kOpenVariableScope || a.kind == Kind::kOpenDefaultScope ||
                      a.kind == Kind::kOpenNameScope;
    if (a.kind == Kind::kClose) {
      if (depth == 0) continue;
      --depth;
    } else if (open) {
      if (depth == 4) continue;
      ++depth;
    }
    out.push_back(std::move(a));
  }
  for (; depth > 0; --depth) out.push_back(ScopeAction{});
  return out;
}

// Floats (or doubles) from `seed`: |x| < `range` mostly; with `specials`,
// also ±0, ±1e30, ±1e-30 and, with `ieee_edges`, denormals, ±inf and NaNs
// with random payloads.
template <typename T>
void Fill(T* out, int64_t n, uint64_t seed, double range, bool specials, bool ieee_edges) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform(-range, range);
  for (int64_t i = 0; i < n; ++i) {
    const int r = static_cast<int>(rng() % 100);
    T x = static_cast<T>(uniform(rng));
    if (specials && r >= 75) {
      const bool neg = (rng() & 1) != 0;
      switch (r % 6) {
        case 0: x = 0; break;
        case 1:
          x = ieee_edges ? std::numeric_limits<T>::denorm_min() * static_cast<T>(1 + rng() % 1000)
                         : static_cast<T>(0.5);
          break;
        case 2: x = static_cast<T>(1e30); break;
        case 3: x = static_cast<T>(1e-30); break;
        case 4: x = ieee_edges ? std::numeric_limits<T>::infinity() : 1; break;
        default:
          if (ieee_edges) {
            // A quiet NaN with a random payload.
            uint32_t bits = 0x7fc00000u | static_cast<uint32_t>(rng() & 0x3fffff);
            float f;
            std::memcpy(&f, &bits, 4);
            x = static_cast<T>(f);
          }
          break;
      }
      if (neg) x = -x;
    }
    out[i] = x;
  }
}

int64_t Elements(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

Tensor FloatTensor(tensor::DataType dtype, const std::vector<int64_t>& shape, uint64_t seed,
                   double range, bool specials, bool ieee_edges) {
  auto ts = tensor::TensorShape::Make(shape);
  Tensor t = *Tensor::Allocate(dtype, *ts);
  if (dtype == tensorflow::DT_DOUBLE) {
    Fill(t.mutable_flat<double>(), t.num_elements(), seed, range, specials, ieee_edges);
  } else {
    Fill(t.mutable_flat<float>(), t.num_elements(), seed, range, specials, ieee_edges);
  }
  return t;
}

std::string ShapeString(const std::vector<int64_t>& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? "," : "") + std::to_string(s[i]);
  return out + "]";
}

const char* OpName(Op op) {
  switch (op) {
    case Op::kPlaceholder: return "Placeholder";
    case Op::kVariable: return "Variable";
    case Op::kConst: return "Const";
    case Op::kMatMul: return "MatMul";
    case Op::kAdd: return "Add";
    case Op::kSub: return "Sub";
    case Op::kMul: return "Mul";
    case Op::kBiasAdd: return "BiasAdd";
    case Op::kRelu: return "Relu";
    case Op::kSigmoid: return "Sigmoid";
    case Op::kTanh: return "Tanh";
    case Op::kIdentity: return "Identity";
    case Op::kReshape: return "Reshape";
    case Op::kConcat: return "ConcatV2";
  }
  return "?";
}

}  // namespace

rc::Gen<std::vector<ScopeAction>> GenScopeProgram(int max_actions) {
  return rc::gen::map(
      rc::gen::resize(max_actions, rc::gen::container<std::vector<ScopeAction>>(GenScopeAction())),
      WellNested);
}

// ---- EMA --------------------------------------------------------------------

rc::Gen<EmaCase> GenEmaCase() {
  return rc::gen::exec([] {
    EmaCase c;
    if (*rc::gen::inRange(0, 3) == 0) {
      c.decay = *rc::gen::map(rc::gen::inRange(1, 1 << 24),
                              [](int x) { return x / static_cast<double>(1 << 24); });
    } else {
      c.decay = *rc::gen::element(0.0, 0.5, 0.9, 0.99, 0.999, 0.9999, 1.0);
    }
    c.use_num_updates = *rc::gen::arbitrary<bool>();
    c.zero_debias = *rc::gen::inRange(0, 3) == 0;
    c.resource = *rc::gen::arbitrary<bool>();
    const int nvars = *rc::gen::inRange(1, 4);
    for (int i = 0; i < nvars; ++i) {
      EmaVariableSpec v;
      v.dtype = *rc::gen::element(tensorflow::DT_FLOAT, tensorflow::DT_FLOAT, tensorflow::DT_DOUBLE);
      const int rank = *rc::gen::inRange(0, 3);
      for (int d = 0; d < rank; ++d) v.shape.push_back(*rc::gen::inRange<int64_t>(1, 4));
      if (Elements(v.shape) > 6) v.shape = {6};
      v.initial_seed = *rc::gen::arbitrary<uint64_t>();
      c.variables.push_back(v);
    }
    const int nsteps = *rc::gen::inRange(0, 13);
    int64_t n = *rc::gen::inRange<int64_t>(0, 3);
    for (int s = 0; s < nsteps; ++s) {
      EmaStepSpec step;
      for (int i = 0; i < nvars; ++i) step.value_seeds.push_back(*rc::gen::arbitrary<uint64_t>());
      switch (*rc::gen::inRange(0, 4)) {
        case 0: n = *rc::gen::inRange<int64_t>(0, int64_t{1} << 40); break;  // jump, maybe back
        case 1: n += *rc::gen::inRange<int64_t>(0, 1000); break;
        default: n += 1; break;
      }
      step.num_updates = n;
      c.steps.push_back(step);
    }
    return c;
  });
}

tensor::Tensor FillEmaValues(tensor::DataType dtype, const std::vector<int64_t>& shape,
                             uint64_t seed) {
  return FloatTensor(dtype, shape, seed, 100.0, /*specials=*/true, /*ieee_edges=*/false);
}

// ---- random graphs ----------------------------------------------------------

rc::Gen<GraphSpec> GenGraphSpec(const GraphLimits& limits) {
  return rc::gen::exec([limits] {
    GraphSpec s;
    const auto dim = [&] { return *rc::gen::inRange<int64_t>(1, limits.max_dim + 1); };
    const auto device = [&]() -> std::string {
      if (!limits.devices || *rc::gen::inRange(0, 3) != 0) return "";
      return *rc::gen::element<std::string>("/cpu:0", "/device:CPU:0", "/job:worker/task:1",
                                            "CPU", "/replica:0/device:GPU:1");
    };
    // A new leaf (variable or constant) of `shape`; returns its index.
    const auto leaf = [&](std::vector<int64_t> shape) {
      GraphNodeSpec n;
      n.op = *rc::gen::element(Op::kVariable, Op::kVariable, Op::kConst);
      n.shape = std::move(shape);
      n.seed = *rc::gen::arbitrary<uint64_t>();
      n.resource = *rc::gen::arbitrary<bool>();
      n.get_variable = *rc::gen::arbitrary<bool>();
      n.device = device();
      s.nodes.push_back(n);
      return static_cast<int>(s.nodes.size()) - 1;
    };
    // An existing rank-2 node (the placeholders are).
    const auto pick = [&] {
      std::vector<int> ok;
      for (size_t i = 0; i < s.nodes.size(); ++i) {
        if (s.nodes[i].shape.size() == 2) ok.push_back(static_cast<int>(i));
      }
      return *rc::gen::elementOf(ok);
    };
    const int placeholders = *rc::gen::inRange(1, 3);
    for (int i = 0; i < placeholders; ++i) {
      GraphNodeSpec p;
      p.op = Op::kPlaceholder;
      p.shape = {dim(), dim()};
      s.nodes.push_back(p);
    }
    std::vector<int> ops;
    const int nops = *rc::gen::inRange(1, limits.max_ops + 1);
    for (int k = 0; k < nops; ++k) {
      GraphNodeSpec n;
      // Ops with a leaf operand (variables) weigh more, so that most
      // outputs depend on a variable.
      n.op = *rc::gen::weightedElement<Op>(
          {{4, Op::kMatMul}, {2, Op::kAdd}, {1, Op::kSub}, {2, Op::kMul}, {3, Op::kBiasAdd},
           {1, Op::kRelu}, {1, Op::kSigmoid}, {1, Op::kTanh}, {1, Op::kIdentity},
           {1, Op::kReshape}, {2, Op::kConcat}});
      const int a = pick();
      const std::vector<int64_t> sa = s.nodes[a].shape;
      switch (n.op) {
        case Op::kMatMul: {
          const int64_t cols = dim();
          n.inputs = {a, leaf({sa[1], cols})};
          n.shape = {sa[0], cols};
          break;
        }
        case Op::kAdd: case Op::kSub: case Op::kMul: {
          // Another node of the same shape if there is one, else a leaf.
          std::vector<int> same;
          for (size_t i = 0; i < s.nodes.size(); ++i) {
            if (s.nodes[i].shape == sa) same.push_back(static_cast<int>(i));
          }
          const int b = *rc::gen::inRange(0, 3) == 0 ? *rc::gen::elementOf(same) : leaf(sa);
          n.inputs = *rc::gen::arbitrary<bool>() ? std::vector<int>{a, b} : std::vector<int>{b, a};
          n.shape = sa;
          break;
        }
        case Op::kBiasAdd:
          n.inputs = {a, leaf({sa[1]})};
          n.shape = sa;
          break;
        case Op::kReshape:
          n.inputs = {a};
          n.shape = *rc::gen::arbitrary<bool>() ? std::vector<int64_t>{sa[1], sa[0]}
                                                 : std::vector<int64_t>{1, sa[0] * sa[1]};
          break;
        case Op::kConcat: {
          n.axis = *rc::gen::inRange(0, 2);
          std::vector<int64_t> sb = sa;
          sb[n.axis] = dim();
          std::vector<int> fit;
          for (size_t i = 0; i < s.nodes.size(); ++i) {
            const auto& sh = s.nodes[i].shape;
            if (sh.size() == 2 && sh[1 - n.axis] == sa[1 - n.axis]) fit.push_back(static_cast<int>(i));
          }
          const int b = *rc::gen::inRange(0, 3) == 0 ? *rc::gen::elementOf(fit) : leaf(sb);
          n.inputs = {a, b};
          n.shape = sa;
          n.shape[n.axis] += s.nodes[b].shape[n.axis];
          break;
        }
        default:  // unary
          n.inputs = {a};
          n.shape = sa;
          break;
      }
      n.device = device();
      s.nodes.push_back(n);
      ops.push_back(static_cast<int>(s.nodes.size()) - 1);
    }
    // The last op, and maybe one or two others.
    s.outputs.push_back(ops.back());
    const int more = *rc::gen::inRange(0, 3);
    for (int i = 0; i < more; ++i) {
      const int o = *rc::gen::elementOf(ops);
      if (std::find(s.outputs.begin(), s.outputs.end(), o) == s.outputs.end()) {
        s.outputs.push_back(o);
      }
    }
    return s;
  });
}

StatusOr<BuiltGraph> BuildGraph(train::Graph* g, const GraphSpec& spec) {
  BuiltGraph out;
  std::vector<train::Input> in;
  const tensorflow::AttrValue f32 = train::TypeAttr(tensorflow::DT_FLOAT);
  const auto int_vector = [](const std::vector<int64_t>& v) {
    std::vector<int32_t> x(v.begin(), v.end());
    return Tensor::FromVector<int32_t>(tensorflow::DT_INT32, {static_cast<int64_t>(x.size())}, x);
  };
  for (size_t i = 0; i < spec.nodes.size(); ++i) {
    const GraphNodeSpec& n = spec.nodes[i];
    std::optional<train::DeviceScope> device;
    if (!n.device.empty()) device.emplace(g, n.device);
    const auto x = [&](int k) { return in[n.inputs[k]]; };
    train::Output t;
    switch (n.op) {
      case Op::kPlaceholder:
        t = train::Placeholder(g, tensorflow::DT_FLOAT, n.shape);
        out.placeholders.push_back(t);
        break;
      case Op::kVariable: {
        const Tensor init = FloatTensor(tensorflow::DT_FLOAT, n.shape, n.seed, 1.0, true, false);
        StatusOr<train::Variable> v = InternalError("unset");
        if (n.get_variable) {
          train::GetVariableOptions o;
          o.initializer = init;
          o.use_resource = n.resource;
          v = train::GetVariable(g, "w" + std::to_string(i), o);
        } else {
          train::VariableOptions o;
          o.use_resource = n.resource;
          v = train::MakeVariable(g, init, o);
        }
        if (!v.ok()) return v.status();
        out.variables.push_back(*v);
        in.emplace_back(*v);
        out.tensors.push_back(v->ref());
        continue;
      }
      case Op::kConst:
        t = train::Constant(
            g, FloatTensor(tensorflow::DT_FLOAT, n.shape, n.seed, 1.0, true, false));
        break;
      case Op::kMatMul: t = train::MatMul(g, x(0), x(1)); break;
      case Op::kAdd: t = train::Add(g, x(0), x(1)); break;
      case Op::kSub: t = train::Subtract(g, x(0), x(1)); break;
      case Op::kMul: t = train::Multiply(g, x(0), x(1)); break;
      case Op::kBiasAdd: t = train::RawOp(g, "BiasAdd", "", {x(0), x(1)}, {{"T", f32}}); break;
      case Op::kRelu: t = train::Relu(g, x(0)); break;
      case Op::kSigmoid: t = train::RawOp(g, "Sigmoid", "", {x(0)}, {{"T", f32}}); break;
      case Op::kTanh: t = train::RawOp(g, "Tanh", "", {x(0)}, {{"T", f32}}); break;
      case Op::kIdentity: t = train::Identity(g, x(0)); break;
      case Op::kReshape:
        t = train::RawOp(g, "Reshape", "", {x(0), int_vector(n.shape)},
                         {{"T", f32}, {"Tshape", train::TypeAttr(tensorflow::DT_INT32)}});
        break;
      case Op::kConcat:
        t = train::RawOp(g, "ConcatV2", "",
                         {x(0), x(1), Tensor::FromVector<int32_t>(tensorflow::DT_INT32, {}, {n.axis})},
                         {{"T", f32}, {"N", train::IntAttr(2)},
                          {"Tidx", train::TypeAttr(tensorflow::DT_INT32)}});
        break;
    }
    if (!t.valid()) {
      return g->status().ok() ? InternalError(StrCat("could not build node ", i)) : g->status();
    }
    in.emplace_back(t);
    out.tensors.push_back(t);
  }
  for (int o : spec.outputs) out.outputs.push_back(out.tensors[o]);
  return out;
}

tensor::Tensor FillGraphInput(const std::vector<int64_t>& shape, uint64_t seed) {
  return FloatTensor(tensorflow::DT_FLOAT, shape, seed, 3.0, /*specials=*/true,
                     /*ieee_edges=*/true);
}

// ---- printing ---------------------------------------------------------------

void showValue(const ScopeAction& a, std::ostream& os) {
  static const char* const kNames[] = {"variable_scope", "variable_scope(default_name)",
                                       "name_scope",     "close",
                                       "get_variable",   "Variable",
                                       "add"};
  os << kNames[static_cast<int>(a.kind)];
  if (a.kind != Kind::kClose) os << "('" << a.name << "'";
  if (a.kind == Kind::kOpenVariableScope) {
    os << (a.reuse == train::Reuse::kTrue        ? ", reuse=True"
           : a.reuse == train::Reuse::kAutoReuse ? ", reuse=AUTO_REUSE"
                                                  : "");
  }
  if (a.kind != Kind::kClose) os << ")";
}

void showValue(const EmaCase& c, std::ostream& os) {
  os << "decay=" << c.decay << (c.use_num_updates ? " num_updates" : "")
     << (c.zero_debias ? " zero_debias" : "") << (c.resource ? " resource" : " ref") << "\n";
  for (const auto& v : c.variables) {
    os << "  var " << tensor::DataTypeName(v.dtype) << ShapeString(v.shape) << " seed "
       << v.initial_seed << "\n";
  }
  for (const auto& s : c.steps) {
    os << "  step n=" << s.num_updates << " seeds";
    for (uint64_t x : s.value_seeds) os << " " << x;
    os << "\n";
  }
}

void showValue(const GraphSpec& s, std::ostream& os) {
  for (size_t i = 0; i < s.nodes.size(); ++i) {
    const GraphNodeSpec& n = s.nodes[i];
    os << "  %" << i << " = " << OpName(n.op);
    if (n.op == Op::kVariable) {
      os << (n.resource ? "(resource" : "(ref") << (n.get_variable ? ", get_variable)" : ")");
    }
    if (n.op == Op::kConcat) os << "(axis " << n.axis << ")";
    for (int x : n.inputs) os << " %" << x;
    os << " : " << ShapeString(n.shape);
    if (!n.device.empty()) os << " @" << n.device;
    os << "\n";
  }
  os << "  outputs:";
  for (int o : s.outputs) os << " %" << o;
  os << "\n";
}

}  // namespace tfckpt::testing
