"""TensorFlow 2.21 as a `tfckpt conform` testee (docs/CONFORMANCE.md).

Speaks conformance/protocol.h on stdin/stdout with TensorFlow's own Python
API, so the suite measures TensorFlow itself; its expected failures are in
conformance/failure_lists/tensorflow-2.21.txt, each with the reason.

    PYTHONPATH=tools/oracle:conformance/oracle "$VENV/bin/python" conformance/tf_testee.py

  hello                  claims read-v2, read-v1, write-v2, write-v1, state
  read_checkpoint        tf.compat.v1.train.NewCheckpointReader + get_tensor of every key
                         (a key get_tensor refuses is answered alone: {"name", "error"})
  write_checkpoint       tf.raw_ops.SaveV2 (V2) / tf.raw_ops.Save (V1), eager
  read_checkpoint_state  tf.train.get_checkpoint_state (None is an error)
  read_saved_model       loader_impl.parse_saved_model / SavedModelLoader.get_meta_graph_def_from_tags
                         (TF's loader steps 1-2) + tf.train.list_variables of variables/
  read_meta_graph        meta_graph.read_meta_graph_file (binary, else text)
  read_graph             GraphDef (binary, else text) + tf.make_ndarray of each Const
  read_object_graph      the _CHECKPOINTABLE_OBJECT_GRAPH tensor as a TrackableObjectGraph
  validate               not claimed: TensorFlow has no checkpoint validator

error_class comes from TensorFlow's exception type (ERROR_CLASS below); a
type without an honest class gets none.
"""
import json
import os
import struct
import sys

# TensorFlow's exception types -> protocol.h's error classes, only where the
# type says which: CheckpointReader raises most file errors as a bare
# OpError (code UNKNOWN) and INVALID_ARGUMENT covers both damaged files and
# unsupported versions, so those get no class. pybind11 raises an
# OUT_OF_RANGE status ("Read less bytes than requested") as IndexError.
ERROR_CLASS = {
    "NotFoundError": "not_found",
    "DataLossError": "corrupt",
    "OutOfRangeError": "truncated",
    "IndexError": "truncated",
    "UnimplementedError": "unsupported",
    "ResourceExhaustedError": "resource_limit",
    "MemoryError": "resource_limit",
    "PermissionDeniedError": "io",
}


class NoCheckpointState(Exception):
    """get_checkpoint_state returned None (TF logs why, raises nothing)."""


def error_response(e):
    resp = {"error": "%s: %s" % (type(e).__name__, " ".join(str(e).split())[:300])}
    if type(e).__name__ in ERROR_CLASS:
        resp["error_class"] = ERROR_CLASS[type(e).__name__]
    return resp


def main():
    # The protocol owns the original stdout; anything else printed to fd 1
    # (TF, numpy, absl) goes to stderr instead of corrupting frames.
    proto_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    proto_in = os.fdopen(os.dup(0), "rb")
    # And the protocol owns the original stdin: fd 0 becomes /dev/null, so
    # nothing (a debugger prompt, input()) can eat request frames.
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    sys.stdin = open(os.devnull)

    import numpy as np
    import oracle_common as oc
    from tf_writes_random import NUMPY, to_tf
    from tforacle.env import import_tf
    tf = import_tf()

    def read_checkpoint(req):
        reader = tf.compat.v1.train.NewCheckpointReader(req["prefix"])
        # Every get_tensor before the dtype map, as tf_reads_bad.py does: the
        # map raises in Python for an unknown dtype, which would hide what
        # get_tensor does with it (a CHECK failure). A key TF refuses is
        # answered alone, so the case reports each.
        values, refused = {}, {}
        for name in sorted(reader.get_variable_to_shape_map()):
            try:
                values[name] = reader.get_tensor(name)
            except (tf.errors.OpError, MemoryError, IndexError, ValueError) as e:
                refused[name] = error_response(e)
        dtypes = reader.get_variable_to_dtype_map()
        tensors = [dict(name=name, **err) for name, err in refused.items()]
        for name, value in values.items():
            rec = oc.record(name, oc.dtype_name(dtypes[name]), value)
            tensors.append({"name": name, "dtype": rec["dtype"], "shape": rec["shape"],
                            "sha256": rec["raw_sha256"]})
        return {"tensors": tensors}

    def to_array(w):
        shape = [int(d) for d in w["shape"]]
        if w["dtype"] == "DT_STRING":
            return np.array([bytes.fromhex(h) for h in w["strings_hex"]], dtype=object).reshape(shape)
        raw = bytes.fromhex(w["data_hex"])
        if w["dtype"] == "DT_BOOL":
            return np.frombuffer(raw, dtype=np.uint8).astype(np.bool_).reshape(shape)
        return np.frombuffer(raw, dtype=np.dtype(NUMPY[w["dtype"]])).reshape(shape).copy()

    def write_checkpoint(req):
        names = [w["name"] for w in req["tensors"]]
        values = [to_tf(w["dtype"], to_array(w)) for w in req["tensors"]]
        if req["format"] == "V2":
            tf.raw_ops.SaveV2(prefix=req["prefix"], tensor_names=names,
                              shape_and_slices=[""] * len(names), tensors=values)
        elif req["format"] == "V1":
            tf.raw_ops.Save(filename=req["prefix"], tensor_names=names, data=values)
        else:
            raise ValueError("unknown format %r" % req["format"])
        return {}

    def read_checkpoint_state(req):
        st = tf.train.get_checkpoint_state(req["dir"])
        if st is None:
            raise NoCheckpointState("get_checkpoint_state(%r) returned None" % req["dir"])
        return {"model_checkpoint_path": st.model_checkpoint_path,
                "all_model_checkpoint_paths": list(st.all_model_checkpoint_paths)}

    from tf_model_ops import model_ops
    extra_ops = model_ops(tf, oc)

    def hello(req):
        return {"name": "tensorflow", "version": tf.__version__,
                "profiles": ["read-v2", "read-v1", "write-v2", "write-v1", "state",
                             "read-savedmodel", "read-metagraph", "read-object-graph"]}

    ops = {"hello": hello, "read_checkpoint": read_checkpoint, "write_checkpoint": write_checkpoint,
           "read_checkpoint_state": read_checkpoint_state}
    ops.update(extra_ops)

    while True:
        head = proto_in.read(4)
        if not head:
            return 0
        (n,) = struct.unpack("<I", head)
        req = json.loads(proto_in.read(n))
        op = ops.get(req.get("op"))
        if op is None:
            resp = {"skipped": "TensorFlow has no %s" % (
                "checkpoint validator" if req.get("op") == "validate" else repr(req.get("op")))}
        else:
            try:
                resp = {"result": op(req)}
            except Exception as e:  # noqa: BLE001 -- every refusal is an answer
                resp = error_response(e)
        body = json.dumps(resp).encode("utf-8")
        proto_out.write(struct.pack("<I", len(body)) + body)
        proto_out.flush()


if __name__ == "__main__":
    sys.exit(main())
