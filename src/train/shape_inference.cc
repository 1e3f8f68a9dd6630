#include "src/train/shape_inference.h"

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <string>

#include "src/graph/graph.h"
#include "src/tensor/tensor_proto.h"
#include "src/train/graph_builder.h"

namespace tfckpt::train {
namespace {

using Shape = tensorflow::TensorShapeProto;

const tensorflow::AttrValue* Attr(const tensorflow::NodeDef& n, const std::string& key) {
  auto it = n.attr().find(key);
  return it == n.attr().end() ? nullptr : &it->second;
}

std::optional<Output> InputOf(const Graph& g, const tensorflow::NodeDef& n, int i) {
  if (i >= n.input_size() || n.input(i).empty() || n.input(i)[0] == '^') return std::nullopt;
  auto t = graph::ParseTensorName(n.input(i));
  if (!t.ok()) return std::nullopt;
  return Output{const_cast<Graph*>(&g), t->node, t->index};
}

Shape InputShape(const Graph& g, const tensorflow::NodeDef& n, int i) {
  auto in = InputOf(g, n, i);
  return in ? g.OutputShape(*in) : UnknownShape();
}

// The value of input i if it is produced by a Const, as int64s.
std::optional<std::vector<int64_t>> ConstInts(const Graph& g, const tensorflow::NodeDef& n, int i) {
  auto in = InputOf(g, n, i);
  if (!in || in->index != 0) return std::nullopt;
  const tensorflow::NodeDef* src = g.FindNode(in->op);
  if (src == nullptr || src->op() != "Const") return std::nullopt;
  const auto* v = Attr(*src, "value");
  if (v == nullptr) return std::nullopt;
  auto t = tensor::TensorFromProto(v->tensor());
  if (!t.ok()) return std::nullopt;
  std::vector<int64_t> out;
  if (t->dtype() == tensorflow::DT_INT32) {
    for (int64_t k = 0; k < t->num_elements(); ++k) out.push_back(t->flat<int32_t>()[k]);
  } else if (t->dtype() == tensorflow::DT_INT64) {
    for (int64_t k = 0; k < t->num_elements(); ++k) out.push_back(t->flat<int64_t>()[k]);
  } else {
    return std::nullopt;
  }
  return out;
}

Shape Merge(const Shape& a, const Shape& b) {
  if (a.unknown_rank()) return b;
  if (b.unknown_rank() || a.dim_size() != b.dim_size()) return a;
  Shape out = a;
  for (int i = 0; i < a.dim_size(); ++i) {
    if (out.dim(i).size() < 0) out.mutable_dim(i)->set_size(b.dim(i).size());
  }
  return out;
}

Shape Broadcast(const Shape& x, const Shape& y) {
  if (x.unknown_rank() || y.unknown_rank()) return UnknownShape();
  const int rank = std::max(x.dim_size(), y.dim_size());
  std::vector<int64_t> dims(rank);
  for (int i = 0; i < rank; ++i) {
    const int xi = x.dim_size() - rank + i, yi = y.dim_size() - rank + i;
    const int64_t dx = xi >= 0 ? x.dim(xi).size() : 1;
    const int64_t dy = yi >= 0 ? y.dim(yi).size() : 1;
    if (dx > 1) {
      dims[i] = dx;
    } else if (dy > 1) {
      dims[i] = dy;
    } else if (dx == 1) {
      dims[i] = dy;
    } else if (dy == 1) {
      dims[i] = dx;
    } else if (dx == dy) {
      dims[i] = dx;
    } else {
      dims[i] = -1;
    }
  }
  return ShapeOf(dims);
}

Shape FromShapeTensor(const Graph& g, const tensorflow::NodeDef& n, int i) {
  auto v = ConstInts(g, n, i);
  if (!v) return UnknownShape();
  return ShapeOf(*v);
}

Shape ReshapeShape(const Graph& g, const tensorflow::NodeDef& n) {
  auto v = ConstInts(g, n, 1);
  if (!v) return UnknownShape();
  std::vector<int64_t> dims = *v;
  const Shape in = InputShape(g, n, 0);
  auto unknown = std::find(dims.begin(), dims.end(), -1);
  if (unknown != dims.end() && IsFullyDefined(in)) {
    int64_t total = 1, known = 1;
    for (const auto& d : in.dim()) total *= d.size();
    for (int64_t d : dims) {
      if (d != -1) known *= d;
    }
    if (known > 0 && total % known == 0) *unknown = total / known;
  }
  return ShapeOf(dims);
}

Shape ReduceShape(const Graph& g, const tensorflow::NodeDef& n) {
  const Shape in = InputShape(g, n, 0);
  const auto* kd = Attr(n, "keep_dims");
  const bool keep = kd != nullptr && kd->b();
  auto axes = ConstInts(g, n, 1);
  if (in.unknown_rank() || !axes) return UnknownShape();
  const int rank = in.dim_size();
  std::vector<bool> reduced(rank, false);
  for (int64_t a : *axes) {
    if (a < 0) a += rank;
    if (a >= 0 && a < rank) reduced[a] = true;
  }
  std::vector<int64_t> dims;
  for (int i = 0; i < rank; ++i) {
    if (!reduced[i]) {
      dims.push_back(in.dim(i).size());
    } else if (keep) {
      dims.push_back(1);
    }
  }
  return ShapeOf(dims);
}

Shape MatMulShape(const Graph& g, const tensorflow::NodeDef& n) {
  const Shape a = InputShape(g, n, 0), b = InputShape(g, n, 1);
  const auto* ta = Attr(n, "transpose_a");
  const auto* tb = Attr(n, "transpose_b");
  int64_t rows = -1, cols = -1;
  if (!a.unknown_rank() && a.dim_size() == 2) rows = a.dim(ta != nullptr && ta->b() ? 1 : 0).size();
  if (!b.unknown_rank() && b.dim_size() == 2) cols = b.dim(tb != nullptr && tb->b() ? 0 : 1).size();
  return ShapeOf({rows, cols});
}

Shape ReadVariableShape(const Graph& g, const tensorflow::NodeDef& n) {
  auto in = InputOf(g, n, 0);
  if (!in) return UnknownShape();
  const tensorflow::NodeDef* h = g.FindNode(in->op);
  if (h != nullptr && h->op() == "VarHandleOp") {
    const auto* s = Attr(*h, "shape");
    if (s != nullptr) return s->shape();
  }
  return UnknownShape();
}

// RestoreV2's shape function: a "full dims + slice" spec gives the slice's
// shape ("10 4 0,4:0,4" -> [4,4]; "-" is the full extent), "" unknown.
std::vector<Shape> RestoreShapes(const Graph& g, const tensorflow::NodeDef& n, int num_outputs) {
  std::vector<Shape> out(num_outputs, UnknownShape());
  auto in = InputOf(g, n, 2);
  const tensorflow::NodeDef* src = in ? g.FindNode(in->op) : nullptr;
  if (src == nullptr || src->op() != "Const") return out;
  const auto* v = Attr(*src, "value");
  if (v == nullptr) return out;
  auto t = tensor::TensorFromProto(v->tensor());
  if (!t.ok() || !t->is_string()) return out;
  for (int i = 0; i < num_outputs && i < t->num_elements(); ++i) {
    const std::string& spec = t->strings()[i];
    if (spec.empty()) continue;
    std::vector<std::string> tokens;
    size_t start = 0;
    while (start <= spec.size()) {
      size_t sp = spec.find(' ', start);
      if (sp == std::string::npos) sp = spec.size();
      tokens.push_back(spec.substr(start, sp - start));
      start = sp + 1;
    }
    if (tokens.size() < 2) continue;
    std::vector<int64_t> full;
    for (size_t k = 0; k + 1 < tokens.size(); ++k) full.push_back(std::atoll(tokens[k].c_str()));
    std::vector<int64_t> dims;
    size_t p = 0;
    const std::string& slice = tokens.back();
    for (size_t d = 0; d < full.size(); ++d) {
      size_t colon = slice.find(':', p);
      const std::string extent = slice.substr(p, colon == std::string::npos ? std::string::npos
                                                                            : colon - p);
      p = colon == std::string::npos ? slice.size() : colon + 1;
      const size_t comma = extent.find(',');
      dims.push_back(extent == "-" || comma == std::string::npos
                         ? full[d]
                         : std::atoll(extent.substr(comma + 1).c_str()));
    }
    out[i] = ShapeOf(dims);
  }
  return out;
}

}  // namespace

Shape UnknownShape() {
  Shape s;
  s.set_unknown_rank(true);
  return s;
}

Shape ShapeOf(const std::vector<int64_t>& dims) {
  Shape s;
  for (int64_t d : dims) s.add_dim()->set_size(d);
  return s;
}

bool IsFullyDefined(const Shape& s) {
  if (s.unknown_rank()) return false;
  for (const auto& d : s.dim()) {
    if (d.size() < 0) return false;
  }
  return true;
}

bool ShapesCompatible(const Shape& a, const Shape& b) {
  if (a.unknown_rank() || b.unknown_rank()) return true;
  if (a.dim_size() != b.dim_size()) return false;
  for (int i = 0; i < a.dim_size(); ++i) {
    const int64_t x = a.dim(i).size(), y = b.dim(i).size();
    if (x >= 0 && y >= 0 && x != y) return false;
  }
  return true;
}

std::vector<Shape> InferOutputShapes(const Graph& g, const tensorflow::NodeDef& n,
                                     int num_outputs) {
  std::vector<Shape> out(num_outputs, UnknownShape());
  if (num_outputs == 0) return out;
  const std::string& op = n.op();
  auto attr_shape = [&](const char* key) -> Shape {
    const auto* a = Attr(n, key);
    return a != nullptr ? a->shape() : UnknownShape();
  };
  auto same_as_input = [&] { out[0] = InputShape(g, n, 0); };
  static const char* const kUnary[] = {
      "Identity", "ZerosLike", "OnesLike", "Relu", "Relu6", "Softmax", "Sigmoid", "Tanh", "Neg",
      "Log", "Exp", "Cast", "BiasAdd", "StaticRegexFullMatch", "StopGradient", "Sqrt", "Square",
      "Floor", "Abs", "LogSoftmax", "RefIdentity", "CheckNumerics", "Snapshot"};
  static const char* const kBinary[] = {"Add", "AddV2", "Sub", "Mul", "RealDiv", "Maximum",
                                        "Minimum", "Equal", "NotEqual", "Pow", "FloorMod",
                                        "FloorDiv", "Less", "Greater", "SquaredDifference",
                                        "TruncateDiv", "DivNoNan", "Div"};
  if (op == "Const") {
    const auto* v = Attr(n, "value");
    if (v != nullptr) out[0] = v->tensor().tensor_shape();
  } else if (op == "Placeholder" || op == "PlaceholderWithDefault" || op == "VariableV2" ||
             op == "Variable") {
    out[0] = attr_shape("shape");
    if (op == "PlaceholderWithDefault" && out[0].unknown_rank()) same_as_input();
  } else if (op == "VarHandleOp" || op == "VarIsInitializedOp" || op == "IsVariableInitialized" ||
             op == "ShardedFilename" || op == "ShardedFilespec" || op == "HashTableV2" ||
             op == "LookupTableSizeV2") {
    out[0] = Shape();
  } else if (op == "StringJoin") {
    Shape s;
    for (int i = 0; i < n.input_size(); ++i) {
      const Shape in = InputShape(g, n, i);
      if (in.unknown_rank() || in.dim_size() > 0) s = in.unknown_rank() ? UnknownShape() : in;
    }
    out[0] = s;
  } else if (std::find(std::begin(kUnary), std::end(kUnary), op) != std::end(kUnary)) {
    same_as_input();
  } else if (std::find(std::begin(kBinary), std::end(kBinary), op) != std::end(kBinary)) {
    out[0] = Broadcast(InputShape(g, n, 0), InputShape(g, n, 1));
  } else if (op == "Assign" || op == "AssignAdd" || op == "AssignSub") {
    const auto* vs = Attr(n, "validate_shape");
    out[0] = (op != "Assign" || vs == nullptr || vs->b())
                 ? Merge(InputShape(g, n, 0), InputShape(g, n, 1))
                 : InputShape(g, n, 1);
  } else if (op == "ApplyGradientDescent") {
    out[0] = InputShape(g, n, 0);
  } else if (op == "ReadVariableOp") {
    out[0] = ReadVariableShape(g, n);
  } else if (op == "LookupTableFindV2") {
    // TF's shape function gives unknown; lookup() then set_shape(keys.shape)
    // (scalar values, the only kind the tables here hold).
    out[0] = InputShape(g, n, 1);
  } else if (op == "MatMul") {
    out[0] = MatMulShape(g, n);
  } else if (op == "Select" || op == "SelectV2") {
    out[0] = op == "Select" ? Merge(InputShape(g, n, 1), InputShape(g, n, 2))
                            : Broadcast(InputShape(g, n, 1), InputShape(g, n, 2));
  } else if (op == "Pack") {
    Shape s = InputShape(g, n, 0);
    for (int i = 1; i < n.input_size(); ++i) s = Merge(s, InputShape(g, n, i));
    if (!s.unknown_rank()) {
      const auto* axis_attr = Attr(n, "axis");
      int64_t axis = axis_attr != nullptr ? axis_attr->i() : 0;
      if (axis < 0) axis += s.dim_size() + 1;
      int count = 0;
      for (const auto& in : n.input()) count += in.empty() || in[0] != '^' ? 1 : 0;
      std::vector<int64_t> dims;
      for (const auto& d : s.dim()) dims.push_back(d.size());
      dims.insert(dims.begin() + std::clamp<int64_t>(axis, 0, dims.size()), count);
      s = ShapeOf(dims);
    }
    out[0] = s;
  } else if (op == "Fill" || op == "RandomStandardNormal" || op == "RandomUniform" ||
             op == "TruncatedNormal") {
    out[0] = FromShapeTensor(g, n, 0);
  } else if (op == "Reshape") {
    out[0] = ReshapeShape(g, n);
  } else if (op == "Sum" || op == "Mean" || op == "Prod" || op == "Max" || op == "Min") {
    out[0] = ReduceShape(g, n);
  } else if (op == "Shape") {
    const Shape in = InputShape(g, n, 0);
    out[0] = ShapeOf({in.unknown_rank() ? -1 : in.dim_size()});
  } else if (op == "ConcatV2") {
    int count = 0;
    for (const auto& in : n.input()) count += in.empty() || in[0] != '^' ? 1 : 0;
    auto axis = ConstInts(g, n, count - 1);
    Shape acc = InputShape(g, n, 0);
    if (axis && axis->size() == 1 && !acc.unknown_rank()) {
      int64_t a = (*axis)[0];
      if (a < 0) a += acc.dim_size();
      int64_t total = 0;
      bool known = a >= 0 && a < acc.dim_size();
      for (int i = 0; known && i < count - 1; ++i) {
        const Shape in = InputShape(g, n, i);
        if (in.unknown_rank() || in.dim_size() != acc.dim_size() || in.dim(a).size() < 0) {
          known = false;
          break;
        }
        total += in.dim(a).size();
        for (int d = 0; d < acc.dim_size(); ++d) {
          if (d != a && acc.dim(d).size() < 0) acc.mutable_dim(d)->set_size(in.dim(d).size());
        }
      }
      if (known) {
        acc.mutable_dim(a)->set_size(total);
        out[0] = acc;
      }
    }
  } else if (op == "RestoreV2") {
    out = RestoreShapes(g, n, num_outputs);
  } else if (op == "Switch" || op == "RefSwitch") {
    out.assign(num_outputs, InputShape(g, n, 0));
  } else if (op == "Merge" || op == "RefMerge") {
    // MergeShape: the inputs' common rank, dims that differ unknown.
    int count = 0;
    for (const auto& in : n.input()) count += in.empty() || in[0] != '^' ? 1 : 0;
    Shape acc = InputShape(g, n, 0);
    for (int i = 1; i < count && !acc.unknown_rank(); ++i) {
      const Shape in = InputShape(g, n, i);
      if (in.unknown_rank() || in.dim_size() != acc.dim_size()) {
        acc = UnknownShape();
        break;
      }
      for (int d = 0; d < acc.dim_size(); ++d) {
        if (in.dim(d).size() != acc.dim(d).size()) acc.mutable_dim(d)->set_size(-1);
      }
    }
    out[0] = acc;
    if (num_outputs > 1) out[1] = ShapeOf({});
  } else if (op == "IdentityN") {
    for (int i = 0; i < num_outputs; ++i) out[i] = InputShape(g, n, i);
  }
  return out;
}

}  // namespace tfckpt::train
