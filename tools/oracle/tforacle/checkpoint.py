"""Describe checkpoints: tensors as TF reads them, and the files holding them."""
import glob
import os

from . import resolve as resolve_mod
from . import tensors as tensors_mod


def _rel(path, root):
    return os.path.relpath(path, root).replace(os.sep, "/") if root else path


def checkpoint_format(prefix):
    """'V2' or 'V1': rule C of tfckpt's resolver (resolve.resolve_prefix)."""
    return resolve_mod.resolve_prefix(prefix)["format"]


def v1_files(prefix):
    """The V1 files of `prefix` (a file, a shard pattern, or X-?????-of-?????)."""
    try:
        r = resolve_mod.resolve_prefix(prefix)
    except FileNotFoundError:
        return []
    if r["format"] != "V1":
        return []
    c = r["checkpoint"]
    return [c] if os.path.isfile(c) else sorted(glob.glob(c))


def v2_data_files(prefix):
    return sorted(glob.glob(glob.escape(prefix) + ".data-?????-of-?????"))


def read_tensors(prefix, large_threshold=tensors_mod.LARGE_THRESHOLD):
    """Tensor records for every key, as tf.compat.v1.train.NewCheckpointReader sees it.

    Sorted by name.  Partitioned variables appear once with their full shape.
    """
    import tensorflow as tf
    reader = tf.compat.v1.train.NewCheckpointReader(prefix)
    dtypes = reader.get_variable_to_dtype_map()
    out = []
    shapes = reader.get_variable_to_shape_map()
    v1 = not os.path.exists(prefix + ".index")
    killed = {}
    if v1 and tf.__version__.startswith("1."):
        killed = v1_reader_kills(prefix, [n for n in sorted(shapes) if 0 in shapes[n]])
    for name in sorted(shapes):
        if name in killed:
            refusal = {"type": killed[name],
                       "message": "NewCheckpointReader.get_tensor killed the process (%s)"
                                  % killed[name]}
        else:
            try:
                out.append(tensors_mod.encode(name, dtypes[name], reader.get_tensor(name),
                                              large_threshold))
                continue
            except Exception as e:  # noqa: BLE001 -- TF's reader refuses some dtypes
                refusal = {"type": type(e).__name__, "message": str(e)}
        value = _restore_v2(prefix, name, dtypes[name]) if v1 else None
        if value is None:
            out.append({"name": name, "dtype": tensors_mod.dtype_name(dtypes[name]),
                        "shape": [int(d) for d in shapes[name]], "read_error": refusal})
            continue
        rec = tensors_mod.encode(name, dtypes[name], value, large_threshold)
        rec["read_via"] = "tf.raw_ops.RestoreV2"
        rec["reader_refusal"] = refusal
        out.append(rec)
    return out


_GET_EACH = """import sys, tensorflow as tf
reader = tf.compat.v1.train.NewCheckpointReader(sys.argv[1])
for name in sys.argv[2:]:
    try:
        reader.get_tensor(name)
    except Exception:  # a refusal: the parent's own get_tensor raises it too
        pass
    print("ok", flush=True)
"""


def v1_reader_kills(prefix, names):
    """{name: signal name} for the names whose get_tensor kills TF's process.

    TF 1.x's V1 CheckpointReader dies of SIGFPE on a zero-size tensor whose
    zero dimension is not the first (measured on 1.15.5: [3,0], [2,0,3],
    [1,0]; [0] and [0,2,5] read; 2.x reads all of them). Its writer stores
    them and RestoreV2 restores them.  So each is tried in a child
    interpreter, which prints every name it survived; one that kills the
    child is recorded and the child restarts after it.
    """
    import signal
    import subprocess
    import sys
    killed, rest = {}, list(names)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    while rest:
        r = subprocess.run([sys.executable, "-c", _GET_EACH, prefix] + rest, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        survived = len(r.stdout.decode("utf-8").splitlines())
        if r.returncode == 0 and survived == len(rest):
            break
        if r.returncode >= 0 or survived >= len(rest):
            raise RuntimeError("probing get_tensor on %s: child exited %d after %d of %d"
                               % (prefix, r.returncode, survived, len(rest)))
        killed[rest[survived]] = signal.Signals(-r.returncode).name
        rest = rest[survived + 1:]
    return killed


def _restore_v2(prefix, name, dtype):
    """The whole tensor via tf.raw_ops.RestoreV2, or None if TF refuses.

    TF's V1 CheckpointReader refuses sliced (partitioned) tensors and some
    dtypes its V1 writer stores; Saver.restore (RestoreV2, which falls back to
    the V1 reader's slice assembly) reads them.
    """
    import tensorflow as tf
    g = tf.Graph()
    with g.as_default():
        op = tf.raw_ops.RestoreV2(prefix=prefix, tensor_names=[name], shape_and_slices=[""],
                                  dtypes=[dtype])
        with tf.compat.v1.Session(graph=g) as sess:
            try:
                return sess.run(op)[0]
            except Exception:  # noqa: BLE001
                return None


def _message_to_dict(msg):
    from google.protobuf import json_format
    return json_format.MessageToDict(msg, preserving_proto_field_name=True)


def describe_checkpoint(prefix, root=None, large_threshold=tensors_mod.LARGE_THRESHOLD):
    """What TF reads at prefix, and its files (paths relative to root).

    Only what TensorFlow answers: the tensors its reader returns. The index's
    layout (offsets, CRCs, blocks, compression) is not recorded: TF cannot
    report it, and tfckpt's tests measure it on the files with the C++ library
    (docs/ARCHITECTURE.md, "One implementation per structure").
    """
    fmt = checkpoint_format(prefix)
    out = {"prefix": _rel(prefix, root), "format": fmt,
           "tensors": read_tensors(prefix, large_threshold)}
    if fmt == "V2":
        out["data_files"] = [_rel(p, root) for p in v2_data_files(prefix)]
    else:
        out["files"] = [_rel(p, root) for p in v1_files(prefix)]
    return out


def read_object_graph(prefix):
    """The TrackableObjectGraph of a TF2 checkpoint as a dict (or None)."""
    import tensorflow as tf
    from tensorflow.core.protobuf import trackable_object_graph_pb2
    reader = tf.compat.v1.train.NewCheckpointReader(prefix)
    key = "_CHECKPOINTABLE_OBJECT_GRAPH"
    if not reader.has_tensor(key):
        return None
    g = trackable_object_graph_pb2.TrackableObjectGraph()
    g.ParseFromString(reader.get_tensor(key))
    return _message_to_dict(g)


def parse_checkpoint_state(text):
    """Parse a `checkpoint` state file (text-format CheckpointState)."""
    from google.protobuf import text_format
    from tensorflow.python.training import checkpoint_state_pb2
    st = checkpoint_state_pb2.CheckpointState()
    text_format.Merge(text, st)
    return _message_to_dict(st)
