"""MetaGraphDef export/import scenarios and tensor-field binding."""
import json

from _common import main, np, read_text, scenario, session, tf, v1, var_outputs

X_VALUES = np.array([[1.0, 2.0], [-3.0, 0.5]], dtype=np.float32)


def _collections(g, keys):
    out = {}
    for k in keys:
        items = g.get_collection(k)
        vals = []
        for it in items:
            if hasattr(it, "name") and not isinstance(it, (bytes, str)):
                vals.append({"kind": type(it).__name__, "name": it.name})
            elif isinstance(it, bytes):
                vals.append({"kind": "bytes", "hex": it.hex()})
            else:
                vals.append(it)
        out[k] = vals
    return out


def _devices(g, names):
    return {n: g.get_operation_by_name(n).device for n in names}


CUSTOM_KEYS = ["my_custom_collection", "my_int64s", "my_floats", "my_bytes", "my_strings"]


@scenario("meta_graph",
          "A graph y = x @ w + b (w [2,2], b [2], non-trainable step) with ops on /device:CPU:0 "
          "and custom collections (node list 'my_custom_collection', int64, float, bytes, str), "
          "saved as model.ckpt(.meta); exported again with export_meta_graph (binary, text, "
          "clear_devices=True, export_scope); import_meta_graph + restore from "
          "latest_checkpoint without rebuilding the graph, with and without import_scope and "
          "clear_devices.")
