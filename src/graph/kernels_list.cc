// TensorList ops (tensorflow/core/ops/list_ops.cc, kernels/list_kernels.h):
// what TF2 while loops (tf.while_loop in a tf.function, Keras' recurrent
// layers) read their inputs from and accumulate their outputs into:
// TensorListReserve, TensorListFromTensor, TensorListGetItem,
// TensorListSetItem, TensorListStack, TensorListLength.
//
// A list is a value (kernel.h's TensorList): SetItem outputs a new list whose
// items share buffers with the input's, so an update costs a copy of the
// item pointers (TF updates in place when it holds the only reference; the
// values are the same). An item never set reads as zeros of the list's
// element shape, which must then be fully defined -- TF's rule and texts.
#include "src/graph/kernel_util.h"
#include "src/graph/serving_ops.h"

namespace tfckpt::graph {
namespace {

// A partial shape from a shape tensor: a scalar -1 is an unknown rank, -1
// in a vector an unknown dimension (TF's TensorShapeFromTensor).
StatusOr<PartialShape> ShapeFromTensor(const Tensor& t) {
  tensorflow::TensorShapeProto p;
  if (IsScalar(t)) {
    if (IntValues(t)[0] != -1) {
      return InvalidArgumentError(StrCat("The only valid scalar shape tensor is the fully "
                                         "unknown shape specified as -1."));
    }
    p.set_unknown_rank(true);
  } else if (IsVector(t)) {
    for (int64_t d : IntValues(t)) {
      if (d < -1) return InvalidArgumentError(StrCat("Dimension ", d, " must be >= -1"));
      p.add_dim()->set_size(d);
    }
  } else {
    return InvalidArgumentError(StrCat("Shape must be at most rank 1 but is rank ",
                                       t.shape().rank()));
  }
  return PartialShape::FromProto(p);
}

// The most specific shape compatible with both (TF's MergeWith).
StatusOr<PartialShape> MergeShapes(const PartialShape& a, const PartialShape& b) {
  if (a.unknown_rank()) return b;
  if (b.unknown_rank()) return a;
  auto incompatible = [&] {
    return InvalidArgumentError(StrCat("Incompatible shapes during merge: ", a.DebugString(),
                                       " vs. ", b.DebugString()));
  };
  if (a.dims().size() != b.dims().size()) return incompatible();
  tensorflow::TensorShapeProto p;
  for (size_t i = 0; i < a.dims().size(); ++i) {
    const int64_t x = a.dims()[i], y = b.dims()[i];
    if (x >= 0 && y >= 0 && x != y) return incompatible();
    p.add_dim()->set_size(x >= 0 ? x : y);
  }
  return PartialShape::FromProto(p);
}

StatusOr<DataType> ElementDtype(const Node& node) { return node.AttrType("element_dtype"); }

// Input `i` as a list of the node's element_dtype.
StatusOr<const TensorList*> ListInput(OpKernelContext* ctx, int i) {
  const TensorList* list = ctx->input_value(i).list.get();
  TFCKPT_ASSIGN_OR_RETURN(DataType want, ElementDtype(ctx->node()));
  if (list->element_dtype != want) {
    return InvalidArgumentError(StrCat("Invalid data types; op elements ",
                                       tensor::DataTypeName(want), " but list elements ",
                                       tensor::DataTypeName(list->element_dtype)));
  }
  return list;
}

StatusOr<int64_t> ScalarInt(const Tensor& t, const char* what) {
  if (!IsScalar(t)) {
    return InvalidArgumentError(StrCat(what, " must be a scalar, but got shape ",
                                       t.shape().DebugString()));
  }
  return IntValues(t)[0];
}

void SetListOutput(OpKernelContext* ctx, int i, TensorList list) {
  Value v;
  v.list = std::make_shared<const TensorList>(std::move(list));
  ctx->set_output_value(i, std::move(v));
}

Status ReserveOp(OpKernelContext* ctx) {
  TensorList list;
  TFCKPT_ASSIGN_OR_RETURN(list.element_dtype, ElementDtype(ctx->node()));
  TFCKPT_ASSIGN_OR_RETURN(list.element_shape, ShapeFromTensor(ctx->input(0)));
  TFCKPT_ASSIGN_OR_RETURN(int64_t n, ScalarInt(ctx->input(1), "num_elements"));
  if (n < 0) {
    return InvalidArgumentError(StrCat(
        "The num_elements to reserve must be a non negative number, but got ", n));
  }
  // Each item costs at least a Tensor object; bounded like an allocation.
  if (static_cast<uint64_t>(n) > ctx->options().max_tensor_bytes / sizeof(Tensor)) {
    return ResourceExhaustedError(StrCat("OOM when reserving a TensorList of ", n, " elements"));
  }
  list.items.resize(n);
  SetListOutput(ctx, 0, std::move(list));
  return OkStatus();
}

Status FromTensorOp(OpKernelContext* ctx) {
  const Tensor& t = ctx->input(0);
  if (t.shape().rank() < 1) {
    return InvalidArgumentError(StrCat("Tensor must be at least a vector, but saw shape: ",
                                       t.shape().DebugString()));
  }
  TensorList list;
  list.element_dtype = t.dtype();
  TFCKPT_ASSIGN_OR_RETURN(list.element_shape, ShapeFromTensor(ctx->input(1)));
  std::vector<int64_t> item_dims(t.shape().dims().begin() + 1, t.shape().dims().end());
  TFCKPT_ASSIGN_OR_RETURN(TensorShape item_shape, TensorShape::Make(item_dims));
  if (!list.element_shape.IsCompatibleWith(item_shape)) {
    return InvalidArgumentError(StrCat("Specified a list with shape ",
                                       list.element_shape.DebugString(),
                                       " from a tensor with shape ", t.shape().DebugString()));
  }
  const int64_t n = t.shape().dim(0);
  const int64_t per = item_shape.num_elements();
  for (int64_t i = 0; i < n; ++i) {
    TFCKPT_ASSIGN_OR_RETURN(Tensor item, ctx->Allocate(t.dtype(), item_shape));
    CopyElements(t, i * per, &item, 0, per);
    list.items.push_back(std::move(item));
  }
  SetListOutput(ctx, 0, std::move(list));
  return OkStatus();
}

Status GetItemOp(OpKernelContext* ctx) {
  TFCKPT_ASSIGN_OR_RETURN(const TensorList* list, ListInput(ctx, 0));
  TFCKPT_ASSIGN_OR_RETURN(int64_t index, ScalarInt(ctx->input(1), "index"));
  const int64_t n = static_cast<int64_t>(list->items.size());
  if (index < 0 || index >= n) {
    return InvalidArgumentError(StrCat("Trying to access element ", index, " in a list with ",
                                       n, " elements."));
  }
  const Tensor& item = list->items[index];
  if (item.dtype() != tensorflow::DT_INVALID) {
    ctx->set_output(0, item);
    return OkStatus();
  }
  TFCKPT_ASSIGN_OR_RETURN(PartialShape want, ShapeFromTensor(ctx->input(2)));
  TFCKPT_ASSIGN_OR_RETURN(PartialShape shape, MergeShapes(list->element_shape, want));
  std::optional<TensorShape> full = shape.AsTensorShape();
  if (!full) {
    return InvalidArgumentError(StrCat("Trying to read an uninitialized tensor but "
                                       "element_shape is not fully defined: ",
                                       shape.DebugString(), " and no list element is set."));
  }
  TFCKPT_ASSIGN_OR_RETURN(Tensor zeros, ctx->Allocate(list->element_dtype, *full));
  ctx->set_output(0, std::move(zeros));
  return OkStatus();
}

class SetItemOp : public OpKernel {
 public:
  Status Init(const Node& node, const KernelOptions&) override {
    const tensorflow::AttrValue* v = node.FindAttr("resize_if_index_out_of_bounds");
    resize_ = v != nullptr && v->b();
    return OkStatus();
  }
  Status Compute(OpKernelContext* ctx) override {
    TFCKPT_ASSIGN_OR_RETURN(const TensorList* in, ListInput(ctx, 0));
    TFCKPT_ASSIGN_OR_RETURN(int64_t index, ScalarInt(ctx->input(1), "index"));
    const Tensor& item = ctx->input(2);
    const int64_t n = static_cast<int64_t>(in->items.size());
    if (index < 0 || (index >= n && !resize_)) {
      return InvalidArgumentError(StrCat("Trying to modify element ", index, " in a list with ",
                                         n, " elements."));
    }
    if (!in->element_shape.IsCompatibleWith(item.shape())) {
      return InvalidArgumentError(StrCat(
          "Tried to set a tensor with incompatible shape at a list index. Item element shape: ",
          item.shape().DebugString(), " list shape: ", in->element_shape.DebugString()));
    }
    if (index >= n && static_cast<uint64_t>(index) >=
                          ctx->options().max_tensor_bytes / sizeof(Tensor)) {
      return ResourceExhaustedError(StrCat("OOM when resizing a TensorList to ", index + 1,
                                           " elements"));
    }
    TensorList out = *in;
    if (index >= n) out.items.resize(index + 1);
    out.items[index] = item;
    SetListOutput(ctx, 0, std::move(out));
    return OkStatus();
  }

