// tfckpt diff A B [--atol X] [--rtol Y] [--json]: names, dtypes, shapes and
// values of two checkpoints. Exit 0 identical (within tolerance), 1 they
// differ, 2 an input cannot be read.
#include <fnmatch.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

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

struct ValueDiff {
  std::string name;
  int64_t num_elements = 0;
  int64_t count = 0;                 // differing elements
  int64_t first = -1;                // flat index of the first one
  std::vector<int64_t> first_index;  // its multi-index
  std::string a_value, b_value;      // JSON text of the first differing values
  bool has_max = false;              // strings have no numeric difference
  double max_abs_diff = 0;           // over all elements; NaN if a NaN met a number
};

struct DiffResult {
  std::vector<TensorSummary> only_a, only_b;
  std::vector<std::pair<TensorSummary, TensorSummary>> dtype_mismatch, shape_mismatch;
  std::vector<ValueDiff> value_diffs;
  int64_t compared = 0;  // tensors whose values were compared
  int64_t excluded = 0;  // tensors of A or B matching an --exclude pattern
  bool identical() const {
    return only_a.empty() && only_b.empty() && dtype_mismatch.empty() &&
           shape_mismatch.empty() && value_diffs.empty();
  }
};

// NaN equals NaN; infinities only themselves; else |a-b| <= atol + rtol*|b|.
bool Close(double a, double b, double atol, double rtol) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (a == b) return true;
  if (std::isinf(a) || std::isinf(b)) return false;
  return std::fabs(a - b) <= atol + rtol * std::fabs(b);
}

double AbsDiff(double a, double b) {
  if (std::isnan(a) && std::isnan(b)) return 0;
  if (a == b) return 0;  // also equal infinities
  return std::fabs(a - b);
}

void Track(ValueDiff* d, double diff) {
  if (std::isnan(diff) || std::isnan(d->max_abs_diff)) {
    d->max_abs_diff = NAN;
  } else {
    d->max_abs_diff = std::max(d->max_abs_diff, diff);
  }
}

ValueDiff CompareValues(const std::string& name, const tensor::Tensor& a,
                        const tensor::Tensor& b, double atol, double rtol) {
  ValueDiff d;
  d.name = name;
  d.num_elements = a.num_elements();
  const ElementKind kind = KindOf(a.dtype());
  d.has_max = kind != ElementKind::kString && kind != ElementKind::kUnsupported;
  if (a.BitwiseEquals(b)) return d;
  for (int64_t i = 0; i < a.num_elements(); ++i) {
    bool same = true;
    switch (kind) {
      case ElementKind::kFloat: {
        const double x = FloatElement(a, i), y = FloatElement(b, i);
        same = Close(x, y, atol, rtol);
        Track(&d, AbsDiff(x, y));
        break;
      }
      case ElementKind::kComplex:
        for (int part = 0; part < 2; ++part) {
          const double x = FloatElement(a, i, part), y = FloatElement(b, i, part);
          same = same && Close(x, y, atol, rtol);
          Track(&d, AbsDiff(x, y));
        }
        break;
      case ElementKind::kSigned: case ElementKind::kUnsigned: case ElementKind::kBool: {
        const __int128 x = IntElement(a, i), y = IntElement(b, i);
        same = x == y;
        Track(&d, static_cast<double>(x > y ? x - y : y - x));
        break;
      }
      case ElementKind::kString:
        same = a.strings()[i] == b.strings()[i];
        break;
      case ElementKind::kUnsupported:
        same = false;  // not bitwise equal, and no way to look closer
        break;
    }
    if (same) continue;
    if (d.count++ == 0) {
      d.first = i;
      d.first_index = UnflattenIndex(a.shape(), i);
      d.a_value = ElementJson(a, i);
      d.b_value = ElementJson(b, i);
    }
  }
  if (kind == ElementKind::kUnsupported && d.count == 0) d.count = 1;
  return d;
}

// Drops the tensors whose name matches a shell pattern of `excludes`
// (fnmatch without FNM_PATHNAME: '*' also matches '/').
int64_t Exclude(const std::vector<std::string>& excludes, std::vector<TensorSummary>* list) {
  const size_t before = list->size();
  list->erase(std::remove_if(list->begin(), list->end(),
                             [&](const TensorSummary& t) {
                               for (const std::string& p : excludes) {
                                 if (fnmatch(p.c_str(), t.name.c_str(), 0) == 0) return true;
                               }
                               return false;
                             }),
              list->end());
  return static_cast<int64_t>(before - list->size());
}

