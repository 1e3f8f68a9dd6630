#!/usr/bin/env bash
# The pytest cases that need a package from PyPI (python/requirements-test.txt:
# safetensors, the reference reader of what tfckpt.to_safetensors writes),
# run by tools/test.sh after `bazel test //...` on the module it built. The
# rest of python/tests runs inside `bazel test` (//python:pytest).
#   exit 0 passed, 1 failed, 3 SKIPPED (the registry or the module missing;
#   a loud line says why).
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
module=""
for m in "$root"/bazel-out/*-fastbuild/bin/python/_tfckpt.so; do [ -f "$m" ] && module="$m"; done
skip() {
  echo "================================================================"
  echo "SKIPPED: python/tests with the safetensors package: $1"
  echo "================================================================"
  exit 3
}
[ -n "$module" ] || skip "no //python:_tfckpt.so built (run bazel test //... first)"
python="$(cat "$(cd "$root" && bazel info output_base 2>/dev/null)/external/local_python/interpreter.txt" 2>/dev/null)"
[ -x "${python:-}" ] || python=/usr/bin/python3
hash="$( (cat "$root/python/requirements-test.txt"; "$python" --version) | sha256sum | cut -c1-12)"
venv="$HOME/.cache/tfckpt/py-venv-$hash"
if [ ! -f "$venv/.complete" ]; then
  rm -rf "$venv"
  # Debian's numpy and pytest come through --system-site-packages.
  if ! "$python" -m venv --system-site-packages "$venv" >/tmp/tfckpt-py-venv.log 2>&1 ||
     ! "$venv/bin/python" -m pip install --disable-pip-version-check -q \
         -r "$root/python/requirements-test.txt" >>/tmp/tfckpt-py-venv.log 2>&1; then
    skip "pip install -r python/requirements-test.txt failed: $(tail -n 1 /tmp/tfckpt-py-venv.log)"
  fi
  touch "$venv/.complete"
fi
pkg="$(mktemp -d)"
trap 'rm -rf "$pkg"' EXIT
mkdir -p "$pkg/tfckpt"
cp "$root"/python/tfckpt/*.py "$pkg/tfckpt/" && cp "$module" "$pkg/tfckpt/_tfckpt.so"
cd "$pkg" && PYTHONPATH="$pkg" "$venv/bin/python" -m pytest -q -p no:cacheprovider \
  -k safetensors "$root/python/tests"
