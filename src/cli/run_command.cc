// tfckpt run PATH [--tag serve] [--signature KEY] [--input NAME=JSON]...
//   [--input_example NAME=JSON]... [--output NAME]... [--checkpoint CKPT]
//   [--json] [--verbose]
//
// Loads PATH with src/saved_model (SavedModel directory, session bundle,
// .meta + checkpoint, frozen GraphDef) and runs one signature, or tensors by
// name, printing every output's name, dtype, shape and values.
//
// Signature mode (a SavedModel or session bundle, or --signature given):
// NAME is a signature input key (or its tensor name); --output selects
// output keys (default: all). Tensor mode (frozen graphs; MetaGraphs without
// the signature; or --output with no --signature on a model that has no
// serving_default): NAME and --output are tensor names ("x:0").
// JSON values are nested lists converted to the input's dtype
// (saved_model/json_input.h); --input_example builds serialized tf.Examples
// from {"feature": [values]} objects for string inputs (regress / classify
// signatures).
#include <algorithm>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "src/cli/checkpoint_source.h"
#include "src/cli/commands.h"
#include "src/cli/exit_codes.h"
#include "src/cli/progress.h"
#include "src/cli/suggest.h"
#include "src/cli/tag_hint.h"
#include "src/cli/value_format.h"
#include "src/saved_model/constants.h"
#include "src/io/atomic_file.h"
#include "src/path/model_path.h"
#include "src/saved_model/json_input.h"
#include "src/saved_model/npy.h"
#include "src/saved_model/loader.h"
#include "src/saved_model/signature.h"
#include "src/train/meta_graph.h"

