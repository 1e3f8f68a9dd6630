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

// checkpoint_exists_internal: Glob(prefix + ".index") or Glob(prefix) is
// non-empty. Errors only if listing the directory fails.
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
