// Lookup tables (tensorflow/core/ops/lookup_ops.cc, kernels/lookup_table_op.cc,
// lookup_table_init_op.cc, lookup_util.cc): HashTableV2,
// InitializeTableFromTextFileV2, LookupTableImportV2, LookupTableFindV2,
// LookupTableSizeV2.
//
// A table is a resource like TF's: HashTableV2 creates (or, with the same
// container/shared_name in the same session, shares) it the first time it
// runs and outputs its handle. Tables live as long as the HashTableV2 kernels
// that created them, i.e. as long as their session; they are found again by
// (session, container, name). An empty shared_name makes the table private
// to its node (TF's "_<n>_<node>" names), or named after the node with
// use_node_name_sharing.
//
// Keys: string, int32, int64; values: string, int32, int64, float, double,
// bool (scalars). A table initializes once: initializing it again with the
// same entries is a no-op, with different ones FailedPrecondition "Table was
// already initialized with different data." like TF. Text files are read
// with the session's Env, one entry per line ('\n', a trailing '\r'
// dropped); key_index / value_index -2 is the whole line, -1 the line number
// (0-based, plus `offset`), >= 0 a column split by `delimiter`.
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <mutex>
#include <tuple>
#include <unordered_map>

#include "src/graph/kernel_util.h"
#include "src/graph/serving_ops.h"

