// Op wrappers named and built like TF1 Python's: each opens a name scope
// named after the op (or `name`), converts its inputs inside it, then adds
// the op, so `Add(&g, v, 1.0f)` gives nodes "Add/y" (Const) and "Add"
// (AddV2), and with a resource variable also "Add/ReadVariableOp".
//
// Inputs (`Input`) are tensors, variables (read as TF converts them: a
// reference variable's snapshot "v/read:0", a resource variable through a
// new ReadVariableOp) or constants, which become a Const named after the
// argument ("x", "y", "value"...) with the dtype of the other operands.
//
// Python's arithmetic operators have their own, lowercase scope names:
// operator+ "add", operator- "sub", operator* "mul", operator/ "truediv"
// (tf.add is "Add", tf.subtract "Sub", tf.multiply "Mul").
#ifndef TFCKPT_TRAIN_OPS_H_
#define TFCKPT_TRAIN_OPS_H_

#include <optional>
#include <string>
#include <vector>

#include "src/graph/attr_value.h"
#include "src/tensor/tensor.h"
#include "src/train/graph_builder.h"

namespace tfckpt::train {

class Variable;

// A value an op accepts as input.
class Input {
 public:
  Input(Output t);                       // NOLINT
  Input(const Variable& v);              // NOLINT
  Input(const tensor::Tensor& value);    // NOLINT
  Input(float v);                        // NOLINT
  Input(double v);                       // NOLINT (float32 unless another input says)
  Input(int v);                          // NOLINT (int32 unless another input says)
  Input(int64_t v);                      // NOLINT

  bool is_constant() const { return kind_ == Kind::kConstant || kind_ == Kind::kNumber; }
  // Its dtype if known without converting (tensors, variables, tensors).
  std::optional<DataType> known_dtype() const;
  // Converts in the current name scope: constants become Const `name`.
  StatusOr<Output> Convert(Graph* g, const std::string& name,
                           std::optional<DataType> dtype = std::nullopt) const;
  Graph* graph() const;

