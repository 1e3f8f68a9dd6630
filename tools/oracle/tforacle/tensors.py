"""Exact JSON encoding of tensor values.

A tensor record (see golden/README.md, "tensor record") looks like::

    {"name": "v1", "dtype": "DT_FLOAT", "shape": [1, 2], "num_elements": 2,
     "encoding": "float",
     "values": [0.1234000027179718, -1.5],          # flat, row-major
     "raw_size": 8, "raw_sha256": "...", "raw_hex": "..."}

Encodings of ``values`` (always a flat row-major list; [] for 0 elements):

  float    DT_HALF/DT_BFLOAT16/DT_FLOAT/DT_DOUBLE: JSON numbers written with
           Python's repr of the value widened to float64 -- the shortest
           decimal that round-trips the double exactly, so strtod() then a
           cast to the narrower type gives back the exact value.  Non-finite
           values are the strings "nan", "inf", "-inf" (NaN payload/sign is
           only in raw_hex).
  int      all integer and quantized types: exact JSON integers (parse as
           int64/uint64, not as double).
  bool     JSON true/false.
  complex  DT_COMPLEX64/128: [re, im] pairs, each encoded as for "float".
  bytes    DT_STRING: each element as lowercase hex of its bytes.

raw_*: for fixed-size types the little-endian bytes of the tensor in
row-major order (what TF stores in a V2 data file): raw_size in bytes,
raw_sha256 always, raw_hex when the tensor has at most LARGE_THRESHOLD
elements.  For DT_STRING: raw_size is the total number of bytes of all
elements, raw_sha256 is the sha256 of the concatenation, for each element,
of its length as uint64 little-endian followed by its bytes.

Tensors with more than LARGE_THRESHOLD elements have no ``values`` and no
``raw_hex`` (only raw_size/raw_sha256) -- "encoding" is still given.

This is the one Python codec of tensor records (C++: src/tensor/
tensor_record.h): encode() writes them (the golden generators; with
values=False the oracle tier and the TensorFlow testees, for every dtype TF
returns, float8/int4 included), same_value() compares a decoded value with
one (src/cli/golden_check.py, standard library only: numpy is imported only
by encode()).
"""
import hashlib
import math
import struct

LARGE_THRESHOLD = 4096

# TF DataType enum name -> (numpy dtype used for the raw bytes, encoding)
_FLOAT = {"DT_HALF": "<f2", "DT_FLOAT": "<f4", "DT_DOUBLE": "<f8"}
_INT = {
    "DT_INT8": "<i1", "DT_INT16": "<i2", "DT_INT32": "<i4", "DT_INT64": "<i8",
    "DT_UINT8": "<u1", "DT_UINT16": "<u2", "DT_UINT32": "<u4", "DT_UINT64": "<u8",
    "DT_QINT8": "<i1", "DT_QUINT8": "<u1", "DT_QINT16": "<i2",
    "DT_QUINT16": "<u2", "DT_QINT32": "<i4",
}
_COMPLEX = {"DT_COMPLEX64": "<c8", "DT_COMPLEX128": "<c16"}


def float_json(x):
    """A float as an exact JSON value (repr-exact number or nan/inf string)."""
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def dtype_name(dtype):
    """TF DataType enum name ("DT_FLOAT") of a tf.DType or enum int."""
    from tensorflow.core.framework import types_pb2
    enum = getattr(dtype, "as_datatype_enum", dtype)
    return types_pb2.DataType.Name(int(enum))


def _plain_array(arr, dt):
    """Return arr as a plain numpy array of the given little-endian dtype."""
    import numpy as np
    arr = np.asarray(arr)
    if arr.dtype.names:  # TF's quantized numpy types are structured dtypes
        arr = arr[arr.dtype.names[0]]
    return np.ascontiguousarray(arr).astype(np.dtype(dt), copy=False)


def _bf16_bits(arr):
    import numpy as np
    arr = np.asarray(arr)
    return np.ascontiguousarray(arr).view(np.uint16).astype("<u2")


def _string_elements(value, strict):
    """Elements of a string tensor as bytes, and its shape.

    strict: refuse numpy 'S' arrays (numpy drops their trailing NULs, so
    they cannot be what TF returned) and elements that are not bytes/str.
    """
    import numpy as np
    if isinstance(value, (bytes, str)):
        value = np.array(value, dtype=object)
    arr = np.asarray(value)
    if strict and arr.dtype.kind == "S":
        raise TypeError("string tensor came back as numpy %s (NUL-stripping)" % arr.dtype)
    flat = []
    for e in arr.reshape(-1).tolist():
        if isinstance(e, str) or not strict:
            e = e if isinstance(e, bytes) else str(e).encode("utf-8")
        if not isinstance(e, bytes):
            raise TypeError("string element of type %s" % type(e).__name__)
        flat.append(e)
    return flat, [int(d) for d in arr.shape]


