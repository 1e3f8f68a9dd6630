"""TensorFlow runs what tfckpt's TF1 API wrote: every case of the API corpus
(//conformance/oracle:write_api_corpus, api_corpus.h) is imported, restored
and run with the pinned TF the way a user would, and compared exactly with
the case's expected.json (computed by tfckpt's own engine and loaders).

    PYTHONPATH=tools/oracle:conformance/oracle "$VENV/bin/python" \
        conformance/oracle/tf_runs_tfckpt_api.py <corpus>

Per case (graph mode, tf.compat.v1; a session with 3 CPU devices, one thread):
  checkpoints      tf.train.load_checkpoint: exactly the expected keys, every
                   value bit-exact.
  import           tf.train.import_meta_graph(meta[, import_scope]: every name
                   then prefixed); get_checkpoint_state and
                   latest_checkpoint give tfckpt's paths; saver.restore; the
                   restored values, collections (get_collection), cleared
                   devices, then the recorded runs in order (targets, then
                   fetches), bit-exact; EMA: variables_to_restore() of a fresh
                   evaluation graph and the averages restored through it;
                   field binding: binding.json rebinds every field.
  resave           the imported Saver saves again (write_meta_graph=False):
                   .index and every .data file (V1: the file) byte-identical.
  saved_model      tf.compat.v1.saved_model.loader.load per tag set, every
                   signature run by its TensorInfo names, variables/ re-saved by
                   the MetaGraph's Saver byte-identical; TF2
                   tf.saved_model.load(dir, tags).signatures[key](**inputs).
  frozen_graph     import_graph_def(name='frozen') and run; TF's own
                   convert_variables_to_constants of the case's meta graph and
                   checkpoint gives the same bytes as tfckpt's frozen graph.

Comparisons are bit-exact: the ops used (MatMul, Add, Relu, Softmax,
Assign*, the EMA update) give TF's bits in tfckpt's engine for these sizes
(MatMul: TF's sequential FMA per output; Softmax under 8 classes: one AVX
packet). The one exception is a run that carries "max_ulp" and "why" in
expected.json (rename_partial's Sum: tfckpt's default build sums 4 floats as
one SSE packet, TF's AVX build sums fewer than 8 in order); it is compared within
that many ULPs and the table line says how far it was.

Prints one "@@" line per check (run.sh makes the table); exit 1 on any failure.
"""
import glob
import json
import os
import shutil
import sys
import tempfile

from tforacle.env import import_tf

import oracle_common as oc

tf = import_tf()
v1 = tf.compat.v1

import numpy as np  # noqa: E402

DIRECTION = "tfckpt-api->tf"


def session_config():
    return v1.ConfigProto(intra_op_parallelism_threads=1, inter_op_parallelism_threads=1,
                          device_count={"CPU": 3}, allow_soft_placement=False)


def value_of(rec):
    """The numpy value a tensor record describes (feeds)."""
    if rec["dtype"] == "DT_STRING":
        flat = [bytes.fromhex(v) for v in rec["values"]]
        return np.array(flat, dtype=object).reshape(rec["shape"])
    dt = oc.tf_dtype(rec["dtype"]).as_numpy_dtype
    return np.frombuffer(bytes.fromhex(rec["raw_hex"]), dtype=dt).reshape(rec["shape"]).copy()


class Check:
    """One table line: problems collected, then reported."""

    def __init__(self, label):
        self.label = label
        self.problems = []
        self.count = 0
        self.ulps = []  # distances of the comparisons made with a ULP bound

    def expect(self, ok, what):
        self.count += 1
        if not ok:
            self.problems.append(what)

    def compare(self, name, dtype, value, expected, max_ulp=0):
        self.count += 1
        d = oc.diff(oc.record(name, dtype, value), expected)
        if d and max_ulp:
            ulps = ulp_distance(value, value_of(expected))
            d = "" if ulps <= max_ulp else "%s (%s ULPs > %d)" % (d, ulps, max_ulp)
            self.ulps.append(ulps)
        elif max_ulp:
            self.ulps.append(0)
        if d:
            self.problems.append("%s: %s" % (name, d))

    def report(self, extra=""):
        ok = not self.problems
        detail = "%d checks" % self.count + (", " + extra if extra else "")
        if self.ulps:
            detail += ", %d within a ULP bound (max %d ULPs)" % (len(self.ulps), max(self.ulps))
        if not ok:
            detail = "; ".join(self.problems[:4]) + (" (+%d more)" % (len(self.problems) - 4)
                                                     if len(self.problems) > 4 else "")
        oc.result(DIRECTION, self.label, ok, detail)
        return ok


