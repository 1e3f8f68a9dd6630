"""TF2 object-based checkpoints and a tf.Module SavedModel (eager mode)."""
import time
from unittest import mock

from google.protobuf import json_format

from _common import ckpt, main, np, read_text, scenario, tf

FIXED_TIME = 1700000000.0  # checkpoint state timestamps are pinned to this


class Dense(tf.Module):
    def __init__(self, w, b, name=None):
        super().__init__(name=name)
        self.w = tf.Variable(w, name="w")
        self.b = tf.Variable(b, name="b")

    def __call__(self, x):
        return tf.matmul(x, self.w) + self.b


class Net(tf.Module):
    def __init__(self):
        super().__init__(name="net")
        self.hidden = Dense(np.array([[1.0, -1.0, 0.5], [0.25, 2.0, -0.5]], np.float32),
                            np.array([0.1, 0.2, 0.3], np.float32))
        self.layers = [Dense(np.array([[1.0], [0.5], [-1.0]], np.float32),
                             np.array([0.0], np.float32))]
        self.config = {"scale": tf.Variable(2.0, name="scale"),
                       "ids": tf.Variable(np.array([3, 1, 4], np.int64), name="ids")}
        self.step = tf.Variable(7, dtype=tf.int64, name="step", trainable=False)
        self.note = tf.Variable(b"tf2 \x00 string", name="note")

    @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32, name="x")])
    def __call__(self, x):
        h = tf.nn.relu(self.hidden(x))
        return {"y": self.layers[0](h) * self.config["scale"],
                "h": h}


TF2_X = np.array([[1.0, 2.0], [-1.0, 0.5], [0.0, 0.0]], dtype=np.float32)


@scenario("tf2_checkpoint",
          "tf.train.Checkpoint(model=Net, extra=...) object-based checkpoint: keys like "
          "'model/hidden/w/.ATTRIBUTES/VARIABLE_VALUE', 'save_counter/...', and "
          "'_CHECKPOINTABLE_OBJECT_GRAPH' (decoded in notes). ckpt.save('ckpt/ckpt') twice "
          "(ckpt-1, ckpt-2 + checkpoint state file; timestamps pinned) and ckpt.write('written/model') "
          "(no counter); restored into a fresh object; name-based listing via tf.train.list_variables.")
def tf2_checkpoint(sc):
    with sc.cwd(), mock.patch.object(time, "time", return_value=FIXED_TIME):
        net = Net()
        extra = tf.Variable([1.5, -2.5], name="extra")
        c = tf.train.Checkpoint(model=net, extra=extra)
        p1 = c.save("ckpt/ckpt")
        net.step.assign(8)
        p2 = c.save("ckpt/ckpt")
        pw = c.write("written/model")
        sc.note("save_returned_paths", [p1, p2])
        sc.note("write_returned_path", pw)
        sc.note("checkpoint_file_text", read_text("ckpt/checkpoint"))
        sc.note("latest_checkpoint", tf.train.latest_checkpoint("ckpt"))
        sc.note("list_variables", [[n, s] for n, s in tf.train.list_variables("ckpt/ckpt-2")])
        sc.note("object_graph", ckpt.read_object_graph("ckpt/ckpt-2"))

        fresh = Net()
        fresh.step.assign(0)
        fresh.hidden.w.assign(tf.zeros([2, 3]))
        fresh_extra = tf.Variable([0.0, 0.0], name="other_name")
        status = tf.train.Checkpoint(model=fresh, extra=fresh_extra).restore("ckpt/ckpt-1")
        status.assert_consumed()
        sc.add_run("restore_ckpt_1", outputs={
            "model.hidden.w": (tf.float32, fresh.hidden.w.numpy()),
            "model.step": (tf.int64, fresh.step.numpy()),
            "model.note": (tf.string, fresh.note.numpy()),
            "extra": (tf.float32, fresh_extra.numpy()),
        }, what="tf.train.Checkpoint(model=Net(), extra=Variable).restore('ckpt/ckpt-1') into "
                "differently named variables (object-based matching)")
        y = fresh(tf.constant(TF2_X))
        sc.add_run("restored_model_call", inputs={"x": (tf.float32, TF2_X)},
                   outputs={"y": (tf.float32, y["y"].numpy()), "h": (tf.float32, y["h"].numpy())},
                   what="calling the restored Net")

        partial = tf.train.Checkpoint(model=Net())
        st = partial.restore("ckpt/ckpt-2")
        try:
            st.assert_consumed()
        except Exception as e:  # noqa: BLE001
            sc.add_error("assert_consumed_unmatched", e,
                         "Checkpoint(model=Net()).restore('ckpt/ckpt-2').assert_consumed() "
                         "(the checkpoint's 'extra' is not matched)")
        try:
            tf.train.Checkpoint(model=Net()).restore("ckpt/nope").assert_consumed()
        except Exception as e:  # noqa: BLE001
            sc.add_error("restore_missing_prefix", e, "Checkpoint.restore('ckpt/nope')")
    sc.add_checkpoint("ckpt/ckpt-1")
    sc.add_checkpoint("ckpt/ckpt-2")
    sc.add_checkpoint("written/model")


