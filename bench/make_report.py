#!/usr/bin/env python3
"""Turns a storage benchmark run into the markdown of docs/PERFORMANCE.md.

  make_report.py machine --scratch DIR > machine.json     (before the run)
  make_report.py report --machine machine.json --bench storage_bench.json \
      --rss rss.jsonl [--commands commands.txt] [--load-after loadavg_after.txt] \
      > results.md

GB means 10^9 bytes throughout. Every percentage compares a measurement
with a limit measured in the same run. Each bulk measurement is repeated;
the verdict uses the best repetition of both the operation and the limit
(the least disturbed by other processes on a shared machine), and the
median-vs-median percentage is shown beside it.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys

# ---- machine facts ------------------------------------------------------


def _read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def machine_facts(scratch):
    cpu = "unknown"
    for line in _read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = 0
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    flags = ""
    for line in _read("/proc/cpuinfo").splitlines():
        if line.startswith("flags"):
            flags = line
            break
    isa = [f for f in ("sse4_2", "pclmulqdq", "avx2", "avx512f", "vpclmulqdq")
           if (" " + f + " ") in (flags + " ")]
    fs = ""
    try:
        fs = subprocess.run(["df", "-PTh", scratch], capture_output=True, text=True,
                            check=False).stdout.strip().splitlines()[-1]
    except (OSError, IndexError):
        pass
    commit = ""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, check=False).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "bench", "src"],
                               capture_output=True, text=True, check=False).stdout.strip()
        if dirty:
            commit += " (with uncommitted changes under bench/ or src/)"
    except OSError:
        pass
    hyper = "hypervisor" in flags
    return {
        "waited_for_quiet_s": int(os.environ.get("TFCKPT_WAITED_S", "0")),
        "date_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_model": cpu,
        "cpu_isa": isa,
        "virtualized": hyper,
        "mem_total_gib": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "scratch": scratch,
        "scratch_fs": fs,
        "thp": _read("/sys/kernel/mm/transparent_hugepage/enabled").strip(),
        "loadavg_before": _read("/proc/loadavg").split()[:3],
    }


# ---- benchmark results --------------------------------------------------

_TO_SECONDS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def base_name(name):
    return "/".join(p for p in name.split("/")
                    if ":" not in p and p not in ("manual_time", "real_time"))


def load_bench(path):
    with open(path) as f:
        data = json.load(f)
    runs = {}
    errors = {}
    for b in data["benchmarks"]:
        if b.get("run_type") != "iteration":
            continue
        name = base_name(b["name"])
        if b.get("error_occurred"):
            errors[name] = b.get("error_message", "error")
            continue
        secs = b["real_time"] * _TO_SECONDS[b.get("time_unit", "ns")]
        runs.setdefault(name, []).append({"secs": secs, "bytes": b.get("bytes", 0.0),
                                          "iterations": b.get("iterations", 1), **b})
    return data.get("context", {}), runs, errors


class Bulk:
    """One bulk measurement: GB/s per repetition."""

    def __init__(self, reps):
        self.gbps = [r["bytes"] / r["secs"] / 1e9 for r in reps]
        # Process CPU time of the same calls (absent for older result files).
        self.cpu_gbps = [r["bytes"] / r["cpu_secs"] / 1e9 for r in reps if r.get("cpu_secs")]
        self.ms = [r["secs"] * 1e3 for r in reps]
        self.bytes = reps[0]["bytes"]
        self.n = len(reps)

    @property
    def best(self):
        return max(self.gbps)

    @property
    def median(self):
        return statistics.median(self.gbps)

    @property
    def cpu_best(self):
        return max(self.cpu_gbps) if self.cpu_gbps else float("nan")


def fmt_gbps(x):
    return f"{x:.2f}"


def fmt_pct(x):
    return f"{100 * x:.0f}%"


def fmt_bytes(n):
    n = float(n)
    for unit, div in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= div:
            return f"{n / div:.2f} {unit}"
    return f"{n:.0f} B"


def report(args):
    with open(args.machine) as f:
        machine = json.load(f)
    context, runs, errors = load_bench(args.bench)
    probes = []
    with open(args.rss) as f:
        for line in f:
            line = line.strip()
            if line:
                probes.append(json.loads(line))
    commands = _read(args.commands).strip() if args.commands else ""

    bulk = {n: Bulk(r) for n, r in runs.items() if r[0]["bytes"] > 0}
    out = []
    w = out.append

    def get(name):
        if name not in bulk:
            raise SystemExit(f"missing benchmark {name}: {errors.get(name, 'not run')}")
        return bulk[name]

    mem = {v: get(f"limit/memcpy/{v}") for v in ("4k", "thp")}
    crc = {v: get(f"limit/crc32c/{v}") for v in ("4k", "thp")}
    memcpy_best = max(m.best for m in mem.values())
    crc_best = max(c.best for c in crc.values())
    memcpy_med = max(m.median for m in mem.values())
    crc_med = max(c.median for c in crc.values())
    combined_best = 1 / (1 / memcpy_best + 1 / crc_best)
    combined_med = 1 / (1 / memcpy_med + 1 / crc_med)
    memcpy_cpu = max(m.cpu_best for m in mem.values())
    crc_cpu = max(c.cpu_best for c in crc.values())
    combined_cpu = 1 / (1 / memcpy_cpu + 1 / crc_cpu)

    load_after = (_read(args.load_after) if args.load_after else _read("/proc/loadavg")).split()[:3]
    w("### Run")
    w("")
    w(f"- Date: {machine['date_utc']}; commit {machine['commit']}")
    w(f"- CPU: {machine['cpu_model']}, nproc = {machine['nproc']}"
      f"{' (virtual machine)' if machine['virtualized'] else ''}; "
      f"ISA: {', '.join(machine['cpu_isa'])}")
    caches = ", ".join(f"L{c['level']} {c['type'][0]} {c['size'] // 1024} KiB"
                       f"{' x' + str(c['num_sharing']) if c.get('num_sharing', 0) > 1 else ''}"
                       for c in context.get("caches", []))
    if caches:
        w(f"- Caches (Google Benchmark's view): {caches}")
    w(f"- Memory: {machine['mem_total_gib']} GiB; kernel {machine['kernel']}; "
      f"THP `{machine['thp']}`")
    w(f"- Scratch: `{machine['scratch']}` — `{machine['scratch_fs']}`")
    w(f"- Load average (1/5/15 min) before: {' '.join(machine['loadavg_before'])}, "
      f"after: {' '.join(load_after)} (other jobs share the machine; waited "
      f"{machine.get('waited_for_quiet_s', 0)} s for a quieter moment first)")
    w(f"- Sizes: one tensor = {fmt_bytes(int(context.get('tfckpt_one_bytes', 0)))}; "
      f"many = {context.get('tfckpt_many_count')} tensors x "
      f"{int(context.get('tfckpt_many_tensor_bytes', 0))} B = "
      f"{fmt_bytes(int(context.get('tfckpt_many_bytes', 0)))}; index = "
      f"{int(context.get('tfckpt_index_entries', 0)):,} entries")
    if context.get("library_build_type") == "debug":
        w("- Debian's libbenchmark is a debug build; bulk timings use their own steady "
          "clock around the operation, so only the µs-scale index loops carry its overhead.")
    if commands:
        w("- Commands (`bench/run_benchmarks.sh`):")
        w("")
        w("```")
        w(commands)
        w("```")
    w("")

    w("### Limits (same run)")
    w("")
    w("| Limit | best GB/s | median GB/s | reps | CPU-time GB/s (best) |")
    w("|---|---:|---:|---:|---:|")
    for v in ("4k", "thp"):
        w(f"| memcpy, {'4 KiB pages' if v == '4k' else 'transparent huge pages'} "
          f"| {fmt_gbps(mem[v].best)} | {fmt_gbps(mem[v].median)} | {mem[v].n} | "
          f"{fmt_gbps(mem[v].cpu_best)} |")
    for v in ("4k", "thp"):
        w(f"| ISA-L CRC32C (`io::crc32c::Value`), "
          f"{'4 KiB pages' if v == '4k' else 'transparent huge pages'} "
          f"| {fmt_gbps(crc[v].best)} | {fmt_gbps(crc[v].median)} | {crc[v].n} | "
          f"{fmt_gbps(crc[v].cpu_best)} |")
    w(f"| **memcpy limit** (faster page size) | **{fmt_gbps(memcpy_best)}** | "
      f"{fmt_gbps(memcpy_med)} | | {fmt_gbps(memcpy_cpu)} |")
    w(f"| **CRC32C limit** (faster page size) | **{fmt_gbps(crc_best)}** | "
      f"{fmt_gbps(crc_med)} | | {fmt_gbps(crc_cpu)} |")
    w(f"| **memcpy+CRC limit** = 1/(1/memcpy + 1/CRC) | **{fmt_gbps(combined_best)}** | "
      f"{fmt_gbps(combined_med)} | | {fmt_gbps(combined_cpu)} |")
    for name, what in (("ref/alloc_first_touch",
                        "reference: first write to 1 GiB of fresh memory (mmap + memset)"),
                       ("ref/write/page_cache", "reference: write(2) of 1 GiB into the page cache"),
                       ("ref/write/fdatasync", "reference: write(2) + fdatasync of 1 GiB (disk)")):
        b = get(name)
        cpu = "—" if "fdatasync" in name else fmt_gbps(b.cpu_best)
        w(f"| {what} | {fmt_gbps(b.best)} | {fmt_gbps(b.median)} | {b.n} | {cpu} |")
    w("")

    w("### Targets")
    w("")
    w("| Measurement | best GB/s | median GB/s | limit | % of limit (best) | "
      "% (median) | target | result | CPU-time view: GB/s, % of CPU-time limit |")
    w("|---|---:|---:|---|---:|---:|---:|---|---:|")
    verdicts = []

    def target_row(name, label, limit_name, limit_best, limit_med, limit_cpu, target):
        b = get(name)
        pb, pm = b.best / limit_best, b.median / limit_med
        ok = pb >= target
        res = "PASS" if ok else "**FAIL**"
        if ok != (pm >= target):
            res += f" (median: {'PASS' if pm >= target else 'FAIL'})"
        verdicts.append((label, ok))
        # CPU time leaves out waiting for the disk: meaningless with fsync.
        cpu = ("— (waits for disk)" if "/fsync" in name
               else f"{fmt_gbps(b.cpu_best)}, {fmt_pct(b.cpu_best / limit_cpu)}")
        w(f"| {label} | {fmt_gbps(b.best)} | {fmt_gbps(b.median)} | {limit_name} "
          f"{fmt_gbps(limit_best)} | {fmt_pct(pb)} | {fmt_pct(pm)} | ≥ {target:.0%} | {res} | "
          f"{cpu} |")

    for layout, desc in (("one", "1 tensor"), ("many", f"{context.get('tfckpt_many_count')} tensors")):
        target_row(f"write/{layout}/fsync", f"write, {desc}, with fsync (as shipped)",
                   "memcpy+CRC", combined_best, combined_med, combined_cpu, 0.60)
        target_row(f"write/{layout}/no_fsync", f"write, {desc}, fsync skipped",
                   "memcpy+CRC", combined_best, combined_med, combined_cpu, 0.60)
    for layout, desc in (("one", "1 tensor"), ("many", f"{context.get('tfckpt_many_count')} tensors")):
        target_row(f"read/{layout}/zero_copy_crc",
                   f"read = Open + Lookup with CRC (mmap, zero-copy), {desc}",
                   "memcpy+CRC", combined_best, combined_med, combined_cpu, 0.60)
    for layout, desc in (("one", "1 tensor"), ("many", f"{context.get('tfckpt_many_count')} tensors")):
        target_row(f"validate/{layout}", f"validate (check::Validate), {desc}",
                   "CRC", crc_best, crc_med, crc_cpu, 0.70)
    w("")

    w("### Diagnostics (no target)")
    w("")
    w("| Measurement | best | median | vs memcpy+CRC (best) |")
    w("|---|---:|---:|---:|")
    for layout in ("one", "many"):
        for mode, what in (("copy_crc", "read with zero_copy = false (copy into a new tensor) + CRC"),
                           ("zero_copy_nocrc_touch",
                            "read without CRC, caller touches 1 byte per 4 KiB page")):
            b = get(f"read/{layout}/{mode}")
            vs = fmt_pct(b.best / combined_best) if mode == "copy_crc" else "—"
            w(f"| {what}, {layout} | {fmt_gbps(b.best)} GB/s | {fmt_gbps(b.median)} GB/s | {vs} |")
    for layout in ("one", "many"):
        b = get(f"read/{layout}/zero_copy_crc")
        w(f"| read (zero-copy + CRC) against the CRC limit alone, {layout} | "
          f"{fmt_gbps(b.best)} GB/s | {fmt_gbps(b.median)} GB/s | "
          f"{fmt_pct(b.best / crc_best)} of CRC |")
    for layout in ("one", "many"):
        name = f"validate/{layout}/1thread"
        if name in runs:
            b = get(name)
            w(f"| validate on one thread (`ValidateOptions::threads = 1`), {layout} | "
              f"{fmt_gbps(b.best)} GB/s | {fmt_gbps(b.median)} GB/s | "
              f"{fmt_pct(b.best / crc_best)} of CRC (CPU-time view: {fmt_pct(b.cpu_best / crc_cpu)}) |")
    for layout in ("one", "many"):
        name = f"validate/{layout}/mmap"
        if name in runs and f"validate/{layout}" in runs:
            b, p = get(name), get(f"validate/{layout}")
            w(f"| validate through mmap (`Env::Default`) instead of pread (`Env::Pread`, what "
              f"`tfckpt validate` uses), {layout} | {fmt_gbps(b.best)} GB/s | "
              f"{fmt_gbps(b.median)} GB/s | pread/mmap: {fmt_pct(p.best / b.best)} |")
    pmd = []
    for layout in ("one", "many"):
        reps = runs.get(f"read/{layout}/zero_copy_crc", [])
        if reps and "file_pmd_mapped_bytes" in reps[-1]:
            pmd.append(f"{layout}: {fmt_bytes(reps[-1]['file_pmd_mapped_bytes'])}")
    if pmd:
        w(f"| data file mapped with 2 MiB entries after a zero-copy read (FilePmdMapped) | "
          f"{'; '.join(pmd)} | | |")
    for layout in ("one", "many"):
        name = f"read/{layout}/get_entry_only"
        if name in runs:
            ms = [r["secs"] * 1e3 for r in runs[name]]
            n = int(runs[name][0].get("tensors", 0)) or 1
            w(f"| Open + GetEntry of every key (index only, no data), {layout}: per key | "
              f"{min(ms) * 1e3 / n:.1f} µs | {statistics.median(ms) * 1e3 / n:.1f} µs | |")
    w("")

    w("### Index of 1M entries (per operation)")
    w("")
    w("| Operation | best µs | median µs | CPU µs (median) | reps × iterations |")
    w("|---|---:|---:|---:|---|")
    index_desc = {
        "index/table_open": "`Table::Open` (mmap, footer, index + metaindex blocks, CRCs)",
        "index/table_get_random": "`Table::Get` of a random existing key (table open)",
        "index/bundle_open": "`BundleReader::Open` (table open + header entry)",
        "index/bundle_lookup_random": "`BundleReader::Lookup` of a random scalar (reader open)",
        "index/open_and_lookup": "`BundleReader::Open` + one random `Lookup`",
    }
    entries = bytes_ = 0
    for name, desc in index_desc.items():
        if name not in runs:
            w(f"| {desc} | error: {errors.get(name, 'not run')} | | |")
            continue
        us = [r["secs"] * 1e6 for r in runs[name]]
        entries = runs[name][0].get("entries", entries)
        bytes_ = runs[name][0].get("index_file_bytes", bytes_)
        cpu = [r["cpu_time"] * _TO_SECONDS[r.get("time_unit", "ns")] * 1e6 for r in runs[name]]
        w(f"| {desc} | {min(us):.1f} | {statistics.median(us):.1f} | "
          f"{statistics.median(cpu):.1f} | {len(us)} × {runs[name][0]['iterations']} |")
    w("")
    w(f"Index file: {int(entries):,} entries, {fmt_bytes(bytes_)}.")
    w("")

    w("### Peak RSS (one process per operation, `getrusage` ru_maxrss)")
    w("")
    w("| Operation | peak RSS | largest tensor | peak / largest | "
      "(peak − baseline) / largest | RssAnon at end | RssFile at end | target | result |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    baseline = next((p["max_rss"] for p in probes if p["op"] == "baseline"), 0)

    def fmt_ratio(r):
        if r is None:
            return "—"
        return f"{r:.3f}×" if r < 100 else f"{r:,.0f}×"

    probe_desc = {
        "baseline": "empty process (libraries only)",
        "write_one": "write 1 tensor (source tensor in memory, fsync)",
        "write_many": "write many tensors (sources in memory, fsync)",
        "read_one": "read 1 tensor, mmap zero-copy + CRC, tensor kept",
        "read_many": "read many tensors, mmap zero-copy + CRC, each dropped before the next",
        "read_many_madvise": "what-if: read_many + MADV_DONTNEED of released ranges",
        "read_one_copy": "read 1 tensor, zero_copy = false",
        "read_many_copy": "read many tensors, zero_copy = false",
        "validate_one": "validate 1 tensor",
        "validate_many": "validate many tensors",
    }
    for p in probes:
        op = p["op"]
        if op == "prepare":
            continue
        largest = p.get("largest_tensor", 0)
        ratio = p["max_rss"] / largest if largest else None
        target = "≤ 1.1× (raw)" if op in ("read_one", "read_many") else ""
        res = ""
        if target:
            ok = ratio is not None and ratio <= 1.1
            res = "PASS" if ok else "**FAIL**"
            verdicts.append((f"read peak RSS, {op}", ok))
        net = (p["max_rss"] - baseline) / largest if largest else None
        w(f"| {probe_desc.get(op, op)} | {fmt_bytes(p['max_rss'])} | "
          f"{fmt_bytes(largest) if largest else '—'} | {fmt_ratio(ratio)} | {fmt_ratio(net)} | "
          f"{fmt_bytes(p['rss_anon_at_end'])} | {fmt_bytes(p['rss_file_at_end'])} | {target} | {res} |")
    w("")
    failed = [label for label, ok in verdicts if not ok]
    w(f"Summary: {len(verdicts) - len(failed)} of {len(verdicts)} target checks pass"
      + (f"; failing: {'; '.join(failed)}." if failed else "."))
    print("\n".join(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("machine")
    m.add_argument("--scratch", required=True)
    r = sub.add_parser("report")
    r.add_argument("--machine", required=True)
    r.add_argument("--bench", required=True)
    r.add_argument("--rss", required=True)
    r.add_argument("--commands")
    r.add_argument("--load-after", help="a copy of /proc/loadavg taken right after the run")
    args = ap.parse_args()
    if args.cmd == "machine":
        json.dump(machine_facts(args.scratch), sys.stdout, indent=1)
        print()
    else:
        report(args)


if __name__ == "__main__":
    main()
