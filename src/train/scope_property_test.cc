// Properties of name and variable scopes (docs/TESTING.md section 4): a
// random TF1 program (testing::GenScopeProgram: nested name_scope /
// variable_scope with reuse flags and default names, get_variable,
// tf.Variable, tf.add) runs against a model of TF 2.21's rules, a
// re-implementation of the Python source:
//
//  - Graph.unique_name (ops.py): a per-lowercased-name counter; "foo",
//    then "foo_1", skipping suffixed names already in use. name_scope(n) and
//    every op wrapper / tf.Variable mark unique_name(n) under the current
//    name scope; get_variable resets the name scope (name_scope(None)) and
//    marks unique_name(<full name>) at the root, so its op may be "a/v_1"
//    while its store key is "a/v".
//  - variable_scope(n, reuse): name scope unique_name(n); variable scope
//    "<outer>/n", reuse = reuse or outer's (so AUTO_REUSE and True are
//    inherited); variable_scopes_count[name] += 1 on entry, counts of its
//    sub-scopes reset on exit (close_variable_subscopes).
//    variable_scope(None, default_name=d): name scope unique_name(d),
//    variable scope d, d_1... by variable_scopes_count.
//  - get_variable (_get_single_variable): an existing name with reuse
//    False fails "Variable x already exists, disallowed...", a missing name
//    with reuse True fails "Variable x does not exist, or was not created
//    with tf.get_variable()...", otherwise the existing variable (no new
//    node) or a new one. The texts are TF's, from golden/ (scopes_golden_test
//    pins them), with the variable name substituted.
//
// Each statement's result (names, errors, identity) is compared with the
// model, and running the program again in a fresh graph gives the same
// GraphDef (names are deterministic) with unique node names.
#include <cctype>
#include <map>
#include <set>

#include <google/protobuf/util/message_differencer.h>

#include "src/testing/graph_generators.h"
#include "src/train/ops.h"
#include "src/train/test_util.h"
#include "src/train/variables.h"

namespace tfckpt::train {
namespace {

using ::tfckpt::testing::ScopeAction;
using Kind = ScopeAction::Kind;
using tensor::Tensor;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// TF's error texts for `name`, from the goldens of gen_scopes.py.
std::string GoldenText(bool resource, const std::string& error) {
  const auto& e = testing::ErrorOf(resource ? "variable_scopes_resource" : "variable_scopes", error);
  return e.contains("message") && e["message"].is_string() ? e["message"].get<std::string>()
                                                           : e["str"].get<std::string>();
}
std::string Substitute(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}
std::string ExistsText(bool resource, const std::string& full) {
  // "Variable v already exists, disallowed. ..."
  return Substitute(GoldenText(resource, "create_existing_without_reuse"), "Variable v ",
                    "Variable " + full + " ");
}
std::string MissingText(bool resource, const std::string& full) {
  // "Variable foo/missing does not exist, ..."
  return Substitute(GoldenText(resource, "reuse_missing"), "foo/missing", full);
}

enum class ModelReuse { kFalse, kTrue, kAuto };

// The model of TF's scope bookkeeping.
class ScopeModel {
 public:
  // ops.Graph.unique_name(name, mark_as_used=True).
  std::string UniqueName(std::string name) {
    if (!name_stack_.empty()) name = name_stack_ + "/" + name;
    std::string key = Lower(name);
    int i = in_use_.count(key) ? in_use_[key] : 0;
    in_use_[key] = i + 1;
    if (i > 0) {
      const std::string base = key;
      while (in_use_.count(key) != 0) key = base + "_" + std::to_string(i++);
      in_use_[key] = 1;
      name = name + "_" + std::to_string(i - 1);
    }
    return name;
  }

  struct Frame {
    Kind kind;
    std::string old_stack;
    std::string var_name;  // variable scopes: the name opened
    std::string old_var_name;
    ModelReuse old_reuse = ModelReuse::kFalse;
  };

