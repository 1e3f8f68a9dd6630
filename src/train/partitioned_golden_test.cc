// golden/generate/gen_saver.py's partitioned scenario replayed:
// get_variable with fixed_size_partitioner(3) gives TF's parts, VariableDefs
// with SaveSliceInfo, .meta and sliced checkpoint (byte for byte); TF's
// checkpoint restores into 3 partitions, 2 partitions and no partitioning.
#include "gtest/gtest.h"
#include "src/train/partitioned.h"
#include "src/train/saver.h"
#include "src/train/client_session.h"
#include "src/train/test_util.h"

namespace tfckpt::train {
namespace {

using namespace testing;  // NOLINT
using tensor::Tensor;

const char kScenario[] = "partitioned";

Tensor Full() {
  std::vector<float> v;
  for (int i = 0; i < 40; ++i) v.push_back(static_cast<float>(i) * 0.5f - 3.0f);
  return Tensor::FromVector<float>(tensorflow::DT_FLOAT, {10, 4}, v);
}

TEST(PartitionedGoldenTest, SaveLikeTensorFlow) {
  const std::string dir = TempDir("partitioned");
  ScopedCwd cwd(dir);
  Graph g;
  GetVariableOptions po;
  po.shape = std::vector<int64_t>{10, 4};
  po.dtype = tensorflow::DT_FLOAT;
  po.initializer = Initializer::SliceOf(Full());
  auto pv = GetPartitionedVariable(&g, "pv", po, FixedSizePartitioner(3));
  ASSERT_TRUE(pv.ok()) << pv.status();
  GetVariableOptions wo;
  wo.initializer = Constant(&g, Tensor::FromVector<int32_t>(tensorflow::DT_INT32, {3}, {1, 2, 3}));
  Variable w = *GetVariable(&g, "w", wo);
  json parts = json::array();
  for (const Variable& p : pv->parts()) {
    std::vector<int64_t> dims;
    for (const auto& d : p.shape().dim()) dims.push_back(d.size());
    parts.push_back({{"name", p.name()},
                     {"shape", dims},
                     {"save_slice_info", SliceSpec(*p.data()->save_slice_info)}});
  }
  EXPECT_EQ(parts, Note(kScenario, "partition_variables"));
  auto saver = Saver::Create(&g);
  ASSERT_TRUE(saver.ok()) << saver.status();
  ClientSession sess(&g);
  ASSERT_TRUE(sess.Run({GlobalVariablesInitializer(&g)}).ok());
  const json& run = RunOf(kScenario, "save");
  for (const Variable& p : pv->parts()) {
    EXPECT_EQ(TensorMismatch(*sess.Eval(p), OutputOf(run, p.name())), "") << p.name();
  }
  EXPECT_EQ(TensorMismatch(*sess.Eval(w), OutputOf(run, "w:0")), "");
  auto whole = sess.Eval(pv->AsTensor());
  ASSERT_TRUE(whole.ok()) << whole.status();
  EXPECT_EQ(TensorMismatch(*whole, OutputOf(run, "pv (as_tensor)")), "");
  ASSERT_TRUE((*saver)->Save(&sess, "model.ckpt").ok());
  EXPECT_EQ(MetaGraphDiff(ReadMetaGraph(Golden(kScenario, "model.ckpt.meta")),
                          ReadMetaGraph("model.ckpt.meta")),
            "");
  for (const char* f : {"model.ckpt.meta", "model.ckpt.index", "model.ckpt.data-00000-of-00001",
                        "checkpoint"}) {
    EXPECT_TRUE(ReadFile(f) == ReadFile(Golden(kScenario, f))) << f;
  }
}

struct RestoreCase {
  const char* label;
  int partitions;  // 0: unpartitioned
};

class PartitionedRestoreTest : public ::testing::TestWithParam<RestoreCase> {};

TEST_P(PartitionedRestoreTest, RestoresTensorFlowsSlices) {
  const RestoreCase c = GetParam();
  Graph g;
  GetVariableOptions po;
  po.shape = std::vector<int64_t>{10, 4};
  po.dtype = tensorflow::DT_FLOAT;
  po.initializer = Initializer::Zeros();
  TensorRef pv_fetch("pv:0");
  std::optional<PartitionedVariable> pv;
  if (c.partitions > 0) {
    pv = *GetPartitionedVariable(&g, "pv", po, FixedSizePartitioner(c.partitions));
  } else {
    ASSERT_TRUE(GetVariable(&g, "pv", po).ok());
  }
  Variable w = *GetVariable(&g, "w", {3}, tensorflow::DT_INT32, Initializer::Zeros());
  auto saver = Saver::Create(&g);
  ASSERT_TRUE(saver.ok()) << saver.status();
  ClientSession sess(&g);
  Status s = (*saver)->Restore(&sess, Golden(kScenario, "model.ckpt"));
  ASSERT_TRUE(s.ok()) << s;
  if (pv) pv_fetch = TensorRef(pv->AsTensor());
  const json& run = RunOf(kScenario, c.label);
  EXPECT_EQ(TensorMismatch(*sess.Eval(pv_fetch), OutputOf(run, "pv")), "");
  EXPECT_EQ(TensorMismatch(*sess.Eval(w), OutputOf(run, "w:0")), "");
}

INSTANTIATE_TEST_SUITE_P(Goldens, PartitionedRestoreTest,
                         ::testing::Values(RestoreCase{"restore_same_partitioning", 3},
                                           RestoreCase{"restore_2_partitions", 2},
                                           RestoreCase{"restore_unpartitioned", 0}),
                         [](const auto& info) { return std::string(info.param.label); });

TEST(PartitionedTest, Errors) {
  Graph g;
  GetVariableOptions po;
  po.shape = std::vector<int64_t>{10, 4};
  ASSERT_TRUE(GetPartitionedVariable(&g, "pv", po, FixedSizePartitioner(3)).ok());
  EXPECT_EQ(GetPartitionedVariable(&g, "pv", po, FixedSizePartitioner(3)).status().message(),
            "Partitioned variable with name pv already exists. Did you mean to set reuse=True or "
            "reuse=tf.AUTO_REUSE in VarScope?");
  ASSERT_TRUE(GetVariable(&g, "plain", po).ok());
  EXPECT_EQ(GetPartitionedVariable(&g, "plain", po, FixedSizePartitioner(2)).status().message(),
            "A partitioner was provided, but an unpartitioned version of the variable was found: "
            "plain.  Perhaps a variable of the same name was already created without "
            "partitioning?");
  VariableScope reuse(&g, "", Reuse::kTrue);
  EXPECT_EQ(GetPartitionedVariable(&g, "pv", po, FixedSizePartitioner(2)).status().message(),
            "Trying to reuse partitioned variable pv, but specified partitions [2, 1] and found "
            "partitions [3, 1].");
  EXPECT_EQ(GetPartitionedVariable(&g, "nope", po, FixedSizePartitioner(2)).status().message(),
            "PartitionedVariable nope does not exist, or was not created with tf.get_variable(). "
            "Did you mean to set reuse=False or reuse=tf.AUTO_REUSE in VarScope?");
}

}  // namespace
}  // namespace tfckpt::train
