#include "src/train/ops.h"

#include <map>

#include "src/tensor/tensor_proto.h"
#include "src/train/shape_inference.h"
#include "src/train/variables.h"

namespace tfckpt::train {
namespace {

Output Fail(Graph* g, const Status& s) {
  if (g != nullptr) g->RecordError(s);
  return Output{};
}

Output Make(Graph* g, const std::string& type, const std::string& name,
            const std::vector<Output>& inputs, AttrMap attrs) {
  auto op = g->CreateOp(type, name, inputs, std::move(attrs));
  if (!op.ok()) return Fail(g, op.status());
  return op->output(0);
}

// A one-element tensor of `dtype` holding `v`.
StatusOr<tensor::Tensor> ScalarOf(double v, DataType dtype) {
  TFCKPT_ASSIGN_OR_RETURN(tensor::Tensor t, tensor::Tensor::Allocate(dtype, {}));
  switch (dtype) {
    case tensorflow::DT_FLOAT: *t.mutable_flat<float>() = static_cast<float>(v); break;
    case tensorflow::DT_DOUBLE: *t.mutable_flat<double>() = v; break;
    case tensorflow::DT_INT32: *t.mutable_flat<int32_t>() = static_cast<int32_t>(v); break;
    case tensorflow::DT_INT64: *t.mutable_flat<int64_t>() = static_cast<int64_t>(v); break;
    case tensorflow::DT_INT16: *t.mutable_flat<int16_t>() = static_cast<int16_t>(v); break;
    case tensorflow::DT_INT8: *t.mutable_flat<int8_t>() = static_cast<int8_t>(v); break;
    case tensorflow::DT_UINT8: *t.mutable_flat<uint8_t>() = static_cast<uint8_t>(v); break;
    case tensorflow::DT_UINT16: *t.mutable_flat<uint16_t>() = static_cast<uint16_t>(v); break;
    case tensorflow::DT_UINT32: *t.mutable_flat<uint32_t>() = static_cast<uint32_t>(v); break;
    case tensorflow::DT_UINT64: *t.mutable_flat<uint64_t>() = static_cast<uint64_t>(v); break;
    case tensorflow::DT_BOOL: *t.mutable_flat<uint8_t>() = v != 0; break;
    default:
      return UnimplementedError(StrCat("constants of dtype ", tensor::DataTypeName(dtype),
                                       " are not supported by train::Constant"));
  }
  return t;
}

Output ConstFromProto(Graph* g, tensorflow::TensorProto proto, const std::string& name) {
  AttrMap attrs;
  attrs["dtype"] = TypeAttr(proto.dtype());
  *attrs["value"].mutable_tensor() = std::move(proto);
  return Make(g, "Const", name, {}, std::move(attrs));
}

Output Binary(Graph* g, const std::string& type, const std::string& default_name,
              const Input& x, const Input& y, const std::string& name) {
  NameScope ns(g, name, default_name);
  std::optional<DataType> dtype = x.known_dtype();
  if (!dtype) dtype = y.known_dtype();
  auto ox = x.Convert(g, "x", dtype);
  if (!ox.ok()) return Fail(g, ox.status());
  if (!dtype) dtype = ox->dtype();
  auto oy = y.Convert(g, "y", dtype);
  if (!oy.ok()) return Fail(g, oy.status());
  return Make(g, type, ns.scope(), {*ox, *oy}, {{"T", TypeAttr(*dtype)}});
}

Output Unary(Graph* g, const std::string& type, const std::string& arg, const Input& x,
             const std::string& name) {
  NameScope ns(g, name, type);
  auto ox = x.Convert(g, arg);
  if (!ox.ok()) return Fail(g, ox.status());
  return Make(g, type, ns.scope(), {*ox}, {{"T", TypeAttr(ox->dtype())}});
}

Output ShapeConst(Graph* g, const std::vector<int64_t>& shape, const std::string& name) {
  std::vector<int32_t> v(shape.begin(), shape.end());
  return Constant(g, tensor::Tensor::FromVector<int32_t>(
                         tensorflow::DT_INT32, {static_cast<int64_t>(v.size())}, v),
                  name);
}

Output RandomCore(Graph* g, const std::string& type, const Output& shape_t, DataType dtype,
                  std::optional<int64_t> seed) {
  const auto seeds = g->GetSeed(seed);
  return Make(g, type, "", {shape_t},
              {{"dtype", TypeAttr(dtype)},
               {"seed", IntAttr(seeds.first)},
               {"seed2", IntAttr(seeds.second)},
               {"T", TypeAttr(tensorflow::DT_INT32)}});
}

}  // namespace

// ---- Input ----------------------------------------------------------------------

Input::Input(Output t) : kind_(Kind::kTensor), tensor_(std::move(t)) {}
Input::Input(const Variable& v)
    : kind_(Kind::kVariable), variable_(std::make_shared<const Variable>(v)) {}
Input::Input(const tensor::Tensor& value) : kind_(Kind::kConstant), constant_(value) {}
Input::Input(float v) : kind_(Kind::kNumber), number_(v) {}
Input::Input(double v) : kind_(Kind::kNumber), number_(v) {}
Input::Input(int v) : kind_(Kind::kNumber), number_(v), integer_(true) {}
Input::Input(int64_t v) : kind_(Kind::kNumber), number_(static_cast<double>(v)), integer_(true) {}

std::optional<DataType> Input::known_dtype() const {
  switch (kind_) {
    case Kind::kTensor:
      return tensor_.valid() ? std::optional<DataType>(tensor_.dtype()) : std::nullopt;
    case Kind::kVariable:
      return variable_->dtype();
    case Kind::kConstant:
      return constant_.dtype();
    case Kind::kNumber:
      return std::nullopt;
  }
  return std::nullopt;
}

Graph* Input::graph() const {
  if (kind_ == Kind::kTensor) return tensor_.graph;
  if (kind_ == Kind::kVariable) return variable_->graph();
  return nullptr;
}

StatusOr<Output> Input::Convert(Graph* g, const std::string& name,
                                std::optional<DataType> dtype) const {
  switch (kind_) {
    case Kind::kTensor:
      if (!tensor_.valid()) return InvalidArgumentError("invalid tensor input");
      return tensor_;
    case Kind::kVariable: {
      Output v = variable_->value();
      if (!v.valid()) return g->status().ok() ? InternalError("variable read failed") : g->status();
      return v;
    }
    case Kind::kConstant: {
      if (dtype && *dtype != constant_.dtype()) {
        return InvalidArgumentError(StrCat("Tensor conversion requested dtype ",
                                           PythonDTypeName(*dtype), " for a constant of dtype ",
                                           PythonDTypeName(constant_.dtype())));
      }
      Output c = Constant(g, constant_, name);
      if (!c.valid()) return g->status();
      return c;
    }
    case Kind::kNumber: {
      const DataType dt = dtype.value_or(integer_ ? tensorflow::DT_INT32 : tensorflow::DT_FLOAT);
      Output c = Constant(g, number_, dt, {}, name);
      if (!c.valid()) return g->status();
      return c;
    }
  }
  return InternalError("bad input");
}

// ---- constants and placeholders ----------------------------------------------------

Output Constant(Graph* g, const tensor::Tensor& value, const std::string& name) {
  tensorflow::TensorProto proto;
  Status s = tensor::TensorToProto(value, &proto);
  if (!s.ok()) return Fail(g, s);
  return ConstFromProto(g, std::move(proto), name);
}

Output Constant(Graph* g, double value, DataType dtype, const std::vector<int64_t>& shape,
                const std::string& name) {
  auto t = ScalarOf(value, dtype);
  if (!t.ok()) return Fail(g, t.status());
  tensorflow::TensorProto proto;
  Status s = tensor::TensorToProtoField(*t, &proto);
  if (!s.ok()) return Fail(g, s);
  *proto.mutable_tensor_shape() = ShapeOf(shape);
  return ConstFromProto(g, std::move(proto), name);
}

Output StringConstant(Graph* g, const std::vector<std::string>& values, bool scalar,
                      const std::string& name) {
  tensorflow::TensorProto proto;
  proto.set_dtype(tensorflow::DT_STRING);
  proto.mutable_tensor_shape();
  if (!scalar) proto.mutable_tensor_shape()->add_dim()->set_size(values.size());
  for (const auto& v : values) proto.add_string_val(v);
  return ConstFromProto(g, std::move(proto), name);
}

Output Placeholder(Graph* g, DataType dtype, std::optional<std::vector<int64_t>> shape,
                   const std::string& name) {
  return Make(g, "Placeholder", name, {},
              {{"dtype", TypeAttr(dtype)},
               {"shape", ShapeAttr(shape ? ShapeOf(*shape) : UnknownShape())}});
}

Output PlaceholderWithDefault(Graph* g, const Input& input, const std::vector<int64_t>& shape,
                              const std::string& name) {
  NameScope ns(g, name, "PlaceholderWithDefault");
  auto in = input.Convert(g, "input");
  if (!in.ok()) return Fail(g, in.status());
  return Make(g, "PlaceholderWithDefault", ns.scope(), {*in},
              {{"dtype", TypeAttr(in->dtype())}, {"shape", ShapeAttr(ShapeOf(shape))}});
}

Output Identity(Graph* g, const Input& x, const std::string& name) {
  return Unary(g, "Identity", "input", x, name);
}

Operation NoOp(Graph* g, const std::string& name) {
  auto op = g->CreateOp("NoOp", name, {});
  if (!op.ok()) {
    g->RecordError(op.status());
    return Operation{};
  }
  return *op;
}

namespace {
Operation GroupControlDeps(Graph* g, const std::string& device, const std::vector<Operation>& deps,
                           const std::string& name) {
  std::vector<std::string> names;
  for (const auto& d : deps) names.push_back(d.name);
  ControlDependencies cd(g, names);
  DeviceScope ds(g, device);
  return NoOp(g, name);
}
}  // namespace

Operation Group(Graph* g, const std::vector<Operation>& ops, const std::string& name) {
  NameScope ns(g, name, "group_deps");
  if (ops.empty()) return NoOp(g, ns.scope());
  std::map<std::string, std::vector<Operation>> by_device;
  for (const Operation& op : ops) {
    const tensorflow::NodeDef* n = g->FindNode(op.name);
    by_device[n != nullptr ? n->device() : ""].push_back(op);
  }
  if (by_device.size() == 1) {
    return GroupControlDeps(g, by_device.begin()->first, by_device.begin()->second, ns.scope());
  }
  std::vector<std::string> deps;
  for (const auto& [dev, list] : by_device) {
    deps.push_back(GroupControlDeps(g, dev, list, "").name);
  }
  ControlDependencies cd(g, deps);
  return NoOp(g, ns.scope());
}

Output WithDependencies(Graph* g, const std::vector<Operation>& deps, const Output& output,
                        const std::string& name) {
  NameScope ns(g, name, "control_dependency");
  ColocateWith cw(g, output.op);
  std::vector<std::string> names;
  for (const auto& d : deps) names.push_back(d.name);
  ControlDependencies cd(g, names);
  return Make(g, "Identity", ns.scope(), {output}, {{"T", TypeAttr(output.dtype())}});
}

// ---- math ------------------------------------------------------------------------------

Output Add(Graph* g, const Input& x, const Input& y, const std::string& name) {
  return Binary(g, "AddV2", "Add", x, y, name);
}
Output Subtract(Graph* g, const Input& x, const Input& y, const std::string& name) {
  return Binary(g, "Sub", "Sub", x, y, name);
}
Output Multiply(Graph* g, const Input& x, const Input& y, const std::string& name) {
  return Binary(g, "Mul", "Mul", x, y, name);
}
Output Minimum(Graph* g, const Input& x, const Input& y, const std::string& name) {
  return Binary(g, "Minimum", "Minimum", x, y, name);
}
Output Maximum(Graph* g, const Input& x, const Input& y, const std::string& name) {
  return Binary(g, "Maximum", "Maximum", x, y, name);
}
Output Pow(Graph* g, const Input& x, const Input& y, const std::string& name) {
  return Binary(g, "Pow", "Pow", x, y, name);
}
Output PyAdd(Graph* g, const Input& x, const Input& y) { return Binary(g, "AddV2", "add", x, y, ""); }
Output PySub(Graph* g, const Input& x, const Input& y) { return Binary(g, "Sub", "sub", x, y, ""); }
Output PyMul(Graph* g, const Input& x, const Input& y) { return Binary(g, "Mul", "mul", x, y, ""); }
Output PyDiv(Graph* g, const Input& x, const Input& y) {
  return Binary(g, "RealDiv", "truediv", x, y, "");
}
Output operator+(const Output& x, const Input& y) { return PyAdd(x.graph, x, y); }
Output operator-(const Output& x, const Input& y) { return PySub(x.graph, x, y); }
Output operator*(const Output& x, const Input& y) { return PyMul(x.graph, x, y); }
Output operator/(const Output& x, const Input& y) { return PyDiv(x.graph, x, y); }
Output operator-(float x, const Output& y) { return PySub(y.graph, x, y); }
Output operator+(float x, const Output& y) { return PyAdd(y.graph, x, y); }

Output MatMul(Graph* g, const Input& a, const Input& b, bool transpose_a, bool transpose_b,
              const std::string& name) {
  NameScope ns(g, name, "MatMul");
  auto oa = a.Convert(g, "a", b.known_dtype());
  if (!oa.ok()) return Fail(g, oa.status());
  auto ob = b.Convert(g, "b", oa->dtype());
  if (!ob.ok()) return Fail(g, ob.status());
  return Make(g, "MatMul", ns.scope(), {*oa, *ob},
              {{"T", TypeAttr(oa->dtype())},
               {"transpose_a", BoolAttr(transpose_a)},
               {"transpose_b", BoolAttr(transpose_b)}});
}

Output Relu(Graph* g, const Input& x, const std::string& name) {
  return Unary(g, "Relu", "features", x, name);
}
Output Softmax(Graph* g, const Input& logits, const std::string& name) {
  return Unary(g, "Softmax", "logits", logits, name);
}

Output Cast(Graph* g, const Input& x, DataType dtype, const std::string& name) {
  NameScope ns(g, name, "Cast");
  auto ox = x.Convert(g, "x");
  if (!ox.ok()) return Fail(g, ox.status());
  if (ox->dtype() == dtype) return *ox;
  return Make(g, "Cast", ns.scope(), {*ox},
              {{"SrcT", TypeAttr(ox->dtype())}, {"DstT", TypeAttr(dtype)}});
}

namespace {
Output Reduce(Graph* g, const std::string& type, const Input& x, const std::vector<int>& axes,
              bool keep_dims, const std::string& name) {
  NameScope ns(g, name, type);
  auto ox = x.Convert(g, "input");
  if (!ox.ok()) return Fail(g, ox.status());
  std::vector<int32_t> a(axes.begin(), axes.end());
  Output idx = Constant(
      g, tensor::Tensor::FromVector<int32_t>(tensorflow::DT_INT32,
                                             {static_cast<int64_t>(a.size())}, a),
      "reduction_indices");
  return Make(g, type, ns.scope(), {*ox, idx},
              {{"T", TypeAttr(ox->dtype())},
               {"Tidx", TypeAttr(tensorflow::DT_INT32)},
               {"keep_dims", BoolAttr(keep_dims)}});
}
}  // namespace

Output Sum(Graph* g, const Input& x, const std::vector<int>& axes, bool keep_dims,
           const std::string& name) {
  return Reduce(g, "Sum", x, axes, keep_dims, name);
}
Output ReduceMean(Graph* g, const Input& x, const std::vector<int>& axes, bool keep_dims,
                  const std::string& name) {
  return Reduce(g, "Mean", x, axes, keep_dims, name);
}

// ---- state ----------------------------------------------------------------------------

namespace {
Output AssignLike(Graph* g, const std::string& type, const Output& ref, const Input& value,
                  std::optional<bool> use_locking, std::optional<bool> validate_shape,
                  const std::string& name) {
  NameScope ns(g, name, type);
  auto v = value.Convert(g, "value", ref.dtype());
  if (!v.ok()) return Fail(g, v.status());
  AttrMap attrs{{"T", TypeAttr(ref.dtype())}};
  if (use_locking) attrs["use_locking"] = BoolAttr(*use_locking);
  if (validate_shape) attrs["validate_shape"] = BoolAttr(*validate_shape);
  return Make(g, type, ns.scope(), {ref, *v}, std::move(attrs));
}
}  // namespace

Output Assign(Graph* g, const Output& ref, const Input& value, std::optional<bool> use_locking,
              bool validate_shape, const std::string& name) {
  return AssignLike(g, "Assign", ref, value, use_locking, validate_shape, name);
}
Output AssignAdd(Graph* g, const Output& ref, const Input& value, bool use_locking,
                 const std::string& name) {
  return AssignLike(g, "AssignAdd", ref, value, use_locking, std::nullopt, name);
}
Output AssignSub(Graph* g, const Output& ref, const Input& value, bool use_locking,
                 const std::string& name) {
  return AssignLike(g, "AssignSub", ref, value, use_locking, std::nullopt, name);
}

// ---- random ---------------------------------------------------------------------------

namespace {
// tf.random.normal / tf.random.truncated_normal: `op` samples, then
// * stddev + mean, in the name scope `default_name`.
Output ScaledNormal(Graph* g, const char* op, const char* default_name,
                    const std::vector<int64_t>& shape, double mean, double stddev,
                    DataType dtype, std::optional<int64_t> seed, const std::string& name) {
  NameScope ns(g, name, default_name);
  Output shape_t = ShapeConst(g, shape, "shape");
  Output mean_t = Constant(g, mean, dtype, {}, "mean");
  Output stddev_t = Constant(g, stddev, dtype, {}, "stddev");
  Output rnd = RandomCore(g, op, shape_t, dtype, seed);
  Output mul = PyMul(g, rnd, stddev_t);
  return Add(g, mul, mean_t, ns.scope());
}
}  // namespace

Output RandomNormal(Graph* g, const std::vector<int64_t>& shape, double mean, double stddev,
                    DataType dtype, std::optional<int64_t> seed, const std::string& name) {
  return ScaledNormal(g, "RandomStandardNormal", "random_normal", shape, mean, stddev, dtype,
                      seed, name);
}

Output TruncatedNormal(Graph* g, const std::vector<int64_t>& shape, double mean, double stddev,
                       DataType dtype, std::optional<int64_t> seed, const std::string& name) {
  return ScaledNormal(g, "TruncatedNormal", "truncated_normal", shape, mean, stddev, dtype,
                      seed, name);
}

Output RandomUniform(Graph* g, const std::vector<int64_t>& shape, double minval, double maxval,
                     DataType dtype, std::optional<int64_t> seed, const std::string& name) {
  NameScope ns(g, name, "random_uniform");
  Output shape_t = ShapeConst(g, shape, "shape");
  Output min_t = Constant(g, minval, dtype, {}, "min");
  Output max_t = Constant(g, maxval, dtype, {}, "max");
  Output rnd = RandomCore(g, "RandomUniform", shape_t, dtype, seed);
  Output range = PySub(g, max_t, min_t);
  Output mul = PyMul(g, rnd, range);
  return Add(g, mul, min_t, ns.scope());
}

namespace {
Output FilledConstant(Graph* g, const std::vector<int64_t>& shape, DataType dtype, double v,
                      const std::string& name, const char* default_name) {
  NameScope ns(g, name, default_name);
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  if (n < 1000) return Constant(g, v, dtype, shape, ns.scope());
  Output dims = ShapeConst(g, shape, "shape_as_tensor");
  Output value = Constant(g, v, dtype, {}, "Const");
  return Make(g, "Fill", ns.scope(), {dims, value},
              {{"T", TypeAttr(dtype)}, {"index_type", TypeAttr(tensorflow::DT_INT32)}});
}
}  // namespace

Output Zeros(Graph* g, const std::vector<int64_t>& shape, DataType dtype, const std::string& name) {
  return FilledConstant(g, shape, dtype, 0, name, "zeros");
}
Output Ones(Graph* g, const std::vector<int64_t>& shape, DataType dtype, const std::string& name) {
  return FilledConstant(g, shape, dtype, 1, name, "ones");
}

Output RawOp(Graph* g, const std::string& type, const std::string& name,
             const std::vector<Input>& inputs, AttrMap attrs) {
  NameScope ns(g, name, type);
  const graph::OpRegistration* reg = g->registry().Find(type);
  std::vector<Output> converted;
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::string arg = StrCat("input_", i);
    if (reg != nullptr && static_cast<int>(i) < reg->op_def.input_arg_size()) {
      arg = reg->op_def.input_arg(i).name();
    }
    auto o = inputs[i].Convert(g, arg);
    if (!o.ok()) return Fail(g, o.status());
    converted.push_back(*o);
  }
  return Make(g, type, ns.scope(), converted, std::move(attrs));
}

}  // namespace tfckpt::train