 private:
  bool resize_ = false;
};

class StackOp : public OpKernel {
 public:
  Status Init(const Node& node, const KernelOptions&) override {
    const tensorflow::AttrValue* v = node.FindAttr("num_elements");
    num_elements_ = v != nullptr ? v->i() : -1;
    return OkStatus();
  }
  Status Compute(OpKernelContext* ctx) override {
    TFCKPT_ASSIGN_OR_RETURN(const TensorList* list, ListInput(ctx, 0));
    const int64_t n = static_cast<int64_t>(list->items.size());
    if (num_elements_ != -1 && num_elements_ != n) {
      return InvalidArgumentError(StrCat("Operation expected a list with ", num_elements_,
                                         " elements but got a list with ", n, " elements."));
    }
    TFCKPT_ASSIGN_OR_RETURN(PartialShape want, ShapeFromTensor(ctx->input(1)));
    TFCKPT_ASSIGN_OR_RETURN(PartialShape shape, MergeShapes(list->element_shape, want));
    // A partial shape is completed by the first item that is set.
    for (const Tensor& item : list->items) {
      if (shape.IsFullyDefined()) break;
      if (item.dtype() != tensorflow::DT_INVALID) {
        TFCKPT_ASSIGN_OR_RETURN(shape, MergeShapes(shape, PartialShape::Known(item.shape())));
      }
    }
    std::optional<TensorShape> element = shape.AsTensorShape();
    if (!element) {
      return InvalidArgumentError(StrCat(
          n == 0 ? "Tried to stack elements of an empty list with non-fully-defined "
                   "element_shape: "
                 : "Tried to stack list which only contains uninitialized tensors and has a "
                   "non-fully-defined element_shape: ",
          shape.DebugString()));
    }
    std::vector<int64_t> dims{n};
    dims.insert(dims.end(), element->dims().begin(), element->dims().end());
    TFCKPT_ASSIGN_OR_RETURN(TensorShape out_shape, TensorShape::Make(dims));
    TFCKPT_ASSIGN_OR_RETURN(Tensor * out,
                            ctx->AllocateOutput(0, list->element_dtype, out_shape));
    const int64_t per = element->num_elements();
    for (int64_t i = 0; i < n; ++i) {
      const Tensor& item = list->items[i];
      if (item.dtype() == tensorflow::DT_INVALID) continue;  // zeros
      if (item.shape() != *element) {
        return InvalidArgumentError(StrCat("Incompatible shapes during merge: ",
                                           element->DebugString(), " vs. ",
                                           item.shape().DebugString()));
      }
      CopyElements(item, 0, out, i * per, per);
    }
    return OkStatus();
  }

