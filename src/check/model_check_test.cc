// Model-level validation (model_check.h, graph_check.h): every model
// TensorFlow wrote validates clean, and each defect TF's loader refuses --
// planted in a copy of a TF-written golden -- is reported by its code.
#include "src/check/model_check.h"

#include <cstdlib>
#include <functional>

#include "gtest/gtest.h"
#include "proto/meta_graph.pb.h"
#include "proto/saved_model.pb.h"
#include "src/check/report_test_util.h"
#include "src/check/validator.h"
#include "src/bundle/naming.h"
#include "src/bundle/replace.h"
#include "src/io/mem_env.h"
#include "src/path/model_path.h"
#include "src/testing/shared_dir.h"

namespace tfckpt::check {
namespace {

std::string Runfile(const std::string& rel) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  return std::string(srcdir != nullptr ? srcdir : ".") + "/tfckpt/" + rel;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Calls `fn` on every path below `dir` (files and directories).
void Walk(io::Env* env, const std::string& dir, const std::function<void(const std::string&)>& fn) {
  auto children = env->GetChildren(dir);
  ASSERT_TRUE(children.ok()) << dir << ": " << children.status();
  for (const std::string& c : *children) {
    const std::string p = io::JoinPath(dir, c);
    fn(p);
    if (env->IsDirectory(p)) Walk(env, p, fn);
  }
}

// The models of a golden tree: SavedModel dirs, .meta files, GraphDef files.
std::vector<std::string> Models(const std::string& root) {
  io::Env* env = io::Env::Default();
  std::vector<std::string> out;
  Walk(env, root, [&](const std::string& p) {
    const std::string base = io::Basename(p);
    if (env->IsDirectory(p)) {
      if (env->FileExists(io::JoinPath(p, "saved_model.pb")) ||
          env->FileExists(io::JoinPath(p, "export.meta"))) {
        out.push_back(p);
      }
    } else if (EndsWith(base, ".meta") ||
               ((EndsWith(base, ".pb") || EndsWith(base, ".pbtxt")) && base != "saved_model.pb" &&
                base != "fingerprint.pb" && base != "saved_model.pbtxt" &&
                base != "keras_metadata.pb")) {  // Keras's SavedMetadata, not a graph
      out.push_back(p);
    }
  });
  return out;
}

TEST(ModelCheckGolden, EveryTensorFlowWrittenModelIsValid) {
  int saved_models = 0, metas = 0, graphs = 0;
  for (const char* tree : {"golden/tf-2.21", "golden/zoo/tf-2.21", "golden/tf-1.15",
                           "golden/tf-2.11", "golden/zoo/tf-1.15"}) {
    if (!io::Env::Default()->IsDirectory(Runfile(tree))) continue;  // a version not generated
    for (const std::string& m : Models(Runfile(tree))) {
      Report r = Validate(io::Env::Default(), m);
      EXPECT_TRUE(r.ok()) << m << "\n" << Codes(r);
      EXPECT_NE(r.kind, "v1") << m;
      saved_models += r.kind == "saved_model";
      metas += r.kind == "meta_graph";
      graphs += r.kind == "graph_def";
    }
  }
  // At least what golden/tf-2.21 and the 2.21 zoo hold (12 SavedModels, 22
  // MetaGraphs with the text one, 13 GraphDefs); with every tree (the 1.15
  // zoo's Estimator and TF1 exports too) 29, 50 and 31.
  EXPECT_GE(saved_models, 12);
  EXPECT_GE(metas, 22);
  EXPECT_GE(graphs, 13);
  std::cout << "validated " << saved_models << " SavedModels, " << metas << " MetaGraphs, "
            << graphs << " GraphDefs\n";
}

// TF Serving's testdata (TF 1.x-era SavedModels), when ../shared has them.
TEST(ModelCheckGolden, ServingSavedModelsAreValid) {
  auto dir = tfckpt::testing::FindSharedPath("src/check/BUILD", "tf-golden/serving");
  if (!dir) GTEST_SKIP() << "../shared/tf-golden not present";
  int n = 0;
  for (const std::string& m : Models(*dir)) {
    if (m.find("bad_half_plus_two") != std::string::npos) continue;  // stale paths, by design
    Report r = Validate(io::Env::Default(), m);
    EXPECT_TRUE(r.ok()) << m << "\n" << Codes(r);
    ++n;
  }
  EXPECT_GT(n, 5);
}

// A copy of a golden model directory in memory, to break.
class Model {
 public:
  explicit Model(const std::string& golden) : dir_("/m") {
    io::Env* disk = io::Env::Default();
    const std::string src = Runfile(golden);
    Walk(disk, src, [&](const std::string& p) {
      if (disk->IsDirectory(p)) return;
      auto bytes = disk->ReadFileToString(p);
      ASSERT_TRUE(bytes.ok()) << p;
      env_.PutFile(dir_ + p.substr(src.size()), *bytes);
    });
    auto pb = env_.ReadFileToString(io::JoinPath(dir_, "saved_model.pb"));
    if (pb.ok()) {
      EXPECT_TRUE(sm_.ParseFromString(*pb));
    }
  }
  io::MemEnv* env() { return &env_; }
  const std::string& dir() const { return dir_; }
  tensorflow::MetaGraphDef* meta_graph(int i = 0) { return sm_.mutable_meta_graphs(i); }
  void Save() { env_.PutFile(io::JoinPath(dir_, "saved_model.pb"), sm_.SerializeAsString()); }
  Report Validate() { return check::Validate(&env_, dir_); }

