#!/usr/bin/env python3
"""Markdown report of a side-by-side run (bench/run_side_by_side.sh).

  side_by_side_report.py --machine machine.json --tf tf.jsonl \
      --tfckpt tfckpt.jsonl [--load loadavg.txt] [--commands commands.txt]

Inputs are the JSON lines of bench/tf_side_by_side.py and of
`side_by_side time` ({"impl","op","layout","file","bytes","wall":[s],
"cpu":[s]}). GB = 10^9 bytes. A ratio is tfckpt's throughput over
TensorFlow's for the same job on the same data: the verdict compares best
with best (wall clock; the repetition least disturbed by other jobs), and
the median-vs-median and CPU-time ratios are shown beside it. The target
(storage and oracle issues) is a ratio of at least 1.5.
"""

import argparse
import json
import statistics
import sys

TARGET = 1.5

# TensorFlow's candidates for each job; the fastest (best wall) one counts.
TF_WRITES = ("write_savev2_eager", "write_savev2_function")
TF_READS = ("read_restorev2", "read_checkpoint_reader")

# (job, tfckpt op, tfckpt's file, TensorFlow ops, TensorFlow's file, verdict?)
PAIRS = [
    ("write, neither side fsyncs", "write_nofsync", "tfckpt", TF_WRITES, "tf", True),
    ("write, tfckpt as shipped (fdatasync + dir fsync) vs TF (no fsync)", "write_fsync",
     "tfckpt", TF_WRITES, "tf", False),
    ("read every tensor into memory the caller owns (tfckpt `zero_copy = false`)", "read_copy",
     "tfckpt", TF_READS, "tfckpt", True),
    ("read every tensor, each library's default (tfckpt borrows the mmap)", "read_zero_copy",
     "tfckpt", TF_READS, "tfckpt", True),
    ("validator's job: every byte CRC-checked (tfckpt `validate` vs RestoreV2 of every key)",
     "validate", "tfckpt", ("read_restorev2",), "tfckpt", True),
    ("... tfckpt validate on one thread", "validate_1thread", "tfckpt", ("read_restorev2",),
     "tfckpt", False),
    ("read into owned memory, TensorFlow's own file", "read_copy", "tf", TF_READS, "tf", True),
    ("validator's job, TensorFlow's own file", "validate", "tf", ("read_restorev2",), "tf", True),
]


