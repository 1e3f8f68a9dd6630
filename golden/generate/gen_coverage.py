"""Positive cases where third-party readers break (issue 15), written by TF:
non-ASCII and long names sharing prefixes, V1 and V2 partitioned variables on
a 2-D grid, a V1 Saver with global_step, 8 shards (V2 and V1), an index with
several data blocks, strings longer than 127 bytes and zero-sized dimensions
in V1 and V2."""
import hashlib
import os

from _common import ckpt, main, np, read_text, scenario, session, tf, v1, var_outputs


def _run_save(op_fn):
    """Builds the save op(s) of op_fn() in a fresh graph and runs them."""
    g = tf.Graph()
    with g.as_default():
        ops = op_fn()
        with session(g) as sess:
            sess.run(ops)


def _save_v2(prefix, items):
    """tf.raw_ops.SaveV2 of [(name, numpy value, tf dtype)] (whole tensors)."""
    _run_save(lambda: tf.raw_ops.SaveV2(
        prefix=prefix, tensor_names=[n for n, _, _ in items],
        shape_and_slices=[""] * len(items),
        tensors=[tf.constant(x, dt) for _, x, dt in items]))


def _save_v1(sc, filename, items):
    """tf.raw_ops.Save (V1) of what it accepts; a refusal is recorded as an error."""
    ok = []
    for n, x, dt in items:
        probe = filename + ".probe"
        try:
            _run_save(lambda: tf.raw_ops.Save(filename=probe, tensor_names=[n],
                                              data=[tf.constant(x, dt)]))
            ok.append((n, x, dt))
        except Exception as e:  # noqa: BLE001
            sc.add_error("v1_save_" + hashlib.sha1(n.encode()).hexdigest()[:8], e,
                         "tf.raw_ops.Save of %r (%s %s)" % (n, dt.name, list(np.shape(x))))
        if os.path.exists(probe):
            os.remove(probe)
    _run_save(lambda: tf.raw_ops.Save(filename=filename, tensor_names=[n for n, _, _ in ok],
                                      data=[tf.constant(x, dt) for _, x, dt in ok]))
    return ok


def _unicode_names():
    long_scope = "model/" + "".join("scope_%02d_with_a_long_name/" % i for i in range(24))
    names = [
        "a", "a/b", "a/b/c", "a/b/c/" + "x" * 1000,        # each a prefix of the next
        "caf\u00e9/kernel", "caf\u00e9/bias", "cafe/kernel",  # differ in one code point
        "\u65e5\u672c\u8a9e/\u91cd\u307f", "\u65e5\u672c\u8a9e/\u91cd\u307f/Adam",
        "\u65e5\u672c\u8a9e/\u91cd\u307f/Adam_1",
        "\u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac/\u03b2",
        "emoji/\U0001f642", "emoji/\U0001f642\U0001f643",      # 4-byte UTF-8
        "z", "\u00ff", "\u0100",                              # byte order != code unit order
        "\u05e2\u05d1\u05e8\u05d9\u05ea/\u0645\u0631\u062d\u0628\u0627",   # right-to-left
        long_scope + "kernel", long_scope + "kernel/Adam", long_scope + "kernel/Adam_1",
        long_scope + "bias", long_scope + "bias/Adam",
        "x" * 4096,
    ]
    return names


def _name_items():
    out = []
    for i, n in enumerate(_unicode_names()):
        if i % 3 == 0:
            out.append((n, np.array([i, -i, i * 1000], np.int32), tf.int32))
        elif i % 3 == 1:
            out.append((n, np.array([[i * 0.5, -1.0 / (i + 1)]], np.float32), tf.float32))
        else:
            out.append((n, np.array(["%s=%d" % (n[:8], i)], object), tf.string))
    return out


@scenario("names_unicode",
          "Non-ASCII tensor names (Latin-1, CJK, Greek, Hebrew/Arabic, 4-byte emoji) and long "
          "names sharing key prefixes (names that are prefixes of each other, a 480-byte scope "
          "with five leaves, 1 KB and 4 KB names), saved by tf.raw_ops.SaveV2 to bundle "
          "'names' and by tf.raw_ops.Save (V1) to file 'names_v1'.")
def names_unicode(sc):
    items = _name_items()
    with sc.cwd():
        _save_v2("names", items)
        ok = _save_v1(sc, "names_v1", items)
        sc.note("v1_saved_all", len(ok) == len(items))
    sc.add_checkpoint("names")
    sc.add_checkpoint("names_v1")


def _partitions(parts):
    return lambda shape, dtype: parts


@scenario("partitioned_v1_v2",
          "Partitioned variables saved by Saver(write_version=V1) to 'model_v1.ckpt' and "
          "Saver(V2) to 'model_v2.ckpt': pv float32 [10,4] in 3 row partitions "
          "(fixed_size_partitioner), cols float64 [3,7] in 3 column partitions, plus an "
          "unpartitioned w; and grid int64 [6,6] in 2x2 slices by tf.raw_ops.SaveV2 "
          "('grid_v2') and tf.raw_ops.SaveSlices (V1, 'grid_v1').")
