"""TF2 SavedModels frozen by `tfckpt freeze --signature` run in TensorFlow.

  tf_runs_frozen.py TFCKPT GOLDEN_DIR

For each golden SavedModel whose serving_default signature calls functions
(TF2: tf.saved_model.save, Keras export), `tfckpt freeze --signature
serving_default` writes a frozen GraphDef; TensorFlow imports it
(tf.compat.v1.import_graph_def) and runs it on fixed inputs (every signature
input filled from its dtype and shape, -1 -> 2). Its outputs must equal
TensorFlow's own SavedModel signature outputs on the same inputs
(tf.saved_model.load(...).signatures[...]), within 4 float32 ulps -- TF's
function runtime and its v1 Session may round a MatMul differently -- and `tfckpt run` of the same frozen graph must give TensorFlow's
values (bitwise or within the engine's numerical contract: 4 ulps, src/graph/README.md).
One "@@" line per SavedModel (run.sh's table). SavedModels whose functions
hold a functional While (Keras' recurrent layers) are left out and named in
the last line: `tfckpt freeze` refuses to inline a loop (it says so)."""
import os
import subprocess
import sys
import tempfile

import numpy as np
import tensorflow as tf
from tensorflow.core.protobuf import saved_model_pb2


def serving_signature(export_dir):
    """serving_default of the first MetaGraph if the graph calls functions."""
    sm = saved_model_pb2.SavedModel()
    with open(os.path.join(export_dir, "saved_model.pb"), "rb") as f:
        sm.ParseFromString(f.read())
    mg = sm.meta_graphs[0]
    calls = any(n.op in ("StatefulPartitionedCall", "PartitionedCall") for n in mg.graph_def.node)
    if not calls or "serving_default" not in mg.signature_def:
        return None
    return mg.signature_def["serving_default"]


def has_loop(export_dir):
    sm = saved_model_pb2.SavedModel()
    with open(os.path.join(export_dir, "saved_model.pb"), "rb") as f:
        sm.ParseFromString(f.read())
    return any(n.op in ("While", "StatelessWhile")
               for fn in sm.meta_graphs[0].graph_def.library.function for n in fn.node_def)


def make_input(info):
    dims = [2 if d.size < 0 else d.size for d in info.tensor_shape.dim]
    n = int(np.prod(dims)) if dims else 1
    dtype = tf.as_dtype(info.dtype).as_numpy_dtype
    if np.issubdtype(dtype, np.integer):
        flat = np.arange(n) % 3
    else:
        flat = ((np.arange(n) * 7) % 11 - 5) / 4.0
    return flat.astype(dtype).reshape(dims)


def close(a, b, ulps=4):
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if not np.issubdtype(a.dtype, np.floating):
        return np.array_equal(a, b)
    spacing = np.spacing(np.maximum(np.abs(a), np.abs(b)).astype(a.dtype))
    return bool(np.all(np.abs(a.astype(np.float64) - b) <= ulps * spacing.astype(np.float64)))


def check(tfckpt, export_dir, sig, tmp):
    inputs = {k: make_input(v) for k, v in sig.inputs.items()}
    keys = sorted(sig.outputs)
    expected = tf.saved_model.load(export_dir).signatures["serving_default"](
        **{k: tf.constant(v) for k, v in inputs.items()})
    frozen = os.path.join(tmp, "frozen.pb")
    subprocess.run([tfckpt, "freeze", export_dir, "--signature", "serving_default", "-o", frozen],
                   check=True, capture_output=True)
    gd = tf.compat.v1.GraphDef()
    with open(frozen, "rb") as f:
        gd.ParseFromString(f.read())
    with tf.Graph().as_default() as g:
        tf.compat.v1.import_graph_def(gd, name="")
        with tf.compat.v1.Session(graph=g) as sess:
            got = sess.run([sig.outputs[k].name for k in keys],
                           {sig.inputs[k].name: v for k, v in inputs.items()})
    for k, value in zip(keys, got):
        # TF's own two paths (the SavedModel's function runtime, a v1
        # Session over the frozen graph) may differ by an ulp (observed:
        # keras_embedding's MatMul), so the same bound applies.
        if not close(value, expected[k].numpy()):
            return "TF runs the frozen graph: output %s differs from the SavedModel's" % k
    args = [tfckpt, "run", frozen, "--outdir", os.path.join(tmp, "out")]
    for k, v in inputs.items():
        path = os.path.join(tmp, k + ".npy")
        np.save(path, v)
        args += ["--input", "%s=@%s" % (sig.inputs[k].name, path)]
    for k in keys:
        args += ["--output", sig.outputs[k].name]
    subprocess.run(args, check=True, capture_output=True)
    for k, value in zip(keys, got):
        mine = np.load(os.path.join(tmp, "out", sig.outputs[k].name.replace("/", "_").replace(":", "_") + ".npy"))
        if not close(mine, value):
            return "tfckpt run of the frozen graph: output %s differs from TF's" % k
    return None


def main():
    tfckpt, golden = sys.argv[1], sys.argv[2]
    dirs = sorted(root for root, _, files in os.walk(golden)
                  if "saved_model.pb" in files and "/bad" not in root)
    checked = failed = 0
    loops = []
    for d in dirs:
        sig = serving_signature(d)
        if sig is None:
            continue
        if has_loop(d):
            loops.append(os.path.relpath(d, golden))
            continue
        checked += 1
        name = os.path.relpath(d, golden)
        with tempfile.TemporaryDirectory() as tmp:
            try:
                diff = check(tfckpt, d, sig, tmp)
            except Exception as e:  # a crash is a failure, named
                msg = getattr(e, "stderr", b"") or str(e).encode()
                diff = "%s: %s" % (type(e).__name__, msg.decode(errors="replace").strip().splitlines()[-1:])
        failed += diff is not None
        print("@@\tfreeze->tf\t%s\t%s\t%s" % (name, "FAIL" if diff else "PASS",
                                               diff or "frozen graph runs in TF and tfckpt "
                                                       "to the SavedModel's outputs"))
    print("tf_runs_frozen: %d TF2 SavedModels, %d failed; left out (a While loop, which "
          "tfckpt freeze does not inline): %s" % (checked, failed, ", ".join(loops) or "none"))
    return 1 if failed or not checked else 0


if __name__ == "__main__":
    sys.exit(main())
