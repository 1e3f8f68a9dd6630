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

// numpy's print threshold and edge items: past 1000 elements, the first and
// last 3 of each dimension.
constexpr int64_t kSummaryThreshold = 1000;
constexpr int64_t kEdgeItems = 3;

struct DumpOptions {
  std::string path, tensor;
  bool json = false, full = false, all = false;
};

// The tensor, or an error naming it; unprintable dtypes are errors.
StatusOr<tensor::Tensor> Load(const Checkpoint& ckpt, const std::string& name) {
  TFCKPT_ASSIGN_OR_RETURN(tensor::Tensor t, ckpt.Lookup(name));
  if (KindOf(t.dtype()) == ElementKind::kUnsupported) {
    return UnimplementedError(StrCat("tensor \"", DisplayName(name), "\" in ",
                                     ckpt.resolved().prefix, " has dtype ",
                                     tensor::DataTypeName(t.dtype()),
                                     ", whose values tfckpt cannot print"));
  }
  return t;
}

void PrintText(const Checkpoint& ckpt, const std::string& name, const tensor::Tensor& t,
               bool full) {
  const bool summarise = !full && t.num_elements() > kSummaryThreshold;
  std::cout << "tensor: " << DisplayName(name) << "\n"
            << "checkpoint: " << ckpt.Describe() << "\n"
            << "dtype: " << tensor::DataTypeName(t.dtype()) << "\n"
            << "shape: " << t.shape().DebugString() << " (" << t.num_elements()
            << (t.num_elements() == 1 ? " element)" : " elements)") << "\n"
            << (summarise ? StrCat("values (summarised: the first and last ", kEdgeItems,
                                   " of each dimension; --full prints all):\n")
                          : std::string("values:\n"))
            << ValuesText(t, summarise ? kEdgeItems : 0) << "\n";
}

Status Dump(const DumpOptions& opt) {
  TFCKPT_ASSIGN_OR_RETURN(std::unique_ptr<Checkpoint> ckpt,
                          Checkpoint::Open(io::Env::Default(), opt.path));
  if (opt.all != opt.tensor.empty()) {
    return InvalidArgumentError(opt.all ? "give either TENSOR or --all, not both"
                                        : "TENSOR is required (or --all for every tensor)");
  }
  if (!opt.all) {
    TFCKPT_ASSIGN_OR_RETURN(tensor::Tensor t, Load(*ckpt, opt.tensor));
    if (opt.json) {
      std::cout << DumpJson(*ckpt, opt.tensor, t);
    } else {
      PrintText(*ckpt, opt.tensor, t, opt.full);
    }
    return OkStatus();
  }
  TFCKPT_ASSIGN_OR_RETURN(std::vector<TensorSummary> list, ckpt->List());
  if (opt.json) std::cout << "{\"tensors\": [\n";
  for (size_t i = 0; i < list.size(); ++i) {
    TFCKPT_ASSIGN_OR_RETURN(tensor::Tensor t, Load(*ckpt, list[i].name));
    if (opt.json) {
      std::string j = DumpJson(*ckpt, list[i].name, t);
      j.pop_back();  // "\n"
      std::cout << j << (i + 1 < list.size() ? ",\n" : "\n");
    } else {
      if (i > 0) std::cout << "\n";
      PrintText(*ckpt, list[i].name, t, opt.full);
    }
  }
  if (opt.json) std::cout << "]}\n";
  return OkStatus();
}

}  // namespace

void RegisterDump(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("dump", "Print the values of one tensor, or all (exact with --json).");
  cmd->footer(StrCat("Prints the dtype, shape and values (numpy-like nested brackets; past ",
                     kSummaryThreshold, " elements summarised as numpy does, --full prints all). ",
                     kV1Supported ? "" : "V2 checkpoints only (this build has no V1 reader). ",
                     kJsonHelp, " --all --json: {\"tensors\": [one such object per tensor]}."));
  auto opt = std::make_shared<DumpOptions>();
  cmd->add_option("PATH", opt->path,
                  "checkpoint prefix, .index/.data-* file, V1 file, checkpoint directory or "
                  "SavedModel directory")
      ->required();
  cmd->add_option("TENSOR", opt->tensor, "tensor name (as listed by `tfckpt inspect`)");
  cmd->add_flag("--json", opt->json, "exact values as JSON, always every value (see above)");
  cmd->add_flag("--full", opt->full, "print every value, however many");
  cmd->add_flag("--all", opt->all, "every tensor of the checkpoint, in name order");
  cmd->callback([opt, exit_code] {
    Status s = Dump(*opt);
    *exit_code = s.ok() ? kExitOk : ReportError("dump", s);
  });
}

}  // namespace tfckpt::cli