 private:
  int64_t num_elements_ = -1;
};

Status LengthOp(OpKernelContext* ctx) {
  const TensorList* list = ctx->input_value(0).list.get();
  TFCKPT_ASSIGN_OR_RETURN(Tensor * out,
                          ctx->AllocateOutput(0, tensorflow::DT_INT32, TensorShape()));
  out->mutable_flat<int32_t>()[0] = static_cast<int32_t>(list->items.size());
  return OkStatus();
}

}  // namespace

void RegisterListOps(OpRegistry* r) {
  r->Register(OpDefBuilder("TensorListReserve")
                  .Input("element_shape: shape_type")
                  .Input("num_elements: int32")
                  .Output("handle: variant")
                  .Attr("element_dtype: type")
                  .Attr("shape_type: {int32, int64}"),
              FnKernel(ReserveOp));
  r->Register(OpDefBuilder("TensorListFromTensor")
                  .Input("tensor: element_dtype")
                  .Input("element_shape: shape_type")
                  .Output("output_handle: variant")
                  .Attr("element_dtype: type")
                  .Attr("shape_type: {int32, int64}"),
              FnKernel(FromTensorOp));
  r->Register(OpDefBuilder("TensorListGetItem")
                  .Input("input_handle: variant")
                  .Input("index: int32")
                  .Input("element_shape: Tshape")
                  .Output("item: element_dtype")
                  .Attr("element_dtype: type")
                  .Attr("Tshape: {int32, int64} = DT_INT32"),
              FnKernel(GetItemOp));
  r->Register(OpDefBuilder("TensorListSetItem")
                  .Input("input_handle: variant")
                  .Input("index: int32")
                  .Input("item: element_dtype")
                  .Output("output_handle: variant")
                  .Attr("element_dtype: type")
                  .Attr("resize_if_index_out_of_bounds: bool = false"),
              Kernel<SetItemOp>());
  r->Register(OpDefBuilder("TensorListStack")
                  .Input("input_handle: variant")
                  .Input("element_shape: int32")
                  .Output("tensor: element_dtype")
                  .Attr("element_dtype: type")
                  .Attr("num_elements: int = -1"),
              Kernel<StackOp>());
  r->Register(OpDefBuilder("TensorListLength")
                  .Input("input_handle: variant")
                  .Output("length: int32"),
              FnKernel(LengthOp));
}

}  // namespace tfckpt::graph
