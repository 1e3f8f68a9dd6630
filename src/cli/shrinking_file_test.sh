#!/usr/bin/env bash
# Issue 16, finding 2, for every command that reads checkpoint files: while
# another process truncates (and restores) the data or index file in a loop,
# inspect / dump / diff / convert / validate (V2, and V1 through a converted
# copy) never die of a signal (SIGBUS under a mapping was exit 135); when
# they fail, the error names the file that was cut and the offset or size.
set -u
. "${TEST_SRCDIR}/tfckpt/src/cli/test_lib.sh" || exit 1  # root, bin, tmp, fail; finish
runs="${SHRINK_RUNS:-12}"

"$root/src/cli/diff_fixtures" --big "$tmp" >/dev/null || { echo "FAIL: diff_fixtures"; exit 1; }
big="$tmp/big"
"$bin" convert "$big" "$tmp/v1.ckpt" --format v1 >/dev/null || { echo "FAIL: convert to V1"; exit 1; }

# cut FILE: truncate to a third or to nothing, then restore, until killed.
cut_loop() {
  local f=$1 keep="$tmp/keep.$$.$RANDOM" size
  cp "$f" "$keep"
  size=$(stat -c %s "$f")
  trap "cp '$keep' '$f'; rm -f '$keep'; exit 0" TERM
  while :; do
    truncate -s $((size / 3)) "$f"
    cat "$keep" 1<>"$f"  # rewrite in place (same inode)
    truncate -s 0 "$f"
    cat "$keep" 1<>"$f"
  done
}

# under VICTIM DESCRIPTION COMMAND...: runs COMMAND $runs times while VICTIM
# is being cut.
under() {
  local victim=$1 what=$2; shift 2
  cut_loop "$victim" &
  local cutter=$! errors=0 bad=0 rc i
  for ((i = 0; i < runs; i++)); do
    "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -ge 128 ]; then
      echo "FAIL: $what: killed by signal $((rc - 128)) (run $i)"; bad=1; break
    fi
    if [ "$rc" -eq 2 ]; then
      errors=$((errors + 1))
      # validate reports on stdout, the other commands on stderr.
      cat "$tmp/out" "$tmp/err" >"$tmp/both"
      if ! grep -qF -- "$victim" "$tmp/both" || ! grep -qE "offset|bytes" "$tmp/both"; then
        echo "FAIL: $what: error does not name $victim and an offset:"; sed 's/^/    /' "$tmp/both" | head -20
        bad=1; break
      fi
    fi
  done
  kill -TERM "$cutter"; wait "$cutter" 2>/dev/null
  if [ "$bad" -eq 0 ]; then echo "ok: $what: $runs runs, $errors reported the cut file"; else fail=1; fi
}

cp "$big.index" "$tmp/big2.index"
cp "$big.data-00000-of-00001" "$tmp/big2.data-00000-of-00001"
for victim in "$big.data-00000-of-00001" "$big.index"; do
  v=${victim##*.}
  under "$victim" "inspect ($v cut)" "$bin" inspect "$big"
  under "$victim" "dump --all ($v cut)" "$bin" dump "$big" --all
  under "$victim" "diff ($v cut)" "$bin" diff "$big" "$tmp/big2"
  under "$victim" "convert ($v cut)" "$bin" convert "$big" "$tmp/conv" --format v2
  under "$victim" "validate ($v cut)" "$bin" validate "$big"
done
under "$tmp/v1.ckpt" "V1 dump --all (cut)" "$bin" dump "$tmp/v1.ckpt" --all
under "$tmp/v1.ckpt" "V1 inspect (cut)" "$bin" inspect "$tmp/v1.ckpt"
under "$tmp/v1.ckpt" "V1 convert (cut)" "$bin" convert "$tmp/v1.ckpt" "$tmp/conv1" --format v2

# Nothing left cut: every command works again.
"$bin" diff "$big" "$tmp/big2" >/dev/null || { echo "FAIL: files not restored"; fail=1; }
finish
