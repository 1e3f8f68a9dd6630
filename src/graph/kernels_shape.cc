// Shape helpers and gathers Keras and tf.nn graphs use
// (tensorflow/core/ops/array_ops.cc, math_ops.cc, resource_variable_ops.cc):
// ExpandDims, Squeeze, Range, GatherV2, ResourceGather.
//
// ExpandDims and Squeeze forward their input's buffer under the new shape.
// Gathers copy rows (batch_dims = 0 only; other values are Unimplemented)
// and refuse an out-of-range index with TF's text
// "indices[1,2] = 20 is not in [0, 20)".
#include <cmath>

#include "src/graph/kernel_util.h"
#include "src/graph/serving_ops.h"

namespace tfckpt::graph {
namespace {

Status ExpandDimsOp(OpKernelContext* ctx) {
  const Tensor& x = ctx->input(0);
  const Tensor& dim_t = ctx->input(1);
  if (dim_t.num_elements() != 1) {
    return InvalidArgumentError("'dim' must be a tensor with a single value");
  }
  const int64_t dim = IntValues(dim_t)[0];
  const int rank = x.shape().rank();
  if (dim < -1 - rank || dim > rank) {
    return InvalidArgumentError(StrCat("Tried to expand dim index ", dim, " for tensor with ",
                                       rank, " dimensions."));
  }
  std::vector<int64_t> dims(x.shape().dims().begin(), x.shape().dims().end());
  dims.insert(dims.begin() + (dim < 0 ? dim + rank + 1 : dim), 1);
  TFCKPT_ASSIGN_OR_RETURN(TensorShape shape, TensorShape::Make(dims));
  ctx->set_output(0, Reshaped(x, shape));
  return OkStatus();
}

class SqueezeOp : public OpKernel {
 public:
  Status Init(const Node& node, const KernelOptions&) override {
    const tensorflow::AttrValue* v = node.FindAttr("squeeze_dims");
    if (v != nullptr) squeeze_.assign(v->list().i().begin(), v->list().i().end());
    return OkStatus();
  }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& x = ctx->input(0);
    const int rank = x.shape().rank();
    std::vector<bool> drop(rank, false);
    for (int64_t d : squeeze_) {
      if (d < -rank || d >= rank) {
        return InvalidArgumentError(StrCat("Tried to squeeze dim index ", d, " for tensor with ",
                                           rank, " dimensions."));
      }
      drop[d < 0 ? d + rank : d] = true;
    }
    std::vector<int64_t> dims;
    for (int i = 0; i < rank; ++i) {
      const int64_t size = x.shape().dim(i);
      if (squeeze_.empty()) {
        if (size != 1) dims.push_back(size);
      } else if (drop[i]) {
        if (size != 1) {
          return InvalidArgumentError(StrCat("Can not squeeze dim[", i,
                                             "], expected a dimension of 1, got ", size));
        }
      } else {
        dims.push_back(size);
      }
    }
    TFCKPT_ASSIGN_OR_RETURN(TensorShape shape, TensorShape::Make(dims));
    ctx->set_output(0, Reshaped(x, shape));
    return OkStatus();
  }