def meta_graph(sc):
    with sc.cwd():
        g = tf.Graph()
        with g.as_default():
            with tf.device("/device:CPU:0"):
                x = v1.placeholder(tf.float32, [None, 2], name="x")
                with v1.variable_scope("model"):
                    w = v1.get_variable("w", initializer=tf.constant([[1.0, -2.0], [0.5, 3.0]]))
                    b = v1.get_variable("b", initializer=tf.constant([0.25, -0.75]))
                    y = tf.add(tf.matmul(x, w), b, name="y")
                step = v1.Variable(42, dtype=tf.int64, name="step", trainable=False)
            g.add_to_collection("my_custom_collection", y)
            g.add_to_collection("my_custom_collection", w)
            g.add_to_collection("my_custom_collection", x.op)
            for i in (7, -3, 2 ** 40):
                g.add_to_collection("my_int64s", i)
            for f in (1.5, -0.1):
                g.add_to_collection("my_floats", f)
            g.add_to_collection("my_bytes", b"hello\x00world")
            g.add_to_collection("my_bytes", b"model/y")
            g.add_to_collection("my_strings", "unicod\u00e9")
            saver = v1.train.Saver()
            with session(g) as sess:
                sess.run(v1.global_variables_initializer())
                yv = sess.run(y, {x: X_VALUES})
                sc.add_run("before_save", inputs={"x:0": (tf.float32, X_VALUES)},
                           outputs={"model/y:0": (tf.float32, yv)}, what="original graph")
                sc.add_run("variables", outputs=var_outputs(sess, [w, b, step]),
                           what="variable values saved")
                saver.save(sess, "model.ckpt")
            sc.note("collections_before_export", _collections(
                g, CUSTOM_KEYS + ["trainable_variables", "variables"]))
            sc.note("collection_keys_before_export", sorted(g.get_all_collection_keys()))
            v1.train.export_meta_graph(filename="exported.meta", graph=g)
            v1.train.export_meta_graph(filename="exported.meta.pbtxt", graph=g, as_text=True)
            v1.train.export_meta_graph(filename="exported_clear_devices.meta", graph=g,
                                       clear_devices=True)
            v1.train.export_meta_graph(filename="exported_scope_model.meta", graph=g,
                                       export_scope="model")
            sc.note("devices_in_original_graph", _devices(g, ["x", "model/y", "model/w"]))
        sc.note("checkpoint_file_text", read_text("checkpoint"))

        latest = v1.train.latest_checkpoint(".")
        sc.note("latest_checkpoint", latest)

        for label, kwargs, prefix in (
                ("import_meta_graph", {}, ""),
                ("import_meta_graph_import_scope", {"import_scope": "imported"}, "imported/"),
                ("import_meta_graph_clear_devices", {"clear_devices": True}, "")):
            g = tf.Graph()
            with g.as_default():
                saver = v1.train.import_meta_graph("model.ckpt.meta", **kwargs)
                xt = g.get_tensor_by_name(prefix + "x:0")
                yt = g.get_tensor_by_name(prefix + "model/y:0")
                with session(g) as sess:
                    saver.restore(sess, latest)
                    yv = sess.run(yt, {xt: X_VALUES})
                    tv = v1.trainable_variables()
                    sc.add_run(label, inputs={xt.name: (tf.float32, X_VALUES)},
                               outputs={yt.name: (tf.float32, yv)},
                               what="import_meta_graph('model.ckpt.meta', %s) + restore(latest_checkpoint)"
                                    % ", ".join("%s=%r" % kv for kv in kwargs.items()),
                               variables=var_outputs_records(sess, v1.global_variables()))
                sc.note(label + ": collections", _collections(
                    g, CUSTOM_KEYS + ["trainable_variables", "variables"]))
                sc.note(label + ": trainable_variables", [t.name for t in tv])
                sc.note(label + ": devices", _devices(
                    g, [prefix + "x", prefix + "model/y", prefix + "model/w"]))
                sc.note(label + ": saver_def", {
                    "filename_tensor_name": saver.saver_def.filename_tensor_name,
                    "save_tensor_name": saver.saver_def.save_tensor_name,
                    "restore_op_name": saver.saver_def.restore_op_name,
                    "version": v1.train.SaverDef.CheckpointFormatVersion.Name(saver.saver_def.version),
                    "sharded": saver.saver_def.sharded,
                    "max_to_keep": saver.saver_def.max_to_keep,
                    "keep_checkpoint_every_n_hours": saver.saver_def.keep_checkpoint_every_n_hours,
                })

        # Importing the export_scope'd meta graph: x is an unbound input.
        g = tf.Graph()
        with g.as_default():
            try:
                v1.train.import_meta_graph("exported_scope_model.meta")
            except Exception as e:  # noqa: BLE001
                sc.add_error("import_export_scope_without_input_map", e,
                             "import_meta_graph('exported_scope_model.meta') whose graph refers "
                             "to the unbound input x")
        g = tf.Graph()
        with g.as_default():
            xin = v1.placeholder(tf.float32, [None, 2], name="new_x")
            v1.train.import_meta_graph("exported_scope_model.meta", import_scope="m2",
                                       input_map={"$unbound_inputs_x": xin})
            sc.note("export_scope import: op names", sorted(
                op.name for op in g.get_operations() if op.name.startswith("m2/"))[:40])
        # A bytes collection value that is not UTF-8 exports fine but fails on import.
        g = tf.Graph()
        with g.as_default():
            v1.Variable(1.0, name="v")
            g.add_to_collection("my_bytes", b"\xff\xfe")
            v1.train.export_meta_graph(filename="nonutf8_bytes_collection.meta", graph=g)
        for label, kwargs in (("", {}), (" import_scope='s'", {"import_scope": "s"})):
            g = tf.Graph()
            with g.as_default():
                try:
                    v1.train.import_meta_graph("nonutf8_bytes_collection.meta", **kwargs)
                    sc.note("nonutf8_bytes_collection import" + label, _collections(g, ["my_bytes"]))
                except Exception as e:  # noqa: BLE001
                    sc.add_error("import_nonutf8_bytes_collection" + label.replace(" ", "_").replace("'", ""),
                                 e, "import_meta_graph('nonutf8_bytes_collection.meta'%s) whose "
                                    "bytes_list collection 'my_bytes' holds b'\\xff\\xfe'"
                                    % label.replace(" ", ", "))
        try:
            v1.train.import_meta_graph("does_not_exist.meta")
        except Exception as e:  # noqa: BLE001
            sc.add_error("import_missing_file", e, "import_meta_graph('does_not_exist.meta')")
    sc.add_checkpoint("model.ckpt")


def var_outputs_records(sess, variables):
    from tforacle.manifest import tensor_map
    return tensor_map(var_outputs(sess, variables))


class Model:
    """A model object whose fields are graph tensors/operations."""
    FIELDS = ("x", "labels", "w", "b", "logits", "probs", "loss", "train_op", "global_step")

    def __init__(self, **fields):
        for k in self.FIELDS:
            setattr(self, k, fields.get(k))

    def binding(self):
        return {k: getattr(self, k).name for k in self.FIELDS}

    @classmethod
    def rebind(cls, graph, binding):
        fields = {}
        for k, name in binding.items():
            fields[k] = (graph.get_tensor_by_name(name) if ":" in name
                         else graph.get_operation_by_name(name))
        return cls(**fields)


