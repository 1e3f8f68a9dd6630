"""What TensorFlow's SavedModel loaders do with the SavedModels of golden/bad/
(the model-level defects of src/check/model_check.h), and with the goldens they
derive from: for each, TF 1.x's loader (tf.compat.v1.saved_model.load into a
Session, the first MetaGraph's tags) and TF 2's (tf.saved_model.load, then every
signature looked up). The outcome -- "accept" or "reject" with a fragment of
TF's message -- is pinned in PINNED; any difference fails.

    PYTHONPATH=tools/oracle "$VENV/bin/python" conformance/oracle/tf_loads_bad_models.py golden

This is the evidence behind each model-level defect code: TF refuses what
`tfckpt validate` calls defective (or, for the TF1 loader, accepts a file whose
signature cannot be used -- noted in PINNED). Prints one "@@" line for run.sh.
"""
import json
import os
import sys

# case -> {loader: (outcome, fragment of TF's message)}.
PINNED = {
    "saved_model_garbage": {
        "v1": ("reject", "Error parsing message"), "v2": ("reject", "Error parsing message")},
    "saved_model_variable_missing": {
        "v1": ("reject", "not found in checkpoint"), "v2": ("reject", "not found in checkpoint")},
    "saved_model_no_variables": {
        "v1": ("reject", "The passed save_path is not a valid checkpoint"),
        "v2": ("reject", "Unsuccessful TensorSliceReader constructor")},
    "saved_model_pbtxt_garbage": {
        "v1": ("reject", "Cannot parse file"), "v2": ("reject", "Cannot parse file")},
    "saved_model_variable_dtype": {
        "v1": ("reject", "expected dtype float does not equal original dtype double"),
        "v2": ("reject", "expected dtype float does not equal original dtype double")},
    "saved_model_variable_shape": {
        "v1": ("reject", "Assign requires shapes of both tensors to match"),
        "v2": ("reject", "Assign requires shapes of both tensors to match")},
    "saved_model_tf2_variable_shape": {
        # The TF1 loader's restore function assigns without a shape check.
        "v1": ("accept", ""),
        "v2": ("reject", "Received incompatible tensor with shape (3, 2) when attempting to "
                         "restore variable with shape (2, 3)")},
    "saved_model_recursive_function": {
        # The TF1 loader never instantiates the library's functions.
        "v1": ("accept", ""),
        "v2": ("reject", "There is a cyclic dependency between functions")},
    "saved_model_bad_signature": {
        # The TF1 loader does not resolve signatures; using this one fails.
        "v1": ("accept", ""),
        "v2": ("reject", "refers to a Tensor which does not exist")},
    "saved_model_dangling_input": {
        "v1": ("reject", "no_such_node"), "v2": ("reject", "no_such_node")},
    "saved_model_bad_restore_op": {
        "v1": ("reject", "save/no_such_op"), "v2": ("reject", "save/no_such_op")},
    "saved_model_missing_asset": {
        "v1": ("reject", "No such file or directory"),
        "v2": ("reject", "No such file or directory")},
}
# The goldens the cases derive from load cleanly (the control).
GOLDENS = ["tf-2.21/saved_model_simple_save/saved_model", "tf-2.21/saved_model_builder/saved_model",
           "tf-2.21/tf2_module_saved_model/saved_model"]


def one_line(e):
    return "%s: %s" % (type(e).__name__, " ".join(str(e).split()))


def load(tf, saved_model_pb2, path):
    """{"v1": (outcome, detail), "v2": (outcome, detail)} for a SavedModel dir."""
    tags = None
    try:
        sm = saved_model_pb2.SavedModel()
        with open(os.path.join(path, "saved_model.pb"), "rb") as f:
            sm.ParseFromString(f.read())
        tags = list(sm.meta_graphs[0].meta_info_def.tags)
    except Exception:  # noqa: BLE001 -- unreadable: the loaders say why
        tags = ["serve"]
    out = {}
    try:
        with tf.compat.v1.Session(graph=tf.Graph()) as sess:
            tf.compat.v1.saved_model.load(sess, tags, path)
        out["v1"] = ("accept", "")
    except Exception as e:  # noqa: BLE001 -- every exception is an outcome
        out["v1"] = ("reject", one_line(e))
    try:
        m = tf.saved_model.load(path, tags=tags)
        for key in list(m.signatures.keys()):
            m.signatures[key]
        out["v2"] = ("accept", "")
    except Exception as e:  # noqa: BLE001
        out["v2"] = ("reject", one_line(e))
    return out


def main(argv):
    if len(argv) != 2:
        print("usage: tf_loads_bad_models.py <golden dir>", file=sys.stderr)
        return 2
    root = os.path.abspath(argv[1])
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from tforacle.env import import_tf
    tf = import_tf()
    from tensorflow.core.protobuf import saved_model_pb2
    cases = {c["name"]: c for c in json.load(open(os.path.join(root, "bad", "EXPECTED.json")))["cases"]}
    wrong, n = [], 0
    for name in sorted(PINNED):
        if name not in cases:
            wrong.append("%s: pinned but not in golden/bad/EXPECTED.json" % name)
            continue
        got = load(tf, saved_model_pb2, os.path.join(root, "bad", cases[name]["validate"]))
        for loader, (want, fragment) in sorted(PINNED[name].items()):
            outcome, detail = got[loader]
            ok = outcome == want and fragment in detail
            n += 1
            print("    %s %-32s %s %-6s (pinned %-6s %r) %s" % (
                "ok  " if ok else "DIFF", name, loader, outcome, want, fragment, detail[:200]))
            if not ok:
                wrong.append("%s %s: TF %s (%s), pinned %s %r" % (name, loader, outcome,
                                                                  detail[:160], want, fragment))
    for g in GOLDENS:
        for loader, (outcome, detail) in sorted(load(tf, saved_model_pb2, os.path.join(root, g)).items()):
            n += 1
            print("    %s %-32s %s %s %s" % ("ok  " if outcome == "accept" else "DIFF", g, loader,
                                             outcome, detail[:200]))
            if outcome != "accept":
                wrong.append("golden %s %s: TF %s (%s)" % (g, loader, outcome, detail[:160]))
    detail = "%d loads as pinned (%d bad SavedModels, %d goldens, TF1 and TF2 loaders)" % (
        n - len(wrong), len(PINNED), len(GOLDENS))
    if wrong:
        detail = "%d differ: %s" % (len(wrong), "; ".join(wrong))
    print("@@\tbad->tf\tgolden_bad_models_loaded\t%s\t%s" % ("FAIL" if wrong else "PASS", detail))
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
