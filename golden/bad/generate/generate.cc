#include "golden/bad/generate/generate.h"

#include <algorithm>

#include "golden/bad/generate/clauses.h"
#include "golden/bad/generate/generator.h"
#include "nlohmann/json.hpp"

namespace tfckpt::badcorpus {
namespace {

Status WriteExpected(const std::string& out, const std::vector<BadCase>& cases) {
  nlohmann::json doc;
  doc["schema_version"] = 1;
  doc["generator"] = "golden/bad/generate (bazel run //golden/bad/generate)";
  doc["cases"] = nlohmann::json::array();
  for (const BadCase& c : cases) {
    doc["cases"].push_back({{"name", c.name},
                            {"validate", c.validate},
                            {"expect_any", c.expect},
                            {"broken", c.broken},
                            {"how", c.how},
                            {"clauses", BadCaseClauses(c.name, c.expect)}});
    if (!c.source.empty()) doc["cases"].back()["source"] = c.source;
  }
  return WriteAll(out + "/EXPECTED.json", doc.dump(1) + "\n");
}

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') {
      out += "\\|";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Status WriteReadme(const std::string& out, const std::vector<BadCase>& cases) {
  std::string md =
      "# golden/bad/ — broken checkpoints and the defect codes they must produce\n"
      "\n"
      "Like parquet-testing's `bad_data/`: each directory holds one damaged or hostile\n"
      "checkpoint, and `tfckpt validate` (`check::Validate`) must report at least one of the\n"
      "listed defect codes (`src/check/defect.h`) for it, and never call it valid.\n"
      "`EXPECTED.json` is the same table, machine-readable; `//golden/bad:bad_corpus_test`\n"
      "checks every row.\n"
      "\n"
      "**Generated — do not edit.** Everything here but `BUILD` and `generate/` is written by\n"
      "`golden/bad/generate/` from the TensorFlow 2.21 goldens in `golden/tf-2.21/`: byte\n"
      "flips and truncations at offsets the library's readers report, index records rewritten\n"
      "with the library's table writer, and blocks replaced with every trailer CRC and the\n"
      "footer recomputed by the library (so only the intended field is wrong). The cases are\n"
      "a table, one file per area (`generate/cases_*.cc`; machinery in `generate/generator.h`):\n"
      "\n"
      "```sh\n"
      "bazel run //golden/bad/generate             # rewrites golden/bad/ in the source tree\n"
      "bazel test //golden/bad/...                 # bad_corpus_test + generate_check_test\n"
      "```\n"
      "\n"
      "`generate_check_test` regenerates the corpus in a temp dir and requires it to be\n"
      "byte-identical to the committed files (so the files and this table cannot drift).\n"
      "V2 cases are validated as the prefix `<dir>/model.ckpt`; state-file cases as the\n"
      "directory; V1 cases as the file.\n"
      "\n"
      "| file | what is broken | how it was made | expected code(s) |\n"
      "|---|---|---|---|\n";
  for (const BadCase& c : cases) {
    std::string codes;
    for (const std::string& e : c.expect) codes += (codes.empty() ? "`" : " or `") + e + "`";
    md += StrCat("| `", c.validate, "` | ", Escape(c.broken), " | ", Escape(c.how), " | ", codes,
                 " |\n");
  }
  md +=
      "\n"
      "Sources: `saver_v2_basic` (v1 float [1,2] at offset 0, v2 float [2,3] at 8; 32-byte data\n"
      "file), `sharded` (3 data files), `partitioned` (pv [10,4] saved as row slices 0,4 / 4,3 /\n"
      "7,3), `tf2_checkpoint/written/model` (scalar string tensors), `saver_v1_basic` (a V1 file).\n"
      "CVE-2018-7575: block handle size overflow in the table reader; CVE-2018-7577: snappy\n"
      "decompression of hostile blocks; CVE-2021-41203: unvalidated shapes, dtypes, offsets,\n"
      "shard ids and slices in checkpoint metadata.\n"
      "\n"
      "What TensorFlow 2.21 itself does with each file (`tf.train.load_checkpoint` + `get_tensor`,\n"
      "or `get_checkpoint_state`: reject, accept silently, or crash the process) is pinned in\n"
      "`conformance/oracle/tf_reads_bad.py` and checked by the oracle tier\n"
      "(`conformance/oracle/README.md`).\n";
  return WriteAll(out + "/README.md", md);
}

}  // namespace

StatusOr<std::vector<BadCase>> GenerateAll(const std::string& golden_dir,
                                           const std::string& out_dir) {
  std::vector<CaseDef> all;
  for (auto area : {DamageCases, TableCases, EntryCases, FileCases, ModelCases}) {
    for (CaseDef& c : area()) all.push_back(std::move(c));
  }
  // Rows keep the corpus's historical order (conformance reports and
  // docs/COMPATIBILITY.md list cases in it): these came later, so go last.
  static const std::vector<std::string> kLater = {
      "block_bad_shared", "block_zero_restarts", "block_overlong_varint",
      "footer_nonzero_padding", "v1_short_values", "unsorted_keys",
      "shape_unknown_rank", "saved_model_garbage", "saved_model_variable_missing",
      "overlapping_data"};
  const auto rank = [](const CaseDef& c) -> long {
    const auto it = std::find(kLater.begin(), kLater.end(), c.row.name);
    return it == kLater.end() ? -1 : it - kLater.begin();
  };
  std::stable_sort(all.begin(), all.end(),
                   [&](const CaseDef& a, const CaseDef& b) { return rank(a) < rank(b); });
  TFCKPT_ASSIGN_OR_RETURN(std::vector<BadCase> cases, RunCases(golden_dir, out_dir, all));
  TFCKPT_RETURN_IF_ERROR(WriteExpected(out_dir, cases));
  TFCKPT_RETURN_IF_ERROR(WriteReadme(out_dir, cases));
  return cases;
}

}  // namespace tfckpt::badcorpus