namespace tfckpt::graph {
namespace {

using tensorflow::DT_INT64;
using tensorflow::DT_STRING;

struct LookupTable {
  DataType key_dtype = tensorflow::DT_INVALID;
  DataType value_dtype = tensorflow::DT_INVALID;
  std::mutex mu;
  bool initialized = false;
  // Encoded key -> value, values as 1-element tensors of value_dtype.
  std::unordered_map<std::string, Tensor> entries;
};

using TableKey = std::tuple<const SessionState*, std::string, std::string>;

std::mutex& RegistryMutex() {
  static std::mutex mu;
  return mu;
}
std::map<TableKey, std::weak_ptr<LookupTable>>& Registry() {
  static auto* m = new std::map<TableKey, std::weak_ptr<LookupTable>>();
  return *m;
}

std::shared_ptr<LookupTable> FindTable(const SessionState* state, const ResourceHandle& h) {
  std::lock_guard<std::mutex> lock(RegistryMutex());
  auto it = Registry().find({state, h.container, h.name});
  return it == Registry().end() ? nullptr : it->second.lock();
}

Status CheckKeyType(DataType dt) {
  switch (dt) {
    case DT_STRING:
    case tensorflow::DT_INT32:
    case DT_INT64:
      return OkStatus();
    default:
      return UnimplementedError(StrCat("lookup tables with ", tensor::DataTypeName(dt),
                                       " keys are not implemented in tfckpt"));
  }
}

Status CheckValueType(DataType dt) {
  switch (dt) {
    case DT_STRING:
    case tensorflow::DT_INT32:
    case DT_INT64:
    case tensorflow::DT_FLOAT:
    case tensorflow::DT_DOUBLE:
    case tensorflow::DT_BOOL:
      return OkStatus();
    default:
      return UnimplementedError(StrCat("lookup tables with ", tensor::DataTypeName(dt),
                                       " values are not implemented in tfckpt"));
  }
}

// Element i of a key tensor as map key (strings as-is, numbers widened to
// int64 bytes so int32 and int64 keys of equal value agree).
std::string KeyOf(const Tensor& t, int64_t i) {
  if (t.is_string()) return t.strings()[i];
  int64_t v = t.dtype() == tensorflow::DT_INT32 ? t.flat<int32_t>()[i] : t.flat<int64_t>()[i];
  return std::string(reinterpret_cast<const char*>(&v), sizeof(v));
}

std::string KeyText(DataType dt, const std::string& key) {
  if (dt == DT_STRING) return key;
  int64_t v;
  std::memcpy(&v, key.data(), sizeof(v));
  return std::to_string(v);
}

std::string ValueText(const Tensor& v) {
  switch (v.dtype()) {
    case DT_STRING: return v.strings()[0];
    case tensorflow::DT_INT32: return std::to_string(v.flat<int32_t>()[0]);
    case DT_INT64: return std::to_string(v.flat<int64_t>()[0]);
    case tensorflow::DT_FLOAT: return StrCat(v.flat<float>()[0]);
    case tensorflow::DT_DOUBLE: return StrCat(v.flat<double>()[0]);
    case tensorflow::DT_BOOL: return v.flat<bool>()[0] ? "true" : "false";
    default: return "?";
  }
}

StatusOr<std::shared_ptr<LookupTable>> TableOf(OpKernelContext* ctx, DataType key_dtype,
                                               DataType value_dtype) {
  const ResourceHandle* h = ctx->resource_input(0);
  std::shared_ptr<LookupTable> table = h ? FindTable(ctx->state(), *h) : nullptr;
  if (table == nullptr) {
    return NotFoundError(StrCat("Resource ", h ? h->container : "", "/", h ? h->name : "",
                                "/lookup table does not exist."));
  }
  if (key_dtype != tensorflow::DT_INVALID && key_dtype != table->key_dtype) {
    return InvalidArgumentError(StrCat("Conflicting key type: the table has ",
                                       tensor::DataTypeName(table->key_dtype), " keys, got ",
                                       tensor::DataTypeName(key_dtype)));
  }
  if (value_dtype != tensorflow::DT_INVALID && value_dtype != table->value_dtype) {
    return InvalidArgumentError(StrCat("Conflicting value type: the table has ",
                                       tensor::DataTypeName(table->value_dtype),
                                       " values, got ", tensor::DataTypeName(value_dtype)));
  }
  return table;
}

// Initializes (or checks an initialized) table with `entries`.
Status InitializeTable(LookupTable* table, std::unordered_map<std::string, Tensor> entries) {
  std::lock_guard<std::mutex> lock(table->mu);
  if (table->initialized) {
    bool same = entries.size() == table->entries.size();
    for (auto it = entries.begin(); same && it != entries.end(); ++it) {
      auto f = table->entries.find(it->first);
      same = f != table->entries.end() && f->second.is_string() == it->second.is_string() &&
             (it->second.is_string() ? f->second.strings() == it->second.strings()
                                     : f->second.BitwiseEquals(it->second));
    }
    if (!same) return FailedPreconditionError("Table was already initialized with different data.");
    return OkStatus();
  }
  table->entries = std::move(entries);
  table->initialized = true;
  return OkStatus();
}

// Adds key -> value, refusing a different value for a key already present.
Status AddEntry(std::unordered_map<std::string, Tensor>* entries, DataType key_dtype,
                std::string key, Tensor value) {
  auto [it, inserted] = entries->emplace(std::move(key), value);
  if (!inserted) {
    const bool same = value.is_string() ? it->second.strings() == value.strings()
                                        : it->second.BitwiseEquals(value);
    if (!same) {
      return FailedPreconditionError(StrCat("HashTable has different value for same key. Key ",
                                            KeyText(key_dtype, it->first), " has ",
                                            ValueText(it->second), " and trying to add value ",
                                            ValueText(value)));
    }
  }
  return OkStatus();
}

class HashTableOp : public OpKernel {
 public:
  Status Init(const Node& node, const KernelOptions&) override {
    TFCKPT_ASSIGN_OR_RETURN(std::string container, node.AttrString("container"));
    TFCKPT_ASSIGN_OR_RETURN(std::string shared_name, node.AttrString("shared_name"));
    TFCKPT_ASSIGN_OR_RETURN(bool node_name_sharing, node.AttrBool("use_node_name_sharing"));
    TFCKPT_ASSIGN_OR_RETURN(key_dtype_, node.AttrType("key_dtype"));
    TFCKPT_ASSIGN_OR_RETURN(value_dtype_, node.AttrType("value_dtype"));
    TFCKPT_RETURN_IF_ERROR(CheckKeyType(key_dtype_));
    TFCKPT_RETURN_IF_ERROR(CheckValueType(value_dtype_));
    static std::atomic<int64_t> counter{0};
    auto handle = std::make_shared<ResourceHandle>();
    handle->container = container.empty() ? SessionState::kDefaultContainer : container;
    handle->name = !shared_name.empty() ? shared_name
                   : node_name_sharing  ? node.name()
                                        : StrCat("_", counter++, "_", node.name());
    handle_ = std::move(handle);
    return OkStatus();
  }