 private:
  std::vector<int64_t> squeeze_;
};

Status RangeOp(OpKernelContext* ctx) {
  const char* names[] = {"start", "limit", "delta"};
  for (int i = 0; i < 3; ++i) {
    if (!IsScalar(ctx->input(i))) {
      return InvalidArgumentError(StrCat(names[i], " must be a scalar, not shape ",
                                         ctx->input(i).shape().DebugString()));
    }
  }
  const DataType dtype = ctx->input(0).dtype();
  return Dispatch<kFloatTypes | kSignedTypes | kUnsignedTypes | kHalfTypes>(
      dtype, "Range", [&](auto tag) -> Status {
        using T = typename decltype(tag)::type;
        const T start = ctx->input(0).flat<T>()[0];
        const T limit = ctx->input(1).flat<T>()[0];
        const T delta = ctx->input(2).flat<T>()[0];
        // Values as TF prints them (integers exactly).
        auto text = [](T v) -> std::string {
          if constexpr (std::is_integral_v<T>) {
            return std::to_string(v);
          } else {
            return StrCat(static_cast<double>(static_cast<float>(v)));
          }
        };
        const double s = static_cast<double>(static_cast<float>(start)),
                     l = static_cast<double>(static_cast<float>(limit)),
                     d = static_cast<double>(static_cast<float>(delta));
        if (delta == T(0)) return InvalidArgumentError(StrCat("Requires delta != 0: ", text(delta)));
        if (delta > T(0) && start > limit) {
          return InvalidArgumentError(StrCat("Requires start <= limit when delta > 0: ",
                                             text(start), "/", text(limit)));
        }
        if (delta < T(0) && start < limit) {
          return InvalidArgumentError(StrCat("Requires start >= limit when delta < 0: ",
                                             text(start), "/", text(limit)));
        }
        int64_t size;
        if constexpr (std::is_integral_v<T>) {
          const int64_t span = static_cast<int64_t>(limit) - static_cast<int64_t>(start);
          const int64_t step = static_cast<int64_t>(delta);
          size = (std::abs(span) + std::abs(step) - 1) / std::abs(step);
        } else {
          const double n = std::ceil(std::abs((l - s) / d));
          if (n > static_cast<double>(INT64_MAX)) {
            return InvalidArgumentError(StrCat("Requires ((limit - start) / delta) <= ", INT64_MAX));
          }
          size = static_cast<int64_t>(n);
        }
        TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, dtype, TensorShape({size})));
        T* o = out->mutable_flat<T>();
        T val = start;
        for (int64_t i = 0; i < size; ++i) {  // TF accumulates, not start + i * delta
          o[i] = val;
          val = static_cast<T>(val + delta);
        }
        return OkStatus();
      });
}

// "[1,2]" of flat index i in `shape` (TF's SliceDebugString).
std::string IndexString(const TensorShape& shape, int64_t i) {
  std::vector<int64_t> coords(shape.rank());
  for (int d = shape.rank() - 1; d >= 0; --d) {
    coords[d] = i % shape.dim(d);
    i /= shape.dim(d);
  }
  std::string s = "[";
  for (size_t d = 0; d < coords.size(); ++d) s += StrCat(d ? "," : "", coords[d]);
  return s + "]";
}

// Rows of `params` along `axis` picked by `indices`.
Status Gather(OpKernelContext* ctx, const Tensor& params, const Tensor& indices, int64_t axis) {
  const int rank = params.shape().rank();
  if (axis < -rank || axis >= rank) {
    return InvalidArgumentError(StrCat("Expected axis in the range [", -rank, ", ", rank,
                                       "), but got ", axis));
  }
  if (axis < 0) axis += rank;
  int64_t outer = 1, inner = 1;
  std::vector<int64_t> dims;
  for (int d = 0; d < axis; ++d) {
    outer *= params.shape().dim(d);
    dims.push_back(params.shape().dim(d));
  }
  for (int64_t d : indices.shape().dims()) dims.push_back(d);
  for (int d = axis + 1; d < rank; ++d) {
    inner *= params.shape().dim(d);
    dims.push_back(params.shape().dim(d));
  }
  const int64_t limit = params.shape().dim(axis);
  const std::vector<int64_t> idx = IntValues(indices);
  for (size_t i = 0; i < idx.size(); ++i) {
    if (idx[i] < 0 || idx[i] >= limit) {
      return InvalidArgumentError(StrCat("indices", IndexString(indices.shape(), i), " = ",
                                         idx[i], " is not in [0, ", limit, ")"));
    }
  }
  TFCKPT_ASSIGN_OR_RETURN(TensorShape shape, TensorShape::Make(dims));
  TFCKPT_ASSIGN_OR_RETURN(Tensor out, ctx->Allocate(params.dtype(), shape));
  const int64_t n = static_cast<int64_t>(idx.size());
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < n; ++i) {
      CopyElements(params, (o * limit + idx[i]) * inner, &out, (o * n + i) * inner, inner);
    }
  }
  ctx->set_output(0, std::move(out));
  return OkStatus();
}

