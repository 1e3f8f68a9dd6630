"""TF2 SavedModels frozen by `tfckpt freeze --signature` run in TensorFlow.

  tf_runs_frozen.py TFCKPT GOLDEN_DIR

For each golden SavedModel whose serving_default signature calls functions
(TF2: tf.saved_model.save, Keras export; Keras' recurrent layers with their
While loops included), `tfckpt freeze --signature serving_default` writes a
frozen GraphDef; TensorFlow imports it (tf.compat.v1.import_graph_def) and
runs it on fixed inputs (every signature input filled from its dtype and
shape, -1 -> 2). Its outputs must equal TensorFlow's own SavedModel
signature outputs on the same inputs (tf.saved_model.load(...).signatures
[...]), within 4 float32 ulps -- TF's function runtime and its v1 Session
may round a MatMul differently -- and `tfckpt run` of the same frozen graph
must give TensorFlow's values within the engine's numerical contract
(src/graph/README.md: 4 ulps, or the model's stated bound).

Structure: TF's own convert_variables_to_constants_v2 (lower_control_flow=
False, so loops stay functional as tfckpt keeps them) of the same signature
must have the same nodes by op type (the plumbing Identity / IdentityN /
NoOp aside: TF's and tfckpt's inliners name and wire calls differently) and
the same library: per function (named without TF's "__inference_" prefix and
numeric / "_frozen_N" suffixes), the same input and output types and ops.
One "@@" line per SavedModel (run.sh's table)."""
import collections
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import tensorflow as tf
from tensorflow.core.protobuf import saved_model_pb2
from tensorflow.python.framework import convert_to_constants


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


# src/graph/README.md "Numerical contract": per-model bounds above 4 ulps.
CONTRACT_ULPS = {"keras_simple_rnn": 8, "keras_gru": 10}
# Models whose outputs on this script's inputs cancel: keras_attention gives
# -0.0175 from terms near 1.9, where TF itself moves by 16 to 88 ulps of that
# element (its two paths; oneDNN on or off). Their ulps are counted at the
# output's largest magnitude (observed: TF's paths 1, tfckpt 2). keras_cond's
# output 0.00714 comes from terms near 1 after a Tanh (1 ulp there): tfckpt is
# 128 ulps of that element, 6e-8, 1 ulp of the output's largest (1.94) off.
SCALED = {"keras_attention", "keras_cond"}
PLUMBING = ("Identity", "IdentityN", "NoOp")


def structure(gd):
    """Op counts of the graph and, per function, its types and op counts."""
    def ops(nodes):
        return sorted(collections.Counter(n.op for n in nodes if n.op not in PLUMBING).items())

    def types(args):
        return [tf.as_dtype(a.type).name for a in args]
    functions = collections.defaultdict(list)
    for f in gd.library.function:
        name = re.sub(r"^__inference_", "", f.signature.name)
        # Every numeric suffix: TF's frozen copy of a function Keras named
        # "..._body_379" is "__inference_..._body_379_156".
        name = re.sub(r"(_\d+)+$", "", re.sub(r"_frozen_\d+$", "", name))
        functions[name].append((types(f.signature.input_arg), types(f.signature.output_arg),
                                ops(f.node_def)))
    return ops(gd.node), {k: sorted(v) for k, v in functions.items()}


def structure_diff(mine, theirs):
    """None, or what differs between tfckpt's frozen graph and TF's."""
    (my_ops, my_fns), (tf_ops, tf_fns) = structure(mine), structure(theirs)
    if my_ops != tf_ops:
        a, b = collections.Counter(dict(my_ops)), collections.Counter(dict(tf_ops))
        return "graph ops differ from TF's: tfckpt has %s more, TF %s more" % (
            dict(a - b), dict(b - a))
    for name in sorted(set(my_fns) | set(tf_fns)):
        if my_fns.get(name) != tf_fns.get(name):
            return "function %s differs from TF's: %s vs %s" % (
                name, my_fns.get(name), tf_fns.get(name))
    return None


def make_input(info):
    dims = [2 if d.size < 0 else d.size for d in info.tensor_shape.dim]
    n = int(np.prod(dims)) if dims else 1
    dtype = tf.as_dtype(info.dtype).as_numpy_dtype
    if np.issubdtype(dtype, np.integer):
        flat = np.arange(n) % 3
    else:
        flat = ((np.arange(n) * 7) % 11 - 5) / 4.0
    return flat.astype(dtype).reshape(dims)


def close(a, b, ulps=4, scaled=False):
    """Within `ulps` of each element's magnitude, or of the tensor's largest if scaled."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if not np.issubdtype(a.dtype, np.floating):
        return np.array_equal(a, b)
    magnitude = np.maximum(np.abs(a), np.abs(b))
    if scaled and magnitude.size:
        magnitude = np.full_like(magnitude, magnitude.max())
    spacing = np.spacing(magnitude.astype(a.dtype))
    return bool(np.all(np.abs(a.astype(np.float64) - b) <= ulps * spacing.astype(np.float64)))


def check(tfckpt, export_dir, sig, tmp):
    inputs = {k: make_input(v) for k, v in sig.inputs.items()}
    keys = sorted(sig.outputs)
    model = os.path.basename(os.path.dirname(export_dir))
    scaled = model in SCALED
    loaded = tf.saved_model.load(export_dir)  # kept alive: the signature's variables
    signature = loaded.signatures["serving_default"]
    expected = signature(**{k: tf.constant(v) for k, v in inputs.items()})
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
    theirs = convert_to_constants.convert_variables_to_constants_v2(
        signature, lower_control_flow=False).graph.as_graph_def()
    diff = structure_diff(gd, theirs)
    if diff:
        return diff
    for k, value in zip(keys, got):
        # TF's own two paths (the SavedModel's function runtime, a v1
        # Session over the frozen graph) may differ by an ulp (observed:
        # keras_embedding's MatMul), so the same bound applies.
        if not close(value, expected[k].numpy(), scaled=scaled):
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
        if not close(mine, value, CONTRACT_ULPS.get(model, 4), scaled):
            return "tfckpt run of the frozen graph: output %s differs from TF's" % k
    return None


def main():
    tfckpt, golden = sys.argv[1], sys.argv[2]
    dirs = sorted(root for root, _, files in os.walk(golden)
                  if "saved_model.pb" in files and "/bad" not in root)
    checked = failed = 0
    for d in dirs:
        sig = serving_signature(d)
        if sig is None:
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
                                                       "to the SavedModel's outputs; same ops "
                                                       "and functions as TF's frozen graph"))
    print("tf_runs_frozen: %d TF2 SavedModels, %d failed" % (checked, failed))
    return 1 if failed or not checked else 0


if __name__ == "__main__":
    sys.exit(main())
