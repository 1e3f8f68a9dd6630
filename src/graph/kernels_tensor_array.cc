// TensorArray ops, V3 (tensorflow/core/ops/data_flow_ops.cc,
// kernels/tensor_array_ops.cc, tensor_array.h): what tf.nn.dynamic_rnn and
// TF1's tf.while_loop accumulators read their inputs from and write their
// outputs into. TensorArrayV3, TensorArrayWriteV3, TensorArrayReadV3,
// TensorArrayGatherV3, TensorArrayScatterV3, TensorArraySizeV3,
// TensorArrayCloseV3.
//
// Unlike a TensorList a TensorArray is state: each run of TensorArrayV3
// creates one (kernel.h's TensorArray, carried by its DT_RESOURCE handle),
// writes change it in place, and the float `flow` edges only order the ops
// (each op passes flow_in on as flow_out). TF's rules and texts: an index is
// written once; with clear_after_read (the default) read once; an array
// without dynamic_size does not grow; written values have the dtype and a
// shape compatible with the element shape (fixed by the first write with
// identical_element_shapes).
#include <atomic>

#include "src/graph/kernel_util.h"
#include "src/graph/serving_ops.h"

namespace tfckpt::graph {
namespace {

constexpr DataType kFlow = tensorflow::DT_FLOAT;

// Arrays are named as TF names them: tensor_array_name (or the node's name)
// and a process-wide counter.
std::atomic<int64_t> array_counter{0};

StatusOr<TensorArray*> ArrayInput(OpKernelContext* ctx) {
  const ResourceHandle* h = ctx->resource_input(0);
  if (h == nullptr || h->tensor_array == nullptr) {
    return InvalidArgumentError(StrCat("Input 0 of ", ctx->node().op(), " ", ctx->node().name(),
                                       " is not a TensorArray handle"));
  }
  TensorArray* a = h->tensor_array.get();
  if (a->closed) {
    return InvalidArgumentError(StrCat("TensorArray ", a->name, " has already been closed."));
  }
  return a;
}

StatusOr<int32_t> ScalarIndex(const Tensor& t, const char* what) {
  if (t.shape().rank() != 0) {
    return InvalidArgumentError(StrCat("TensorArray ", what, " must be scalar, but had shape: ",
                                       t.shape().DebugString()));
  }
  return t.flat<int32_t>()[0];
}

// Room for `n` items, within the session's allocation bound.
Status CheckItems(const OpKernelContext* ctx, int64_t n) {
  if (static_cast<uint64_t>(n) > ctx->options().max_tensor_bytes / sizeof(TensorArray::Item)) {
    return ResourceExhaustedError(StrCat("OOM when allocating a TensorArray of ", n, " elements"));
  }
  return OkStatus();
}

// TensorArray::LockedWriteOrAggregate (no aggregation: multiple writes are
// for gradients, which this engine does not build).
Status Write(OpKernelContext* ctx, TensorArray* a, int64_t index, Tensor value) {
  const int64_t size = static_cast<int64_t>(a->items.size());
  if (index < 0 || (!a->dynamic_size && index >= size)) {
    return InvalidArgumentError(StrCat("TensorArray ", a->name, ": Tried to write to index ",
                                       index, " but array is not resizeable and size is: ",
                                       size));
  }
  if (index >= size) {
    TFCKPT_RETURN_IF_ERROR(CheckItems(ctx, index + 1));
    a->items.resize(index + 1);
  }
  TensorArray::Item& item = a->items[index];
  if (value.dtype() != a->dtype) {
    return InvalidArgumentError(StrCat(
        "TensorArray ", a->name, ": Could not write to TensorArray index ", index,
        " because the value dtype is ", tensor::DataTypeName(value.dtype()),
        " but TensorArray dtype is ", tensor::DataTypeName(a->dtype), "."));
  }
  if (!a->element_shape.IsCompatibleWith(value.shape())) {
    return InvalidArgumentError(StrCat(
        "TensorArray ", a->name, ": Could not write to TensorArray index ", index,
        " because the value shape is ", value.shape().DebugString(),
        " which is incompatible with the TensorArray's inferred element shape: ",
        a->element_shape.DebugString(), " (consider setting infer_shape=False)."));
  }
  if (a->identical_element_shapes && !a->element_shape.IsFullyDefined()) {
    a->element_shape = PartialShape::Known(value.shape());
  }
  if (item.read) {
    return InvalidArgumentError(StrCat("TensorArray ", a->name,
                                       ": Could not write to TensorArray index ", index,
                                       " because it has already been read."));
  }
  if (item.written) {
    return InvalidArgumentError(StrCat("TensorArray ", a->name,
                                       ": Could not write to TensorArray index ", index,
                                       " because it has already been written to."));
  }
  item.tensor = std::move(value);
  item.written = true;
  return OkStatus();
}

// TensorArray::LockedRead.
StatusOr<Tensor> Read(TensorArray* a, int64_t index) {
  const int64_t size = static_cast<int64_t>(a->items.size());
  if (index < 0 || index >= size) {
    return InvalidArgumentError(StrCat("Tried to read from index ", index,
                                       " but array size is: ", size));
  }
  TensorArray::Item& item = a->items[index];
  if (!item.written) {
    return InvalidArgumentError(StrCat("TensorArray ", a->name,
                                       ": Could not read from TensorArray index ", index,
                                       " because it has not yet been written to."));
  }
  if (item.cleared) {
    return InvalidArgumentError(StrCat(
        "TensorArray ", a->name, ": Could not read index ", index,
        " twice because it was cleared after a previous read (perhaps try setting "
        "clear_after_read = false?)."));
  }
  Tensor value = item.tensor;
  if (a->clear_after_read) {
    item.tensor = Tensor();
    item.cleared = true;
  }
  item.read = true;
  return value;
}

// The dtype attr of a reading op must be the array's.
Status CheckReadDtype(const OpKernelContext* ctx, const TensorArray* a) {
  TFCKPT_ASSIGN_OR_RETURN(DataType want, ctx->node().AttrType("dtype"));
  if (want != a->dtype) {
    return InvalidArgumentError(StrCat("TensorArray dtype is ", tensor::DataTypeName(a->dtype),
                                       " but Op requested dtype ", tensor::DataTypeName(want),
                                       "."));
  }
  return OkStatus();
}

class CreateOp : public OpKernel {
 public:
  Status Init(const Node& node, const KernelOptions&) override {
    TFCKPT_ASSIGN_OR_RETURN(dtype_, node.AttrType("dtype"));
    TFCKPT_ASSIGN_OR_RETURN(element_shape_, node.AttrShape("element_shape"));
    TFCKPT_ASSIGN_OR_RETURN(dynamic_size_, node.AttrBool("dynamic_size"));
    TFCKPT_ASSIGN_OR_RETURN(clear_after_read_, node.AttrBool("clear_after_read"));
    TFCKPT_ASSIGN_OR_RETURN(identical_, node.AttrBool("identical_element_shapes"));
    TFCKPT_ASSIGN_OR_RETURN(name_, node.AttrString("tensor_array_name"));
    if (name_.empty()) name_ = node.name();
    return OkStatus();
  }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& size = ctx->input(0);
    if (size.shape().rank() != 0) {
      return InvalidArgumentError(StrCat("TensorArray size must be scalar, but had shape: ",
                                         size.shape().DebugString()));
    }
    const int32_t n = size.flat<int32_t>()[0];
    if (n < 0) return InvalidArgumentError("Size should be >= 0.");
    TFCKPT_RETURN_IF_ERROR(CheckItems(ctx, n));
    auto array = std::make_shared<TensorArray>();
    array->name = StrCat(name_, "_", array_counter.fetch_add(1));
    array->dtype = dtype_;
    array->element_shape = element_shape_;
    array->dynamic_size = dynamic_size_;
    array->clear_after_read = clear_after_read_;
    array->identical_element_shapes = identical_;
    array->items.resize(n);
    auto handle = std::make_shared<ResourceHandle>();
    handle->container = "_tensor_arrays";
    handle->name = array->name;
    handle->dtype = dtype_;
    handle->shape = element_shape_;
    handle->tensor_array = std::move(array);
    ctx->set_output_value(0, Value{Tensor(), nullptr, std::move(handle)});
    TFCKPT_ASSIGN_OR_RETURN(Tensor * flow, ctx->AllocateOutput(1, kFlow, TensorShape{}));
    flow->mutable_flat<float>()[0] = 0;
    return OkStatus();
  }

