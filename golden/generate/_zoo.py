"""Shared steps of the model zoo generators (zoo_gen.py: TF 2.21, zoo_tf1.py:
TF 1.15): how a model is exported, frozen, run and recorded, written once.

Run records (golden/zoo/*MANIFEST.json) and what src/saved_model/zoo_golden_test.cc
replays from them:
  "session_run"      v1.Session on the variable graph; replayed from model.ckpt(.meta)
  "frozen"           the frozen GraphDef (frozen.pb) imported and run
  "serving_default"  (and any run with a "signature" key) a SavedModel signature
                     called by TF's loader; inputs/outputs keyed by signature key
notes: "ops" / "frozen_ops": sorted op types of the graph (and its function
library), the op census of src/graph/OPS.md.
"""
from _common import session, tf, v1


def ops_of(saved_model_pb=None, graph_def=None):
    """Sorted op types of a SavedModel's first MetaGraph or a GraphDef,
    including the bodies of its function library."""
    if saved_model_pb is not None:
        from tensorflow.core.protobuf import saved_model_pb2
        sm = saved_model_pb2.SavedModel()
        with open(saved_model_pb, "rb") as f:
            sm.ParseFromString(f.read())
        graph_def = sm.meta_graphs[0].graph_def
    ops = {n.op for n in graph_def.node}
    for fn in graph_def.library.function:
        ops.update(n.op for n in fn.node_def)
    return sorted(ops)


def _dtype(t):
    return t.dtype.base_dtype


def run_frozen(sc, frozen, feeds, fetches):
    """Imports `frozen` (a GraphDef) into a fresh graph, runs `fetches`
    (tensor names) on feeds {tensor name: value}: the run "frozen"."""
    g = tf.Graph()
    with g.as_default():
        tf.import_graph_def(frozen, name="")
        with session(g) as sess:
            vals = sess.run(list(fetches), feeds)
            sc.add_run("frozen",
                       inputs={n: (_dtype(g.get_tensor_by_name(n)), v) for n, v in feeds.items()},
                       outputs={n: (_dtype(g.get_tensor_by_name(n)), v)
                                for n, v in zip(fetches, vals)},
                       what="import_graph_def(frozen.pb) + session.run")


def freeze(sc, sess, graph_def, fetches, feeds):
    """TF's convert_variables_to_constants of `graph_def` for the output
    tensors `fetches` -> frozen.pb, run on feeds; notes frozen_ops."""
    frozen = v1.graph_util.convert_variables_to_constants(
        sess, graph_def, sorted({n.split(":")[0] for n in fetches}))
    tf.io.write_graph(frozen, ".", "frozen.pb", as_text=False)
    sc.note("frozen_ops", ops_of(graph_def=frozen))
    run_frozen(sc, frozen, feeds, sorted(fetches))


def export_tf1(sc, g, sess, feeds, outputs, saved_model=True, frozen=True):
    """The TF1 export of one model, in the scenario directory (sc.cwd()):
    runs `outputs` {tensor name: tensor} on feeds {placeholder: value} (the
    run "session_run"), saves model.ckpt (+.meta) with a default Saver, a
    SavedModel (SavedModelBuilder, tag serve, signature serving_default whose
    keys are the tensor names without ':0') and TF's frozen.pb, each run with
    TF's outputs recorded; notes the graph's ops.  Variables must be
    initialised (or trained) in `sess` already."""
    names = sorted(outputs)
    vals = sess.run([outputs[n] for n in names], feeds)
    sc.add_run("session_run",
               inputs={t.name: (_dtype(t), v) for t, v in feeds.items()},
               outputs={n: (_dtype(outputs[n]), v) for n, v in zip(names, vals)},
               what="session.run on the variable graph")
    v1.train.Saver().save(sess, "model.ckpt")
    sc.add_checkpoint("model.ckpt")
    if saved_model:
        sig = v1.saved_model.signature_def_utils.predict_signature_def(
            inputs={t.name.split(":")[0]: t for t in feeds},
            outputs={n.split(":")[0]: t for n, t in outputs.items()})
        builder = v1.saved_model.Builder("saved_model")
        builder.add_meta_graph_and_variables(
            sess, ["serve"], signature_def_map={"serving_default": sig},
            strip_default_attrs=True)
        builder.save()
        sc.add_checkpoint("saved_model/variables/variables")
    sc.note("ops", sorted({n.op for n in g.as_graph_def().node}))
    if frozen:
        freeze(sc, sess, g.as_graph_def(), names, {t.name: v for t, v in feeds.items()})


def run_saved_model_signature(sc, export_dir, signature, inputs, frozen=False):
    """TF1 loader: loader.load(['serve'], export_dir) in a fresh graph and a
    call of `signature` on inputs {signature key: value}; the run (named
    after the signature) carries model/tags/signature so the test can
    replay it.  Notes the graph's ops; with `frozen`, also freezes the
    signature's outputs to frozen.pb and runs it."""
    g = tf.Graph()
    with g.as_default(), session(g) as sess:
        mg = v1.saved_model.loader.load(sess, ["serve"], export_dir)
        sig = mg.signature_def[signature]
        in_keys, out_keys = sorted(sig.inputs), sorted(sig.outputs)
        feed = {sig.inputs[k].name: inputs[k] for k in in_keys}
        vals = sess.run([sig.outputs[k].name for k in out_keys], feed)
        sc.add_run(signature,
                   inputs={k: (tf.as_dtype(sig.inputs[k].dtype), inputs[k]) for k in in_keys},
                   outputs={k: (tf.as_dtype(sig.outputs[k].dtype), v)
                            for k, v in zip(out_keys, vals)},
                   what="loader.load(['serve'], %r) + session.run of signature %r"
                        % (export_dir, signature),
                   model=export_dir, tags=["serve"], signature=signature)
        sc.note("ops", ops_of(saved_model_pb=export_dir + "/saved_model.pb"))
        sc.note("signature_outputs", {k: sig.outputs[k].name for k in out_keys})
        if frozen:
            freeze(sc, sess, g.as_graph_def(), [sig.outputs[k].name for k in out_keys], feed)
    sc.add_checkpoint(export_dir + "/variables/variables")