  Status Compute(OpKernelContext* ctx) override {
    if (table_ == nullptr) {
      std::lock_guard<std::mutex> lock(RegistryMutex());
      auto& slot = Registry()[{ctx->state(), handle_->container, handle_->name}];
      std::shared_ptr<LookupTable> table = slot.lock();
      if (table == nullptr) {
        table = std::make_shared<LookupTable>();
        table->key_dtype = key_dtype_;
        table->value_dtype = value_dtype_;
        slot = table;
      } else if (table->key_dtype != key_dtype_ || table->value_dtype != value_dtype_) {
        return InvalidArgumentError(StrCat(
            "Shared lookup table ", handle_->name, " has key/value types ",
            tensor::DataTypeName(table->key_dtype), "/", tensor::DataTypeName(table->value_dtype),
            ", this op wants ", tensor::DataTypeName(key_dtype_), "/",
            tensor::DataTypeName(value_dtype_)));
      }
      table_ = std::move(table);
      // Forget entries of tables whose sessions are gone.
      for (auto it = Registry().begin(); it != Registry().end();) {
        it = it->second.expired() ? Registry().erase(it) : std::next(it);
      }
    }
    ctx->set_output_value(0, Value{Tensor(), nullptr, handle_});
    return OkStatus();
  }

 private:
  DataType key_dtype_ = tensorflow::DT_INVALID, value_dtype_ = tensorflow::DT_INVALID;
  std::shared_ptr<const ResourceHandle> handle_;
  std::shared_ptr<LookupTable> table_;  // keeps the table alive with the session
};

// A field of a text line as a key / value of `dtype`.
StatusOr<Tensor> ParseField(const std::string& field, DataType dtype, const std::string& file,
                            int64_t line_number, int index) {
  auto bad = [&]() {
    return InvalidArgumentError(StrCat("Field ", field, " in line ", line_number, " of ", file,
                                       " (column ", index, ") is not a valid ",
                                       tensor::DataTypeName(dtype)));
  };
  if (dtype == DT_STRING) return Tensor::FromStrings({}, {field});
  TFCKPT_ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(dtype, TensorShape{}));
  const char* begin = field.c_str();
  char* end = nullptr;
  errno = 0;
  switch (dtype) {
    case tensorflow::DT_INT32:
    case DT_INT64: {
      const long long v = std::strtoll(begin, &end, 10);
      if (field.empty() || *end != '\0' || errno != 0) return bad();
      if (dtype == DT_INT64) {
        t.mutable_flat<int64_t>()[0] = v;
      } else {
        if (v < INT32_MIN || v > INT32_MAX) return bad();
        t.mutable_flat<int32_t>()[0] = static_cast<int32_t>(v);
      }
      break;
    }
    case tensorflow::DT_FLOAT:
    case tensorflow::DT_DOUBLE: {
      const double v = std::strtod(begin, &end);
      if (field.empty() || *end != '\0') return bad();
      if (dtype == tensorflow::DT_FLOAT) {
        t.mutable_flat<float>()[0] = std::strtof(begin, nullptr);
      } else {
        t.mutable_flat<double>()[0] = v;
      }
      break;
    }
    case tensorflow::DT_BOOL:
      if (field == "true" || field == "1") {
        t.mutable_flat<bool>()[0] = true;
      } else if (field == "false" || field == "0") {
        t.mutable_flat<bool>()[0] = false;
      } else {
        return bad();
      }
      break;
    default:
      return bad();
  }
  return t;
}

class InitializeTableFromTextFileOp : public OpKernel {
 public:
  Status Init(const Node& node, const KernelOptions&) override {
    TFCKPT_ASSIGN_OR_RETURN(key_index_, node.AttrInt("key_index"));
    TFCKPT_ASSIGN_OR_RETURN(value_index_, node.AttrInt("value_index"));
    TFCKPT_ASSIGN_OR_RETURN(vocab_size_, node.AttrInt("vocab_size"));
    TFCKPT_ASSIGN_OR_RETURN(delimiter_, node.AttrString("delimiter"));
    TFCKPT_ASSIGN_OR_RETURN(offset_, node.AttrInt("offset"));
    if (delimiter_.size() != 1) {
      return InvalidArgumentError(StrCat("delimiter should be only 1 char, got: ", delimiter_));
    }
    return OkStatus();
  }

