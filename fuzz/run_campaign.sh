#!/usr/bin/env bash
# Runs a fuzzing campaign: every target (or those named) for a budget each,
# seeded from golden/ (generated, not copied: pack_seeds packs each golden
# checkpoint's files into one input). Crashes land in fuzz/artifacts/<target>/;
# minimise them and move them to fuzz/regressions/<target>/.
#
#   fuzz/run_campaign.sh [-t WALL_SECONDS | -c CPU_SECONDS] [-j JOBS] [-b BIN_DIR] [target...]
#
#   -t  stop each target after WALL_SECONDS of wall time (libFuzzer's
#       -max_total_time; default 600).
#   -c  stop each target once its process has used CPU_SECONDS of CPU time
#       (user + system, from /proc): the budget the campaign record counts,
#       independent of what else the machine runs. The driver sends SIGINT,
#       on which libFuzzer prints its final stats and exits.
#   -j  run JOBS targets at once (default 1).
#   -b  use the fuzzer binaries in BIN_DIR (e.g. fuzz/build.sh's $OUT, packaged
#       from the same Bazel build) instead of building them here.
# TFCKPT_FUZZ_WORK (default fuzz/work) holds corpora, logs (<target>.log) and
# seeds; TFCKPT_FUZZ_NICE (default 0) is the niceness of the fuzzers.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
wall=600 cpu="" jobs=1 bin=""
while getopts "t:c:j:b:" opt; do
  case $opt in
    t) wall=$OPTARG ;;
    c) cpu=$OPTARG ;;
    j) jobs=$OPTARG ;;
    b) bin="$(cd "$OPTARG" && pwd)" ;;
    *) echo "usage: $0 [-t WALL_SECONDS | -c CPU_SECONDS] [-j JOBS] [-b BIN_DIR] [target...]" >&2
       exit 2 ;;
  esac
done
shift $((OPTIND - 1))
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=($(sed -n 's/^ *name = "\([a-z_0-9]*_fuzzer\)",/\1/p' fuzz/BUILD))
fi
work="${TFCKPT_FUZZ_WORK:-$root/fuzz/work}"
mkdir -p "$work/seeds-packed" "$work/seeds-raw"
if [ -z "$bin" ]; then
  # The output base fuzz/build.sh uses (why: there).
  fuzz_bazel() { bazel --output_base="${TFCKPT_FUZZ_OUTPUT_BASE:-$HOME/.cache/tfckpt/bazel-fuzz}" "$@"; }
  fuzz_bazel build --config=fuzz --symlink_prefix=/ "${targets[@]/#///fuzz:}" >/dev/null
  bin="$(fuzz_bazel info --config=fuzz bazel-bin 2>/dev/null)/fuzz"
fi
# Seeds: every golden V2 prefix and V1 file (TF's and golden/bad's), packed;
# every golden file raw.
# With -b, the seed archives fuzz/build.sh put beside the binaries hold both.
if [ -z "$(ls -A "$work/seeds-packed")" ] && [ -n "$(ls "$bin"/*_seed_corpus.zip 2>/dev/null)" ]; then
  zip=$(ls "$bin"/*_seed_corpus.zip | head -1)
  (cd "$work" && unzip -qo "$zip" 'packed/*' && mv packed/* seeds-packed/ && rmdir packed)
fi
if [ -z "$(ls -A "$work/seeds-packed")" ]; then
  bazel build //fuzz:pack_seeds >/dev/null
  prefixes=$(find golden/tf-2.21 -name '*.index' | sed 's/\.index$//')
  v1="golden/tf-2.21/saver_v1_basic/model.ckpt golden/tf-2.21/dtypes_v1/dtypes_v1"
  bad="$(find golden/bad -name '*.index' | sed 's/\.index$//') $(ls golden/bad/v1_*/model.ckpt)"
  "$(bazel info bazel-bin 2>/dev/null)/fuzz/pack_seeds" "$work/seeds-packed" $prefixes $v1 $bad >/dev/null
fi
# Named after their path (as build.sh does): golden/bad alone holds 40 files
# called model.ckpt.index.
# -1024k, not -1M: find rounds sizes up to whole units, so -1M matches only empty files.
find golden -type f -size -1024k | while read -r f; do
  cp -f "$f" "$work/seeds-raw/$(echo "$f" | tr / _)"
done

# CPU seconds (user + system) of a live process, from /proc/PID/stat.
cpu_seconds() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
  stat=${stat##*) }   # the fields after "(comm) "
  set -- $stat        # $12, $13 = utime, stime (fields 14, 15 of the full line)
  echo $(( (${12} + ${13}) / $(getconf CLK_TCK) ))
}

run_one() {
  local t=$1 corpus="$work/corpus/$1" art="$root/fuzz/artifacts/$1/" log="$work/$1.log"
  mkdir -p "$corpus" "$art"
  local args=("$corpus" "$work/seeds-packed" "$work/seeds-raw" "fuzz/regressions/$t"
              -rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=10
              -artifact_prefix="$art" -print_final_stats=1)
  [ -f "fuzz/dictionaries/$t.dict" ] && args+=(-dict="fuzz/dictionaries/$t.dict")
  [ -z "$cpu" ] && args+=(-max_total_time="$wall")
  local start=$SECONDS
  nice -n "${TFCKPT_FUZZ_NICE:-0}" "$bin/$t" "${args[@]}" >"$log" 2>&1 &
  local pid=$! used=0
  if [ -n "$cpu" ]; then
    while kill -0 "$pid" 2>/dev/null; do
      used=$(cpu_seconds "$pid")
      if [ "$used" -ge "$cpu" ]; then kill -INT "$pid" 2>/dev/null || true; break; fi
      sleep 5
    done
  fi
  local rc=0
  wait "$pid" || rc=$?
  [ -n "$cpu" ] || used=$(( SECONDS - start ))
  echo "campaign: target=$t cpu_seconds=$used wall_seconds=$(( SECONDS - start )) exit=$rc" >>"$log"
  echo "== $t: exit $rc, ${used}s CPU, $(( SECONDS - start ))s wall; $(grep -a -c -E 'ERROR: (libFuzzer|AddressSanitizer|UndefinedBehaviorSanitizer)|runtime error' "$log" || true) findings"
}

running=0
for t in "${targets[@]}"; do
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then wait -n || true; running=$((running - 1)); fi
done
wait
