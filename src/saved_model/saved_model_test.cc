// Malformed models give clean errors naming the file and what was expected
// (CVE-2020-15206: renamed or missing names must not crash), and the pieces
// the loaders are built from: legacy signature decoding, JSON inputs.
// Models are TF 2.21's goldens (golden/tf-2.21) with one thing broken,
// written to TEST_TMPDIR.
#include <google/protobuf/text_format.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "gtest/gtest.h"
#include "proto/saved_model.pb.h"
#include "src/io/env.h"
#include "src/testing/runfiles.h"
#include "src/saved_model/json_input.h"
#include "src/saved_model/loader.h"
#include "src/saved_model/session_bundle.h"
#include "src/saved_model/signature.h"

namespace tfckpt::saved_model {
namespace {

using tensor::Tensor;
using tensor::TensorShape;

using ::tfckpt::testing::Runfile;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
  ASSERT_TRUE(out) << path;
}

using ::tfckpt::testing::TempDir;

const char kSimple[] = "golden/tf-2.21/saved_model_simple_save/saved_model";
const char kBuilder[] = "golden/tf-2.21/saved_model_builder/saved_model";
const char kTf2[] = "golden/tf-2.21/tf2_module_saved_model/saved_model";

tensorflow::SavedModel ReadSavedModel(const char* golden) {
  tensorflow::SavedModel sm;
  EXPECT_TRUE(sm.ParseFromString(ReadFile(Runfile(StrCat(golden, "/saved_model.pb")))));
  return sm;
}

// A copy of `golden` under TEST_TMPDIR/<name> with saved_model.pb replaced
// by `sm` (variables and assets copied unless told otherwise).
std::string WriteModel(const std::string& name, const char* golden,
                       const tensorflow::SavedModel& sm, bool variables = true, bool assets = true) {
  const std::string dir = TempDir(name);
  WriteFile(io::JoinPath(dir, "saved_model.pb"), sm.SerializeAsString());
  io::Env* env = io::Env::Default();
  for (const char* sub : {"variables", "assets"}) {
    if ((std::string(sub) == "variables" && !variables) || (std::string(sub) == "assets" && !assets)) {
      continue;
    }
    const std::string from = Runfile(StrCat(golden, "/", sub));
    if (!env->IsDirectory(from)) continue;
    EXPECT_TRUE(env->CreateDirRecursively(io::JoinPath(dir, sub)).ok());
    auto children = env->GetChildren(from);
    EXPECT_TRUE(children.ok());
    for (const std::string& c : *children) {
      WriteFile(io::JoinPath(io::JoinPath(dir, sub), c), ReadFile(io::JoinPath(from, c)));
    }
  }
  return dir;
}

Tensor F(const std::vector<int64_t>& dims, const std::vector<float>& v) {
  return Tensor::FromVector<float>(tensorflow::DT_FLOAT, *TensorShape::Make(dims), v);
}

const Tensor& Input() {
  static const Tensor* t = new Tensor(F({1, 4}, {1, 0, -1, 2}));
  return *t;
}

TEST(MalformedSavedModel, RenamedSaverNames) {
  tensorflow::SavedModel sm = ReadSavedModel(kSimple);
  sm.mutable_meta_graphs(0)->mutable_saver_def()->set_restore_op_name("save/restore_everything");
  std::string dir = WriteModel("renamed_restore", kSimple, sm);
  auto b = LoadSavedModel(dir, {"serve"});
  EXPECT_EQ(b.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(b.status().message(),
            StrCat(dir, "/saved_model.pb: saver_def.restore_op_name 'save/restore_everything' "
                        "does not name a node of the graph"));

  sm = ReadSavedModel(kSimple);
  sm.mutable_meta_graphs(0)->mutable_saver_def()->set_filename_tensor_name("save/Const:7");
  dir = WriteModel("renamed_filename", kSimple, sm);
  b = LoadSavedModel(dir, {"serve"});
  EXPECT_EQ(b.status().message(),
            StrCat(dir, "/saved_model.pb: saver_def.filename_tensor_name 'save/Const:7' names "
                        "output 7 of node save/Const, which has 1 output(s)"));

  sm = ReadSavedModel(kSimple);
  sm.mutable_meta_graphs(0)->mutable_saver_def()->set_filename_tensor_name("");
  dir = WriteModel("empty_filename", kSimple, sm);
  b = LoadSavedModel(dir, {"serve"});
  EXPECT_EQ(b.status().message(),
            StrCat(dir, "/saved_model.pb: saver_def.filename_tensor_name '' does not name a "
                        "tensor of the graph"));
}

TEST(MalformedSavedModel, TagSetsMustMatchExactly) {
  tensorflow::SavedModel sm = ReadSavedModel(kSimple);
  sm.mutable_meta_graphs(0)->mutable_meta_info_def()->add_tags("gpu");
  const std::string dir = WriteModel("tags", kSimple, sm);
  auto b = LoadSavedModel(dir, {"serve"});
  EXPECT_EQ(b.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(b.status().message(),
            "MetaGraphDef associated with tags 'serve' could not be found in SavedModel, with "
            "available tags '[{'gpu', 'serve'}]'. To inspect available tag-sets in the "
            "SavedModel, please use the SavedModel CLI: `saved_model_cli`.");
  // Order and duplicates do not matter.
  EXPECT_TRUE(LoadSavedModel(dir, {"gpu", "serve", "gpu"}).ok());
  // No MetaGraphs at all.
  tensorflow::SavedModel empty;
  const std::string none = WriteModel("no_meta_graphs", kSimple, empty);
  EXPECT_NE(LoadSavedModel(none, {"serve"}).status().message().find("available tags '[]'"),
            std::string::npos);
}

TEST(MalformedSavedModel, InitOps) {
  // A main op naming no node.
  tensorflow::SavedModel sm = ReadSavedModel(kSimple);
  auto* collections = sm.mutable_meta_graphs(0)->mutable_collection_def();
  (*collections)["saved_model_main_op"].mutable_node_list()->add_value("init_everything");
  std::string dir = WriteModel("missing_main_op", kSimple, sm);
  auto b = LoadSavedModel(dir, {"serve"});
  EXPECT_EQ(b.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(b.status().message(),
            StrCat(dir, "/saved_model.pb: init op (collection saved_model_main_op) "
                        "'init_everything' does not name a node of the graph"));
  // Two main ops.
  (*collections)["saved_model_main_op"].mutable_node_list()->add_value("init");
  dir = WriteModel("two_main_ops", kSimple, sm);
  b = LoadSavedModel(dir, {"serve"});
  EXPECT_EQ(b.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(b.status().message(),
            StrCat("Expected exactly one main op in : ", dir, " (", dir,
                   "/saved_model.pb: collection saved_model_main_op holds 2 node names)"));
  // legacy_init_op is used when there is no main op.
  sm = ReadSavedModel(kSimple);
  (*sm.mutable_meta_graphs(0)->mutable_collection_def())["legacy_init_op"]
      .mutable_node_list()
      ->add_value("init");
  dir = WriteModel("legacy_init_op", kSimple, sm);
  auto legacy = LoadSavedModel(dir, {"serve"});
  ASSERT_TRUE(legacy.ok()) << legacy.status();
  EXPECT_EQ((*legacy)->log().back(), "ran init op init (collection legacy_init_op)");
  // __saved_model_init_op without its output.
  sm = ReadSavedModel(kSimple);
  auto& sig = (*sm.mutable_meta_graphs(0)->mutable_signature_def())["__saved_model_init_op"];
  (*sig.mutable_outputs())["other"].set_name("init");
  dir = WriteModel("init_signature", kSimple, sm);
  b = LoadSavedModel(dir, {"serve"});
  EXPECT_EQ(b.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(b.status().message(),
            StrCat(dir, "/saved_model.pb: Could not find output __saved_model_init_op of "
                        "signature __saved_model_init_op"));
}

TEST(MalformedSavedModel, MissingVariablesDirectory) {
  const std::string dir = WriteModel("no_variables", kSimple, ReadSavedModel(kSimple),
                                     /*variables=*/false);
  auto b = LoadSavedModel(dir, {"serve"});
  ASSERT_TRUE(b.ok()) << b.status();  // like TF: nothing to restore is not an error
  EXPECT_FALSE((*b)->restored());
  EXPECT_NE((*b)->log().back().find("the SavedModel has no variables; nothing restored"),
            std::string::npos);
  auto out = RunSignature(**b, "serving_default", {{"myInput", Input()}});
  EXPECT_EQ(out.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(out.status().message(),
            StrCat("signature 'serving_default': Attempting to use uninitialized value W\n\t "
                   "[[{{node W/read}}]]\n(no variables were restored when loading ",
                   dir, ": it has no variables/variables.index)"));
}

TEST(MalformedSavedModel, SignaturesAreCheckedWhenTheyRun) {
  tensorflow::SavedModel sm = ReadSavedModel(kSimple);
  auto* sigs = sm.mutable_meta_graphs(0)->mutable_signature_def();
  tensorflow::SignatureDef good = (*sigs)["serving_default"];
  (*(*sigs)["serving_default"].mutable_outputs())["myOutput"].set_name("myOutput_renamed:0");
  (*sigs)["good"] = good;
  (*(*sigs)["sparse"].mutable_inputs())["in"].mutable_coo_sparse()->set_values_tensor_name("x");
  const std::string dir = WriteModel("bad_signature", kSimple, sm);
  auto b = LoadSavedModel(dir, {"serve"});
  ASSERT_TRUE(b.ok()) << b.status();
  auto bad = RunSignature(**b, "serving_default", {{"myInput", Input()}});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(),
            StrCat("signature 'serving_default' output 'myOutput': tensor 'myOutput_renamed:0' is "
                   "not in the graph of ", dir));
  EXPECT_TRUE(RunSignature(**b, "good", {{"myInput", Input()}}).ok());
  EXPECT_EQ(RunSignature(**b, "sparse", {}).status().code(), StatusCode::kUnimplemented);
  // Unknown keys, wrong dtypes, unknown outputs.
  EXPECT_EQ(RunSignature(**b, "nope", {}).status().message(),
            StrCat("signature 'nope' not found in ", dir, "; its signatures: good, "
                   "serving_default, sparse"));
  EXPECT_EQ(RunSignature(**b, "good", {{"x", Input()}}).status().message(),
            "signature 'good' has no input 'x'; its inputs: myInput");
  EXPECT_EQ(RunSignature(**b, "good", {{"myInput", Tensor::FromStrings({}, {"a"})}}).status().message(),
            "signature 'good' input 'myInput' (myInput:0) is float, got string");
  EXPECT_EQ(RunSignature(**b, "good", {{"myInput", Input()}}, {"z"}).status().message(),
            "signature 'good' has no output 'z'; its outputs: myOutput");
  EXPECT_EQ(RunSignature(**b, "good", {{"myInput", F({2}, {1, 2})}}).status().message(),
            "signature 'good': Cannot feed value of shape (2,) for Tensor myInput:0, which has "
            "shape (None, 4)");
}

TEST(MalformedSavedModel, UnreadableAndInvalidGraphs) {
  const std::string garbage = TempDir("garbage");
  WriteFile(io::JoinPath(garbage, "saved_model.pb"), "\xff\xff\xff not a proto");
  auto b = LoadSavedModel(garbage, {"serve"});
  EXPECT_EQ(b.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(b.status().message(),
            StrCat(garbage, "/saved_model.pb: not a valid binary tensorflow.SavedModel (15 bytes)"));

  tensorflow::SavedModel sm = ReadSavedModel(kSimple);
  auto* node = sm.mutable_meta_graphs(0)->mutable_graph_def()->add_node();
  node->set_name("dangling");
  node->set_op("Identity");
  node->add_input("nowhere");
  (*node->mutable_attr())["T"].set_type(tensorflow::DT_FLOAT);
  const std::string dir = WriteModel("dangling_input", kSimple, sm);
  b = LoadSavedModel(dir, {"serve"});
  EXPECT_EQ(b.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(b.status().message(), StrCat(dir, "/saved_model.pb: the graph is invalid: Node "
                                              "'dangling': Unknown input node 'nowhere'"));
}

TEST(MalformedSavedModel, OpsTheEngineLacks) {
  tensorflow::SavedModel sm = ReadSavedModel(kSimple);
  auto* sig = &(*sm.mutable_meta_graphs(0)->mutable_signature_def())["serving_default"];
  auto* node = sm.mutable_meta_graphs(0)->mutable_graph_def()->add_node();
  node->set_name("fancy");
  node->set_op("FancyOp");
  node->add_input("myOutput");
  auto* id = sm.mutable_meta_graphs(0)->mutable_graph_def()->add_node();
  id->set_name("fancy_id");
  id->set_op("Identity");
  id->add_input("fancy");
  (*id->mutable_attr())["T"].set_type(tensorflow::DT_FLOAT);
  (*sig->mutable_outputs())["fancy"].set_name("fancy_id:0");
  const std::string dir = WriteModel("unknown_op", kSimple, sm);
  auto b = LoadSavedModel(dir, {"serve"});
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ((*b)->log()[0],
            "the graph has 1 op tfckpt lacks: FancyOp (node 'fancy'); running them is an error");
  auto out = RunSignature(**b, "serving_default", {{"myInput", Input()}});
  EXPECT_EQ(out.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(out.status().message(),
            "signature 'serving_default': Op type not registered 'FancyOp' in tfckpt's graph "
            "engine; this run needs 1 op tfckpt lacks: FancyOp (node 'fancy')\n\t [[{{node fancy}}]]");
  EXPECT_TRUE(RunSignature(**b, "serving_default", {{"myInput", Input()}}, {"myOutput"}).ok());
  LoadOptions strict;
  strict.allow_unregistered_ops = false;
  auto s = LoadSavedModel(dir, {"serve"}, strict);
  EXPECT_EQ(s.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(s.status().message(), StrCat(dir, "/saved_model.pb: the graph is invalid: Node "
                                              "'fancy': Op type not registered 'FancyOp' in "
                                              "tfckpt's graph engine"));
}

TEST(MalformedSavedModel, Assets) {
  // The asset collection names a tensor the graph lacks.
  tensorflow::SavedModel sm = ReadSavedModel(kBuilder);
  auto& assets = (*sm.mutable_meta_graphs(0)->mutable_collection_def())["saved_model_assets"];
  tensorflow::AssetFileDef a;
  ASSERT_TRUE(a.ParseFromString(assets.any_list().value(0).value()));
  a.mutable_tensor_info()->set_name("vocab_file:0");
  assets.mutable_any_list()->mutable_value(0)->set_value(a.SerializeAsString());
  std::string dir = WriteModel("asset_renamed", kBuilder, sm);
  auto b = LoadSavedModel(dir, {"serve", "custom_tag"});
  EXPECT_EQ(b.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(b.status().message(), StrCat(dir, "/saved_model.pb: asset tensor 'vocab_file:0' "
                                              "does not name a tensor of the graph"));
  // The assets directory is gone: the main op's table initializer fails.
  dir = WriteModel("no_assets", kBuilder, ReadSavedModel(kBuilder), true, /*assets=*/false);
  b = LoadSavedModel(dir, {"serve", "custom_tag"});
  EXPECT_FALSE(b.ok());
  EXPECT_EQ(b.status().message().rfind(
                StrCat(dir, "/saved_model.pb: running init op main_op (collection "
                            "saved_model_main_op): "), 0),
            0u)
      << b.status();
  EXPECT_NE(b.status().message().find(StrCat(dir, "/assets/vocab.txt")), std::string::npos)
      << b.status();
  // Not an any_list.
  sm = ReadSavedModel(kBuilder);
  (*sm.mutable_meta_graphs(0)->mutable_collection_def())["saved_model_assets"]
      .mutable_node_list()
      ->add_value("vocab_filename:0");
  dir = WriteModel("asset_kind", kBuilder, sm);
  EXPECT_EQ(LoadSavedModel(dir, {"serve", "custom_tag"}).status().message(),
            StrCat(dir, "/saved_model.pb: collection saved_model_assets is not an any_list of "
                        "AssetFileDef"));
}

// The text format loads like the binary one.
TEST(SavedModelFormats, PbtxtLoadsAndRuns) {
  const std::string dir = TempDir("pbtxt");
  std::string text;
  ASSERT_TRUE(google::protobuf::TextFormat::PrintToString(ReadSavedModel(kSimple), &text));
  WriteFile(io::JoinPath(dir, "saved_model.pbtxt"), text);
  io::Env* env = io::Env::Default();
  ASSERT_TRUE(env->CreateDirRecursively(io::JoinPath(dir, "variables")).ok());
  for (const char* f : {"variables.index", "variables.data-00000-of-00001"}) {
    WriteFile(io::JoinPath(dir, StrCat("variables/", f)),
              ReadFile(Runfile(StrCat(kSimple, "/variables/", f))));
  }
  auto b = LoadModel({dir});
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_TRUE((*b)->restored());
  auto out = RunSignature(**b, "serving_default", {{"myInput", Input()}});
  ASSERT_TRUE(out.ok()) << out.status();
  // Deeply nested text is refused, not a stack overflow.
  const std::string deep = TempDir("deep_pbtxt");
  std::string nested = "meta_graphs { graph_def { node { attr { key: \"a\" value { list { ";
  for (int i = 0; i < 200; ++i) nested += "func { attr { key: \"b\" value { ";
  WriteFile(io::JoinPath(deep, "saved_model.pbtxt"), nested);
  auto d = LoadSavedModel(deep, {"serve"});
  EXPECT_EQ(d.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(d.status().message().find("exceeded the configured recursion limit of 100"),
            std::string::npos)
      << d.status();
}

// TF2: a signature whose function is missing from the library.
TEST(MalformedSavedModel, Tf2MissingFunction) {
  tensorflow::SavedModel sm = ReadSavedModel(kTf2);
  auto* lib = sm.mutable_meta_graphs(0)->mutable_graph_def()->mutable_library();
  std::string removed;
  for (int i = 0; i < lib->function_size(); ++i) {
    if (lib->function(i).signature().name().find("signature_wrapper") != std::string::npos) {
      removed = lib->function(i).signature().name();
      lib->mutable_function()->DeleteSubrange(i, 1);
      break;
    }
  }
  ASSERT_FALSE(removed.empty());
  const std::string dir = WriteModel("tf2_missing_function", kTf2, sm);
  auto b = LoadSavedModel(dir, {"serve"});
  ASSERT_TRUE(b.ok()) << b.status();
  auto out = RunSignature(**b, "serving_default", {{"x", F({1, 2}, {1, 2})}});
  EXPECT_EQ(out.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(out.status().message(),
            StrCat("signature 'serving_default': Function '", removed,
                   "' is not in the graph's function library\n\t [[{{node "
                   "StatefulPartitionedCall}}]]"));
}

TEST(Loaders, MetaGraphAndDispatchErrors) {
  const std::string meta = Runfile("golden/tf-2.21/saver_v2_basic/model.ckpt.meta");
  auto missing = LoadMetaGraphAndCheckpoint(meta, Runfile("golden/tf-2.21/saver_v2_basic/nope"));
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message().rfind(StrCat(meta, ": restoring "), 0), 0u)
      << missing.status();
  EXPECT_NE(missing.status().message().find("Unsuccessful TensorSliceReader constructor"),
            std::string::npos)
      << missing.status();
  // No checkpoint: the graph loads, variables are uninitialized.
  auto bare = LoadMetaGraphAndCheckpoint(meta, "");
  ASSERT_TRUE(bare.ok()) << bare.status();
  EXPECT_FALSE((*bare)->restored());
  auto v = RunTensors(**bare, {}, {"v1:0"});
  EXPECT_EQ(v.status().code(), StatusCode::kFailedPrecondition);
  // A directory that is no model.
  const std::string empty = TempDir("empty_model_dir");
  EXPECT_EQ(LoadModel({empty}).status().message(),
            StrCat(empty, ": a directory with neither saved_model.pb / saved_model.pbtxt "
                          "(SavedModel) nor export.meta (session bundle)"));
  EXPECT_EQ(RunTensors(**bare, {}, {"nope:0"}).status().message(),
            StrCat("tensor 'nope:0' is not in the graph of ", meta));
}

// ---------------------------------------------------------------- pieces

TEST(LegacySignatures, DecodesTfServingsSignaturesProto) {
  // The serving_signatures payload of TF Serving's session_bundle half_plus_two.
  const std::string bytes(
      "\n \n\036\n\016\n\014tf_example:0\022\014\n\nIdentity:0\022\031\n\007outputs\022\016\032"
      "\014\n\n\n\001y\022\005\n\003y:0\022\030\n\006inputs\022\016\032\014\n\n\n\001x\022\005\n\003x:0",
      87);
  auto s = DecodeLegacySignatures(bytes);
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_TRUE(s->default_signature.has_value());
  EXPECT_EQ(s->default_signature->kind, LegacySignature::kRegression);
  EXPECT_EQ(s->default_signature->input, "tf_example:0");
  EXPECT_EQ(s->default_signature->output, "Identity:0");
  ASSERT_EQ(s->named.size(), 2u);
  EXPECT_EQ(s->named.at("inputs").kind, LegacySignature::kGeneric);
  EXPECT_EQ(s->named.at("inputs").map.at("x"), "x:0");
  EXPECT_EQ(s->named.at("outputs").map.at("y"), "y:0");
  // Truncated: an error, not a crash.
  for (size_t n = 1; n < bytes.size(); n += 7) {
    auto t = DecodeLegacySignatures(bytes.substr(0, n));
    if (!t.ok()) {
      EXPECT_EQ(t.status().message().rfind("malformed ", 0), 0u) << t.status();
    }
  }
}

TEST(JsonInput, NestedListsToTensors) {
  auto t = TensorFromJson("[[1],[2],[3]]", tensorflow::DT_FLOAT);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->shape(), (TensorShape{3, 1}));
  EXPECT_EQ(t->flat<float>()[2], 3.0f);
  // Decimal text goes straight to float (0.1f's bits, not double's rounded).
  auto p = TensorFromJson("0.1", tensorflow::DT_FLOAT);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->shape(), TensorShape{});
  EXPECT_EQ(p->flat<float>()[0], 0.1f);
  auto d = TensorFromJson("[\"nan\", \"-inf\", 1e308]", tensorflow::DT_DOUBLE);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_TRUE(std::isnan(d->flat<double>()[0]));
  EXPECT_EQ(d->flat<double>()[2], 1e308);
  auto i = TensorFromJson("[9223372036854775807, -9223372036854775808]", tensorflow::DT_INT64);
  ASSERT_TRUE(i.ok()) << i.status();
  EXPECT_EQ(i->flat<int64_t>()[1], std::numeric_limits<int64_t>::min());
  auto u = TensorFromJson("[18446744073709551615]", tensorflow::DT_UINT64);
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->flat<uint64_t>()[0], UINT64_MAX);
  auto s = TensorFromJson("[\"apple\", {\"hex\": \"00ff\"}, \"\\u00e9\"]", tensorflow::DT_STRING);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->strings(), (std::vector<std::string>{"apple", std::string("\0\xff", 2), "\xc3\xa9"}));
  auto e = TensorFromJson("[[], []]", tensorflow::DT_FLOAT);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->shape(), (TensorShape{2, 0}));
  auto b = TensorFromJson("[true, false]", tensorflow::DT_BOOL);
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->flat<bool>()[0]);

  EXPECT_EQ(TensorFromJson("[[1],[2,3]]", tensorflow::DT_FLOAT).status().message(),
            "the JSON lists are not rectangular (ragged nesting)");
  EXPECT_EQ(TensorFromJson("[300]", tensorflow::DT_INT8).status().message(),
            "300 is out of range for int8");
  EXPECT_EQ(TensorFromJson("[1.5]", tensorflow::DT_INT32).status().message(),
            "expected an integer for a int32 tensor, got 1.5");
  EXPECT_EQ(TensorFromJson("[-1]", tensorflow::DT_UINT8).status().message(),
            "-1 is out of range for uint8");
  EXPECT_EQ(TensorFromJson("[1, 2", tensorflow::DT_FLOAT).status().message(),
            "invalid JSON at offset 5: expected ',' or ']'");
  EXPECT_EQ(TensorFromJson("[\"x\"]", tensorflow::DT_FLOAT).status().message(),
            "expected a number for a float tensor, got \"x\"");
  std::string deep(100, '[');
  EXPECT_EQ(TensorFromJson(deep, tensorflow::DT_FLOAT).status().message(),
            "invalid JSON at offset 65: nested deeper than 64");
  EXPECT_EQ(TensorFromJson("[1,2,3]", tensorflow::DT_FLOAT, 2).status().message(),
            "more than 2 values");
}

TEST(JsonInput, Examples) {
  auto t = ExamplesFromJson(R"([{"x": [1.0], "ids": [1, 2], "w": "a"},
                                {"x": {"float_list": [2]}, "e": {"int64_list": []}}])");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->shape(), TensorShape{2});
  tensorflow::Example ex;
  ASSERT_TRUE(ex.ParseFromString(t->strings()[0]));
  const auto& f = ex.features().feature();
  EXPECT_EQ(f.at("x").float_list().value(0), 1.0f);
  EXPECT_EQ(f.at("ids").int64_list().value_size(), 2);
  EXPECT_EQ(f.at("w").bytes_list().value(0), "a");
  ASSERT_TRUE(ex.ParseFromString(t->strings()[1]));
  EXPECT_EQ(ex.features().feature().at("x").float_list().value(0), 2.0f);
  EXPECT_TRUE(ex.features().feature().at("e").has_int64_list());
  auto one = ExamplesFromJson(R"({"x": 1.5})");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->shape(), TensorShape{1});
  EXPECT_EQ(ExamplesFromJson(R"({"x": []})").status().message(),
            "feature \"x\": an empty list has no type; write {\"float_list\": []} (or "
            "int64_list, bytes_list)");
  EXPECT_EQ(ExamplesFromJson("[1]").status().message(),
            "tf.Example JSON: expected an object of features or a list of them");
}

}  // namespace
}  // namespace tfckpt::saved_model