 private:
  DataType dtype_ = tensorflow::DT_INVALID;
  PartialShape element_shape_;
  bool dynamic_size_ = false;
  bool clear_after_read_ = true;
  bool identical_ = false;
  std::string name_;
};

Status WriteOp(OpKernelContext* ctx) {
  TFCKPT_ASSIGN_OR_RETURN(TensorArray * a, ArrayInput(ctx));
  TFCKPT_ASSIGN_OR_RETURN(int32_t index, ScalarIndex(ctx->input(1), "index"));
  TFCKPT_RETURN_IF_ERROR(Write(ctx, a, index, ctx->input(2)));
  ctx->set_output(0, ctx->input(3));
  return OkStatus();
}

Status ReadOp(OpKernelContext* ctx) {
  TFCKPT_ASSIGN_OR_RETURN(TensorArray * a, ArrayInput(ctx));
  TFCKPT_RETURN_IF_ERROR(CheckReadDtype(ctx, a));
  TFCKPT_ASSIGN_OR_RETURN(int32_t index, ScalarIndex(ctx->input(1), "index"));
  TFCKPT_ASSIGN_OR_RETURN(Tensor value, Read(a, index));
  ctx->set_output(0, std::move(value));
  return OkStatus();
}

StatusOr<const Tensor*> IndicesInput(const OpKernelContext* ctx) {
  const Tensor& indices = ctx->input(1);
  if (indices.shape().rank() != 1) {
    return InvalidArgumentError(StrCat("indices must be a vector, saw shape: ",
                                       indices.shape().DebugString()));
  }
  return &indices;
}

// TensorArrayPackOrGatherOp: the items at `indices`, stacked; all of one
// shape. Without indices, the element_shape attr must be fully defined.
Status GatherOp(OpKernelContext* ctx) {
  TFCKPT_ASSIGN_OR_RETURN(TensorArray * a, ArrayInput(ctx));
  TFCKPT_RETURN_IF_ERROR(CheckReadDtype(ctx, a));
  TFCKPT_ASSIGN_OR_RETURN(const Tensor* indices, IndicesInput(ctx));
  const int64_t n = indices->num_elements();
  std::vector<Tensor> items;
  for (int64_t i = 0; i < n; ++i) {
    TFCKPT_ASSIGN_OR_RETURN(Tensor item, Read(a, indices->flat<int32_t>()[i]));
    if (i > 0 && item.shape() != items[0].shape()) {
      return InvalidArgumentError(StrCat("TensorArray has inconsistent shapes.  Index 0 has shape: ",
                                         items[0].shape().DebugString(), " but index ", i,
                                         " has shape: ", item.shape().DebugString()));
    }
    items.push_back(std::move(item));
  }
  std::optional<TensorShape> element;
  if (n > 0) {
    element = items[0].shape();
  } else {
    TFCKPT_ASSIGN_OR_RETURN(PartialShape attr, ctx->node().AttrShape("element_shape"));
    element = attr.AsTensorShape();
    if (!element) {
      return UnimplementedError(StrCat(
          "TensorArray has size zero, but element shape ", attr.DebugString(),
          " is not fully defined. Currently only static shapes are supported when packing "
          "zero-size TensorArrays."));
    }
  }
  std::vector<int64_t> dims{n};
  dims.insert(dims.end(), element->dims().begin(), element->dims().end());
  TFCKPT_ASSIGN_OR_RETURN(TensorShape shape, TensorShape::Make(dims));
  TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, a->dtype, shape));
  const int64_t per = element->num_elements();
  for (int64_t i = 0; i < n; ++i) CopyElements(items[i], 0, out, i * per, per);
  return OkStatus();
}

