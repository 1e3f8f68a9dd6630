"""TensorFlow 1.15.5 as a `tfckpt conform` testee (Python 3.7 venv of
`tools/oracle/setup_venv.sh 1.15`): the release most TF1-era checkpoints
came from, through the same calls as conformance/tf_testee.py (TF 2.21).

  read_checkpoint        tf.train.NewCheckpointReader + get_tensor of every key
  write_checkpoint       tf.raw_ops.SaveV2 (V2) / tf.raw_ops.Save (V1), eager
  read_checkpoint_state  tf.train.get_checkpoint_state (None is an error)
  validate               skipped: TensorFlow has no checkpoint validator

Eager execution is turned on first: in TF 1.x graph mode the raw save ops
only add graph nodes and write nothing.

error_class comes from TensorFlow's exception type, with TF 2.21's testee's
table (conformance/tf_testee.py ERROR_CLASS: the same types in 1.15).

Run with PYTHONPATH=conformance/testees:conformance/oracle:conformance.
"""
import sys

import frames


def main():
    import numpy as np
    import oracle_common as oc
    import tensorflow as tf
    from tf_testee import ERROR_CLASS
    tf.compat.v1.enable_eager_execution()

    def read_checkpoint(req):
        reader = tf.compat.v1.train.NewCheckpointReader(req["prefix"])
        # Every get_tensor before the dtype map, as tf_testee.py does (the map
        # raises in Python for an unknown dtype; get_tensor is what is tested).
        values = {n: reader.get_tensor(n) for n in sorted(reader.get_variable_to_shape_map())}
        dtypes = reader.get_variable_to_dtype_map()
        tensors = []
        for name, value in values.items():
            rec = oc.record(name, oc.dtype_name(dtypes[name]), value)
            tensors.append({"name": name, "dtype": rec["dtype"], "shape": rec["shape"],
                            "sha256": rec["raw_sha256"]})
        return {"tensors": tensors}

    def to_tf(w):
        shape = [int(d) for d in w["shape"]]
        if w["dtype"] == "DT_STRING":
            flat = [bytes.fromhex(h) for h in w["strings_hex"]]
            return tf.reshape(tf.constant(flat, tf.string, shape=[len(flat)]), shape)
        raw = np.frombuffer(bytes.fromhex(w["data_hex"]), dtype=np.uint8)
        if w["dtype"] == "DT_BOOL":
            return tf.constant(raw.astype(np.bool_).reshape(shape))
        # Every other dtype from its little-endian bytes (the wire format) by
        # bitcast, so bfloat16 and the quantized types need no numpy type.
        dtype = oc.tf_dtype(w["dtype"])
        n = int(np.prod(shape)) if shape else 1
        if n == 0:
            return tf.zeros(shape, dtype)
        cells = tf.constant(raw.reshape([n, dtype.size]))
        return tf.reshape(tf.bitcast(cells, dtype), shape)

    def write_checkpoint(req):
        names = [w["name"] for w in req["tensors"]]
        values = [to_tf(w) for w in req["tensors"]]
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
            raise ValueError("get_checkpoint_state(%r) returned None" % req["dir"])
        return {"model_checkpoint_path": st.model_checkpoint_path,
                "all_model_checkpoint_paths": list(st.all_model_checkpoint_paths)}

    info = {"name": "tensorflow", "version": tf.__version__,
            "profiles": ["read-v2", "read-v1", "write-v2", "write-v1", "state"]}
    return frames.serve(info, {"read_checkpoint": read_checkpoint,
                               "write_checkpoint": write_checkpoint,
                               "read_checkpoint_state": read_checkpoint_state},
                        {"validate": "TensorFlow has no checkpoint validator"}, ERROR_CLASS)


if __name__ == "__main__":
    sys.exit(main())
