// What a PATH given to tfckpt means: the one resolver behind every command
// (inspect, dump, diff, convert, show, run, freeze), the validator and the
// conformance reader. docs/CLI.md "Paths" has the table of accepted forms;
// this header is the contract it documents.
//
// Resolve(path), first rule that applies:
//  directories
//   D1 saved_model.pb / saved_model.pbtxt   -> SavedModel; checkpoint
//      <dir>/variables/variables (V2 if .index exists, else V1 if that file
//      exists, else none: never its V1 shards, which TF's loaders do not
//      restore). The one answer to where a SavedModel's variables are, for
//      the loader and the validator;
//   D2 export.meta                          -> legacy session bundle;
//      checkpoint <dir>/export (V2 or V1), else the V1 shards
//      <dir>/export-?????-of-?????;
//   D3 a `checkpoint` state file            -> its model_checkpoint_path
//      (relative paths joined onto the directory), resolved by rule C; the
//      state file is never read as a V1 checkpoint. A path naming nothing
//      is NotFound naming the state file (and, if the directory holds a
//      checkpoint of the same basename, that the state file looks stale);
//   D4 variables/variables.index            -> that V2 prefix;
//   D5 exactly one X.index                  -> V2 prefix <dir>/X (several:
//      InvalidArgument listing them);
//  files
//   F1 basename `checkpoint`                -> rule D3 on its directory;
//   F2 saved_model.pb(txt) / export.meta    -> rule D1 / D2 on its directory;
//   F3 X.index, X.data-NNNNN-of-NNNNN       -> V2 prefix X;
//   C  (a checkpoint prefix) X.index exists -> V2 prefix X; X a regular
//      file -> V1 file X; X has glob characters in its last component
//      matching a file -> V1 shard pattern X (what a sharded V1 Saver writes
//      into its state file: "model.ckpt-?????-of-00002"); X-?????-of-?????
//      matches -> that V1 shard pattern (tfckpt's convenience; TF's
//      checkpoint_exists does not probe it);
//   F4 *.meta                               -> MetaGraph; checkpoint: its
//      own prefix (X for X.meta) when rule C finds one there, else the
//      directory's `checkpoint` state file by rule D3 (a stale one is an
//      error), else none;
//   F5 *.pb / *.pbtxt                       -> GraphDef (frozen graph);
//  otherwise NotFound naming the path, what was expected, and the
//  checkpoint prefixes of its directory that start like it ("did you
//  mean").
// Rule C applies to a file before F4/F5, so a V2 prefix "model.pb" (with
// model.pb.index) is a checkpoint.
#ifndef TFCKPT_PATH_MODEL_PATH_H_
#define TFCKPT_PATH_MODEL_PATH_H_

#include <string>
#include <vector>

#include "src/io/env.h"
#include "src/io/status.h"

namespace tfckpt::path {

enum class Kind {
  kCheckpoint,     // a checkpoint alone (V2 prefix, V1 file or shards)
  kSavedModel,     // a SavedModel directory
  kSessionBundle,  // a legacy TF Serving export directory
  kMetaGraph,      // a MetaGraphDef file
  kGraphDef,       // a GraphDef file (frozen graph)
};
const char* KindName(Kind kind);  // "checkpoint", "SavedModel", ...

enum class Format { kNone, kV2, kV1 };
const char* FormatName(Format format);  // "none", "V2", "V1"

struct ResolvedPath {
  std::string given;                  // PATH as typed
  Kind kind = Kind::kCheckpoint;
  std::string model;                  // SavedModel/bundle dir, .meta or .pb; "" for kCheckpoint
  Format format = Format::kNone;      // of `checkpoint`
  std::string checkpoint;             // V2 prefix, V1 file or V1 shard pattern; "" if none
  std::string state_file;             // the `checkpoint` state file followed, if any
  std::string how;                    // how PATH led to `checkpoint`, one phrase ("" if typed)
};

struct ResolveOptions {
  // Rules D3, F1 and F4 follow the `checkpoint` state file to the checkpoint
  // it names. false: they stop at the state file (state_file set, format
  // kNone, checkpoint "", the file not read), for the validator, which
  // checks the state file itself and every path it lists.
  bool follow_state_file = true;
};

// Errors: NotFound (nothing there; the message names the path, what was
// expected and the checkpoints nearby), InvalidArgument (an empty path; a
// directory of several checkpoints), a state file's own error (D3, F1, F4),
// or the I/O error of a directory that cannot be listed.
StatusOr<ResolvedPath> Resolve(io::Env* env, const std::string& path,
                               const ResolveOptions& options = {});

// Resolve, then require a checkpoint: a model's own checkpoint (SavedModel
// variables, a .meta's checkpoint) is accepted with `how` saying so; a
// GraphDef, or a model without one, is InvalidArgument ("... not a
// checkpoint").
StatusOr<ResolvedPath> ResolveCheckpoint(io::Env* env, const std::string& path);

// Rule C alone, for a prefix read from a state file or typed: V2/V1 and the
// name to open; NotFound (empty message) when nothing is there, the I/O
// error when its directory cannot be listed to look for V1 shards.
StatusOr<ResolvedPath> ResolvePrefix(io::Env* env, const std::string& prefix);

// What the error messages list as accepted (docs/CLI.md).
std::string ExpectedForms();

}  // namespace tfckpt::path

#endif  // TFCKPT_PATH_MODEL_PATH_H_