// TensorArrayUnpackOrScatterOp: value[k] is written to index indices[k].
Status ScatterOp(OpKernelContext* ctx) {
  TFCKPT_ASSIGN_OR_RETURN(TensorArray * a, ArrayInput(ctx));
  TFCKPT_ASSIGN_OR_RETURN(const Tensor* indices, IndicesInput(ctx));
  const Tensor& value = ctx->input(2);
  if (value.dtype() != a->dtype) {
    return InvalidArgumentError(StrCat("TensorArray dtype is ", tensor::DataTypeName(a->dtype),
                                       " but Op is trying to write dtype ",
                                       tensor::DataTypeName(value.dtype()), "."));
  }
  if (value.shape().rank() < 1) {
    return InvalidArgumentError(StrCat("Input value for unpack must be at least a vector, got: ",
                                       value.shape().DebugString()));
  }
  const int64_t n = indices->num_elements();
  if (value.shape().dim(0) != n) {
    return InvalidArgumentError(StrCat("Expected len(indices) == values.shape[0], but saw: ", n,
                                       " vs. ", value.shape().dim(0)));
  }
  const int32_t* idx = indices->flat<int32_t>();
  if (!a->dynamic_size && n > 0) {
    const int32_t max_index = *std::max_element(idx, idx + n);
    if (max_index >= static_cast<int64_t>(a->items.size())) {
      return InvalidArgumentError(StrCat("Max scatter index must be < array size (", max_index,
                                         " vs. ", a->items.size(), ")"));
    }
  }
  std::vector<int64_t> item_dims(value.shape().dims().begin() + 1, value.shape().dims().end());
  TFCKPT_ASSIGN_OR_RETURN(TensorShape item_shape, TensorShape::Make(item_dims));
  const int64_t per = item_shape.num_elements();
  for (int64_t k = 0; k < n; ++k) {
    TFCKPT_ASSIGN_OR_RETURN(Tensor item, ctx->Allocate(value.dtype(), item_shape));
    CopyElements(value, k * per, &item, 0, per);
    TFCKPT_RETURN_IF_ERROR(Write(ctx, a, idx[k], std::move(item)));
  }
  ctx->set_output(0, ctx->input(3));
  return OkStatus();
}