def encode(name, dtype, value, large_threshold=LARGE_THRESHOLD, values=True):
    """Tensor record for a numpy value with TF dtype (tf.DType/enum/name).

    values=False: the record without "encoding"/"values" for fixed-size
    dtypes (compared by raw bytes), built from the array's own bytes, so any
    dtype TF hands back works (float8, int4 via ml_dtypes); strings must be
    exactly what TF returned (no numpy 'S' arrays).
    """
    import numpy as np
    dname = dtype if isinstance(dtype, str) else dtype_name(dtype)
    if dname == "DT_STRING":
        flat, shape = _string_elements(value, strict=not values)
    else:
        arr = np.asarray(value)  # keeps 0-d scalars 0-d
        shape = [int(d) for d in arr.shape]
    n = int(np.prod(shape)) if shape else 1
    rec = {"name": name, "dtype": dname, "shape": shape, "num_elements": n}
    small = n <= large_threshold

    if dname == "DT_STRING":
        rec["encoding"] = "bytes"
        h = hashlib.sha256()
        total = 0
        for e in flat:
            h.update(len(e).to_bytes(8, "little"))
            h.update(e)
            total += len(e)
        if small:
            rec["values"] = [e.hex() for e in flat]
        rec["raw_size"] = total
        rec["raw_sha256"] = h.hexdigest()
        return rec

    if not values:
        if arr.dtype.byteorder == ">":
            arr = arr.astype(arr.dtype.newbyteorder("<"))
        return _with_raw(rec, arr.tobytes(order="C"), small)
    if dname == "DT_BFLOAT16":
        raw = _bf16_bits(arr).tobytes()
        rec["encoding"] = "float"
        if small:
            rec["values"] = [float_json(x) for x in np.asarray(arr).astype(np.float64).reshape(-1)]
    elif dname in _FLOAT:
        plain = _plain_array(arr, _FLOAT[dname])
        raw = plain.tobytes()
        rec["encoding"] = "float"
        if small:
            rec["values"] = [float_json(x) for x in plain.astype(np.float64).reshape(-1)]
    elif dname in _INT:
        plain = _plain_array(arr, _INT[dname])
        raw = plain.tobytes()
        rec["encoding"] = "int"
        if small:
            rec["values"] = [int(x) for x in plain.reshape(-1)]
    elif dname == "DT_BOOL":
        plain = _plain_array(arr, np.bool_)
        raw = plain.astype(np.uint8).tobytes()
        rec["encoding"] = "bool"
        if small:
            rec["values"] = [bool(x) for x in plain.reshape(-1)]
    elif dname in _COMPLEX:
        plain = _plain_array(arr, _COMPLEX[dname])
        raw = plain.tobytes()
        rec["encoding"] = "complex"
        if small:
            rec["values"] = [[float_json(x.real), float_json(x.imag)] for x in plain.reshape(-1)]
    else:
        raise ValueError("tforacle.tensors.encode: unsupported dtype %s for %s" % (dname, name))

    return _with_raw(rec, raw, small)


def _with_raw(rec, raw, small):
    rec["raw_size"] = len(raw)
    rec["raw_sha256"] = hashlib.sha256(raw).hexdigest()
    if small:
        rec["raw_hex"] = raw.hex()
    return rec


FLOAT32 = {"DT_FLOAT", "DT_HALF", "DT_BFLOAT16", "DT_COMPLEX64"}


def same_float(got, want, dtype):
    """got (a decoded JSON float) is exactly want: float32 bit patterns for
    DT_FLOAT/HALF/BFLOAT16/COMPLEX64 parts, float64 otherwise; "nan", "inf",
    "-inf" as strings; a JSON integer ("1", not "1.0") is not a float."""
    if isinstance(want, str) or isinstance(got, str):
        return got == want
    if not isinstance(got, float):  # "1.0", never "1": keeps -0.0 in JSON
        return False
    fmt = "<f" if dtype in FLOAT32 else "<d"
    return struct.pack(fmt, float(got)) == struct.pack(fmt, float(want))


def same_value(got, want, encoding, dtype):
    """One decoded element `got` (tfckpt's JSON: a number, [re, im], a UTF-8
    string or {"hex": ...} for other bytes) against a record's element."""
    if encoding == "float":
        return same_float(got, want, dtype)
    if encoding == "complex":
        return (isinstance(got, list) and len(got) == 2 and
                all(same_float(g, w, dtype) for g, w in zip(got, want)))
    if encoding == "bytes":
        raw = bytes.fromhex(got["hex"]) if isinstance(got, dict) else got.encode("utf-8")
        if isinstance(got, dict):  # hex only for bytes that are not UTF-8
            try:
                raw.decode("utf-8")
                return False
            except UnicodeDecodeError:
                pass
        return raw.hex() == want
    if encoding in ("int", "bool"):
        return type(got) is type(want) and got == want
    raise ValueError("unknown encoding " + encoding)


def encode_tf(name, tensor_value, tf_dtype):
    """Convenience: encode the numpy result of session.run / .numpy()."""
    return encode(name, tf_dtype, tensor_value)