  Status Compute(OpKernelContext* ctx) override {
    TFCKPT_ASSIGN_OR_RETURN(std::shared_ptr<LookupTable> table,
                            TableOf(ctx, tensorflow::DT_INVALID, tensorflow::DT_INVALID));
    const Tensor& name = ctx->input(1);
    if (!IsScalar(name)) {
      return InvalidArgumentError(StrCat("filename should be a single string, but got ",
                                         name.shape().DebugString()));
    }
    const std::string& file = name.strings()[0];
    if (file.empty()) return InvalidArgumentError("filename cannot be empty.");
    // Whole-line / line-number keys and values have fixed types.
    if (key_index_ == -1 && table->key_dtype != DT_INT64) {
      return InvalidArgumentError(StrCat("Key index for line number requires table key dtype of "
                                         "int64, got ", tensor::DataTypeName(table->key_dtype)));
    }
    if (value_index_ == -1 && table->value_dtype != DT_INT64) {
      return InvalidArgumentError(StrCat("Value index for line number requires table value "
                                         "dtype of int64, got ",
                                         tensor::DataTypeName(table->value_dtype)));
    }
    if (key_index_ == -2 && table->key_dtype != DT_STRING) {
      return InvalidArgumentError(StrCat("Key index for whole line requires string table key "
                                         "dtype, got ", tensor::DataTypeName(table->key_dtype)));
    }
    if (value_index_ == -2 && table->value_dtype != DT_STRING) {
      return InvalidArgumentError(StrCat("Value index for whole line requires string table value "
                                         "dtype, got ", tensor::DataTypeName(table->value_dtype)));
    }
    io::Env* env = ctx->env() != nullptr ? ctx->env() : io::Env::Default();
    TFCKPT_ASSIGN_OR_RETURN(std::string text, env->ReadFileToString(file));
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < text.size()) {
      size_t nl = text.find('\n', start);
      if (nl == std::string::npos) nl = text.size();
      std::string line = text.substr(start, nl - start);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      lines.push_back(std::move(line));
      start = nl + 1;
    }
    if (vocab_size_ >= 0) {
      if (static_cast<int64_t>(lines.size()) < vocab_size_) {
        return InvalidArgumentError(StrCat("Invalid vocab_size in ", file, ": expected ",
                                           vocab_size_, " but got ", lines.size()));
      }
      lines.resize(vocab_size_);
    }
    std::unordered_map<std::string, Tensor> entries;
    const int64_t max_index = std::max(key_index_, value_index_);
    for (size_t n = 0; n < lines.size(); ++n) {
      const std::string& line = lines[n];
      std::vector<std::string> columns;
      if (max_index >= 0) {
        size_t s = 0;
        while (true) {
          size_t d = line.find(delimiter_[0], s);
          columns.push_back(line.substr(s, d == std::string::npos ? std::string::npos : d - s));
          if (d == std::string::npos) break;
          s = d + 1;
        }
        if (static_cast<int64_t>(columns.size()) <= max_index) {
          return InvalidArgumentError(StrCat("Invalid number of columns in ", file, " line ", n,
                                             " (", line, ") : expected ", max_index + 1,
                                             " got ", columns.size()));
        }
      }
      auto field = [&](int64_t index, DataType dtype) -> StatusOr<Tensor> {
        if (index == -2) return Tensor::FromStrings({}, {line});
        if (index == -1) {
          return Tensor::FromVector<int64_t>(DT_INT64, TensorShape{},
                                             {static_cast<int64_t>(n) + offset_});
        }
        return ParseField(columns[index], dtype, file, static_cast<int64_t>(n),
                          static_cast<int>(index));
      };
      TFCKPT_ASSIGN_OR_RETURN(Tensor key, field(key_index_, table->key_dtype));
      TFCKPT_ASSIGN_OR_RETURN(Tensor value, field(value_index_, table->value_dtype));
      TFCKPT_RETURN_IF_ERROR(AddEntry(&entries, table->key_dtype, KeyOf(key, 0), std::move(value)));
    }
    return InitializeTable(table.get(), std::move(entries));
  }

 private:
  int64_t key_index_ = -2, value_index_ = -1, vocab_size_ = -1, offset_ = 0;
  std::string delimiter_;
};

