// tfckpt freeze INPUT --output_node N -o OUT: TF's freeze_graph tool
// (tensorflow/python/tools/freeze_graph.py, freeze_graph_with_def_protos).
//
// INPUT is a MetaGraph (.meta, binary or text) restored from --checkpoint
// (default: its own prefix, else the directory's `checkpoint` state file, as
// `run`), or a SavedModel directory (the MetaGraph of --tag, default "serve",
// restored from <dir>/variables/variables). As TF's tool does: devices are
// cleared (unless --keep_devices), the MetaGraph is imported and restored
// (import_meta_graph + Saver.restore; no init op runs), --initializer_nodes
// are run, and convert_variables_to_constants rewrites the MetaGraph's own
// graph_def (so nodes keep the `_output_shapes` a Saver-written .meta has)
// for the output nodes; the result is written with deterministic
// serialization (or as text with --as_text).
//
// A graph whose signatures call functions (a TF2 SavedModel) is loaded as
// `run` loads it (restore and init op through its functions) and frozen by
// freeze::ConvertVariablesToConstantsV2 (calls inlined, resource variables
// -> Const; src/freeze/freeze_v2.h). --signature KEY takes the output nodes
// from a SignatureDef instead of --output_node.
#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "src/cli/commands.h"
#include "src/cli/exit_codes.h"
#include "src/cli/progress.h"
#include "src/cli/checkpoint_source.h"
#include "src/cli/suggest.h"
#include "src/cli/tag_hint.h"
#include "src/freeze/freeze.h"
#include "src/freeze/freeze_v2.h"
#include "src/saved_model/loader.h"
#include "src/path/model_path.h"
#include "src/train/meta_graph.h"
#include "src/train/saver.h"
#include "src/train/client_session.h"

