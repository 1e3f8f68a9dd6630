#!/usr/bin/env bash
# The oracle tier: TensorFlow reads what tfckpt writes, tfckpt reads what
# TensorFlow writes (conformance/oracle/README.md).
#
#   conformance/oracle/run.sh <venv>      # <venv>: tools/oracle/setup_venv.sh's output
#
# 1. builds //conformance/oracle:write_corpus, :write_api_corpus and
#    :read_compare and //:tfckpt;
# 2. write_corpus writes tfckpt checkpoints + expected.json into a temp dir,
#    tf_reads_tfckpt.py reads them with TensorFlow and compares exactly;
#    write_api_corpus writes what tfckpt's TF1 API writes (checkpoints +
#    .meta + state, SavedModels, a frozen graph, a field binding), and
#    tf_runs_tfckpt_api.py imports, restores, runs and re-saves them with TF;
# 3. tf_reads_bad.py: TF's reaction (reject / accept / crash) to every file
#    of golden/bad/ must be the pinned one; tf_reads_goldens.py: TF re-reads
#    every golden checkpoint (tfckpt-written ones included) as the MANIFEST says;
#    tf_loads_bad_models.py: TF's SavedModel loaders refuse the bad SavedModels
#    as pinned (the evidence for validate's model-level codes);
# 4. tf_writes_random.py has TensorFlow write random checkpoints, and
#    read_compare reads each with tfckpt and compares;
# 4b. tf_show_agrees.py: `tfckpt show --json` of every golden SavedModel
#    equals what TF's loader reports (tags, signatures, assets, variables);
# 4c. tf_runs_frozen.py: every TF2 golden SavedModel frozen by `tfckpt freeze
#    --signature` runs in TF (and in tfckpt) to the SavedModel's outputs;
# 4d. tfckpt_load_vs_tf.py: the Python package's tfckpt.load equals
#    tf.train.load_checkpoint element for element on every golden checkpoint;
# 5. `tfckpt conform` with TensorFlow as the testee (conformance/tf_testee.py):
#    TF's failures must be exactly conformance/failure_lists/tensorflow-2.21.txt;
# 6. three negative controls: the comparisons do notice a wrong expectation.
# Prints a PASS/FAIL table and "oracle: N passed, M failed"; exit 1 on any
# failure, 2 on usage / set-up errors. TFCKPT_ORACLE_KEEP=1 keeps the temp dir.
set -uo pipefail