 private:
  io::MemEnv env_;
  std::string dir_;
  tensorflow::SavedModel sm_;
};

constexpr char kSimpleSave[] = "golden/tf-2.21/saved_model_simple_save/saved_model";
constexpr char kBuilder[] = "golden/tf-2.21/saved_model_builder/saved_model";

TEST(ModelCheck, GoldenCopyIsValid) {
  Model m(kSimpleSave);
  Report r = m.Validate();
  EXPECT_TRUE(r.ok()) << Codes(r);
  EXPECT_EQ(r.kind, "saved_model");
}

TEST(ModelCheck, SaverWithoutVariablesIsMissingVariables) {
  Model m(kSimpleSave);
  ASSERT_TRUE(m.env()->DeleteFile("/m/variables/variables.index").ok());
  ASSERT_TRUE(m.env()->DeleteFile("/m/variables/variables.data-00000-of-00001").ok());
  Report r = m.Validate();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(Count(r, DefectCode::kMissingVariables), 1) << Codes(r);
}

// Where a SavedModel's variables are has one answer, path::Resolve's rule D1
// (the loader restores from it too): the validator checks that checkpoint or,
// when there is none, reports the Saver's keys MISSING_VARIABLES. The
// layouts include those where a copy of the rule answered differently: an
// index parked by an interrupted save, V1 shards (TF's Saver.restore of
// variables/variables does not find them), a directory of that name.
TEST(ModelCheck, VariablesAreWhereTheResolverFindsThem) {
  const std::string vars = "/m/variables/variables";
  struct Layout {
    const char* name;
    const char* golden;
    std::function<void(io::MemEnv*)> change;
    path::Format want;
  };
  auto drop_v2 = [vars](io::MemEnv* env) {
    ASSERT_TRUE(env->DeleteFile(vars + ".index").ok());
    ASSERT_TRUE(env->DeleteFile(vars + ".data-00000-of-00001").ok());
  };
  const Layout layouts[] = {
      {"V2", kSimpleSave, [](io::MemEnv*) {}, path::Format::kV2},
      {"V1 file", "golden/tf-1.15/saved_model_v1_variables/saved_model", [](io::MemEnv*) {},
       path::Format::kV1},
      {"parked index", kSimpleSave,
       [vars](io::MemEnv* env) {
         const std::string index = bundle::MetaFilename(vars);
         ASSERT_TRUE(env->RenameFile(index, bundle::ParkedName(index)).ok());
       },
       path::Format::kV2},
      {"V1 shards", kSimpleSave,
       [&](io::MemEnv* env) {
         drop_v2(env);
         env->PutFile(vars + "-00000-of-00001", "v1");
       },
       path::Format::kNone},
      {"a directory", kSimpleSave,
       [&](io::MemEnv* env) {
         drop_v2(env);
         env->PutFile(vars + "/x", "x");
       },
       path::Format::kNone},
  };
  for (const Layout& l : layouts) {
    Model m(l.golden);
    l.change(m.env());
    auto form = path::Resolve(m.env(), m.dir());
    ASSERT_TRUE(form.ok()) << l.name << ": " << form.status();
    EXPECT_EQ(form->format, l.want) << l.name;
    Report r = m.Validate();
    std::vector<std::string> checked;
    for (const std::string& f : r.files) {
      if (f.rfind("/m/variables/", 0) == 0) checked.push_back(f);
    }
    if (l.want == path::Format::kNone) {
      EXPECT_TRUE(checked.empty()) << l.name << ": " << checked[0];
      EXPECT_EQ(Count(r, DefectCode::kMissingVariables), 1) << l.name << "\n" << Codes(r);
      continue;
    }
    const std::string file = l.want == path::Format::kV2 ? bundle::MetaFilename(form->checkpoint)
                                                         : form->checkpoint;
    EXPECT_NE(std::find(checked.begin(), checked.end(), file), checked.end()) << l.name;
    EXPECT_EQ(Count(r, DefectCode::kMissingVariables), 0) << l.name << "\n" << Codes(r);
  }
}

TEST(ModelCheck, UnparseablePbtxtIsSavedModel) {
  Model m(kSimpleSave);
  ASSERT_TRUE(m.env()->DeleteFile("/m/saved_model.pb").ok());
  m.env()->PutFile("/m/saved_model.pbtxt", "meta_graphs { this is not text format");
  Report r = m.Validate();
  ASSERT_EQ(Count(r, DefectCode::kSavedModel), 1) << Codes(r);
  EXPECT_NE(r.defects[0].message.find("saved_model.pbtxt"), std::string::npos) << Codes(r);
}

TEST(ModelCheck, TextSavedModelIsChecked) {
  Model m(kSimpleSave);
  ASSERT_TRUE(m.env()->DeleteFile("/m/saved_model.pb").ok());
  tensorflow::SavedModel sm;
  sm.add_meta_graphs()->CopyFrom(*m.meta_graph());
  m.env()->PutFile("/m/saved_model.pbtxt", sm.DebugString());
  Report r = m.Validate();
  EXPECT_TRUE(r.ok()) << Codes(r);
  // The same text with a signature naming nothing: checked, not skipped.
  (*sm.mutable_meta_graphs(0)->mutable_signature_def())["serving_default"]
      .mutable_outputs()
      ->begin()
      ->second.set_name("no_such_node:0");
  m.env()->PutFile("/m/saved_model.pbtxt", sm.DebugString());
  EXPECT_EQ(Count(m.Validate(), DefectCode::kBadSignature), 1);
}

TEST(ModelCheck, RestoredDtypeAndShapeMustMatchTheCheckpoint) {
  Model m(kSimpleSave);
  for (auto& node : *m.meta_graph()->mutable_graph_def()->mutable_node()) {
    if (node.op() == "RestoreV2" && node.name().rfind("save/", 0) == 0) {
      (*node.mutable_attr())["dtypes"].mutable_list()->set_type(0, tensorflow::DT_DOUBLE);
    }
  }
  m.Save();
  EXPECT_EQ(Count(m.Validate(), DefectCode::kVariableMismatch), 1) << Codes(m.Validate());

  Model s(kSimpleSave);
  int changed = 0;
  for (auto& node : *s.meta_graph()->mutable_graph_def()->mutable_node()) {
    if ((node.op() == "VariableV2" || node.op() == "VarHandleOp") && changed++ == 0) {
      (*node.mutable_attr())["shape"].mutable_shape()->add_dim()->set_size(7);
    }
  }
  ASSERT_EQ(changed > 0, true);
  s.Save();
  Report r = s.Validate();
  EXPECT_EQ(Count(r, DefectCode::kVariableMismatch), 1) << Codes(r);
}

// TF2: each SavedVariable of the object graph against the checkpoint entry
// the checkpoint's own object graph names for it (model_object_graph.h).
TEST(ModelCheck, ObjectGraphVariablesMustMatchTheCheckpoint) {
  constexpr char kModule[] = "golden/tf-2.21/tf2_module_saved_model/saved_model";
  auto first_variable = [](Model* m) {
    for (auto& n : *m->meta_graph()->mutable_object_graph_def()->mutable_nodes()) {
      if (n.has_variable() && n.variable().shape().dim_size() == 2) return n.mutable_variable();
    }
    ADD_FAILURE() << "no [a,b] variable in the object graph";
    return new tensorflow::SavedVariable;  // leaks only on failure
  };
  {
    Model m(kModule);
    Report r = m.Validate();
    EXPECT_TRUE(r.ok()) << Codes(r);
  }
  {  // another shape: a dim added
    Model m(kModule);
    first_variable(&m)->mutable_shape()->add_dim()->set_size(5);
    m.Save();
    Report r = m.Validate();
    ASSERT_EQ(Count(r, DefectCode::kVariableMismatch), 1) << Codes(r);
    EXPECT_EQ(r.defects[0].key, "hidden/w/.ATTRIBUTES/VARIABLE_VALUE") << Codes(r);
    EXPECT_NE(r.defects[0].message.find("has shape [2,3,5] but the checkpoint holds"),
              std::string::npos) << Codes(r);
  }
  {  // another dtype: the restore function's RestoreV2 still agrees with the checkpoint
    Model m(kModule);
    first_variable(&m)->set_dtype(tensorflow::DT_DOUBLE);
    m.Save();
    Report r = m.Validate();
    ASSERT_EQ(Count(r, DefectCode::kVariableMismatch), 1) << Codes(r);
    EXPECT_NE(r.defects[0].message.find("is double but the checkpoint holds"), std::string::npos)
        << Codes(r);
  }
  {  // unknown dims and an unknown rank match any shape
    Model m(kModule);
    tensorflow::SavedVariable* v = first_variable(&m);
    v->mutable_shape()->mutable_dim(1)->set_size(-1);
    m.Save();
    EXPECT_TRUE(m.Validate().ok()) << Codes(m.Validate());
    v->mutable_shape()->clear_dim();
    v->mutable_shape()->set_unknown_rank(true);
    m.Save();
    EXPECT_TRUE(m.Validate().ok()) << Codes(m.Validate());
  }
  {  // objects are matched by path from the root, not by index: the saved
     // graph's nodes reordered (references renumbered) still match
    Model m(kModule);
    auto* og = m.meta_graph()->mutable_object_graph_def();
    const int n = og->nodes_size();
    auto moved = [n](int id) { return id == 0 ? 0 : n - id; };  // 1..n-1 reversed
    tensorflow::SavedObjectGraph reordered = *og;
    for (int i = 0; i < n; ++i) {
      tensorflow::SavedObject o = og->nodes(i);
      for (auto& ch : *o.mutable_children()) ch.set_node_id(moved(ch.node_id()));
      for (auto& d : *o.mutable_dependencies()) d.set_node_id(moved(d.node_id()));
      *reordered.mutable_nodes(moved(i)) = o;
    }
    *og = reordered;
    m.Save();
    Report r = m.Validate();
    EXPECT_TRUE(r.ok()) << Codes(r);
    first_variable(&m)->mutable_shape()->add_dim()->set_size(5);
    m.Save();
    EXPECT_EQ(Count(m.Validate(), DefectCode::kVariableMismatch), 1) << Codes(m.Validate());
  }
  {  // a variable the checkpoint saves no value for: a note, not a defect
    Model m(kModule);
    auto& nodes = *m.meta_graph()->mutable_object_graph_def()->mutable_nodes();
    const int extra = nodes.size();
    nodes.Add()->mutable_variable()->set_name("extra");
    auto* ref = nodes.Mutable(0)->add_children();
    ref->set_node_id(extra);
    ref->set_local_name("extra");
    m.Save();
    Report r = m.Validate();
    EXPECT_TRUE(r.ok()) << Codes(r);
    bool noted = false;
    for (const auto& note : r.notes) noted = noted || note.find("(extra)") != std::string::npos;
    EXPECT_TRUE(noted);
  }
}

TEST(ModelCheck, RecursiveFunctionIsReported) {
  Model m(kSimpleSave);
  auto* lib = m.meta_graph()->mutable_graph_def()->mutable_library();
  auto* f = lib->add_function();
  f->mutable_signature()->set_name("Recurse");
  f->add_node_def()->set_name("call");
  f->mutable_node_def(0)->set_op("Recurse");
  // g -> h -> g through a func attr (PartitionedCall's f).
  auto* g = lib->add_function();
  g->mutable_signature()->set_name("g");
  auto* call = g->add_node_def();
  call->set_name("c");
  call->set_op("PartitionedCall");
  (*call->mutable_attr())["f"].mutable_func()->set_name("h");
  auto* h = lib->add_function();
  h->mutable_signature()->set_name("h");
  h->add_node_def()->set_name("c");
  h->mutable_node_def(0)->set_op("g");
  m.Save();
  Report r = m.Validate();
  ASSERT_EQ(Count(r, DefectCode::kRecursiveFunction), 2) << Codes(r);
  EXPECT_NE(Codes(r).find("(Recurse -> Recurse)"), std::string::npos) << Codes(r);
  EXPECT_NE(Codes(r).find("(g -> h -> g)"), std::string::npos) << Codes(r);
}

TEST(ModelCheck, MissingAssetIsReported) {
  Model m(kBuilder);
  EXPECT_TRUE(m.Validate().ok()) << Codes(m.Validate());
  ASSERT_TRUE(m.env()->DeleteFile("/m/assets/vocab.txt").ok());
  Report r = m.Validate();
  // Both MetaGraphs name the asset.
  EXPECT_EQ(Count(r, DefectCode::kMissingAsset), 2) << Codes(r);
}

TEST(ModelCheck, SignatureNamingNoTensorIsBadSignature) {
  Model m(kSimpleSave);
  auto& sig = (*m.meta_graph()->mutable_signature_def())["serving_default"];
  sig.mutable_outputs()->begin()->second.set_name("no_such_node:0");
  (*sig.mutable_inputs())["x2"].set_name("myInput:3");  // Placeholder has 1 output
  m.Save();
  Report r = m.Validate();
  EXPECT_EQ(Count(r, DefectCode::kBadSignature), 2) << Codes(r);
}

TEST(ModelCheck, SaverAndInitOpNamesMustResolve) {
  Model m(kSimpleSave);
  m.meta_graph()->mutable_saver_def()->set_filename_tensor_name("nowhere:0");
  m.meta_graph()->mutable_saver_def()->set_restore_op_name("save/nothing");
  m.Save();
  Report r = m.Validate();
  EXPECT_EQ(Count(r, DefectCode::kBadMetaGraph), 2) << Codes(r);
}

TEST(ModelCheck, StructurallyInvalidGraphIsBadGraph) {
  Model m(kSimpleSave);
  auto* node = m.meta_graph()->mutable_graph_def()->add_node();
  node->set_name("dangling");
  node->set_op("Identity");
  node->add_input("no_such_input");
  (*node->mutable_attr())["T"].set_type(tensorflow::DT_FLOAT);
  m.Save();
  Report r = m.Validate();
  ASSERT_EQ(Count(r, DefectCode::kBadGraph), 1) << Codes(r);
  EXPECT_NE(Codes(r).find("Unknown input node 'no_such_input'"), std::string::npos) << Codes(r);
}

TEST(ModelCheck, ConstThatDoesNotDecodeIsBadGraph) {
  Model m(kSimpleSave);
  auto* node = m.meta_graph()->mutable_graph_def()->add_node();
  node->set_name("c");
  node->set_op("Const");
  (*node->mutable_attr())["dtype"].set_type(tensorflow::DT_FLOAT);
  auto* t = (*node->mutable_attr())["value"].mutable_tensor();
  t->set_dtype(tensorflow::DT_FLOAT);
  t->mutable_tensor_shape()->add_dim()->set_size(4);
  t->set_tensor_content("abc");  // 3 bytes for 4 floats
  m.Save();
  Report r = m.Validate();
  EXPECT_EQ(Count(r, DefectCode::kBadGraph), 1) << Codes(r);
}

TEST(ModelCheck, GraphAndMetaGraphFiles) {
  io::MemEnv env;
  env.PutFile("/g/garbage.pb", std::string("\xff\xff\xff\xff not a graph", 18));
  Report g = Validate(&env, "/g/garbage.pb");
  EXPECT_EQ(g.kind, "graph_def");
  EXPECT_EQ(Count(g, DefectCode::kBadGraph), 1) << Codes(g);
  env.PutFile("/g/garbage.meta", std::string("\xff\xff\xff\xff not a graph", 18));
  Report m = Validate(&env, "/g/garbage.meta");
  EXPECT_EQ(m.kind, "meta_graph");
  EXPECT_EQ(Count(m, DefectCode::kBadMetaGraph), 1) << Codes(m);

  // A .meta and its checkpoint: the Saver's keys are matched.
  Model meta("golden/tf-2.21/saver_v2_basic");
  Report ok = Validate(meta.env(), "/m/model.ckpt.meta");
  EXPECT_TRUE(ok.ok()) << Codes(ok);
  EXPECT_EQ(ok.kind, "meta_graph");
  EXPECT_GT(ok.tensors_checked, 0u);
  ASSERT_TRUE(meta.env()->DeleteFile("/m/model.ckpt.index").ok());
  auto bytes = meta.env()->ReadFileToString("/m/model.ckpt.meta");
  ASSERT_TRUE(bytes.ok());
  // Alone (no checkpoint): the graph is checked, the Saver is no defect.
  Report alone = Validate(meta.env(), "/m/model.ckpt.meta");
  EXPECT_TRUE(alone.ok()) << Codes(alone);
}

}  // namespace
}  // namespace tfckpt::check
