// The oracle tier's tfckpt-written corpus: one checkpoint per case, written
// with tfckpt's writers into <out_dir>, and <out_dir>/expected.json
// describing what TensorFlow must read back (conformance/oracle/README.md).
// `write_corpus <out_dir>` is the command-line front end.
//
// expected.json (paths relative to <out_dir>):
//   {"schema_version": 1, "writer": "tfckpt write_corpus",
//    "cases": [{
//      "name": "dtypes", "kind": "v2" | "v1" | "state", "description": "...",
//      "prefix": "dtypes/ckpt",               // v2 / v1 (v1: the file name)
//      "options": {...},                      // how it was written
//      "index_snappy": true,                  // v2: index must hold snappy blocks
//      "endianness": "LITTLE" | "BIG", "num_shards": 1,
//      "tensors": [<tensor record>],          // every key, full tensors
//      "restores": [{"key", "shape_and_slice", "expected": <tensor record>}],
//      "tf_refuses": [{"label", "error", "why"}],  // v2, optional: checks TF
//                                             // 2.21 must refuse (error regex)
//      "v1_refused": [{"dtype", "error"}],    // v1: dtypes the writer refuses
//      // state only:
//      "dir": "state_absolute", "save_relative_paths": false,
//      "update": {"model_checkpoint_path", "all_model_checkpoint_paths",
//                 "all_model_checkpoint_timestamps", "last_preserved_timestamp"},
//      "expect": {"model_checkpoint_path", "all_model_checkpoint_paths", ...}}]}
// Tensor records follow golden/MANIFEST.json (tensor_record.h).
#ifndef TFCKPT_CONFORMANCE_ORACLE_CORPUS_H_
#define TFCKPT_CONFORMANCE_ORACLE_CORPUS_H_

#include <cstddef>
#include <string>

#include "src/io/status.h"

namespace tfckpt::conformance {

// Writes every case and expected.json into `out_dir` (created; made
// absolute with realpath, which the state cases' paths depend on).
// Returns the number of cases.
StatusOr<size_t> WriteCorpus(const std::string& out_dir);

}  // namespace tfckpt::conformance

#endif  // TFCKPT_CONFORMANCE_ORACLE_CORPUS_H_
