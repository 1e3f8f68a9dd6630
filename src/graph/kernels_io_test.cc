// Checkpoint ops over the storage layers, and the string ops of Saver
// graphs. Files go to $TEST_TMPDIR.
#include <cstdlib>

#include "gtest/gtest.h"
#include "src/bundle/bundle_reader.h"
#include "src/graph/test_util.h"
#include "src/io/env.h"
#include "src/testing/runfiles.h"

namespace tfckpt::graph {
namespace {

using namespace testing;  // NOLINT

constexpr DataType kF = tensorflow::DT_FLOAT;
constexpr DataType kS = tensorflow::DT_STRING;

using ::tfckpt::testing::TempDir;

Tensor Strings(const std::vector<std::string>& v) {
  return S({static_cast<int64_t>(v.size())}, v);
}

// SaveV2(prefix, names, specs, tensors...) as a target.
Status Save(const std::string& op, const std::string& prefix, const std::vector<std::string>& names,
            const std::vector<std::string>& specs, const std::vector<Tensor>& tensors) {
  GraphBuilder b;
  b.Const("prefix", S({}, {prefix}));
  b.Const("names", Strings(names));
  std::vector<std::string> inputs = {"prefix", "names"};
  if (op != "Save") {
    b.Const("specs", Strings(specs));
    inputs.push_back("specs");
  }
  std::vector<DataType> dtypes;
  for (size_t i = 0; i < tensors.size(); ++i) {
    inputs.push_back(b.Const(StrCat("t", i), tensors[i]));
    dtypes.push_back(tensors[i].dtype());
  }
  b.Op("save", op, inputs, {{op == "SaveV2" ? "dtypes" : "T", ATypes(dtypes)}});
  return RunGraph(b.def(), {}, {}, {"save"}).status();
}

StatusOr<std::vector<Tensor>> Restore(const std::string& prefix,
                                      const std::vector<std::string>& names,
                                      const std::vector<std::string>& specs,
                                      const std::vector<DataType>& dtypes) {
  GraphBuilder b;
  b.Const("prefix", S({}, {prefix}));
  b.Const("names", Strings(names));
  b.Const("specs", Strings(specs));
  b.Op("restore", "RestoreV2", {"prefix", "names", "specs"}, {{"dtypes", ATypes(dtypes)}});
  std::vector<std::string> fetches;
  for (size_t i = 0; i < names.size(); ++i) fetches.push_back(StrCat("restore:", i));
  return RunGraph(b.def(), fetches);
}

TEST(SaveV2RestoreV2, RoundTripsEveryKindOfTensor) {
  const std::string prefix = TempDir("v2") + "/model.ckpt";
  const Tensor w = F({2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor step = I64({}, {42});
  const Tensor s = S({2}, {"a", std::string("\0\xff", 2)});
  ASSERT_TRUE(Save("SaveV2", prefix, {"w", "step", "s"}, {"", "", ""}, {w, step, s}).ok());
  auto reader = bundle::BundleReader::Open(io::Env::Default(), prefix);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_TRUE((*reader)->Lookup("w")->BitwiseEquals(w));
  auto out = Restore(prefix, {"s", "w", "step"}, {"", "", ""}, {kS, kF, tensorflow::DT_INT64});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE((*out)[0].BitwiseEquals(s));
  EXPECT_TRUE((*out)[1].BitwiseEquals(w));
  EXPECT_TRUE((*out)[2].BitwiseEquals(step));
  // A slice of a stored tensor.
  auto rows = Restore(prefix, {"w"}, {"2 3 1,1:0,2"}, {kF});
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(Values<float>((*rows)[0]), (std::vector<float>{4, 5}));
}

TEST(SaveV2RestoreV2, PartitionedSaveAndRestore) {
  const std::string prefix = TempDir("parts") + "/model.ckpt";
  ASSERT_TRUE(Save("SaveV2", prefix, {"pv", "pv"}, {"4 2 0,3:-", "4 2 3,1:-"},
                   {F({3, 2}, {1, 2, 3, 4, 5, 6}), F({1, 2}, {7, 8})})
                  .ok());
  auto whole = Restore(prefix, {"pv"}, {""}, {kF});
  ASSERT_TRUE(whole.ok()) << whole.status();
  EXPECT_EQ((*whole)[0].shape(), TensorShape({4, 2}));
  EXPECT_EQ(Values<float>((*whole)[0]), (std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8}));
  auto part = Restore(prefix, {"pv"}, {"4 2 2,2:-"}, {kF});
  EXPECT_EQ(Values<float>((*part)[0]), (std::vector<float>{5, 6, 7, 8}));
  EXPECT_EQ(Message(Save("SaveV2", prefix, {"x"}, {"4 2 0,3:-"}, {F({2, 2}, {})})),
            "Slice in shape_and_slice specification does not match the shape of the tensor to  "
            "save: 4 2 0,3:-, tensor: [2,2]");
}

TEST(RestoreV2, TensorFlowsErrors) {
  const std::string prefix = TempDir("errors") + "/model.ckpt";
  ASSERT_TRUE(Save("SaveV2", prefix, {"a", "b"}, {"", ""}, {F({3, 4}, {}), D({1}, {1})}).ok());
  auto dtype = Restore(prefix, {"b", "a"}, {"", ""}, {kF, tensorflow::DT_DOUBLE});
  EXPECT_EQ(dtype.status().code(), StatusCode::kInvalidArgument);
  // Every mismatch, in file order (a before b).
  EXPECT_EQ(Message(dtype.status()),
            "tensor_name = a; expected dtype double does not equal original dtype float\n"
            "tensor_name = b; expected dtype float does not equal original dtype double");
  auto missing = Restore(prefix, {"nope"}, {""}, {kF});
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(),
            "Key nope not found in checkpoint\n\t [[{{node restore}}]]");
  EXPECT_EQ(Message(Restore(prefix, {"a"}, {"4 4 -:-"}, {kF}).status()),
            "tensor_name = a; shape in shape_and_slice spec [4,4] does not match the shape "
            "stored in checkpoint: [3,4]");
  EXPECT_EQ(Message(Restore(prefix, {"a", "b"}, {""}, {kF, kF}).status()),
            "tensor_names and shape_and_slices have different number of elements: 2 vs. 1");
  EXPECT_EQ(Message(Restore(prefix, {"a"}, {""}, {kF, kF}).status()),
            "Got 1 tensor names, but 2 expected dtypes.");
  // No .index: the V1 reader is tried, and finds no file.
  auto none = Restore(TempDir("none") + "/missing", {"a"}, {""}, {kF});
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Message(none.status()),
            StrCat("Unsuccessful TensorSliceReader constructor: Failed to find any matching "
                   "files for ",
                   TempDir("none"), "/missing"));
}

TEST(SaveV2, ValidatesItsInputs) {
  GraphBuilder b;
  b.Const("prefix", S({2}, {"a", "b"}));
  b.Const("names", Strings({"x"}));
  b.Const("specs", Strings({""}));
  b.Const("t", F({}, {1}));
  b.Op("save", "SaveV2", {"prefix", "names", "specs", "t"}, {{"dtypes", ATypes({kF})}});
  EXPECT_EQ(Message(RunGraph(b.def(), {}, {}, {"save"}).status()),
            "Input prefix should have a single element, got 2 instead.");
  GraphBuilder c;
  c.Const("prefix", S({}, {TempDir("count") + "/x"}));
  c.Const("names", Strings({"x", "y"}));
  c.Const("specs", Strings({"", ""}));
  c.Const("t", F({}, {1}));
  c.Op("save", "SaveV2", {"prefix", "names", "specs", "t"}, {{"dtypes", ATypes({kF})}});
  EXPECT_EQ(Message(RunGraph(c.def(), {}, {}, {"save"}).status()), "Got 2 tensor names but 1 tensors.");
  EXPECT_EQ(Message(Save("SaveV2", TempDir("dup") + "/x", {"x", "x"}, {"", ""}, {F({}, {1}), F({}, {2})})),
            "Adding duplicate key: x");
}

TEST(V1, SaveRestoreAndTheV2Fallback) {
  const std::string file = TempDir("v1") + "/model.ckpt";
  ASSERT_TRUE(Save("Save", file, {"w", "s"}, {}, {F({2}, {1, 2}), S({}, {"x"})}).ok());
  // RestoreV2 on a V1 file: the V1 path.
  auto out = Restore(file, {"s", "w"}, {"", ""}, {kS, kF});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<std::string>((*out)[0])[0], "x");
  EXPECT_EQ(Values<float>((*out)[1]), (std::vector<float>{1, 2}));
  EXPECT_EQ(Message(Restore(file, {"w", "s"}, {"", ""}, {kF, kF}).status()),
            "Expected to restore a tensor of type float, got a tensor of type string instead: "
            "tensor_name = s");
  EXPECT_EQ(Message(Restore(file, {"zz"}, {""}, {kF}).status()),
            StrCat("Tensor name \"zz\" not found in checkpoint files ", file));
  // Restore / RestoreSlice ops.
  GraphBuilder b;
  b.Const("file", S({}, {file}));
  b.Const("name", S({}, {"w"}));
  b.Const("spec", S({}, {"2 1,1"}));
  b.Op("r", "Restore", {"file", "name"}, {{"dt", AType(kF)}});
  b.Op("rs", "RestoreSlice", {"file", "name", "spec"}, {{"dt", AType(kF)}});
  b.Op("bad", "Restore", {"file", "name"}, {{"dt", AType(kF)}, {"preferred_shard", AInt(-2)}});
  auto r = RunGraph(b.def(), {"r:0", "rs:0"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Values<float>((*r)[0]), (std::vector<float>{1, 2}));
  EXPECT_EQ(Values<float>((*r)[1]), std::vector<float>{2});
  EXPECT_EQ(Message(RunGraph(b.def(), {"bad:0"}).status()),
            "Attribute 'preferred_shard' must be greater or equal to -1");
  // SaveSlices writes one partition; V1 refuses dtypes it cannot hold.
  const std::string sliced = TempDir("v1s") + "/sliced.ckpt";
  ASSERT_TRUE(Save("SaveSlices", sliced, {"p"}, {"4 0,2"}, {F({2}, {9, 8})}).ok());
  auto half = Restore(sliced, {"p"}, {"4 0,2"}, {kF});
  ASSERT_TRUE(half.ok()) << half.status();
  EXPECT_EQ(Values<float>((*half)[0]), (std::vector<float>{9, 8}));
  EXPECT_EQ(Message(Save("Save", sliced, {"b"}, {}, {MakeTensor<uint32_t>(tensorflow::DT_UINT32, {1}, {1})})),
            "Tensor slice serialization not implemented for dtype 22");
  EXPECT_EQ(Message(Save("Save", sliced, {"a", "b"}, {}, {F({}, {1})})),
            "Expected totally 4 inputs as input #1 (which is a string tensor of saved names) "
            "contains 2 names, but received 3 inputs");
}

TEST(SaveV2, AResourceHandleIsAnErrorNotACrash) {
  GraphBuilder b;
  b.Const("prefix", S({}, {TempDir("resource") + "/x"}));
  b.Const("names", Strings({"h"}));
  b.Const("specs", Strings({""}));
  b.Op("h", "VarHandleOp", {}, {{"dtype", AType(kF)}, {"shape", AShape({})}, {"shared_name", AStr("h")}});
  b.Op("save", "SaveV2", {"prefix", "names", "specs", "h"},
       {{"dtypes", ATypes({tensorflow::DT_RESOURCE})}});
  auto s = RunGraph(b.def(), {}, {}, {"save"});
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("[[{{node save}}]]"), std::string::npos) << s.status();
}

