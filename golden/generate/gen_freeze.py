"""Frozen GraphDefs: convert_variables_to_constants + import_graph_def."""
from _common import (TF1, graph_nodes, main, np, resource_variables, scenario, session, tf,
                     v1, var_outputs)

# freeze_graph's keyword for names kept as variables (renamed in TF 2.x).
DENYLIST = "variable_names_blacklist" if TF1 else "variable_names_denylist"


def _write_graph(graph_def, name, as_text=False):
    tf.io.write_graph(graph_def, ".", name, as_text=as_text)


def _freeze_add(sc):
    with sc.cwd():
        g = tf.Graph()
        with g.as_default():
            a = v1.Variable(1.0, name="v1")
            b = v1.Variable(2.0, name="v2")
            add = tf.add(a, b, name="add")
            with session(g) as sess:
                sess.run(v1.global_variables_initializer())
                sc.add_run("before_freeze", outputs={"add:0": (tf.float32, sess.run(add))},
                           what="session.run(add) on the variable graph")
                frozen = v1.graph_util.convert_variables_to_constants(
                    sess, g.as_graph_def(), ["add"])
        _write_graph(frozen, "combined_model.pb")
        _write_graph(frozen, "combined_model.pbtxt", as_text=True)
        sc.note("frozen_nodes", graph_nodes(frozen))

        gd = v1.GraphDef()
        with open("combined_model.pb", "rb") as f:
            gd.ParseFromString(f.read())
        g = tf.Graph()
        with g.as_default():
            (out,) = tf.import_graph_def(gd, return_elements=["add:0"])
            sc.note("imported_output_tensor_name", out.name)
            with session(g) as sess:
                sc.add_run("import_graph_def", outputs={out.name: (tf.float32, sess.run(out))},
                           what="import_graph_def(combined_model.pb, return_elements=['add:0'])")
        g = tf.Graph()
        with g.as_default():
            (out,) = tf.import_graph_def(gd, return_elements=["add:0"], name="")
            with session(g) as sess:
                sc.add_run("import_graph_def_no_prefix", outputs={out.name: (tf.float32, sess.run(out))},
                           what="import_graph_def(..., name='')", model="combined_model.pb")
            try:
                tf.import_graph_def(gd, return_elements=["missing:0"], name="again")
            except Exception as e:  # noqa: BLE001
                sc.add_error("import_missing_return_element", e,
                             "import_graph_def(combined_model.pb, return_elements=['missing:0'])")


@scenario("freeze_add",
          "convert_variables_to_constants of add = v1 + v2 (v1=1.0, v2=2.0; reference variables) "
          "with output 'add' -> combined_model.pb (+ .pbtxt); import_graph_def("
          "return_elements=['add:0']) evaluates to 3.0.")
def freeze_add(sc):
    _freeze_add(sc)


@scenario("freeze_add_resource",
          "As freeze_add with resource variables (VarHandleOp/ReadVariableOp are replaced by "
          "Const/Identity when frozen).")
def freeze_add_resource(sc):
    with resource_variables(True):
        _freeze_add(sc)


MLP_INPUTS = np.array([[0.0, 0.0, 0.0, 0.0],
                       [1.0, -1.0, 0.5, 2.0],
                       [-0.25, 0.75, -1.5, 0.125]], dtype=np.float32)


@scenario("freeze_mlp",
          "A 4 -> 8 (relu) -> 3 (softmax) MLP with fixed weights (numpy RandomState(0) normal*0.5, "
          "biases 0.1*k) frozen to frozen_mlp.pb with outputs 'probs' and 'logits'; outputs on "
          "fixed inputs before freezing and after import_graph_def.")
def freeze_mlp(sc):
    rng = np.random.RandomState(0)
    w1 = (rng.standard_normal((4, 8)) * 0.5).astype(np.float32)
    b1 = (np.arange(8) * 0.1 - 0.3).astype(np.float32)
    w2 = (rng.standard_normal((8, 3)) * 0.5).astype(np.float32)
    b2 = (np.arange(3) * 0.1).astype(np.float32)
    with sc.cwd():
        g = tf.Graph()
        with g.as_default():
            x = v1.placeholder(tf.float32, [None, 4], name="input")
            with v1.variable_scope("hidden"):
                W1 = v1.get_variable("weights", initializer=w1)
                B1 = v1.get_variable("biases", initializer=b1)
                h = tf.nn.relu(tf.matmul(x, W1) + B1, name="relu")
            with v1.variable_scope("out"):
                W2 = v1.get_variable("weights", initializer=w2)
                B2 = v1.get_variable("biases", initializer=b2)
                logits = tf.add(tf.matmul(h, W2), B2, name="logits_add")
            logits = tf.identity(logits, name="logits")
            probs = tf.nn.softmax(logits, name="probs")
            with session(g) as sess:
                sess.run(v1.global_variables_initializer())
                p, lg = sess.run([probs, logits], {x: MLP_INPUTS})
                sc.add_run("before_freeze", inputs={"input:0": (tf.float32, MLP_INPUTS)},
                           outputs={"probs:0": (tf.float32, p), "logits:0": (tf.float32, lg)},
                           what="session.run on the variable graph",
                           model="model.ckpt.meta", checkpoint="model.ckpt")
                sc.add_run("weights", outputs=var_outputs(sess, [W1, B1, W2, B2]),
                           what="the fixed weights")
                v1.train.Saver().save(sess, "model.ckpt")
                frozen = v1.graph_util.convert_variables_to_constants(
                    sess, g.as_graph_def(), ["probs", "logits"])
        _write_graph(frozen, "frozen_mlp.pb")
        sc.note("frozen_nodes", graph_nodes(frozen))
        gd = v1.GraphDef()
        with open("frozen_mlp.pb", "rb") as f:
            gd.ParseFromString(f.read())
        g = tf.Graph()
        with g.as_default():
            inp = v1.placeholder(tf.float32, [None, 4], name="fed")
            p_t, l_t = tf.import_graph_def(gd, input_map={"input:0": inp},
                                           return_elements=["probs:0", "logits:0"], name="frozen")
            with session(g) as sess:
                p, lg = sess.run([p_t, l_t], {inp: MLP_INPUTS})
                sc.add_run("import_graph_def", inputs={"input:0": (tf.float32, MLP_INPUTS)},
                           outputs={p_t.name: (tf.float32, p), l_t.name: (tf.float32, lg)},
                           what="import_graph_def(frozen_mlp.pb, input_map={'input:0': fed}, "
                                "name='frozen')")
    sc.add_checkpoint("model.ckpt")


