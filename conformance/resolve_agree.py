"""Every documented PATH form (docs/CLI.md "Paths") through every consumer of
the one resolver; each must give the answer `tfckpt resolve --json` gives.

  resolve_agree.py TFCKPT TESTEE GOLDEN_DIR TOOLS_ORACLE_DIR TMPDIR

Builds one fixture per row of the table from TF's goldens (copies), then per
form:
  oracle      tforacle.resolve.resolve (the Python oracle, through the CLI)
              equals the answer; for a typed prefix, tforacle.resolve.
              resolve_prefix (rule C in Python, what tforacle.checkpoint
              uses) gives the same format and checkpoint, or refuses alike;
  validate    `tfckpt validate --json` (check::Validate dispatches on
              path::Resolve) reports the kind the answer implies and
              checks the answer's model file and checkpoint files (a path
              the resolver refuses is not valid either);
  state dir   for a typed prefix, a `checkpoint` state file listing it:
              the validator's CheckStateDir validates the same checkpoint
              (or reports STALE_PATH when the resolver finds none);
  testee      tfckpt's conformance testee reads the answer's checkpoint, and
              a SavedModel's read_saved_model lists variables iff the
              answer has a checkpoint.
One "ok"/"FAIL" line per form and consumer; exit 1 on any difference."""
import glob
import json
import os
import shutil
import struct
import subprocess
import sys

G = None  # golden dir