Status SizeOp(OpKernelContext* ctx) {
  TFCKPT_ASSIGN_OR_RETURN(TensorArray * a, ArrayInput(ctx));
  TFCKPT_ASSIGN_OR_RETURN(Tensor * out,
                          ctx->AllocateOutput(0, tensorflow::DT_INT32, TensorShape{}));
  out->mutable_flat<int32_t>()[0] = static_cast<int32_t>(a->items.size());
  return OkStatus();
}

Status CloseOp(OpKernelContext* ctx) {
  TFCKPT_ASSIGN_OR_RETURN(TensorArray * a, ArrayInput(ctx));
  a->items.clear();
  a->closed = true;
  return OkStatus();
}

}  // namespace

void RegisterTensorArrayOps(OpRegistry* r) {
  r->Register(OpDefBuilder("TensorArrayV3")
                  .Input("size: int32")
                  .Output("handle: resource")
                  .Output("flow: float")
                  .Attr("dtype: type")
                  .Attr("element_shape: shape = { unknown_rank: true }")
                  .Attr("dynamic_size: bool = false")
                  .Attr("clear_after_read: bool = true")
                  .Attr("identical_element_shapes: bool = false")
                  .Attr("tensor_array_name: string = ''")
                  .SetIsStateful(),
              Kernel<CreateOp>());
  r->Register(OpDefBuilder("TensorArrayWriteV3")
                  .Input("handle: resource")
                  .Input("index: int32")
                  .Input("value: T")
                  .Input("flow_in: float")
                  .Output("flow_out: float")
                  .Attr("T: type"),
              FnKernel(WriteOp));
  r->Register(OpDefBuilder("TensorArrayReadV3")
                  .Input("handle: resource")
                  .Input("index: int32")
                  .Input("flow_in: float")
                  .Output("value: dtype")
                  .Attr("dtype: type"),
              FnKernel(ReadOp));
  r->Register(OpDefBuilder("TensorArrayGatherV3")
                  .Input("handle: resource")
                  .Input("indices: int32")
                  .Input("flow_in: float")
                  .Output("value: dtype")
                  .Attr("dtype: type")
                  .Attr("element_shape: shape = { unknown_rank: true }"),
              FnKernel(GatherOp));
  r->Register(OpDefBuilder("TensorArrayScatterV3")
                  .Input("handle: resource")
                  .Input("indices: int32")
                  .Input("value: T")
                  .Input("flow_in: float")
                  .Output("flow_out: float")
                  .Attr("T: type"),
              FnKernel(ScatterOp));
  r->Register(OpDefBuilder("TensorArraySizeV3")
                  .Input("handle: resource")
                  .Input("flow_in: float")
                  .Output("size: int32"),
              FnKernel(SizeOp));
  r->Register(OpDefBuilder("TensorArrayCloseV3").Input("handle: resource"), FnKernel(CloseOp));
}

}  // namespace tfckpt::graph
