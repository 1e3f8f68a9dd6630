// lookup_ops.h against TF 2.21. The expectations come from this TF1 program
// run on TF 2.21 (graph mode):
//   init = v1.lookup.KeyValueTensorInitializer(tf.constant([b"a", b"b", b"c"]),
//                                              tf.constant([1, 2, 3], tf.int64))
//   t = v1.lookup.StaticHashTable(init, default_value=-1)
//   k = v1.placeholder(tf.string, [None], name="k")
//   out = t.lookup(k); sz = t.size(); ti = v1.tables_initializer()
//   sess.run(ti); sess.run([out, sz], {k: [b"b", b"z", b"a"]})  -> [2, -1, 1], 3
// with the node names / inputs below, and the error texts of t.lookup(int64
// keys), StaticHashTable(init, default_value=[1, 2]) and
// TextFileInitializer's argument checks. The builder golden
// (src/saved_model/builder_golden_test) covers TextFileInitializer's graph.
#include "gtest/gtest.h"
#include "src/train/lookup_ops.h"
#include "src/train/ops.h"
#include "src/train/client_session.h"

namespace tfckpt::train {
namespace {

using tensor::Tensor;

std::vector<std::string> Inputs(const Graph& g, const std::string& node) {
  const tensorflow::NodeDef* n = g.FindNode(node);
  if (n == nullptr) return {"<no node " + node + ">"};
  return {n->input().begin(), n->input().end()};
}

TEST(LookupOpsTest, KeyValueTableLikeTensorFlow) {
  Graph g;
  Output keys = StringConstant(&g, {"a", "b", "c"}, false);
  Output values = Constant(&g, Tensor::FromVector<int64_t>(tensorflow::DT_INT64, {3}, {1, 2, 3}));
  auto init = MakeKeyValueTensorInitializer(&g, keys, values);
  ASSERT_TRUE(init.ok()) << init.status();
  auto table = StaticHashTable::Create(&g, *init, int64_t{-1}, "", "hash_table_for_test");
  ASSERT_TRUE(table.ok()) << table.status();
  Output k = Placeholder(&g, tensorflow::DT_STRING, std::vector<int64_t>{-1}, "k");
  auto out = table->Lookup(k);
  ASSERT_TRUE(out.ok()) << out.status();
  auto size = table->Size();
  ASSERT_TRUE(size.ok()) << size.status();
  Operation tables = TablesInitializer(&g);
  ASSERT_TRUE(g.status().ok()) << g.status();

  std::vector<std::string> names;
  const tensorflow::GraphDef def = g.ToGraphDef();
  for (const auto& n : def.node()) names.push_back(n.name() + " " + n.op());
  EXPECT_EQ(names, (std::vector<std::string>{
                       "Const Const", "Const_1 Const", "Const_2 Const", "hash_table HashTableV2",
                       "key_value_init/LookupTableImportV2 LookupTableImportV2", "k Placeholder",
                       "hash_table_Lookup/LookupTableFindV2 LookupTableFindV2",
                       "hash_table_Size/LookupTableSizeV2 LookupTableSizeV2",
                       "init_all_tables NoOp"}));
  EXPECT_EQ(Inputs(g, "key_value_init/LookupTableImportV2"),
            (std::vector<std::string>{"hash_table", "Const", "Const_1"}));
  EXPECT_EQ(Inputs(g, "hash_table_Lookup/LookupTableFindV2"),
            (std::vector<std::string>{"hash_table", "k", "Const_2"}));
  EXPECT_EQ(Inputs(g, "init_all_tables"),
            std::vector<std::string>{"^key_value_init/LookupTableImportV2"});
  EXPECT_TRUE(g.FindNode("key_value_init/LookupTableImportV2")
                  ->attr()
                  .at("_has_manual_control_dependencies")
                  .b());
  std::vector<CollectionItem> inits = g.GetCollection("table_initializer");
  ASSERT_EQ(inits.size(), 1u);
  EXPECT_EQ(inits[0].ElementName(), "key_value_init/LookupTableImportV2");
  EXPECT_EQ(g.OutputShape(*out).dim_size(), 1);  // set_shape(keys.shape)

  ClientSession sess(&g);
  ASSERT_TRUE(sess.Run({tables}).ok());
  auto got = sess.Run({{k, Tensor::FromStrings({3}, {"b", "z", "a"})}}, {*out, *size});
  ASSERT_TRUE(got.ok()) << got.status();
  const auto ids = (*got)[0].flat<int64_t>();
  ASSERT_EQ((*got)[0].num_elements(), 3);
  EXPECT_EQ(std::vector<int64_t>(ids, ids + 3), (std::vector<int64_t>{2, -1, 1}));
  EXPECT_EQ((*got)[1].flat<int64_t>()[0], 3);
}

TEST(LookupOpsTest, ErrorsLikeTensorFlow) {
  Graph g;
  auto init = MakeKeyValueTensorInitializer(
      &g, StringConstant(&g, {"a"}, false),
      Constant(&g, Tensor::FromVector<int64_t>(tensorflow::DT_INT64, {1}, {1})));
  ASSERT_TRUE(init.ok());
  auto table = StaticHashTable::Create(&g, *init, int64_t{-1}, "", "t");
  ASSERT_TRUE(table.ok()) << table.status();
  Output int_keys = Constant(&g, Tensor::FromVector<int64_t>(tensorflow::DT_INT64, {2}, {1, 2}));
  EXPECT_EQ(table->Lookup(int_keys).status().message(),
            "Dtype of argument `keys` must be <dtype: 'string'>, received: <dtype: 'int64'>");
  auto bad_default = StaticHashTable::Create(
      &g, *init, Tensor::FromVector<int64_t>(tensorflow::DT_INT64, {2}, {1, 2}), "", "t2");
  EXPECT_EQ(bad_default.status().message(), "Shapes (2,) and () are not compatible");

  TextFileInitializer text;
  text.filename = StringConstant(&g, {"f.txt"}, true);
  const std::pair<std::function<void(TextFileInitializer*)>, std::string> cases[] = {
      {[](TextFileInitializer* t) { t->key_index = kLineNumber; },
       "`key_dtype` must be int64 if `key_index` is -1, received: <dtype: 'string'>"},
      {[](TextFileInitializer* t) {
         t->value_dtype = tensorflow::DT_FLOAT;
         t->value_index = kWholeLine;
       },
       "`value_dtype` should be either integer or string for `value_index` -2, received: "
       "<dtype: 'float32'>"},
      {[](TextFileInitializer* t) { t->vocab_size = 0; }, "`vocab_size` should be > 0, received: 0"},
      {[](TextFileInitializer* t) { t->key_index = -3; }, "`key_index` should be >= -2, received: -3."},
  };
  for (const auto& [mutate, want] : cases) {
    TextFileInitializer t = text;
    mutate(&t);
    EXPECT_EQ(ValidateTextFileInitializer(t).message(), want);
    EXPECT_EQ(StaticHashTable::Create(&g, t, int64_t{-1}).status().message(), want);
  }
  EXPECT_TRUE(ValidateTextFileInitializer(text).ok());
  EXPECT_EQ(TextFileSharedName(text),
            "hash_table_Tensor(\"" + text.filename.name() + "\", shape=(), dtype=string)_-2_-1");
}

TEST(LookupOpsTest, TablesInitializerWithoutTablesIsANoOp) {
  Graph g;
  Operation op = TablesInitializer(&g);
  ASSERT_TRUE(op.valid());
  EXPECT_EQ(op.name, "init_all_tables");
  EXPECT_EQ(op.node_def()->op(), "NoOp");
  EXPECT_EQ(op.node_def()->input_size(), 0);
}

}  // namespace
}  // namespace tfckpt::train
