#!/usr/bin/env bash
# The compatibility-matrix tier: installs every testee of conformance/testees/
# (pinned, from the package registries, cached under ~/.cache/tfckpt), runs
# `tfckpt conform` against each with its failure list, and regenerates
# docs/COMPATIBILITY.md from the JSON reports.
#
#   conformance/matrix/run.sh [--update-doc] [--out DIR] [--all | NAME...]
#
# Without names every testee runs except those too slow to install in CI
# (FULL_ONLY: TensorFlow 2.11, a ~500 MB venv taking 8-12 min cold); the log
# names them as left out. --all runs them too, and stores each one's report
# (conformance/matrix/stored/NAME.json, compat_doc.py --store), from which
# runs without it document that testee (cases added since show "?").
# A testee conforms when its failures are exactly its failure list (stale
# lists fail). A testee that cannot be installed prints a loud SKIPPED line
# with the reason and does not fail the tier. When every testee ran, the
# generated document must equal docs/COMPATIBILITY.md (--update-doc writes
# it). Reports: DIR/<name>.json, .junit.xml, .html; DIR/matrix.html (all
# testees), checked in headless Chromium (html_report_test.sh).
# Exit 0 when every testee that ran conforms, the document is current and
# the page shows the reports; 1 otherwise; 3 when nothing failed but
# something was SKIPPED (a testee or Chromium could not be installed).
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
ALL=(tfckpt tensorflow-2.21 tensorflow-1.15 tensorflow-2.11 tensorflow-checkpoint-reader netron)
FULL_ONLY=(tensorflow-2.11)
stored_report() { echo "conformance/matrix/stored/$1.json"; }
update=0 out="${TMPDIR:-/tmp}/tfckpt-matrix" names=() all=0
while [ $# -gt 0 ]; do
  case "$1" in
    --update-doc) update=1 ;;
    --all) all=1 ;;
    --out) out="$2"; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) names+=("$1") ;;
  esac
  shift
