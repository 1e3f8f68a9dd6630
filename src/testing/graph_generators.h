// RapidCheck generators for the TF1-API property tests (docs/TESTING.md
// section 4): scope programs (nested name_scope / variable_scope with reuse
// flags, get_variable, tf.Variable, ops), ExponentialMovingAverage cases
// (decay, num_updates, update sequences, zero_debias) and small random
// float graphs over the engine's kernels, built with train::Graph.
//
// Generators produce plain descriptions (structs of names, shapes and
// seeds); the builders here turn them into graphs, so that a shrunk
// counterexample prints as a short program.
//
// Test-only (testonly = True in BUILD).
#ifndef TFCKPT_TESTING_GRAPH_GENERATORS_H_
#define TFCKPT_TESTING_GRAPH_GENERATORS_H_

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "src/testing/generators.h"
#include "src/train/graph_builder.h"
#include "src/train/ops.h"
#include "src/train/variables.h"

namespace tfckpt::testing {

// ---- scope programs ---------------------------------------------------------

// One statement of a TF1 program; kOpen* statements open a `with` block that
// a later kClose ends (programs are always well nested).
struct ScopeAction {
  enum class Kind {
    kOpenVariableScope,  // variable_scope(name, reuse=reuse)
    kOpenDefaultScope,   // variable_scope(None, default_name=name)
    kOpenNameScope,      // name_scope(name)
    kClose,
    kGetVariable,        // get_variable(name, [2], initializer=constant(value))
    kMakeVariable,       // tf.compat.v1.Variable([value, value], name=name)
    kAddOp,              // tf.add(c, c, name=name), c a constant made once
  };
  Kind kind = Kind::kClose;
  std::string name;
  train::Reuse reuse = train::Reuse::kNone;  // kOpenVariableScope
};

// Up to `max_actions` statements over a small name pool chosen so that names
// collide: "a", "b", "v", "add" (tf.add's own default name, lowercased),
// "a_1" (a uniquified name), "Add"; nesting depth <= 4.
rc::Gen<std::vector<ScopeAction>> GenScopeProgram(int max_actions = 24);

// ---- ExponentialMovingAverage -----------------------------------------------

struct EmaVariableSpec {
  tensor::DataType dtype = tensorflow::DT_FLOAT;  // float or double
  std::vector<int64_t> shape;
  uint64_t initial_seed = 0;  // its initial value (FillEmaValues)
};

struct EmaStepSpec {
  std::vector<uint64_t> value_seeds;  // per variable: assigned before the update
  int64_t num_updates = 0;            // the step variable's value for this update
};

struct EmaCase {
  double decay = 0.99;
  bool use_num_updates = false;
  // Average tensors (v * 1, zero-initialised shadows) with zero_debias,
  // instead of the variables themselves.
  bool zero_debias = false;
  bool resource = false;  // resource variables
  std::vector<EmaVariableSpec> variables;
  std::vector<EmaStepSpec> steps;
};

// decay from {0, 0.5, 0.9, 0.99, 0.999, 0.9999, 1} or uniform in (0, 1);
// 1-3 variables of float or double, shapes of rank 0-2 (<= 6 elements);
// 0-12 update steps; num_updates from 0, small, or up to 2^40 (non-exact
// in float32), not necessarily increasing.
rc::Gen<EmaCase> GenEmaCase();

// Values for an EMA variable: ordinary magnitudes (|x| < 100) with
// occasional ±0, large (1e30) and tiny (1e-30) values. No NaN / inf (NaN
// payload propagation is the hardware's choice, not TF's formula) and no
// denormals (TF's CPU kernels run with flush-to-zero).
tensor::Tensor FillEmaValues(tensor::DataType dtype, const std::vector<int64_t>& shape,
                             uint64_t seed);

// ---- random graphs ----------------------------------------------------------

// One node of a random graph; node i has one float output, shape `shape`.
struct GraphNodeSpec {
  enum class Op {
    kPlaceholder, kVariable, kConst,
    kMatMul, kAdd, kSub, kMul, kBiasAdd,
    kRelu, kSigmoid, kTanh, kIdentity, kReshape, kConcat,
  };
  Op op = Op::kConst;
  std::vector<int> inputs;      // indices of earlier nodes
  std::vector<int64_t> shape;   // the output's shape
  uint64_t seed = 0;            // values of a Const / a variable's initial value
  bool resource = false;        // kVariable: VarHandleOp instead of VariableV2
  bool get_variable = false;    // kVariable: get_variable instead of tf.Variable
  int axis = 0;                 // kConcat
  std::string device;           // "" or a device spec (meta graph clear_devices)
};

struct GraphSpec {
  std::vector<GraphNodeSpec> nodes;
  std::vector<int> outputs;  // nodes whose value is fetched (not placeholders)
};

struct GraphLimits {
  int max_ops = 12;
  int max_dim = 4;
  bool devices = false;  // put some ops under a device scope
};

// 1-2 placeholders, then up to max_ops ops, each taking earlier outputs or
// new variables / constants of the shape it needs (every op's inputs fit);
// 1-3 outputs among the ops.
rc::Gen<GraphSpec> GenGraphSpec(const GraphLimits& limits = {});

struct BuiltGraph {
  std::vector<train::Output> tensors;     // per node
  std::vector<train::Output> placeholders;
  std::vector<train::Variable> variables;
  std::vector<train::Output> outputs;     // spec.outputs
};

// Builds `spec` in `g` (op names are TF's defaults: "Placeholder", "MatMul_1",
// "Variable"...). An error is the graph's first error.
StatusOr<BuiltGraph> BuildGraph(train::Graph* g, const GraphSpec& spec);

// Float values for a placeholder from `seed`: mostly ordinary magnitudes,
// some ±0, denormals, huge values, ±inf and NaNs.
tensor::Tensor FillGraphInput(const std::vector<int64_t>& shape, uint64_t seed);

void showValue(const ScopeAction& a, std::ostream& os);
void showValue(const EmaCase& c, std::ostream& os);
void showValue(const GraphSpec& s, std::ostream& os);

}  // namespace tfckpt::testing

#endif  // TFCKPT_TESTING_GRAPH_GENERATORS_H_
