"""tfckpt.load against the other ways to read checkpoint tensors into numpy.

    python python_load_bench.py --work DIR --tfckpt-python PY --tf-python PY \
        --tcr-python PY --safetensors-python PY [--runs 3] [--out FILE.md]

bench/run_python_load.sh sets up the interpreters and calls this. Two data
sets of 1 GiB of float32 (seeded random values): one tensor [268435456], and
10,000 tensors of 26,843 elements. Each is written once with tfckpt.save
(a V2 bundle, the bytes TensorFlow writes) and with tfckpt.to_safetensors
(the same tensors), so every reader gets the same values; the page cache is
warm (the files were just written and each is read once before timing).
Every (library, data set) pair runs --runs times in a fresh process
(bench/python_load_child.py), interleaved; the table has the fastest load,
the peak RSS of that run, the import time (fastest) and each load time as a
ratio to tfckpt.load's in the same run. Not a test (never run in CI).
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
LIBS = [("tfckpt", "tfckpt.load(p)"), ("tfckpt-views", "tfckpt.open(p)[name] (views)"),
        ("tf", "tf.train.load_checkpoint(p).get_tensor"),
        ("tcr", "tensorflow-checkpoint-reader 0.2.2"),
        ("safetensors", "safetensors.numpy.load_file")]


def make_data(py, work, env):
    """Writes the two data sets with tfckpt (in the tfckpt interpreter)."""
    code = r"""
import sys, numpy as np, tfckpt
work = sys.argv[1]
rng = np.random.RandomState(20261206)
one = {"w": rng.standard_normal(1 << 28).astype(np.float32)}
many = {"t%05d" % i: rng.standard_normal(26843).astype(np.float32) for i in range(10000)}
for name, tensors in (("one", one), ("many", many)):
    tfckpt.save(f"{work}/{name}.ckpt", tensors)
    tfckpt.to_safetensors(f"{work}/{name}.ckpt", f"{work}/{name}.safetensors")
"""
    subprocess.run([py, "-c", code, work], check=True, env=env)


def run_child(py, lib, path, env):
    out = subprocess.run([py, os.path.join(HERE, "python_load_child.py"), lib, path],
                         check=True, stdout=subprocess.PIPE, text=True, env=env).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--tfckpt-python", required=True)
    ap.add_argument("--tfckpt-pythonpath", default="")
    ap.add_argument("--tf-python", required=True)
    ap.add_argument("--tcr-python", required=True)
    ap.add_argument("--safetensors-python", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    env = dict(os.environ, PYTHONPATH=a.tfckpt_pythonpath)
    if not os.path.exists(os.path.join(a.work, "many.safetensors")):
        make_data(a.tfckpt_python, a.work, env)
    pythons = {"tfckpt": a.tfckpt_python, "tfckpt-views": a.tfckpt_python, "tf": a.tf_python,
               "tcr": a.tcr_python, "safetensors": a.safetensors_python}
    results = {}
    for data in ("one", "many"):
        for lib, _ in LIBS:  # warm the page cache and each interpreter's imports
            path = os.path.join(a.work, data + (".safetensors" if lib == "safetensors" else ".ckpt"))
            run_child(pythons[lib], lib, path, env)
        for _ in range(a.runs):
            for lib, _ in LIBS:
                path = os.path.join(a.work, data + (".safetensors" if lib == "safetensors" else ".ckpt"))
                r = run_child(pythons[lib], lib, path, env)
                print(data, json.dumps(r), file=sys.stderr, flush=True)
                best = results.get((data, lib))
                if best is None or r["load_s"] < best["load_s"]:
                    results[(data, lib)] = dict(r, import_best=min(r["import_s"], (best or r)["import_s"]))
                else:
                    best["import_best"] = min(best["import_best"], r["import_s"])
    lines = ["| data | reader | load (s) | GiB/s | load time / tfckpt.load | peak RSS (MiB) | import (s) |",
             "|---|---|---|---|---|---|---|"]
    for data, title in (("one", "1 GiB, 1 tensor"), ("many", "1 GiB, 10k tensors")):
        base = results[(data, "tfckpt")]["load_s"]
        for lib, label in LIBS:
            r = results[(data, lib)]
            lines.append("| %s | %s | %.3f | %.2f | %.2f× | %.0f | %.2f |" % (
                title, label, r["load_s"], r["bytes"] / r["load_s"] / 2**30, r["load_s"] / base,
                r["peak_rss_mib"], r["import_best"]))
    load = os.getloadavg()
    lines.append("")
    lines.append("Best of %d runs each, interleaved, one fresh process per run; load average at "
                 "the end %.1f / %.1f / %.1f on %d CPUs; %s." % (
                     a.runs, load[0], load[1], load[2], os.cpu_count(), time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())))
    text = "\n".join(lines) + "\n"
    print(text)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