TEST(MergeV2Checkpoints, MergesShardsAndRemovesTheTempDirectory) {
  const std::string dir = TempDir("merge");
  const std::string tmp = dir + "/model.ckpt_temp";
  const std::string p0 = tmp + "/part-00000-of-00002";
  const std::string p1 = tmp + "/part-00001-of-00002";
  ASSERT_TRUE(Save("SaveV2", p0, {"a"}, {""}, {F({}, {1})}).ok());  // creates model.ckpt_temp/
  ASSERT_TRUE(Save("SaveV2", p1, {"b"}, {""}, {F({}, {2})}).ok());
  GraphBuilder b;
  b.Const("prefixes", Strings({p0, p1}));
  b.Const("dest", S({}, {dir + "/model.ckpt"}));
  b.Op("merge", "MergeV2Checkpoints", {"prefixes", "dest"});
  ASSERT_TRUE(RunGraph(b.def(), {}, {}, {"merge"}).ok());
  EXPECT_FALSE(io::Env::Default()->FileExists(tmp));
  auto out = Restore(dir + "/model.ckpt", {"a", "b"}, {"", ""}, {kF, kF});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<float>((*out)[1])[0], 2);
  GraphBuilder c;
  c.Const("prefixes", S({}, {"x"}));
  c.Const("dest", S({}, {"y"}));
  c.Op("merge", "MergeV2Checkpoints", {"prefixes", "dest"});
  EXPECT_EQ(Message(RunGraph(c.def(), {}, {}, {"merge"}).status()),
            "Input checkpoint_prefixes should be an 1-D tensor, got [] instead.");
}

