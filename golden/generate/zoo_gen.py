"""The model zoo (golden/zoo/): small but real models, as people save them.

Keras 3 models (every core layer family) exported with model.export() as TF2
SavedModels, a TF1 graph built with tf.nn ops exported as .meta + checkpoint,
SavedModel and frozen graph, and TF's outputs on fixed inputs for each.
Weights are fixed (numpy RandomState), not trained: the zoo is about which
ops real models use and what TF computes with them.

Run by `golden/generate/generate_all.sh --zoo` (the corpus's gen_*.py glob
leaves this file out): the zoo has its own MANIFEST
(golden/zoo/MANIFEST.json, same schema as golden/MANIFEST.json) so that it
can be regenerated independently of the main corpus.

Each scenario records:
  runs:  "serving_default": the inputs fed and the outputs of TF's own
         loader calling the signature (tf.saved_model.load(...).signatures);
         for TF1 graphs "session_run" (v1.Session on the .meta + checkpoint)
         and "frozen" (the frozen GraphDef imported and run);
  notes: "ops": the sorted op types of the graph and its function library
         (the op census of docs/OPS.md).
"""
import os

from _common import main, np, resource_variables, scenario, session, tf, v1
from _zoo import export_tf1, ops_of

import keras  # noqa: E402  (Keras 3, pinned in tools/oracle/requirements.txt)
from keras import layers  # noqa: E402


def _sorted_variables_used_by_fns(original):
    """Keras' export lists the variables its endpoints capture in the
    function graphs' capture order, which varies from run to run (and with
    it the '_all_variables/N' checkpoint keys and saved_model.pb); sort them
    by name so the files repeat."""
    def wrapped(fns):
        tvs, ntvs = original(fns)
        return sorted(tvs, key=lambda v: v.name), sorted(ntvs, key=lambda v: v.name)
    return wrapped


from keras.src.export import saved_model_export_archive as _export_archive  # noqa: E402

_export_archive._list_variables_used_by_fns = _sorted_variables_used_by_fns(
    _export_archive._list_variables_used_by_fns)


def _weights_for(model, seed):
    """Fixed weights: normal * 0.5 for kernels, small positive variances."""
    rng = np.random.RandomState(seed)
    out = []
    for w in model.weights:
        shape = tuple(int(d) for d in w.shape)
        name = w.path if hasattr(w, "path") else w.name
        if "moving_variance" in name or "variance" in name.split("/")[-1]:
            val = rng.uniform(0.5, 1.5, shape)
        elif w.dtype == "int64" or w.dtype == "int32":
            val = np.zeros(shape)
        else:
            val = rng.standard_normal(shape) * 0.5
        out.append(val.astype(w.dtype))
    return out


# Keras names the functions it exports __inference_<name>_<N> with N from
# TF's process-global uid counter, which other work in the process also
# advances (not always the same amount), and convert_variables_to_constants_v2
# emits the frozen graph's nodes in an order that changes from run to run:
# same models, other bytes. The engine's tests compare contents, not bytes.
KERAS_UIDS = ("Keras numbers exported functions (__inference_*_N) from TF's process-global "
              "uid counter, which shifts from run to run: same functions, other names")
FROZEN_ORDER = ("convert_variables_to_constants_v2 emits the frozen graph's nodes in an "
                "order that changes from run to run: same nodes, other bytes")


