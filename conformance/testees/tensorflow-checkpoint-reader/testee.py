"""tensorflow-checkpoint-reader 0.2.2 (PyPI) as a `tfckpt conform` testee.

A pure-Python port of TF's CheckpointReader; V2 bundles only, read-only.

  read_checkpoint  NewCheckpointReader(prefix), get_tensor of every name of
                   get_variable_to_shape_map; the dtype is the one the
                   library parsed from the BundleEntryProto (its public
                   dtype map gives numpy dtypes, which cannot name every
                   TF dtype)
  V1 reads, writes, state files, validation: skipped (not in the library)

error_class comes from the library's own Status subclasses (TF's codes).

Run with the venv of install.sh and PYTHONPATH=conformance/testees:conformance/oracle.
"""
import sys

import frames


def main():
    import oracle_common as oc
    from tensorflow_checkpoint_reader import py_checkpoint_reader
    from tensorflow_checkpoint_reader.pb.tensorflow.core.framework import types_pb2

    def read_checkpoint(req):
        reader = py_checkpoint_reader.NewCheckpointReader(req["prefix"])
        dtypes = {k.decode("utf-8"): types_pb2.DataType.Name(e.dtype)
                  for k, e in reader._reader._entries}
        tensors = []
        for name in sorted(reader.get_variable_to_shape_map()):
            rec = oc.record(name, dtypes[name], reader.get_tensor(name))
            tensors.append({"name": name, "dtype": rec["dtype"], "shape": rec["shape"],
                            "sha256": rec["raw_sha256"]})
        return {"tensors": tensors}

    info = {"name": "tensorflow-checkpoint-reader", "version": "0.2.2", "profiles": ["read-v2"]}
    return frames.serve(info, {"read_checkpoint": read_checkpoint}, {
        "write_checkpoint": "tensorflow-checkpoint-reader only reads",
        "read_checkpoint_state": "tensorflow-checkpoint-reader has no checkpoint state reader",
        "validate": "tensorflow-checkpoint-reader has no validator"}, {
        "NotFound": "not_found", "DataLoss": "corrupt", "OutOfRange": "truncated",
        "Unimplemented": "unsupported", "ResourceExhausted": "resource_limit",
        "MemoryError": "resource_limit"})


if __name__ == "__main__":
    sys.exit(main())
