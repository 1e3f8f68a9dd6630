"""Shared by tf_reads_tfckpt.py and tf_writes_random.py: tensor records in
golden/MANIFEST.json's conventions computed from what TensorFlow returns,
and the "@@" result lines run.sh turns into its PASS/FAIL table.

Records are computed from the raw numpy bytes (not tforacle.tensors.encode)
so that every dtype TF hands back works, including float8/int4 (ml_dtypes)."""
import hashlib
import sys

import numpy as np

LARGE_THRESHOLD = 4096


def dtype_name(dtype):
    """DataType enum name ("DT_FLOAT") of a tf.DType or enum value."""
    from tensorflow.core.framework import types_pb2
    enum = getattr(dtype, "as_datatype_enum", dtype)
    return types_pb2.DataType.Name(int(enum))


def tf_dtype(name):
    """tf.DType from an enum name."""
    import tensorflow as tf
    from tensorflow.core.framework import types_pb2
    return tf.dtypes.as_dtype(types_pb2.DataType.Value(name))


def _string_elements(value):
    """Elements of a string tensor as bytes, refusing lossy numpy 'S' arrays."""
    if isinstance(value, bytes):
        return [value], []
    arr = np.asarray(value)
    if arr.dtype.kind == "S":
        raise TypeError("string tensor came back as numpy %s (NUL-stripping)" % arr.dtype)
    flat = []
    for e in arr.reshape(-1).tolist():
        if isinstance(e, str):
            e = e.encode("utf-8")
        if not isinstance(e, bytes):
            raise TypeError("string element of type %s" % type(e).__name__)
        flat.append(e)
    return flat, list(arr.shape)


def record(name, dtype, value):
    """The tensor record of a value TF returned (numpy array/scalar/bytes)."""
    dname = dtype if isinstance(dtype, str) else dtype_name(dtype)
    rec = {"name": name, "dtype": dname}
    if dname == "DT_STRING":
        flat, shape = _string_elements(value)
        n = len(flat)
        h = hashlib.sha256()
        for e in flat:
            h.update(len(e).to_bytes(8, "little"))
            h.update(e)
        rec.update({"shape": shape, "num_elements": n, "encoding": "bytes"})
        if n <= LARGE_THRESHOLD:
            rec["values"] = [e.hex() for e in flat]
        rec["raw_size"] = sum(len(e) for e in flat)
        rec["raw_sha256"] = h.hexdigest()
        return rec
    arr = np.asarray(value)  # keeps 0-d scalars 0-d (ascontiguousarray would not)
    if arr.dtype.byteorder == ">":
        arr = arr.astype(arr.dtype.newbyteorder("<"))
    raw = arr.tobytes(order="C")
    rec.update({"shape": [int(d) for d in arr.shape], "num_elements": int(arr.size),
                "raw_size": len(raw), "raw_sha256": hashlib.sha256(raw).hexdigest()})
    if arr.size <= LARGE_THRESHOLD:
        rec["raw_hex"] = raw.hex()
    return rec


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