def cp(src, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    shutil.copyfile(os.path.join(G, src), dst)


def v2(dst_prefix, src="saver_v2_basic/model.ckpt"):
    cp(src + ".index", dst_prefix + ".index")
    cp(src + ".data-00000-of-00001", dst_prefix + ".data-00000-of-00001")


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def fixtures(t):
    """[(name, path, prefix_form)]: one per row of the table."""
    sm = "saved_model_simple_save/saved_model"
    v1 = "saver_v1_basic/model.ckpt"
    cp(sm + "/saved_model.pb", t + "/sm_v2/saved_model.pb")
    v2(t + "/sm_v2/variables/variables", sm + "/variables/variables")
    cp(sm + "/saved_model.pb", t + "/sm_v1/saved_model.pb")
    cp(v1, t + "/sm_v1/variables/variables")
    cp(sm + "/saved_model.pb", t + "/sm_none/saved_model.pb")
    cp("meta_graph/model.ckpt.meta", t + "/bundle/export.meta")
    v2(t + "/bundle/export", "meta_graph/model.ckpt")
    cp("meta_graph/model.ckpt.meta", t + "/bundle_v1/export.meta")
    cp(v1, t + "/bundle_v1/export-00000-of-00001")
    v2(t + "/state/model.ckpt")
    write(t + "/state/checkpoint", 'model_checkpoint_path: "model.ckpt"\n')
    v2(t + "/stale/model.ckpt")
    write(t + "/stale/checkpoint", 'model_checkpoint_path: "/nonexistent/moved/model.ckpt"\n')
    v2(t + "/vars_only/variables/variables", sm + "/variables/variables")
    v2(t + "/one_index/x")
    v2(t + "/two_index/x")
    v2(t + "/two_index/y")
    v2(t + "/v2/model.ckpt")
    cp(v1, t + "/v1/model.ckpt")
    cp(v1, t + "/v1s/model.ckpt-00000-of-00001")
    v2(t + "/parked/model.ckpt")
    os.rename(t + "/parked/model.ckpt.index", t + "/parked/model.ckpt.index.tfckpt-old")
    cp("meta_graph/model.ckpt.meta", t + "/meta_own/model.ckpt.meta")
    v2(t + "/meta_own/model.ckpt", "meta_graph/model.ckpt")
    cp("meta_graph/model.ckpt.meta", t + "/meta_state/graph.meta")
    v2(t + "/meta_state/model.ckpt", "meta_graph/model.ckpt")
    write(t + "/meta_state/checkpoint", 'model_checkpoint_path: "model.ckpt"\n')
    cp("freeze_add/combined_model.pb", t + "/frozen/graph.pb")
    return [
        ("D1 SavedModel, V2 variables", t + "/sm_v2", False),
        ("D1 SavedModel, V1 variables", t + "/sm_v1", False),
        ("D1 SavedModel without variables", t + "/sm_none", False),
        ("D2 session bundle", t + "/bundle", False),
        ("D2 session bundle, V1 shards", t + "/bundle_v1", False),
        ("D3 state directory", t + "/state", False),
        ("D3 stale state file", t + "/stale", False),
        ("D4 variables/ only", t + "/vars_only", False),
        ("D5 one .index", t + "/one_index", False),
        ("D5 two .index", t + "/two_index", False),
        ("F1 the file checkpoint", t + "/state/checkpoint", False),
        ("F2 saved_model.pb", t + "/sm_v2/saved_model.pb", False),
        ("F2 export.meta", t + "/bundle/export.meta", False),
        ("F3 X.index", t + "/v2/model.ckpt.index", False),
        ("F3 X.data-*", t + "/v2/model.ckpt.data-00000-of-00001", False),
        ("C V2 prefix", t + "/v2/model.ckpt", True),
        ("C parked V2 prefix", t + "/parked/model.ckpt", True),
        ("C V1 file", t + "/v1/model.ckpt", True),
        ("C V1 shard pattern", t + "/v1s/model.ckpt-?????-of-00001", True),
        ("C V1 shards of a prefix", t + "/v1s/model.ckpt", True),
        ("F4 .meta with its checkpoint", t + "/meta_own/model.ckpt.meta", False),
        ("F4 .meta with a state file", t + "/meta_state/graph.meta", False),
        ("F5 .pb", t + "/frozen/graph.pb", False),
        ("nothing there", t + "/v2/nope", True),
    ]


class Testee:
    def __init__(self, binary):
        self.p = subprocess.Popen([binary], stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def ask(self, req):
        b = json.dumps(req).encode("utf-8")
        self.p.stdin.write(struct.pack("<I", len(b)) + b)
        self.p.stdin.flush()
        (n,) = struct.unpack("<I", self.p.stdout.read(4))
        return json.loads(self.p.stdout.read(n).decode("utf-8"))

    def close(self):
        self.p.stdin.close()
        self.p.wait()


def run_json(argv):
    p = subprocess.run(argv, capture_output=True)
    return p.returncode, json.loads(p.stdout.decode("utf-8")) if p.stdout.strip() else None


def checkpoint_files(answer):
    c = answer["checkpoint"]
    if answer["format"] == "V2":
        return [c + ".index"]  # the validator names it even when parked
    return sorted(glob.glob(c)) if not os.path.isfile(c) else [c]


# The validator's report kind for each answer of the resolver.
MODEL_KINDS = {"SavedModel": "saved_model", "session bundle": "meta_graph",
               "MetaGraph": "meta_graph", "GraphDef": "graph_def"}


def validator_view(answer):
    """(report kind, files it must examine) for a resolver answer."""
    files = checkpoint_files(answer) if answer["checkpoint"] is not None else []
    if answer["kind"] == "checkpoint":
        if answer["state_file"] is not None:
            return "state_dir", [answer["state_file"]] + files
        return answer["format"].lower(), files
    model = answer["model"]
    if answer["kind"] == "SavedModel":
        model = os.path.join(model, "saved_model.pb")
    elif answer["kind"] == "session bundle":
        model = os.path.join(model, "export.meta")
    return MODEL_KINDS[answer["kind"]], [model] + files


def main():
    global G
    tfckpt, testee_bin, G, oracle_dir, tmp = sys.argv[1:6]
    sys.path.insert(0, oracle_dir)
    from tforacle import resolve as oracle  # noqa: E402 -- after sys.path
    t = os.path.join(tmp, "forms")
    shutil.rmtree(t, ignore_errors=True)
    forms = fixtures(t)
    testee = Testee(testee_bin)
    failures = 0

    def verdict(name, consumer, problem):
        nonlocal failures
        if problem:
            failures += 1
            print("FAIL: %s: %s: %s" % (name, consumer, problem))
        else:
            print("ok: %s: %s" % (name, consumer))

    for i, (name, path, prefix_form) in enumerate(forms):
        rc, answer = run_json([tfckpt, "resolve", "--json", path])
        error = answer.get("error") if answer else {"code": "no JSON"}
        has_ckpt = error is None and answer["checkpoint"] is not None
        print("-- %s: %s" % (name, "error " + error["code"] if error else
                             "%s %s %s" % (answer["kind"], answer["format"], answer["checkpoint"])))
        # The oracle, through the CLI.
        try:
            got = oracle.resolve(path, tfckpt)
            verdict(name, "oracle", None if not error and got == answer else
                    "answered %r, tfckpt resolve %r" % (got, answer))
        except oracle.ResolveError as e:
            verdict(name, "oracle", None if error and e.code == error["code"] else
                    "refused (%s), tfckpt resolve %r" % (e, answer))
        # The oracle's rule C in Python.
        if prefix_form:
            try:
                got = oracle.resolve_prefix(path)
                want = None if error else {"format": answer["format"],
                                           "checkpoint": answer["checkpoint"]}
                verdict(name, "oracle rule C", None if got == want else
                        "answered %r, tfckpt resolve %r" % (got, answer))
            except FileNotFoundError as e:
                verdict(name, "oracle rule C", None if error else
                        "refused (%s), tfckpt resolve %r" % (e, answer))
        # The validator.
        vrc, report = run_json([tfckpt, "validate", "--json", "--no-data", path])
        if not error:
            got = report["paths"][0] if report else {"kind": None, "files": []}
            kind, want = validator_view(answer)
            missing = [f for f in want if f not in got["files"]]
            verdict(name, "validate", "kind %s (want %s); did not check %s (checked %s)" % (
                got["kind"], kind, missing, got["files"])
                    if missing or got["kind"] != kind else None)
        elif error:
            verdict(name, "validate", None if vrc != 0 else "exit 0 for a path resolve refuses")
        # CheckStateDir on a state file listing the typed prefix.
        if prefix_form:
            sd = os.path.join(t, "listed%d" % i)
            write(sd + "/checkpoint", 'model_checkpoint_path: "%s"\n' % path)
            _, report = run_json([tfckpt, "validate", "--json", "--no-data", sd])
            r = report["paths"][0]
            if has_ckpt:
                want = ("validated %scheckpoint %s (listed in" %
                        ("V1 " if answer["format"] == "V1" else "", answer["checkpoint"]))
                verdict(name, "state dir", None if any(n.startswith(want) for n in r["notes"])
                        else "notes %r lack %r" % (r["notes"], want))
            else:
                codes = [d["code"] for d in r["defects"]]
                verdict(name, "state dir", None if "STALE_PATH" in codes else
                        "defects %r lack STALE_PATH" % codes)
        # The conformance testee.
        if has_ckpt:
            resp = testee.ask({"op": "read_checkpoint", "format": answer["format"],
                               "prefix": answer["checkpoint"]})
            verdict(name, "testee read", None if "result" in resp and resp["result"]["tensors"]
                    else "answered %r" % resp)
        if not error and answer["kind"] == "SavedModel":
            resp = testee.ask({"op": "read_saved_model", "dir": path})
            n = len(resp.get("result", {}).get("variables", []))
            verdict(name, "testee read_saved_model",
                    None if "result" in resp and (n > 0) == has_ckpt else
                    "%d variables, resolve says checkpoint %r (%r)" % (
                        n, answer["checkpoint"], resp.get("error")))
    testee.close()
    print("%s: %d difference(s) over %d forms" % ("FAILED" if failures else "PASS", failures,
                                                   len(forms)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
