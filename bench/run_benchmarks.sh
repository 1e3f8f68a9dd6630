#!/usr/bin/env bash
# Builds the storage benchmarks with --config=opt, runs them and the peak-RSS
# probes, and writes a markdown report (docs/PERFORMANCE.md pastes it).
#
#   bench/run_benchmarks.sh [OUT_DIR]        (default: bench/results)
#
# Environment: TMPDIR picks the scratch file system (default /tmp); it needs
# about 5 GiB free (checked) and the machine about 8 GiB of free memory.
# Extra storage_bench flags can be passed in STORAGE_BENCH_FLAGS (e.g.
# "--reps=3"; the report needs every benchmark, so no filter). Takes about
# 4 minutes plus the build, plus up to 5 minutes waiting for a quiet machine.
#
# Outputs in OUT_DIR: storage_bench.json (Google Benchmark's raw results),
# rss.jsonl (one line per probe), machine.json, loadavg_after.txt,
# commands.txt and results.md
# (the report; `make_report.py report` regenerates it from the others).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
OUT=$(realpath -m "${1:-bench/results}")
mkdir -p "$OUT"
SCRATCH_PARENT=${TMPDIR:-/tmp}

. bench/bench_lib.sh
require_resources run_benchmarks "$SCRATCH_PARENT" 5 8

WORK=$(mktemp -d "$SCRATCH_PARENT/tfckpt-bench.XXXXXX")
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT INT TERM

echo "== build (bazel build --config=opt //bench/...)"
bazel build --config=opt //bench/...
# Copy the binaries out of bazel-out so a concurrent build cannot swap them.
for target in storage_bench rss_probe; do
  bazel run --config=opt --script_path="$WORK/$target.run" "//bench:$target" \
    >"$WORK/bazel_run.log" 2>&1 || { cat "$WORK/bazel_run.log" >&2; exit 1; }
  bin=$(tail -n 1 "$WORK/$target.run" | awk '{ print $1 }')
  cp "$bin" "$WORK/$target"
done

wait_for_quiet
TFCKPT_WAITED_S=$waited python3 bench/make_report.py machine --scratch "$SCRATCH_PARENT" \
  >"$OUT/machine.json"

BENCH_CMD=("$WORK/storage_bench" "--dir=$WORK/data" --reps=10 --fsync_reps=3 --index_reps=3
           "--benchmark_out=$OUT/storage_bench.json" --benchmark_out_format=json
           ${STORAGE_BENCH_FLAGS:-})
PROBE_OPS=(prepare baseline write_one write_many read_one read_many read_many_madvise
           read_one_copy read_many_copy validate_one validate_many)
{
  echo "bazel build --config=opt //bench/..."
  echo "storage_bench --dir=\$SCRATCH/data --reps=10 --fsync_reps=3 --index_reps=3 \\"
  echo "    --benchmark_out=storage_bench.json --benchmark_out_format=json ${STORAGE_BENCH_FLAGS:-}"
  echo "for op in ${PROBE_OPS[*]}; do"
  echo "  rss_probe \$op \$SCRATCH/probe   # one process per op; sync -f after prepare"
  echo "done"
  echo "make_report.py report --machine machine.json --bench storage_bench.json --rss rss.jsonl ..."
} >"$OUT/commands.txt"

echo "== storage_bench"
start=$(date +%s)
"${BENCH_CMD[@]}"
cat /proc/loadavg >"$OUT/loadavg_after.txt"
echo "   ($(( $(date +%s) - start )) s)"

echo "== peak RSS probes (one process per operation)"
: >"$OUT/rss.jsonl"
for op in "${PROBE_OPS[@]}"; do
  "$WORK/rss_probe" "$op" "$WORK/probe" | tee -a "$OUT/rss.jsonl"
  # Reads then find clean, cached files (as in storage_bench).
  if [[ $op == prepare ]]; then sync -f "$WORK/probe"; fi
done
rm -rf "$WORK/probe"

python3 bench/make_report.py report --machine "$OUT/machine.json" \
  --bench "$OUT/storage_bench.json" --rss "$OUT/rss.jsonl" \
  --commands "$OUT/commands.txt" --load-after "$OUT/loadavg_after.txt" >"$OUT/results.md"
echo "== report: $OUT/results.md"
cat "$OUT/results.md"
