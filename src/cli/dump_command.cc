// tfckpt dump PATH TENSOR[SLICE] [--json]: the values of one tensor (or a
// numpy-style slice of it), or of all.
#include <algorithm>
#include <iostream>
#include <memory>
#include <string>

#include "src/bundle/slice_copy.h"
#include "src/cli/checkpoint_source.h"
#include "src/cli/commands.h"
#include "src/cli/exit_codes.h"
#include "src/cli/progress.h"
#include "src/cli/value_format.h"
#include "src/io/escape.h"
#include "src/io/hex.h"

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
  if (!io::IsValidUtf8(name)) meta["name_hex"] = io::Hex(name);
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
  std::string path, tensor, slice;
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

// A numpy basic index "0:2,:" / "-1" / "1:,::" (no steps) applied to `t`,
// with numpy's rules: missing trailing axes are whole, slice bounds clamp,
// negative values count from the end, an integer index drops its axis and
// must be in range (numpy's IndexError text).
StatusOr<tensor::Tensor> ApplySlice(const tensor::Tensor& t, const std::string& spec) {
  const std::vector<int64_t>& dims = t.shape().dims();
  std::vector<std::string> items;
  std::string item;
  for (char c : spec + ",") {
    if (c == ',') {
      items.push_back(item);
      item.clear();
    } else if (c != ' ') {
      item += c;
    }
  }
  if (items.size() > dims.size()) {
    return InvalidArgumentError(StrCat("slice [", spec, "]: too many indices for array: array is ",
                                       dims.size(), "-dimensional, but ", items.size(),
                                       " were indexed"));
  }
  auto number = [&](const std::string& text, int64_t* v) {
    const bool neg = !text.empty() && text[0] == '-';
    const std::string digits = neg ? text.substr(1) : text;
    if (digits.empty() || digits.size() > 18 ||
        digits.find_first_not_of("0123456789") != std::string::npos) {
      return false;
    }
    *v = neg ? -std::stoll(digits) : std::stoll(digits);
    return true;
  };
  std::vector<tensor::TensorSlice::Extent> extents(dims.size());
  std::vector<int64_t> out_dims;
  bool empty = false;
  for (size_t d = 0; d < dims.size(); ++d) {
    const int64_t n = dims[d];
    const std::string it = d < items.size() ? items[d] : ":";
    const size_t colon = it.find(':');
    int64_t lo = 0, hi = n;
    if (colon == std::string::npos) {  // an integer index
      if (!number(it, &lo)) {
        return InvalidArgumentError(StrCat("slice [", spec, "]: '", it, "' is not an integer or "
                                           "start:stop"));
      }
      if (lo < -n || lo >= n) {
        return InvalidArgumentError(StrCat("slice [", spec, "]: index ", lo, " is out of bounds "
                                           "for axis ", d, " with size ", n));
      }
      if (lo < 0) lo += n;
      extents[d] = {lo, 1};
      continue;
    }
    const std::string a = it.substr(0, colon), b = it.substr(colon + 1);
    if (b.find(':') != std::string::npos && b.substr(b.find(':') + 1) != "") {
      return UnimplementedError(StrCat("slice [", spec, "]: steps are not supported"));
    }
    const std::string stop = b.substr(0, b.find(':'));
    if ((!a.empty() && !number(a, &lo)) || (!stop.empty() && !number(stop, &hi))) {
      return InvalidArgumentError(StrCat("slice [", spec, "]: '", it, "' is not start:stop"));
    }
    if (lo < 0) lo += n;
    if (hi < 0) hi += n;
    lo = std::clamp<int64_t>(lo, 0, n);
    hi = std::clamp<int64_t>(hi, lo, n);
    extents[d] = {lo, hi - lo};
    out_dims.push_back(hi - lo);
    empty = empty || hi == lo;
  }
  std::vector<int64_t> region;
  for (const auto& e : extents) region.push_back(e.length);
  TFCKPT_ASSIGN_OR_RETURN(tensor::TensorShape region_shape, tensor::TensorShape::Make(region));
  TFCKPT_ASSIGN_OR_RETURN(tensor::Tensor out, tensor::Tensor::Allocate(t.dtype(), region_shape));
  if (!empty) {
    TFCKPT_RETURN_IF_ERROR(bundle::CopySliceOverlap(
        t.shape(), tensor::TensorSlice(static_cast<int>(dims.size())), t,
        tensor::TensorSlice(extents), &out));
  }
  TFCKPT_ASSIGN_OR_RETURN(tensor::TensorShape shape, tensor::TensorShape::Make(out_dims));
  if (out.is_string()) return tensor::Tensor::FromStrings(shape, out.strings());
  return tensor::Tensor::Borrow(out.dtype(), shape, out.raw_data(),
                                std::make_shared<tensor::Tensor>(out));
}

