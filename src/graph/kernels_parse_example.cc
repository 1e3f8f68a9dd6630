// ParseExample and ParseExampleV2 (tensorflow/core/ops/parsing_ops.cc,
// kernels/example_parsing_ops.cc, util/example_proto_fast_parsing.cc):
// serialized tf.Example protos -> dense, sparse and ragged tensors.
//
// Semantics follow TF's FastParseExample:
//  - a dense feature absent from an example (or present with no value list)
//    takes its default; with an empty default it is required ("Name:
//    <unknown>, Feature: x (data type: float) is required but could not be
//    found.");
//  - a fixed-length dense feature must hold exactly as many values as its
//    shape ("...  Number of float values != expected.  Values size: 2 but
//    output shape: [1]"); a variable-length one (first dim -1) a multiple of
//    the stride, padded with the (scalar) default to the batch's longest;
//  - a value list of another type: "Data types don't match. Data type: int64
//    but expected type: float";
//  - sparse features give [N,2] indices (example, position), values and the
//    dense shape [batch, longest]; ragged features values and row splits;
//  - when a key appears twice in an example's map the last entry wins.
// Examples are decoded with the generated tensorflow.Example parser, which
// accepts unknown fields that TF's hand-written fast parser would refuse;
// the unparsable-example message escapes non-printable bytes (\xNN).
//
// OpDef difference: the list(type) attrs lack TF's allowed_values (OpDefBuilder
// cannot express list({...})); the kernels refuse other types instead.
//
// ParseExampleV2 also accepts a scalar `serialized` (one example): outputs
// then have no batch dimension (sparse indices [N,1], shapes [1]); ragged
// features need a batch (vector) input here.
#include <algorithm>
#include <cstdio>
#include <initializer_list>

#include "proto/example/example.pb.h"
#include "src/graph/kernel_util.h"
#include "src/graph/serving_ops.h"

