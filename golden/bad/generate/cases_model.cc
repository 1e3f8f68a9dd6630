// Model-level defects (src/check/model_check.h): SavedModels TensorFlow's
// loaders refuse although their checkpoint bytes are sound. Each is a TF
// 2.21 golden copied, then changed through the library: protobuf messages
// edited and re-serialized, bundles rewritten by bundle::BundleWriter.
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/text_format.h>

#include "golden/bad/generate/generator.h"
#include "proto/saved_model.pb.h"
#include "src/bundle/bundle_reader.h"
#include "src/bundle/bundle_writer.h"

namespace tfckpt::badcorpus {
namespace {

inline constexpr char kBuilder[] = "saved_model_builder/saved_model";  // two MetaGraphs, an asset
// A TF2 SavedModel (tf.saved_model.save): object graph, restore function.
inline constexpr char kModule[] = "tf2_module_saved_model/saved_model";

// A case built in an empty directory: simple_save copied to <case>/saved_model.
CaseDef OnSavedModel(BadCase row, std::function<Status(const CaseDir&)> fn) {
  row.validate = row.name + "/saved_model";
  row.source = kSavedModel;
  return {std::move(row), "", [fn = std::move(fn)](const CaseDir& d) -> Status {
            TFCKPT_RETURN_IF_ERROR(CopySavedModel(d));
            return fn(d);
          }};
}

// <case>/saved_model/saved_model.pb parsed, edited by `fn`, written back.
Status EditSavedModel(const CaseDir& d, const std::function<void(tensorflow::SavedModel*)>& fn) {
  const std::string path = d.O("saved_model/saved_model.pb");
  TFCKPT_ASSIGN_OR_RETURN(std::string bytes, ReadAll(path));
  tensorflow::SavedModel sm;
  if (!sm.ParseFromString(bytes)) return DataLossError(StrCat(path, ": not a SavedModel"));
  fn(&sm);
  // Map entries (signatures, attrs) in key order: the same bytes every run.
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    if (!sm.SerializeToCodedStream(&coded)) return InternalError("cannot serialize");
  }
  return WriteAll(path, out);
}

// The variables bundle of SavedModel `source` rewritten by BundleWriter with
// tensor `key` replaced by fn(its value).
Status RewriteVariable(const CaseDir& d, const std::string& key,
                       const std::function<tensor::Tensor(const tensor::Tensor&)>& fn,
                       const std::string& source = kSavedModel) {
  io::Env* env = io::Env::Default();
  const std::string golden = d.G(source + "/variables/variables");
  TFCKPT_ASSIGN_OR_RETURN(auto reader, bundle::BundleReader::Open(env, golden));
  TFCKPT_ASSIGN_OR_RETURN(auto infos, reader->ListTensors());
  bundle::BundleWriter w(env, d.O("saved_model/variables/variables"));
  for (const auto& info : infos) {
    TFCKPT_ASSIGN_OR_RETURN(tensor::Tensor t, reader->Lookup(info.key));
    TFCKPT_RETURN_IF_ERROR(w.Add(info.key, info.key == key ? fn(t) : t));
  }
  return w.Finish();
}

}  // namespace

