"""Every saveable dtype in one V2 bundle (and what V1 can hold), via raw ops in
eager mode."""
from _common import TF1, main, np, scenario, tf

# numpy's bfloat16: ml_dtypes under TF 2.x; TF 1.x ships its own.
if TF1:
    BFLOAT16 = tf.bfloat16.as_numpy_dtype
else:
    import ml_dtypes
    BFLOAT16 = ml_dtypes.bfloat16

F32_SPECIAL = np.array([0.0, -0.0, 1.0, -1.5, np.nan, np.inf, -np.inf,
                        np.finfo(np.float32).tiny, np.float32(1.4e-45),
                        np.finfo(np.float32).max, 0.1, 1.0 / 3.0], dtype=np.float32)
F64_SPECIAL = np.array([0.0, -0.0, 1.0, -1.5, np.nan, np.inf, -np.inf,
                        np.finfo(np.float64).tiny, 5e-324, np.finfo(np.float64).max,
                        0.1, 1.0 / 3.0], dtype=np.float64)

STRINGS = np.array([b"hello", b"", b"nul\x00byte", b"\xff\xfe\x80 not utf-8",
                    "unicod\u00e9 \u2603".encode("utf-8"), b"x" * 200], dtype=object)


def _q(values, qtype, lo, hi):
    """A quantized tensor from float values via tf.quantization.quantize."""
    return tf.quantization.quantize(tf.constant(values, tf.float32), lo, hi, qtype,
                                    mode="MIN_COMBINED").output


def tensors_v2():
    """[(name, tensor)] covering every dtype + scalars + zero-sized shapes."""
    t = []
    with np.errstate(over="ignore"):
        t.append(("float16", tf.constant(F32_SPECIAL.astype(np.float16))))
    t.append(("bfloat16", tf.constant(F32_SPECIAL.astype(BFLOAT16), tf.bfloat16)))
    t.append(("float32", tf.constant(F32_SPECIAL.reshape(3, 4))))
    t.append(("float64", tf.constant(F64_SPECIAL.reshape(2, 2, 3))))
    for dt, npdt in (("int8", np.int8), ("int16", np.int16), ("int32", np.int32), ("int64", np.int64),
                     ("uint8", np.uint8), ("uint16", np.uint16), ("uint32", np.uint32),
                     ("uint64", np.uint64)):
        info = np.iinfo(npdt)
        vals = np.array([0, 1, info.max, info.min, 42 if info.min == 0 else -42], dtype=npdt)
        t.append((dt, tf.constant(vals)))
    t.append(("bool", tf.constant([[True, False, True], [False, False, True]])))
    t.append(("complex64", tf.constant(np.array([1 + 2j, -0.5 - 0.25j, np.inf + 0j, 0.1 + 0.2j],
                                                dtype=np.complex64))))
    t.append(("complex128", tf.constant(np.array([1 + 2j, -0.5 - 0.25j, 0.1 + 0.2j],
                                                 dtype=np.complex128))))
    t.append(("string", tf.constant(STRINGS)))
    t.append(("qint8", _q([-1.0, 0.0, 0.5, 1.0], tf.qint8, -1.0, 1.0)))
    t.append(("quint8", _q([0.0, 0.25, 1.0], tf.quint8, 0.0, 1.0)))
    t.append(("qint16", _q([-1.0, 0.0, 1.0], tf.qint16, -1.0, 1.0)))
    t.append(("quint16", _q([0.0, 0.5, 1.0], tf.quint16, 0.0, 1.0)))
    t.append(("qint32", _q([-0.5, 0.0, 0.5], tf.qint32, -1.0, 1.0)))
    # Scalars.
    t.append(("scalar/float32", tf.constant(np.float32(3.25))))
    t.append(("scalar/int64", tf.constant(np.int64(-9007199254740993))))
    t.append(("scalar/uint64", tf.constant(np.uint64(18446744073709551615))))
    t.append(("scalar/bool", tf.constant(True)))
    t.append(("scalar/string", tf.constant(b"scalar \x00 string")))
    t.append(("scalar/empty_string", tf.constant(b"")))
    # Zero-sized shapes.
    t.append(("empty/float32_0", tf.zeros([0], tf.float32)))
    t.append(("empty/float32_3x0", tf.zeros([3, 0], tf.float32)))
    t.append(("empty/int64_0x2", tf.zeros([0, 2], tf.int64)))
    t.append(("empty/string_0", tf.constant(np.array([], dtype=object), tf.string)))
    # Higher rank.
    t.append(("rank4/int32", tf.reshape(tf.range(2 * 3 * 1 * 2, dtype=tf.int32), [2, 3, 1, 2])))
    # A multi-MiB float tensor (3 MiB), fixed values.
    # TF 1.x corpus: kept small (the 2.21 corpus holds the multi-MiB case).
    if not TF1:
        big = np.random.RandomState(1234).standard_normal((1024, 768)).astype(np.float32)
        t.append(("large/float32_1024x768", tf.constant(big)))
    return t


