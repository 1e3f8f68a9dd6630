// The validator over files TensorFlow wrote (golden/tf-*): no defect on any.
#include <cstdlib>
#include <string>

#include "gtest/gtest.h"
#include "src/check/report_test_util.h"
#include "src/check/validator.h"
#include "src/bundle/naming.h"
#include "src/io/env.h"
#include "src/io/mem_env.h"
#include "src/testing/runfiles.h"
#include "src/testing/shared_dir.h"

namespace tfckpt::check {
namespace {

using ::tfckpt::testing::Runfile;

TEST(ValidatorGolden, EveryTensorFlowWrittenV2CheckpointIsValid) {
  // Every golden .index file names a V2 checkpoint (TF 2.21's and 1.15's).
  for (const char* corpus : {"golden/tf-2.21", "golden/tf-1.15"}) {
    int n = 0;
    auto files = io::Env::Default()->GetChildren(Runfile(corpus));
    ASSERT_TRUE(files.ok()) << corpus;
    for (const std::string& scenario : *files) {
      const std::string dir = Runfile(std::string(corpus) + "/" + scenario);
      std::vector<std::string> stack = {dir};
      while (!stack.empty()) {
        const std::string d = stack.back();
        stack.pop_back();
        auto children = io::Env::Default()->GetChildren(d);
        if (!children.ok()) continue;
        for (const std::string& c : *children) {
          const std::string p = d + "/" + c;
          if (io::Env::Default()->IsDirectory(p)) {
            stack.push_back(p);
          } else if (auto prefix = bundle::PrefixFromBundleFilename(p);
                     prefix && p.size() > 6 && p.substr(p.size() - 6) == ".index") {
            Report r = Validate(io::Env::Default(), *prefix);
            EXPECT_TRUE(r.ok()) << *prefix << "\n" << Codes(r);
            ++n;
          }
        }
      }
    }
    EXPECT_GE(n, 20) << corpus;
  }
}

// TF 1.15's sharded V1 save over three devices: its state file names the
// pattern the Saver returned, "model.ckpt-7-?????-of-00003".
TEST(ValidatorGolden, StateFileNamingAV1ShardPattern) {
  Report r = Validate(io::Env::Default(), Runfile("golden/tf-1.15/sharded_devices_v1"));
  EXPECT_EQ(r.kind, "state_dir");
  EXPECT_TRUE(r.ok()) << Codes(r);
  EXPECT_EQ(r.tensors_checked, 4u);
}

// TF 1.15's SavedModelBuilder with a V1 Saver: variables/variables is one V1
// file (no .index), checked like any V1 checkpoint.
TEST(ValidatorGolden, SavedModelWithV1Variables) {
  Report r = Validate(io::Env::Default(),
                      Runfile("golden/tf-1.15/saved_model_v1_variables/saved_model"));
  EXPECT_EQ(r.kind, "saved_model");
  EXPECT_TRUE(r.ok()) << Codes(r);
  EXPECT_EQ(r.tensors_checked, 2u);
}

TEST(ValidatorGolden, V1CheckpointsFromTensorFlow) {
  for (const char* rel : {"golden/tf-2.21/saver_v1_basic/model.ckpt",
                          "golden/tf-2.21/dtypes_v1/dtypes_v1"}) {
    Report r = Validate(io::Env::Default(), Runfile(rel));
    EXPECT_EQ(r.kind, "v1") << rel;
    EXPECT_TRUE(r.ok()) << rel << "\n" << Codes(r);
    EXPECT_GE(r.tensors_checked, 2u);
  }
  Report dir = Validate(io::Env::Default(), Runfile("golden/tf-2.21/saver_v1_basic"));
  EXPECT_EQ(dir.kind, "state_dir");
  EXPECT_TRUE(dir.ok()) << Codes(dir);
}

// A sharded V1 save by the pattern TF's Saver returns, and by its prefix.
TEST(ValidatorGolden, ShardedV1ByPatternAndPrefix) {
  for (const char* rel : {"golden/tf-2.21/sharded_many/model_v1.ckpt-" "?????" "-of-00008",
                          "golden/tf-2.21/sharded_many/model_v1.ckpt"}) {
    Report r = Validate(io::Env::Default(), Runfile(rel));
    EXPECT_EQ(r.kind, "v1") << rel;
    EXPECT_TRUE(r.ok()) << rel << "\n" << Codes(r);
    EXPECT_EQ(r.tensors_checked, 11u) << rel;
  }
  Report none =
      Validate(io::Env::Default(), Runfile("golden/tf-2.21/sharded_many/nope-" "?????" "-of-00008"));
  EXPECT_FALSE(none.ok());
}

TEST(Validator, EveryV1ByteFlipAndTruncationIsReported) {
  const std::string path = Runfile("golden/tf-2.21/saver_v1_basic/model.ckpt");
  auto original = io::Env::Default()->ReadFileToString(path);
  ASSERT_TRUE(original.ok());
  for (size_t i = 0; i < original->size(); ++i) {
    io::MemEnv env;
    std::string bytes = *original;
    bytes[i] ^= 0x01;
    env.PutFile("/v1/model.ckpt", bytes);
    Report r = Validate(&env, "/v1/model.ckpt");
    EXPECT_FALSE(r.ok()) << "byte " << i;
  }
  for (size_t len = 0; len < original->size(); ++len) {
    io::MemEnv env;
    env.PutFile("/v1/model.ckpt", original->substr(0, len));
    EXPECT_FALSE(Validate(&env, "/v1/model.ckpt").ok()) << "cut to " << len;
  }
}

TEST(ValidatorGolden, SavedModelsFromTensorFlow) {
  Report sm = Validate(io::Env::Default(),
                       Runfile("golden/tf-2.21/saved_model_simple_save/saved_model"));
  EXPECT_EQ(sm.kind, "saved_model");
  EXPECT_TRUE(sm.ok()) << Codes(sm);
  auto gpu = tfckpt::testing::FindSharedPath(
      "src/check/BUILD", "tf-golden/serving/saved_model_half_plus_two_cpu/00000123");
  if (!gpu) GTEST_SKIP() << "../shared/tf-golden not present";
  Report r = Validate(io::Env::Default(), *gpu);
  EXPECT_TRUE(r.ok()) << Codes(r);
  EXPECT_EQ(r.tensors_checked, 5u);  // a, a2, b, c, c2
  auto bad = tfckpt::testing::FindSharedPath("src/check/BUILD",
                                             "tf-golden/serving/bad_half_plus_two/00000123");
  ASSERT_TRUE(bad.has_value());
  // Its state file names absolute /tmp paths. Whether those exist depends on
  // the host (the machine that wrote the file may still have them), so the
  // directory is copied into memory, where they exist only when planted.
  io::MemEnv env;
  for (const char* name : {"checkpoint", "export", "export.meta"}) {
    auto bytes = io::Env::Default()->ReadFileToString(*bad + "/" + name);
    ASSERT_TRUE(bytes.ok()) << name;
    env.PutFile(std::string("/m/00000123/") + name, *bytes);
  }
  Report b = Validate(&env, "/m/00000123");
  EXPECT_TRUE(Has(b, DefectCode::kStalePath)) << Codes(b);
  // Where the absolute path does exist, TF's get_checkpoint_state uses it as
  // is (no join, no fallback to the file beside the state file): so does the
  // validator, and it says which file it read.
  auto exported = env.ReadFileToString("/m/00000123/export");
  ASSERT_TRUE(exported.ok());
  env.PutFile("/tmp/bad_half_plus_two/00000123/export", *exported);
  Report moved = Validate(&env, "/m/00000123");
  EXPECT_FALSE(Has(moved, DefectCode::kStalePath)) << Codes(moved);
  bool named = false;
  for (const std::string& note : moved.notes) {
    named |= note.find("/tmp/bad_half_plus_two/00000123/export") != std::string::npos;
  }
  EXPECT_TRUE(named) << "no note names the file the state file pointed to";
}

}  // namespace
}  // namespace tfckpt::check