StatusOr<DiffResult> Diff(const Checkpoint& a, const Checkpoint& b, double atol,
                          double rtol, const std::vector<std::string>& excludes,
                          Progress* progress) {
  TFCKPT_ASSIGN_OR_RETURN(std::vector<TensorSummary> la, a.List());
  TFCKPT_ASSIGN_OR_RETURN(std::vector<TensorSummary> lb, b.List());
  DiffResult r;
  r.excluded = Exclude(excludes, &la) + Exclude(excludes, &lb);
  std::map<std::string, TensorSummary> in_b;
  for (TensorSummary& s : lb) in_b.emplace(s.name, s);
  // Progress: the bytes of A's tensors read so far (a tensor B lacks, or
  // with another dtype or shape, is not read).
  uint64_t total = 0, done = 0;
  for (const TensorSummary& sa : la) total += WorkBytes(sa.dtype, sa.shape);
  for (const TensorSummary& sa : la) {
    progress->Update(done, total);
    done += WorkBytes(sa.dtype, sa.shape);
    auto it = in_b.find(sa.name);
    if (it == in_b.end()) {
      r.only_a.push_back(sa);
      continue;
    }
    const TensorSummary sb = it->second;
    in_b.erase(it);
    if (sa.dtype != sb.dtype) {
      r.dtype_mismatch.emplace_back(sa, sb);
      continue;
    }
    if (sa.shape != sb.shape) {
      r.shape_mismatch.emplace_back(sa, sb);
      continue;
    }
    TFCKPT_ASSIGN_OR_RETURN(tensor::Tensor ta, a.Lookup(sa.name));
    TFCKPT_ASSIGN_OR_RETURN(tensor::Tensor tb, b.Lookup(sb.name));
    ++r.compared;
    ValueDiff d = CompareValues(sa.name, ta, tb, atol, rtol);
    if (d.count > 0) r.value_diffs.push_back(std::move(d));
  }
  progress->Update(total, total);
  for (auto& [name, s] : in_b) r.only_b.push_back(s);
  return r;
}

std::string Describe(const TensorSummary& s) {
  return StrCat(tensor::DataTypeName(s.dtype), " ", s.shape.DebugString());
}

Json NumberOrString(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  return v;
}

Json SideJson(const Checkpoint& c) {
  return Json{{"path", c.resolved().given},
              {"format", c.format() == CheckpointFormat::kV2 ? "v2" : "v1"},
              {"prefix", c.resolved().prefix}};
}

Json TensorJson(const TensorSummary& s) {
  Json j{{"name", JsonSafe(s.name)}};
  if (!io::IsValidUtf8(s.name)) j["name_hex"] = io::Hex(s.name);
  j["dtype"] = tensor::DataTypeName(s.dtype);
  j["shape"] = s.shape.dims();
  return j;
}

Json MismatchJson(const std::pair<TensorSummary, TensorSummary>& m) {
  Json j{{"name", JsonSafe(m.first.name)}};
  j["a"] = TensorJson(m.first);
  j["b"] = TensorJson(m.second);
  j["a"].erase("name");
  j["b"].erase("name");
  return j;
}

Json ResultJson(const Checkpoint& a, const Checkpoint& b, double atol, double rtol,
                const DiffResult& r) {
  Json j;
  j["a"] = SideJson(a);
  j["b"] = SideJson(b);
  j["atol"] = atol;
  j["rtol"] = rtol;
  j["identical"] = r.identical();
  j["tensors_compared"] = r.compared;
  j["tensors_excluded"] = r.excluded;
  const auto list = [](const std::vector<TensorSummary>& v) {
    Json out = Json::array();
    for (const TensorSummary& s : v) out.push_back(TensorJson(s));
    return out;
  };
  j["only_in_a"] = list(r.only_a);
  j["only_in_b"] = list(r.only_b);
  Json dm = Json::array(), sm = Json::array(), vd = Json::array();
  for (const auto& m : r.dtype_mismatch) dm.push_back(MismatchJson(m));
  for (const auto& m : r.shape_mismatch) sm.push_back(MismatchJson(m));
  for (const ValueDiff& d : r.value_diffs) {
    Json v{{"name", JsonSafe(d.name)},
           {"num_elements", d.num_elements},
           {"count", d.count},
           {"max_abs_diff", d.has_max ? NumberOrString(d.max_abs_diff) : Json(nullptr)},
           {"first_index", d.first_index},
           {"first_flat_index", d.first},
           {"a_value", Json::parse(d.a_value.empty() ? "null" : d.a_value)},
           {"b_value", Json::parse(d.b_value.empty() ? "null" : d.b_value)}};
    vd.push_back(std::move(v));
  }
  j["dtype_mismatches"] = std::move(dm);
  j["shape_mismatches"] = std::move(sm);
  j["value_differences"] = std::move(vd);
  return j;
}

