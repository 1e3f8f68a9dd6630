// Array ops (tensorflow/core/ops/array_ops.cc, no_op.cc, math_ops.cc for
// Select): constants, placeholders, identities, shapes, Fill, Pack,
// ConcatV2, Select / SelectV2. Element copies are dtype-agnostic, so these
// work for every dtype a Tensor holds (strings included).
#include "src/graph/kernel_util.h"
#include "src/tensor/tensor_proto.h"

namespace tfckpt::graph {
namespace {

class ConstOp : public OpKernel {
 public:
  Status Init(const Node& node, const KernelOptions& options) override {
    TFCKPT_ASSIGN_OR_RETURN(const tensorflow::TensorProto* proto, node.AttrTensor("value"));
    TFCKPT_ASSIGN_OR_RETURN(DataType dtype, node.AttrType("dtype"));
    auto t = tensor::TensorFromProto(*proto, options.proto);
    if (!t.ok()) {
      return Status(t.status().code(),
                    StrCat("Cannot parse tensor from proto: ", t.status().message()));
    }
    if (t->dtype() != dtype) {
      return InvalidArgumentError(StrCat("Type mismatch between value (",
                                         tensor::DataTypeName(t->dtype()), ") and dtype (",
                                         tensor::DataTypeName(dtype), ")"));
    }
    value_ = std::move(*t);
    return OkStatus();
  }
  Status Compute(OpKernelContext* ctx) override {
    ctx->set_output(0, value_);
    return OkStatus();
  }

 private:
  Tensor value_;
};

// Runs only when not fed (the session substitutes fed values).
class PlaceholderOp : public OpKernel {
 public:
  Status Init(const Node& node, const KernelOptions&) override {
    TFCKPT_ASSIGN_OR_RETURN(dtype_, node.AttrType("dtype"));
    TFCKPT_ASSIGN_OR_RETURN(shape_, node.AttrShape("shape"));
    // Graphs before producer 21 wrote an empty shape for "unknown".
    if (node.graph().producer() < 21 && !shape_.unknown_rank() && shape_.dims().empty()) {
      shape_ = PartialShape();
    }
    return OkStatus();
  }
  Status Compute(OpKernelContext* ctx) override {
    std::string msg = StrCat("You must feed a value for placeholder tensor '", ctx->node().name(),
                             "' with dtype ", tensor::DataTypeName(dtype_));
    if (!shape_.unknown_rank() && !shape_.dims().empty()) {
      msg += StrCat(" and shape ", shape_.DebugString());
    }
    return InvalidArgumentError(msg);
  }

