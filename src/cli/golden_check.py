"""Checks `tfckpt inspect --json` and `tfckpt dump --json` against the values
TensorFlow 2.21 wrote (golden/MANIFEST.json), for every golden checkpoint.

  python3 golden_check.py TFCKPT GOLDEN_DIR

Floats must round-trip exactly: float32, half and bfloat16 values (and
complex64 parts) compared as float32 bit patterns, doubles as float64 bit
patterns; NaN/Inf as the strings "nan"/"inf"/"-inf"; integers exactly;
strings byte for byte (JSON string = UTF-8 bytes, {"hex": ...} = raw bytes).
Standard library only; values are compared by the one Python record codec
(tools/oracle/tforacle/tensors.py, same_value).
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "tools", "oracle"))
from tforacle.tensors import same_value  # noqa: E402


def run_json(cmd):
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if out.returncode != 0:
        raise AssertionError("%s: exit %d: %s" % (" ".join(cmd), out.returncode,
                                                 out.stderr.decode(errors="replace")))
    return json.loads(out.stdout)


def check_layout(listing, ckpt, errors):
    """inspect lists the names, dtypes and shapes TF read. (Offsets, sizes and
    CRCs are not in the MANIFEST: TF cannot report them; reading every value
    below exercises them, and bundle_golden_test rewrites TF's bytes.)"""
    where = listing["prefix"]
    want = sorted((t["name"], t["dtype"][3:].lower(), t["shape"]) for t in ckpt["tensors"])
    got = sorted((t["name"], t["dtype"], t["shape"]) for t in listing["tensors"])
    if got != want:
        errors.append("%s: inspect lists %s, MANIFEST %s" % (where, got, want))


def sample(tensors, most=64, keep=24):
    """The tensors with values to dump: all of them, or `keep` spread evenly
    (first and last included) when more than `most` -- one process per dump,
    and the 300-key checkpoints differ only in names and values."""
    with_values = [t for t in tensors if t.get("values") is not None]
    if len(with_values) <= most:
        return with_values
    step = (len(with_values) - 1) / (keep - 1)
    return [with_values[round(i * step)] for i in range(keep)]


def main():
    tfckpt, golden = sys.argv[1], sys.argv[2]
    with open(os.path.join(golden, "MANIFEST.json")) as f:
        manifest = json.load(f)
    errors, dumped = [], 0
    for scenario in manifest["scenarios"]:
        base = os.path.join(golden, manifest["golden_dir"], scenario["dir"])
        for ckpt in scenario.get("checkpoints", []):
            prefix = os.path.join(base, ckpt["prefix"])
            check_layout(run_json([tfckpt, "inspect", "--json", prefix]), ckpt, errors)
            for t in sample(ckpt["tensors"]):
                got = run_json([tfckpt, "dump", "--json", prefix, t["name"]])
                dumped += 1
                where = "%s %s" % (prefix, t["name"])
                if got["dtype"] != t["dtype"][3:].lower() or got["shape"] != t["shape"]:
                    errors.append("%s: %s %s, want %s %s" % (where, got["dtype"], got["shape"],
                                                            t["dtype"], t["shape"]))
                    continue
                vals = got["values"]
                if len(vals) != len(t["values"]) or got["num_elements"] != t["num_elements"]:
                    errors.append("%s: %d values, want %d" % (where, len(vals), len(t["values"])))
                    continue
                for i, (g, w) in enumerate(zip(vals, t["values"])):
                    if not same_value(g, w, t["encoding"], t["dtype"]):
                        errors.append("%s[%d]: dump --json %r, TF wrote %r" % (where, i, g, w))
                        break
    for e in errors:
        print("FAIL: " + e)
    print("golden_check: %d tensors dumped, %d failures" % (dumped, len(errors)))
    return 1 if errors or dumped == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
