#!/usr/bin/env bash
# The whole test suite (README quick start; .ci/run calls exactly this):
#   1. installs the Debian dependencies (tools/install_deps.sh),
#   2. runs every hermetic test: `bazel test //...` (no network, no TensorFlow;
#      includes //python:pytest, the Python package's pytest suite), then the
#      hostile-input corpus under ASan + UBSan, then python/test_registry.sh
#      (the pytest cases that need the `safetensors` package from PyPI),
#   3. runs the oracle tier (TensorFlow reads what tfckpt writes) when the
#      pinned TensorFlow virtualenv can be set up; otherwise prints a loud
#      SKIPPED line with the reason. TFCKPT_SKIP_ORACLE=1 skips it on purpose.
#   4. runs the compatibility matrix (conformance/matrix/run.sh: every testee
#      of conformance/testees/ but TF 2.11 -- the log names it as left out;
#      `run.sh --all` adds it -- against its failure list, docs/COMPATIBILITY.md
#      current, the HTML report checked in headless Chromium); a testee that
#      cannot be installed is a loud SKIPPED line. TFCKPT_SKIP_MATRIX=1 skips it.
#   4b. runs the oracle tier for other TensorFlow releases
#      (conformance/oracle/versions.sh: TF 1.15 in CI; --all adds TF 2.11),
#   5. builds and tests examples/bazel_consumer, a workspace of its own that
#      runs the suite through the Bazel rule of conformance/defs.bzl.
# Prints a closing line "N passed, N failed" and exits non-zero on failure.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
tools/install_deps.sh || { echo "dependency installation failed"; exit 2; }

# Tests over TensorFlow-written reference files in ../shared/tf-golden (beside
# the checkout; never copied into it) skip those parts when it is absent. Its
# path goes into the test actions' environment, so a result cached from a run
# without it (a skip) is never reused for a run with it.
shared_args=()
if [ -d "$root/../shared/tf-golden" ]; then
  shared_dir="$(cd "$root/../shared" && pwd)"
  echo "INCLUDED: tests over TensorFlow-written files in $shared_dir/tf-golden"
  shared_args=(--test_env=TFCKPT_SHARED_DIR="$shared_dir")
else
  echo "LEFT OUT: the test parts over ../shared/tf-golden (TensorFlow-written reference files, not beside this checkout at $root/..): those tests skip them, saying so"
fi

log="$(mktemp)"
bazel test --test_summary=short "${shared_args[@]}" //... 2>&1 | tee "$log"
bazel_rc=${PIPESTATUS[0]}
passed=$(grep -cE '^//[^ ]+ +(\(cached\) )?PASSED' "$log")
failed=$(grep -cE '^//[^ ]+ +(\(cached\) )?(FAILED|TIMEOUT|NO STATUS|FLAKY|INCOMPLETE)' "$log")
rm -f "$log"
if [ "$bazel_rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1  # the build itself failed
fi

# The hostile-input corpus under ASan + UBSan (docs/TESTING.md §1): only the
# targets it needs are built with the sanitizers.
if bazel test --config=asan --test_summary=short //src/check:hostile_corpus_test; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
fi

# Left out on purpose: libFuzzer campaigns. `--config=fuzz` is a second full
# build of the library (clang, ASan + UBSan), ~19 minutes cold on 2 cores;
# the fuzz entry points run above as //fuzz:*_regression.
echo "LEFT OUT: fuzz campaigns (a second full build with clang + sanitizers, ~19 min cold; run: OUT=/tmp/fz fuzz/build.sh && fuzz/run_campaign.sh -t 30 -b /tmp/fz, docs/TESTING.md section 3)"

skipped=0
# The Python package's cases that need PyPI (the reference safetensors
# reader); the rest of python/tests ran above as //python:pytest.
python/test_registry.sh
case $? in
  0) passed=$((passed + 1)) ;;
  3) skipped=$((skipped + 1)) ;;  # SKIPPED line printed
  *) failed=$((failed + 1)) ;;
esac

if [ "${TFCKPT_SKIP_ORACLE:-0}" = "1" ]; then
  echo "SKIPPED: oracle tier (TFCKPT_SKIP_ORACLE=1)"; skipped=1
elif [ -x conformance/oracle/run.sh ]; then
  if venv="$(tools/oracle/setup_venv.sh 2>oracle-setup.log | tail -n 1)" && [ -n "$venv" ]; then
    if conformance/oracle/run.sh "$venv"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  else
    echo "================================================================"
    echo "SKIPPED: oracle tier: TensorFlow virtualenv could not be set up:"
    tail -n 5 oracle-setup.log | sed 's/^/    /'
    echo "================================================================"
    skipped=1
  fi
fi

if [ "${TFCKPT_SKIP_MATRIX:-0}" = "1" ]; then
  echo "SKIPPED: compatibility matrix (TFCKPT_SKIP_MATRIX=1)"; skipped=$((skipped + 1))
else
  conformance/matrix/run.sh
  case $? in
    0) passed=$((passed + 1)) ;;
    3) skipped=$((skipped + 1)) ;;  # SKIPPED line printed by run.sh
    *) failed=$((failed + 1)) ;;
  esac
fi

# The oracle tier for other TensorFlow releases (conformance/oracle/versions.sh,
# docs/TF_VERSIONS.md): TF 1.15 reads what tfckpt writes and re-reads
# golden/tf-1.15 (its venv is the matrix's); TF 2.11 is left out here (the
# log says so; `versions.sh --all` runs it).
if [ "${TFCKPT_SKIP_ORACLE:-0}" = "1" ]; then
  echo "SKIPPED: oracle tier for other TensorFlow versions (TFCKPT_SKIP_ORACLE=1)"; skipped=$((skipped + 1))
else
  conformance/oracle/versions.sh
  case $? in
    0) passed=$((passed + 1)) ;;
    3) skipped=$((skipped + 1)) ;;  # SKIPPED line printed by versions.sh
    *) failed=$((failed + 1)) ;;
  esac
fi

# Its own Bazel server (another workspace): shut down afterwards either way.
if (cd examples/bazel_consumer && { bazel test //...; rc=$?; bazel shutdown; exit $rc; }); then
  passed=$((passed + 1))
else
  echo "FAIL: examples/bazel_consumer (tfckpt_conformance_test from another workspace)"
  failed=$((failed + 1))
fi

echo "tfckpt: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