 private:
  DataType dtype_ = tensorflow::DT_INVALID;
  PartialShape shape_;
};

// Identity, PlaceholderWithDefault, IdentityN: inputs forwarded unchanged.
Status ForwardAll(OpKernelContext* ctx) {
  for (int i = 0; i < ctx->num_inputs(); ++i) ctx->set_output_value(i, ctx->input_value(i));
  return OkStatus();
}

Status NoOp(OpKernelContext*) { return OkStatus(); }

Status ReshapeOp(OpKernelContext* ctx) {
  const Tensor& input = ctx->input(0);
  const Tensor& sizes = ctx->input(1);
  if (!IsVector(sizes)) {
    return InvalidArgumentError(StrCat("sizes input must be 1-D, not ",
                                       sizes.shape().DebugString()));
  }
  const std::vector<int64_t> s = IntValues(sizes);
  int unknown = -1;
  int64_t product = 1;
  bool sizes_has_zero = false;
  std::vector<int64_t> dims;
  for (size_t d = 0; d < s.size(); ++d) {
    if (s[d] == -1) {
      if (unknown != -1) {
        return InvalidArgumentError(StrCat("Only one input size may be -1, not both ", unknown,
                                           " and ", d));
      }
      unknown = static_cast<int>(d);
      dims.push_back(1);
    } else if (s[d] < 0) {
      return InvalidArgumentError(StrCat("Size ", d, " must be non-negative, not ", s[d]));
    } else if (s[d] == 0) {
      dims.push_back(0);
      sizes_has_zero = true;
    } else {
      int64_t next;
      if (!tensor::MultiplyWithoutOverflow(product, s[d], &next)) {
        std::string list;
        for (size_t k = 0; k < s.size(); ++k) list += StrCat(k > 0 ? ", " : "", s[k]);
        return InvalidArgumentError(StrCat("Shape [", list, "] has too many elements"));
      }
      product = next;
      dims.push_back(s[d]);
    }
  }
  if (unknown != -1) {
    int64_t input_num = 1;
    bool input_has_zero = false;
    for (int d = 0; d < input.shape().rank(); ++d) {
      const int64_t size = input.shape().dim(d);
      if (size > 0 || !sizes_has_zero) {
        input_num *= size;
      } else {
        input_has_zero = true;
      }
    }
    const int64_t missing = input_num / product;
    if (!input_has_zero && product * missing != input_num) {
      return InvalidArgumentError(StrCat("Input to reshape is a tensor with ", input_num,
                                         " values, but the requested shape requires a multiple of ",
                                         product));
    }
    dims[unknown] = missing;
  }
  auto shape = TensorShape::Make(dims);
  if (!shape.ok()) return shape.status();
  if (shape->num_elements() != input.num_elements()) {
    return InvalidArgumentError(StrCat("Input to reshape is a tensor with ", input.num_elements(),
                                       " values, but the requested shape has ",
                                       shape->num_elements()));
  }
  ctx->set_output(0, Reshaped(input, *shape));
  return OkStatus();
}

Status ShapeOp(OpKernelContext* ctx) {
  const TensorShape& shape = ctx->input(0).shape();
  TFCKPT_ASSIGN_OR_RETURN(DataType out_type, ctx->node().AttrType("out_type"));
  TFCKPT_ASSIGN_OR_RETURN(Tensor * out,
                          ctx->AllocateOutput(0, out_type, TensorShape{shape.rank()}));
  for (int i = 0; i < shape.rank(); ++i) {
    if (out_type == tensorflow::DT_INT32) {
      if (shape.dim(i) > INT32_MAX) {
        return InvalidArgumentError(StrCat("Shape output type is 32-bit ", " but dim ", i,
                                           " is ", shape.dim(i)));
      }
      out->mutable_flat<int32_t>()[i] = static_cast<int32_t>(shape.dim(i));
    } else {
      out->mutable_flat<int64_t>()[i] = shape.dim(i);
    }
  }
  return OkStatus();
}

Status FillOp(OpKernelContext* ctx) {
  const Tensor& dims = ctx->input(0);
  const Tensor& value = ctx->input(1);
  if (!IsVector(dims) && !IsScalar(dims)) {
    return InvalidArgumentError(StrCat("dims must represent a vector, got shape ",
                                       dims.shape().DebugString()));
  }
  if (!IsScalar(value) && !(IsVector(value) && value.num_elements() == 1)) {
    return InvalidArgumentError(StrCat("value must represent a scalar, got shape ",
                                       value.shape().DebugString()));
  }
  TensorShape shape;
  TFCKPT_RETURN_IF_ERROR(MakeShape(dims, &shape));
  TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, value.dtype(), shape));
  for (int64_t i = 0; i < shape.num_elements(); ++i) CopyElements(value, 0, out, i, 1);
  return OkStatus();
}

Status ZerosLikeOp(OpKernelContext* ctx) {
  const Tensor& x = ctx->input(0);
  if (!tensor::IsMemcpyable(x.dtype()) && !x.is_string()) {
    return UnimplementedError(StrCat("ZerosLike is not implemented for dtype ",
                                     tensor::DataTypeName(x.dtype()), " in tfckpt"));
  }
  return ctx->AllocateOutput(0, x.dtype(), x.shape()).status();
}

Status OnesLikeOp(OpKernelContext* ctx) {
  const Tensor& x = ctx->input(0);
  return Dispatch<kNumberTypes | kBoolType>(x.dtype(), "OnesLike", [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, x.dtype(), x.shape()));
    T* o = MutableData<T>(out);
    for (int64_t i = 0; i < x.num_elements(); ++i) o[i] = T(1);
    return OkStatus();
  });
}

Status PackOp(OpKernelContext* ctx) {
  TFCKPT_ASSIGN_OR_RETURN(int64_t axis_attr, ctx->node().AttrInt("axis"));
  const int num = ctx->num_inputs();
  const Tensor& first = ctx->input(0);
  const int expanded = first.shape().rank() + 1;
  int64_t axis = axis_attr < 0 ? axis_attr + expanded : axis_attr;
  if (axis < 0 || axis >= expanded) {
    return InvalidArgumentError(StrCat("axis = ", axis_attr, " not in [", -expanded, ", ",
                                       expanded, ")"));
  }
  for (int i = 1; i < num; ++i) {
    if (ctx->input(i).shape() != first.shape()) {
      return InvalidArgumentError(StrCat("Shapes of all inputs must match: values[0].shape = ",
                                         first.shape().DebugString(), " != values[", i,
                                         "].shape = ", ctx->input(i).shape().DebugString()));
    }
  }
  std::vector<int64_t> dims = first.shape().dims();
  dims.insert(dims.begin() + axis, num);
  TFCKPT_ASSIGN_OR_RETURN(TensorShape shape, TensorShape::Make(dims));
  TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, first.dtype(), shape));
  int64_t before = 1, after = 1;
  for (int d = 0; d < first.shape().rank(); ++d) (d < axis ? before : after) *= first.shape().dim(d);
  for (int64_t b = 0; b < before; ++b) {
    for (int i = 0; i < num; ++i) {
      CopyElements(ctx->input(i), b * after, out, (b * num + i) * after, after);
    }
  }
  return OkStatus();
}