 private:
  enum class Kind { kTensor, kVariable, kConstant, kNumber };
  Kind kind_;
  Output tensor_;
  std::shared_ptr<const Variable> variable_;
  tensor::Tensor constant_;
  double number_ = 0;
  bool integer_ = false;
};

// A Const from a tensor (make_tensor_proto layout), or a scalar broadcast
// to `shape` as tf.constant(value, shape=...) writes it (one typed value).
Output Constant(Graph* g, const tensor::Tensor& value, const std::string& name = "Const");
Output Constant(Graph* g, double value, DataType dtype, const std::vector<int64_t>& shape = {},
                const std::string& name = "Const");
inline Output Constant(Graph* g, float value, const std::string& name = "Const") {
  return Constant(g, value, tensorflow::DT_FLOAT, {}, name);
}
Output StringConstant(Graph* g, const std::vector<std::string>& values, bool scalar,
                      const std::string& name = "Const");

// tf.compat.v1.placeholder(dtype, shape); dims -1 unknown, nullopt shape unknown rank.
Output Placeholder(Graph* g, DataType dtype, std::optional<std::vector<int64_t>> shape,
                   const std::string& name = "Placeholder");
Output PlaceholderWithDefault(Graph* g, const Input& input,
                              const std::vector<int64_t>& shape, const std::string& name);

Output Identity(Graph* g, const Input& x, const std::string& name = "");
Operation NoOp(Graph* g, const std::string& name = "");
// tf.group: one NoOp, or per device a NoOp "<name>/NoOp[_k]" then the root.
Operation Group(Graph* g, const std::vector<Operation>& ops, const std::string& name = "");
// control_flow_ops.with_dependencies: Identity named "control_dependency"
// colocated with `output`, after `deps`.
Output WithDependencies(Graph* g, const std::vector<Operation>& deps, const Output& output,
                        const std::string& name = "");

// Binary ops under their TF names (tf.add -> "Add"...).
Output Add(Graph* g, const Input& x, const Input& y, const std::string& name = "");
Output Subtract(Graph* g, const Input& x, const Input& y, const std::string& name = "");
Output Multiply(Graph* g, const Input& x, const Input& y, const std::string& name = "");
Output Minimum(Graph* g, const Input& x, const Input& y, const std::string& name = "");
Output Maximum(Graph* g, const Input& x, const Input& y, const std::string& name = "");
Output Pow(Graph* g, const Input& x, const Input& y, const std::string& name = "");
// Python operators: "add", "sub", "mul", "truediv" scopes.
Output PyAdd(Graph* g, const Input& x, const Input& y);
Output PySub(Graph* g, const Input& x, const Input& y);
Output PyMul(Graph* g, const Input& x, const Input& y);
Output PyDiv(Graph* g, const Input& x, const Input& y);
Output operator+(const Output& x, const Input& y);
Output operator-(const Output& x, const Input& y);
Output operator*(const Output& x, const Input& y);
Output operator/(const Output& x, const Input& y);
Output operator-(float x, const Output& y);
Output operator+(float x, const Output& y);

Output MatMul(Graph* g, const Input& a, const Input& b, bool transpose_a = false,
              bool transpose_b = false, const std::string& name = "");
Output Relu(Graph* g, const Input& x, const std::string& name = "");
Output Softmax(Graph* g, const Input& logits, const std::string& name = "");
Output Cast(Graph* g, const Input& x, DataType dtype, const std::string& name = "Cast");
Output Sum(Graph* g, const Input& x, const std::vector<int>& axes, bool keep_dims = false,
           const std::string& name = "");
Output ReduceMean(Graph* g, const Input& x, const std::vector<int>& axes,
                  bool keep_dims = false, const std::string& name = "");

// state_ops.assign / assign_add / assign_sub on a reference (use_locking
// as given; TF's Variable.assign passes false, the initializer leaves the
// default true). For a resource variable see Variable::Assign.
Output Assign(Graph* g, const Output& ref, const Input& value, std::optional<bool> use_locking,
              bool validate_shape = true, const std::string& name = "");
Output AssignAdd(Graph* g, const Output& ref, const Input& value, bool use_locking = false,
                 const std::string& name = "");
Output AssignSub(Graph* g, const Output& ref, const Input& value, bool use_locking = false,
                 const std::string& name = "");

// random_ops: names "random_normal/..." etc. with seeds from g->GetSeed.
Output RandomNormal(Graph* g, const std::vector<int64_t>& shape, double mean = 0,
                    double stddev = 1, DataType dtype = tensorflow::DT_FLOAT,
                    std::optional<int64_t> seed = std::nullopt, const std::string& name = "");
Output TruncatedNormal(Graph* g, const std::vector<int64_t>& shape, double mean = 0,
                       double stddev = 1, DataType dtype = tensorflow::DT_FLOAT,
                       std::optional<int64_t> seed = std::nullopt, const std::string& name = "");
Output RandomUniform(Graph* g, const std::vector<int64_t>& shape, double minval = 0,
                     double maxval = 1, DataType dtype = tensorflow::DT_FLOAT,
                     std::optional<int64_t> seed = std::nullopt, const std::string& name = "");
// array_ops.zeros / ones: a Const below 1000 elements, else Fill.
Output Zeros(Graph* g, const std::vector<int64_t>& shape, DataType dtype,
             const std::string& name = "zeros");
Output Ones(Graph* g, const std::vector<int64_t>& shape, DataType dtype,
            const std::string& name = "ones");

// A generic op under its own name scope (for ops without a wrapper).
Output RawOp(Graph* g, const std::string& type, const std::string& name,
             const std::vector<Input>& inputs, AttrMap attrs = {});

// AttrValue builders (graph/attr_value.h).
using graph::BoolAttr;
using graph::IntAttr;
using graph::ShapeAttr;
using graph::StringAttr;
using graph::TypeAttr;
using graph::TypeListAttr;

}  // namespace tfckpt::train

#endif  // TFCKPT_TRAIN_OPS_H_