@scenario("tf2_module_saved_model",
          "tf.saved_model.save of a tf.Module (Net: relu dense 2->3, dense 3->1 times a scale "
          "variable) with signature serving_default (input 'x' [None,2] float32, outputs 'y', "
          "'h'); outputs on fixed inputs after tf.saved_model.load, via the signature and via "
          "the restored __call__.")
def tf2_module_saved_model(sc):
    with sc.cwd(), mock.patch.object(time, "time", return_value=FIXED_TIME):
        net = Net()
        y = net(tf.constant(TF2_X))
        sc.add_run("before_save", inputs={"x": (tf.float32, TF2_X)},
                   outputs={"y": (tf.float32, y["y"].numpy()), "h": (tf.float32, y["h"].numpy())},
                   what="Net.__call__ before saving")
        tf.saved_model.save(net, "saved_model",
                            signatures={"serving_default": net.__call__.get_concrete_function()})
        loaded = tf.saved_model.load("saved_model")
        sig = loaded.signatures["serving_default"]
        out = sig(x=tf.constant(TF2_X))
        sc.add_run("load_signature", inputs={"x": (tf.float32, TF2_X)},
                   outputs={k: (out[k].dtype, out[k].numpy()) for k in sorted(out)},
                   what="tf.saved_model.load(...).signatures['serving_default'](x=...)",
                   model="saved_model", tags=["serve"], signature="serving_default",
                   input_keys={"x": "x"}, output_keys={k: k for k in sorted(out)})
        sc.note("signature_structured_input_signature", repr(sig.structured_input_signature))
        sc.note("signature_structured_outputs",
                {k: repr(v) for k, v in sorted(sig.structured_outputs.items())})
        out2 = loaded(tf.constant(TF2_X))
        sc.add_run("load_call", inputs={"x": (tf.float32, TF2_X)},
                   outputs={k: (out2[k].dtype, out2[k].numpy()) for k in sorted(out2)},
                   what="restored object's __call__")
        from tensorflow.core.protobuf import fingerprint_pb2, saved_model_pb2
        fp = fingerprint_pb2.FingerprintDef()
        with open("saved_model/fingerprint.pb", "rb") as f:
            fp.ParseFromString(f.read())
        fpd = json_format.MessageToDict(fp, preserving_proto_field_name=True)
        fpd.pop("uuid", None)
        sc.note("fingerprint (without the random uuid)", fpd)
        sc.mark_nondeterministic("saved_model/fingerprint.pb",
                                 "FingerprintDef.uuid is a random 128-bit number chosen at save time")
        sm = saved_model_pb2.SavedModel()
        with open("saved_model/saved_model.pb", "rb") as f:
            sm.ParseFromString(f.read())
        mg = sm.meta_graphs[0]
        sc.note("tags", list(mg.meta_info_def.tags))
        sc.note("signature_def", {k: json_format.MessageToDict(
            mg.signature_def[k], preserving_proto_field_name=True) for k in sorted(mg.signature_def)})
        sc.note("object_graph_nodes", len(mg.object_graph_def.nodes))
        sc.note("function_names", sorted(f.signature.name for f in mg.graph_def.library.function))
        g = tf.Graph()
        with g.as_default(), tf.compat.v1.Session(graph=g) as sess:
            mgd = tf.compat.v1.saved_model.loader.load(sess, ["serve"], "saved_model")
            s = mgd.signature_def["serving_default"]
            vals = sess.run({k: s.outputs[k].name for k in s.outputs},
                            {s.inputs["x"].name: TF2_X})
            sc.add_run("load_tf1_loader", inputs={s.inputs["x"].name: (tf.float32, TF2_X)},
                       outputs={s.outputs[k].name: (tf.float32, vals[k]) for k in sorted(vals)},
                       what="tf.compat.v1.saved_model.loader.load(['serve']) of the TF2 SavedModel + "
                            "session.run of the signature tensors")
    sc.add_checkpoint("saved_model/variables/variables")


if __name__ == "__main__":
    main(graph_mode=False)