namespace tfckpt::graph {
namespace {

using tensorflow::DT_FLOAT;
using tensorflow::DT_INT32;
using tensorflow::DT_INT64;
using tensorflow::DT_INVALID;
using tensorflow::DT_STRING;

struct DenseConfig {
  std::string key;
  DataType dtype = DT_INVALID;
  PartialShape shape;       // as declared (first dim -1: variable length)
  bool variable_length = false;
  std::vector<int64_t> stride_dims;  // shape without the variable first dim
  int64_t elements_per_stride = 1;
  Tensor default_value;
};

struct ListConfig {  // sparse and ragged features
  std::string key;
  DataType dtype = DT_INVALID;
  DataType splits_dtype = DT_INT64;  // ragged only
};

// The values of one feature in one example.
struct Values {
  DataType dtype = DT_INVALID;  // DT_INVALID: the Feature has no list
  const google::protobuf::RepeatedField<float>* f = nullptr;
  const google::protobuf::RepeatedField<int64_t>* i = nullptr;
  const google::protobuf::RepeatedPtrField<std::string>* s = nullptr;
  int64_t size() const {
    return f ? f->size() : i ? i->size() : s ? s->size() : 0;
  }
};

Values ValuesOf(const tensorflow::Feature& feature) {
  Values v;
  switch (feature.kind_case()) {
    case tensorflow::Feature::kFloatList:
      v.dtype = DT_FLOAT;
      v.f = &feature.float_list().value();
      break;
    case tensorflow::Feature::kInt64List:
      v.dtype = DT_INT64;
      v.i = &feature.int64_list().value();
      break;
    case tensorflow::Feature::kBytesList:
      v.dtype = DT_STRING;
      v.s = &feature.bytes_list().value();
      break;
    default:
      break;
  }
  return v;
}

// Appends the values to a growing buffer of the feature's dtype.
struct Buffer {
  std::vector<float> f;
  std::vector<int64_t> i;
  std::vector<std::string> s;
  std::vector<int64_t> ends;  // per example: end index in the buffer
  int64_t size(DataType dt) const {
    return dt == DT_FLOAT ? static_cast<int64_t>(f.size())
           : dt == DT_INT64 ? static_cast<int64_t>(i.size())
                            : static_cast<int64_t>(s.size());
  }
  void Append(const Values& v) {
    if (v.f) f.insert(f.end(), v.f->begin(), v.f->end());
    if (v.i) i.insert(i.end(), v.i->begin(), v.i->end());
    if (v.s) s.insert(s.end(), v.s->begin(), v.s->end());
  }
};

std::string Printable(const std::string& bytes) {
  std::string out;
  for (unsigned char c : bytes) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

// OpDefBuilder cannot write list({...}) attrs, so the OpDefs say list(type)
// and the kernels check the allowed types with Graph::Build's text.
Status CheckAllowed(const std::vector<DataType>& types, const char* attr,
                    std::initializer_list<DataType> allowed) {
  for (DataType dt : types) {
    if (std::find(allowed.begin(), allowed.end(), dt) == allowed.end()) {
      std::string list;
      for (DataType a : allowed) list += StrCat(list.empty() ? "" : ", ", tensor::DataTypeName(a));
      return InvalidArgumentError(StrCat("Value for attr '", attr, "' of ",
                                         tensor::DataTypeName(dt),
                                         " is not in the list of allowed values: ", list));
    }
  }
  return OkStatus();
}

// Writes v (dtype already checked) into out at element `offset`.
void CopyValues(const Values& v, Tensor* out, int64_t offset) {
  if (v.f) std::copy(v.f->begin(), v.f->end(), out->mutable_flat<float>() + offset);
  if (v.i) std::copy(v.i->begin(), v.i->end(), out->mutable_flat<int64_t>() + offset);
  if (v.s) std::copy(v.s->begin(), v.s->end(), out->mutable_strings()->begin() + offset);
}

void CopyBuffer(const Buffer& b, DataType dt, int64_t from, int64_t count, Tensor* out,
                int64_t offset) {
  if (dt == DT_FLOAT) {
    std::copy_n(b.f.begin() + from, count, out->mutable_flat<float>() + offset);
  } else if (dt == DT_INT64) {
    std::copy_n(b.i.begin() + from, count, out->mutable_flat<int64_t>() + offset);
  } else {
    std::copy_n(b.s.begin() + from, count, out->mutable_strings()->begin() + offset);
  }
}

class ParseExampleBase : public OpKernel {
 protected:
  // Shared by both ops once the keys are known.
  Status InitDense(const Node& node) {
    TFCKPT_ASSIGN_OR_RETURN(dense_types_, node.AttrTypeList("Tdense"));
    TFCKPT_RETURN_IF_ERROR(CheckAllowed(dense_types_, "Tdense", {DT_FLOAT, DT_INT64, DT_STRING}));
    const tensorflow::AttrValue* shapes = node.FindAttr("dense_shapes");
    if (shapes == nullptr) return InvalidArgumentError("missing attr dense_shapes");
    if (shapes->list().shape_size() != static_cast<int>(dense_types_.size())) {
      return InvalidArgumentError(StrCat("len(dense_shapes) != len(dense_types): ",
                                         shapes->list().shape_size(), " vs. ",
                                         dense_types_.size()));
    }
    for (int d = 0; d < shapes->list().shape_size(); ++d) {
      DenseConfig c;
      c.dtype = dense_types_[d];
      TFCKPT_ASSIGN_OR_RETURN(c.shape, PartialShape::FromProto(shapes->list().shape(d)));
      bool ok = !c.shape.unknown_rank();
      for (size_t k = 1; ok && k < c.shape.dims().size(); ++k) ok = c.shape.dims()[k] >= 0;
      if (!ok) {
        return InvalidArgumentError(StrCat("dense_shapes[", d,
                                           "] has unknown rank or unknown inner dimensions: ",
                                           c.shape.DebugString()));
      }
      c.variable_length = !c.shape.dims().empty() && c.shape.dims()[0] < 0;
      c.stride_dims.assign(c.shape.dims().begin() + (c.variable_length ? 1 : 0),
                           c.shape.dims().end());
      c.elements_per_stride = 1;
      for (int64_t dim : c.stride_dims) {
        if (!tensor::MultiplyWithoutOverflow(c.elements_per_stride, dim, &c.elements_per_stride)) {
          return InvalidArgumentError(StrCat("dense_shapes[", d, "] is too large: ",
                                             c.shape.DebugString()));
        }
      }
      dense_.push_back(std::move(c));
    }
    return OkStatus();
  }

  Status CheckDefaults(OpKernelContext* ctx, int first_default) {
    for (size_t d = 0; d < dense_.size(); ++d) {
      const Tensor& def = ctx->input(first_default + static_cast<int>(d));
      DenseConfig& c = dense_[d];
      if (c.variable_length) {
        if (def.num_elements() != 1) {
          return InvalidArgumentError(StrCat(
              "dense_shape[", d, "] is a variable length shape: ", c.shape.DebugString(),
              ", therefore def_value[", d,
              "] must contain a single element (the padding element).  But its shape is: ",
              def.shape().DebugString()));
        }
      } else if (def.num_elements() > 0 && !c.shape.IsCompatibleWith(def.shape())) {
        return InvalidArgumentError(StrCat("def_value[", d, "].shape() == ",
                                           def.shape().DebugString(),
                                           " is not compatible with dense_shapes_[", d,
                                           "] == ", c.shape.DebugString()));
      }
      c.default_value = def;
    }
    return OkStatus();
  }

  static StatusOr<std::string> ScalarKey(const Tensor& t, const char* what, size_t i) {
    if (t.num_elements() != 1 || t.shape().rank() != 0) {
      return InvalidArgumentError(StrCat("Expected ", what, "[", i,
                                         "] to be a scalar, got shape: ",
                                         t.shape().DebugString()));
    }
    return t.strings()[0];
  }

  // Parses `serialized` (batch of B, or one example when scalar) into the
  // op's outputs. Output order: sparse indices, sparse values, sparse
  // shapes, dense values, [ragged values, ragged row splits].
  Status Parse(OpKernelContext* ctx, const Tensor& serialized, const Tensor& names,
               bool scalar_input) {
    const int64_t batch = scalar_input ? 1 : serialized.num_elements();
    if (names.num_elements() > 0 && names.num_elements() != serialized.num_elements()) {
      return InvalidArgumentError(StrCat("Expected len(names) == len(serialized), but got: ",
                                         names.num_elements(), " vs. ",
                                         serialized.num_elements()));
    }
    // Key -> (kind, index). Duplicate keys across kinds are refused like TF.
    std::map<std::string, std::pair<int, size_t>> index;
    auto add = [&](const std::string& key, int kind, size_t i) -> Status {
      if (!index.emplace(key, std::make_pair(kind, i)).second) {
        return InvalidArgumentError(StrCat("Duplicate feature key \"", key, "\""));
      }
      return OkStatus();
    };
    for (size_t i = 0; i < dense_.size(); ++i) TFCKPT_RETURN_IF_ERROR(add(dense_[i].key, 0, i));
    for (size_t i = 0; i < sparse_.size(); ++i) TFCKPT_RETURN_IF_ERROR(add(sparse_[i].key, 1, i));
    for (size_t i = 0; i < ragged_.size(); ++i) TFCKPT_RETURN_IF_ERROR(add(ragged_[i].key, 2, i));
    if (scalar_input && !ragged_.empty()) {
      return UnimplementedError(
          "ParseExampleV2 of a scalar serialized example with ragged features is not "
          "implemented in tfckpt; pass a vector of examples");
    }

    // Fixed-length dense outputs are filled in place; the others buffered.
    std::vector<Tensor> fixed(dense_.size());
    for (size_t d = 0; d < dense_.size(); ++d) {
      if (dense_[d].variable_length) continue;
      std::vector<int64_t> dims;
      if (!scalar_input) dims.push_back(batch);
      dims.insert(dims.end(), dense_[d].stride_dims.begin(), dense_[d].stride_dims.end());
      TFCKPT_ASSIGN_OR_RETURN(TensorShape shape, TensorShape::Make(dims));
      TFCKPT_ASSIGN_OR_RETURN(fixed[d], ctx->Allocate(dense_[d].dtype, shape));
    }
    std::vector<Buffer> varlen(dense_.size()), sparse(sparse_.size()), ragged(ragged_.size());

    for (int64_t e = 0; e < batch; ++e) {
      const std::string& bytes = serialized.strings()[e];
      const std::string name = names.num_elements() > 0 ? names.strings()[e] : "<unknown>";
      tensorflow::Example example;
      if (!example.ParseFromString(bytes)) {
        return InvalidArgumentError(
            StrCat("Could not parse example input, value: '", Printable(bytes), "'"));
      }
      std::vector<char> dense_found(dense_.size(), 0), sparse_found(sparse_.size(), 0),
          ragged_found(ragged_.size(), 0);
      // The generated map keeps the last of duplicated keys, as TF does.
      for (const auto& entry : example.features().feature()) {
        // Not a structured binding: lambdas below capture `key` (C++17).
        const std::string& key = entry.first;
        const auto& feature = entry.second;
        auto it = index.find(key);
        if (it == index.end()) continue;
        const auto [kind, d] = it->second;
        const Values v = ValuesOf(feature);
        auto example_error = [&](const std::string& suffix) {
          return InvalidArgumentError(
              StrCat("Name: ", name, ", Key: ", key, ", Index: ", e, ".  ", suffix));
        };
        if (kind == 0) {
          const DenseConfig& c = dense_[d];
          if (v.dtype == DT_INVALID) continue;  // no list: as if missing
          dense_found[d] = 1;
          if (v.dtype != c.dtype) {
            return example_error(StrCat("Data types don't match. Data type: ",
                                        tensor::DataTypeName(v.dtype), " but expected type: ",
                                        tensor::DataTypeName(c.dtype)));
          }
          const char* type_str =
              c.dtype == DT_STRING ? "bytes" : c.dtype == DT_FLOAT ? "float" : "int64";
          if (!c.variable_length) {
            if (v.size() != c.elements_per_stride) {
              return example_error(StrCat("Number of ", type_str,
                                          " values != expected.  Values size: ", v.size(),
                                          " but output shape: ", c.shape.DebugString()));
            }
            CopyValues(v, &fixed[d], e * c.elements_per_stride);
          } else {
            if (c.elements_per_stride == 0 ? v.size() != 0 : v.size() % c.elements_per_stride != 0) {
              return example_error(StrCat("Number of ", type_str,
                                          " values is not a multiple of stride length. Saw ",
                                          v.size(), " values but output shape is: ",
                                          c.shape.DebugString()));
            }
            varlen[d].Append(v);
          }
        } else {
          const ListConfig& c = kind == 1 ? sparse_[d] : ragged_[d];
          if (v.dtype != DT_INVALID && v.dtype != c.dtype) {
            return example_error(StrCat("Data types don't match. Expected type: ",
                                        tensor::DataTypeName(c.dtype), ", Actual type: ",
                                        tensor::DataTypeName(v.dtype)));
          }
          Buffer& b = kind == 1 ? sparse[d] : ragged[d];
          b.Append(v);
          (kind == 1 ? sparse_found : ragged_found)[d] = 1;
        }
      }
      for (size_t d = 0; d < dense_.size(); ++d) {
        const DenseConfig& c = dense_[d];
        if (c.variable_length) {
          varlen[d].ends.push_back(varlen[d].size(c.dtype));
          continue;
        }
        if (dense_found[d]) continue;
        if (c.default_value.num_elements() == 0) {
          return InvalidArgumentError(StrCat("Name: ", name, ", Feature: ", c.key,
                                             " (data type: ", tensor::DataTypeName(c.dtype),
                                             ") is required but could not be found."));
        }
        CopyElements(c.default_value, 0, &fixed[d], e * c.elements_per_stride,
                     c.elements_per_stride);
      }
      for (size_t d = 0; d < sparse_.size(); ++d) sparse[d].ends.push_back(sparse[d].size(sparse_[d].dtype));
      for (size_t d = 0; d < ragged_.size(); ++d) ragged[d].ends.push_back(ragged[d].size(ragged_[d].dtype));
    }

    // Outputs.
    const int ns = static_cast<int>(sparse_.size());
    const int nd = static_cast<int>(dense_.size());
    const int nr = static_cast<int>(ragged_.size());
    for (int d = 0; d < ns; ++d) {
      const Buffer& b = sparse[d];
      const int64_t total = b.size(sparse_[d].dtype);
      int64_t longest = 0, prev = 0;
      for (int64_t end : b.ends) {
        longest = std::max(longest, end - prev);
        prev = end;
      }
      const int64_t cols = scalar_input ? 1 : 2;
      TFCKPT_ASSIGN_OR_RETURN(Tensor * indices,
                              ctx->AllocateOutput(d, DT_INT64, TensorShape{total, cols}));
      int64_t* ix = indices->mutable_flat<int64_t>();
      prev = 0;
      for (size_t e = 0; e < b.ends.size(); ++e) {
        for (int64_t k = prev; k < b.ends[e]; ++k) {
          if (!scalar_input) *ix++ = static_cast<int64_t>(e);
          *ix++ = k - prev;
        }
        prev = b.ends[e];
      }
      TFCKPT_ASSIGN_OR_RETURN(Tensor * values,
                              ctx->AllocateOutput(ns + d, sparse_[d].dtype, TensorShape{total}));
      CopyBuffer(b, sparse_[d].dtype, 0, total, values, 0);
      TFCKPT_ASSIGN_OR_RETURN(Tensor * shape,
                              ctx->AllocateOutput(2 * ns + d, DT_INT64, TensorShape{cols}));
      if (scalar_input) {
        shape->mutable_flat<int64_t>()[0] = longest;
      } else {
        shape->mutable_flat<int64_t>()[0] = batch;
        shape->mutable_flat<int64_t>()[1] = longest;
      }
    }
    for (int d = 0; d < nd; ++d) {
      const DenseConfig& c = dense_[d];
      if (!c.variable_length) {
        ctx->set_output(3 * ns + d, fixed[d]);
        continue;
      }
      const Buffer& b = varlen[d];
      int64_t longest = 0, prev = 0;
      for (int64_t end : b.ends) {
        longest = std::max(longest, end - prev);
        prev = end;
      }
      const int64_t strides = c.elements_per_stride == 0 ? 0 : longest / c.elements_per_stride;
      std::vector<int64_t> dims;
      if (!scalar_input) dims.push_back(batch);
      dims.push_back(strides);
      dims.insert(dims.end(), c.stride_dims.begin(), c.stride_dims.end());
      TFCKPT_ASSIGN_OR_RETURN(TensorShape shape, TensorShape::Make(dims));
      TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(3 * ns + d, c.dtype, shape));
      const int64_t per_example = strides * c.elements_per_stride;
      for (int64_t k = 0; k < out->num_elements(); ++k) CopyElements(c.default_value, 0, out, k, 1);
      prev = 0;
      for (size_t e = 0; e < b.ends.size(); ++e) {
        CopyBuffer(b, c.dtype, prev, b.ends[e] - prev, out, static_cast<int64_t>(e) * per_example);
        prev = b.ends[e];
      }
    }
    for (int d = 0; d < nr; ++d) {
      const Buffer& b = ragged[d];
      const int64_t total = b.size(ragged_[d].dtype);
      TFCKPT_ASSIGN_OR_RETURN(Tensor * values,
                              ctx->AllocateOutput(3 * ns + nd + d, ragged_[d].dtype, TensorShape{total}));
      CopyBuffer(b, ragged_[d].dtype, 0, total, values, 0);
      TFCKPT_ASSIGN_OR_RETURN(
          Tensor * splits, ctx->AllocateOutput(3 * ns + nd + nr + d, ragged_[d].splits_dtype,
                                               TensorShape{batch + 1}));
      for (int64_t k = 0; k <= batch; ++k) {
        const int64_t v = k == 0 ? 0 : b.ends[k - 1];
        if (ragged_[d].splits_dtype == DT_INT32) {
          splits->mutable_flat<int32_t>()[k] = static_cast<int32_t>(v);
        } else {
          splits->mutable_flat<int64_t>()[k] = v;
        }
      }
    }
    return OkStatus();
  }

  std::vector<DataType> dense_types_;
  std::vector<DenseConfig> dense_;
  std::vector<ListConfig> sparse_, ragged_;
};

class ParseExampleOp : public ParseExampleBase {
 public:
  Status Init(const Node& node, const KernelOptions&) override {
    TFCKPT_ASSIGN_OR_RETURN(num_sparse_, node.AttrInt("Nsparse"));
    TFCKPT_ASSIGN_OR_RETURN(num_dense_, node.AttrInt("Ndense"));
    TFCKPT_ASSIGN_OR_RETURN(sparse_types_, node.AttrTypeList("sparse_types"));
    TFCKPT_RETURN_IF_ERROR(
        CheckAllowed(sparse_types_, "sparse_types", {DT_FLOAT, DT_INT64, DT_STRING}));
    if (static_cast<int64_t>(sparse_types_.size()) != num_sparse_) {
      return InvalidArgumentError(StrCat("len(sparse_keys) != len(sparse_types): ", num_sparse_,
                                         " vs. ", sparse_types_.size()));
    }
    TFCKPT_RETURN_IF_ERROR(InitDense(node));
    if (static_cast<int64_t>(dense_.size()) != num_dense_) {
      return InvalidArgumentError(StrCat("len(dense_keys) != len(dense_shapes): ", num_dense_,
                                         " vs. ", dense_.size()));
    }
    return OkStatus();
  }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& serialized = ctx->input(0);
    const Tensor& names = ctx->input(1);
    if (!IsVector(serialized)) {
      return InvalidArgumentError(StrCat("Expected serialized to be a vector, got shape: ",
                                         serialized.shape().DebugString()));
    }
    if (!IsVector(names)) {
      return InvalidArgumentError(
          StrCat("Expected names to be a vector, got shape: ", names.shape().DebugString()));
    }
    sparse_.clear();
    for (int64_t i = 0; i < num_sparse_; ++i) {
      ListConfig c;
      TFCKPT_ASSIGN_OR_RETURN(c.key, ScalarKey(ctx->input(2 + i), "sparse_keys", i));
      c.dtype = sparse_types_[i];
      sparse_.push_back(std::move(c));
    }
    for (int64_t i = 0; i < num_dense_; ++i) {
      TFCKPT_ASSIGN_OR_RETURN(dense_[i].key,
                              ScalarKey(ctx->input(2 + num_sparse_ + i), "dense_keys", i));
    }
    TFCKPT_RETURN_IF_ERROR(CheckDefaults(ctx, static_cast<int>(2 + num_sparse_ + num_dense_)));
    return Parse(ctx, serialized, names, /*scalar_input=*/false);
  }

