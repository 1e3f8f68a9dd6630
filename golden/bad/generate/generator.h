// The machinery behind golden/bad/: a table of cases (CaseDef), each made by
// copying a TensorFlow-written golden and damaging it, and the helpers the
// cases use. Every structure is written by the library's own writers
// (table::TableBuilder, table::BlockBuilder, table::Footer, the bundle's
// string-length checksum) and damaged at offsets the library's readers
// report (Table::ListBlocks, the footer, index entries), so the generator
// holds no second codec.
//
// Adding a case: append a CaseDef to the area's table (cases_<area>.cc),
// give it precise clauses in clauses.cc, `bazel run //golden/bad/generate`,
// pin TensorFlow's reaction in conformance/oracle/tf_reads_bad.py.
#ifndef TFCKPT_GOLDEN_BAD_GENERATE_GENERATOR_H_
#define TFCKPT_GOLDEN_BAD_GENERATE_GENERATOR_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "golden/bad/generate/generate.h"
#include "proto/tensor_bundle.pb.h"
#include "src/io/status.h"
#include "src/table/format.h"
#include "src/table/table.h"

namespace tfckpt::badcorpus {

// Where a case writes and what it may read.
struct CaseDir {
  std::string golden;  // golden/tf-2.21
  std::string dir;     // <out>/<case name>
  std::string prefix;  // <out>/<case name>/model.ckpt
  std::string G(const std::string& rel) const { return golden + "/" + rel; }
  std::string O(const std::string& rel) const { return dir + "/" + rel; }
};

// One bad file. Its directory starts empty; when `from` (a bundle prefix
// relative to golden/tf-2.21) is set, that bundle is first copied in as
// <name>/model.ckpt, `row.validate` defaults to that prefix and
// `row.source` to `from`. Then `make` damages it (or builds the case).
struct CaseDef {
  BadCase row;
  std::string from;
  std::function<Status(const CaseDir&)> make;
};

// The case tables, one per area, in corpus order.
std::vector<CaseDef> DamageCases();     // flips, truncations, shards, strings
std::vector<CaseDef> TableCases();      // blocks, footers, snappy (CVE-2018-7575/7577)
std::vector<CaseDef> EntryCases();      // entries, slices, headers (CVE-2021-41203)
std::vector<CaseDef> FileCases();       // state files, V1 files, SavedModels
std::vector<CaseDef> ModelCases();      // SavedModels TF's loaders refuse (model_check.h)

// Sources (golden/tf-2.21).
inline constexpr char kBasic[] = "saver_v2_basic/model.ckpt";  // v1 [1,2] @0, v2 [2,3] @8
inline constexpr char kSharded[] = "sharded/model.ckpt";       // 3 data files
inline constexpr char kParted[] = "partitioned/model.ckpt";    // pv [10,4] in 3 slices, w
inline constexpr char kTf2[] = "tf2_checkpoint/written/model";  // string tensors
inline constexpr char kV1[] = "saver_v1_basic/model.ckpt";     // a V1 file
inline constexpr char kSavedModel[] = "saved_model_simple_save/saved_model";

// ---------------------------------------------------------------------------
// Files.
StatusOr<std::string> ReadAll(const std::string& path);
Status WriteAll(const std::string& path, std::string_view bytes);  // makes parents
Status Copy(const std::string& from, const std::string& to);
// The index and every data file of a V2 prefix.
Status CopyBundle(const std::string& src_prefix, const std::string& dst_prefix);
Status Mutate(const std::string& path, const std::function<void(std::string*)>& fn);
Status Remove(const std::string& path);
// golden/tf-2.21's simple_save SavedModel (saved_model.pb + variables/)
// copied in as <case>/saved_model.
Status CopySavedModel(const CaseDir& d);

// ---------------------------------------------------------------------------
// Tables, through the library.
using Records = std::vector<std::pair<std::string, std::string>>;
StatusOr<Records> ReadRecords(const std::string& path);
// A table written by table::TableBuilder (TF's layout); keys must be sorted.
Status WriteTable(const std::string& path, const Records& records);
// The blocks of the table at `path` as table::Table::ListBlocks reports them.
StatusOr<std::vector<table::BlockInfo>> ListBlocks(const std::string& path);
// The one data block of a well-formed table (fails if there are more).
StatusOr<table::BlockInfo> OnlyDataBlock(const std::string& path);

// Rewrites the one-data-block table at `path`: `data_block` may replace the
// data block's stored bytes and type byte, `index_value` the index entry's
// value (an encoded handle). The metaindex block is kept, the index block is
// rebuilt with the library's BlockBuilder (same key), and every trailer and
// the footer are written by the library, so all CRCs stay valid and only
// the intended bytes are wrong.
struct DataBlockEdit {
  std::function<void(std::string* stored, uint8_t* type)> data_block;
  std::optional<std::string> index_value;
};
Status EditDataBlock(const std::string& path, const DataBlockEdit& edit);

// The footer of the table at `path` (its last table::kFooterLength bytes),
// as the library decodes it; `fn` may change it and it is re-encoded.
Status EditFooter(const std::string& path, const std::function<void(table::Footer*)>& fn);

// ---------------------------------------------------------------------------
// Bundle entries.
tensorflow::BundleEntryProto ParseEntry(const Records& r, std::string_view key);
void SetEntry(Records* r, std::string_view key, const tensorflow::BundleEntryProto& e);
// Rewrites the index of `prefix` (TableBuilder) after `fn` changed its records.
Status RewriteIndex(const std::string& prefix, const std::function<void(Records*)>& fn);
// Rewrites `key`'s BundleEntryProto in the index of `prefix`.
Status EditEntry(const std::string& prefix, const std::string& key,
                 const std::function<void(tensorflow::BundleEntryProto*)>& fn);

// Runs every case into `out_dir` and returns the rows in order.
StatusOr<std::vector<BadCase>> RunCases(const std::string& golden_dir,
                                        const std::string& out_dir,
                                        const std::vector<CaseDef>& cases);

}  // namespace tfckpt::badcorpus

#endif  // TFCKPT_GOLDEN_BAD_GENERATE_GENERATOR_H_