Status LookupTableImportOp(OpKernelContext* ctx) {
  const Tensor& keys = ctx->input(1);
  const Tensor& values = ctx->input(2);
  TFCKPT_ASSIGN_OR_RETURN(std::shared_ptr<LookupTable> table,
                          TableOf(ctx, keys.dtype(), values.dtype()));
  if (keys.shape() != values.shape()) {
    return InvalidArgumentError(StrCat("Expected shape ", keys.shape().DebugString(),
                                       " for value, got ", values.shape().DebugString()));
  }
  std::unordered_map<std::string, Tensor> entries;
  for (int64_t i = 0; i < keys.num_elements(); ++i) {
    TFCKPT_ASSIGN_OR_RETURN(Tensor v, Tensor::Allocate(values.dtype(), TensorShape{}));
    CopyElements(values, i, &v, 0, 1);
    TFCKPT_RETURN_IF_ERROR(AddEntry(&entries, table->key_dtype, KeyOf(keys, i), std::move(v)));
  }
  return InitializeTable(table.get(), std::move(entries));
}

Status LookupTableFindOp(OpKernelContext* ctx) {
  const Tensor& keys = ctx->input(1);
  const Tensor& default_value = ctx->input(2);
  TFCKPT_ASSIGN_OR_RETURN(std::shared_ptr<LookupTable> table,
                          TableOf(ctx, keys.dtype(), default_value.dtype()));
  if (default_value.num_elements() != 1) {
    return InvalidArgumentError(StrCat("Expected shape [] or [1] for default value, got ",
                                       default_value.shape().DebugString()));
  }
  std::lock_guard<std::mutex> lock(table->mu);
  if (!table->initialized) return FailedPreconditionError("Table not initialized.");
  TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, table->value_dtype, keys.shape()));
  for (int64_t i = 0; i < keys.num_elements(); ++i) {
    auto it = table->entries.find(KeyOf(keys, i));
    if (it == table->entries.end()) {
      CopyElements(default_value, 0, out, i, 1);
    } else {
      CopyElements(it->second, 0, out, i, 1);
    }
  }
  return OkStatus();
}

Status LookupTableSizeOp(OpKernelContext* ctx) {
  TFCKPT_ASSIGN_OR_RETURN(std::shared_ptr<LookupTable> table,
                          TableOf(ctx, tensorflow::DT_INVALID, tensorflow::DT_INVALID));
  std::lock_guard<std::mutex> lock(table->mu);
  TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, DT_INT64, TensorShape{}));
  out->mutable_flat<int64_t>()[0] = static_cast<int64_t>(table->entries.size());
  return OkStatus();
}

}  // namespace

void RegisterLookupOps(OpRegistry* r) {
  r->Register(OpDefBuilder("HashTableV2")
                  .Output("table_handle: resource")
                  .Attr("container: string = ''")
                  .Attr("shared_name: string = ''")
                  .Attr("use_node_name_sharing: bool = false")
                  .Attr("key_dtype: type")
                  .Attr("value_dtype: type")
                  .SetIsStateful(),
              Kernel<HashTableOp>());
  r->Register(OpDefBuilder("InitializeTableFromTextFileV2")
                  .Input("table_handle: resource")
                  .Input("filename: string")
                  .Attr("key_index: int >= -2")
                  .Attr("value_index: int >= -2")
                  .Attr("vocab_size: int >= -1 = -1")
                  .Attr("delimiter: string = '\t'")
                  .Attr("offset: int = 0")
                  .SetIsStateful(),
              Kernel<InitializeTableFromTextFileOp>());
  r->Register(OpDefBuilder("LookupTableImportV2")
                  .Input("table_handle: resource")
                  .Input("keys: Tin")
                  .Input("values: Tout")
                  .Attr("Tin: type")
                  .Attr("Tout: type")
                  .SetIsStateful(),
              FnKernel(LookupTableImportOp));
  r->Register(OpDefBuilder("LookupTableFindV2")
                  .Input("table_handle: resource")
                  .Input("keys: Tin")
                  .Input("default_value: Tout")
                  .Output("values: Tout")
                  .Attr("Tin: type")
                  .Attr("Tout: type")
                  .SetIsStateful(),
              FnKernel(LookupTableFindOp));
  r->Register(OpDefBuilder("LookupTableSizeV2")
                  .Input("table_handle: resource")
                  .Output("size: int64")
                  .SetIsStateful(),
              FnKernel(LookupTableSizeOp));
}

}  // namespace tfckpt::graph
