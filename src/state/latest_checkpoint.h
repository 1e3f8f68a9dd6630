// Finding the newest checkpoint of a directory and naming checkpoint files,
// as tensorflow/python/checkpoint/checkpoint_management.py (latest_checkpoint,
// checkpoint_exists_internal, meta_graph_filename) and Saver.save do.
//
// Existence is TF's glob test: a prefix is a checkpoint if `<prefix>.index`
// (V2) or `<prefix>` itself (V1; a sharded V1 prefix already ends in the
// glob `-?????-of-NNNNN`, so it matches its shards) matches at least one
// path. Like io::Env::Glob, wildcards are honoured in the last path
// component only. We do not add a `<prefix>-?????-of-?????` probe: TF does
// not, and a prefix TF would reject must not be reported as a checkpoint.
#ifndef TFCKPT_STATE_LATEST_CHECKPOINT_H_
#define TFCKPT_STATE_LATEST_CHECKPOINT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "src/io/env.h"
#include "src/io/status.h"
#include "src/state/checkpoint_state.h"

namespace tfckpt::state {

// The name a tfckpt save parks `<prefix>.index` under while it replaces the
// checkpoint (docs/spec/bundle.md BUNDLE-2.6; bundle::ParkedName, which
// bundle_test checks against this).
inline constexpr char kParkedIndexSuffix[] = ".index.tfckpt-old";

// checkpoint_exists_internal: Glob(prefix + ".index") or Glob(prefix) is
// non-empty. Errors only if listing the directory fails.
//
// Beyond TF: a V2 checkpoint being replaced by a tfckpt save (or whose
// replacement was interrupted) exists too, as BundleReader reads it
// (BUNDLE-2.7): `<prefix>.index` is missing while the save has parked it as
// `<prefix>.index.tfckpt-old`. At every instant one of the two names holds
// an index (parking and publishing are renames), but two lookups happen at
// two instants, so the lookups alternate, a bounded number of rounds (a
// round that finds neither needs two saves to have run meanwhile).
StatusOr<bool> CheckpointExists(io::Env* env, const std::string& prefix);

// latest_checkpoint: the state file's model_checkpoint_path (joined onto
// `dir` if relative) when CheckpointExists says so; nullopt when there is no
// state file or the checkpoint is gone -- then, if non-null, *warning gets
// TF's log line "Couldn't match files for checkpoint <p>". State files that
// cannot be read or parsed are errors (GetCheckpointState's contract; TF
// would log and return None).
StatusOr<std::optional<std::string>> LatestCheckpoint(
    io::Env* env, const std::string& dir,
    const std::string& latest_filename = kDefaultLatestFilename,
    std::string* warning = nullptr);

// meta_graph_filename: removes a trailing shard suffix matching the Python
// regex `-[\d\?]+-of-\d+$` ("-?????-of-00002", "-00001-of-00002"; `$` also
// matches before a final "\n", as in Python; ASCII digits only), then
// appends "." + suffix.
std::string MetaGraphFilename(std::string_view checkpoint_prefix,
                              std::string_view meta_graph_suffix = "meta");

// Saver.save's checkpoint_file for a global step: "<prefix>-<step>", or with
// pad_step_number "<prefix>-<step as %08d>" (so -5 -> "-0000005").
std::string CheckpointFilenameWithStep(std::string_view prefix, int64_t step,
                                       bool pad_step_number = false);

}  // namespace tfckpt::state

#endif  // TFCKPT_STATE_LATEST_CHECKPOINT_H_