namespace tfckpt::cli {
namespace {

struct FreezeCommandOptions {
  std::string input, checkpoint, out, signature;
  std::vector<std::string> output_nodes, tags, allowlist, denylist, initializer_nodes;
  bool as_text = false, keep_devices = false;
};

// "a,b" "c" -> {"a", "b", "c"}, spaces removed (as freeze_graph does).
std::vector<std::string> SplitCommas(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (const std::string& arg : args) {
    std::string item;
    for (char c : arg + ",") {
      if (c == ',') {
        if (!item.empty()) out.push_back(item);
        item.clear();
      } else if (c != ' ') {
        item += c;
      }
    }
  }
  return out;
}

// The MetaGraph and the checkpoint to restore it from.
struct FreezeInput {
  tensorflow::MetaGraphDef meta;
  path::Kind kind = path::Kind::kMetaGraph;
  std::string model;  // SavedModel directory or .meta file
  std::string checkpoint;
  std::string description;
};

// INPUT and --checkpoint through path::Resolve (docs/CLI.md "Paths"), as
// `run` does, so both restore the same checkpoint (and fail alike on a stale
// state file).
StatusOr<FreezeInput> ResolveInput(io::Env* env, const FreezeCommandOptions& o) {
  TFCKPT_ASSIGN_OR_RETURN(path::ResolvedPath r, path::Resolve(env, o.input));
  FreezeInput in;
  if (r.kind == path::Kind::kSavedModel) {
    // The MetaGraph of the tag set (TF's errors); its variables are
    // restored below through the MetaGraph's Saver.
    auto meta = saved_model::ReadSavedModelMetaGraph(r.model, o.tags, env);
    if (!meta.ok()) return WithTagHint(meta.status(), r.model, o.tags);
    saved_model::SavedModelMetaGraph read = std::move(*meta);
    in.meta = std::move(read.meta_graph);
    in.kind = r.kind;
    in.model = r.model;
    in.checkpoint = r.checkpoint.empty() ? io::JoinPath(r.model, "variables/variables")
                                         : r.checkpoint;
    in.description = StrCat("SavedModel ", r.model);
  } else if (r.kind == path::Kind::kMetaGraph) {
    TFCKPT_ASSIGN_OR_RETURN(in.meta, train::ReadMetaGraphFile(r.model, env));
    in.kind = r.kind;
    in.model = r.model;
    in.checkpoint = r.checkpoint;
    in.description = StrCat("MetaGraph ", r.model);
    if (in.checkpoint.empty() && o.checkpoint.empty()) {
      return InvalidArgumentError(StrCat(
          "--checkpoint is required to freeze the MetaGraph ", r.model, ": no checkpoint ",
          r.model.substr(0, r.model.size() - 5), " beside it and no `checkpoint` state file "
          "(a checkpoint prefix or a directory with a `checkpoint` state file)"));
    }
  } else {
    return InvalidArgumentError(StrCat(o.input, ": a ", path::KindName(r.kind),
                                       ", but freeze takes a .meta file or a SavedModel "
                                       "directory"));
  }
  if (!o.checkpoint.empty()) {
    TFCKPT_ASSIGN_OR_RETURN(path::ResolvedPath c, path::ResolveCheckpoint(env, o.checkpoint));
    in.checkpoint = c.checkpoint;
  }
  return in;
}

// TF1 graphs: freeze_graph's own steps (import_meta_graph, Saver.restore,
// initializer nodes, convert_variables_to_constants).
StatusOr<tensorflow::GraphDef> FreezeV1(const FreezeCommandOptions& o, FreezeInput& in,
                                        const std::vector<std::string>& outputs,
                                        const freeze::FreezeOptions& freeze_options,
                                        io::Env* env) {
  if (!o.keep_devices) {
    for (auto& node : *in.meta.mutable_graph_def()->mutable_node()) node.clear_device();
  }
  train::Graph graph;
  train::ImportMetaGraphOptions import_options;
  import_options.clear_devices = true;  // as freeze_graph's import_meta_graph
  import_options.saver_options.env = env;
  TFCKPT_ASSIGN_OR_RETURN(train::ImportedMetaGraph imported,
                          train::ImportMetaGraph(&graph, in.meta, import_options));
  train::ClientSession session(&graph);
  if (imported.saver) {
    TFCKPT_RETURN_IF_ERROR(imported.saver->Restore(&session, in.checkpoint));
  }
  std::vector<std::string> initializers = SplitCommas(o.initializer_nodes);
  if (!initializers.empty()) {
    std::vector<train::TargetRef> targets(initializers.begin(), initializers.end());
    TFCKPT_RETURN_IF_ERROR(session.Run(targets));
  }
  return freeze::ConvertVariablesToConstants(&session, in.meta.graph_def(), outputs,
                                             freeze_options);
}

// The output nodes: --output-node, else the outputs of --signature (TF2
// users need not guess "StatefulPartitionedCall_5").
StatusOr<std::vector<std::string>> OutputNodes(const FreezeCommandOptions& o,
                                               const tensorflow::MetaGraphDef& meta) {
  std::vector<std::string> outputs = SplitCommas(o.output_nodes);
  if (o.signature.empty()) {
    if (outputs.empty()) {
      std::vector<std::string> keys;
      for (const auto& [key, sig] : meta.signature_def()) {
        if (key != "__saved_model_init_op") keys.push_back(key);
      }
      return InvalidArgumentError(StrCat(
          "You need to supply the name of a node to --output_node, or --signature KEY",
          keys.empty() ? std::string() : StrCat(" (signatures: ", ListNames(keys), ")"), "."));
    }
    return outputs;
  }
  auto sig = meta.signature_def().find(o.signature);
  if (sig == meta.signature_def().end()) {
    std::vector<std::string> keys;
    for (const auto& [key, unused] : meta.signature_def()) keys.push_back(key);
    return NotFoundError(StrCat("signature '", o.signature, "' not found",
                                DidYouMean(o.signature, keys), "; signatures: ",
                                keys.empty() ? "none" : ListNames(keys)));
  }
  for (const auto& [key, info] : sig->second.outputs()) {
    const std::string node = info.name().substr(0, info.name().find(':'));
    if (std::find(outputs.begin(), outputs.end(), node) == outputs.end()) outputs.push_back(node);
  }
  return outputs;
}

bool CallsFunctions(const tensorflow::GraphDef& graph) {
  if (graph.library().function_size() == 0) return false;
  for (const auto& node : graph.node()) {
    if (node.op() == "StatefulPartitionedCall" || node.op() == "PartitionedCall") return true;
  }
  return false;
}

// TF2 graphs (signatures calling functions over resource variables): load
// the model as `run` does, then convert_variables_to_constants_v2.
StatusOr<tensorflow::GraphDef> FreezeV2(const FreezeCommandOptions& o, const FreezeInput& in,
                                        const std::vector<std::string>& outputs,
                                        const freeze::FreezeOptions& freeze_options,
                                        io::Env* env) {
  std::unique_ptr<saved_model::Bundle> bundle;
  saved_model::LoadOptions load_options;
  load_options.env = env;
  if (in.kind == path::Kind::kSavedModel) {
    TFCKPT_ASSIGN_OR_RETURN(bundle, saved_model::LoadSavedModel(in.model, o.tags, load_options));
  } else {
    TFCKPT_ASSIGN_OR_RETURN(bundle, saved_model::LoadMetaGraphAndCheckpoint(
                                        in.model, in.checkpoint, load_options));
  }
  if (!bundle->restored()) {
    return FailedPreconditionError(StrCat("no variables were restored into ", in.description,
                                          " (", in.checkpoint, "), so there is nothing to freeze"));
  }
  graph::Session* session = bundle->session();
  auto value_of = [session](const tensorflow::NodeDef& node) {
    return freeze::ResourceVariableValue(*session, node);
  };
  tensorflow::GraphDef graph = bundle->meta_graph_def().graph_def();
  if (!o.keep_devices) {
    for (auto& node : *graph.mutable_node()) node.clear_device();
  }
  return freeze::ConvertVariablesToConstantsV2(graph, outputs, value_of, freeze_options);
}

StatusOr<std::string> Freeze(const FreezeCommandOptions& o) {
  // On a terminal, the model and variables read so far while they restore.
  ReadProgress reading(StrCat("freezing ", o.input), true, io::Env::Default());
  io::Env* env = reading.env();
  TFCKPT_ASSIGN_OR_RETURN(FreezeInput in, ResolveInput(env, o));
  reading.SetTotal(InputBytes(env, in.model, in.checkpoint));
  TFCKPT_ASSIGN_OR_RETURN(std::vector<std::string> outputs, OutputNodes(o, in.meta));
  freeze::FreezeOptions freeze_options;
  std::vector<std::string> allow = SplitCommas(o.allowlist);
  if (!allow.empty()) freeze_options.variable_names_allowlist = allow;
  freeze_options.variable_names_denylist = SplitCommas(o.denylist);
  tensorflow::GraphDef frozen;
  std::string how;
  if (CallsFunctions(in.meta.graph_def())) {
    if (!o.initializer_nodes.empty()) {
      return InvalidArgumentError("--initializer_nodes applies to TF1 graphs; this graph calls "
                                  "functions (TF2), whose init op the loader runs");
    }
    TFCKPT_ASSIGN_OR_RETURN(frozen, FreezeV2(o, in, outputs, freeze_options, env));
    how = ", functions inlined (convert_variables_to_constants_v2)";
  } else {
    TFCKPT_ASSIGN_OR_RETURN(frozen, FreezeV1(o, in, outputs, freeze_options, env));
  }
  reading.Finish();  // a Saver reads the index where it needs
  TFCKPT_RETURN_IF_ERROR(freeze::WriteGraphDef(frozen, o.out, o.as_text, env));
  int constants = 0;
  for (const auto& node : frozen.node()) constants += node.op() == "Const";
  return StrCat("wrote ", o.out, ": ", frozen.node_size(), " nodes (", constants,
                " Const) from ", in.description, " restored from ", in.checkpoint, how,
                "; outputs: ", ListNames(outputs));
}

}  // namespace

void RegisterFreeze(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "freeze", "Convert variables to constants: MetaGraph + checkpoint, or SavedModel -> "
                "frozen GraphDef .pb (TF's freeze_graph).");
  cmd->footer(
      "As tensorflow/python/tools/freeze_graph.py: the MetaGraph is imported and restored, "
      "then convert_variables_to_constants keeps what the output nodes need and turns every "
      "variable into a Const holding its restored value. Lists may repeat the option or use "
      "commas. Flags are kebab-case; freeze_graph's snake_case spellings (--output_node_names, "
      "--output_graph, --saved_model_tags, ...) are accepted as aliases.");
  auto o = std::make_shared<FreezeCommandOptions>();
  cmd->add_option("INPUT", o->input, ".meta file, or SavedModel directory")->required();
  cmd->add_option("--checkpoint", o->checkpoint,
                  "checkpoint prefix or directory with a `checkpoint` file (a .meta defaults "
                  "to its own prefix, else its directory's `checkpoint` state; a SavedModel "
                  "to <dir>/variables/variables)");
  cmd->add_option("--output-node,--output_node,--output_node_names", o->output_nodes,
                  "output node names (or --signature)");
  cmd->add_option("--signature,--signature-def,--signature_def", o->signature,
                  "freeze for the outputs of this SignatureDef key (e.g. serving_default)");
  cmd->add_option("-o,--out,--output-graph,--output_graph", o->out, "frozen GraphDef to write")->required();
  cmd->add_option("--tag,--saved-model-tags,--saved_model_tags", o->tags,
                  "SavedModel: tags of the MetaGraph (default: serve)");
  cmd->add_option("--variable-names-allowlist,--variable_names_allowlist", o->allowlist, "convert only these variables");
  cmd->add_option("--variable-names-denylist,--variable_names_denylist", o->denylist, "do not convert these variables");
  cmd->add_option("--initializer-nodes,--initializer_nodes", o->initializer_nodes,
                  "nodes to run after restoring (e.g. table initializers)");
  cmd->add_flag("--as-text,--as_text", o->as_text, "write text format instead of binary");
  cmd->add_flag("--keep-devices,--keep_devices", o->keep_devices,
                "keep node devices (freeze_graph's --clear_devices=false)");
  cmd->callback([o, exit_code] {
    if (o->tags.empty()) o->tags = SplitCommas({"serve"});
    o->tags = SplitCommas(o->tags);
    const std::string new_dir = MissingOutputDirectory(io::Env::Default(), o->out);
    auto summary = Freeze(*o);
    if (!summary.ok()) {
      *exit_code = ReportError("freeze", summary.status());
      return;
    }
    NoteCreatedDirectory("freeze", new_dir);
    std::cout << *summary << "\n";
    *exit_code = kExitOk;
  });
}

}  // namespace tfckpt::cli
