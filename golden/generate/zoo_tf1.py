"""The TF 1.15 model zoo (golden/zoo/tf-1.15/): models as TF 1.x users
wrote them -- canned Estimators, tf.layers, tf.contrib.layers and
tf.nn.dynamic_rnn graphs -- exported the ways TF 1.15 exports them
(Estimator.export_saved_model; Saver .meta + checkpoint, SavedModelBuilder
and convert_variables_to_constants), with TF's outputs.  Run by
`generate_all.sh --zoo --version 1.15`; the export/freeze/record steps are
golden/generate/_zoo.py's.

Unlike zoo_gen.py's fixed weights, these models are trained a few steps
(single-threaded, seeded), so optimizer slots and moving statistics are
what training leaves behind.
"""
import os
import shutil
import tempfile

from _common import main, np, resource_variables, scenario, session, session_config, tf, v1
from _zoo import export_tf1, run_saved_model_signature

FEATURES = np.random.RandomState(41).standard_normal((64, 4)).astype(np.float32)
LABELS3 = (np.digitize(FEATURES[:, 0] + 0.5 * FEATURES[:, 1], [-0.5, 0.5])).astype(np.int64)
X_PREDICT = np.random.RandomState(42).standard_normal((6, 4)).astype(np.float32)


def _estimator(sc, make, labels):
    """Trains the canned Estimator make(feature_columns, model_dir, config)
    5 steps on FEATURES/labels, exports it with a raw serving input receiver
    (placeholder x [None, 4]) to saved_model/ and records its predict
    signature on X_PREDICT, and TF's frozen graph of it."""
    cols = [tf.feature_column.numeric_column("x", shape=[4])]
    cfg = tf.estimator.RunConfig(tf_random_seed=42, session_config=session_config())
    # model_dir (checkpoints with timestamps, event files) stays out of the zoo.
    model_dir = tempfile.mkdtemp(prefix="tfckpt-zoo-estimator-")
    try:
        est = make(cols, model_dir, cfg)
        est.train(v1.estimator.inputs.numpy_input_fn({"x": FEATURES}, labels, batch_size=16,
                                                     num_epochs=None, shuffle=False), steps=5)
        receiver = tf.estimator.export.build_raw_serving_input_receiver_fn(
            {"x": v1.placeholder(tf.float32, [None, 4], name="x")})
        with sc.cwd():
            # export_saved_model writes <base>/<timestamp>/: renamed to saved_model/.
            path = est.export_saved_model("export", receiver).decode()
            os.rename(path, "saved_model")
            shutil.rmtree("export")
            run_saved_model_signature(sc, "saved_model", "predict", {"x": X_PREDICT}, frozen=True)
    finally:
        shutil.rmtree(model_dir, ignore_errors=True)


@scenario("estimator_linear", "tf.estimator.LinearClassifier (binary) over numeric_column x [4], "
          "trained 5 steps (FTRL) on synthetic features, export_saved_model with "
          "build_raw_serving_input_receiver_fn; signature predict (logits, logistic, "
          "probabilities, class_ids, classes, all_class_ids, all_classes) and frozen.pb.",
          versions="tf1")
def estimator_linear(sc):
    labels = (FEATURES[:, 0] + 0.5 * FEATURES[:, 1] > 0).astype(np.int64)
    _estimator(sc, lambda cols, md, cfg: tf.estimator.LinearClassifier(
        cols, model_dir=md, config=cfg), labels)


@scenario("estimator_dnn", "tf.estimator.DNNClassifier([8, 4], 3 classes) over numeric_column "
          "x [4], trained 5 steps (Adagrad) on synthetic features, export_saved_model with "
          "build_raw_serving_input_receiver_fn; signature predict and frozen.pb.", versions="tf1")
def estimator_dnn(sc):
    _estimator(sc, lambda cols, md, cfg: tf.estimator.DNNClassifier(
        [8, 4], cols, n_classes=3, model_dir=md, config=cfg), LABELS3)


IMAGES = np.random.RandomState(43).uniform(0, 1, (4, 8, 8, 2)).astype(np.float32)
IMAGE_LABELS = np.array([0, 1, 2, 1], dtype=np.int64)


def _export_trained(sc, build, feeds_of, outputs_of, steps=3, lr=0.1):
    """build() a graph (its t["loss"]), train it `steps` plain SGD steps
    (running UPDATE_OPS: batch-norm statistics) and save the variables to a
    temporary checkpoint; then build() a fresh inference graph (no gradient
    ops: the zoo's op census is about what serving needs), restore the
    trained variables and export it with export_tf1."""
    tmp = tempfile.mkdtemp(prefix="tfckpt-zoo-train-")
    try:
        with resource_variables(False):
            g = tf.Graph()
            with g.as_default():
                v1.set_random_seed(42)
                t = build()
                with tf.control_dependencies(v1.get_collection(v1.GraphKeys.UPDATE_OPS)):
                    step = v1.train.GradientDescentOptimizer(lr).minimize(t["loss"])
                with session(g) as sess:
                    sess.run(v1.global_variables_initializer())
                    for _ in range(steps):
                        sess.run(step, feeds_of(t, train=True))
                    v1.train.Saver(v1.global_variables()).save(sess, os.path.join(tmp, "trained"))
            with sc.cwd():
                g = tf.Graph()
                with g.as_default():
                    t = build()
                    with session(g) as sess:
                        v1.train.Saver().restore(sess, os.path.join(tmp, "trained"))
                        export_tf1(sc, g, sess, feeds_of(t, train=False), outputs_of(t))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@scenario("tf_layers_cnn", "tf.layers CNN: conv2d(4, 3, same, relu) -> batch_normalization "
          "(fused) -> max_pooling2d -> conv2d(6, 3) -> dropout -> flatten -> dense(3), "
          "batch norm and dropout behind a `training` placeholder_with_default (tf.cond), "
          "trained 3 SGD steps; model.ckpt(.meta), SavedModel, frozen.pb.", versions="tf1")
