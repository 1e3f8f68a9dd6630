"""Checkpoints in layouts TF 2.21 never writes but reads: a snappy-compressed
index, a big-endian bundle, a non-default data alignment.

TensorFlow writes each checkpoint (tf.raw_ops.SaveV2, eager) into a temporary
directory; `tfckpt convert` (TFCKPT_BIN, built by generate_all.sh) rewrites it
in the layout; TensorFlow reads the result back, and the MANIFEST records what
TF read (written_by "tfckpt").  Generation fails unless TF reads back exactly
what it wrote and the file really has the layout (header endianness BIG,
aligned offsets: `tfckpt inspect --json`, the C++ reader; the snappy blocks
are checked by //src/table:table_golden_test, as no command lists blocks).
"""
import json
import os
import shutil
import subprocess
import tempfile

import ml_dtypes

from _common import ckpt, main, np, scenario, tf


def _tfckpt():
    path = os.environ.get("TFCKPT_BIN")
    if not path or not os.access(path, os.X_OK):
        raise SystemExit("gen_tfckpt.py: set TFCKPT_BIN to a built tfckpt (generate_all.sh does)")
    return path


def _inspect(sc, prefix):
    """`tfckpt inspect --json` of sc/prefix: header and data offsets, read by C++."""
    out = subprocess.run([_tfckpt(), "inspect", "--json", sc.path(prefix)], check=True,
                         stdout=subprocess.PIPE)
    return json.loads(out.stdout)


def _save_v2(prefix, items):
    """SaveV2 of [(name, tensor)] and [(name, full shape, spec, part)] slices."""
    names, specs, values = [], [], []
    for item in items:
        if len(item) == 2:
            names.append(item[0])
            specs.append("")
            values.append(item[1])
        else:
            name, shape, spec, part = item
            names.append(name)
            specs.append(" ".join(str(d) for d in shape) + " " + spec)
            values.append(part)
    tf.raw_ops.SaveV2(prefix=prefix, tensor_names=names, shape_and_slices=specs, tensors=values)


def _convert_and_record(sc, items, prefix, flags, what):
    """TF writes items, tfckpt convert FLAGS rewrites them to sc/prefix, TF reads back."""
    tmp = tempfile.mkdtemp(prefix="tfckpt-golden-src.")
    try:
        src = os.path.join(tmp, "src")
        _save_v2(src, items)
        wrote = ckpt.read_tensors(src)
        cmd = [_tfckpt(), "convert"] + flags + [src, sc.path(prefix)]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    finally:
        shutil.rmtree(tmp)
    writer = "tfckpt convert %s of a bundle tf.raw_ops.SaveV2 wrote (%s)" % (" ".join(flags), what)
    desc = sc.add_checkpoint(prefix, written_by="tfckpt", writer=writer)
    if desc["tensors"] != wrote:
        got = {t["name"]: t for t in desc["tensors"]}
        diff = [t["name"] for t in wrote if got.get(t["name"]) != t]
        raise AssertionError("%s: TF reads back %s differently from what it wrote" % (prefix, diff))
    sc.note("tf_read_back", "identical to what tf.raw_ops.SaveV2 wrote (every tensor record equal)")
    return desc


@scenario("snappy_index",
          "tfckpt convert --index-compression snappy of a 300-key bundle TF wrote (long, similar "
          "names: the index block compresses). TF 2.21 never writes compressed blocks but reads "
          "them; the tensors are what TF reads back.")
