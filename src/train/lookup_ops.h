// TF1 lookup tables (tensorflow/python/ops/lookup_ops.py, TF 2.21) on a
// train::Graph, built node for node as TF builds them in graph mode:
//
//   KeyValueTensorInitializer(keys, values)   Consts "keys", "values" now;
//                                             LookupTableImportV2
//                                             "key_value_init/LookupTableImportV2"
//                                             when a table is made
//   TextFileInitializer{filename, ...}        InitializeTableFromTextFileV2
//                                             "text_file_init/..." (the
//                                             filename tensor is added to
//                                             `asset_filepaths` if a Const)
//   StaticHashTable(initializer, default)     Const "Const" (default value),
//                                             HashTableV2 "hash_table" (or
//                                             name) with the initializer's
//                                             shared_name, then the init op,
//                                             added to `table_initializer`
//   table.Lookup(keys)                        "<table>_Lookup/LookupTableFindV2",
//                                             shape of keys
//   TablesInitializer()                       tf.group(table_initializer,
//                                             name="init_all_tables"), a
//                                             NoOp without tables
//
// shared_name: TextFileInitializer's "hash_table_<filename>_<key_index>_
// <value_index>" (vocab_size and offset inserted when set; a tensor
// filename prints as Python's str(Tensor): Tensor("f:0", shape=(),
// dtype=string)); KeyValueTensorInitializer has none, where TF uses
// "hash_table_<uuid4>" (random): SharedNameOverride must then be given to
// reproduce a TF graph. The kernels are the serving lookup kernels
// (src/graph/kernels_lookup.cc), registered in TrainingOpRegistry().
// Errors are TF's ValueError / TypeError texts as InvalidArgument.
#ifndef TFCKPT_TRAIN_LOOKUP_OPS_H_
#define TFCKPT_TRAIN_LOOKUP_OPS_H_

#include <optional>
#include <string>
#include <variant>

#include "src/train/graph_builder.h"
#include "src/train/ops.h"

namespace tfckpt::train {

// TableInitializerBase subclasses.
struct KeyValueTensorInitializer {
  Output keys, values;
  std::string name = "key_value_init";
};
// Converts keys and values (Consts named "keys" / "values").
StatusOr<KeyValueTensorInitializer> MakeKeyValueTensorInitializer(
    Graph* g, const Input& keys, const Input& values,
    std::optional<DataType> key_dtype = std::nullopt,
    std::optional<DataType> value_dtype = std::nullopt, const std::string& name = "");

// TextFileIndex.
constexpr int64_t kWholeLine = -2;
constexpr int64_t kLineNumber = -1;

struct TextFileInitializer {
  // A string tensor, e.g. an asset Const. (A Python str path becomes TF's
  // Asset Const "asset_path" on /device:CPU:*; build that Const first.)
  Output filename;
  DataType key_dtype = tensorflow::DT_STRING;
  int64_t key_index = kWholeLine;
  DataType value_dtype = tensorflow::DT_INT64;
  int64_t value_index = kLineNumber;
  int64_t vocab_size = -1;  // -1: None
  std::string delimiter = "\t";
  std::string name;         // "" -> "text_file_init"
  int64_t value_index_offset = 0;
};
// TextFileInitializer.__init__'s checks (TF's ValueError texts).
Status ValidateTextFileInitializer(const TextFileInitializer& init);

using TableInitializer = std::variant<KeyValueTensorInitializer, TextFileInitializer>;

class StaticHashTable {
 public:
  // tf.compat.v1.lookup.StaticHashTable(initializer, default_value, name).
  // shared_name_override: the HashTableV2 shared_name (needed for a
  // KeyValueTensorInitializer, see above; else the initializer's).
  static StatusOr<StaticHashTable> Create(Graph* g, const TableInitializer& initializer,
                                          const Input& default_value,
                                          const std::string& name = "",
                                          std::optional<std::string> shared_name_override =
                                              std::nullopt);

  // lookup(keys): values, default_value for missing keys.
  StatusOr<Output> Lookup(const Output& keys, const std::string& name = "") const;
  // size(): LookupTableSizeV2 "<table>_Size/...".
  StatusOr<Output> Size(const std::string& name = "") const;

  const Output& resource_handle() const { return handle_; }
  const Output& default_value() const { return default_value_; }
  const Operation& initializer() const { return init_op_; }
  // The table op's last name component (TF's table.name).
  const std::string& name() const { return name_; }
  DataType key_dtype() const { return key_dtype_; }
  DataType value_dtype() const { return value_dtype_; }

 private:
  Graph* g_ = nullptr;
  Output handle_, default_value_;
  Operation init_op_;
  std::string name_;
  DataType key_dtype_ = tensorflow::DT_INVALID, value_dtype_ = tensorflow::DT_INVALID;
};

// tf.compat.v1.tables_initializer(name).
Operation TablesInitializer(Graph* g, const std::string& name = "init_all_tables");

// The shared_name TF gives a table of this TextFileInitializer.
std::string TextFileSharedName(const TextFileInitializer& init);

}  // namespace tfckpt::train

#endif  // TFCKPT_TRAIN_LOOKUP_OPS_H_