FB_X = np.array([[0.5, -1.0, 2.0], [1.0, 1.0, 1.0]], dtype=np.float32)
FB_LABELS = np.array([2, 0], dtype=np.int64)


@scenario("field_binding",
          "A Model object whose fields (x, labels, w, b, logits, probs, loss, train_op, "
          "global_step) are graph tensors/ops, serialised as binding.json (field -> tensor or "
          "op name) next to model.ckpt(.meta); rebound after import_meta_graph and run "
          "(forward pass, then one SGD step with learning rate 0.5).")
def field_binding(sc):
    with sc.cwd():
        g = tf.Graph()
        with g.as_default():
            x = v1.placeholder(tf.float32, [None, 3], name="x")
            labels = v1.placeholder(tf.int64, [None], name="labels")
            w = v1.get_variable("w", initializer=tf.constant(
                [[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]] + [[0.0, 0.0]] * 0))
            w3 = v1.get_variable("w_out", initializer=tf.constant([[1.0, 0.0, -1.0], [0.5, 0.5, 0.5]]))
            b = v1.get_variable("b", initializer=tf.constant([0.0, 0.1, -0.1]))
            logits = tf.add(tf.matmul(tf.matmul(x, w), w3), b, name="logits")
            probs = tf.nn.softmax(logits, name="probs")
            loss = tf.reduce_mean(
                tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits),
                name="loss")
            gs = v1.train.get_or_create_global_step()
            train_op = v1.train.GradientDescentOptimizer(0.5).minimize(
                loss, global_step=gs, name="train")
            model = Model(x=x, labels=labels, w=w, b=b, logits=logits, probs=probs, loss=loss,
                          train_op=train_op, global_step=gs)
            with open("binding.json", "w", encoding="utf-8") as f:
                json.dump(model.binding(), f, indent=1, sort_keys=True)
                f.write("\n")
            saver = v1.train.Saver()
            with session(g) as sess:
                sess.run(v1.global_variables_initializer())
                pr, lo = sess.run([model.probs, model.loss], {x: FB_X, labels: FB_LABELS})
                sc.add_run("original_forward",
                           inputs={"x:0": (tf.float32, FB_X), "labels:0": (tf.int64, FB_LABELS)},
                           outputs={"probs:0": (tf.float32, pr), "loss:0": (tf.float32, lo)},
                           what="forward pass in the original graph")
                saver.save(sess, "model.ckpt")
        sc.note("binding", json.loads(read_text("binding.json")))

        g = tf.Graph()
        with g.as_default():
            saver = v1.train.import_meta_graph("model.ckpt.meta")
            with open("binding.json", encoding="utf-8") as f:
                m = Model.rebind(g, json.load(f))
            with session(g) as sess:
                saver.restore(sess, "model.ckpt")
                feed = {m.x: FB_X, m.labels: FB_LABELS}
                pr, lo = sess.run([m.probs, m.loss], feed)
                sc.add_run("rebound_forward",
                           inputs={m.x.name: (tf.float32, FB_X), m.labels.name: (tf.int64, FB_LABELS)},
                           outputs={m.probs.name: (tf.float32, pr), m.loss.name: (tf.float32, lo)},
                           what="fields rebound from binding.json after import_meta_graph + restore")
                sess.run(m.train_op, feed)
                wv, bv, gsv, lo2 = sess.run([m.w, m.b, m.global_step, m.loss], feed)
                sc.add_run("rebound_after_one_train_step",
                           inputs={m.x.name: (tf.float32, FB_X), m.labels.name: (tf.int64, FB_LABELS)},
                           outputs={m.w.name: (tf.float32, wv), m.b.name: (tf.float32, bv),
                                    m.global_step.name: (tf.int64, gsv),
                                    m.loss.name: (tf.float32, lo2)},
                           what="sess.run(train_op) once (SGD lr 0.5), then w, b, global_step, loss")
    sc.add_checkpoint("model.ckpt")


if __name__ == "__main__":
    main()
