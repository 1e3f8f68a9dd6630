"""Describe checkpoints: tensors as TF reads them, and raw index contents."""
import glob
import hashlib
import json
import os

from . import table as table_mod
from . import tensors as tensors_mod


def _rel(path, root):
    return os.path.relpath(path, root).replace(os.sep, "/") if root else path


def checkpoint_format(prefix):
    """'V2' when <prefix>.index exists, 'V1' when a V1 table file exists."""
    if os.path.exists(prefix + ".index"):
        return "V2"
    if v1_files(prefix):
        return "V1"
    raise FileNotFoundError("no checkpoint at prefix %r" % prefix)


def v1_files(prefix):
    if os.path.isfile(prefix):
        return [prefix]
    if glob.has_magic(prefix):  # a sharded V1 save: "<prefix>-?????-of-0000N"
        return sorted(glob.glob(prefix))
    return sorted(glob.glob(glob.escape(prefix) + "-?????-of-?????"))


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
    for name in sorted(shapes):
        try:
            value = reader.get_tensor(name)
        except Exception as e:  # noqa: BLE001 -- TF's reader refuses some dtypes
            refusal = {"type": type(e).__name__, "message": str(e)}
            value = _restore_v2(prefix, name, dtypes[name]) if not os.path.exists(
                prefix + ".index") else None
            if value is None:
                out.append({"name": name, "dtype": tensors_mod.dtype_name(dtypes[name]),
                            "shape": [int(d) for d in shapes[name]], "read_error": refusal})
                continue
            rec = tensors_mod.encode(name, dtypes[name], value, large_threshold)
            rec["read_via"] = "tf.raw_ops.RestoreV2"
            rec["reader_refusal"] = refusal
            out.append(rec)
            continue
        out.append(tensors_mod.encode(name, dtypes[name], value, large_threshold))
    return out


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


def _key_repr(key):
    try:
        text = key.decode("utf-8")
        if text.isprintable():
            return {"key": text}
    except UnicodeDecodeError:
        pass
    return {"key_hex": key.hex()}


def _shape_list(shape_proto):
    if shape_proto.unknown_rank:
        return None
    return [int(d.size) for d in shape_proto.dim]


def _slice_list(slice_proto):
    """TensorSliceProto as [[start, length], ...]; length -1 = full extent."""
    out = []
    for ext in slice_proto.extent:
        # TF 2.x names the oneof has_length_hack (TF 1.15: has_length).
        length = ext.length if ext.HasField("length") else -1
        out.append([int(ext.start), int(length)])
    return out


def describe_v2_index(prefix, root=None):
    from tensorflow.core.framework import types_pb2
    from tensorflow.core.protobuf import tensor_bundle_pb2
    path = prefix + ".index"
    tbl = table_mod.read_table(path)
    desc = {"file": _rel(path, root)}
    desc.update(tbl.describe())
    entries = []
    for key, value in tbl.entries:
        if key == b"":
            hdr = tensor_bundle_pb2.BundleHeaderProto()
            hdr.ParseFromString(value)
            desc["header"] = {
                "num_shards": hdr.num_shards,
                "endianness": tensor_bundle_pb2.BundleHeaderProto.Endianness.Name(hdr.endianness),
                "version": _message_to_dict(hdr.version),
            }
            continue
        ent = tensor_bundle_pb2.BundleEntryProto()
        ent.ParseFromString(value)
        rec = _key_repr(key)
        rec.update({
            "dtype": types_pb2.DataType.Name(ent.dtype),
            "shape": _shape_list(ent.shape),
            "shard_id": ent.shard_id,
            "offset": ent.offset,
            "size": ent.size,
            "crc32c": "%08x" % ent.crc32c,
        })
        if ent.slices:
            rec["slices"] = [_slice_list(s) for s in ent.slices]
        entries.append(rec)
    desc["entries"] = entries
    return desc


def describe_v1_table(path, root=None):
    from tensorflow.core.framework import types_pb2
    from tensorflow.core.util import saved_tensor_slice_pb2
    tbl = table_mod.read_table(path)
    desc = {"file": _rel(path, root)}
    desc.update(tbl.describe())
    entries = []
    for key, value in tbl.entries:
        sts = saved_tensor_slice_pb2.SavedTensorSlices()
        sts.ParseFromString(value)
        rec = {"key_hex": key.hex(), "value_size": len(value)}
        if sts.HasField("meta"):
            rec["meta"] = {
                "tensors": [{
                    "name": t.name,
                    "shape": _shape_list(t.shape),
                    "dtype": types_pb2.DataType.Name(t.type),
                    "slices": [_slice_list(s) for s in t.slice],
                } for t in sts.meta.tensor],
                "versions": _message_to_dict(sts.meta.versions),
            }
        if sts.HasField("data"):
            d = sts.data
            blob = d.data.SerializeToString()
            rec["data"] = {
                "name": d.name,
                "slice": _slice_list(d.slice),
                "dtype": types_pb2.DataType.Name(d.data.dtype),
                "tensor_proto_size": len(blob),
                "tensor_proto_sha256": hashlib.sha256(blob).hexdigest(),
            }
        entries.append(rec)
    desc["entries"] = entries
    return desc


def _abridge(index, keep):
    """Lists only the first and last keep/2 index entries (huge indexes)."""
    entries = index["entries"]
    if keep is None or len(entries) <= keep:
        return
    full = json.dumps(entries, sort_keys=True, ensure_ascii=True).encode("utf-8")
    index["entries_abridged"] = {"total": len(entries), "listed": keep,
                                 "sha256_of_all": hashlib.sha256(full).hexdigest()}
    index["entries"] = entries[:keep // 2] + entries[len(entries) - keep // 2:]


def describe_checkpoint(prefix, root=None, large_threshold=tensors_mod.LARGE_THRESHOLD,
                        max_index_entries=None):
    """Full description of the checkpoint at prefix (paths relative to root).

    max_index_entries: list at most that many V2 index entries (first and
    last halves; "entries_abridged" then gives the total and a sha256).
    """
    fmt = checkpoint_format(prefix)
    out = {"prefix": _rel(prefix, root), "format": fmt,
           "tensors": read_tensors(prefix, large_threshold)}
    if fmt == "V2":
        out["data_files"] = [_rel(p, root) for p in v2_data_files(prefix)]
        out["index"] = describe_v2_index(prefix, root)
        _abridge(out["index"], max_index_entries)
        out["any_snappy"] = out["index"]["any_snappy"]
    else:
        out["tables"] = [describe_v1_table(p, root) for p in v1_files(prefix)]
        out["any_snappy"] = any(t["any_snappy"] for t in out["tables"])
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