def partitioned_v1_v2(sc):
    pv_full = np.arange(40, dtype=np.float32).reshape(10, 4) * 0.5 - 3.0
    grid_full = (np.arange(36, dtype=np.int64).reshape(6, 6) - 18) * 1000003
    cols_full = np.arange(21, dtype=np.float64).reshape(3, 7) / 7.0

    def init_from(full):
        def init(shape, dtype=None, partition_info=None):
            off = partition_info.var_offset if partition_info is not None else [0] * len(shape)
            region = full[tuple(slice(o, o + s) for o, s in zip(off, shape))]
            return tf.constant(region, dtype)
        return init

    with sc.cwd():
        for label, version, prefix in (("v1", v1.train.SaverDef.V1, "model_v1.ckpt"),
                                       ("v2", v1.train.SaverDef.V2, "model_v2.ckpt")):
            g = tf.Graph()
            with g.as_default():
                pv = v1.get_variable("pv", shape=[10, 4], dtype=tf.float32,
                                     initializer=init_from(pv_full),
                                     partitioner=v1.fixed_size_partitioner(3))
                cols = v1.get_variable("cols", shape=[3, 7], dtype=tf.float64,
                                       initializer=init_from(cols_full),
                                       partitioner=_partitions([1, 3]))
                w = v1.get_variable("w", initializer=tf.constant([7, 8, 9], dtype=tf.int32))
                saver = v1.train.Saver(write_version=version)
                with session(g) as sess:
                    sess.run(v1.global_variables_initializer())
                    outs = {"pv": (tf.float32, sess.run(pv.as_tensor())),
                            "cols": (tf.float64, sess.run(cols.as_tensor())),
                            w.name: (tf.int32, sess.run(w))}
                    saver.save(sess, prefix, write_meta_graph=False,
                               latest_filename="checkpoint_" + label)
                sc.note("partitions_" + label, [
                    {"name": p.name, "save_slice_info": p._save_slice_info.spec}
                    for var in (pv, cols) for p in var])
            sc.add_run("save_" + label, outputs=outs, what="full values of the saved variables")
        # get_variable partitions along one axis only; a 2x2 grid takes the raw ops.
        specs = ["6 6 %s" % s for s in ("0,3:0,3", "0,3:3,3", "3,3:0,3", "3,3:3,3")]
        parts = [grid_full[r:r + 3, c:c + 3] for r in (0, 3) for c in (0, 3)]
        _run_save(lambda: tf.raw_ops.SaveV2(
            prefix="grid_v2", tensor_names=["grid"] * 4, shape_and_slices=specs,
            tensors=[tf.constant(p) for p in parts]))
        _run_save(lambda: tf.raw_ops.SaveSlices(
            filename="grid_v1", tensor_names=["grid"] * 4, shapes_and_slices=specs,
            data=[tf.constant(p) for p in parts]))
        sc.add_run("grid", outputs={"grid": (tf.int64, grid_full)},
                   what="int64 [6,6] saved as 2x2 slices (%s) by SaveV2 and SaveSlices" % specs)
    sc.add_checkpoint("model_v1.ckpt")
    sc.add_checkpoint("model_v2.ckpt")
    sc.add_checkpoint("grid_v1")
    sc.add_checkpoint("grid_v2")


@scenario("saver_v1_global_step",
          "Saver(write_version=V1) with a global_step variable (get_or_create_global_step = "
          "1234) and float/int32/double/bool/string variables, saved with "
          "global_step=global_step to the V1 file 'model.ckpt-1234' (+ checkpoint).")
def saver_v1_global_step(sc):
    with sc.cwd():
        g = tf.Graph()
        with g.as_default():
            step = v1.train.get_or_create_global_step()
            variables = [
                step,
                v1.Variable(np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3), name="dense/kernel"),
                v1.Variable(np.array([3, -4], np.int32), name="counts"),
                v1.Variable(np.float64(2.718281828459045), name="e"),
                v1.Variable(np.array([True, False]), name="mask"),
                v1.Variable(np.array([b"vocab", b"\xff\x00"], object), name="words"),
            ]
            saver = v1.train.Saver(write_version=v1.train.SaverDef.V1)
            with session(g) as sess:
                sess.run(v1.global_variables_initializer())
                sess.run(step.assign(1234))
                saved = var_outputs(sess, variables)
                path = saver.save(sess, "model.ckpt", global_step=step, write_meta_graph=False)
        sc.add_run("save", outputs=saved, what="values saved")
        sc.note("save_returned_path", path)
        sc.note("checkpoint_file_text", read_text("checkpoint"))
        sc.note("checkpoint_state", ckpt.parse_checkpoint_state(read_text("checkpoint")))
    sc.add_checkpoint("model.ckpt-1234")