std::vector<CaseDef> ModelCases() {
  return {
      OnSavedModel({"saved_model_no_variables", "",
                    "the MetaGraph's Saver restores W and b but the SavedModel has no "
                    "variables/ (TF 2.21's loaders: \"The passed save_path is not a valid "
                    "checkpoint\")",
                    "saved_model_simple_save; variables/ removed",
                    {"MISSING_VARIABLES"}},
                   [](const CaseDir& d) -> Status {
                     TFCKPT_RETURN_IF_ERROR(Remove(d.O("saved_model/variables/variables.index")));
                     return Remove(d.O("saved_model/variables/variables.data-00000-of-00001"));
                   }),
      OnSavedModel({"saved_model_pbtxt_garbage", "",
                    "saved_model.pbtxt (the only graph file) is not a text SavedModel (TF 2.21: "
                    "\"Cannot parse file\")",
                    "saved_model_simple_save; saved_model.pb printed as text "
                    "(protobuf TextFormat) and cut after half its bytes, as saved_model.pbtxt",
                    {"SAVED_MODEL"}},
                   [](const CaseDir& d) -> Status {
                     const std::string pb = d.O("saved_model/saved_model.pb");
                     TFCKPT_ASSIGN_OR_RETURN(std::string bytes, ReadAll(pb));
                     tensorflow::SavedModel sm;
                     std::string text;
                     if (!sm.ParseFromString(bytes) ||
                         !google::protobuf::TextFormat::PrintToString(sm, &text)) {
                       return DataLossError(StrCat(pb, ": not a SavedModel"));
                     }
                     TFCKPT_RETURN_IF_ERROR(Remove(pb));
                     return WriteAll(d.O("saved_model/saved_model.pbtxt"),
                                     text.substr(0, text.size() / 2));
                   }),
      OnSavedModel({"saved_model_variable_dtype", "",
                    "variables/ holds W as float64; the graph's Saver restores it as float32",
                    "saved_model_simple_save; variables/ rewritten by BundleWriter with W "
                    "converted to DT_DOUBLE",
                    {"VARIABLE_MISMATCH"}},
                   [](const CaseDir& d) {
                     return RewriteVariable(d, "W", [](const tensor::Tensor& t) {
                       std::vector<double> v(t.flat<float>(), t.flat<float>() + t.num_elements());
                       return tensor::Tensor::FromVector(tensorflow::DT_DOUBLE, t.shape(), v);
                     });
                   }),
      OnSavedModel({"saved_model_variable_shape", "",
                    "variables/ holds W with shape [12]; the graph's variable W is [4,3]",
                    "saved_model_simple_save; variables/ rewritten by BundleWriter with W "
                    "reshaped to [12]",
                    {"VARIABLE_MISMATCH"}},
                   [](const CaseDir& d) {
                     return RewriteVariable(d, "W", [](const tensor::Tensor& t) {
                       std::vector<float> v(t.flat<float>(), t.flat<float>() + t.num_elements());
                       return tensor::Tensor::FromVector(tensorflow::DT_FLOAT,
                                                         tensor::TensorShape{t.num_elements()}, v);
                     });
                   }),
      {{"saved_model_tf2_variable_shape", "saved_model_tf2_variable_shape/saved_model",
        "TF2 SavedModel: variables/ holds hidden/w as [3,2]; the object graph's SavedVariable "
        "hidden/w is [2,3] (TF 2.21's tf.saved_model.load: \"Received incompatible tensor "
        "with shape (3, 2) when attempting to restore variable with shape (2, 3)\"; the TF1 "
        "loader assigns it unchecked)",
        "tf2_module_saved_model; saved_model.pb copied, variables/ rewritten by BundleWriter "
        "with hidden/w/.ATTRIBUTES/VARIABLE_VALUE reshaped to [3,2]",
        {"VARIABLE_MISMATCH"}, kModule},
       "",
       [](const CaseDir& d) -> Status {
         const std::string sm = kModule;
         TFCKPT_RETURN_IF_ERROR(
             Copy(d.G(sm + "/saved_model.pb"), d.O("saved_model/saved_model.pb")));
         return RewriteVariable(
             d, "hidden/w/.ATTRIBUTES/VARIABLE_VALUE",
             [](const tensor::Tensor& t) {
               std::vector<float> v(t.flat<float>(), t.flat<float>() + t.num_elements());
               return tensor::Tensor::FromVector(tensorflow::DT_FLOAT, tensor::TensorShape{3, 2},
                                                 v);
             },
             sm);
       }},
      OnSavedModel({"saved_model_recursive_function", "",
                    "CVE-2022-23591: the graph's function library holds a function that calls "
                    "itself (TF 2.21's tf.saved_model.load: \"There is a cyclic dependency "
                    "between functions\")",
                    "saved_model_simple_save; function Recurse {node call: op Recurse} added "
                    "to the MetaGraph's graph_def.library",
                    {"RECURSIVE_FUNCTION"}},
                   [](const CaseDir& d) {
                     return EditSavedModel(d, [](tensorflow::SavedModel* sm) {
                       auto* f = sm->mutable_meta_graphs(0)->mutable_graph_def()
                                     ->mutable_library()->add_function();
                       f->mutable_signature()->set_name("Recurse");
                       auto* n = f->add_node_def();
                       n->set_name("call");
                       n->set_op("Recurse");
                     });
                   }),
      OnSavedModel({"saved_model_bad_signature", "",
                    "signature serving_default's output names no_such_node:0, which the graph "
                    "lacks (TF 2.21's tf.saved_model.load: \"The name 'no_such_node:0' refers "
                    "to a Tensor which does not exist\")",
                    "saved_model_simple_save; signature_def serving_default output myOutput "
                    "renamed no_such_node:0",
                    {"BAD_SIGNATURE"}},
                   [](const CaseDir& d) {
                     return EditSavedModel(d, [](tensorflow::SavedModel* sm) {
                       auto& sig = (*sm->mutable_meta_graphs(0)
                                         ->mutable_signature_def())["serving_default"];
                       (*sig.mutable_outputs())["myOutput"].set_name("no_such_node:0");
                     });
                   }),
      OnSavedModel({"saved_model_dangling_input", "",
                    "a node of the graph has an input naming no node (TF 2.21's importer: "
                    "\"Node 'y' ... Unknown input node\")",
                    "saved_model_simple_save; the first input of node myOutput renamed "
                    "no_such_node",
                    {"BAD_GRAPH"}},
                   [](const CaseDir& d) {
                     return EditSavedModel(d, [](tensorflow::SavedModel* sm) {
                       for (auto& n : *sm->mutable_meta_graphs(0)->mutable_graph_def()
                                           ->mutable_node()) {
                         if (n.name() == "myOutput") n.set_input(0, "no_such_node");
                       }
                     });
                   }),
      OnSavedModel({"saved_model_bad_restore_op", "",
                    "saver_def.restore_op_name names no node of the graph",
                    "saved_model_simple_save; saver_def.restore_op_name set to save/no_such_op",
                    {"BAD_META_GRAPH"}},
                   [](const CaseDir& d) {
                     return EditSavedModel(d, [](tensorflow::SavedModel* sm) {
                       sm->mutable_meta_graphs(0)->mutable_saver_def()->set_restore_op_name(
                           "save/no_such_op");
                     });
                   }),
      {{"saved_model_missing_asset", "saved_model_missing_asset/saved_model",
        "assets/vocab.txt, which the lookup table's initializer reads, is missing (TF 2.21: "
        "\"InitializeTableFromTextFileV2 ... No such file or directory\")",
        "saved_model_builder; saved_model.pb and variables/ copied, assets/ not",
        {"MISSING_ASSET"}, kBuilder},
       "",
       [](const CaseDir& d) -> Status {
         const std::string sm = kBuilder;
         TFCKPT_RETURN_IF_ERROR(
             Copy(d.G(sm + "/saved_model.pb"), d.O("saved_model/saved_model.pb")));
         return CopyBundle(d.G(sm + "/variables/variables"),
                           d.O("saved_model/variables/variables"));
       }},
  };
}

}  // namespace tfckpt::badcorpus