namespace tfckpt::cli {
namespace {

using Json = nlohmann::ordered_json;

constexpr char kFooter[] =
    "PATH: a SavedModel directory (or its saved_model.pb), a legacy session-bundle directory "
    "(export.meta), a .meta MetaGraph (restored from --checkpoint, else its own prefix, else "
    "the directory's `checkpoint` state), or a frozen GraphDef .pb/.pbtxt.\n"
    "JSON: nested lists, e.g. x=[[1],[2],[3]]; floats parse straight to the input dtype; "
    "\"nan\"/\"inf\" allowed; strings as JSON strings or {\"hex\": \"..\"}. "
    "--input_example x=[{\"x\": [1.0]}, {\"x\": [2.0]}] feeds serialized tf.Examples "
    "(numbers with '.' are float_list, integers int64_list, strings bytes_list; or "
    "{\"float_list\": [...]}).\n"
    "With --json: {\"path\", \"kind\", \"signature\", \"outputs\": [{\"key\", \"name\", "
    "\"dtype\", \"shape\", \"values\"}]} with values flat, row-major and exact (as `dump "
    "--json`).\n"
    "Exit codes: 0 ok, 2 usage, load or run error.";

struct Options {
  std::string path, tags = "serve", signature, checkpoint, outdir;
  std::vector<std::string> inputs, examples, outputs;
  bool json = false, verbose = false;
};

std::vector<std::string> SplitTags(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    std::string tag = s.substr(start, comma - start);
    if (!tag.empty()) out.push_back(tag);
    start = comma + 1;
  }
  return out;
}

Status SplitAssignment(const std::string& arg, const char* flag, std::string* name,
                       std::string* json) {
  const size_t eq = arg.find('=');
  if (eq == std::string::npos || eq == 0) {
    return InvalidArgumentError(StrCat(flag, " '", arg, "': expected NAME=JSON"));
  }
  *name = arg.substr(0, eq);
  *json = arg.substr(eq + 1);
  return OkStatus();
}

// VALUE of --input NAME=VALUE: inline JSON, or @FILE: a .npy, a .npz (the
// array named NAME, or its only array) or a JSON file. A .npy/.npz array
// must have the input's dtype (numpy would cast silently; we say so).
StatusOr<tensor::Tensor> InputValue(const std::string& name, const std::string& value,
                                    tensor::DataType dt) {
  if (value.empty() || value[0] != '@') return saved_model::TensorFromJson(value, dt);
  const std::string file = value.substr(1);
  io::Env* env = io::Env::Default();
  TFCKPT_ASSIGN_OR_RETURN(std::string bytes, env->ReadFileToString(file));
  auto ends = [&](const char* suffix) {
    const size_t n = std::strlen(suffix);
    return file.size() >= n && file.compare(file.size() - n, n, suffix) == 0;
  };
  tensor::Tensor t;
  if (ends(".npy")) {
    TFCKPT_ASSIGN_OR_RETURN(t, saved_model::ReadNpy(bytes, file));
  } else if (ends(".npz")) {
    TFCKPT_ASSIGN_OR_RETURN(auto arrays, saved_model::ReadNpz(bytes, file));
    std::vector<std::string> keys;
    for (const auto& [k, v] : arrays) keys.push_back(k);
    const std::string key = name.substr(0, name.find(':'));
    if (arrays.count(key) > 0) {
      t = arrays.at(key);
    } else if (arrays.size() == 1) {
      t = arrays.begin()->second;
    } else {
      return NotFoundError(StrCat(file, " has no array '", key, "'", DidYouMean(key, keys),
                                  "; its arrays: ", ListNames(keys)));
    }
  } else {
    auto j = saved_model::TensorFromJson(bytes, dt);
    if (!j.ok()) return j.status().WithContext(file);
    return j;
  }
  if (t.dtype() != dt) {
    return InvalidArgumentError(StrCat(file, " holds ", tensor::DataTypeName(t.dtype()),
                                       " values but the input is ", tensor::DataTypeName(dt),
                                       " (convert with arr.astype(...))"));
  }
  return t;
}

// --outdir: each output as DIR/<key>.npy ('/' and ':' in keys become '_').
Status WriteOutdir(const std::string& dir, const std::vector<std::pair<std::string, tensor::Tensor>>& outs) {
  io::Env* env = io::Env::Default();
  if (!env->IsDirectory(dir)) {
    TFCKPT_RETURN_IF_ERROR(env->CreateDirRecursively(dir));
    std::cerr << "tfckpt run: created directory " << dir << "\n";
  }
  for (const auto& [key, value] : outs) {
    std::string file = key;
    for (char& c : file) c = (c == '/' || c == ':') ? '_' : c;
    TFCKPT_ASSIGN_OR_RETURN(std::string bytes, saved_model::WriteNpy(value));
    const std::string path = io::JoinPath(dir, file + ".npy");
    TFCKPT_RETURN_IF_ERROR(io::WriteFileAtomically(env, path, bytes));
    std::cerr << "tfckpt run: wrote " << path << "\n";
  }
  return OkStatus();
}

struct Output {
  std::string key, name;
  tensor::Tensor value;
};

Status Print(const Options& opt, const saved_model::Bundle& bundle, const std::string& signature,
             const std::vector<Output>& outputs) {
  for (const Output& o : outputs) {
    if (KindOf(o.value.dtype()) == ElementKind::kUnsupported) {
      return UnimplementedError(StrCat("output ", o.key, " has dtype ",
                                       tensor::DataTypeName(o.value.dtype()),
                                       ", whose values tfckpt cannot print"));
    }
  }
  if (opt.json) {
    std::string text = "{\n";
    Json head;
    head["path"] = bundle.path();
    head["kind"] = saved_model::ModelKindName(bundle.kind());
    head["signature"] = signature.empty() ? Json(nullptr) : Json(signature);
    std::string h = JsonText(head);  // "{\n  ...\n}\n"
    text = h.substr(0, h.size() - 3) + ",\n  \"outputs\": [";
    for (size_t i = 0; i < outputs.size(); ++i) {
      const Output& o = outputs[i];
      Json j;
      j["key"] = JsonSafe(o.key);
      j["name"] = JsonSafe(o.name);
      j["dtype"] = tensor::DataTypeName(o.value.dtype());
      j["shape"] = o.value.shape().dims();
      std::string oj = j.dump();
      oj.pop_back();  // '}'
      text += StrCat(i > 0 ? "," : "", "\n    ", oj, ", \"values\": ", ValuesJson(o.value), "}");
    }
    text += outputs.empty() ? "]\n}\n" : "\n  ]\n}\n";
    std::cout << text;
    return OkStatus();
  }
  std::cout << "model: " << bundle.path() << " (" << saved_model::ModelKindName(bundle.kind())
            << ")\n";
  if (!signature.empty()) {
    const auto& sig = bundle.signatures().at(signature);
    std::cout << "signature: " << signature
              << (sig.method_name().empty() ? "" : StrCat(" (", sig.method_name(), ")")) << "\n";
  }
  for (const Output& o : outputs) {
    std::cout << "output " << DisplayName(o.key);
    if (o.name != o.key) std::cout << " (" << DisplayName(o.name) << ")";
    std::cout << ": " << tensor::DataTypeName(o.value.dtype()) << " "
              << o.value.shape().DebugString() << "\n"
              << ValuesText(o.value) << "\n";
  }
  return OkStatus();
}

// Tensor mode: every --input and --output names a node of the graph;
// otherwise the error suggests close node names, and the signature input or
// output key it may be.
Status CheckTensorNames(const saved_model::Bundle& bundle, const Options& opt) {
  std::vector<std::string> nodes;
  for (const auto& node : bundle.meta_graph_def().graph_def().node()) nodes.push_back(node.name());
  std::sort(nodes.begin(), nodes.end());
  std::vector<std::pair<std::string, std::string>> names;  // (flag, tensor)
  for (const std::string& arg : opt.inputs) names.push_back({"--input", arg.substr(0, arg.find('='))});
  for (const std::string& o : opt.outputs) names.push_back({"--output", o});
  for (const auto& [flag, o] : names) {
    const std::string node = o.substr(0, o.find(':'));
    if (std::binary_search(nodes.begin(), nodes.end(), node)) continue;
    std::string hint;
    for (const auto& [k, sig] : bundle.signatures()) {
      const auto& keys = flag == "--input" ? sig.inputs() : sig.outputs();
      if (keys.count(o) > 0) {
        hint = StrCat("; '", o, "' is an ", flag.substr(2), " key of signature '", k,
                      "': add --signature ", k);
        break;
      }
    }
    std::vector<std::string> candidates;
    for (const std::string& n : nodes) candidates.push_back(n + ":0");
    std::string dym = DidYouMean(o, candidates);
    if (dym.empty() && hint.empty()) {
      dym = StrCat("; `tfckpt show ", opt.path, "` lists its placeholders and likely outputs");
    }
    return NotFoundError(StrCat(flag, " ", o, ": no node '", node, "' in the graph of ",
                                bundle.path(), dym, hint));
  }
  return OkStatus();
}

// tf.train.import_meta_graph of a MetaGraph without a saver_def: Saver()
// over its variables, in the graph (src/train builds it node for node).
StatusOr<tensorflow::MetaGraphDef> AddDefaultSaver(const tensorflow::MetaGraphDef& meta) {
  train::Graph graph;
  TFCKPT_ASSIGN_OR_RETURN(train::ImportedMetaGraph imported, train::ImportMetaGraph(&graph, meta));
  if (!imported.saver) return meta;  // no variables: nothing to restore
  train::ExportOptions options;
  options.saver_def = imported.saver->saver_def();
  return train::ExportMetaGraph(&graph, options);
}

Status Run(const Options& opt) {
  saved_model::ModelSpec spec;
  spec.path = opt.path;
  spec.tags = SplitTags(opt.tags);
  spec.checkpoint = opt.checkpoint;
  // On a terminal, the model and variables read so far while it loads.
  ReadProgress loading(StrCat("loading ", opt.path), !opt.json, io::Env::Default());
  if (auto r = path::Resolve(loading.env(), opt.path); r.ok()) {
    const std::string model = r->kind == path::Kind::kCheckpoint ? "" : r->model;
    loading.SetTotal(InputBytes(loading.env(), model,
                                opt.checkpoint.empty() ? r->checkpoint : opt.checkpoint));
  }
  saved_model::LoadOptions load_options;
  load_options.add_default_saver = AddDefaultSaver;
  load_options.env = loading.env();
  auto loaded = saved_model::LoadModel(spec, load_options);  // reads them all: 100%
  loading.Clear();
  if (!loaded.ok()) return WithTagHint(loaded.status(), opt.path, spec.tags);
  std::unique_ptr<saved_model::Bundle> bundle = std::move(*loaded);
  if (opt.verbose) {
    for (const std::string& line : bundle->log()) std::cerr << "tfckpt run: " << line << "\n";
  }
  std::string key = opt.signature;
  if (key.empty() && opt.outputs.empty() &&
      bundle->signatures().count(saved_model::kDefaultServingSignatureDefKey) > 0) {
    key = saved_model::kDefaultServingSignatureDefKey;
  }
  if (key.empty() && opt.outputs.empty()) {
    std::string keys;
    for (const auto& [k, v] : bundle->signatures()) keys += StrCat(keys.empty() ? "" : ", ", k);
    return InvalidArgumentError(
        StrCat(bundle->path(), " has no serving_default signature: give --signature KEY",
               keys.empty() ? "" : StrCat(" (one of: ", keys, ")"),
               " or the tensors to fetch with --output NAME:0"));
  }

  std::vector<Output> outputs;
  if (!key.empty()) {
    std::vector<std::string> keys;
    for (const auto& [k, v] : bundle->signatures()) keys.push_back(k);
    if (bundle->signatures().count(key) == 0) {
      return NotFoundError(StrCat("signature '", key, "' not found in ", bundle->path(),
                                  DidYouMean(key, keys), "; its signatures: ", ListNames(keys),
                                  " (`tfckpt show ", opt.path, "` describes them)"));
    }
    TFCKPT_RETURN_IF_ERROR(saved_model::ValidateSignature(*bundle, key));
    const tensorflow::SignatureDef& sig = bundle->signatures().at(key);
    std::vector<std::string> output_keys;
    for (const auto& [k, info] : sig.outputs()) output_keys.push_back(k);
    std::sort(output_keys.begin(), output_keys.end());
    for (const std::string& o : opt.outputs) {
      if (sig.outputs().count(o) > 0) continue;
      return InvalidArgumentError(StrCat("signature '", key, "' has no output '", o, "'",
                                         DidYouMean(o, output_keys), "; its outputs: ",
                                         ListNames(output_keys)));
    }
    // Input key for a name given as key or as tensor name.
    auto input_key = [&](const std::string& name) -> StatusOr<std::string> {
      if (sig.inputs().count(name) > 0) return name;
      for (const auto& [k, info] : sig.inputs()) {
        if (info.name() == name || info.name() == name + ":0") return k;
      }
      std::vector<std::string> keys;
      for (const auto& [k, info] : sig.inputs()) keys.push_back(k);
      std::sort(keys.begin(), keys.end());
      return InvalidArgumentError(StrCat("signature '", key, "' has no input '", name, "'",
                                         DidYouMean(name, keys), "; its inputs: ",
                                         ListNames(keys)));
    };
    saved_model::NamedTensors inputs;
    for (const std::string& arg : opt.inputs) {
      std::string name, json;
      TFCKPT_RETURN_IF_ERROR(SplitAssignment(arg, "--input", &name, &json));
      TFCKPT_ASSIGN_OR_RETURN(std::string k, input_key(name));
      const tensorflow::TensorInfo& info = sig.inputs().at(k);
      TFCKPT_ASSIGN_OR_RETURN(tensor::DataType dt, saved_model::TensorDtype(*bundle, info.name()));
      if (dt == tensorflow::DT_INVALID) dt = info.dtype();
      if (dt >= 100) dt = static_cast<tensor::DataType>(dt - 100);  // a *_REF dtype
      auto t = InputValue(name, json, dt);
      if (!t.ok()) return t.status().WithContext(StrCat("--input ", name));
      inputs[k] = std::move(*t);
    }
    for (const std::string& arg : opt.examples) {
      std::string name, json;
      TFCKPT_RETURN_IF_ERROR(SplitAssignment(arg, "--input_example", &name, &json));
      TFCKPT_ASSIGN_OR_RETURN(std::string k, input_key(name));
      auto t = saved_model::ExamplesFromJson(json);
      if (!t.ok()) return t.status().WithContext(StrCat("--input_example ", name));
      inputs[k] = std::move(*t);
    }
    TFCKPT_ASSIGN_OR_RETURN(saved_model::NamedTensors out,
                            saved_model::RunSignature(*bundle, key, inputs, opt.outputs));
    std::vector<std::string> order = opt.outputs;
    if (order.empty()) {
      for (const auto& [k, v] : out) order.push_back(k);
    }
    for (const std::string& k : order) {
      outputs.push_back({k, sig.outputs().at(k).name(), out.at(k)});
    }
  } else {
    TFCKPT_RETURN_IF_ERROR(CheckTensorNames(*bundle, opt));
    std::vector<std::pair<std::string, tensor::Tensor>> feeds;
    for (const std::string& arg : opt.inputs) {
      std::string name, json;
      TFCKPT_RETURN_IF_ERROR(SplitAssignment(arg, "--input", &name, &json));
      TFCKPT_ASSIGN_OR_RETURN(tensor::DataType dt, saved_model::TensorDtype(*bundle, name));
      if (dt == tensorflow::DT_INVALID) {
        return InvalidArgumentError(StrCat("--input ", name, ": the dtype of an output of an "
                                           "op tfckpt lacks is unknown"));
      }
      auto t = InputValue(name, json, dt);
      if (!t.ok()) return t.status().WithContext(StrCat("--input ", name));
      feeds.push_back({name, std::move(*t)});
    }
    for (const std::string& arg : opt.examples) {
      std::string name, json;
      TFCKPT_RETURN_IF_ERROR(SplitAssignment(arg, "--input_example", &name, &json));
      auto t = saved_model::ExamplesFromJson(json);
      if (!t.ok()) return t.status().WithContext(StrCat("--input_example ", name));
      feeds.push_back({name, std::move(*t)});
    }
    TFCKPT_ASSIGN_OR_RETURN(std::vector<tensor::Tensor> out,
                            saved_model::RunTensors(*bundle, feeds, opt.outputs));
    for (size_t i = 0; i < out.size(); ++i) outputs.push_back({opt.outputs[i], opt.outputs[i], out[i]});
  }
  if (!opt.outdir.empty()) {
    std::vector<std::pair<std::string, tensor::Tensor>> outs;
    for (const Output& o : outputs) outs.push_back({o.key, o.value});
    TFCKPT_RETURN_IF_ERROR(WriteOutdir(opt.outdir, outs));
  }
  return Print(opt, *bundle, key, outputs);
}

}  // namespace