  // Returns (name scope, variable scope name) after entering.
  std::pair<std::string, std::string> Open(const ScopeAction& a) {
    Frame f{a.kind, name_stack_, "", var_name_, reuse_};
    if (a.kind == Kind::kOpenNameScope) {
      name_stack_ = UniqueName(a.name);
    } else {
      name_stack_ = UniqueName(a.name);
      std::string leaf = a.name;
      if (a.kind == Kind::kOpenDefaultScope) {
        const std::string full = var_name_.empty() ? a.name : var_name_ + "/" + a.name;
        if (Count(full) != 0) {
          int idx = 1;
          while (Count(full + "_" + std::to_string(idx)) > 0) ++idx;
          leaf = a.name + "_" + std::to_string(idx);
        }
      } else if (a.reuse == Reuse::kTrue) {
        reuse_ = ModelReuse::kTrue;
      } else if (a.reuse == Reuse::kAutoReuse) {
        reuse_ = ModelReuse::kAuto;
      }
      var_name_ = var_name_.empty() ? leaf : var_name_ + "/" + leaf;
      f.var_name = var_name_;
      ++counts_[var_name_];
    }
    frames_.push_back(f);
    return {name_stack_, var_name_};
  }

  void Close() {
    const Frame f = frames_.back();
    frames_.pop_back();
    if (f.kind != Kind::kOpenNameScope) {
      for (auto& [k, n] : counts_) {
        if (k.rfind(f.var_name + "/", 0) == 0) n = 0;
      }
      var_name_ = f.old_var_name;
      reuse_ = f.old_reuse;
    }
    name_stack_ = f.old_stack;
  }

  struct GetResult {
    std::string error;  // "" if none
    std::string op;     // the variable's op name
    bool reused = false;
  };
  GetResult GetVariable(bool resource, const std::string& name) {
    const std::string full = var_name_.empty() ? name : var_name_ + "/" + name;
    GetResult r;
    auto it = store_.find(full);
    if (it != store_.end()) {
      if (reuse_ == ModelReuse::kFalse) {
        r.error = ExistsText(resource, full);
      } else {
        r.op = it->second;
        r.reused = true;
      }
      return r;
    }
    if (reuse_ == ModelReuse::kTrue) {
      r.error = MissingText(resource, full);
      return r;
    }
    const std::string saved = name_stack_;
    name_stack_.clear();  // name_scope(None)
    r.op = UniqueName(full);
    name_stack_ = saved;
    store_[full] = r.op;
    return r;
  }

  const std::string& name_stack() const { return name_stack_; }

