// The validator behind `tfckpt validate`: finds every defect in a
// checkpoint, not just the first, using the same parsing code as the
// readers (table, bundle, slices, state). It never trusts a length from
// the file before checking it against the file's size, so hostile input
// can neither crash it nor make it allocate more than the file justifies.
//
// Accepted paths: every form of path::Resolve (src/path/model_path.h,
// docs/CLI.md "Paths"), dispatched on its answer, so `validate` and every
// other command agree on what PATH names:
//  - a checkpoint: a V2 prefix (its .index or a .data-* file; a directory
//    of one prefix), a V1 TensorSlice file or shard pattern (a V1 file
//    reports its first structural defect: its reader stops there);
//  - a `checkpoint` state file, or its directory: the file and every
//    checkpoint it lists (stale or unresolvable paths are defects);
//  - a SavedModel directory (saved_model.pb or .pbtxt + variables/), a
//    session bundle, a .meta (with the checkpoint `run` would restore) or a
//    GraphDef .pb/.pbtxt: the model-level checks of model_check.h (graphs,
//    signatures, assets, the Saver's keys against the checkpoint) and the
//    checkpoint itself.
// A path the resolver refuses is one NOT_FOUND defect carrying its message
// (IO_ERROR when a directory cannot be listed).
//
// A read that fails (I/O error, file shrunk or vanished meanwhile) is an
// IO_ERROR defect: the validator never vouches for bytes it did not read.
// Cost is bounded by the bytes on disk: a file lists at most
// max_defects_per_file defects (the rest are counted in Report::suppressed),
// and shard counts are checked against the files that exist before any
// per-shard work, so a 151-byte index claiming 2^20 shards costs one
// directory listing, not a million opens.
#ifndef TFCKPT_CHECK_VALIDATOR_H_
#define TFCKPT_CHECK_VALIDATOR_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "src/check/defect.h"
#include "src/io/env.h"

namespace tfckpt::check {

struct ValidateOptions {
  // Verify tensor checksums (the expensive part: reads every data byte).
  bool verify_data = true;
  // Threads that verify tensor bytes: 0 picks (2 when the machine has two
  // CPUs or more and the bundle holds at least 64 MiB of tensor data, else
  // 1). The report is the same, in the same order, for every count.
  int threads = 0;
  // Called on the calling thread after each tensor it checks, with (bytes
  // checked so far by all threads, total data bytes).
  std::function<void(uint64_t done, uint64_t total)> progress;
  // Defects listed per file; later ones are only counted (0: no limit).
  size_t max_defects_per_file = 100;
};

// Defects of one file beyond ValidateOptions::max_defects_per_file.
struct Suppressed {
  uint64_t errors = 0;
  uint64_t warnings = 0;
};

struct Report {
  std::string path;                 // as given
  std::string kind;                 // "v2", "v1", "state_dir", "saved_model", "meta_graph",
                                    // "graph_def", "unknown"
  std::vector<std::string> notes;   // e.g. "validated prefix /x/model.ckpt"
  std::vector<std::string> files;   // every file examined
  std::vector<Defect> defects;     // at most max_defects_per_file per file
  std::map<std::string, Suppressed> suppressed;  // by file: defects not listed
  uint64_t tensors_checked = 0;
  uint64_t bytes_checked = 0;       // data bytes whose CRC was verified
  size_t max_defects_per_file = 0;  // copied from the options (0: no limit)

  bool ok() const;                  // no defect that is an error, listed or not
  // Lists `d`, or counts it in `suppressed` when its file has its share.
  void Add(Defect d);
  uint64_t errors() const;          // listed and suppressed
  uint64_t warnings() const;

 private:
  std::map<std::string, size_t> listed_;  // defects listed per file
};

Report Validate(io::Env* env, const std::string& path, const ValidateOptions& options = {});

}  // namespace tfckpt::check

#endif  // TFCKPT_CHECK_VALIDATOR_H_