void RegisterRun(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "run", "Run a signature of a SavedModel (or tensors of a graph) on JSON inputs.");
  cmd->footer(kFooter);
  auto opt = std::make_shared<Options>();
  cmd->add_option("PATH", opt->path,
                  "SavedModel directory, session bundle directory, .meta file or frozen .pb")
      ->required();
  cmd->add_option("--tag", opt->tags, "MetaGraph tag set, comma-separated (default: serve)");
  cmd->add_option("--signature", opt->signature,
                  "signature key (default: serving_default when the model has one)");
  cmd->add_option("--input", opt->inputs,
                  "NAME=JSON, e.g. x=[[1],[2],[3]], or NAME=@FILE: a .npy, .npz or JSON file "
                  "(repeatable)");
  cmd->add_option("--outdir", opt->outdir, "also write each output as DIR/<key>.npy");
  cmd->add_option("--input-example,--input_example", opt->examples,
                  "NAME=JSON of tf.Example features, e.g. inputs=[{\"x\": [1.0]}] (repeatable)");
  cmd->add_option("--output", opt->outputs,
                  "output key of the signature, or tensor name (NODE:0) to fetch (repeatable)");
  cmd->add_option("--checkpoint", opt->checkpoint,
                  "checkpoint to restore a .meta from (prefix, V1 file or directory)");
  cmd->add_flag("--json", opt->json, "exact values as JSON (see below)");
  cmd->add_flag("-v,--verbose", opt->verbose, "print what loading did on stderr");
  cmd->callback([opt, exit_code] {
    Status s = Run(*opt);
    *exit_code = s.ok() ? kExitOk : ReportError("run", s);
  });
}

}  // namespace tfckpt::cli