 private:
  int Count(const std::string& n) const {
    auto it = counts_.find(n);
    return it == counts_.end() ? 0 : it->second;
  }
  std::map<std::string, int> in_use_;
  std::string name_stack_;
  std::string var_name_;
  ModelReuse reuse_ = ModelReuse::kFalse;
  std::map<std::string, int> counts_;
  std::map<std::string, std::string> store_;  // full name -> op name
  std::vector<Frame> frames_;
};

// What running a program in a graph gave, statement by statement.
struct Trace {
  std::vector<std::string> lines;
};

// Runs `program` in `g`, checking each statement against the model.
Trace Run(Graph* g, bool resource, const std::vector<ScopeAction>& program) {
  ScopeModel model;
  Trace trace;
  const Tensor two = Tensor::FromVector<float>(tensorflow::DT_FLOAT, {2}, {1, 2});
  Output c = Constant(g, 1.0f, "c");
  RC_ASSERT(model.UniqueName("c") == c.op);
  std::vector<std::unique_ptr<NameScope>> name_scopes;
  std::vector<std::unique_ptr<VariableScope>> var_scopes;
  std::vector<Kind> open;
  std::map<std::string, Variable> by_key;
  for (const ScopeAction& a : program) {
    std::string line;
    switch (a.kind) {
      case Kind::kOpenNameScope: {
        name_scopes.push_back(std::make_unique<NameScope>(g, a.name));
        const auto want = model.Open(a);
        RC_ASSERT(name_scopes.back()->scope() == want.first + "/");
        open.push_back(a.kind);
        line = "name_scope " + name_scopes.back()->scope();
        break;
      }
      case Kind::kOpenVariableScope:
      case Kind::kOpenDefaultScope: {
        if (a.kind == Kind::kOpenDefaultScope) {
          var_scopes.push_back(
              std::make_unique<VariableScope>(g, DefaultName{a.name}));
        } else {
          var_scopes.push_back(std::make_unique<VariableScope>(g, a.name, a.reuse));
        }
        RC_ASSERT(var_scopes.back()->status().ok());
        const auto want = model.Open(a);
        RC_ASSERT(g->name_stack() == want.first);
        RC_ASSERT(var_scopes.back()->scope().name == want.second);
        open.push_back(a.kind);
        line = "variable_scope " + want.second + " (" + want.first + ")";
        break;
      }
      case Kind::kClose:
        if (open.back() == Kind::kOpenNameScope) {
          name_scopes.pop_back();
        } else {
          var_scopes.pop_back();
        }
        open.pop_back();
        model.Close();
        RC_ASSERT(g->name_stack() == model.name_stack());
        line = "close";
        break;
      case Kind::kGetVariable: {
        const int before = g->num_nodes();
        GetVariableOptions o;
        o.shape = std::vector<int64_t>{2};
        o.initializer = Initializer::Constant(1.0);
        StatusOr<Variable> v = train::GetVariable(g, a.name, o);
        const auto expect = model.GetVariable(resource, a.name);
        if (!expect.error.empty()) {
          RC_ASSERT(!v.ok());
          RC_ASSERT(v.status().code() == StatusCode::kInvalidArgument);
          RC_ASSERT(v.status().message() == expect.error);
          RC_ASSERT(g->num_nodes() == before);
          line = "error " + expect.error.substr(0, 40);
          break;
        }
        RC_ASSERT(v.ok());
        RC_ASSERT(v->op_name() == expect.op);
        if (expect.reused) {
          RC_ASSERT(g->num_nodes() == before);  // AUTO_REUSE / reuse: nothing new
          RC_ASSERT(*v == by_key.at(expect.op));
        } else {
          by_key[expect.op] = *v;
        }
        line = "get_variable " + v->name();
        break;
      }
      case Kind::kMakeVariable: {
        VariableOptions o;
        o.name = a.name;
        StatusOr<Variable> v = MakeVariable(g, two, o);
        RC_ASSERT(v.ok());
        RC_ASSERT(v->op_name() == model.UniqueName(a.name));
        line = "Variable " + v->name();
        break;
      }
      case Kind::kAddOp: {
        Output sum = Add(g, c, c, a.name);
        RC_ASSERT(sum.valid());
        RC_ASSERT(sum.op == model.UniqueName(a.name));
        line = "add " + sum.op;
        break;
      }
    }
    trace.lines.push_back(line);
  }
  RC_ASSERT(open.empty());
  RC_ASSERT(g->status().ok());
  return trace;
}

TFCKPT_PROPERTY(ScopeProperty, NamesReuseAndErrorsFollowTfRules, 300) {
  const auto program = *::tfckpt::testing::GenScopeProgram();
  const bool resource = *rc::gen::arbitrary<bool>();
  GraphOptions go;
  go.resource_variables = resource;
  Graph g1(go), g2(go);
  const Trace t1 = Run(&g1, resource, program);
  const Trace t2 = Run(&g2, resource, program);
  RC_ASSERT(t1.lines == t2.lines);
  const tensorflow::GraphDef d1 = g1.ToGraphDef(/*add_shapes=*/true);
  const tensorflow::GraphDef d2 = g2.ToGraphDef(/*add_shapes=*/true);
  RC_ASSERT(google::protobuf::util::MessageDifferencer::Equals(d1, d2));
  std::set<std::string> names;
  for (const auto& n : d1.node()) names.insert(n.name());
  RC_ASSERT(names.size() == static_cast<size_t>(d1.node_size()));
  int errors = 0;
  for (const auto& l : t1.lines) errors += l.rfind("error", 0) == 0;
  RC_TAG(errors == 0 ? "no error" : "errors", resource ? "resource" : "ref");
}

// AUTO_REUSE is idempotent: get_variable under variable_scope(s,
// reuse=AUTO_REUSE) any number of times returns the first variable and adds
// no node after the first call.
TFCKPT_PROPERTY(ScopeProperty, AutoReuseIsIdempotent, 100) {
  const auto prefix = *::tfckpt::testing::GenScopeProgram(12);
  const std::string scope = *rc::gen::element<std::string>("a", "b", "v", "add");
  const std::string name = *rc::gen::element<std::string>("a", "v", "w");
  const int times = *rc::gen::inRange(2, 6);
  Graph g;
  Run(&g, false, prefix);
  GetVariableOptions o;
  o.shape = std::vector<int64_t>{2};
  std::optional<Variable> first;
  int nodes = 0;
  for (int i = 0; i < times; ++i) {
    VariableScope s(&g, scope, Reuse::kAutoReuse);
    auto v = train::GetVariable(&g, name, o);
    RC_ASSERT(v.ok());
    if (!first) {
      first = *v;
      nodes = g.num_nodes();
    } else {
      RC_ASSERT(*v == *first);
      RC_ASSERT(g.num_nodes() == nodes);
    }
  }
}

}  // namespace
}  // namespace tfckpt::train