TEST(StringOps, SaverFilenames) {
  EXPECT_EQ(Values<std::string>(*RunOp("StringJoin", {S({}, {"model"}), S({2}, {"_a", "_b"})},
                                       {{"N", AInt(2)}, {"separator", AStr("/")}})),
            (std::vector<std::string>{"model/_a", "model/_b"}));
  EXPECT_EQ(Message(RunOp("StringJoin", {S({2}, {}), S({3}, {})}, {{"N", AInt(2)}}).status()),
            "Input shapes do not match: [2] vs. [3]");
  EXPECT_EQ(Values<std::string>(*RunOp("ShardedFilename", {S({}, {"m_temp/part"}), I32({}, {1}), I32({}, {3})}, {})),
            std::vector<std::string>{"m_temp/part-00001-of-00003"});
  EXPECT_EQ(Values<std::string>(*RunOp("ShardedFilespec", {S({}, {"m"}), I32({1}, {12})}, {})),
            std::vector<std::string>{"m-\?\?\?\?\?-of-00012"});
  EXPECT_EQ(Message(RunOp("ShardedFilename", {S({2}, {}), I32({}, {1}), I32({}, {3})}, {}).status()),
            "basename must be a scalar, got shape [2]");
  auto m = RunOp("StaticRegexFullMatch", {S({3}, {"s3://bucket/x", "/tmp/s3://", "s3:/"})},
                 {{"pattern", AStr("^s3://.*")}});
  EXPECT_EQ(BoolValues(*m), (std::vector<bool>{true, false, false}));
  EXPECT_EQ(Message(RunOp("StaticRegexFullMatch", {S({}, {"x"})}, {{"pattern", AStr("(")}}).status())
                .rfind("Invalid pattern: (, error: ", 0),
            0u);
}

}  // namespace
}  // namespace tfckpt::graph
