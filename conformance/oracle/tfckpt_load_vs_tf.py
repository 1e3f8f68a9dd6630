"""tfckpt.load (the Python package, python/) against TensorFlow itself.

    python tfckpt_load_vs_tf.py GOLDEN_DIR

For every checkpoint of GOLDEN_DIR/MANIFEST.json (TF-written and
tfckpt-written goldens), tfckpt.load(prefix) must equal
tf.train.load_checkpoint(prefix): the same names, and for each tensor the
same dtype (tfckpt.open's name, TF's tensor dtype), shape and values element
for element -- compared as raw bytes (NaN payloads and -0.0 included;
bfloat16 / float8 / quantized as their storage bits; strings as bytes).
Where TF's reader refuses a tensor (V1 partitioned tensors, some V1
dtypes), the value comes from RestoreV2 as Saver.restore reads it
(tforacle.checkpoint._restore_v2, as tf_reads_goldens.py does); a tensor
neither reads is reported, not compared. One "@@" line per checkpoint (run.sh's table); exit 1 on any
difference.
"""
import json
import os
import sys

import numpy as np

from oracle_common import dtype_name, result
from tforacle.checkpoint import _restore_v2
from tforacle.env import import_tf


def storage_bytes(value):
    arr = np.asarray(value)
    if arr.dtype.byteorder == ">":
        arr = arr.astype(arr.dtype.newbyteorder("<"))
    return arr.tobytes()


def strings(value):
    arr = np.asarray(value, dtype=object)
    return [e if isinstance(e, bytes) else str(e).encode("utf-8") for e in arr.reshape(-1)]


def compare(tf, tfckpt, prefix):
    """(ok, detail) for one checkpoint."""
    mine = tfckpt.load(prefix)
    opened = tfckpt.open(prefix)
    reader = tf.train.load_checkpoint(prefix)
    theirs = reader.get_variable_to_dtype_map()
    if sorted(mine) != sorted(theirs):
        return False, "names differ: only tfckpt %s, only TF %s" % (
            sorted(set(mine) - set(theirs))[:3], sorted(set(theirs) - set(mine))[:3])
    refused = via_restore = 0
    for name in sorted(mine):
        try:
            value = reader.get_tensor(name)
        except Exception:  # noqa: BLE001  (TF's V1 reader refuses some tensors)
            value = _restore_v2(prefix, name, theirs[name])
            if value is None:
                refused += 1
                continue
            via_restore += 1
        want_dtype = dtype_name(theirs[name])[3:].lower()  # DT_HALF -> half
        if opened.dtypes[name] != want_dtype:
            return False, "%s: dtype %s, TF %s" % (name[:60], opened.dtypes[name], want_dtype)
        got = mine[name]
        if tuple(got.shape) != tuple(np.shape(value)):
            return False, "%s: shape %s, TF %s" % (name[:60], got.shape, np.shape(value))
        if opened.dtypes[name] in tfckpt._dtypes.NATIVE and got.dtype != np.asarray(value).dtype:
            return False, "%s: numpy dtype %s, TF %s" % (name[:60], got.dtype, np.asarray(value).dtype)
        if opened.dtypes[name] == "string":
            same = strings(got) == strings(value)
        else:
            same = storage_bytes(got) == storage_bytes(value)
        if not same:
            return False, "%s: values differ" % name[:60]
    detail = "%d tensors equal" % (len(mine) - refused)
    if via_restore:
        detail += " (%d read by TF through RestoreV2)" % via_restore
    if refused:
        detail += ", %d that TF refuses to read (read by tfckpt)" % refused
    return True, detail


def main():
    golden = sys.argv[1]
    tf = import_tf()
    import tfckpt  # noqa: WPS433  (PYTHONPATH: the freshly built package)
    manifest = json.load(open(os.path.join(golden, "MANIFEST.json")))
    failures = 0
    for s in manifest["scenarios"]:
        for c in s.get("checkpoints", []):
            prefix = os.path.join(golden, manifest.get("golden_dir", "tf-2.21"), s["dir"], c["prefix"])
            try:
                ok, detail = compare(tf, tfckpt, prefix)
            except Exception as e:  # noqa: BLE001
                ok, detail = False, "%s: %s" % (type(e).__name__, e)
            failures += not ok
            result("tfckpt.load=tf", "%s/%s" % (s["name"], c["prefix"]), ok, detail)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