def _keras_model(sc, model, inputs, seed, frozen=False):
    """Export `model` (weights fixed) to saved_model/ and record the
    serving_default outputs TF's loader computes on `inputs` ({name: array})."""
    model.set_weights(_weights_for(model, seed))
    with sc.cwd():
        model.export("saved_model", format="tf_saved_model", verbose=False)
        sc.mark_nondeterministic("saved_model/fingerprint.pb",
                                 "tf.saved_model.save writes a random uuid into fingerprint.pb")
        sc.mark_nondeterministic("saved_model/saved_model.pb", KERAS_UIDS)
        loaded = tf.saved_model.load("saved_model")
        fn = loaded.signatures["serving_default"]
        feed = {k: tf.constant(v) for k, v in inputs.items()}
        out = fn(**feed)
        spec = fn.structured_input_signature[1]
        sc.add_run("serving_default",
                   inputs={k: (spec[k].dtype, v) for k, v in inputs.items()},
                   outputs={k: (t.dtype, t.numpy()) for k, t in sorted(out.items())},
                   what="tf.saved_model.load('saved_model').signatures['serving_default'](**inputs)")
        eager = model([tf.constant(v) for v in inputs.values()]) if len(inputs) > 1 \
            else model(tf.constant(next(iter(inputs.values()))))
        sc.add_run("keras_call", inputs={k: (spec[k].dtype, v) for k, v in inputs.items()},
                   outputs={"output": (tf.float32, np.asarray(eager))},
                   what="model(inputs) eagerly (Keras 3), for comparison with the signature")
        sc.note("signature_inputs", {k: [spec[k].dtype.name, spec[k].shape.as_list()]
                                     for k in sorted(spec)})
        sc.note("signature_outputs", sorted(out))
        sc.note("ops", ops_of(saved_model_pb="saved_model/saved_model.pb"))
        if frozen:
            from tensorflow.python.framework import convert_to_constants
            cf = loaded.signatures["serving_default"]
            frozen_fn = convert_to_constants.convert_variables_to_constants_v2(cf)
            gd = frozen_fn.graph.as_graph_def()
            tf.io.write_graph(gd, ".", "frozen.pb", as_text=False)
            sc.mark_nondeterministic("frozen.pb", FROZEN_ORDER)
            sc.note("frozen_inputs", [t.name for t in frozen_fn.inputs])
            sc.note("frozen_outputs", [t.name for t in frozen_fn.outputs])
            sc.note("frozen_ops", ops_of(graph_def=gd))
    sc.add_checkpoint("saved_model/variables/variables")


def _fresh():
    """Keras state that leaks into the files: layer-name counters (names
    would depend on which models ran before) and the random seeds of seed
    generators (Dropout's state variable is saved)."""
    keras.backend.clear_session()
    keras.utils.set_random_seed(1234)


def _x(seed, shape, dtype=np.float32):
    return np.random.RandomState(seed).standard_normal(shape).astype(dtype)


@scenario("keras_mlp", "Keras 3 Sequential MLP: Dense(16, relu) -> Dropout(0.5) -> "
          "Dense(8, tanh) -> Dense(4, softmax); model.export() + frozen serving_default.")
def keras_mlp(sc):
    _fresh()
    model = keras.Sequential([
        keras.Input((8,), name="features"),
        layers.Dense(16, activation="relu"),
        layers.Dropout(0.5),
        layers.Dense(8, activation="tanh"),
        layers.Dense(4, activation="softmax"),
    ])
    _keras_model(sc, model, {"features": _x(1, (5, 8))}, seed=11, frozen=True)


@scenario("keras_activations", "Keras 3: Dense(6) followed by one Activation layer per common "
          "activation (relu, sigmoid, tanh, softmax, elu, selu, softplus, softsign, silu, gelu, "
          "relu6, leaky_relu, hard_sigmoid, exponential, linear), concatenated.")
def keras_activations(sc):
    _fresh()
    x = keras.Input((6,), name="x")
    h = layers.Dense(6)(x)
    acts = ["relu", "sigmoid", "tanh", "softmax", "elu", "selu", "softplus", "softsign", "silu",
            "gelu", "relu6", "leaky_relu", "hard_sigmoid", "exponential", "linear"]
    y = layers.Concatenate()([layers.Activation(a, name="act_" + a)(h) for a in acts])
    model = keras.Model(x, y)
    sc.note("output_columns", {"per_activation": 6, "activations": acts})
    # 40 rows: TF's vectorized and scalar code paths (vectors shorter than a
    # SIMD packet) both appear.
    _keras_model(sc, model, {"x": _x(2, (40, 6)) * 3}, seed=12)


@scenario("keras_cnn2d", "Keras 3 image CNN: Conv2D(4, 3, same, relu) -> BatchNormalization -> "
          "MaxPooling2D(2) -> Conv2D(6, 3, valid) -> AveragePooling2D(2, strides 1) -> "
          "GlobalAveragePooling2D -> Dense(3).")
def keras_cnn2d(sc):
    _fresh()
    model = keras.Sequential([
        keras.Input((10, 10, 3), name="image"),
        layers.Conv2D(4, 3, padding="same", activation="relu"),
        layers.BatchNormalization(),
        layers.MaxPooling2D(2),
        layers.Conv2D(6, 3, padding="valid"),
        layers.AveragePooling2D(2, strides=1),
        layers.GlobalAveragePooling2D(),
        layers.Dense(3),
    ])
    _keras_model(sc, model, {"image": _x(3, (2, 10, 10, 3))}, seed=13, frozen=True)


