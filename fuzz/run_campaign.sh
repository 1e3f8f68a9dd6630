#!/usr/bin/env bash
# Runs a fuzzing campaign: every target (or those named) for SECONDS each,
# seeded from golden/ (generated, not copied: pack_seeds packs each golden
# checkpoint's files into one input). Crashes land in fuzz/artifacts/<target>/;
# minimise them and move them to fuzz/regressions/<target>/.
#   fuzz/run_campaign.sh [-t SECONDS] [target...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
secs=600
if [ "${1:-}" = "-t" ]; then secs=$2; shift 2; fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(table_block_fuzzer table_fuzzer bundle_fuzzer bundle_entry_fuzzer
           tensor_slice_fuzzer checkpoint_state_fuzzer v1_reader_fuzzer validator_fuzzer)
fi
bazel build --config=fuzz "${targets[@]/#///fuzz:}" >/dev/null
bazel build //fuzz:pack_seeds >/dev/null
bin="$(bazel info --config=fuzz bazel-bin 2>/dev/null)/fuzz"
work="${TFCKPT_FUZZ_WORK:-$root/fuzz/work}"
mkdir -p "$work/seeds-packed" "$work/seeds-raw"
# Seeds: every golden V2 prefix and V1 file, packed; every golden file raw.
prefixes=$(find golden/tf-2.21 -name '*.index' | sed 's/\.index$//')
v1="golden/tf-2.21/saver_v1_basic/model.ckpt golden/tf-2.21/dtypes_v1/dtypes_v1"
"$(bazel info bazel-bin 2>/dev/null)/fuzz/pack_seeds" "$work/seeds-packed" $prefixes $v1 >/dev/null
find golden/tf-2.21 -type f -size -1M -exec cp -f {} "$work/seeds-raw/" \; 2>/dev/null || true
cp -f fuzz/dictionaries/*.dict "$work/" 2>/dev/null || true
for t in "${targets[@]}"; do
  corpus="$work/corpus/$t"; art="$root/fuzz/artifacts/$t/"
  mkdir -p "$corpus" "$art"
  dict=()
  [ -f "fuzz/dictionaries/$t.dict" ] && dict=(-dict="fuzz/dictionaries/$t.dict")
  echo "== $t for ${secs}s"
  "$bin/$t" "$corpus" "$work/seeds-packed" "$work/seeds-raw" fuzz/regressions/$t \
    -max_total_time="$secs" -rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=10 \
    -artifact_prefix="$art" -print_final_stats=1 "${dict[@]}" 2>&1 | tee "$work/$t.log" | \
    grep -E "^#[0-9]+ +(INITED|DONE)|stat::|ERROR|SUMMARY|Test unit written" || true
done
