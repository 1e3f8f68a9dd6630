"""What a PATH means, as tfckpt's one resolver says (src/path/model_path.h,
docs/CLI.md "Paths"), for the oracle's scripts.

  resolve(path, tfckpt=None)  the answer of `tfckpt resolve --json PATH`:
      {"path", "kind", "model", "format", "checkpoint", "state_file", "how"}
      (None where none); ResolveError(code, message) when tfckpt refuses it.
      `tfckpt` is the binary (default: $TFCKPT, else `tfckpt` on PATH).
  resolve_prefix(prefix)      rule C alone, in Python, for the generators
      that run without a tfckpt binary: {"format": "V2"|"V1", "checkpoint"}
      or FileNotFoundError. The same rule as path::ResolvePrefix, held equal
      to `tfckpt resolve` form by form by conformance/resolve_agree_test.sh.
Standard library only (no TensorFlow, no numpy)."""
import glob
import json
import os
import subprocess

SHARD_GLOB = "-?????-of-?????"
PARKED_SUFFIX = ".tfckpt-old"  # bundle::ParkedName: an index parked by a save


class ResolveError(Exception):
    def __init__(self, code, message):
        super().__init__("%s: %s" % (code, message))
        self.code = code
        self.message = message


def resolve(path, tfckpt=None):
    tfckpt = tfckpt or os.environ.get("TFCKPT") or "tfckpt"
    p = subprocess.run([tfckpt, "resolve", "--json", path], capture_output=True)
    try:
        out = json.loads(p.stdout.decode("utf-8"))
    except ValueError:
        raise RuntimeError("%s resolve --json %s: exit %d, no JSON: %s" % (
            tfckpt, path, p.returncode, p.stderr.decode("utf-8", "replace")))
    if "error" in out:
        raise ResolveError(out["error"]["code"], out["error"]["message"])
    return out


def _glob_matches(pattern):
    return bool(glob.glob(pattern))


def resolve_prefix(prefix):
    if not prefix:
        raise FileNotFoundError("empty checkpoint prefix")
    if os.path.exists(prefix + ".index") or os.path.exists(prefix + ".index" + PARKED_SUFFIX):
        return {"format": "V2", "checkpoint": prefix}
    if os.path.isfile(prefix):
        return {"format": "V1", "checkpoint": prefix}
    if glob.has_magic(os.path.basename(prefix)) and _glob_matches(prefix):
        return {"format": "V1", "checkpoint": prefix}
    if not os.path.isdir(prefix) and _glob_matches(glob.escape(prefix) + SHARD_GLOB):
        return {"format": "V1", "checkpoint": prefix + SHARD_GLOB}
    raise FileNotFoundError("no checkpoint at prefix %r" % prefix)
