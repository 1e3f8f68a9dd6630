"""Shared set-up for the golden generator scripts (golden/generate/gen_*.py).

Version-aware: under TensorFlow 1.x (TF1 is True) `v1` is the TF1 API itself
(`tf`), under 2.x it is `tf.compat.v1`; scripts write `v1.train.Saver` etc.
and run unchanged under both.  Graph-mode scripts (main(graph_mode=True))
run with eager execution disabled and TF 1.x behaviour (under 2.x
tf.compat.v1.disable_v2_behavior(): reference variables, control flow v1;
TF 1.x's own default); see resource_variables().  Eager scripts
(graph_mode=False) turn eager execution on under 1.x.

A scenario registered with versions="tf1" or "tf2" runs only under that
major version (TF1-era cases a 2.x corpus cannot hold, TF2-only APIs).

Each gen_*.py registers scenario functions with @scenario(name, description)
and ends with ``main()``.  A scenario function receives a
tforacle.manifest.Scenario whose directory is <out>/<name>; it writes files
there (normally after ``with sc.cwd():`` so every path TF records is
relative) and records checkpoints, runs, errors and notes.

Usage of a script:  gen_x.py --out DIR --fragments DIR [--only NAME ...]
"""
import argparse
import contextlib
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tools", "oracle"))
os.environ.setdefault("TFCKPT_REPO_ROOT", REPO)

from tforacle import env  # noqa: E402

tf = env.import_tf()
TF1 = tf.__version__.startswith("1.")
v1 = tf if TF1 else tf.compat.v1
MAJOR = "tf1" if TF1 else "tf2"

import numpy as np  # noqa: E402,F401

from tforacle import checkpoint as ckpt  # noqa: E402,F401
from tforacle.manifest import Scenario  # noqa: E402

_REGISTRY = []
TF1_MAP_ORDER = ("TF 1.x writes protobuf map fields (NodeDef attrs, collections, signatures) "
                 "in per-process hash order: same message, other bytes on every run")


def scenario(name, description, versions=None):
    """Registers fn(sc); versions: None (every TF), "tf1" or "tf2"."""
    def deco(fn):
        if versions in (None, MAJOR):
            _REGISTRY.append((name, description, fn))
        return fn
    return deco


def session_config(cpus=1):
    """Single-threaded (reproducible) session config with `cpus` CPU devices."""
    return v1.ConfigProto(
        intra_op_parallelism_threads=1,
        inter_op_parallelism_threads=1,
        device_count={"CPU": cpus},
        allow_soft_placement=False,
    )


def session(graph=None, cpus=1):
    return v1.Session(graph=graph, config=session_config(cpus))


@contextlib.contextmanager
def resource_variables(enabled):
    """Temporarily switch the graph-mode default variable kind.

    The TF1 scenarios default to classic reference variables (VariableV2 +
    Assign + Identity 'v/read'), as TF 1.x wrote them; *_resource scenarios
    use resource variables (VarHandleOp + AssignVariableOp + ReadVariableOp),
    TF2's default even in graph mode.
    """
    was = v1.resource_variables_enabled()
    (v1.enable_resource_variables if enabled else v1.disable_resource_variables)()
    try:
        yield
    finally:
        (v1.enable_resource_variables if was else v1.disable_resource_variables)()


def list_dir(root):
    """Sorted relative paths of all files under root."""
    out = []
    for dp, dns, fns in os.walk(root):
        for fn in fns:
            out.append(os.path.relpath(os.path.join(dp, fn), root).replace(os.sep, "/"))
    return sorted(out)


def read_text(path):
    with open(path, "r", encoding="utf-8") as f:
        return f.read()


def graph_nodes(graph_def):
    """[{name, op}] of a GraphDef's nodes in file order: what a Required.Graph
    conformance case compares a reader's node list with."""
    return [{"name": n.name, "op": n.op} for n in graph_def.node]


def var_outputs(sess, variables):
    """{tensor name: (dtype, value)} of variables after sess.run."""
    vals = sess.run(list(variables))
    return {v.name: (v.dtype.base_dtype, val) for v, val in zip(variables, vals)}


def main(graph_mode=True):
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True, help="golden output root (one dir per scenario)")
    ap.add_argument("--fragments", required=True, help="where MANIFEST fragments go")
    ap.add_argument("--only", nargs="*", default=None, help="scenario names to run")
    ap.add_argument("--list", action="store_true", help="list scenario names and exit")
    args = ap.parse_args()
    if args.list:
        for name, _, _ in _REGISTRY:
            print(name)
        return
    if graph_mode and not TF1:
        # TF1 semantics: graph mode, reference variables, control flow v1,
        # TensorShape v1 (tf.compat.v1.disable_v2_behavior()).
        v1.disable_v2_behavior()
    if not graph_mode and TF1:
        v1.enable_eager_execution()
    for name, description, fn in _REGISTRY:
        if args.only and name not in args.only:
            continue
        sys.stderr.write("  scenario %s\n" % name)
        sc = Scenario(name, description, args.out, args.fragments)
        if graph_mode:
            v1.reset_default_graph()
        fn(sc)
        if TF1:
            # TF 1.x serialises map fields (NodeDef.attr, collection_def,
            # signature_def) in hash order with a per-process seed (protobuf
            # 3.x's Map seeds its hash from the cycle counter), so binary
            # graph protos differ from run to run even without ASLR.
            for rel in list_dir(sc.dir):
                if rel.endswith((".meta", ".pb")):
                    sc.mark_nondeterministic(rel, TF1_MAP_ORDER)
        sc.finish()
