#!/usr/bin/env bash
# Side-by-side benchmark: tfckpt against TensorFlow's own save/restore on the
# same tensors and the same files, in one run (docs/PERFORMANCE_TF.md,
# "Side by side with TensorFlow").
#
#   bench/run_side_by_side.sh [OUT_DIR]     (default: bench/results/side_by_side)
#
# 1. builds //bench:side_by_side with --config=opt and copies it out;
# 2. waits (up to QUIET_WAIT_S, default 300 s) for the 1-minute load average
#    to fall below QUIET_LOAD (default 1.5), as run_benchmarks.sh does;
# 3. `side_by_side prepare`: tfckpt writes the storage_bench data sets (1 GiB
#    as one float tensor, as 10k tensors with TF2-style keys);
# 4. bench/tf_side_by_side.py in the oracle venv: TensorFlow reads those
#    files (RestoreV2, CheckpointReader), writes the same tensors with SaveV2
#    (eager and tf.function) and reads its own files back;
# 5. `side_by_side time`: tfckpt writes the same tensors (fsync skipped, as
#    TensorFlow's writer does, and as shipped), reads and validates its
#    files and TensorFlow's;
# 6. bench/side_by_side_report.py writes results.md (ratios, verdicts).
#
# Environment: REPS (default 10) and FSYNC_REPS (3) repetitions; VENV (default:
# what tools/oracle/setup_venv.sh prints); TMPDIR picks the scratch file
# system, which needs 6 GiB free; the machine needs 8 GiB of free memory.
# Outputs in OUT_DIR: machine.json, tf.jsonl, tfckpt.jsonl, loadavg.txt,
# commands.txt, results.md. Takes about 5-10 minutes plus the build.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
OUT=$(realpath -m "${1:-bench/results/side_by_side}")
mkdir -p "$OUT"
SCRATCH_PARENT=${TMPDIR:-/tmp}
REPS=${REPS:-10}
FSYNC_REPS=${FSYNC_REPS:-3}

. bench/bench_lib.sh
require_resources run_side_by_side "$SCRATCH_PARENT" 6 8
VENV=${VENV:-$(tools/oracle/setup_venv.sh | tail -n 1)}
if ! "$VENV/bin/python" -c 'import tensorflow' 2>/dev/null; then
  echo "run_side_by_side: SKIPPED: no TensorFlow in $VENV (tools/oracle/setup_venv.sh)" >&2
  exit 1
fi

WORK=$(mktemp -d "$SCRATCH_PARENT/tfckpt-sbs.XXXXXX")
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT INT TERM

echo "== build (bazel build --config=opt //bench:side_by_side)"
bazel build --config=opt //bench:side_by_side
bazel run --config=opt --script_path="$WORK/side_by_side.run" //bench:side_by_side \
  >"$WORK/bazel_run.log" 2>&1 || { cat "$WORK/bazel_run.log" >&2; exit 1; }
cp "$(tail -n 1 "$WORK/side_by_side.run" | awk '{ print $1 }')" "$WORK/side_by_side"

wait_for_quiet
TFCKPT_WAITED_S=$waited python3 bench/make_report.py machine --scratch "$SCRATCH_PARENT" \
  >"$OUT/machine.json"

DATA="$WORK/data"
mkdir -p "$DATA"
{
  echo "bazel build --config=opt //bench:side_by_side"
  echo "side_by_side prepare \$DATA"
  echo "\$VENV/bin/python bench/tf_side_by_side.py \$DATA $REPS $FSYNC_REPS > tf.jsonl"
  echo "side_by_side time \$DATA $REPS $FSYNC_REPS > tfckpt.jsonl"
  echo "side_by_side_report.py --machine machine.json --tf tf.jsonl --tfckpt tfckpt.jsonl --load loadavg.txt"
} >"$OUT/commands.txt"

: >"$OUT/loadavg.txt"
phase() { echo "$1 $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/loadavg.txt"; }

echo "== tfckpt writes the data sets"
"$WORK/side_by_side" prepare "$DATA"
phase "before_tf"
echo "== TensorFlow ($VENV)"
start=$(date +%s)
"$VENV/bin/python" bench/tf_side_by_side.py "$DATA" "$REPS" "$FSYNC_REPS" >"$OUT/tf.jsonl"
echo "   ($(( $(date +%s) - start )) s)"
phase "after_tf"
echo "== tfckpt"
start=$(date +%s)
"$WORK/side_by_side" time "$DATA" "$REPS" "$FSYNC_REPS" >"$OUT/tfckpt.jsonl"
echo "   ($(( $(date +%s) - start )) s)"
phase "after_tfckpt"

python3 bench/side_by_side_report.py --machine "$OUT/machine.json" --tf "$OUT/tf.jsonl" \
  --tfckpt "$OUT/tfckpt.jsonl" --load "$OUT/loadavg.txt" --commands "$OUT/commands.txt" \
  >"$OUT/results.md"
echo "== report: $OUT/results.md"
cat "$OUT/results.md"