@scenario("keras_cnn1d", "Keras 3 sequence CNN: Conv1D(8, 3, relu) -> MaxPooling1D(2) -> "
          "Conv1D(8, 3, strides 2, same) -> GlobalAveragePooling1D -> Dense(2).")
def keras_cnn1d(sc):
    _fresh()
    model = keras.Sequential([
        keras.Input((16, 4), name="seq"),
        layers.Conv1D(8, 3, activation="relu"),
        layers.MaxPooling1D(2),
        layers.Conv1D(8, 3, strides=2, padding="same"),
        layers.GlobalAveragePooling1D(),
        layers.Dense(2),
    ])
    _keras_model(sc, model, {"seq": _x(4, (3, 16, 4))}, seed=14)


@scenario("keras_separable", "Keras 3: DepthwiseConv2D(3, depth_multiplier 2) -> "
          "SeparableConv2D(6, 3, same) -> LayerNormalization -> GlobalMaxPooling2D -> Dense(2).")
def keras_separable(sc):
    _fresh()
    model = keras.Sequential([
        keras.Input((8, 8, 4), name="image"),
        layers.DepthwiseConv2D(3, depth_multiplier=2),
        layers.SeparableConv2D(6, 3, padding="same"),
        layers.LayerNormalization(),
        layers.GlobalMaxPooling2D(),
        layers.Dense(2),
    ])
    _keras_model(sc, model, {"image": _x(5, (2, 8, 8, 4))}, seed=15)


@scenario("keras_embedding", "Keras 3 text model: Embedding(20, 4) -> Flatten -> "
          "Dense(3); int32 token ids.")
def keras_embedding(sc):
    _fresh()
    model = keras.Sequential([
        keras.Input((6,), dtype="int32", name="tokens"),
        layers.Embedding(20, 4),
        layers.Flatten(),
        layers.Dense(3),
    ])
    tokens = np.random.RandomState(6).randint(0, 20, (4, 6)).astype(np.int32)
    _keras_model(sc, model, {"tokens": tokens}, seed=16, frozen=True)


@scenario("keras_merge", "Keras 3 functional model with two inputs: Dense branches merged "
          "by Concatenate, Add and Multiply, Reshape((3, 4)) -> Flatten -> Dense(2).")
def keras_merge(sc):
    _fresh()
    a = keras.Input((6,), name="a")
    b = keras.Input((6,), name="b")
    da = layers.Dense(4, activation="relu")(a)
    db = layers.Dense(4, activation="sigmoid")(b)
    m = layers.Concatenate()([layers.Add()([da, db]), layers.Multiply()([da, db]), da])
    r = layers.Reshape((3, 4))(m)
    y = layers.Dense(2)(layers.Flatten()(r))
    model = keras.Model([a, b], y)
    _keras_model(sc, model, {"a": _x(7, (3, 6)), "b": _x(8, (3, 6))}, seed=17)


@scenario("keras_simple_rnn", "Keras 3 SimpleRNN(5) over 6 time steps -> Dense(2): a TF2 "
          "functional While loop whose body reads and writes TensorLists.")
def keras_simple_rnn(sc):
    _fresh()
    model = keras.Sequential([
        keras.Input((6, 3), name="seq"),
        layers.SimpleRNN(5),
        layers.Dense(2),
    ])
    _keras_model(sc, model, {"seq": _x(31, (3, 6, 3))}, seed=21)


@scenario("keras_lstm", "Keras 3 LSTM(4, return_sequences) -> LSTM(3) -> Dense(2) over 7 "
          "time steps: two While loops (TensorList in and out); model.export() + frozen "
          "serving_default.")
def keras_lstm(sc):
    _fresh()
    model = keras.Sequential([
        keras.Input((7, 3), name="seq"),
        layers.LSTM(4, return_sequences=True),
        layers.LSTM(3),
        layers.Dense(2),
    ])
    _keras_model(sc, model, {"seq": _x(32, (2, 7, 3))}, seed=22, frozen=True)


@scenario("keras_gru", "Keras 3 GRU(4, reset_after) over 5 time steps, returning sequences "
          "-> Flatten -> Dense(2).")
