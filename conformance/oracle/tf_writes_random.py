"""TensorFlow writes fresh checkpoints with random contents for tfckpt to read
(//conformance/oracle:read_compare). Random but reproducible: numpy
RandomState(SEED); the expected values come from the numpy arrays handed to
TF, not from TF reading its own files back.

    PYTHONPATH=tools/oracle "$VENV/bin/python" conformance/oracle/tf_writes_random.py <out_dir>

Writes, under <out_dir>:
  random_v2/ckpt          tf.raw_ops.SaveV2 of every core dtype (random bits:
                          NaN payloads, denormals...), random shapes incl.
                          scalars and zero-sized ones, random strings with NUL
                          and non-UTF-8 bytes, a 60K-element float32
  random_sharded/ckpt     two SaveV2 calls (one writing slices of partitioned
                          variables) merged with tf.raw_ops.MergeV2Checkpoints
  random_v1/ckpt          tf.raw_ops.SaveSlices (V1) of what V1 stores
                          and of two slices of a partitioned variable
and for each <case>.expected.json ({"format", "tensors", "restores"}, the
read_compare input). Prints one line per case for run.sh:
  @@WROTE <tab> case <tab> prefix <tab> expected.json
or an "@@" FAIL result line when TF itself failed to write the case.
"""
import json
import os
import sys

import numpy as np
from tforacle.env import import_tf

import oracle_common as oc

tf = import_tf()

try:
    from ml_dtypes import bfloat16 as BFLOAT16
except ImportError:  # TF before 2.12 (conformance/oracle/versions.sh) has its own
    BFLOAT16 = tf.bfloat16.as_numpy_dtype

SEED = 20260521

# numpy dtype used to build random values of each core dtype (quantized
# types are made with tf.bitcast from their storage type).
NUMPY = {
    "DT_FLOAT": np.float32, "DT_DOUBLE": np.float64, "DT_HALF": np.float16,
    "DT_BFLOAT16": BFLOAT16,
    "DT_INT8": np.int8, "DT_INT16": np.int16, "DT_INT32": np.int32, "DT_INT64": np.int64,
    "DT_UINT8": np.uint8, "DT_UINT16": np.uint16, "DT_UINT32": np.uint32, "DT_UINT64": np.uint64,
    "DT_COMPLEX64": np.complex64, "DT_COMPLEX128": np.complex128,
    "DT_QINT8": np.int8, "DT_QUINT8": np.uint8, "DT_QINT16": np.int16,
    "DT_QUINT16": np.uint16, "DT_QINT32": np.int32,
}
QUANTIZED = {"DT_QINT8", "DT_QUINT8", "DT_QINT16", "DT_QUINT16", "DT_QINT32"}
# What tf.raw_ops.Save (V1) stores (TF 2.21 refuses bfloat16, uint32,
# uint64, qint16, quint16: golden/MANIFEST.json, scenario dtypes_v1).
V1_DTYPES = ["DT_FLOAT", "DT_DOUBLE", "DT_HALF", "DT_INT8", "DT_INT16", "DT_INT32", "DT_INT64",
             "DT_UINT8", "DT_UINT16", "DT_COMPLEX64", "DT_COMPLEX128", "DT_QINT8", "DT_QUINT8",
             "DT_QINT32", "DT_BOOL", "DT_STRING"]


def random_shape(rs):
    rank = rs.randint(0, 4)
    return [int(rs.choice([0, 1, 2, 3, 5])) if rs.rand() < 0.15 else int(rs.randint(1, 6))
            for _ in range(rank)]


def random_value(rs, dname, shape):
    """A numpy array of dtype dname with random contents (every bit pattern)."""
    n = int(np.prod(shape)) if shape else 1
    if dname == "DT_STRING":
        elems = []
        for i in range(n):
            b = rs.bytes(int(rs.randint(0, 40)))
            if i % 4 == 1:
                b += b"\x00"
            elems.append(b)
        return np.array(elems, dtype=object).reshape(shape)
    if dname == "DT_BOOL":
        return rs.randint(0, 2, size=shape).astype(np.bool_)
    npdt = np.dtype(NUMPY[dname])
    return np.frombuffer(rs.bytes(n * npdt.itemsize), dtype=npdt).reshape(shape).copy()


def to_tf(dname, arr):
    if dname in QUANTIZED:
        return tf.bitcast(tf.constant(arr), oc.tf_dtype(dname))
    if dname == "DT_STRING":
        return tf.constant(arr, tf.string)
    return tf.constant(arr, oc.tf_dtype(dname))


def region(arr, shape, spec):
    """numpy view of arr for a TensorSlice spec like '1,2:-'."""
    idx = []
    for d, ext in enumerate(spec.split(":")):
        if ext == "-":
            idx.append(slice(0, shape[d]))
        else:
            start, length = (int(x) for x in ext.split(","))
            idx.append(slice(start, start + length))
    return arr[tuple(idx)]