def snappy_index(sc):
    items = []
    for i in range(300):
        name = "model/encoder/layer_%03d/attention/self/kernel/Adam_%d" % (i // 3, i % 3)
        if i % 3 == 0:
            items.append((name, tf.constant(np.arange(i % 5, dtype=np.float32) - i)))
        elif i % 3 == 1:
            items.append((name, tf.constant(np.int64(i * 1000003))))
        else:
            items.append((name, tf.constant(np.array([b"s%d" % i] * (i % 4), dtype=object),
                                            tf.string)))
    _convert_and_record(sc, items, "model.ckpt", ["--index-compression", "snappy"],
                        "300 tensors")


def _dtype_items():
    f32 = np.array([0.0, -0.0, 1.5, -2.25, np.nan, np.inf, -np.inf, 1.4e-45, 3.4e38, 0.1],
                   dtype=np.float32)
    with np.errstate(over="ignore"):
        f16 = f32.astype(np.float16)  # 3.4e38 -> inf
    items = [
        ("float16", tf.constant(f16)),
        ("bfloat16", tf.constant(f32.astype(ml_dtypes.bfloat16), tf.bfloat16)),
        ("float32", tf.constant(f32.reshape(2, 5))),
        ("float64", tf.constant(np.array([0.1, -0.0, 5e-324, np.inf, 1.0 / 3.0]))),
        ("bool", tf.constant([True, False, True])),
        ("complex64", tf.constant(np.array([1 + 2j, -0.5 - 0.25j], dtype=np.complex64))),
        ("complex128", tf.constant(np.array([1e300 + 2j, -0.5 - 1e-300j], dtype=np.complex128))),
        ("string", tf.constant(np.array([b"big", b"", b"endian \x00\xff", b"y" * 200],
                                        dtype=object))),
        ("scalar/int64", tf.constant(np.int64(-9007199254740993))),
        ("empty/float32_3x0", tf.zeros([3, 0], tf.float32)),
    ]
    for name, npdt in (("int8", np.int8), ("int16", np.int16), ("int32", np.int32),
                       ("int64", np.int64), ("uint8", np.uint8), ("uint16", np.uint16),
                       ("uint32", np.uint32), ("uint64", np.uint64)):
        info = np.iinfo(npdt)
        items.append((name, tf.constant(np.array([0, 1, info.max, info.min, 0x12 % info.max],
                                                 dtype=npdt))))
    for name, qt, lo, hi, vals in (("qint8", tf.qint8, -1.0, 1.0, [-1.0, 0.5]),
                                   ("quint8", tf.quint8, 0.0, 1.0, [0.0, 0.75]),
                                   ("qint16", tf.qint16, -1.0, 1.0, [-1.0, 0.25]),
                                   ("quint16", tf.quint16, 0.0, 1.0, [0.0, 0.5]),
                                   ("qint32", tf.qint32, -1.0, 1.0, [-0.5, 1.0])):
        items.append((name, tf.quantization.quantize(tf.constant(vals), lo, hi, qt,
                                                     mode="MIN_COMBINED").output))
    return items


def _partitioned_items():
    full = np.arange(24, dtype=np.float32).reshape(6, 4) * 1.25 - 7
    dfull = np.arange(10, dtype=np.float64) / 3.0
    return [("part/float32", [6, 4], "0,3:-", tf.constant(full[:3])),
            ("part/float32", [6, 4], "3,3:-", tf.constant(full[3:])),
            ("part/float64", [10], "0,4", tf.constant(dfull[:4])),
            ("part/float64", [10], "4,6", tf.constant(dfull[4:]))]


@scenario("big_endian",
          "tfckpt convert --big-endian of a bundle TF wrote: every core dtype (values with "
          "asymmetric bytes, float specials, strings of 200 bytes), a scalar, a zero-sized "
          "tensor and two partitioned tensors. Header endianness BIG: TF 2.21 reads it on a "
          "little-endian host by byte-swapping; the tensors are what TF reads back.")
def big_endian(sc):
    _convert_and_record(sc, _dtype_items() + _partitioned_items(), "model.ckpt",
                        ["--big-endian"], "every core dtype + partitioned tensors")
    endianness = _inspect(sc, "model.ckpt")["header"]["endianness"]
    if endianness != "BIG":
        raise AssertionError("big_endian: header says %s" % endianness)


@scenario("aligned",
          "tfckpt convert --alignment 64 of a bundle TF wrote (odd-sized tensors of several "
          "dtypes, a partitioned one): every tensor's data starts at a multiple of 64 "
          "(BundleWriter::Options::data_alignment, which TF's Python API does not expose).")
def aligned(sc):
    items = [
        ("a_int8_3", tf.constant(np.array([1, -2, 3], np.int8))),
        ("b_float_5", tf.constant(np.linspace(-1, 1, 5, dtype=np.float32))),
        ("c_string_3", tf.constant(np.array([b"x", b"yy" * 70, b""], dtype=object))),
        ("d_double_7", tf.constant(np.arange(7, dtype=np.float64) / 7)),
        ("e_bool_9", tf.constant(np.arange(9) % 2 == 0)),
        ("f_half_0", tf.zeros([0], tf.float16)),
        ("g_uint16_65", tf.constant(np.arange(65, dtype=np.uint16) * 1000)),
    ] + _partitioned_items()
    _convert_and_record(sc, items, "model.ckpt", ["--alignment", "64"],
                        "odd-sized tensors + partitioned tensors")
    offsets = [p["offset"] for t in _inspect(sc, "model.ckpt")["tensors"]
               for p in t.get("slices", [t]) if p["size"] > 0]
    if any(o % 64 for o in offsets) or len(set(offsets)) < 2:
        raise AssertionError("aligned: offsets %s" % offsets)


if __name__ == "__main__":
    main(graph_mode=False)
