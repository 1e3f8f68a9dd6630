#include "src/train/lookup_ops.h"

#include "src/train/shape_inference.h"

namespace tfckpt::train {
namespace {

constexpr char kTableInitializers[] = "table_initializer";  // GraphKeys.TABLE_INITIALIZERS
constexpr char kAssetFilepaths[] = "asset_filepaths";       // GraphKeys.ASSET_FILEPATHS

// Python's str(tf.DType): <dtype: 'string'>.
std::string DTypeRepr(DataType dt) { return StrCat("<dtype: '", PythonDTypeName(dt), "'>"); }

// Python's str(Tensor) in graph mode.
std::string TensorRepr(const Output& t) {
  return StrCat("Tensor(\"", t.name(), "\", shape=", PythonShapeString(t.shape()),
                ", dtype=", PythonDTypeName(t.dtype()), ")");
}

bool IsIntegerType(DataType dt) {
  switch (dt) {
    case tensorflow::DT_INT8:
    case tensorflow::DT_INT16:
    case tensorflow::DT_INT32:
    case tensorflow::DT_INT64:
    case tensorflow::DT_UINT8:
    case tensorflow::DT_UINT16:
    case tensorflow::DT_UINT32:
    case tensorflow::DT_UINT64:
      return true;
    default:
      return false;
  }
}

StatusOr<Operation> CreateInitOp(Graph* g, const StaticHashTable& table,
                                 const TableInitializer& initializer) {
  if (const auto* kv = std::get_if<KeyValueTensorInitializer>(&initializer)) {
    NameScope ns(g, kv->name);
    AttrMap attrs = {{"Tin", TypeAttr(kv->keys.dtype())}, {"Tout", TypeAttr(kv->values.dtype())}};
    TFCKPT_ASSIGN_OR_RETURN(
        Operation op, g->CreateOp("LookupTableImportV2", "",
                                  {table.resource_handle(), kv->keys, kv->values}, attrs));
    g->AddToCollection(kTableInitializers, CollectionItem::Of(op));
    return op;
  }
  const auto& tf = std::get<TextFileInitializer>(initializer);
  NameScope ns(g, tf.name, "text_file_init");
  AttrMap attrs = {{"key_index", IntAttr(tf.key_index)},
                   {"value_index", IntAttr(tf.value_index)},
                   {"vocab_size", IntAttr(tf.vocab_size)},
                   {"delimiter", StringAttr(tf.delimiter)},
                   {"offset", IntAttr(tf.value_index_offset)}};
  TFCKPT_ASSIGN_OR_RETURN(
      Operation op, g->CreateOp("InitializeTableFromTextFileV2", "",
                                {table.resource_handle(), tf.filename}, attrs));
  g->AddToCollection(kTableInitializers, CollectionItem::Of(op));
  const tensorflow::NodeDef* file_node = g->FindNode(tf.filename.op);
  if (file_node != nullptr && file_node->op() == "Const") {  // constant_op.is_constant
    g->AddToCollection(kAssetFilepaths, CollectionItem::Of(tf.filename));
  }
  return op;
}

}  // namespace

StatusOr<KeyValueTensorInitializer> MakeKeyValueTensorInitializer(
    Graph* g, const Input& keys, const Input& values, std::optional<DataType> key_dtype,
    std::optional<DataType> value_dtype, const std::string& name) {
  KeyValueTensorInitializer init;
  TFCKPT_ASSIGN_OR_RETURN(init.keys, keys.Convert(g, "keys", key_dtype));
  TFCKPT_ASSIGN_OR_RETURN(init.values, values.Convert(g, "values", value_dtype));
  if (!name.empty()) init.name = name;
  return init;
}

Status ValidateTextFileInitializer(const TextFileInitializer& t) {
  if (!t.filename.valid()) {
    return InvalidArgumentError("`filename` argument required for tf.lookup.TextFileInitializer");
  }
  if (t.key_index < -2) {
    return InvalidArgumentError(StrCat("`key_index` should be >= -2, received: ", t.key_index, "."));
  }
  if (t.key_index == kLineNumber && t.key_dtype != tensorflow::DT_INT64) {
    return InvalidArgumentError(
        StrCat("`key_dtype` must be int64 if `key_index` is -1, received: ", DTypeRepr(t.key_dtype)));
  }
  if (t.key_index == kWholeLine && !IsIntegerType(t.key_dtype) &&
      t.key_dtype != tensorflow::DT_STRING) {
    return InvalidArgumentError(
        StrCat("`key_dtype` should be either integer or string for `key_index` -2, received: ",
               DTypeRepr(t.key_dtype)));
  }
  if (t.value_index < -2) {
    return InvalidArgumentError(
        StrCat("`value_index` should be >= -2, received: ", t.value_index));
  }
  if (t.value_index == kLineNumber && t.value_dtype != tensorflow::DT_INT64) {
    return InvalidArgumentError(StrCat("`value_dtype` must be int64 for `value_index` -1, received: ",
                                       DTypeRepr(t.value_dtype)));
  }
  if (t.value_index == kWholeLine && !IsIntegerType(t.value_dtype) &&
      t.value_dtype != tensorflow::DT_STRING) {
    return InvalidArgumentError(
        StrCat("`value_dtype` should be either integer or string for `value_index` -2, received: ",
               DTypeRepr(t.value_dtype)));
  }
  if (t.vocab_size != -1 && t.vocab_size <= 0) {
    return InvalidArgumentError(StrCat("`vocab_size` should be > 0, received: ", t.vocab_size));
  }
  return OkStatus();
}

std::string TextFileSharedName(const TextFileInitializer& t) {
  std::string out = StrCat("hash_table_", TensorRepr(t.filename));
  if (t.vocab_size > 0) out += StrCat("_", t.vocab_size);
  out += StrCat("_", t.key_index, "_", t.value_index);
  if (t.value_index_offset != 0) out += StrCat("_", t.value_index_offset);
  return out;
}

StatusOr<StaticHashTable> StaticHashTable::Create(Graph* g, const TableInitializer& initializer,
                                                  const Input& default_value,
                                                  const std::string& name,
                                                  std::optional<std::string> shared_name_override) {
  StaticHashTable table;
  table.g_ = g;
  std::string shared_name;
  if (const auto* kv = std::get_if<KeyValueTensorInitializer>(&initializer)) {
    if (!kv->keys.valid() || !kv->values.valid()) {
      return InvalidArgumentError("KeyValueTensorInitializer: keys and values must be tensors");
    }
    table.key_dtype_ = kv->keys.dtype();
    table.value_dtype_ = kv->values.dtype();
    if (!shared_name_override) {
      return InvalidArgumentError(
          "StaticHashTable with a KeyValueTensorInitializer: TF names the table "
          "hash_table_<random uuid4>; pass shared_name_override");
    }
  } else {
    const auto& tf = std::get<TextFileInitializer>(initializer);
    TFCKPT_RETURN_IF_ERROR(ValidateTextFileInitializer(tf));
    table.key_dtype_ = tf.key_dtype;
    table.value_dtype_ = tf.value_dtype;
    shared_name = TextFileSharedName(tf);
  }
  if (shared_name_override) shared_name = *shared_name_override;
  // InitializableLookupTableBase: default value first (Const "Const").
  TFCKPT_ASSIGN_OR_RETURN(table.default_value_,
                          default_value.Convert(g, "Const", table.value_dtype_));
  const tensorflow::TensorShapeProto dshape = table.default_value_.shape();
  if (!dshape.unknown_rank() && dshape.dim_size() != 0) {
    return InvalidArgumentError(
        StrCat("Shapes ", PythonShapeString(dshape), " and () are not compatible"));
  }
  {
    ControlDependencies init_scope(g, std::nullopt);  // ops.init_scope()
    AttrMap attrs = {{"shared_name", StringAttr(shared_name)},
                     {"key_dtype", TypeAttr(table.key_dtype_)},
                     {"value_dtype", TypeAttr(table.value_dtype_)}};
    TFCKPT_ASSIGN_OR_RETURN(Operation op, g->CreateOp("HashTableV2", name.empty() ? "hash_table" : name,
                                                      {}, attrs));
    table.handle_ = op.output(0);
    const size_t slash = op.name.rfind('/');
    table.name_ = slash == std::string::npos ? op.name : op.name.substr(slash + 1);
  }
  TFCKPT_ASSIGN_OR_RETURN(table.init_op_, CreateInitOp(g, table, initializer));
  return table;
}

StatusOr<Output> StaticHashTable::Lookup(const Output& keys, const std::string& name) const {
  if (!keys.valid()) return InvalidArgumentError("lookup: keys is not a tensor");
  if (keys.dtype() != key_dtype_) {
    return InvalidArgumentError(StrCat("Dtype of argument `keys` must be ", DTypeRepr(key_dtype_),
                                       ", received: ", DTypeRepr(keys.dtype())));
  }
  NameScope ns(g_, name, StrCat(name_, "_Lookup"));
  AttrMap attrs = {{"Tin", TypeAttr(key_dtype_)}, {"Tout", TypeAttr(value_dtype_)}};
  TFCKPT_ASSIGN_OR_RETURN(Operation op, g_->CreateOp("LookupTableFindV2", "",
                                                     {handle_, keys, default_value_}, attrs));
  return op.output(0);
}

StatusOr<Output> StaticHashTable::Size(const std::string& name) const {
  NameScope ns(g_, name, StrCat(name_, "_Size"));
  TFCKPT_ASSIGN_OR_RETURN(Operation op, g_->CreateOp("LookupTableSizeV2", "", {handle_}));
  return op.output(0);
}

Operation TablesInitializer(Graph* g, const std::string& name) {
  std::vector<Operation> inits;
  for (const CollectionItem& item : g->GetCollection(kTableInitializers)) {
    if (item.kind == CollectionItem::Kind::kOperation) inits.push_back(Operation{g, item.text});
  }
  if (!inits.empty()) return Group(g, inits, name);
  return NoOp(g, name);
}

}  // namespace tfckpt::train
