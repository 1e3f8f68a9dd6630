#include "src/tensor/tensor_record.h"

#include "gtest/gtest.h"

namespace tfckpt::tensor {
namespace {

using nlohmann::json;

// golden/README.md "<tensor>": little-endian element bytes as raw_hex.
TEST(TensorRecord, NumericRecordAsTheReadmeDefinesIt) {
  const Tensor t = Tensor::FromVector<float>(tensorflow::DT_FLOAT, TensorShape{2}, {0.5f, -2.0f});
  const json rec = TensorRecord("v", t);
  EXPECT_EQ(rec["dtype"], "DT_FLOAT");
  EXPECT_EQ(rec["shape"], json::array({2}));
  EXPECT_EQ(rec["num_elements"], 2);
  EXPECT_EQ(rec["raw_size"], 8);
  EXPECT_EQ(rec["raw_hex"], "0000003f000000c0");
  EXPECT_EQ(CompareToRecord(t, rec), "");
  auto back = TensorFromRecord(rec);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(back->BitwiseEquals(t));
}

// Strings: values in hex; raw_sha256 over (uint64 LE length ‖ bytes).
TEST(TensorRecord, StringRecord) {
  const Tensor t = Tensor::FromStrings(TensorShape{2}, {"ab", ""});
  EXPECT_EQ(RecordBytes(t), std::string("\x02\0\0\0\0\0\0\0ab\0\0\0\0\0\0\0\0", 18));
  const json rec = TensorRecord("s", t);
  EXPECT_EQ(rec["encoding"], "bytes");
  EXPECT_EQ(rec["values"], json::array({"6162", ""}));
  EXPECT_EQ(rec["raw_size"], 2);
  auto back = TensorFromRecord(rec);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(back->BitwiseEquals(t));
}

TEST(TensorRecord, LargeTensorsCarryOnlyTheirHash) {
  auto t = Tensor::Allocate(tensorflow::DT_INT8, TensorShape{kLargeThreshold + 1});
  ASSERT_TRUE(t.ok());
  const json rec = TensorRecord("big", *t);
  EXPECT_FALSE(rec.contains("raw_hex"));
  EXPECT_EQ(CompareToRecord(*t, rec), "");
  t->mutable_raw_data()[7] = 1;
  EXPECT_EQ(CompareToRecord(*t, rec).rfind("raw_sha256: got", 0), 0u);
  EXPECT_EQ(TensorFromRecord(rec).status().message(), "tensor record \"big\": no \"raw_hex\"");
}

TEST(TensorRecord, BadRecordsNameTheField) {
  json rec = TensorRecord("v", Tensor::FromVector<int32_t>(tensorflow::DT_INT32, TensorShape{1}, {7}));
  json bad = rec;
  bad["dtype"] = "DT_NOPE";
  EXPECT_EQ(TensorFromRecord(bad).status().message(),
            "tensor record \"v\": \"dtype\" is not a DataType name");
  bad = rec;
  bad["shape"] = json::array({"1"});
  EXPECT_EQ(TensorFromRecord(bad).status().message(),
            "tensor record \"v\": \"shape\" is not a list of integers");
  bad = rec;
  bad["raw_hex"] = "0700";
  EXPECT_EQ(TensorFromRecord(bad).status().message(),
            "tensor record \"v\": raw_hex holds 2 bytes, the shape needs 4");
  bad["raw_hex"] = "07x00000";
  EXPECT_FALSE(TensorFromRecord(bad).ok());
}

}  // namespace
}  // namespace tfckpt::tensor