Status ConcatV2Op(OpKernelContext* ctx) {
  const int n = ctx->num_inputs() - 1;
  const Tensor& axis_t = ctx->input(n);
  if (!IsScalar(axis_t) && !(IsVector(axis_t) && axis_t.num_elements() == 1)) {
    return InvalidArgumentError(StrCat("axis tensor should be a scalar integer, but got shape ",
                                       axis_t.shape().DebugString()));
  }
  const int64_t concat_dim = IntValues(axis_t)[0];
  const Tensor& first = ctx->input(0);
  const int rank = first.shape().rank();
  const int64_t axis = concat_dim < 0 ? concat_dim + rank : concat_dim;
  if (axis < 0 || axis >= rank) {
    return InvalidArgumentError(StrCat(
        "ConcatOp : Expected concatenating dimensions in the range [", -rank, ", ", rank,
        "), but got ", concat_dim));
  }
  int64_t total = 0;
  for (int i = 0; i < n; ++i) {
    const TensorShape& s = ctx->input(i).shape();
    if (s.rank() != rank) {
      return InvalidArgumentError(StrCat(
          "ConcatOp : Ranks of all input tensors should match: shape[0] = ",
          first.shape().DebugString(), " vs. shape[", i, "] = ", s.DebugString()));
    }
    for (int d = 0; d < rank; ++d) {
      if (d != axis && s.dim(d) != first.shape().dim(d)) {
        return InvalidArgumentError(StrCat(
            "ConcatOp : Dimension ", d, " in both shapes must be equal: shape[0] = ",
            first.shape().DebugString(), " vs. shape[", i, "] = ", s.DebugString()));
      }
    }
    total += s.dim(static_cast<int>(axis));
  }
  std::vector<int64_t> dims = first.shape().dims();
  dims[axis] = total;
  TFCKPT_ASSIGN_OR_RETURN(TensorShape shape, TensorShape::Make(dims));
  TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, first.dtype(), shape));
  int64_t outer = 1;
  for (int d = 0; d < axis; ++d) outer *= dims[d];
  int64_t pos = 0;
  for (int64_t r = 0; r < outer; ++r) {
    for (int i = 0; i < n; ++i) {
      const Tensor& in = ctx->input(i);
      const int64_t chunk = outer == 0 ? 0 : in.num_elements() / outer;
      CopyElements(in, r * chunk, out, pos, chunk);
      pos += chunk;
    }
  }
  return OkStatus();
}

// Select (v1): scalar condition, a condition vector selecting rows, or an
// elementwise condition of the same shape.
Status SelectOp(OpKernelContext* ctx) {
  const Tensor& cond = ctx->input(0);
  const Tensor& then = ctx->input(1);
  const Tensor& other = ctx->input(2);
  if (then.shape() != other.shape()) {
    return InvalidArgumentError(StrCat("'then' and 'else' must have the same size.  but received: ",
                                       then.shape().DebugString(), " vs. ",
                                       other.shape().DebugString()));
  }
  TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, then.dtype(), then.shape()));
  const bool* c = cond.flat<bool>();
  if (IsScalar(cond)) {
    CopyElements(c[0] ? then : other, 0, out, 0, then.num_elements());
    return OkStatus();
  }
  if (IsVector(cond) && !IsVector(then)) {
    if (then.shape().rank() < 1) {
      return InvalidArgumentError(StrCat("'then' must be at least a vector, but saw shape: ",
                                         then.shape().DebugString()));
    }
    if (then.shape().dim(0) != cond.num_elements()) {
      return InvalidArgumentError(StrCat(
          "Number of batches of 'then' must match size of 'cond', but saw: ", then.shape().dim(0),
          " vs. ", cond.num_elements()));
    }
    const int64_t row = cond.num_elements() == 0 ? 0 : then.num_elements() / cond.num_elements();
    for (int64_t r = 0; r < cond.num_elements(); ++r) {
      CopyElements(c[r] ? then : other, r * row, out, r * row, row);
    }
    return OkStatus();
  }
  if (cond.shape() != then.shape()) {
    return InvalidArgumentError(StrCat("Inputs to operation ", ctx->node().name(), " of type ",
                                       ctx->node().op(),
                                       " must have the same size and shape.  Input 0: ",
                                       cond.shape().DebugString(), " != input 1: ",
                                       then.shape().DebugString()));
  }
  for (int64_t i = 0; i < then.num_elements(); ++i) CopyElements(c[i] ? then : other, i, out, i, 1);
  return OkStatus();
}

