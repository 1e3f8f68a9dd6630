#!/usr/bin/env bash
# //python:pytest: the package's pytest suite against the module Bazel just
# built (no install): PYTHONPATH holds python/ (the tfckpt sources) with the
# built _tfckpt.so linked into a scratch copy of the package.
set -euo pipefail
runfiles="${TEST_SRCDIR:-$PWD/..}/tfckpt"
pkg="${TEST_TMPDIR:-$(mktemp -d)}/site"
rm -rf "$pkg" && mkdir -p "$pkg/tfckpt"
cp "$runfiles"/python/tfckpt/*.py "$pkg/tfckpt/"
cp "$runfiles/python/_tfckpt.so" "$pkg/tfckpt/_tfckpt.so"
export TFCKPT_GOLDEN="$runfiles/golden"
export TFCKPT_BIN="$runfiles/tfckpt"  # the C++ reader's view of an index (inspect --json)
cd "${TEST_TMPDIR:-/tmp}"
python="$(cat "${TEST_SRCDIR:-$PWD/..}/local_python/interpreter.txt")"
PYTHONPATH="$pkg" exec "$python" -m pytest -q -p no:cacheprovider "$runfiles/python/tests"