void PrintHuman(const Checkpoint& a, const Checkpoint& b, double atol, double rtol,
                const DiffResult& r) {
  std::cout << "A: " << a.Describe() << "\nB: " << b.Describe() << "\n";
  for (const TensorSummary& s : r.only_a) {
    std::cout << "only in A: " << DisplayName(s.name) << " (" << Describe(s) << ")\n";
  }
  for (const TensorSummary& s : r.only_b) {
    std::cout << "only in B: " << DisplayName(s.name) << " (" << Describe(s) << ")\n";
  }
  for (const auto& [sa, sb] : r.dtype_mismatch) {
    std::cout << "dtype differs: " << DisplayName(sa.name) << ": " << Describe(sa)
              << " (A) vs " << Describe(sb) << " (B)\n";
  }
  for (const auto& [sa, sb] : r.shape_mismatch) {
    std::cout << "shape differs: " << DisplayName(sa.name) << ": " << Describe(sa)
              << " (A) vs " << Describe(sb) << " (B)\n";
  }
  for (const ValueDiff& d : r.value_diffs) {
    std::cout << "values differ: " << DisplayName(d.name) << ": " << d.count << " of "
              << d.num_elements << " elements";
    if (d.has_max) std::cout << ", max abs diff " << FormatDouble(d.max_abs_diff);
    std::cout << ", first at " << IndexString(d.first_index) << ": " << d.a_value
              << " (A) vs " << d.b_value << " (B)\n";
  }
  const size_t differ = r.dtype_mismatch.size() + r.shape_mismatch.size() + r.value_diffs.size();
  std::cout << (r.identical() ? "identical" : "different") << ": " << r.compared
            << " tensors compared (atol " << FormatDouble(atol) << ", rtol "
            << FormatDouble(rtol) << "), " << differ << " differ, " << r.only_a.size()
            << " only in A, " << r.only_b.size() << " only in B"
            << (r.excluded > 0 ? StrCat(", ", r.excluded, " excluded") : std::string()) << "\n";
}

}  // namespace

void RegisterDiff(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "diff", "Compare two checkpoints: names, dtypes, shapes and values.");
  cmd->footer(
      StrCat("Floating-point "
             "values (also each part of a complex) are equal when |a-b| <= atol + rtol*|b|, "
             "NaN equals NaN, an infinity only itself (-0 equals 0); everything else is "
             "compared exactly. Reports tensors only in A / only in B, dtype and shape "
             "mismatches, and for values the count of differing elements, the max abs "
             "difference and the first differing index. Exit 0 identical (within tolerance), "
             "1 different, 2 on errors."));
  struct Options {
    std::string a, b;
    double atol = 0, rtol = 0;
    bool json = false;
    std::vector<std::string> excludes;
  };
  auto opt = std::make_shared<Options>();
  cmd->add_option("A", opt->a, "first checkpoint (any PATH `inspect` accepts)")->required();
  cmd->add_option("B", opt->b, "second checkpoint")->required();
  const CLI::Validator tolerance(
      [](std::string& s) -> std::string {
        char* end = nullptr;
        const double v = std::strtod(s.c_str(), &end);
        if (s.empty() || *end != '\0' || !std::isfinite(v) || v < 0) {
          return "must be a finite number >= 0, got \"" + s + "\"";
        }
        return "";
      },
      "TOL>=0");
  cmd->add_option("--atol", opt->atol, "absolute tolerance for float values (default 0)")
      ->check(tolerance);
  cmd->add_option("--rtol", opt->rtol, "relative tolerance for float values (default 0)")
      ->check(tolerance);
  cmd->add_flag("--json", opt->json, "machine-readable output");
  cmd->add_option("--exclude", opt->excludes,
                  "skip tensors whose name matches this shell pattern, e.g. "
                  "'_CHECKPOINTABLE_OBJECT_GRAPH' or 'save_counter/*' (repeatable; '*' "
                  "matches '/' too)");
  cmd->callback([opt, exit_code] {
    io::Env* env = io::Env::Default();
    auto a = Checkpoint::Open(env, opt->a);
    if (!a.ok()) {
      *exit_code = ReportError("diff", a.status());
      return;
    }
    auto b = Checkpoint::Open(env, opt->b);
    if (!b.ok()) {
      *exit_code = ReportError("diff", b.status());
      return;
    }
    Progress progress(StrCat("comparing ", opt->a, " and ", opt->b), !opt->json);
    auto r = Diff(**a, **b, opt->atol, opt->rtol, opt->excludes, &progress);
    progress.Clear();
    if (!r.ok()) {
      *exit_code = ReportError("diff", r.status());
      return;
    }
    if (opt->json) {
      std::cout << JsonText(ResultJson(**a, **b, opt->atol, opt->rtol, *r));
    } else {
      PrintHuman(**a, **b, opt->atol, opt->rtol, *r);
    }
    *exit_code = r->identical() ? kExitOk : kExitDefects;
  });
}

}  // namespace tfckpt::cli