def keras_gru(sc):
    _fresh()
    model = keras.Sequential([
        keras.Input((5, 3), name="seq"),
        layers.GRU(4, return_sequences=True),
        layers.Flatten(),
        layers.Dense(2),
    ])
    _keras_model(sc, model, {"seq": _x(33, (3, 5, 3))}, seed=23)


@scenario("keras_cnn3d", "Keras 3 volume CNN: Conv3D(4, 3, relu) -> MaxPooling3D(2) -> "
          "Conv3D(3, 2, strides 2, same) -> GlobalAveragePooling3D -> Dense(2).")
def keras_cnn3d(sc):
    _fresh()
    model = keras.Sequential([
        keras.Input((6, 6, 6, 2), name="volume"),
        layers.Conv3D(4, 3, activation="relu"),
        layers.MaxPooling3D(2),
        layers.Conv3D(3, 2, strides=2, padding="same"),
        layers.GlobalAveragePooling3D(),
        layers.Dense(2),
    ])
    _keras_model(sc, model, {"volume": _x(34, (2, 6, 6, 6, 2))}, seed=24)


@scenario("keras_attention", "Keras 3 attention over a [5, 8] sequence: MultiHeadAttention(2 heads, "
          "key_dim 4) self-attention (EinsumDense projections: BatchMatMulV2; scores and "
          "context: Einsum), residual + LayerNormalization, Dense(8) queries into Attention "
          "(dot-product) and AdditiveAttention over the normalised sequence, Concatenate, "
          "GlobalAveragePooling1D -> Dense(3); model.export() + frozen serving_default.")
def keras_attention(sc):
    _fresh()
    x = keras.Input((5, 8), name="seq")
    h = layers.LayerNormalization()(layers.MultiHeadAttention(num_heads=2, key_dim=4)(x, x) + x)
    q = layers.Dense(8)(h)
    ctx = layers.Concatenate()([layers.Attention()([q, h]), layers.AdditiveAttention()([q, h])])
    y = layers.Dense(3)(layers.GlobalAveragePooling1D()(ctx))
    _keras_model(sc, keras.Model(x, y), {"seq": _x(35, (3, 5, 8))}, seed=25, frozen=True)


class _RowGate(layers.Layer):
    """Per row (tf.map_fn: a While loop over TensorLists), tf.cond on the
    row's sum: a StatelessIf in the loop body, which takes both branches
    over the rows. The condition is a tensor value, so TF cannot fold it
    away. (No tf.switch_case: TF's convert_variables_to_constants_v2 lowers
    every Case to _SwitchN / Merge even with lower_control_flow=False, which
    tfckpt's freeze does not do, so the oracle tier's structural check of
    tfckpt's frozen graph against TF's would fail on it.)"""

    def call(self, h):
        return tf.map_fn(lambda row: tf.cond(tf.reduce_sum(row) > 1.0,
                                             lambda: tf.nn.relu(row) * 2.0,
                                             lambda: tf.tanh(row)), h)


@scenario("keras_cond", "Keras 3: Dense(3) -> a layer applying tf.cond per row inside "
          "tf.map_fn (a StatelessIf in a StatelessWhile body; both branches taken) -> "
          "Dense(2); model.export() + frozen serving_default (If and loop lowered to "
          "Switch / Merge and frames).")
def keras_cond(sc):
    _fresh()
    x = keras.Input((4,), name="x")
    y = layers.Dense(2)(_RowGate()(layers.Dense(3)(x)))
    _keras_model(sc, keras.Model(x, y), {"x": _x(36, (5, 4))}, seed=26, frozen=True)


TF1_X = np.random.RandomState(9).standard_normal((4, 8, 8, 1)).astype(np.float32)
TF1_LABELS = np.array([0, 2, 1, 2], dtype=np.int64)