Status CheckBatchDims(OpKernelContext* ctx) {
  TFCKPT_ASSIGN_OR_RETURN(int64_t batch_dims, ctx->node().AttrInt("batch_dims"));
  if (batch_dims != 0) {
    return UnimplementedError(StrCat(ctx->node().op(), " with batch_dims = ", batch_dims,
                                     " is not implemented in tfckpt"));
  }
  return OkStatus();
}

Status GatherV2Op(OpKernelContext* ctx) {
  TFCKPT_RETURN_IF_ERROR(CheckBatchDims(ctx));
  const Tensor& axis_t = ctx->input(2);
  if (axis_t.num_elements() != 1) {
    return InvalidArgumentError(StrCat("axis must be scalar but has rank ", axis_t.shape().rank()));
  }
  return Gather(ctx, ctx->input(0), ctx->input(1), IntValues(axis_t)[0]);
}

Status ResourceGatherOp(OpKernelContext* ctx) {
  TFCKPT_RETURN_IF_ERROR(CheckBatchDims(ctx));
  const ResourceHandle* h = ctx->resource_input(0);
  std::string why;
  auto var = ctx->state()->FindResourceVariable(*h, &why);
  if (var == nullptr) return NotFoundError(why);
  TFCKPT_ASSIGN_OR_RETURN(DataType dtype, ctx->node().AttrType("dtype"));
  if (var->dtype != dtype) {
    return InvalidArgumentError(StrCat("Trying to read variable with wrong dtype. Expected ",
                                       tensor::DataTypeName(dtype), " got ",
                                       tensor::DataTypeName(var->dtype)));
  }
  if (var->value.shape().rank() < 1) {
    return InvalidArgumentError("params must be at least 1 dimensional");
  }
  return Gather(ctx, var->value, ctx->input(1), 0);
}

}  // namespace

void RegisterShapeOps(OpRegistry* r) {
  r->Register(OpDefBuilder("ExpandDims")
                  .Input("input: T")
                  .Input("dim: Tdim")
                  .Output("output: T")
                  .Attr("T: type")
                  .Attr("Tdim: {int32, int64} = DT_INT32"),
              FnKernel(ExpandDimsOp));
  r->Register(OpDefBuilder("Squeeze")
                  .Input("input: T")
                  .Output("output: T")
                  .Attr("T: type")
                  .Attr("squeeze_dims: list(int) >= 0 = []"),
              Kernel<SqueezeOp>());
  r->Register(OpDefBuilder("Range")
                  .Input("start: Tidx")
                  .Input("limit: Tidx")
                  .Input("delta: Tidx")
                  .Output("output: Tidx")
                  .Attr("Tidx: {bfloat16, half, float, double, int8, int16, int32, int64, uint16, "
                        "uint32, uint64} = DT_INT32"),
              FnKernel(RangeOp));
  r->Register(OpDefBuilder("GatherV2")
                  .Input("params: Tparams")
                  .Input("indices: Tindices")
                  .Input("axis: Taxis")
                  .Output("output: Tparams")
                  .Attr("batch_dims: int = 0")
                  .Attr("Tparams: type")
                  .Attr("Tindices: {int16, int32, int64}")
                  .Attr("Taxis: {int32, int64}"),
              FnKernel(GatherV2Op));
  r->Register(OpDefBuilder("ResourceGather")
                  .Input("resource: resource")
                  .Input("indices: Tindices")
                  .Output("output: dtype")
                  .Attr("batch_dims: int = 0")
                  .Attr("validate_indices: bool = true")
                  .Attr("dtype: type")
                  .Attr("Tindices: {int32, int64}")
                  .SetIsStateful(),
              FnKernel(ResourceGatherOp));
}

}  // namespace tfckpt::graph
