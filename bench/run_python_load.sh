#!/usr/bin/env bash
# tfckpt.load vs TensorFlow, tensorflow-checkpoint-reader and safetensors
# (bench/python_load_bench.py; docs/PERFORMANCE.md "Python readers").
#   bench/run_python_load.sh [OUT.md]      # ~4 GiB of scratch in $TMPDIR
# The scratch data is removed at exit (a shared machine's disk filled up once
# with it left behind); KEEP_WORK=1 keeps it, and a later run reuses it.
# Interpreters: Debian's python3 with the -c opt module for tfckpt, the
# TensorFlow 2.21 venv (tools/oracle/setup_venv.sh), the matrix's venv of
# tensorflow-checkpoint-reader (conformance/testees/), and a venv over
# Debian's numpy with python/requirements-test.txt (safetensors). Not in CI.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bazel build -c opt //python:_tfckpt.so
module="$(bazel info -c opt bazel-bin)/python/_tfckpt.so"
pkg="$(mktemp -d)"; work="${TMPDIR:-/tmp}/tfckpt-python-bench"
trap 'rm -rf "$pkg"; [ "${KEEP_WORK:-0}" = 1 ] || rm -rf "$work"' EXIT
mkdir -p "$pkg/tfckpt" && cp python/tfckpt/*.py "$pkg/tfckpt/" && cp "$module" "$pkg/tfckpt/"
tf_venv="$(tools/oracle/setup_venv.sh | tail -n 1)"
tcr_venv="$(conformance/testees/venv.sh tensorflow-checkpoint-reader \
  conformance/testees/tensorflow-checkpoint-reader/requirements.txt | tail -n 1)"
st_venv="$HOME/.cache/tfckpt/py-bench-safetensors"
if [ ! -f "$st_venv/.complete" ]; then
  /usr/bin/python3 -m venv --system-site-packages "$st_venv"
  "$st_venv/bin/python" -m pip install -q -r python/requirements-test.txt
  touch "$st_venv/.complete"
fi
"$st_venv/bin/python" bench/python_load_bench.py --work "$work" \
  --tfckpt-python "$st_venv/bin/python" --tfckpt-pythonpath "$pkg" \
  --tf-python "$tf_venv/bin/python" --tcr-python "$tcr_venv/bin/python" \
  --safetensors-python "$st_venv/bin/python" --runs "${RUNS:-3}" --out "${1:-bench/results/python_load.md}"
