"""tfckpt over the corpora other TensorFlow versions wrote (golden/tf-1.15,
golden/tf-2.11; each with its own MANIFEST.json): everything TF wrote
validates, every recorded model run replays with `tfckpt run` to TF's
outputs, and every model TF froze freezes with `tfckpt freeze` to a graph
that computes TF's outputs again.

  python3 versions_check.py TFCKPT CORPUS_DIR...

(`tfckpt inspect`/`dump` against the MANIFEST's tensors is
src/cli/golden_check.py, run over the same directories by the same test.)

A run record names its model (golden/generate/gen_tf1.py): "model" (a
SavedModel directory, a .meta or a frozen .pb, relative to the scenario),
"checkpoint" for a .meta, "tags"/"signature"/"input_keys"/"output_keys" for a
SavedModel. Outputs must equal TF's within MAX_ULPS float32 ulps (TF's and
tfckpt's kernels may sum in another order; the distance seen is printed) --
ulps of the tensor's largest magnitude for results near zero -- integers
and strings exactly. Standard library only.
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

MAX_ULPS = 8


def tfckpt(bin_, *args):
    return subprocess.run([bin_] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def ulps(a, b):
    def key(x):
        i = struct.unpack("<i", struct.pack("<f", x))[0]
        return i if i >= 0 else -2147483648 - i
    return abs(key(a) - key(b))


def ulp_of(x):
    """The float32 spacing at |x|."""
    b = struct.unpack("<i", struct.pack("<f", abs(x)))[0]
    return struct.unpack("<f", struct.pack("<i", b + 1))[0] - abs(x)


def as_float(v):
    return float(v) if isinstance(v, str) else v


def wire_input(t):
    """A MANIFEST tensor record as `tfckpt run --input` JSON (nested lists)."""
    vals = t["values"]
    if t["encoding"] == "float":
        vals = [as_float(v) for v in vals]
    elif t["encoding"] == "bytes":  # strings, as hex
        vals = [bytes.fromhex(v).decode("utf-8") for v in vals]
    def nest(flat, shape):
        if not shape:
            return flat[0]
        n = len(flat) // shape[0] if shape[0] else 0
        return [nest(flat[i * n:(i + 1) * n], shape[1:]) for i in range(shape[0])]
    return json.dumps(nest(vals, t["shape"]))


def compare(where, got, want, errors):
    """got: one output of `run --json`; want: the MANIFEST tensor record."""
    if got["shape"] != want["shape"]:
        errors.append("%s: shape %s, TF %s" % (where, got["shape"], want["shape"]))
        return 0
    gv, wv = got["values"], want["values"]
    if len(gv) != len(wv):
        errors.append("%s: %d values, TF %d" % (where, len(gv), len(wv)))
        return 0
    worst = 0
    # Near-zero results of a cancellation (a + b with b ~ -a) differ in many
    # ulps of themselves for one ulp of the terms: the distance allowed is
    # MAX_ULPS ulps of the tensor's largest magnitude.
    finite = [abs(as_float(w)) for w in wv if want["encoding"] == "float"
              and abs(as_float(w)) != float("inf") and as_float(w) == as_float(w)]
    scale = max(finite) if finite else 0.0
    for i, (g, w) in enumerate(zip(gv, wv)):
        if want["encoding"] == "float":
            g, w = as_float(g), as_float(w)
            if g != g and w != w:
                continue
            d = ulps(g, w) if g == g and w == w else 1 << 31
            if d > MAX_ULPS and abs(g - w) <= MAX_ULPS * ulp_of(scale):
                d = MAX_ULPS  # within the tensor's scale
            worst = max(worst, d)
            if d > MAX_ULPS:
                errors.append("%s[%d]: %r, TF %r (%d ulps)" % (where, i, g, w, d))
                return worst
        elif g != w:
            errors.append("%s[%d]: %r, TF %r" % (where, i, g, w))
            return worst
    return worst


def run_model(bin_, base, run, model, extra, errors, label):
    args = ["run", os.path.join(base, model), "--json"] + extra
    names = {}  # output key -> TF tensor name
    if "signature" in run:
        args += ["--tag", ",".join(run["tags"]), "--signature", run["signature"]]
        inv = {v: k for k, v in run["input_keys"].items()}
        for t in run["inputs"]:
            args += ["--input", "%s=%s" % (inv[t["name"]], wire_input(t))]
        names = dict(run["output_keys"])
    else:
        for t in run["inputs"]:
            args += ["--input", "%s=%s" % (t["name"], wire_input(t))]
        for t in run["outputs"]:
            args += ["--output", t["name"]]
            names[t["name"]] = t["name"]
    r = tfckpt(bin_, *args)
    if r.returncode != 0:
        errors.append("%s: tfckpt %s: exit %d: %s" % (label, " ".join(args[:2]), r.returncode,
                                                      r.stderr.decode(errors="replace").strip()))
        return
    got = {o["key"]: o for o in json.loads(r.stdout)["outputs"]}
    want = {t["name"]: t for t in run["outputs"]}
    worst = 0
    for key, name in sorted(names.items()):
        if key not in got:
            errors.append("%s: no output %s in %s" % (label, key, sorted(got)))
            continue
        worst = max(worst, compare("%s %s" % (label, key), got[key], want[name], errors))
    print("ok:   %s (%d outputs, max %d ulps)" % (label, len(names), worst))


def check_corpus(bin_, corpus, tmp, errors):
    with open(os.path.join(corpus, "MANIFEST.json")) as f:
        manifest = json.load(f)
    counts = {"validated": 0, "runs": 0, "frozen": 0}
    for sc in manifest["scenarios"]:
        base = os.path.normpath(os.path.join(corpus, manifest["golden_dir"], sc["dir"]))
        tag = "%s/%s" % (os.path.basename(corpus.rstrip("/")), sc["name"])
        # Every checkpoint, SavedModel, .meta and .pb TF wrote validates (a
        # .meta with the checkpoint `run` restores it from; a .pb by the
        # graph checks).
        targets = [c["prefix"] for c in sc["checkpoints"]]
        targets += sorted({f["path"][:f["path"].index("saved_model/") + len("saved_model")]
                           for f in sc["files"] if "saved_model/" in f["path"]})
        targets += sorted(f["path"] for f in sc["files"] if "saved_model/" not in f["path"]
                          and f["path"].endswith((".meta", ".pb", ".pbtxt")))
        if "checkpoint_state" in sc["notes"]:
            targets.append(".")
        for t in targets:
            r = tfckpt(bin_, "validate", os.path.normpath(os.path.join(base, t)))
            counts["validated"] += 1
            if r.returncode != 0:
                errors.append("%s: validate %s: exit %d:\n%s" % (
                    tag, t, r.returncode, (r.stdout + r.stderr).decode(errors="replace")))
        for run in sc["runs"]:
            if "model" not in run:
                continue
            extra = ["--checkpoint", os.path.join(base, run["checkpoint"])] if "checkpoint" in run else []
            run_model(bin_, base, run, run["model"], extra, errors, "%s %s" % (tag, run["name"]))
            counts["runs"] += 1
        # TF froze a model: tfckpt freezes the same model, and the graph it
        # writes computes TF's outputs of the first run of that model.
        for key, info in sorted(sc["notes"].items()):
            if not key.startswith("frozen "):
                continue
            src = next((r for r in sc["runs"] if r.get("model") == info["from"]), None)
            if src is None:
                continue
            out_pb = os.path.join(tmp, "%s_%s.pb" % (sc["name"], counts["frozen"]))
            args = ["freeze", os.path.join(base, info["from"]), "--checkpoint",
                    os.path.join(base, info["checkpoint"]), "-o", out_pb]
            for o in info["outputs"]:
                args += ["--output-node", o.split(":")[0]]
            r = tfckpt(bin_, *args)
            counts["frozen"] += 1
            if r.returncode != 0:
                errors.append("%s: tfckpt freeze: exit %d: %s" % (
                    tag, r.returncode, r.stderr.decode(errors="replace").strip()))
                continue
            run_model(bin_, tmp, src, os.path.basename(out_pb), [], errors,
                      "%s frozen by tfckpt, %s" % (tag, src["name"]))
    print("%s: %d validated, %d runs, %d frozen" % (corpus, counts["validated"], counts["runs"],
                                                   counts["frozen"]))


def main():
    bin_, corpora = sys.argv[1], sys.argv[2:]
    errors = []
    with tempfile.TemporaryDirectory() as tmp:
        for c in corpora:
            check_corpus(bin_, c, tmp, errors)
    for e in errors:
        print("FAIL: " + e)
    print("versions_check: %d failures" % len(errors))
    return 1 if errors or not corpora else 0


if __name__ == "__main__":
    sys.exit(main())
