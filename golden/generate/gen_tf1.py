"""TF1-era files a TF 2.x corpus cannot hold, written by TensorFlow 1.x with
its own API (registered versions="tf1": generate_all.sh --version 1.15).

Every run record names the model it ran (``model``: a SavedModel directory,
a ``.meta`` or a frozen ``.pb``, relative to the scenario directory; with
``checkpoint`` for a ``.meta``, ``tags``/``signature`` for a SavedModel) so
tests can replay it with ``tfckpt run`` and compare with TF's outputs; a
``freeze`` record names TF's frozen graph of the same model and outputs.
"""
import os

from _common import (ckpt, graph_nodes, main, np, read_text, scenario, session,  # noqa: F401
                     tf, v1, var_outputs)

X4 = np.array([[1.0, 0.0, -1.0, 2.0],
               [0.5, 0.5, 0.5, 0.5],
               [-2.0, 1.0, 0.0, 3.0]], dtype=np.float32)


def _weights(seed, shape):
    return np.random.RandomState(seed).uniform(-1.0, 1.0, shape).astype(np.float32)


def _run_meta(sc, label, meta, checkpoint, feeds, fetches, what, **extra):
    """import_meta_graph(meta) + Saver restore in a fresh graph, run fetches.

    feeds {tensor name: (dtype, value)}, fetches [tensor name]; returns the
    saver import_meta_graph made (None when it had none to make).
    """
    g = tf.Graph()
    with g.as_default(), session(g) as sess:
        saver = v1.train.import_meta_graph(meta)
        saver.restore(sess, checkpoint)
        vals = sess.run(fetches, {k: v for k, (_, v) in feeds.items()})
        sc.add_run(label, inputs=feeds,
                   outputs={n: (g.get_tensor_by_name(n).dtype.base_dtype, v)
                            for n, v in zip(fetches, vals)},
                   what=what, model=meta, checkpoint=checkpoint, **extra)
        return saver


def _freeze(sc, meta, checkpoint, outputs, pb):
    """TF's convert_variables_to_constants of the restored .meta graph -> pb."""
    g = tf.Graph()
    with g.as_default(), session(g) as sess:
        saver = v1.train.import_meta_graph(meta, clear_devices=True)
        saver.restore(sess, checkpoint)
        frozen = v1.graph_util.convert_variables_to_constants(
            sess, g.as_graph_def(), [o.split(":")[0] for o in outputs])
    with open(pb, "wb") as f:
        f.write(frozen.SerializeToString())
    sc.note("frozen " + pb, {"from": meta, "checkpoint": checkpoint, "outputs": outputs,
                             "ops": sorted({n.op for n in frozen.node})})
    # The node list under the file's own name: a Required.Graph case
    # (conformance/suite_model.cc) is built from it.
    sc.note(pb, graph_nodes(frozen))


def _run_frozen(sc, label, pb, feeds, fetches, what):
    gd = v1.GraphDef()
    with open(pb, "rb") as f:
        gd.ParseFromString(f.read())
    g = tf.Graph()
    with g.as_default(), session(g) as sess:
        v1.import_graph_def(gd, name="")
        vals = sess.run(fetches, {k: v for k, (_, v) in feeds.items()})
        sc.add_run(label, inputs=feeds,
                   outputs={n: (g.get_tensor_by_name(n).dtype.base_dtype, v)
                            for n, v in zip(fetches, vals)},
                   what=what, model=pb)


def _save_model(sc, g, steps=None):
    """A default Saver over g's variables: initialise, run steps(sess) if
    given, save model.ckpt (+.meta); notes the graph's op types."""
    saver = v1.train.Saver()
    with session(g) as sess:
        sess.run(v1.global_variables_initializer())
        if steps:
            steps(sess)
        saver.save(sess, "model.ckpt")
        sc.note("ops", sorted({op.type for op in g.get_operations()}))


def _freeze_and_run(sc, label, feeds, fetches, what):
    """TF's frozen.pb of model.ckpt(.meta) with outputs `fetches`, run on feeds."""
    _freeze(sc, "model.ckpt.meta", "model.ckpt", fetches, "frozen.pb")
    _run_frozen(sc, label, "frozen.pb", feeds, fetches, what)