def _save_v2(prefix, items):
    names = [n for n, _ in items]
    tf.raw_ops.SaveV2(prefix=prefix, tensor_names=names, shape_and_slices=[""] * len(names),
                      tensors=[x for _, x in items])


@scenario("dtypes",
          "tf.raw_ops.SaveV2 (eager) of one tensor per saveable dtype (half, bfloat16, float, "
          "double incl. -0/NaN/Inf/denormals, int8..int64, uint8..uint64, bool, complex64/128, "
          "string incl. empty, NUL and non-UTF-8 bytes, qint8/quint8/qint16/quint16/qint32), "
          "scalars, zero-sized shapes ([0], [3,0], [0,2]), a rank-4 tensor and a 3 MiB float32 "
          "[1024,768] tensor, to bundle 'dtypes'. Also RestoreV2 error texts.")
def dtypes(sc):
    items = tensors_v2()
    with sc.cwd():
        _save_v2("dtypes", items)
        sc.note("tensor_order_given_to_SaveV2", [n for n, _ in items])
        # Read back through RestoreV2 to record what TF returns.
        back = tf.raw_ops.RestoreV2(prefix="dtypes", tensor_names=[n for n, _ in items],
                                    shape_and_slices=[""] * len(items),
                                    dtypes=[x.dtype for _, x in items])
        sc.add_run("restore_v2", outputs={n: (x.dtype, _np(x)) for (n, _), x in zip(items, back)},
                   what="tf.raw_ops.RestoreV2 of every key with its saved dtype")
        part = tf.raw_ops.RestoreV2(prefix="dtypes", tensor_names=["float32"],
                                    shape_and_slices=["3 4 1,2:-"], dtypes=[tf.float32])
        sc.add_run("restore_v2_slice", outputs={"float32[1:3,:]": (tf.float32, part[0].numpy())},
                   what="RestoreV2 of float32 with shape_and_slices '3 4 1,2:-'")
        errors = [
            ("restore_dtype_mismatch", "RestoreV2 of key float32 with dtypes=[double]",
             lambda: tf.raw_ops.RestoreV2(prefix="dtypes", tensor_names=["float32"],
                                          shape_and_slices=[""], dtypes=[tf.float64])),
            ("restore_missing_key", "RestoreV2 of key 'nope'",
             lambda: tf.raw_ops.RestoreV2(prefix="dtypes", tensor_names=["nope"],
                                          shape_and_slices=[""], dtypes=[tf.float32])),
            ("restore_slice_shape_mismatch", "RestoreV2 of float32 [3,4] with slice spec '4 4 -:-'",
             lambda: tf.raw_ops.RestoreV2(prefix="dtypes", tensor_names=["float32"],
                                          shape_and_slices=["4 4 -:-"], dtypes=[tf.float32])),
            ("restore_missing_prefix", "RestoreV2 of prefix 'missing' (no files)",
             lambda: tf.raw_ops.RestoreV2(prefix="missing", tensor_names=["x"],
                                          shape_and_slices=[""], dtypes=[tf.float32])),
        ]
        for name, what, fn in errors:
            try:
                fn()
                sc.note(name + " (no error)", what)
            except Exception as e:  # noqa: BLE001
                sc.add_error(name, e, what)
        # Not attempted: SaveV2 of a DT_RESOURCE tensor aborts the whole process
        # (a CHECK failure in TF 2.21's BundleWriter), so it has no error text.
    sc.add_checkpoint("dtypes")


def _np(t):
    return t.numpy()


@scenario("dtypes_v1",
          "tf.raw_ops.Save (V1 TensorSlice format, eager) of every dtype the V1 writer accepts "
          "(each dtype tried alone first; refusals recorded as errors), plus scalars and "
          "zero-sized shapes, to the single file 'dtypes_v1'.")
def dtypes_v1(sc):
    items = [(n, x) for n, x in tensors_v2() if not n.startswith("large/")]
    ok = []
    import os
    with sc.cwd():
        for n, x in items:
            probe = "probe_" + n.replace("/", "_")
            try:
                tf.raw_ops.Save(filename=probe, tensor_names=[n], data=[x])
                ok.append((n, x))
            except Exception as e:  # noqa: BLE001
                sc.add_error("v1_save_" + n.replace("/", "_"), e,
                             "tf.raw_ops.Save of %s (%s)" % (n, x.dtype.name))
            if os.path.exists(probe):
                os.remove(probe)
        tf.raw_ops.Save(filename="dtypes_v1", tensor_names=[n for n, _ in ok],
                        data=[x for _, x in ok])
        sc.note("saved", [n for n, _ in ok])
        back = tf.raw_ops.RestoreV2(prefix="dtypes_v1", tensor_names=[n for n, _ in ok],
                                    shape_and_slices=[""] * len(ok),
                                    dtypes=[x.dtype for _, x in ok])
        sc.add_run("restore_v2_from_v1", outputs={n: (x.dtype, _np(x)) for (n, _), x in zip(ok, back)},
                   what="tf.raw_ops.RestoreV2 on the V1 file (falls back to the V1 reader)")
    sc.add_checkpoint("dtypes_v1")


if __name__ == "__main__":
    main(graph_mode=False)