def run_checked(label, fn, *args):
    """Runs a check function; an exception is that check's failure."""
    try:
        return fn(*args)
    except Exception as e:  # noqa: BLE001 -- every TF error is a result
        oc.result(DIRECTION, label, False, "%s: %s" % (type(e).__name__,
                                                       " ".join(str(e).split())[:300]))
        return False


def ulp_distance(a, b):
    """Largest distance in units in the last place between float arrays
    (their bit patterns as ordered integers), or inf if they cannot compare."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype or a.dtype not in (np.float32, np.float64):
        return float("inf")
    ints = np.int32 if a.dtype == np.float32 else np.int64

    def ordered(x):
        i = x.view(ints).astype(np.int64)
        return np.where(i < 0, np.iinfo(ints).min - i, i)

    return int(np.max(np.abs(ordered(a) - ordered(b)))) if a.size else 0


def list_files(case_dir):
    out = []
    for d, _, files in os.walk(case_dir):
        for f in files:
            rel = os.path.relpath(os.path.join(d, f), case_dir)
            if rel != "expected.json":
                out.append(rel)
    return sorted(out)


def check_checkpoints(case_dir, case):
    c = Check("%s/load_checkpoint" % case["name"])
    c.expect(list_files(case_dir) == case["files"],
             "files: %s, expected %s" % (list_files(case_dir), case["files"]))
    for prefix, ck in sorted(case.get("checkpoints", {}).items()):
        reader = tf.train.load_checkpoint(os.path.join(case_dir, prefix))
        dtypes = reader.get_variable_to_dtype_map()
        want = {t["name"]: t for t in ck["tensors"]}
        c.expect(sorted(dtypes) == sorted(want),
                 "%s keys %s, expected %s" % (prefix, sorted(dtypes), sorted(want)))
        for key, rec in want.items():
            c.compare(key, dtypes.get(key, rec["dtype"]), reader.get_tensor(key), rec)
    return c.report("%d checkpoints" % len(case.get("checkpoints", {})))


def run_recorded(c, sess, graph, runs, prefix=""):
    for run in runs:
        feeds = {graph.get_tensor_by_name(prefix + r["name"]): value_of(r) for r in run["feeds"]}
        if run["targets"]:
            sess.run([graph.get_operation_by_name(prefix + t) for t in run["targets"]], feeds)
        if run["fetches"]:
            tensors = [graph.get_tensor_by_name(prefix + r["name"]) for r in run["fetches"]]
            got = sess.run(tensors, feeds)
            for t, value, rec in zip(tensors, got, run["fetches"]):
                c.compare(rec["name"], t.dtype.base_dtype, value, rec, run.get("max_ulp", 0))


def collection_items(items):
    out = []
    for item in items:
        if isinstance(item, bytes):
            out.append({"kind": "bytes", "value": item.hex()})
        elif isinstance(item, str):
            out.append({"kind": "bytes", "value": item.encode("utf-8").hex()})
        elif isinstance(item, bool) or not isinstance(item, (int, float)):
            out.append({"kind": "name", "value": item.name})
        elif isinstance(item, int):
            out.append({"kind": "int64", "value": item})
        else:
            out.append({"kind": "float", "value": item})
    return out


def resave(label, sess, saver, imp, latest):
    c = Check(label)
    tmp = tempfile.mkdtemp(prefix="tfckpt-api-resave.")
    try:
        path = saver.save(sess, os.path.join(tmp, "model.ckpt"), write_meta_graph=False,
                          write_state=False)
        if imp["format"] == "V1":
            pairs = [(latest, path)]
        else:
            ours = sorted(glob.glob(latest + ".data-*"))
            theirs = sorted(glob.glob(path + ".data-*"))
            c.expect([o[len(latest):] for o in ours] == [t[len(path):] for t in theirs],
                     "data files %s vs TF's %s" % ([os.path.basename(o) for o in ours],
                                                   [os.path.basename(t) for t in theirs]))
            pairs = [(latest + ".index", path + ".index")] + list(zip(ours, theirs))
        for ours, theirs in pairs:
            with open(ours, "rb") as f1, open(theirs, "rb") as f2:
                a, b = f1.read(), f2.read()
            c.expect(a == b, "%s differs from TF's re-save (%d vs %d bytes)" % (
                os.path.basename(ours), len(a), len(b)))
        return c.report("%d files byte-identical to TF's saver.save" % len(pairs))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def resolve_binding(c, graph, fields, kinds, prefix, path=""):
    """Rebinds every field as after import_meta_graph(import_scope): names
    get the scope prefix."""
    for field, short in fields.items():
        kind = kinds[field]
        where = path + field
        if isinstance(short, dict):
            resolve_binding(c, graph, short, kind, prefix, where + ".")
            continue
        name = prefix + short
        if kind == "tensor":
            c.expect(graph.get_tensor_by_name(name).name == name, "field %s: %s" % (where, name))
        elif kind == "operation":
            c.expect(graph.get_operation_by_name(name).name == name, "field %s: %s" % (where, name))
        else:
            with graph.as_default():
                found = [v for v in v1.global_variables() if v.name == name]
            c.expect(len(found) == 1, "field %s: no variable %s among global_variables" % (where, name))


def check_ema(c, ema, latest):
    g = tf.Graph()
    with g.as_default():
        for ev in ema["eval_variables"]:
            v1.Variable(tf.zeros(ev["shape"], tf.float32), name=ev["name"])
        v1.train.get_or_create_global_step()
        averages = v1.train.ExponentialMovingAverage(ema["decay"])
        mapping = averages.variables_to_restore()
        got = {k: v.name for k, v in mapping.items()}
        c.expect(got == ema["variables_to_restore"],
                 "variables_to_restore %s, expected %s" % (got, ema["variables_to_restore"]))
        saver = v1.train.Saver(mapping)
        with v1.Session(graph=g, config=session_config()) as sess:
            saver.restore(sess, latest)
            by_name = {v.name: v for v in mapping.values()}
            for rec in ema["restore_averages"]:
                var = by_name.get(rec["name"])
                c.expect(var is not None, "no variable %s in variables_to_restore()" % rec["name"])
                if var is not None:
                    c.compare(rec["name"], var.dtype.base_dtype, sess.run(var), rec)


def check_import(case_dir, case, imp):
    scope = imp.get("import_scope")
    prefix = scope + "/" if scope else ""
    label = import_label(case, imp)
    c = Check(label)
    ckdir = os.path.join(case_dir, imp["checkpoint_dir"])
    state = tf.train.get_checkpoint_state(ckdir)
    want = imp["checkpoint_state"]
    c.expect(state is not None and state.model_checkpoint_path == want["model_checkpoint_path"]
             and list(state.all_model_checkpoint_paths) == want["all_model_checkpoint_paths"],
             "get_checkpoint_state: %s" % (state,))
    latest = tf.train.latest_checkpoint(ckdir)
    c.expect(latest == imp["latest_checkpoint"],
             "latest_checkpoint %s, expected %s" % (latest, imp["latest_checkpoint"]))
    g = tf.Graph()
    ok = True
    with g.as_default():
        saver = v1.train.import_meta_graph(os.path.join(case_dir, imp["meta"]),
                                           import_scope=scope)
        with v1.Session(graph=g, config=session_config()) as sess:
            saver.restore(sess, latest)
            for rec in imp.get("restored", []):
                t = g.get_tensor_by_name(prefix + rec["name"])
                c.compare(rec["name"], t.dtype.base_dtype, sess.run(t), rec)
            if imp.get("resave"):
                what = import_label(case, imp).replace("/import ", "/resave ", 1)
                ok = run_checked(what, resave, what, sess, saver, imp, latest) and ok
            if imp.get("cleared_devices"):
                devices = sorted({n.device for n in g.as_graph_def().node})
                c.expect(devices == [""], "devices after clear_devices: %s" % devices)
            for key, items in sorted(imp.get("collections", {}).items()):
                got = collection_items(g.get_collection(key))
                c.expect(got == items, "collection %s: %s, expected %s" % (key, got, items))
            if "binding" in imp:
                with open(os.path.join(case_dir, imp["binding"]["file"])) as f:
                    fields = json.load(f)
                c.expect(fields == imp["binding"]["fields"], "binding.json: %s" % fields)
                resolve_binding(c, g, fields, imp["binding"]["kinds"], prefix)
            run_recorded(c, sess, g, imp.get("runs", []), prefix)
    if "ema" in imp:
        check_ema(c, imp["ema"], latest)
    return c.report("%d runs" % len(imp.get("runs", []))) and ok


def import_label(case, imp):
    scope = imp.get("import_scope")
    return "%s/import %s%s" % (case["name"], imp["meta"],
                               " (scope %s)" % scope if scope else "")


def check_meta_checkpoint(case_dir, case):
    ok = run_checked("%s/load_checkpoint" % case["name"], check_checkpoints, case_dir, case)
    for imp in case["imports"]:
        ok = run_checked(import_label(case, imp), check_import, case_dir, case, imp) and ok
    return ok


def check_saved_model_v1(export_dir, case, mg):
    c = Check("%s/loader.load %s" % (case["name"], ",".join(mg["tags"])))
    resaved = True
    g = tf.Graph()
    with g.as_default(), v1.Session(graph=g, config=session_config()) as sess:
        meta = v1.saved_model.loader.load(sess, mg["tags"], export_dir)
        for key, sig in sorted(mg["signatures"].items()):
            sd = meta.signature_def[key]
            c.expect(sorted(sd.outputs) == sorted(sig["outputs"]),
                     "signature %s outputs %s" % (key, sorted(sd.outputs)))
            feeds = {sd.inputs[k].name: value_of(r) for k, r in sig["inputs"].items()}
            keys = sorted(sig["outputs"])
            got = sess.run([sd.outputs[k].name for k in keys], feeds)
            for k, value in zip(keys, got):
                t = g.get_tensor_by_name(sd.outputs[k].name)
                c.compare(k, t.dtype.base_dtype, value, sig["outputs"][k])
        # The MetaGraph's own Saver restores variables/ again (undoing the
        # main op) and saves: byte-identical to what tfckpt's builder wrote.
        prefix = os.path.join(export_dir, "variables", "variables")
        if os.path.exists(prefix + ".index"):
            saver = v1.train.Saver(saver_def=meta.saver_def)
            saver.restore(sess, prefix)
            label = "%s/resave variables %s" % (case["name"], ",".join(mg["tags"]))
            resaved = run_checked(label, resave, label, sess, saver, {"format": "V2"}, prefix)
    return c.report("%d signatures" % len(mg["signatures"])) and resaved


def check_saved_model_v2(export_dir, case, entry, mg):
    c = Check("%s/tf2 load %s" % (case["name"], entry["key"]))
    loaded = tf.saved_model.load(export_dir, tags=entry["tags"])
    sig = mg["signatures"][entry["key"]]
    fn = loaded.signatures[entry["key"]]
    out = fn(**{k: tf.constant(value_of(r)) for k, r in sig["inputs"].items()})
    c.expect(sorted(out) == sorted(sig["outputs"]), "outputs %s" % sorted(out))
    for k, rec in sorted(sig["outputs"].items()):
        if k in out:
            c.compare(k, out[k].dtype, out[k].numpy(), rec)
    return c.report("signature %s" % entry["key"])


def check_saved_model(case_dir, case):
    ok = run_checked("%s/load_checkpoint" % case["name"], check_checkpoints, case_dir, case)
    export_dir = os.path.join(case_dir, case["export_dir"])
    for mg in case["meta_graphs"]:
        ok = run_checked("%s/loader.load %s" % (case["name"], ",".join(mg["tags"])),
                         check_saved_model_v1, export_dir, case, mg) and ok
    for entry in case.get("tf2_signatures", []):
        mg = next(m for m in case["meta_graphs"] if m["tags"] == entry["tags"])
        ok = run_checked("%s/tf2 load %s" % (case["name"], entry["key"]), check_saved_model_v2,
                         export_dir, case, entry, mg) and ok
    return ok


def check_frozen_run(case_dir, case):
    c = Check("%s/import_graph_def" % case["name"])
    gd = v1.GraphDef()
    with open(os.path.join(case_dir, case["graph"]), "rb") as f:
        gd.ParseFromString(f.read())
    got = [{"name": n.name, "op": n.op} for n in gd.node]
    c.expect(got == case["nodes"], "nodes %s" % got)
    c.expect(not {n.op for n in gd.node} & {"VariableV2", "VarHandleOp", "ReadVariableOp"},
             "variables left in the frozen graph")
    g = tf.Graph()
    with g.as_default():
        tf.import_graph_def(gd, name="frozen")
        with v1.Session(graph=g, config=session_config()) as sess:
            for run in case["runs"]:
                feeds = {"frozen/" + r["name"]: value_of(r) for r in run["feeds"]}
                tensors = [g.get_tensor_by_name("frozen/" + r["name"]) for r in run["fetches"]]
                for t, value, rec in zip(tensors, sess.run(tensors, feeds), run["fetches"]):
                    c.compare(rec["name"], t.dtype.base_dtype, value, rec)
    return c.report("%d nodes" % len(gd.node))


def check_tf_freeze(case_dir, case):
    spec = case["tf_freeze"]
    c = Check("%s/tf convert_variables_to_constants" % case["name"])
    g = tf.Graph()
    with g.as_default():
        saver = v1.train.import_meta_graph(os.path.join(case_dir, spec["meta"]))
        with v1.Session(graph=g, config=session_config()) as sess:
            saver.restore(sess, os.path.join(case_dir, spec["checkpoint"]))
            frozen = v1.graph_util.convert_variables_to_constants(sess, g.as_graph_def(),
                                                                  spec["outputs"])
    theirs = frozen.SerializeToString(deterministic=True)
    with open(os.path.join(case_dir, case["graph"]), "rb") as f:
        ours = f.read()
    if ours != theirs:
        mine = v1.GraphDef()
        mine.ParseFromString(ours)
        diffs = [n.name for n, m in zip(frozen.node, mine.node) if n != m]
        c.expect(False, "TF's frozen graph differs (%d vs %d bytes, %d vs %d nodes; first "
                 "differing nodes %s)" % (len(theirs), len(ours), len(frozen.node),
                                          len(mine.node), diffs[:3]))
    else:
        c.expect(True, "")
    return c.report("TF's frozen graph is byte-identical (%d bytes)" % len(ours))


def check_frozen_graph(case_dir, case):
    ok = run_checked("%s/load_checkpoint" % case["name"], check_checkpoints, case_dir, case)
    ok = run_checked("%s/import_graph_def" % case["name"], check_frozen_run, case_dir, case) and ok
    ok = run_checked("%s/tf convert_variables_to_constants" % case["name"], check_tf_freeze,
                     case_dir, case) and ok
    for imp in case.get("imports", []):
        ok = run_checked(import_label(case, imp), check_import, case_dir, case, imp) and ok
    return ok


def main(argv):
    if len(argv) != 2:
        print("usage: tf_runs_tfckpt_api.py <api_corpus_dir>", file=sys.stderr)
        return 2
    root = os.path.realpath(argv[1])
    with open(os.path.join(root, "index.json")) as f:
        names = json.load(f)["cases"]
    failed = 0
    for name in names:
        case_dir = os.path.join(root, name)
        with open(os.path.join(case_dir, "expected.json")) as f:
            case = json.load(f)
        fn = {"meta_checkpoint": check_meta_checkpoint, "saved_model": check_saved_model,
              "frozen_graph": check_frozen_graph}[case["kind"]]
        ok = run_checked(name, fn, case_dir, case)
        failed += not ok
    print("tf_runs_tfckpt_api: %d cases, %d failed" % (len(names), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