def tf_layers_cnn(sc):
    def build():
        x = v1.placeholder(tf.float32, [None, 8, 8, 2], name="images")
        labels = v1.placeholder(tf.int64, [None], name="labels")
        training = v1.placeholder_with_default(False, [], name="training")
        h = v1.layers.conv2d(x, 4, 3, padding="same", activation=tf.nn.relu, name="conv1")
        h = v1.layers.batch_normalization(h, training=training, name="bn1")
        h = v1.layers.max_pooling2d(h, 2, 2, name="pool1")
        h = v1.layers.conv2d(h, 6, 3, name="conv2")
        h = v1.layers.dropout(h, rate=0.3, training=training, name="drop")
        h = v1.layers.flatten(h, name="flat")
        logits = tf.identity(v1.layers.dense(h, 3, name="dense"), name="logits")
        probs = tf.nn.softmax(logits, name="probs")
        loss = tf.identity(v1.losses.sparse_softmax_cross_entropy(labels, logits), name="loss")
        return {"x": x, "labels": labels, "training": training, "logits": logits,
                "probs": probs, "loss": loss}
    _export_trained(
        sc, build,
        lambda t, train: {t["x"]: IMAGES, t["labels"]: IMAGE_LABELS,
                          **({t["training"]: True} if train else {})},
        lambda t: {n: t[k] for n, k in (("logits:0", "logits"), ("probs:0", "probs"),
                                        ("loss:0", "loss"))})


@scenario("tf_contrib_mlp", "tf.contrib.layers MLP: fully_connected(16) -> layer_norm -> "
          "fully_connected(8, tanh) -> fully_connected(3, None), l2_regularizer, trained "
          "3 SGD steps; model.ckpt(.meta), SavedModel, frozen.pb.", versions="tf1")
def tf_contrib_mlp(sc):
    def build():
        layers = tf.contrib.layers
        x = v1.placeholder(tf.float32, [None, 4], name="x")
        labels = v1.placeholder(tf.int64, [None], name="labels")
        reg = layers.l2_regularizer(0.01)
        h = layers.fully_connected(x, 16, weights_regularizer=reg, scope="fc1")
        h = layers.layer_norm(h, scope="ln1")
        h = layers.fully_connected(h, 8, activation_fn=tf.tanh, scope="fc2")
        logits = tf.identity(layers.fully_connected(h, 3, activation_fn=None, scope="fc3"),
                             name="logits")
        loss = v1.losses.sparse_softmax_cross_entropy(labels, logits)
        loss = tf.identity(loss + v1.losses.get_regularization_loss(), name="loss")
        return {"x": x, "labels": labels, "logits": logits, "loss": loss}
    _export_trained(
        sc, build,
        lambda t, train: {t["x"]: FEATURES[:16] if train else X_PREDICT,
                          t["labels"]: LABELS3[:16] if train else LABELS3[:6]},
        lambda t: {"logits:0": t["logits"], "loss:0": t["loss"]})


SEQ = np.random.RandomState(44).standard_normal((3, 5, 2)).astype(np.float32)
SEQ_LEN = np.array([5, 3, 4], dtype=np.int32)


@scenario("tf_dynamic_rnn", "tf.nn.dynamic_rnn of an LSTMCell(4) over [3, 5, 2] sequences with "
          "sequence_length (a TF1 while loop: Enter/Merge/Switch/NextIteration/Exit, "
          "TensorArrayV3), last output -> dense(2); trained 3 SGD steps; model.ckpt(.meta), "
          "SavedModel, frozen.pb.", versions="tf1")
def tf_dynamic_rnn(sc):
    def build():
        x = v1.placeholder(tf.float32, [None, 5, 2], name="seq")
        lengths = v1.placeholder(tf.int32, [None], name="lengths")
        cell = v1.nn.rnn_cell.LSTMCell(4, name="lstm")
        _, state = v1.nn.dynamic_rnn(cell, x, sequence_length=lengths, dtype=tf.float32)
        out = tf.identity(v1.layers.dense(state.h, 2, name="dense"), name="out")
        loss = tf.identity(tf.reduce_mean(tf.square(out)), name="loss")
        return {"x": x, "lengths": lengths, "out": out, "loss": loss}
    _export_trained(
        sc, build,
        lambda t, train: {t["x"]: SEQ, t["lengths"]: SEQ_LEN},
        lambda t: {"out:0": t["out"], "loss:0": t["loss"]})


if __name__ == "__main__":
    main()
