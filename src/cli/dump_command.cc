// tfckpt dump PATH TENSOR [--json]: every value of one tensor.
#include <iostream>
#include <memory>
#include <string>

#include "src/cli/checkpoint_source.h"
#include "src/cli/commands.h"
#include "src/cli/exit_codes.h"
#include "src/cli/value_format.h"

namespace tfckpt::cli {
namespace {

using Json = nlohmann::ordered_json;

constexpr char kJsonHelp[] =
    "With --json: {\"path\", \"prefix\", \"name\", \"dtype\", \"shape\", \"num_elements\", "
    "\"values\"}, values flat in row-major order and exact: floats as the shortest decimal "
    "that reads back to the same value (at most %.9g digits for float, %.17g for double; "
    "always with a '.' or exponent, so -0.0 keeps its sign; half, bfloat16 and float8 "
    "converted to float exactly), NaN/Inf as the strings \"nan\", "
    "\"inf\", \"-inf\", integers exactly (uint64 too), bool as true/false, complex as "
    "[re, im], strings as JSON strings when valid UTF-8, else {\"hex\": \"<bytes in hex>\"}.";

std::string DumpJson(const Checkpoint& ckpt, const std::string& name, const tensor::Tensor& t) {
  Json meta;
  meta["path"] = ckpt.resolved().given;
  meta["prefix"] = ckpt.resolved().prefix;
  meta["name"] = JsonSafe(name);
  if (!IsValidUtf8(name)) meta["name_hex"] = HexString(name);
  meta["dtype"] = tensor::DataTypeName(t.dtype());
  meta["shape"] = t.shape().dims();
  meta["num_elements"] = t.num_elements();
  std::string text = JsonText(meta);  // ends with "\n}\n"
  text.resize(text.size() - 3);
  return StrCat(text, ",\n  \"values\": ", ValuesJson(t), "\n}\n");
}

}  // namespace

void RegisterDump(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("dump", "Print the values of one tensor (exact with --json).");
  cmd->footer(StrCat("Prints the dtype, shape and every value (numpy-like nested brackets). ",
                     kV1Supported ? "" : "V2 checkpoints only (this build has no V1 reader). ",
                     kJsonHelp));
  struct Options {
    std::string path, tensor;
    bool json = false;
  };
  auto opt = std::make_shared<Options>();
  cmd->add_option("PATH", opt->path,
                  "checkpoint prefix, .index/.data-* file, V1 file, checkpoint directory or "
                  "SavedModel directory")
      ->required();
  cmd->add_option("TENSOR", opt->tensor, "tensor name (as listed by `tfckpt inspect`)")
      ->required();
  cmd->add_flag("--json", opt->json, "exact values as JSON (see above)");
  cmd->callback([opt, exit_code] {
    auto ckpt = Checkpoint::Open(io::Env::Default(), opt->path);
    if (!ckpt.ok()) {
      *exit_code = ReportError("dump", ckpt.status());
      return;
    }
    auto t = (*ckpt)->Lookup(opt->tensor);
    if (!t.ok()) {
      *exit_code = ReportError("dump", t.status());
      return;
    }
    if (KindOf(t->dtype()) == ElementKind::kUnsupported) {
      *exit_code = ReportError(
          "dump", UnimplementedError(StrCat("tensor \"", DisplayName(opt->tensor), "\" in ",
                                            (*ckpt)->resolved().prefix, " has dtype ",
                                            tensor::DataTypeName(t->dtype()),
                                            ", whose values tfckpt cannot print")));
      return;
    }
    if (opt->json) {
      std::cout << DumpJson(**ckpt, opt->tensor, *t);
    } else {
      std::cout << "tensor: " << DisplayName(opt->tensor) << "\n"
                << "checkpoint: " << (*ckpt)->Describe() << "\n"
                << "dtype: " << tensor::DataTypeName(t->dtype()) << "\n"
                << "shape: " << t->shape().DebugString() << " (" << t->num_elements()
                << (t->num_elements() == 1 ? " element)" : " elements)") << "\n"
                << "values:\n"
                << ValuesText(*t) << "\n";
    }
    *exit_code = kExitOk;
  });
}

}  // namespace tfckpt::cli