done
if [ ${#names[@]} -eq 0 ]; then
  for n in "${ALL[@]}"; do
    if [ $all = 0 ] && [[ " ${FULL_ONLY[*]} " == *" $n "* ]]; then
      echo "matrix: left out $n (too slow to install in CI; documented from $(stored_report "$n"); conformance/matrix/run.sh --all runs it)"
      continue
    fi
    names+=("$n")
  done
fi
ran_all() {  # every testee ran, or was left out only for being FULL_ONLY
  local n
  for n in "${ALL[@]}"; do
    [[ " ${names[*]} " == *" $n "* ]] || [[ " ${FULL_ONLY[*]} " == *" $n "* ]] || return 1
  done
}
mkdir -p "$out"
rm -f "$out"/*.json "$out"/*.junit.xml "$out"/*.html "$out"/*.cmd "$out"/*.install.rc

bazel build //:tfckpt //conformance:matrix_report >&2 || { echo "matrix: build failed"; exit 1; }
bin="$root/bazel-bin/tfckpt"

# Address-space cap per testee (conform --max-memory-mb; default 4096):
# tensorflow-checkpoint-reader builds a Python list of num_shards slots
# first; 256 MiB makes a header claiming 2^31 shards a quick MemoryError
# rather than minutes of CPU and 16 GiB. Node's heap has its own flag
# (netron/install.sh).
memory_for() {
  case "$1" in
    tensorflow-checkpoint-reader) echo 256 ;;
    *) echo 4096 ;;
  esac
}
# Seconds per request: a TensorFlow testee restarted after a crash imports
# TensorFlow again before it answers (tens of seconds on a busy machine).
timeout_for() {
  case "$1" in
    tensorflow-[0-9]*) echo 300 ;;
    *) echo 20 ;;
  esac
}
list_for() {
  if [ -f "conformance/testees/$1/failure_list.txt" ]; then echo "conformance/testees/$1/failure_list.txt"
  elif [ -f "conformance/failure_lists/$1.txt" ]; then echo "conformance/failure_lists/$1.txt"
  fi
}

# Every install starts now, in parallel (mostly downloads): each testee
# waits only for its own. DIR/<name>.cmd is the install's last line (the
# testee's command), DIR/<name>.install.rc its exit code and install time.
for n in "${names[@]}"; do
  ( t=$(date +%s)
    "conformance/testees/$n/install.sh" 2>"$out/$n.install.log" | tail -n 1 >"$out/$n.cmd"
    echo "${PIPESTATUS[0]} $(( $(date +%s) - t ))" >"$out/$n.install.rc" ) &
done

ran=() skipped=() bad=() summary=()
for n in "${names[@]}"; do
  echo "=== matrix: $n"
  while [ ! -s "$out/$n.install.rc" ]; do sleep 1; done
  read -r irc itime <"$out/$n.install.rc"
  cmdline="$(cat "$out/$n.cmd")"
  if [ "$irc" != 0 ] || [ -z "$cmdline" ]; then
    echo "================================================================"
    echo "SKIPPED: matrix testee $n: its install failed:"
    grep -a . "$out/$n.install.log" | tail -n 5 | sed 's/^/    /'
    echo "================================================================"
    skipped+=("$n"); continue
  fi
  t1=$(date +%s)
  IFS=$'\t' read -r -a cmd <<<"$cmdline"
  list="$(list_for "$n")"
  "$bin" conform --timeout "$(timeout_for "$n")" --max-memory-mb "$(memory_for "$n")" ${list:+--failure-list "$list"} --json \
    --junit "$out/$n.junit.xml" --report-html "$out/$n.html" -- "${cmd[@]}" >"$out/$n.json" 2>"$out/$n.err"
  rc=$?
  t2=$(date +%s)
  line="$(python3 conformance/matrix/compat_doc.py --summary "$out/$n.json" 2>&1)"
  summary+=("$(printf '%-30s %s; install %ds, run %ds' "$n" "$line" "$itime" $((t2 - t1)))")
  if [ $rc -eq 0 ]; then
    ran+=("$n")
  else
    echo "FAIL: matrix testee $n does not match its failure list (${list:-none}), exit $rc:"
    python3 conformance/matrix/compat_doc.py --unexpected "$out/$n.json" 2>&1 | sed 's/^/    /'
    grep -a . "$out/$n.err" | tail -n 5 | sed 's/^/    /'
    bad+=("$n")
  fi
done

echo "=== matrix summary"
printf '  %s\n' "${summary[@]}"
args=()
for n in "${names[@]}"; do [ -s "$out/$n.json" ] && args+=("$n=$out/$n.json"); done
html_rc=0
if [ ${#args[@]} -gt 0 ]; then
  "$root/bazel-bin/conformance/matrix_report" "$out/matrix.html" "${args[@]}" || html_rc=1
  echo "matrix: HTML report $out/matrix.html"
  conformance/matrix/html_report_test.sh "$out/matrix.html" "${args[@]}" || html_rc=$?
  [ $html_rc = 3 ] && skipped+=("chromium")
fi

doc_rc=0
if [ ${#bad[@]} -gt 0 ]; then
  echo "matrix: docs/COMPATIBILITY.md not checked (a testee does not match its failure list)"
elif [ ${#skipped[@]} -gt 0 ] || ! ran_all; then
  echo "SKIPPED: docs/COMPATIBILITY.md check (not every testee ran: ${skipped[*]:-only ${names[*]} asked})"
else
  lists=()
  for n in "${ALL[@]}"; do
    if [ -s "$out/$n.json" ]; then
      report="$out/$n.json"
      if [[ " ${FULL_ONLY[*]} " == *" $n "* ]]; then  # measured: store it
        mkdir -p "$out/stored"
        python3 conformance/matrix/compat_doc.py --store "$report" "conformance/matrix/run.sh --all" \
          >"$out/stored/$n.json" || doc_rc=1
        if [ $update = 1 ]; then
          mkdir -p "$(dirname "$(stored_report "$n")")"
          cp "$out/stored/$n.json" "$(stored_report "$n")" && echo "matrix: wrote $(stored_report "$n")"
        elif ! cmp -s "$out/stored/$n.json" "$(stored_report "$n")"; then
          echo "FAIL: $(stored_report "$n") is stale (conformance/matrix/run.sh --all --update-doc rewrites it)"
          doc_rc=1
        fi
        report="$out/stored/$n.json"  # the document CI makes from it, too
      fi
    else
      report="$(stored_report "$n")"  # left out of this run
    fi
    lists+=("$n=$report=$(list_for "$n")")
  done
  python3 conformance/matrix/compat_doc.py --doc "${lists[@]}" >"$out/COMPATIBILITY.md" || doc_rc=1
  if [ $update = 1 ]; then
    cp "$out/COMPATIBILITY.md" docs/COMPATIBILITY.md && echo "matrix: wrote docs/COMPATIBILITY.md"
  elif ! diff -u docs/COMPATIBILITY.md "$out/COMPATIBILITY.md" >"$out/doc.diff"; then
    echo "FAIL: docs/COMPATIBILITY.md is stale (conformance/matrix/run.sh --update-doc rewrites it):"
    head -n 20 "$out/doc.diff" | sed 's/^/    /'
    doc_rc=1
  fi
fi
echo "matrix: ${#ran[@]} conformant, ${#bad[@]} not conformant (${bad[*]:-}), ${#skipped[@]} skipped (${skipped[*]:-})"
[ ${#bad[@]} -eq 0 ] && [ $doc_rc -eq 0 ] && [ $html_rc != 1 ] || exit 1
[ ${#skipped[@]} -eq 0 ] || exit 3
