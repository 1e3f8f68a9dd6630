"""`tfckpt show --json` of every golden SavedModel against TensorFlow's loader.

  tf_show_agrees.py TFCKPT GOLDEN_DIR

For each SavedModel under GOLDEN_DIR (a directory holding saved_model.pb) --
every TF release's corpus (tf-2.21, tf-1.15, tf-2.11: each must hold one)
and the zoo -- the tag sets, and for each MetaGraph what tf.compat.v1.saved_model.loader.load
returns (signature keys, method names, every input/output TensorInfo's name,
dtype and shape; asset filenames), and the variables TensorFlow's checkpoint
reader lists (name, dtype, shape) must equal what `tfckpt show --json` prints.
One "@@" line per SavedModel (run.sh's table)."""
import json
import os
import subprocess
import sys

import tensorflow as tf
from tensorflow.core.framework import types_pb2
from tensorflow.core.protobuf import meta_graph_pb2
from tensorflow.python.tools import saved_model_utils


CORPORA = ("tf-2.21", "tf-1.15", "tf-2.11")


def dtype(enum):
    """tfckpt's dtype name (TF's DataTypeString): DT_FLOAT -> "float"."""
    return types_pb2.DataType.Name(enum)[3:].lower()


def shape(proto):
    if proto.unknown_rank:
        return None
    return [d.size for d in proto.dim]


def tensor_info(info):
    out = {"dtype": dtype(info.dtype),
           "shape": shape(info.tensor_shape) if info.HasField("tensor_shape") else None}
    if info.HasField("coo_sparse"):
        out["name"] = info.coo_sparse.values_tensor_name
    elif not info.HasField("composite_tensor"):
        out["name"] = info.name
    return out


def assets(mg):
    files = [a.filename for a in mg.asset_file_def]
    if not files and "saved_model_assets" in mg.collection_def:
        for any_value in mg.collection_def["saved_model_assets"].any_list.value:
            a = meta_graph_pb2.AssetFileDef()
            any_value.Unpack(a)
            files.append(a.filename)
    return files


def tf_view(export_dir):
    """What TensorFlow reports, in show --json's terms."""
    metas = []
    for tags in saved_model_utils.get_saved_model_tag_sets(export_dir):
        with tf.compat.v1.Session(graph=tf.Graph()) as sess:
            mg = tf.compat.v1.saved_model.loader.load(sess, list(tags), export_dir)
        sigs = {}
        for key, sig in mg.signature_def.items():
            sigs[key] = {"method_name": sig.method_name,
                         "inputs": {k: tensor_info(v) for k, v in sig.inputs.items()},
                         "outputs": {k: tensor_info(v) for k, v in sig.outputs.items()}}
        metas.append({"tags": sorted(tags), "signatures": sigs, "assets": assets(mg)})
    variables = None
    prefix = os.path.join(export_dir, "variables", "variables")
    # V2 (variables.index) or a V1 file TF 1.x SavedModels still write.
    if os.path.exists(prefix + ".index") or os.path.isfile(prefix):
        reader = tf.train.load_checkpoint(prefix)
        dtypes = reader.get_variable_to_dtype_map()
        variables = [{"name": name, "dtype": dtype(dtypes[name].as_datatype_enum),
                      "shape": list(s)}
                     for name, s in sorted(tf.train.list_variables(prefix))]
    return {"meta_graphs": sorted(metas, key=lambda m: m["tags"]), "variables": variables}


def tfckpt_view(tfckpt, export_dir):
    out = subprocess.run([tfckpt, "show", "--json", export_dir], check=True,
                         capture_output=True, text=True).stdout
    j = json.loads(out)
    metas = []
    for m in j["meta_graphs"]:
        sigs = {}
        for key, sig in m["signatures"].items():
            sigs[key] = {"method_name": sig["method_name"],
                         "inputs": {k: {f: v[f] for f in ("name", "dtype", "shape") if f in v}
                                    for k, v in sig["inputs"].items()},
                         "outputs": {k: {f: v[f] for f in ("name", "dtype", "shape") if f in v}
                                     for k, v in sig["outputs"].items()}}
        metas.append({"tags": sorted(m["tags"]), "signatures": sigs,
                      "assets": [a["filename"] for a in m["assets"]]})
    return {"meta_graphs": sorted(metas, key=lambda m: m["tags"]), "variables": j["variables"]}


def first_difference(a, b, where=""):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return "%s/%s only in %s" % (where, k, "TF" if k in a else "tfckpt")
            d = first_difference(a[k], b[k], "%s/%s" % (where, k))
            if d:
                return d
        return None
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, "%s[%d]" % (where, i))
            if d:
                return d
        return None
    return None if a == b else "%s: TF %r, tfckpt %r" % (where, a, b)


def main():
    tfckpt, golden = sys.argv[1], sys.argv[2]
    dirs = sorted(root for root, _, files in os.walk(golden)
                  if "saved_model.pb" in files and "/bad" not in root)
    failed = 0
    for d in dirs:
        name = os.path.relpath(d, golden)
        try:
            diff = first_difference(tf_view(d), tfckpt_view(tfckpt, d))
        except Exception as e:  # a crash is a failure, named
            diff = "%s: %s" % (type(e).__name__, str(e).splitlines()[0] if str(e) else "")
        failed += diff is not None
        print("@@\tshow->tf\t%s\t%s\t%s" % (name, "FAIL" if diff else "PASS",
                                             diff or "tags, signatures, assets, variables agree"))
    # Every TF release's corpus is covered (a moved directory would drop it).
    missing = [c for c in CORPORA if not any(os.path.relpath(d, golden).startswith(c + "/")
                                             for d in dirs)]
    print("tf_show_agrees: %d SavedModels, %d differ%s" % (
        len(dirs), failed, "; no SavedModel in " + ", ".join(missing) if missing else ""))
    return 1 if failed or missing else 0


if __name__ == "__main__":
    sys.exit(main())
