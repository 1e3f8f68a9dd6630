// The `checkpoint` state file: a text-format tensorflow.CheckpointState in a
// checkpoint directory naming the newest checkpoint prefix and the retained
// ones. Mirrors tensorflow/python/checkpoint/checkpoint_management.py
// (get_checkpoint_state, generate_checkpoint_state_proto,
// update_checkpoint_state_internal); the text is text_format.h's.
//
// Path rules (TF's, reproduced with python_path.h):
//  - Write: if save_dir is relative, every relative path p is stored as
//    relpath(p, save_dir); absolute paths stay absolute. With
//    save_relative_paths, absolute paths are first made relative to save_dir
//    -- and, when save_dir is itself relative, TF then applies the rule above
//    a second time, so "train" + "/cwd/train/m-1" is stored as "../m-1"
//    (which reads back as "m-1", not "train/m-1"). That is a TF bug; we keep
//    it so the bytes match, and test it.
//  - Read: relative stored paths are os.path.join'ed onto the directory as
//    given ("./m" stays "dir/./m").
//  - relpath and abspath use the process's working directory, as in Python.
#ifndef TFCKPT_STATE_CHECKPOINT_STATE_H_
#define TFCKPT_STATE_CHECKPOINT_STATE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "proto/checkpoint_state.pb.h"
#include "src/io/env.h"
#include "src/io/status.h"
#include "src/state/text_format.h"

namespace tfckpt::state {

using tensorflow::CheckpointState;

inline constexpr char kDefaultLatestFilename[] = "checkpoint";

// Larger state files are refused (TF has no limit; a real one is a few
// hundred bytes per retained checkpoint).
inline constexpr uint64_t kMaxStateFileBytes = 64ull << 20;

// _GetCheckpointFilename: os.path.join(dir, latest_filename).
std::string CheckpointStatePath(const std::string& dir,
                                const std::string& latest_filename =
                                    kDefaultLatestFilename);

// Reads <dir>/<latest_filename>.
//  - no such file: nullopt.
//  - unreadable (a directory, I/O error), larger than kMaxStateFileBytes,
//    not UTF-8, or unparseable: an error naming the file (parse errors add
//    the parser's line:column message). TF returns None and logs instead --
//    see GetCheckpointStateOrNone.
//  - empty model_checkpoint_path (including an empty file): InvalidArgument
//    "Invalid checkpoint state loaded from <dir>" (TF's ValueError).
//  - otherwise the state with relative paths joined onto `dir`.
StatusOr<std::optional<CheckpointState>> GetCheckpointState(
    io::Env* env, const std::string& dir,
    const std::string& latest_filename = kDefaultLatestFilename);

// TF's exact get_checkpoint_state contract: unreadable or unparseable files
// give nullopt, with TF's two log lines ("<Type>: <message>\n<file>:
// Checkpoint ignored") stored in *warning if non-null. Errors remain errors
// where TF raises: empty model_checkpoint_path (ValueError) and a file that
// is not UTF-8 (UnicodeDecodeError from read_file_to_string).
StatusOr<std::optional<CheckpointState>> GetCheckpointStateOrNone(
    io::Env* env, const std::string& dir,
    const std::string& latest_filename = kDefaultLatestFilename,
    std::string* warning = nullptr);

// generate_checkpoint_state_proto: appends model_checkpoint_path to the
// list unless it is already the last element, checks that timestamps (if
// any) match the paths in number (InvalidArgument with TF's ValueError
// text), and applies the relative-save_dir rewrite. An empty relative path
// that needs rewriting is InvalidArgument "no path specified" (relpath's
// ValueError). last_preserved_timestamp nullopt leaves the field unset.
// `cwd` stands in for os.getcwd() in relpath (empty: the process's).
StatusOr<CheckpointState> GenerateCheckpointState(
    const std::string& save_dir, const std::string& model_checkpoint_path,
    std::vector<std::string> all_model_checkpoint_paths = {},
    const std::vector<double>& all_model_checkpoint_timestamps = {},
    std::optional<double> last_preserved_timestamp = std::nullopt,
    const std::string& cwd = "");

// update_checkpoint_state_internal: builds the state (above; with
// save_relative_paths absolute paths are first made relative to save_dir)
// and writes it atomically (temp file + fsync + rename) to
// <save_dir>/<latest_filename>. Rejected before anything is written:
//  - latest_filename empty or containing '/' (InvalidArgument "'latest_filename'
//    must not contain path components", Saver.save's check);
//  - a path that is not valid UTF-8 (TF cannot encode it either);
//  - the stored model path equal to the state file path: InvalidArgument
//    "Save path '<p>' conflicts with path used for checkpoint state.  Please
//    use a different save path." (TF's RuntimeError text; TF compares the
//    stored string, we also compare it as it would be read back, i.e. joined
//    onto save_dir and normalised, which additionally catches the relative
//    forms TF lets through).
// On error the previous state file is untouched.
Status UpdateCheckpointState(
    io::Env* env, const std::string& save_dir,
    const std::string& model_checkpoint_path,
    const std::vector<std::string>& all_model_checkpoint_paths = {},
    const std::vector<double>& all_model_checkpoint_timestamps = {},
    std::optional<double> last_preserved_timestamp = std::nullopt,
    bool save_relative_paths = false,
    const std::string& latest_filename = kDefaultLatestFilename,
    const TextFormatOptions& text_options = {});

// The same operation with named arguments, split into rendering (what
// would be written, and where) and writing. `cwd` stands in for Python's
// os.getcwd() in relpath (empty: the process's working directory).
struct StateUpdate {
  std::string save_dir;
  std::string model_checkpoint_path;
  std::vector<std::string> all_model_checkpoint_paths;
  std::vector<double> all_model_checkpoint_timestamps;
  std::optional<double> last_preserved_timestamp;
  bool save_relative_paths = false;
  std::string latest_filename = kDefaultLatestFilename;
  TextFormatOptions text_options;
  std::string cwd;
};
struct StateFileContents {
  std::string path;  // os.path.join(save_dir, latest_filename)
  std::string text;
};
StatusOr<StateFileContents> RenderCheckpointStateUpdate(
    const StateUpdate& update);
Status WriteCheckpointStateUpdate(io::Env* env, const StateUpdate& update);

}  // namespace tfckpt::state

#endif  // TFCKPT_STATE_CHECKPOINT_STATE_H_
