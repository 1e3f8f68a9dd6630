// tfckpt show PATH [--json]: what a model takes and holds, as TF's
// `saved_model_cli show --all` and `summarize_graph` do, for every PATH form
// of docs/CLI.md "Paths":
//  - SavedModel: every MetaGraph (tags; signatures with each TensorInfo's
//    name, dtype, shape; assets; a graph summary), then the variables
//    (checkpoint tensors with dtype and shape);
//  - session bundle: its signatures (up-converted as the loader does);
//  - .meta: tags, signatures, saver, graph summary, its checkpoint's tensors;
//  - .pb: the graph summary (placeholders, likely outputs, op census, ops
//    the engine cannot run);
//  - a checkpoint: its tensors.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "proto/saved_model.pb.h"
#include "src/cli/checkpoint_source.h"
#include "src/cli/commands.h"
#include "src/cli/exit_codes.h"
#include "src/cli/value_format.h"
#include "src/path/model_path.h"
#include "src/saved_model/graph_summary.h"
#include "src/saved_model/loader.h"

namespace tfckpt::cli {
namespace {

using Json = nlohmann::ordered_json;

// TensorShapeProto: null for unknown rank, else dims (-1 unknown).
Json ShapeJson(const tensorflow::TensorShapeProto& s) {
  if (s.unknown_rank()) return Json(nullptr);
  Json dims = Json::array();
  for (const auto& d : s.dim()) dims.push_back(d.size());
  return dims;
}

std::string ShapeText(const tensorflow::TensorShapeProto& s) {
  if (s.unknown_rank()) return "<unknown rank>";
  std::string out = "[";
  for (int i = 0; i < s.dim_size(); ++i) out += StrCat(i > 0 ? "," : "", s.dim(i).size());
  return out + "]";
}

std::string DtypeName(tensorflow::DataType dt) { return tensor::DataTypeName(dt); }

Json TensorInfoJson(const tensorflow::TensorInfo& info) {
  Json j;
  if (info.has_coo_sparse()) {
    j["encoding"] = "coo_sparse";
    j["name"] = JsonSafe(info.coo_sparse().values_tensor_name());
    j["indices"] = JsonSafe(info.coo_sparse().indices_tensor_name());
    j["dense_shape"] = JsonSafe(info.coo_sparse().dense_shape_tensor_name());
  } else if (info.has_composite_tensor()) {
    j["encoding"] = "composite_tensor";
    Json parts = Json::array();
    for (const auto& c : info.composite_tensor().components()) parts.push_back(TensorInfoJson(c));
    j["components"] = std::move(parts);
  } else {
    j["name"] = JsonSafe(info.name());
  }
  j["dtype"] = DtypeName(info.dtype());
  j["shape"] = info.has_tensor_shape() ? ShapeJson(info.tensor_shape()) : Json(nullptr);
  return j;
}

std::string TensorInfoText(const tensorflow::TensorInfo& info) {
  std::string name = info.name();
  if (info.has_coo_sparse()) name = StrCat("coo_sparse ", info.coo_sparse().values_tensor_name());
  if (info.has_composite_tensor()) name = "composite_tensor";
  return StrCat(DisplayName(name), " ", DtypeName(info.dtype()), " ",
                info.has_tensor_shape() ? ShapeText(info.tensor_shape()) : "<unknown rank>");
}

Json SignaturesJson(const google::protobuf::Map<std::string, tensorflow::SignatureDef>& sigs) {
  std::map<std::string, const tensorflow::SignatureDef*> sorted;
  for (const auto& [k, v] : sigs) sorted[k] = &v;
  Json out = Json::object();
  for (const auto& [key, sig] : sorted) {
    Json inputs = Json::object(), outputs = Json::object();
    std::map<std::string, const tensorflow::TensorInfo*> in, outs;
    for (const auto& [k, v] : sig->inputs()) in[k] = &v;
    for (const auto& [k, v] : sig->outputs()) outs[k] = &v;
    for (const auto& [k, v] : in) inputs[JsonSafe(k)] = TensorInfoJson(*v);
    for (const auto& [k, v] : outs) outputs[JsonSafe(k)] = TensorInfoJson(*v);
    out[JsonSafe(key)] = Json{{"method_name", sig->method_name()},
                              {"inputs", std::move(inputs)},
                              {"outputs", std::move(outputs)}};
  }
  return out;
}

void PrintSignatures(const google::protobuf::Map<std::string, tensorflow::SignatureDef>& sigs,
                     const std::string& indent) {
  std::map<std::string, const tensorflow::SignatureDef*> sorted;
  for (const auto& [k, v] : sigs) sorted[k] = &v;
  if (sorted.empty()) std::cout << indent << "signatures: none\n";
  for (const auto& [key, sig] : sorted) {
    std::cout << indent << "signature " << DisplayName(key)
              << (sig->method_name().empty() ? "" : StrCat(" (", sig->method_name(), ")")) << "\n";
    std::map<std::string, const tensorflow::TensorInfo*> in, outs;
    for (const auto& [k, v] : sig->inputs()) in[k] = &v;
    for (const auto& [k, v] : sig->outputs()) outs[k] = &v;
    for (const auto& [k, v] : in) {
      std::cout << indent << "  input  " << DisplayName(k) << ": " << TensorInfoText(*v) << "\n";
    }
    for (const auto& [k, v] : outs) {
      std::cout << indent << "  output " << DisplayName(k) << ": " << TensorInfoText(*v) << "\n";
    }
  }
}

// AssetFileDefs: the field, else the saved_model_assets collection.
std::vector<tensorflow::AssetFileDef> Assets(const tensorflow::MetaGraphDef& mg) {
  std::vector<tensorflow::AssetFileDef> out(mg.asset_file_def().begin(), mg.asset_file_def().end());
  auto c = mg.collection_def().find("saved_model_assets");
  if (out.empty() && c != mg.collection_def().end()) {
    for (const auto& any : c->second.any_list().value()) {
      tensorflow::AssetFileDef a;
      if (a.ParseFromString(any.value())) out.push_back(std::move(a));
    }
  }
  return out;
}

Json GraphJson(const saved_model::GraphSummary& g) {
  Json placeholders = Json::array();
  for (const auto& p : g.placeholders) {
    placeholders.push_back(Json{{"name", JsonSafe(p.name)},
                                {"dtype", DtypeName(p.dtype)},
                                {"shape", p.has_shape ? ShapeJson(p.shape) : Json(nullptr)}});
  }
  Json outputs = Json::array();
  for (const auto& o : g.likely_outputs) outputs.push_back(JsonSafe(o));
  return Json{{"nodes", g.nodes},
              {"functions", g.functions},
              {"placeholders", std::move(placeholders)},
              {"likely_outputs", std::move(outputs)},
              {"op_counts", g.op_counts},
              {"unsupported_ops", g.unsupported_ops}};
}

void PrintGraph(const saved_model::GraphSummary& g, const std::string& indent) {
  std::cout << indent << "graph: " << g.nodes << " nodes, " << g.functions << " functions\n";
  for (const auto& p : g.placeholders) {
    std::cout << indent << "  placeholder " << DisplayName(p.name) << ": " << DtypeName(p.dtype)
              << " " << (p.has_shape ? ShapeText(p.shape) : "<unknown rank>") << "\n";
  }
  std::string outs;
  for (const auto& o : g.likely_outputs) outs += StrCat(outs.empty() ? "" : ", ", DisplayName(o));
  std::cout << indent << "  likely outputs: " << (outs.empty() ? "none" : outs) << "\n";
  std::string ops;
  for (const auto& [op, n] : g.op_counts) ops += StrCat(ops.empty() ? "" : ", ", op, " ", n);
  std::cout << indent << "  ops: " << ops << "\n";
  std::string bad;
  for (const auto& [op, n] : g.unsupported_ops) bad += StrCat(bad.empty() ? "" : ", ", op, " ", n);
  std::cout << indent << "  ops tfckpt cannot run: " << (bad.empty() ? "none" : bad) << "\n";
}

Json MetaGraphJson(const tensorflow::MetaGraphDef& mg, int index) {
  Json tags = Json::array();
  for (const auto& t : mg.meta_info_def().tags()) tags.push_back(JsonSafe(t));
  Json assets = Json::array();
  for (const auto& a : Assets(mg)) {
    assets.push_back(Json{{"filename", JsonSafe(a.filename())},
                          {"tensor", JsonSafe(a.tensor_info().name())}});
  }
  return Json{{"index", index},
              {"tags", std::move(tags)},
              {"signatures", SignaturesJson(mg.signature_def())},
              {"assets", std::move(assets)},
              {"saver", mg.has_saver_def() ? Json(mg.saver_def().restore_op_name())
                                           : Json(nullptr)},
              {"graph", GraphJson(saved_model::SummarizeGraph(
                            mg.graph_def(), mg.has_saver_def() ? &mg.saver_def() : nullptr))}};
}

void PrintMetaGraph(const tensorflow::MetaGraphDef& mg, int index) {
  std::string tags;
  for (const auto& t : mg.meta_info_def().tags()) tags += StrCat(tags.empty() ? "" : ",", t);
  std::cout << "\nMetaGraph " << index << ": tags " << (tags.empty() ? "(none)" : tags) << "\n";
  PrintSignatures(mg.signature_def(), "  ");
  for (const auto& a : Assets(mg)) {
    std::cout << "  asset " << a.filename() << " -> " << a.tensor_info().name() << "\n";
  }
  std::cout << "  saver: "
            << (mg.has_saver_def() ? StrCat("restore op ", mg.saver_def().restore_op_name())
                                   : std::string("none"))
            << "\n";
  PrintGraph(saved_model::SummarizeGraph(mg.graph_def(),
                                         mg.has_saver_def() ? &mg.saver_def() : nullptr),
             "  ");
}

Status Show(const std::string& given, bool json) {
  io::Env* env = io::Env::Default();
  TFCKPT_ASSIGN_OR_RETURN(path::ResolvedPath r, path::Resolve(env, given));
  Json out;
  out["path"] = JsonSafe(given);
  out["kind"] = path::KindName(r.kind);
  out["model"] = r.model.empty() ? Json(nullptr) : Json(JsonSafe(r.model));
  out["checkpoint"] =
      r.format == path::Format::kNone
          ? Json(nullptr)
          : Json{{"format", path::FormatName(r.format)},
                 {"prefix", JsonSafe(r.checkpoint)},
                 {"resolved_from", r.how.empty() ? Json(nullptr) : Json(r.how)}};
  if (!json) {
    if (r.kind != path::Kind::kCheckpoint) std::cout << path::KindName(r.kind) << ": " << r.model << "\n";
    std::cout << "checkpoint: "
              << (r.format == path::Format::kNone
                      ? std::string("none")
                      : StrCat(path::FormatName(r.format), " ", r.checkpoint,
                               r.how.empty() ? "" : StrCat(" (", r.how, ")")))
              << "\n";
  }
  Json metas = Json::array();
  if (r.kind == path::Kind::kSavedModel) {
    TFCKPT_ASSIGN_OR_RETURN(tensorflow::SavedModel sm, saved_model::ReadSavedModel(r.model, env));
    for (int i = 0; i < sm.meta_graphs_size(); ++i) {
      if (json) metas.push_back(MetaGraphJson(sm.meta_graphs(i), i));
      if (!json) PrintMetaGraph(sm.meta_graphs(i), i);
    }
  } else if (r.kind == path::Kind::kSessionBundle) {
    saved_model::LoadOptions lo;
    lo.env = env;
    TFCKPT_ASSIGN_OR_RETURN(std::unique_ptr<saved_model::Bundle> b,
                            saved_model::LoadSessionBundle(r.model, lo));
    tensorflow::MetaGraphDef mg = b->meta_graph_def();
    for (const auto& [k, v] : b->signatures()) (*mg.mutable_signature_def())[k] = v;
    if (json) metas.push_back(MetaGraphJson(mg, 0));
    if (!json) PrintMetaGraph(mg, 0);
  } else if (r.kind == path::Kind::kMetaGraph) {
    tensorflow::MetaGraphDef mg;
    TFCKPT_RETURN_IF_ERROR(saved_model::ReadModelFile(r.model, &mg, env));
    if (json) metas.push_back(MetaGraphJson(mg, 0));
    if (!json) PrintMetaGraph(mg, 0);
  } else if (r.kind == path::Kind::kGraphDef) {
    tensorflow::GraphDef g;
    TFCKPT_RETURN_IF_ERROR(saved_model::ReadModelFile(r.model, &g, env));
    const saved_model::GraphSummary s = saved_model::SummarizeGraph(g);
    if (json) out["graph"] = GraphJson(s);
    if (!json) PrintGraph(s, "");
  }
  if (r.kind != path::Kind::kGraphDef) out["meta_graphs"] = std::move(metas);
  Json vars = Json(nullptr);
  if (r.format != path::Format::kNone) {
    TFCKPT_ASSIGN_OR_RETURN(std::unique_ptr<Checkpoint> ckpt, Checkpoint::Open(env, r.checkpoint));
    TFCKPT_ASSIGN_OR_RETURN(std::vector<TensorSummary> list, ckpt->List());
    vars = Json::array();
    if (!json) std::cout << "\nvariables (" << list.size() << " tensors):\n";
    for (const TensorSummary& t : list) {
      vars.push_back(Json{{"name", JsonSafe(t.name)},
                          {"dtype", tensor::DataTypeName(t.dtype)},
                          {"shape", t.shape.dims()}});
      if (!json) {
        std::cout << "  " << DisplayName(t.name) << " " << tensor::DataTypeName(t.dtype) << " "
                  << t.shape.DebugString() << "\n";
      }
    }
  }
  out["variables"] = std::move(vars);
  if (json) std::cout << JsonText(out);
  return OkStatus();
}

}  // namespace

void RegisterShow(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "show", "What a model takes and holds: MetaGraphs, signatures, graph summary, variables "
              "(saved_model_cli show --all).");
  cmd->footer(
      "PATH: any form of docs/CLI.md \"Paths\". SavedModel: every MetaGraph (tags; "
      "signatures with each input/output's tensor name, dtype and shape, -1 = unknown "
      "dimension; assets; saver; graph summary), then the variables. .meta: the same for its "
      "one MetaGraph. .pb: placeholders, likely outputs (nodes nothing consumes), op census, "
      "ops tfckpt's engine cannot run. Checkpoint: its tensors.\n"
      "--json: {\"path\", \"kind\", \"model\", \"checkpoint\": {\"format\", \"prefix\", "
      "\"resolved_from\"}|null, \"meta_graphs\": [{\"index\", \"tags\", \"signatures\": {KEY: "
      "{\"method_name\", \"inputs\": {K: {\"name\", \"dtype\", \"shape\"}}, \"outputs\"}}, "
      "\"assets\", \"saver\", \"graph\"}] (or \"graph\" for a .pb), \"variables\": [{\"name\", "
      "\"dtype\", \"shape\"}]|null}; a shape is null when its rank is unknown.\n"
      "Exit codes: 0 ok, 2 unreadable or unknown PATH.");
  struct Options {
    std::string path;
    bool json = false;
  };
  auto opt = std::make_shared<Options>();
  cmd->add_option("PATH", opt->path, "SavedModel, .meta, .pb or checkpoint")->required();
  cmd->add_flag("--json", opt->json, "machine-readable output (see below)");
  cmd->callback([opt, exit_code] {
    Status s = Show(opt->path, opt->json);
    *exit_code = s.ok() ? kExitOk : ReportError("show", s);
  });
}

}  // namespace tfckpt::cli