// TENSOR as given, or split into name and slice: --slice, else a trailing
// "[...]" when the whole string names no tensor ("w[0:2,:]").
StatusOr<std::pair<std::string, std::string>> NameAndSlice(const Checkpoint& ckpt,
                                                           const DumpOptions& opt) {
  if (!opt.slice.empty()) return std::make_pair(opt.tensor, opt.slice);
  const size_t open = opt.tensor.rfind('[');
  if (opt.tensor.empty() || opt.tensor.back() != ']' || open == std::string::npos ||
      ckpt.Lookup(opt.tensor).ok()) {
    return std::make_pair(opt.tensor, std::string());
  }
  return std::make_pair(opt.tensor.substr(0, open),
                        opt.tensor.substr(open + 1, opt.tensor.size() - open - 2));
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

// The bytes reading tensor `name` takes (0 if it cannot tell).
uint64_t TensorBytes(const Checkpoint& ckpt, const std::string& name) {
  if (ckpt.v2() != nullptr) {
    auto e = ckpt.v2()->GetEntry(name);
    return e.ok() ? WorkBytes(e->proto.dtype(), e->shape) : 0;
  }
  auto list = ckpt.List();
  if (!list.ok()) return 0;
  for (const TensorSummary& s : *list) {
    if (s.name == name) return WorkBytes(s.dtype, s.shape);
  }
  return 0;
}

Status Dump(const DumpOptions& opt) {
  // One tensor on a terminal: its bytes read so far (--all draws per tensor).
  ReadProgress reading(StrCat("reading ", opt.tensor, " of ", opt.path), !opt.json && !opt.all,
                       io::Env::Default());
  TFCKPT_ASSIGN_OR_RETURN(std::unique_ptr<Checkpoint> ckpt,
                          Checkpoint::Open(reading.env(), opt.path));
  if (opt.all != opt.tensor.empty()) {
    return InvalidArgumentError(opt.all ? "give either TENSOR or --all, not both"
                                        : "TENSOR is required (or --all for every tensor)");
  }
  if (opt.all && !opt.slice.empty()) return InvalidArgumentError("--slice needs one TENSOR");
  if (!opt.all) {
    TFCKPT_ASSIGN_OR_RETURN(auto name_slice, NameAndSlice(*ckpt, opt));
    const auto& [name, slice] = name_slice;
    reading.SetTotal(TensorBytes(*ckpt, name));
    auto loaded = Load(*ckpt, name);  // reads at least its bytes: the line reaches 100%
    reading.Clear();
    TFCKPT_ASSIGN_OR_RETURN(tensor::Tensor t, std::move(loaded));
    const std::string shown = slice.empty() ? name : StrCat(name, "[", slice, "]");
    if (!slice.empty()) {
      auto sliced = ApplySlice(t, slice);
      if (!sliced.ok()) {
        return sliced.status().WithContext(StrCat("tensor \"", DisplayName(name), "\" of shape ",
                                                  t.shape().DebugString()));
      }
      t = std::move(*sliced);
    }
    if (opt.json) {
      std::cout << DumpJson(*ckpt, shown, t);
    } else {
      PrintText(*ckpt, shown, t, opt.full);
    }
    return OkStatus();
  }
  TFCKPT_ASSIGN_OR_RETURN(std::vector<TensorSummary> list, ckpt->List());
  if (opt.json) std::cout << "{\"tensors\": [\n";
  // --all on a terminal: the bytes read so far, cleared while a tensor prints.
  Progress progress(StrCat("dumping ", opt.path), !opt.json);
  uint64_t total = 0, done = 0;
  for (const TensorSummary& s : list) total += WorkBytes(s.dtype, s.shape);
  for (size_t i = 0; i < list.size(); ++i) {
    progress.Update(done, total);
    TFCKPT_ASSIGN_OR_RETURN(tensor::Tensor t, Load(*ckpt, list[i].name));
    done += WorkBytes(list[i].dtype, list[i].shape);
    progress.Update(done, total);
    progress.Clear();
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
  cmd->add_option("--slice", opt->slice,
                  "numpy basic index of TENSOR, e.g. '0:2,:' or '-1' (also as TENSOR[0:2,:]; "
                  "no steps); shape and values are the slice's");
  cmd->callback([opt, exit_code] {
    Status s = Dump(*opt);
    *exit_code = s.ok() ? kExitOk : ReportError("dump", s);
  });
}

}  // namespace tfckpt::cli