Status SelectV2Op(OpKernelContext* ctx) {
  const Tensor& cond = ctx->input(0);
  const Tensor& then = ctx->input(1);
  const Tensor& other = ctx->input(2);
  auto shape = BroadcastShape({cond.shape(), then.shape(), other.shape()});
  if (!shape.ok()) {
    return InvalidArgumentError(StrCat("condition ", cond.shape().DebugString(), ", then ",
                                       then.shape().DebugString(), ", and else ",
                                       other.shape().DebugString(), " must be broadcastable"));
  }
  TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, then.dtype(), *shape));
  const bool* c = cond.flat<bool>();
  ForEachBroadcast<3>(*shape,
                      {BroadcastStrides(cond.shape(), *shape), BroadcastStrides(then.shape(), *shape),
                       BroadcastStrides(other.shape(), *shape)},
                      [&](int64_t i, const std::array<int64_t, 3>& off) {
                        if (c[off[0]]) {
                          CopyElements(then, off[1], out, i, 1);
                        } else {
                          CopyElements(other, off[2], out, i, 1);
                        }
                      });
  return OkStatus();
}

}  // namespace

void RegisterArrayOps(OpRegistry* r) {
  r->Register(OpDefBuilder("Const").Output("output: dtype").Attr("value: tensor").Attr("dtype: type"),
              Kernel<ConstOp>());
  r->Register(OpDefBuilder("Placeholder")
                  .Output("output: dtype")
                  .Attr("dtype: type")
                  .Attr("shape: shape = { unknown_rank: true }"),
              Kernel<PlaceholderOp>());
  r->Register(OpDefBuilder("PlaceholderWithDefault")
                  .Input("input: dtype")
                  .Output("output: dtype")
                  .Attr("dtype: type")
                  .Attr("shape: shape"),
              FnKernel(ForwardAll));
  r->Register(OpDefBuilder("Identity").Input("input: T").Output("output: T").Attr("T: type"),
              FnKernel(ForwardAll));
  r->Register(OpDefBuilder("IdentityN").Input("input: T").Output("output: T").Attr("T: list(type) >= 1"),
              FnKernel(ForwardAll));
  r->Register(OpDefBuilder("NoOp"), FnKernel(NoOp));
  r->Register(OpDefBuilder("Reshape")
                  .Input("tensor: T")
                  .Input("shape: Tshape")
                  .Output("output: T")
                  .Attr("T: type")
                  .Attr("Tshape: {int32, int64} = DT_INT32"),
              FnKernel(ReshapeOp));
  r->Register(OpDefBuilder("Shape")
                  .Input("input: T")
                  .Output("output: out_type")
                  .Attr("T: type")
                  .Attr("out_type: {int32, int64} = DT_INT32"),
              FnKernel(ShapeOp));
  r->Register(OpDefBuilder("Fill")
                  .Input("dims: index_type")
                  .Input("value: T")
                  .Output("output: T")
                  .Attr("T: type")
                  .Attr("index_type: {int32, int64} = DT_INT32"),
              FnKernel(FillOp));
  r->Register(OpDefBuilder("ZerosLike").Input("x: T").Output("y: T").Attr("T: type"),
              FnKernel(ZerosLikeOp));
  r->Register(OpDefBuilder("OnesLike")
                  .Input("x: T")
                  .Output("y: T")
                  .Attr("T: {bfloat16, half, float, double, int8, uint8, int16, uint16, int32, "
                        "uint32, int64, uint64, complex64, complex128, bool}"),
              FnKernel(OnesLikeOp));
  r->Register(OpDefBuilder("Pack")
                  .Input("values: N * T")
                  .Output("output: T")
                  .Attr("N: int >= 1")
                  .Attr("T: type")
                  .Attr("axis: int = 0"),
              FnKernel(PackOp));
  r->Register(OpDefBuilder("ConcatV2")
                  .Input("values: N * T")
                  .Input("axis: Tidx")
                  .Output("output: T")
                  .Attr("N: int >= 2")
                  .Attr("T: type")
                  .Attr("Tidx: {int32, int64} = DT_INT32"),
              FnKernel(ConcatV2Op));
  r->Register(OpDefBuilder("Select")
                  .Input("condition: bool")
                  .Input("t: T")
                  .Input("e: T")
                  .Output("output: T")
                  .Attr("T: type"),
              FnKernel(SelectOp));
  r->Register(OpDefBuilder("SelectV2")
                  .Input("condition: bool")
                  .Input("t: T")
                  .Input("e: T")
                  .Output("output: T")
                  .Attr("T: type"),
              FnKernel(SelectV2Op));
}

}  // namespace tfckpt::graph