if [ $# -ne 1 ] || [ ! -x "$1/bin/python" ]; then
  echo "usage: $0 <venv>   (a virtualenv with tensorflow, from tools/oracle/setup_venv.sh)" >&2
  exit 2
fi
venv="$(cd "$1" && pwd)"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
start=$SECONDS

if ! bazel build --ui_event_filters=-info,-stdout --noshow_progress \
    //conformance/oracle:write_corpus //conformance/oracle:write_api_corpus \
    //conformance/oracle:read_compare //:tfckpt //python:_tfckpt.so; then
  echo "oracle: build failed"
  echo "oracle: 0 passed, 1 failed"
  exit 1
fi
build_s=$((SECONDS - start))
# The default configuration's output dir (bazel-out/<cpu>-fastbuild/bin):
# found without another `bazel info`, which would wait for the shared server.
bin=""
for d in "$root"/bazel-out/*-fastbuild/bin/conformance/oracle; do
  if [ -x "$d/write_corpus" ] && [ -x "$d/write_api_corpus" ] && [ -x "$d/read_compare" ]; then
    bin="$d"
  fi
done
[ -n "$bin" ] || bin="$(bazel info bazel-bin 2>/dev/null)/conformance/oracle"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/tfckpt-oracle.XXXXXX")"
if [ "${TFCKPT_ORACLE_KEEP:-0}" = "1" ]; then
  echo "oracle: keeping $tmp"
else
  trap 'rm -rf "$tmp"' EXIT
fi
results="$tmp/results.tsv"
: >"$results"
py() { PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$root/tools/oracle:$root/conformance/oracle" "$venv/bin/python" "$@"; }
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$results"; }
collect() { grep -a $'^@@\t' | cut -f2- >>"$results"; }  # -a: logs may hold raw bytes

# --- tfckpt writes, TensorFlow reads -----------------------------------------
if "$bin/write_corpus" "$tmp/tfckpt" >"$tmp/write_corpus.log" 2>&1; then
  py conformance/oracle/tf_reads_tfckpt.py "$tmp/tfckpt" >"$tmp/tf_reads.log" 2>&1
  tf_reads_rc=$?
  grep -a -v -e $'^@@\t' -e '^tf_reads_tfckpt: ' -e '^    \[pinned\]' "$tmp/tf_reads.log" | sed 's/^/  /'
  collect <"$tmp/tf_reads.log"
  if [ "$tf_reads_rc" -ne 0 ] && ! grep -q $'\tFAIL\t' "$results"; then
    record "tfckpt->tf" "tf_reads_tfckpt.py" FAIL "exit $tf_reads_rc: $(tail -n 1 "$tmp/tf_reads.log")"
  fi
else
  record "tfckpt->tf" "write_corpus" FAIL "$(tail -n 1 "$tmp/write_corpus.log")"
fi

# --- tfckpt's TF1 API writes, TensorFlow imports, restores and runs ----------
if "$bin/write_api_corpus" "$tmp/api" >"$tmp/write_api_corpus.log" 2>&1; then
  py conformance/oracle/tf_runs_tfckpt_api.py "$tmp/api" >"$tmp/tf_runs_api.log" 2>&1
  tf_runs_rc=$?
  collect <"$tmp/tf_runs_api.log"
  if [ "$tf_runs_rc" -ne 0 ] && ! grep -q $'\tFAIL\t' "$tmp/tf_runs_api.log"; then
    record "tfckpt-api->tf" "tf_runs_tfckpt_api.py" FAIL "exit $tf_runs_rc: $(tail -n 1 "$tmp/tf_runs_api.log")"
  fi
else
  record "tfckpt-api->tf" "write_api_corpus" FAIL "$(tail -n 1 "$tmp/write_api_corpus.log")"
fi

# --- TensorFlow reads the bad corpus (golden/bad/): pinned reactions ---------
py conformance/oracle/tf_reads_bad.py "$root/golden/bad" >"$tmp/tf_reads_bad.log" 2>&1
if grep -q $'^@@\t' "$tmp/tf_reads_bad.log"; then
  grep -a '^    DIFF' "$tmp/tf_reads_bad.log" | sed 's/^/  /'
  collect <"$tmp/tf_reads_bad.log"
else
  record "bad->tf" "golden_bad_corpus" FAIL "tf_reads_bad.py: $(tail -n 1 "$tmp/tf_reads_bad.log")"
fi

# --- TensorFlow's loaders on the bad SavedModels (model-level defects) -------
py conformance/oracle/tf_loads_bad_models.py "$root/golden" >"$tmp/tf_loads_bad_models.log" 2>&1
if grep -q $'^@@\t' "$tmp/tf_loads_bad_models.log"; then
  grep -a '^    DIFF' "$tmp/tf_loads_bad_models.log" | sed 's/^/  /'
  collect <"$tmp/tf_loads_bad_models.log"
else
  record "bad->tf" "golden_bad_models_loaded" FAIL \
    "tf_loads_bad_models.py: $(tail -n 1 "$tmp/tf_loads_bad_models.log")"
fi

# --- TensorFlow re-reads the golden corpus, tfckpt-written goldens included --
py conformance/oracle/tf_reads_goldens.py "$root/golden" >"$tmp/tf_reads_goldens.log" 2>&1
if grep -q $'^@@\t' "$tmp/tf_reads_goldens.log"; then
  collect <"$tmp/tf_reads_goldens.log"
else
  record "golden->tf" "tf_reads_goldens.py" FAIL "$(tail -n 1 "$tmp/tf_reads_goldens.log")"
fi

# --- TensorFlow writes, tfckpt reads -----------------------------------------
py conformance/oracle/tf_writes_random.py "$tmp/tf" >"$tmp/tf_writes.log" 2>&1
collect <"$tmp/tf_writes.log"
first_expected=""
while IFS=$'\t' read -r _ name prefix expected; do
  [ -n "$first_expected" ] || first_expected="$prefix"$'\t'"$expected"
  if "$bin/read_compare" "$prefix" "$expected" >"$tmp/$name.compare.log" 2>&1; then
    record "tf->tfckpt" "$name" PASS "$(tail -n 1 "$tmp/$name.compare.log" | sed 's/^read_compare: //')"
  else
    grep -a -v '^ok ' "$tmp/$name.compare.log" | sed "s/^/  $name: /"
    record "tf->tfckpt" "$name" FAIL "$(grep -a -m1 '^MISMATCH' "$tmp/$name.compare.log")"
  fi
done < <(grep -a $'^@@WROTE\t' "$tmp/tf_writes.log")
if ! grep -q $'^@@WROTE\t' "$tmp/tf_writes.log"; then
  record "tf->tfckpt" "tf_writes_random.py" FAIL "$(tail -n 1 "$tmp/tf_writes.log")"
fi

# --- tfckpt show agrees with TensorFlow's loader (every golden SavedModel) ----
tfckpt_show_bin="$(dirname "$(dirname "$bin")")/tfckpt"
py conformance/oracle/tf_show_agrees.py "$tfckpt_show_bin" "$root/golden" >"$tmp/tf_show.log" 2>&1
if grep -q $'^@@\t' "$tmp/tf_show.log"; then
  collect <"$tmp/tf_show.log"
else
  record "show->tf" "tf_show_agrees.py" FAIL "$(tail -n 1 "$tmp/tf_show.log")"
fi

# --- tfckpt freeze of TF2 SavedModels: TensorFlow runs the frozen graphs ------
py conformance/oracle/tf_runs_frozen.py "$tfckpt_show_bin" "$root/golden" >"$tmp/tf_frozen.log" 2>&1
if grep -q $'^@@\t' "$tmp/tf_frozen.log"; then
  collect <"$tmp/tf_frozen.log"
else
  record "freeze->tf" "tf_runs_frozen.py" FAIL "$(tail -n 1 "$tmp/tf_frozen.log")"
fi

# --- tfckpt.load (python/) equals tf.train.load_checkpoint on every golden ---
# The module is built for Debian's python3; the venv's Python must be the same
# minor version to import it (else it is rebuilt for the venv's headers).
built_for="$(cat "$root/bazel-$(basename "$root")/external/local_python/interpreter.txt" 2>/dev/null)"
pyver() { "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null; }
module="$(dirname "$(dirname "$bin")")/python/_tfckpt.so"
if [ -z "$built_for" ] || [ "$(pyver "$built_for")" != "$(pyver "$venv/bin/python")" ]; then
  bazel build --ui_event_filters=-info,-stdout --noshow_progress \
    --repo_env=TFCKPT_BINDINGS_PYTHON="$venv/bin/python" //python:_tfckpt.so
fi
mkdir -p "$tmp/pkg/tfckpt" && cp python/tfckpt/*.py "$tmp/pkg/tfckpt/" && cp "$module" "$tmp/pkg/tfckpt/"
PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$tmp/pkg:$root/tools/oracle:$root/conformance/oracle" \
  "$venv/bin/python" conformance/oracle/tfckpt_load_vs_tf.py "$root/golden" >"$tmp/tfckpt_load.log" 2>&1
if grep -q $'^@@\t' "$tmp/tfckpt_load.log"; then
  grep -a $'\tFAIL\t' "$tmp/tfckpt_load.log" | sed 's/^/  /'
  collect <"$tmp/tfckpt_load.log"
else
  record "tfckpt.load=tf" "tfckpt_load_vs_tf.py" FAIL "$(tail -n 1 "$tmp/tfckpt_load.log")"
fi

# --- tfckpt conform with TensorFlow as the testee ----------------------------
# TF's failures must be exactly its failure list (each entry says why).
tfckpt_bin="$(dirname "$(dirname "$bin")")/tfckpt"
"$tfckpt_bin" conform --golden "$root/golden" --timeout 300 \
  --failure-list conformance/failure_lists/tensorflow-2.21.txt -- \
  env PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$root/tools/oracle:$root/conformance/oracle" \
  "$venv/bin/python" "$root/conformance/tf_testee.py" >"$tmp/conform_tf.log" 2>&1
rc=$?
summary="$(grep -a '^conform: [0-9]' "$tmp/conform_tf.log" | tail -n 1 | sed 's/^conform: //')"
if [ "$rc" -eq 0 ]; then
  record "conform" "tensorflow-2.21" PASS "$summary"
else
  grep -a -e '^FAIL [^(]' -e '^PASS (listed' -e '^failure list' "$tmp/conform_tf.log" | sed 's/^/  /'
  record "conform" "tensorflow-2.21" FAIL "exit $rc: ${summary:-$(tail -n 1 "$tmp/conform_tf.log")}"
fi

# --- negative controls: a wrong expectation must be caught -------------------
if [ -n "$first_expected" ]; then
  IFS=$'\t' read -r prefix expected <<<"$first_expected"
  py - "$expected" "$tmp/wrong.json" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
t = doc["tensors"][-1]
t["raw_sha256"] = "0" * 64
t.pop("raw_hex", None)
json.dump(doc, open(sys.argv[2], "w"))
EOF
  "$bin/read_compare" "$prefix" "$tmp/wrong.json" >/dev/null 2>&1
  rc=$?
  if [ "$rc" -eq 1 ]; then
    record "control" "read_compare_detects_mismatch" PASS "a wrong sha256 gives exit 1"
  else
    record "control" "read_compare_detects_mismatch" FAIL "exit $rc for a wrong expectation"
  fi
fi
if [ -f "$tmp/tfckpt/expected.json" ]; then
  rm -rf "$tmp/control" && mkdir -p "$tmp/control"
  "$bin/write_corpus" "$tmp/control" >/dev/null 2>&1
  py - "$tmp/control/expected.json" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
case = next(c for c in doc["cases"] if c["name"] == "dtypes")
case["tensors"][0]["raw_hex"] = "ff" + case["tensors"][0]["raw_hex"][2:]
case["tensors"][0]["raw_sha256"] = "0" * 64
doc["cases"] = [case]
json.dump(doc, open(sys.argv[1], "w"))
EOF
  if py conformance/oracle/tf_reads_tfckpt.py "$tmp/control" >"$tmp/control.log" 2>&1; then
    record "control" "tf_reads_tfckpt_detects_mismatch" FAIL "a wrong raw_hex passed"
  elif grep -q $'\tdtypes\tFAIL\t' "$tmp/control.log"; then
    record "control" "tf_reads_tfckpt_detects_mismatch" PASS "a wrong raw_hex fails the case"
  else
    record "control" "tf_reads_tfckpt_detects_mismatch" FAIL "$(tail -n 1 "$tmp/control.log")"
  fi
fi

if [ -f "$tmp/api/index.json" ]; then
  # A wrong frozen-graph output and a wrong checkpoint value must each fail.
  rm -rf "$tmp/api_control"
  "$bin/write_api_corpus" "$tmp/api_control" >/dev/null 2>&1
  py - "$tmp/api_control" <<'EOF'
import json, os, sys
root = sys.argv[1]
def mutate(name, fn):
    path = os.path.join(root, name, "expected.json")
    doc = json.load(open(path))
    fn(doc)
    json.dump(doc, open(path, "w"))
def wrong(rec):
    rec["raw_hex"] = ("00" if rec["raw_hex"][:2] != "00" else "01") + rec["raw_hex"][2:]
    rec["raw_sha256"] = "0" * 64
mutate("frozen_mlp", lambda d: wrong(d["runs"][0]["fetches"][0]))
mutate("saver_v2", lambda d: wrong(next(iter(d["checkpoints"].values()))["tensors"][0]))
json.dump({"cases": ["frozen_mlp", "saver_v2"]}, open(os.path.join(root, "index.json"), "w"))
EOF
  py conformance/oracle/tf_runs_tfckpt_api.py "$tmp/api_control" >"$tmp/api_control.log" 2>&1
  rc=$?
  if [ "$rc" -eq 1 ] && grep -q $'\tfrozen_mlp/import_graph_def\tFAIL\t' "$tmp/api_control.log" &&
     grep -q $'\tsaver_v2/load_checkpoint\tFAIL\t' "$tmp/api_control.log"; then
    record "control" "tf_runs_tfckpt_api_detects_mismatch" PASS "a wrong output and a wrong value fail their checks"
  else
    record "control" "tf_runs_tfckpt_api_detects_mismatch" FAIL "exit $rc: $(grep -c $'\tFAIL\t' "$tmp/api_control.log") failures"
  fi
fi

# --- table ---------------------------------------------------------------------
echo
echo "oracle tier: TensorFlow $(py -c 'import tensorflow as tf; print(tf.__version__)' 2>/dev/null) ($venv)"
printf '%-14s %-44s %-6s %s\n' direction case result detail
while IFS=$'\t' read -r dir name status detail; do
  [ ${#detail} -gt 200 ] && detail="${detail:0:197}..."
  printf '%-14s %-44s %-6s %s\n' "$dir" "$name" "$status" "$detail"
done <"$results"
passed=$(cut -f3 "$results" | grep -c '^PASS$')
failed=$(cut -f3 "$results" | grep -c '^FAIL$')
echo "oracle: $passed passed, $failed failed ($((SECONDS - start)) s, of which bazel build ${build_s} s)"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