def _run_saved_model(sc, feeds, fetches, what, input_keys, output_keys):
    """loader.load(['serve'], 'saved_model') in a fresh graph, run fetches:
    the run "load_serving_default" of signature serving_default."""
    g = tf.Graph()
    with g.as_default(), session(g) as sess:
        v1.saved_model.loader.load(sess, ["serve"], "saved_model")
        vals = sess.run(fetches, {k: v for k, (_, v) in feeds.items()})
        outputs = {n: (g.get_tensor_by_name(n).dtype.base_dtype, v) for n, v in zip(fetches, vals)}
    sc.add_run("load_serving_default", inputs=feeds, outputs=outputs, what=what,
               model="saved_model", tags=["serve"], signature="serving_default",
               input_keys=input_keys, output_keys=output_keys)


@scenario("sharded_devices_v1",
          "tf.train.Saver(sharded=True, write_version=V1) over variables on /cpu:0../cpu:2 "
          "with global_step: files model.ckpt-7-0000N-of-00003, a checkpoint state file "
          "naming the pattern model.ckpt-7-?????-of-00003; restored through "
          "latest_checkpoint into a fresh graph.", versions="tf1")
def sharded_devices_v1(sc):
    with sc.cwd():
        g = tf.Graph()
        with g.as_default():
            vs = []
            for d in range(3):
                with tf.device("/cpu:%d" % d):
                    vs.append(v1.Variable(_weights(d, [2, d + 1]), name="w%d" % d))
                    if d == 0:
                        step = v1.Variable(7, dtype=tf.int64, name="global_step")
            saver = v1.train.Saver(sharded=True, write_version=v1.train.SaverDef.V1)
            with session(g, cpus=3) as sess:
                sess.run(v1.global_variables_initializer())
                path = saver.save(sess, "model.ckpt", global_step=step)
                sc.note("save_returned", path)
        sc.note("checkpoint_file_text", read_text("checkpoint"))
        sc.note("checkpoint_state", ckpt.parse_checkpoint_state(read_text("checkpoint")))
        sc.note("latest_checkpoint", v1.train.latest_checkpoint("."))
        g = tf.Graph()
        with g.as_default(), session(g, cpus=3) as sess:
            saver = v1.train.import_meta_graph("model.ckpt-7.meta")
            saver.restore(sess, v1.train.latest_checkpoint("."))
            sc.add_run("restore_latest", outputs=var_outputs(sess, v1.global_variables()),
                       what="import_meta_graph + restore(latest_checkpoint('.'))")
    sc.add_checkpoint(path)


@scenario("saved_model_v1_variables",
          "SavedModelBuilder with a V1 Saver (write_version=V1, sharded=False): "
          "saved_model/variables/variables is one V1 TensorSlice file (no .index); "
          "serving_default signature x -> y of a 4->3 dense layer; loaded and run by TF.",
          versions="tf1")
def saved_model_v1_variables(sc):
    with sc.cwd():
        g = tf.Graph()
        with g.as_default():
            x = v1.placeholder(tf.float32, [None, 4], name="x")
            w = v1.Variable(_weights(11, [4, 3]), name="dense/kernel")
            b = v1.Variable(_weights(12, [3]), name="dense/bias")
            y = tf.nn.relu(tf.matmul(x, w) + b, name="y")
            with session(g) as sess:
                sess.run(v1.global_variables_initializer())
                builder = v1.saved_model.builder.SavedModelBuilder("saved_model")
                sig = v1.saved_model.signature_def_utils.predict_signature_def(
                    inputs={"x": x}, outputs={"y": y})
                builder.add_meta_graph_and_variables(
                    sess, ["serve"], signature_def_map={"serving_default": sig},
                    saver=v1.train.Saver(write_version=v1.train.SaverDef.V1, sharded=False))
                builder.save()
        _run_saved_model(sc, {"x:0": (tf.float32, X4)}, ["y:0"], "loader.load(['serve']) + run y",
                         {"x": "x:0"}, {"y": "y:0"})
    sc.add_checkpoint("saved_model/variables/variables")


def _bn_model(training_default):
    """dense 4->6, batch norm (unfused: 2-D input), relu, dense 6->3 with
    dropout behind a `training` placeholder: tf.layers + tf.cond."""
    x = v1.placeholder(tf.float32, [None, 4], name="x")
    training = v1.placeholder_with_default(training_default, [], name="training")
    init = v1.initializers.random_uniform(-1.0, 1.0, seed=3)
    h = v1.layers.dense(x, 6, kernel_initializer=init, name="dense1")
    h = v1.layers.batch_normalization(h, training=training, fused=False, name="bn1")
    h = tf.nn.relu(h)
    h = v1.layers.dropout(h, rate=0.5, training=training, seed=5, name="drop")
    logits = v1.layers.dense(h, 3, kernel_initializer=init, name="dense2")
    tf.identity(logits, name="logits")
    labels = v1.placeholder(tf.int64, [None], name="labels")
    loss = v1.losses.sparse_softmax_cross_entropy(labels, logits)
    tf.identity(loss, name="loss")
    return x, training, labels, loss