 private:
  int64_t num_sparse_ = 0, num_dense_ = 0;
  std::vector<DataType> sparse_types_;
};

class ParseExampleV2Op : public ParseExampleBase {
 public:
  Status Init(const Node& node, const KernelOptions&) override {
    TFCKPT_ASSIGN_OR_RETURN(num_sparse_, node.AttrInt("num_sparse"));
    TFCKPT_ASSIGN_OR_RETURN(sparse_types_, node.AttrTypeList("sparse_types"));
    TFCKPT_ASSIGN_OR_RETURN(ragged_value_types_, node.AttrTypeList("ragged_value_types"));
    TFCKPT_ASSIGN_OR_RETURN(ragged_split_types_, node.AttrTypeList("ragged_split_types"));
    TFCKPT_RETURN_IF_ERROR(
        CheckAllowed(sparse_types_, "sparse_types", {DT_FLOAT, DT_INT64, DT_STRING}));
    TFCKPT_RETURN_IF_ERROR(CheckAllowed(ragged_value_types_, "ragged_value_types",
                                        {DT_FLOAT, DT_INT64, DT_STRING}));
    TFCKPT_RETURN_IF_ERROR(CheckAllowed(ragged_split_types_, "ragged_split_types",
                                        {DT_INT32, DT_INT64}));
    if (static_cast<int64_t>(sparse_types_.size()) != num_sparse_) {
      return InvalidArgumentError(StrCat("len(sparse_types) != num_sparse: ",
                                         sparse_types_.size(), " vs. ", num_sparse_));
    }
    if (ragged_value_types_.size() != ragged_split_types_.size()) {
      return InvalidArgumentError(StrCat("len(ragged_split_types) != len(ragged_value_types): ",
                                         ragged_split_types_.size(), " vs. ",
                                         ragged_value_types_.size()));
    }
    return InitDense(node);
  }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& serialized = ctx->input(0);
    const Tensor& names = ctx->input(1);
    if (serialized.shape().rank() > 1) {
      return InvalidArgumentError(StrCat("Expected serialized to be a scalar or vector, got shape: ",
                                         serialized.shape().DebugString()));
    }
    if (names.shape().rank() > 1) {
      return InvalidArgumentError(StrCat("Expected names to be a scalar or vector, got shape: ",
                                         names.shape().DebugString()));
    }
    auto keys = [&](int input, const char* what, size_t want) -> StatusOr<std::vector<std::string>> {
      const Tensor& t = ctx->input(input);
      if (t.shape().rank() > 1) {
        return InvalidArgumentError(StrCat("Expected ", what, " to be a vector, got shape: ",
                                           t.shape().DebugString()));
      }
      if (static_cast<size_t>(t.num_elements()) != want) {
        return InvalidArgumentError(StrCat("Expected len(", what, ") to match the attrs: ",
                                           t.num_elements(), " vs. ", want));
      }
      return t.strings();
    };
    TFCKPT_ASSIGN_OR_RETURN(std::vector<std::string> sk, keys(2, "sparse_keys", sparse_types_.size()));
    TFCKPT_ASSIGN_OR_RETURN(std::vector<std::string> dk, keys(3, "dense_keys", dense_.size()));
    TFCKPT_ASSIGN_OR_RETURN(std::vector<std::string> rk, keys(4, "ragged_keys", ragged_value_types_.size()));
    sparse_.clear();
    ragged_.clear();
    for (size_t i = 0; i < sk.size(); ++i) sparse_.push_back({sk[i], sparse_types_[i], DT_INT64});
    for (size_t i = 0; i < dk.size(); ++i) dense_[i].key = dk[i];
    for (size_t i = 0; i < rk.size(); ++i) {
      ragged_.push_back({rk[i], ragged_value_types_[i], ragged_split_types_[i]});
    }
    TFCKPT_RETURN_IF_ERROR(CheckDefaults(ctx, 5));
    const bool scalar = serialized.shape().rank() == 0;
    return Parse(ctx, serialized, names, scalar);
  }