class Case:
    def __init__(self, out, name, fmt):
        self.name = name
        self.dir = os.path.join(out, name)
        os.makedirs(self.dir, exist_ok=True)
        self.prefix = os.path.join(self.dir, "ckpt")
        self.doc = {"format": fmt, "tensors": [], "restores": []}

    def expect(self, key, dname, arr):
        self.doc["tensors"].append(oc.record(key, dname, arr))

    def expect_restore(self, key, dname, arr, shape, spec):
        sub = region(arr, shape, spec)
        full_spec = " ".join(str(d) for d in shape) + " " + spec
        self.doc["restores"].append({"key": key, "shape_and_slice": full_spec,
                                     "expected": oc.record(key, dname, np.ascontiguousarray(sub))})

    def done(self):
        path = os.path.join(self.dir, "expected.json")
        with open(path, "w") as f:
            json.dump(self.doc, f, indent=1)
        print("@@WROTE\t%s\t%s\t%s" % (self.name, self.prefix, path))
        sys.stdout.flush()


def write_random_v2(out, rs):
    c = Case(out, "random_v2", "V2")
    names, tensors = [], []
    for dname in ["DT_STRING", "DT_BOOL"] + sorted(NUMPY):
        for i in range(3):
            shape = [] if i == 0 else random_shape(rs)
            arr = random_value(rs, dname, shape)
            key = "%s/%d" % (dname[3:].lower(), i)
            names.append(key)
            tensors.append(to_tf(dname, arr))
            c.expect(key, dname, arr)
    big = rs.standard_normal((240, 250)).astype(np.float32)
    names.append("large/float32")
    tensors.append(tf.constant(big))
    c.expect("large/float32", "DT_FLOAT", big)
    tf.raw_ops.SaveV2(prefix=c.prefix, tensor_names=names, shape_and_slices=[""] * len(names),
                      tensors=tensors)
    # A region of a whole (unpartitioned) tensor.
    c.expect_restore("large/float32", "DT_FLOAT", big, [240, 250], "10,20:3,200")
    c.done()


def write_random_sharded(out, rs):
    c = Case(out, "random_sharded", "V2")
    parts = os.path.join(c.dir, "parts")
    os.makedirs(parts, exist_ok=True)
    p_shape = [7, 5]
    p = random_value(rs, "DT_DOUBLE", p_shape)
    q_shape = [4, 6]
    q = random_value(rs, "DT_INT32", q_shape)
    a = random_value(rs, "DT_INT16", [3, 2])
    b = random_value(rs, "DT_STRING", [4])
    p0, p1 = os.path.join(parts, "part-0"), os.path.join(parts, "part-1")
    # Shard 0: a, p rows 0-2, q columns 0-1; shard 1: b, p rows 3-6, q columns 2-5.
    tf.raw_ops.SaveV2(prefix=p0, tensor_names=["a", "p", "q"],
                      shape_and_slices=["", "7 5 0,3:-", "4 6 -:0,2"],
                      tensors=[tf.constant(a), tf.constant(region(p, p_shape, "0,3:-")),
                               tf.constant(region(q, q_shape, "-:0,2"))])
    tf.raw_ops.SaveV2(prefix=p1, tensor_names=["b", "p", "q"],
                      shape_and_slices=["", "7 5 3,4:-", "4 6 -:2,4"],
                      tensors=[tf.constant(b, tf.string), tf.constant(region(p, p_shape, "3,4:-")),
                               tf.constant(region(q, q_shape, "-:2,4"))])
    tf.raw_ops.MergeV2Checkpoints(checkpoint_prefixes=[p0, p1], destination_prefix=c.prefix,
                                  delete_old_dirs=True)
    c.expect("a", "DT_INT16", a)
    c.expect("b", "DT_STRING", b)
    c.expect("p", "DT_DOUBLE", p)
    c.expect("q", "DT_INT32", q)
    c.expect_restore("p", "DT_DOUBLE", p, p_shape, "1,4:1,3")
    c.expect_restore("q", "DT_INT32", q, q_shape, "1,2:1,3")
    c.done()


def write_random_v1(out, rs):
    c = Case(out, "random_v1", "V1")
    names, tensors = [], []
    for dname in V1_DTYPES:
        for i in range(2):
            shape = [] if i == 0 else random_shape(rs)
            arr = random_value(rs, dname, shape)
            key = "%s/%d" % (dname[3:].lower(), i)
            names.append(key)
            tensors.append(to_tf(dname, arr))
            c.expect(key, dname, arr)
    # SaveSlices (Save with shapes_and_slices): whole tensors plus the two
    # slices of a partitioned variable, in one V1 file.
    w_shape = [6, 3]
    w = random_value(rs, "DT_FLOAT", w_shape)
    specs = ["6 3 0,2:-", "6 3 2,4:-"]
    tf.raw_ops.SaveSlices(
        filename=c.prefix, tensor_names=names + ["w", "w"],
        shapes_and_slices=[""] * len(names) + specs,
        data=tensors + [tf.constant(region(w, w_shape, "0,2:-")),
                        tf.constant(region(w, w_shape, "2,4:-"))])
    c.expect("w", "DT_FLOAT", w)
    c.expect_restore("w", "DT_FLOAT", w, w_shape, "1,3:1,2")
    c.done()


def main(argv):
    if len(argv) != 2:
        print("usage: tf_writes_random.py <out_dir>", file=sys.stderr)
        return 2
    out = os.path.realpath(argv[1])
    os.makedirs(out, exist_ok=True)
    rs = np.random.RandomState(SEED)
    failed = 0
    for fn in (write_random_v2, write_random_sharded, write_random_v1):
        name = fn.__name__[len("write_"):]
        try:
            fn(out, rs)
        except Exception as e:  # noqa: BLE001
            oc.result("tf->tfckpt", name, False, "TF failed to write: %s: %s" % (
                type(e).__name__, e))
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