@scenario("layers_batch_norm",
          "tf.layers model: dense, batch_normalization (fused=False; moving mean/variance "
          "updated through UPDATE_OPS), dropout and sparse softmax cross-entropy, training "
          "switched by a placeholder_with_default (tf.cond); three SGD steps, then "
          "model.ckpt (+.meta). Runs in inference mode (logits, loss) from the .meta and "
          "from TF's frozen graph frozen.pb.", versions="tf1")
def layers_batch_norm(sc):
    labels_v = np.array([0, 2, 1], np.int64)
    with sc.cwd():
        g = tf.Graph()
        with g.as_default():
            v1.set_random_seed(42)
            x, training, labels, loss = _bn_model(False)
            update = v1.get_collection(v1.GraphKeys.UPDATE_OPS)
            with tf.control_dependencies(update):
                train = v1.train.GradientDescentOptimizer(0.1).minimize(loss, name="train")
            # Three steps with dropout off (keeps the values reproducible):
            # batch statistics and moving averages still update.
            _save_model(sc, g, lambda sess: [sess.run(train, {x: X4, labels: labels_v})
                                             for _ in range(3)])
        feeds = {"x:0": (tf.float32, X4), "labels:0": (tf.int64, labels_v)}
        _run_meta(sc, "inference", "model.ckpt.meta", "model.ckpt", feeds,
                  ["logits:0", "loss:0"], "import_meta_graph + restore; training=False")
        _freeze_and_run(sc, "frozen_inference", feeds, ["logits:0", "loss:0"],
                        "import_graph_def(frozen.pb); training defaults to False")
    sc.add_checkpoint("model.ckpt")


@scenario("conv_batch_norm_fused",
          "tf.layers conv2d (NHWC, 3x3, 2 filters) + batch_normalization (fused: "
          "FusedBatchNormV3) + max_pooling2d + dense, inference graph only: model.ckpt "
          "(+.meta); logits from the .meta and from TF's frozen.pb.", versions="tf1")
def conv_batch_norm_fused(sc):
    img = np.random.RandomState(8).uniform(0, 1, [2, 6, 6, 1]).astype(np.float32)
    with sc.cwd():
        g = tf.Graph()
        with g.as_default():
            x = v1.placeholder(tf.float32, [None, 6, 6, 1], name="images")
            init = v1.initializers.random_uniform(-0.5, 0.5, seed=9)
            h = v1.layers.conv2d(x, 2, 3, padding="same", kernel_initializer=init, name="conv")
            h = v1.layers.batch_normalization(h, training=False, fused=True, name="bn",
                                              moving_mean_initializer=v1.constant_initializer(0.1),
                                              moving_variance_initializer=v1.constant_initializer(2.0),
                                              gamma_initializer=v1.constant_initializer(1.5),
                                              beta_initializer=v1.constant_initializer(-0.25))
            h = v1.layers.max_pooling2d(tf.nn.relu(h), 2, 2, name="pool")
            h = v1.layers.flatten(h, name="flat")
            logits = tf.identity(v1.layers.dense(h, 3, kernel_initializer=init, name="out"),
                                 name="logits")
            _save_model(sc, g)
        feeds = {"images:0": (tf.float32, img)}
        _run_meta(sc, "inference", "model.ckpt.meta", "model.ckpt", feeds, [logits.name],
                  "import_meta_graph + restore")
        _freeze_and_run(sc, "frozen_inference", feeds, [logits.name], "import_graph_def(frozen.pb)")
    sc.add_checkpoint("model.ckpt")


@scenario("meta_no_saver_def",
          "export_meta_graph(clear_devices=True) before any Saver exists: model.meta has no "
          "saver_def (import_meta_graph then builds TF's default Saver over the graph's "
          "variables); the checkpoint model.ckpt comes from a Saver made afterwards. "
          "Restored and run by TF.", versions="tf1")