def load(path):
    runs, info = {}, {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            r = json.loads(line)
            if "info" in r:
                info = r["info"]
                continue
            runs[(r["impl"], r["op"], r["layout"], r["file"])] = r
    return runs, info


def stats(r):
    """Best and median GB/s, wall and CPU."""
    b = r["bytes"] / 1e9
    return {
        "best": b / min(r["wall"]),
        "median": b / statistics.median(r["wall"]),
        "cpu_best": b / min(r["cpu"]) if min(r["cpu"]) > 0 else float("inf"),
        "reps": len(r["wall"]),
    }


def gbps(x):
    return f"{x:.2f}"


def ratio(a, b):
    return f"{a / b:.2f}×" if b > 0 else "—"


def report(args):
    with open(args.machine) as f:
        m = json.load(f)
    runs, _ = load(args.tfckpt)
    tf_runs, info = load(args.tf)
    runs.update(tf_runs)
    out = []
    w = out.append
    w("### Run")
    w("")
    w(f"- Date: {m['date_utc']}; commit {m['commit']}")
    w(f"- CPU: {m['cpu_model']}, nproc = {m['nproc']}"
      f"{' (virtual machine)' if m.get('virtualized') else ''}; memory {m['mem_total_gib']} GiB; "
      f"kernel {m['kernel']}")
    w(f"- Scratch: `{m['scratch']}` — `{m['scratch_fs']}`")
    load_line = f"start {' '.join(m['loadavg_before'])}"
    if args.load:
        with open(args.load) as f:
            for line in f:
                parts = line.split()
                if parts:
                    load_line += f"; {parts[0].replace('_', ' ')} {' '.join(parts[1:])}"
    w(f"- Load average (1/5/15 min): {load_line} "
      f"(waited {m.get('waited_for_quiet_s', 0)} s for a quieter moment first)")
    w(f"- TensorFlow {info.get('tf_version', '?')} (intra-op threads "
      f"{info.get('intra_op_threads', '?')}, inter-op {info.get('inter_op_threads', '?')}: "
      "0 = one per CPU); tfckpt built with `--config=opt`")
    for layout in ("one", "many"):
        li = info.get(layout)
        if li:
            w(f"- `{layout}`: {li['tensors']} tensor(s), {li['bytes']:,} bytes; TensorFlow's "
              f"SaveV2 of the tensors it read from tfckpt's bundle gave a data file "
              f"{'byte-identical' if li['data_file_identical'] else 'DIFFERENT'} to tfckpt's and "
              f"an index {'byte-identical' if li['index_file_identical'] else 'that differs'}")
    if args.commands:
        with open(args.commands) as f:
            w("- Commands (`bench/run_side_by_side.sh`):")
            w("")
            w("```")
            w(f.read().rstrip())
            w("```")
    w("")
    w("### Ratios (tfckpt ÷ TensorFlow, same data, same run)")
    w("")
    w("| Layout | Job | tfckpt GB/s best (median) | TensorFlow: fastest way | TF GB/s best (median) "
      "| ratio best | ratio median | ratio CPU time | target | result |")
    w("|---|---|---:|---|---:|---:|---:|---:|---:|---|")
    passed = failed = 0
    misses = []
    for layout in ("one", "many"):
        for job, op, file, tf_ops, tf_file, verdict in PAIRS:
            mine = runs.get(("tfckpt", op, layout, file))
            theirs = [(o, runs[("tf", o, layout, tf_file)]) for o in tf_ops
                      if ("tf", o, layout, tf_file) in runs]
            if mine is None or not theirs:
                continue
            tf_op, tf_run = max(theirs, key=lambda p: stats(p[1])["best"])
            a, b = stats(mine), stats(tf_run)
            result = ""
            if verdict:
                ok = a["best"] / b["best"] >= TARGET
                result = "PASS" if ok else "**FAIL**"
                passed += ok
                failed += not ok
                if not ok:
                    misses.append(f"{job} ({layout})")
            w(f"| {layout} | {job} | {gbps(a['best'])} ({gbps(a['median'])}) | `{tf_op}` "
              f"| {gbps(b['best'])} ({gbps(b['median'])}) | {ratio(a['best'], b['best'])} "
              f"| {ratio(a['median'], b['median'])} | {ratio(a['cpu_best'], b['cpu_best'])} "
              f"| {'≥ 1.5×' if verdict else ''} | {result} |")
    w("")
    w(f"Summary: {passed} of {passed + failed} ratio checks pass"
      + (f"; failing: {'; '.join(misses)}." if misses else "."))
    w("")
    w("### Every measurement")
    w("")
    w("| Impl | Operation | Layout | File read or written | best GB/s | median GB/s "
      "| CPU-time GB/s (best) | reps |")
    w("|---|---|---|---|---:|---:|---:|---:|")
    for (impl, op, layout, file), r in sorted(runs.items(), key=lambda kv: (kv[0][2] != "one",) + kv[0]):
        s = stats(r)
        w(f"| {impl} | `{op}` | {layout} | {file}'s | {gbps(s['best'])} | {gbps(s['median'])} "
          f"| {gbps(s['cpu_best'])} | {s['reps']} |")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--machine", required=True)
    ap.add_argument("--tf", required=True)
    ap.add_argument("--tfckpt", required=True)
    ap.add_argument("--load")
    ap.add_argument("--commands")
    sys.stdout.write(report(ap.parse_args()))


if __name__ == "__main__":
    main()