def _tf1_cnn_graph(rng):
    """TF1-era CNN on tf.nn: conv + fused batch norm (inference) + relu +
    max pool, unfused batch norm (Rsqrt), flatten, dense, softmax, and the
    sparse cross-entropy loss."""
    def var(name, shape, scale=0.5, low=None):
        val = rng.uniform(low, 1.5, shape) if low is not None else rng.standard_normal(shape) * scale
        return v1.get_variable(name, initializer=val.astype(np.float32))
    x = v1.placeholder(tf.float32, [None, 8, 8, 1], name="images")
    labels = v1.placeholder(tf.int64, [None], name="labels")
    with v1.variable_scope("conv1"):
        w = var("weights", [3, 3, 1, 4])
        b = var("biases", [4])
        h = tf.nn.bias_add(tf.nn.conv2d(x, w, strides=[1, 1, 1, 1], padding="SAME"), b)
        gamma, beta = var("gamma", [4]), var("beta", [4])
        mean, variance = var("moving_mean", [4]), var("moving_variance", [4], low=0.5)
        h, _, _ = v1.nn.fused_batch_norm(h, gamma, beta, mean=mean, variance=variance,
                                         epsilon=1e-3, is_training=False)
        h = tf.nn.relu(h)
        h = tf.nn.max_pool2d(h, ksize=2, strides=2, padding="VALID")
    with v1.variable_scope("bn2"):
        gamma, beta = var("gamma", [4]), var("beta", [4])
        mean, variance = var("moving_mean", [4]), var("moving_variance", [4], low=0.5)
        h = tf.nn.batch_normalization(h, mean, variance, beta, gamma, 1e-3)
    flat = tf.reshape(h, [-1, 4 * 4 * 4])
    with v1.variable_scope("dense"):
        w = var("weights", [64, 3])
        b = var("biases", [3])
        logits = tf.matmul(flat, w) + b
    logits = tf.identity(logits, name="logits")
    probs = tf.nn.softmax(logits, name="probs")
    classes = tf.argmax(logits, axis=1, name="classes")
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=labels, logits=logits), name="loss")
    return x, labels, {"logits:0": logits, "probs:0": probs, "classes:0": classes, "loss:0": loss}


@scenario("tf1_cnn", "TF1 graph (reference variables) on tf.nn: conv2d + bias_add, "
          "fused_batch_norm (inference: FusedBatchNormV3), relu, max_pool, batch_normalization "
          "(unfused: Rsqrt), reshape, matmul, softmax, argmax, "
          "sparse_softmax_cross_entropy_with_logits; saved as model.ckpt(.meta), a SavedModel "
          "(SavedModelBuilder, signature serving_default) and frozen.pb.")
def tf1_cnn(sc):
    rng = np.random.RandomState(19)
    with sc.cwd(), resource_variables(False):
        g = tf.Graph()
        with g.as_default():
            x, labels, outs = _tf1_cnn_graph(rng)
            with session(g) as sess:
                sess.run(v1.global_variables_initializer())
                export_tf1(sc, g, sess, {x: TF1_X, labels: TF1_LABELS}, outs)


TF1_IDS = np.array([[1, 4, 4, 0, 9], [7, 3, 2, 8, 5], [0, 0, 1, 1, 6]], dtype=np.int64)


@scenario("tf1_embedding", "TF1 graph with resource variables: tf.nn.embedding_lookup "
          "(ResourceGather) of int64 ids, position weights from tf.range over the dynamic "
          "sequence length, expand_dims, reduce_mean over the sequence, squeeze, matmul; "
          "saved as model.ckpt(.meta) and frozen.pb (run).")
def tf1_embedding(sc):
    rng = np.random.RandomState(29)
    with sc.cwd(), resource_variables(True):
        g = tf.Graph()
        with g.as_default():
            ids = v1.placeholder(tf.int64, [None, None], name="ids")
            emb = v1.get_variable("embeddings",
                                  initializer=(rng.standard_normal((10, 4)) * 0.5).astype(np.float32))
            w = v1.get_variable("dense/kernel",
                                initializer=(rng.standard_normal((4, 2)) * 0.5).astype(np.float32))
            vecs = tf.nn.embedding_lookup(emb, ids)                     # [b, n, 4]
            n = tf.shape(ids)[1]
            pos = tf.cast(tf.range(1, n + 1), tf.float32) / tf.cast(n, tf.float32)
            weighted = vecs * tf.expand_dims(tf.expand_dims(pos, 0), -1)
            pooled = tf.reduce_mean(weighted, axis=1, keepdims=True)   # [b, 1, 4]
            flat = tf.squeeze(pooled, axis=[1])
            out = tf.identity(tf.matmul(flat, w), name="scores")
            with session(g) as sess:
                sess.run(v1.global_variables_initializer())
                export_tf1(sc, g, sess, {ids: TF1_IDS}, {"scores:0": out}, saved_model=False)


if __name__ == "__main__":
    main(graph_mode=False)
