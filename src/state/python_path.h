// Python's posixpath functions, byte for byte, as TensorFlow's
// checkpoint_management.py uses them on checkpoint paths: os.path.join,
// isabs, normpath, abspath, relpath, dirname.
//
// TF rewrites the paths it stores in the `checkpoint` state file with these
// (relpath against the save directory on write, join onto the directory on
// read), so matching their exact results -- "./x" kept by join, ".." added
// by relpath, a trailing "/" kept by join(dir, "") -- is what makes our state
// files identical to TF's.
//
// Contracts:
//  - Paths are bytes; only '/' is a separator (posixpath, never ntpath).
//  - Functions that Python evaluates against os.getcwd() take `cwd`
//    explicitly; CurrentDir() supplies the process's, as Python would.
#ifndef TFCKPT_STATE_PYTHON_PATH_H_
#define TFCKPT_STATE_PYTHON_PATH_H_

#include <string>
#include <string_view>

#include "src/io/status.h"

namespace tfckpt::state {

// os.path.isabs: starts with '/'.
bool PyIsAbs(std::string_view path);

// os.path.join(a, b): b if b is absolute; a + b if a is empty or ends in
// '/'; else a + "/" + b. (So join("d", "") == "d/", unlike io::JoinPath.)
std::string PyJoin(std::string_view a, std::string_view b);

// os.path.dirname: everything before the last '/', with trailing slashes
// removed unless the head is all slashes ("/" stays "/", "a" -> "").
std::string PyDirname(std::string_view path);

// os.path.normpath: collapses "//", "." and "a/.."; keeps leading ".." of a
// relative path; keeps exactly two leading slashes ("//x"), maps three or
// more to one; "" -> ".".
std::string PyNormPath(std::string_view path);

// os.path.abspath with an explicit working directory (which should be
// absolute): normpath(join(cwd, path)).
std::string PyAbsPath(std::string_view path, std::string_view cwd);

// os.path.relpath(path, start) with an explicit working directory: the
// path from abspath(start) to abspath(path) ("." when equal). Python raises
// ValueError("no path specified") for an empty `path`; we return
// InvalidArgument with that text. An empty `start` means the cwd.
StatusOr<std::string> PyRelPath(std::string_view path, std::string_view start,
                                std::string_view cwd);

// os.getcwd(), or "/" if the working directory is unavailable (deleted).
std::string CurrentDir();

}  // namespace tfckpt::state

#endif  // TFCKPT_STATE_PYTHON_PATH_H_
