// The oracle tier's API corpus: what tfckpt's TF1 API (src/train,
// src/saved_model, src/freeze) writes -- checkpoints with their .meta and
// state files, exported meta graphs, SavedModels, a frozen graph, a field
// binding -- one directory per case under <out_dir>, each with an
// expected.json that tf_runs_tfckpt_api.py checks TensorFlow against and
// api_corpus_test checks tfckpt itself against (README.md, "API corpus").
//
// <out_dir>/index.json: {"schema_version": 1, "writer": "tfckpt
// write_api_corpus", "cases": [<name>...]}.
//
// <case>/expected.json (paths relative to the case directory):
//   {"name", "kind": "meta_checkpoint" | "saved_model" | "frozen_graph",
//    "description",
//    "files": [every file under the case dir but expected.json, sorted],
//    "checkpoints": {"<prefix>": {"format": "V2"|"V1", "tensors": [<record>]}},
//    "imports": [{                       // meta_checkpoint
//       "meta", "checkpoint_dir",
//       "import_scope": "imported",          // optional: TF prefixes every name
//       "latest_checkpoint": "<abs path>",   // as tfckpt's LatestCheckpoint
//       "checkpoint_state": {"model_checkpoint_path", "all_model_checkpoint_paths"},
//       "format": "V2" | "V1", "data_files": [...] | "v1_file",
//       "restored": [<record named "v:0">],  // values after restore
//       "resave": true,                       // TF's re-save must be byte-identical
//       "collections": {key: [{"kind", "value"}]},
//       "cleared_devices": true,              // every node's device is ""
//       "runs": [{"what", "feeds": [<record>], "targets": [op], "fetches": [<record>]}],
//       "ema": {"decay", "variables_to_restore": {key: var name},
//               "restore_averages": [<record>]},
//       "binding": {"file", "fields": {field: name}, "kinds": {field: kind},
//                   "runs": [...]}}],
//    "export_dir", "meta_graphs": [{"tags", "signatures": {key: {"inputs":
//       {k: <record>}, "outputs": {k: <record>}}}}], "tf2_signatures": [...],
//    "graph", "runs",                     // frozen_graph (names without prefix)
//    "tf_freeze": {"meta", "checkpoint", "outputs"}}  // TF refreezes: same bytes
// Records follow golden/MANIFEST.json (tensor_record.h).
#ifndef TFCKPT_CONFORMANCE_ORACLE_API_CORPUS_H_
#define TFCKPT_CONFORMANCE_ORACLE_API_CORPUS_H_

#include <string>
#include <vector>

#include "src/io/status.h"

namespace tfckpt::conformance {

// Writes every case into `out_dir` (created, made absolute). Returns the
// case names.
StatusOr<std::vector<std::string>> WriteApiCorpus(const std::string& out_dir);

}  // namespace tfckpt::conformance

#endif  // TFCKPT_CONFORMANCE_ORACLE_API_CORPUS_H_
