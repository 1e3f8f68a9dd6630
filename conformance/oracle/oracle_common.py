"""Shared by tf_reads_tfckpt.py and tf_writes_random.py: tensor records in
golden/MANIFEST.json's conventions computed from what TensorFlow returns,
and the "@@" result lines run.sh turns into its PASS/FAIL table.

Records come from the one Python record codec, tforacle.tensors.encode with
values=False (from the raw numpy bytes, so every dtype TF hands back works,
including float8/int4 via ml_dtypes)."""
import os
import sys

# tools/oracle on the path wherever this module is imported from (the
# oracle scripts, the TensorFlow testees under any venv).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "tools", "oracle"))
from tforacle import tensors  # noqa: E402

LARGE_THRESHOLD = tensors.LARGE_THRESHOLD
dtype_name = tensors.dtype_name


def tf_dtype(name):
    """tf.DType from an enum name."""
    import tensorflow as tf
    from tensorflow.core.framework import types_pb2
    return tf.dtypes.as_dtype(types_pb2.DataType.Value(name))


def record(name, dtype, value):
    """The tensor record of a value TF returned (numpy array/scalar/bytes)."""
    return tensors.encode(name, dtype, value, values=False)


def diff(got, expected):
    """'' if the records agree, else the first difference."""
    for field in ("dtype", "shape", "raw_size", "raw_sha256"):
        if got.get(field) != expected.get(field):
            return "%s: got %s, expected %s" % (field, _short(got.get(field)),
                                               _short(expected.get(field)))
    for field in ("raw_hex", "values"):
        if field in got and field in expected and got[field] != expected[field]:
            return "%s differs" % field
    return ""


def _short(v):
    s = repr(v)
    return s if len(s) < 80 else s[:77] + "..."


def result(direction, case, ok, detail):
    """One machine-readable result line for run.sh (and a human one)."""
    status = "PASS" if ok else "FAIL"
    detail = " ".join(str(detail).split())
    print("@@\t%s\t%s\t%s\t%s" % (direction, case, status, detail))
    sys.stdout.flush()