def _sharded_variables():
    out = []
    for i in range(8):
        with tf.device("/cpu:%d" % i):
            out.append(v1.Variable(np.arange(i + 1, dtype=np.float32) * (i + 1) - 0.5 * i,
                                   name="dev%d/w" % i))
            if i % 3 == 0:
                out.append(v1.Variable(np.array([i, -i], np.int64), name="dev%d/b" % i))
    return out


@scenario("sharded_many",
          "Saver(sharded=True) over variables on 8 CPU devices (session device_count CPU=8): "
          "V2 'model.ckpt.data-0000N-of-00008' + one index, and V1 "
          "'model_v1.ckpt-0000N-of-00008' (one TensorSlice file per device).")
def sharded_many(sc):
    prefixes = {}
    with sc.cwd():
        for label, version, prefix in (("v2", v1.train.SaverDef.V2, "model.ckpt"),
                                       ("v1", v1.train.SaverDef.V1, "model_v1.ckpt")):
            g = tf.Graph()
            with g.as_default():
                variables = _sharded_variables()
                saver = v1.train.Saver(sharded=True, write_version=version)
                with session(g, cpus=8) as sess:
                    sess.run(v1.global_variables_initializer())
                    saved = var_outputs(sess, variables)
                    prefixes[label] = saver.save(sess, prefix, write_meta_graph=False,
                                                 latest_filename="checkpoint_" + label)
            sc.add_run("save_" + label, outputs=saved, what="values saved")
        sc.note("save_returned_paths", prefixes)
    sc.add_checkpoint(prefixes["v2"])
    sc.add_checkpoint(prefixes["v1"])


INDEX_MANY_BLOCKS_KEYS = 2000


# Not in the TF 1.x corpus: the same table format, 300 KiB not worth repeating.
@scenario("index_many_blocks", versions="tf2", description=
          "tf.raw_ops.SaveV2 of 2000 scalar float32 tensors with ~150-byte names holding two "
          "hashes (little key-prefix sharing): a ~340 KiB index, more than one 256 KiB data "
          "block, so a reader that reads only the first block loses about 330 of the keys. "
          "MANIFEST: tensors without values/raw_hex.")
def index_many_blocks(sc):
    items = []
    for i in range(INDEX_MANY_BLOCKS_KEYS):
        h = hashlib.sha256(b"%d" % i).hexdigest() + hashlib.sha256(b"x%d" % i).hexdigest()
        items.append(("net/block_%02d/%s/unit_%04d" % (i % 97, h, i), np.float32(i * 0.25 - 500),
                      tf.float32))
    with sc.cwd():
        _save_v2("many", items)
    # Keep the MANIFEST small: sha256 per tensor. That the index has more
    # than one data block is checked by //src/table:table_golden_test.
    sc.add_checkpoint("many", large_threshold=0)


STRING_LENGTHS = [0, 1, 127, 128, 255, 16383, 16384]


def _string_items():
    rs = np.random.RandomState(15)
    out = []
    for n in STRING_LENGTHS:
        out.append(("str/len_%05d" % n, np.array(bytes(rs.randint(0, 256, n, dtype=np.uint8)),
                                                  dtype=object), tf.string))
    mixed = np.array([b"a" * 127, b"b" * 128, b"", b"\x00" * 300, b"c", "\u00e9".encode() * 100],
                     dtype=object).reshape(2, 3)
    out.append(("str/mixed_2x3", mixed, tf.string))
    out += [
        ("zero/float32_0", np.zeros([0], np.float32), tf.float32),
        ("zero/float32_3x0", np.zeros([3, 0], np.float32), tf.float32),
        ("zero/float64_0x2x5", np.zeros([0, 2, 5], np.float64), tf.float64),
        ("zero/int32_2x0x3", np.zeros([2, 0, 3], np.int32), tf.int32),
        ("zero/bool_0", np.zeros([0], np.bool_), tf.bool),
        ("zero/string_0", np.array([], dtype=object), tf.string),
        ("zero/string_0x4", np.zeros([0, 4], dtype=object), tf.string),
        ("zero/int64_1x0", np.zeros([1, 0], np.int64), tf.int64),
    ]
    return out


@scenario("strings_zero_size",
          "Strings of 0, 1, 127, 128, 255, 16383 and 16384 random bytes (1-, 2- and 3-byte "
          "varint lengths) and a [2,3] string tensor of mixed lengths; zero-sized tensors "
          "([0], [3,0], [0,2,5], [2,0,3], [1,0], string [0] and [0,4], bool [0]); saved by "
          "tf.raw_ops.SaveV2 to bundle 'strings' and tf.raw_ops.Save (V1) to file 'strings_v1'.")
def strings_zero_size(sc):
    items = _string_items()
    with sc.cwd():
        _save_v2("strings", items)
        ok = _save_v1(sc, "strings_v1", items)
        sc.note("v1_saved", [n for n, _, _ in ok])
    sc.add_checkpoint("strings")
    sc.add_checkpoint("strings_v1")


if __name__ == "__main__":
    main()
