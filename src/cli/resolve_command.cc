// tfckpt resolve PATH [--json]: what PATH means (path::Resolve, docs/CLI.md
// "Paths"), as every command takes it. The Python oracle's resolver
// (tools/oracle/tforacle/resolve.py) is held to this answer form by form
// (conformance/resolve_agree_test.sh).
#include <iostream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "src/cli/checkpoint_source.h"
#include "src/cli/commands.h"
#include "src/cli/exit_codes.h"
#include "src/cli/value_format.h"
#include "src/io/env.h"
#include "src/path/model_path.h"

namespace tfckpt::cli {
namespace {

using Json = nlohmann::ordered_json;

Json OrNull(const std::string& s) { return s.empty() ? Json(nullptr) : Json(JsonSafe(s)); }

Json ResolvedJson(const path::ResolvedPath& r) {
  return Json{{"path", JsonSafe(r.given)},
              {"kind", path::KindName(r.kind)},
              {"model", OrNull(r.model)},
              {"format", r.format == path::Format::kNone ? Json(nullptr)
                                                         : Json(path::FormatName(r.format))},
              {"checkpoint", OrNull(r.checkpoint)},
              {"state_file", OrNull(r.state_file)},
              {"how", OrNull(r.how)}};
}

}  // namespace

void RegisterResolve(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("resolve", "Say what a PATH means to every command.");
  cmd->footer(
      "Prints what PATH resolves to (docs/CLI.md \"Paths\"): its kind (checkpoint, "
      "SavedModel, session bundle, MetaGraph, GraphDef), the model file or directory, the "
      "checkpoint (V2 prefix, V1 file or shard pattern) and its format, the state file "
      "followed, and how PATH led there. --json: {\"path\", \"kind\", \"model\", \"format\", "
      "\"checkpoint\", \"state_file\", \"how\"} (null where none); on an error, {\"path\", "
      "\"error\": {\"code\", \"message\"}} and exit 2.");
  struct Options {
    std::string path;
    bool json = false;
  };
  auto opt = std::make_shared<Options>();
  cmd->add_option("PATH", opt->path, "any path a command takes")->required();
  cmd->add_flag("--json", opt->json, "machine-readable output");
  cmd->callback([opt, exit_code] {
    auto r = path::Resolve(io::Env::Default(), opt->path);
    if (!r.ok()) {
      if (opt->json) {
        std::cout << JsonText(Json{{"path", JsonSafe(opt->path)},
                                   {"error",
                                    {{"code", std::string(StatusCodeName(r.status().code()))},
                                     {"message", r.status().message()}}}});
      }
      *exit_code = ReportError("resolve", r.status());
      return;
    }
    if (opt->json) {
      std::cout << JsonText(ResolvedJson(*r));
    } else {
      std::cout << "kind: " << path::KindName(r->kind) << "\n";
      if (!r->model.empty()) std::cout << "model: " << DisplayName(r->model) << "\n";
      std::cout << "checkpoint: "
                << (r->checkpoint.empty()
                        ? std::string("none")
                        : StrCat(path::FormatName(r->format), " ", DisplayName(r->checkpoint)))
                << (r->how.empty() ? "" : StrCat(" (", r->how, ")")) << "\n";
      if (!r->state_file.empty()) std::cout << "state file: " << DisplayName(r->state_file) << "\n";
    }
    *exit_code = kExitOk;
  });
}

}  // namespace tfckpt::cli