 private:
  int64_t num_sparse_ = 0;
  std::vector<DataType> sparse_types_, ragged_value_types_, ragged_split_types_;
};

}  // namespace

void RegisterParsingOps(OpRegistry* r) {
  r->Register(OpDefBuilder("ParseExample")
                  .Input("serialized: string")
                  .Input("names: string")
                  .Input("sparse_keys: Nsparse * string")
                  .Input("dense_keys: Ndense * string")
                  .Input("dense_defaults: Tdense")
                  .Output("sparse_indices: Nsparse * int64")
                  .Output("sparse_values: sparse_types")
                  .Output("sparse_shapes: Nsparse * int64")
                  .Output("dense_values: Tdense")
                  .Attr("Nsparse: int >= 0")
                  .Attr("Ndense: int >= 0")
                  .Attr("sparse_types: list(type) >= 0")
                  .Attr("Tdense: list(type) >= 0")
                  .Attr("dense_shapes: list(shape) >= 0"),
              Kernel<ParseExampleOp>());
  r->Register(OpDefBuilder("ParseExampleV2")
                  .Input("serialized: string")
                  .Input("names: string")
                  .Input("sparse_keys: string")
                  .Input("dense_keys: string")
                  .Input("ragged_keys: string")
                  .Input("dense_defaults: Tdense")
                  .Output("sparse_indices: num_sparse * int64")
                  .Output("sparse_values: sparse_types")
                  .Output("sparse_shapes: num_sparse * int64")
                  .Output("dense_values: Tdense")
                  .Output("ragged_values: ragged_value_types")
                  .Output("ragged_row_splits: ragged_split_types")
                  .Attr("Tdense: list(type) >= 0")
                  .Attr("num_sparse: int >= 0")
                  .Attr("sparse_types: list(type) >= 0")
                  .Attr("ragged_value_types: list(type) >= 0")
                  .Attr("ragged_split_types: list(type) >= 0")
                  .Attr("dense_shapes: list(shape) >= 0"),
              Kernel<ParseExampleV2Op>());
}

}  // namespace tfckpt::graph