def meta_no_saver_def(sc):
    with sc.cwd():
        g = tf.Graph()
        with g.as_default():
            with tf.device("/cpu:0"):
                x = v1.placeholder(tf.float32, [None, 4], name="x")
                w = v1.Variable(_weights(21, [4, 2]), name="w")
                b = v1.Variable(_weights(22, [2]), name="b")
                tf.nn.sigmoid(tf.matmul(x, w) + b, name="y")
            v1.train.export_meta_graph("model.meta", clear_devices=True)
            with session(g) as sess:
                sess.run(v1.global_variables_initializer())
                v1.train.Saver().save(sess, "model.ckpt", write_meta_graph=False)
        mg = v1.MetaGraphDef()
        with open("model.meta", "rb") as f:
            mg.ParseFromString(f.read())
        sc.note("has_saver_def", mg.HasField("saver_def"))
        sc.note("devices", sorted({n.device for n in mg.graph_def.node}))
        saver = _run_meta(sc, "restore_run", "model.meta", "model.ckpt",
                          {"x:0": (tf.float32, X4)}, ["y:0"],
                          "import_meta_graph (default Saver) + restore + run y")
        sc.note("import_meta_graph_saver", type(saver).__name__)
    sc.add_checkpoint("model.ckpt")


@scenario("cond_dropout",
          "tf.cond on a bool placeholder choosing between two branches and tf.nn.dropout "
          "with a keep_prob placeholder (default 1.0), reference variables: model.ckpt "
          "(+.meta); runs of both branches and TF's frozen.pb.", versions="tf1")
def cond_dropout(sc):
    with sc.cwd():
        g = tf.Graph()
        with g.as_default():
            v1.set_random_seed(42)
            x = v1.placeholder(tf.float32, [None, 4], name="x")
            flag = v1.placeholder(tf.bool, [], name="use_square")
            keep = v1.placeholder_with_default(1.0, [], name="keep_prob")
            w = v1.Variable(_weights(31, [4, 3]), name="w")
            h = tf.matmul(x, w)
            h = tf.cond(flag, lambda: tf.square(h), lambda: tf.abs(h) * 2.0, name="branch")
            tf.identity(tf.nn.dropout(h, keep_prob=keep), name="y")
            _save_model(sc, g)
        for on in (True, False):
            _run_meta(sc, "run_use_square_%s" % str(on).lower(), "model.ckpt.meta", "model.ckpt",
                      {"x:0": (tf.float32, X4), "use_square:0": (tf.bool, np.array(on))}, ["y:0"],
                      "import_meta_graph + restore; keep_prob defaults to 1.0")
        _freeze_and_run(sc, "frozen_use_square_true",
                        {"x:0": (tf.float32, X4), "use_square:0": (tf.bool, np.array(True))},
                        ["y:0"], "import_graph_def(frozen.pb)")
    sc.add_checkpoint("model.ckpt")


@scenario("lookup_table_asset",
          "SavedModel (simple_save with legacy_init_op=tables_initializer) of a "
          "tf.contrib-free index_table_from_file over the asset vocab.txt "
          "(default_value -1) plus a learned embedding row per id: signature "
          "'serving_default' words -> ids, emb; run by TF.", versions="tf1")
def lookup_table_asset(sc):
    words = np.array([b"cat", b"dog", b"emu", b"ant"], dtype=object)
    with sc.cwd():
        with open("vocab.txt", "w") as f:
            f.write("ant\ncat\ndog\n")
        g = tf.Graph()
        with g.as_default():
            w = v1.placeholder(tf.string, [None], name="words")
            table = tf.lookup.StaticHashTable(
                tf.lookup.TextFileInitializer(
                    "vocab.txt", tf.string, tf.lookup.TextFileIndex.WHOLE_LINE,
                    tf.int64, tf.lookup.TextFileIndex.LINE_NUMBER), -1)
            ids = tf.identity(table.lookup(w), name="ids")
            emb_w = v1.Variable(_weights(41, [4, 2]), name="embedding")
            emb = tf.identity(tf.gather(emb_w, ids + 1), name="emb")
            with session(g) as sess:
                sess.run([v1.global_variables_initializer(), v1.tables_initializer()])
                v1.saved_model.simple_save(
                    sess, "saved_model", inputs={"words": w}, outputs={"ids": ids, "emb": emb},
                    legacy_init_op=v1.tables_initializer())
        os.remove("vocab.txt")  # only the SavedModel's asset copy remains
        _run_saved_model(sc, {"words:0": (tf.string, words)}, ["ids:0", "emb:0"],
                         "loader.load(['serve']) + run ids, emb",
                         {"words": "words:0"}, {"emb": "emb:0", "ids": "ids:0"})
    sc.add_checkpoint("saved_model/variables/variables")


if __name__ == "__main__":
    main()