@scenario("freeze_graph_tool",
          "TF's freeze_graph tool (tensorflow/python/tools/freeze_graph.py) on a 3 -> 4 (tanh) -> 2 "
          "MLP with fixed weights (numpy RandomState(1)): from model.ckpt.meta + model.ckpt with "
          "output 'out' -> frozen_from_meta.pb (the MetaGraph's graph_def, so nodes keep "
          "_output_shapes); the same with variable_names_denylist='layer2/bias' -> "
          "frozen_denylist.pb; from the simple_save SavedModel saved_model/ (tag serve) -> "
          "frozen_from_saved_model.pb. Outputs of each frozen graph on fixed inputs.")
def freeze_graph_tool(sc):
    from tensorflow.python.tools import freeze_graph as fg
    rng = np.random.RandomState(1)
    w1 = rng.standard_normal((3, 4)).astype(np.float32)
    b1 = rng.standard_normal(4).astype(np.float32)
    w2 = rng.standard_normal((4, 2)).astype(np.float32)
    b2 = rng.standard_normal(2).astype(np.float32)
    inputs = np.array([[0.5, -1.0, 2.0], [0.0, 0.25, -0.75]], dtype=np.float32)
    with sc.cwd():
        g = tf.Graph()
        with g.as_default():
            x = v1.placeholder(tf.float32, [None, 3], name="x")
            with v1.variable_scope("layer1"):
                h = tf.tanh(tf.matmul(x, v1.get_variable("kernel", initializer=w1))
                            + v1.get_variable("bias", initializer=b1), name="tanh")
            with v1.variable_scope("layer2"):
                y = tf.add(tf.matmul(h, v1.get_variable("kernel", initializer=w2)),
                           v1.get_variable("bias", initializer=b2), name="add")
            out = tf.identity(y, name="out")
            with session(g) as sess:
                sess.run(v1.global_variables_initializer())
                sc.add_run("before_freeze", inputs={"x:0": (tf.float32, inputs)},
                           outputs={"out:0": (tf.float32, sess.run(out, {x: inputs}))},
                           what="session.run on the variable graph",
                           model="model.ckpt.meta", checkpoint="model.ckpt")
                v1.train.Saver().save(sess, "model.ckpt")
                v1.saved_model.simple_save(sess, "saved_model", inputs={"x": x},
                                           outputs={"out": out})
        common = dict(input_graph=None, input_saver=None, input_binary=True,
                      output_node_names="out", restore_op_name=None, filename_tensor_name=None,
                      clear_devices=True, initializer_nodes="")
        # freeze_graph works in the default graph: a fresh one per call, as
        # for one run of the command-line tool.
        with tf.Graph().as_default():
            fg.freeze_graph(input_checkpoint="model.ckpt", output_graph="frozen_from_meta.pb",
                            input_meta_graph="model.ckpt.meta", **common)
        with tf.Graph().as_default():
            fg.freeze_graph(input_checkpoint="model.ckpt", output_graph="frozen_denylist.pb",
                            input_meta_graph="model.ckpt.meta",
                            **dict(common, **{DENYLIST: "layer2/bias"}))
        with tf.Graph().as_default():
            fg.freeze_graph(input_checkpoint=None, output_graph="frozen_from_saved_model.pb",
                            input_saved_model_dir="saved_model", saved_model_tags="serve",
                            **common)
        for name in ("frozen_from_meta.pb", "frozen_from_saved_model.pb"):
            gd = v1.GraphDef()
            with open(name, "rb") as f:
                gd.ParseFromString(f.read())
            sc.note(name, graph_nodes(gd))
            g = tf.Graph()
            with g.as_default():
                (o,) = tf.import_graph_def(gd, return_elements=["out:0"], name="")
                with session(g) as sess:
                    sc.add_run(name, inputs={"x:0": (tf.float32, inputs)},
                               outputs={"out:0": (tf.float32, sess.run(o, {"x:0": inputs}))},
                               what="import_graph_def(%s, name='') run on the fixed inputs" % name,
                               model=name)
    sc.add_checkpoint("model.ckpt")
    sc.add_checkpoint("saved_model/variables/variables")


if __name__ == "__main__":
    main()
