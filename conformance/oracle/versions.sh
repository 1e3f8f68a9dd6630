#!/usr/bin/env bash
# The oracle tier for other TensorFlow releases (docs/TF_VERSIONS.md): each
# pinned version (tools/oracle/requirements-V.txt) reads what tfckpt writes
# (tf_reads_tfckpt.py over //conformance/oracle:write_corpus's checkpoints)
# and re-reads the corpus it wrote itself (tf_reads_goldens.py over
# golden/tf-V), against its own list of expected failures,
# conformance/oracle/expected-V.txt (each line: case regex, TAB, detail regex,
# "# why"). An expected failure that passes fails the tier too (stale list).
#
#   conformance/oracle/versions.sh            # CI: TF 1.15 only
#   conformance/oracle/versions.sh --all      # TF 1.15 and TF 2.11
#   conformance/oracle/versions.sh 2.11       # one version
#
# CI runs 1.15 alone: its venv is the compatibility matrix's (already
# installed there); 2.11 is a ~500 MB install (~8 min cold on 2 cores) and is
# left out -- the log says so. A version whose venv cannot be set up
# (registry unreachable) prints a loud SKIPPED line and exit 3 unless
# something failed. Both versions as conformance testees are in the
# compatibility matrix (conformance/testees/tensorflow-1.15, -2.11; 2.11 only
# with `conformance/matrix/run.sh --all`, which the full run adds).
# Exit 0 all passed, 1 a failure, 3 skipped only.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
ALL=(1.15 2.11)
versions=()
case "${1:-}" in
  --all) versions=("${ALL[@]}") ;;
  "") versions=(1.15)
      echo "versions: left out TF 2.11 (a ~500 MB install, 8-12 min cold; run conformance/oracle/versions.sh --all)" ;;
  *) versions=("$@") ;;
esac

bazel build --ui_event_filters=-info,-stdout --noshow_progress \
  //conformance/oracle:write_corpus //:tfckpt || { echo "versions: build failed"; exit 1; }
bin="$(bazel info bazel-bin 2>/dev/null)"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/tfckpt-versions.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
"$bin/conformance/oracle/write_corpus" "$tmp/corpus" >"$tmp/write_corpus.log" 2>&1 \
  || { echo "versions: write_corpus failed: $(tail -n 1 "$tmp/write_corpus.log")"; exit 1; }

failed=0 skipped=0
for v in "${versions[@]}"; do
  start=$SECONDS
  if ! venv="$(tools/oracle/setup_venv.sh "$v" 2>"$tmp/setup-$v.log" | tail -n 1)" || [ -z "$venv" ]; then
    echo "================================================================"
    echo "SKIPPED: oracle tier for TensorFlow $v: its virtualenv could not be set up:"
    tail -n 5 "$tmp/setup-$v.log" | sed 's/^/    /'
    echo "================================================================"
    skipped=$((skipped + 1))
    continue
  fi
  py() { PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$root/tools/oracle:$root/conformance/oracle" "$venv/bin/python" "$@"; }
  py conformance/oracle/tf_reads_tfckpt.py "$tmp/corpus" >"$tmp/reads-$v.log" 2>&1
  if [ -f "golden/tf-$v/MANIFEST.json" ]; then
    py conformance/oracle/tf_reads_goldens.py "golden/tf-$v" >>"$tmp/reads-$v.log" 2>&1
  fi
  python3 conformance/oracle/versions_expect.py "TensorFlow $v" \
    "conformance/oracle/expected-$v.txt" "$tmp/reads-$v.log" || failed=$((failed + 1))
  echo "versions: TF $v: $((SECONDS - start))s"
done
echo "versions: ${#versions[@]} version(s), $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] || exit 1
[ "$skipped" -eq 0 ] || exit 3
exit 0
