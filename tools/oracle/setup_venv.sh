#!/usr/bin/env bash
# Create (or reuse) a Python TensorFlow virtualenv: the oracle (TF 2.21) by
# default, or another pinned TensorFlow release.
#
#   VENV=$(tools/oracle/setup_venv.sh)          # TF 2.21: requirements.txt
#   VENV=$(tools/oracle/setup_venv.sh 1.15)     # TF 1.15: requirements-1.15.txt
#   "$VENV/bin/python" -c 'import tensorflow'
#
# One pinned requirements file per TensorFlow version; a "# python: X.Y" line
# in it names the interpreter (default 3.11), found as pythonX.Y on PATH or in
# pyenv (/root/.pyenv/versions/X.Y.*). Adding a TF version is adding a file.
#
# The venv lives under ${TFCKPT_CACHE:-$HOME/.cache/tfckpt}/venv-<hash>, where
# <hash> is the first 12 hex digits of sha256(the requirements file), so editing
# the requirements yields a fresh venv and an unchanged file reuses the old one.
#
# Idempotent: when the venv is already complete it prints only its path.
# Progress/diagnostics go to stderr; the venv path is the last line on stdout.
# Exits non-zero with a clear message when anything fails.
#
# Environment:
#   TFCKPT_CACHE      cache root (default: $HOME/.cache/tfckpt)
#   TFCKPT_PYTHON     interpreter to use (default: pythonX.Y on PATH, else
#                     pyenv's, X.Y from the requirements file)
#   TFCKPT_VERBOSE=1  show pip output instead of writing it to a log file
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
die() { echo "setup_venv.sh: error: $*" >&2; exit 1; }
log() { echo "setup_venv.sh: $*" >&2; }

case "${1:-2.21}" in
  2.21) req="$here/requirements.txt" ;;
  *) req="$here/requirements-$1.txt" ;;
esac
[ -f "$req" ] || die "no pinned requirements for TensorFlow ${1:-2.21}: missing $req"
pyver="$(sed -nE 's/^# python: ([0-9]+\.[0-9]+)$/\1/p' "$req" | head -n1)"
pyver="${pyver:-3.11}"

hash="$(sha256sum "$req" | cut -c1-12)"
cache="${TFCKPT_CACHE:-$HOME/.cache/tfckpt}"
venv="$cache/venv-$hash"
stamp="$venv/.tfckpt-ready"

if [ -f "$stamp" ] && [ -x "$venv/bin/python" ]; then
  # Already set up: stay quiet, just report the path.
  echo "$venv"
  exit 0
fi

# Pick the interpreter.
# A pyenv shim on PATH may exist and still not run (version not selected), so
# every candidate is tried until one is the wanted version.
is_pyver() { "$1" -c "import sys; assert sys.version_info[:2] == tuple(map(int, '$pyver'.split('.')))" >/dev/null 2>&1; }
py="${TFCKPT_PYTHON:-}"
if [ -n "$py" ]; then
  is_pyver "$py" || die "$py is not a working Python $pyver interpreter"
else
  for cand in "$(command -v "python$pyver" 2>/dev/null)" \
              $(ls -d /root/.pyenv/versions/"$pyver".*/bin/python"$pyver" 2>/dev/null | sort -rV); do
    if [ -n "$cand" ] && is_pyver "$cand"; then py="$cand"; break; fi
  done
  [ -n "$py" ] || die "no working python$pyver (set TFCKPT_PYTHON to a Python $pyver interpreter)"
fi

mkdir -p "$cache" || die "cannot create cache directory $cache"

# Serialise concurrent setups of the same venv.
exec 9>"$cache/.venv-$hash.lock"
if command -v flock >/dev/null 2>&1; then
  flock 9
fi
if [ -f "$stamp" ] && [ -x "$venv/bin/python" ]; then
  echo "$venv"
  exit 0
fi

log "creating virtualenv $venv (python: $py)"
rm -rf "$venv"
"$py" -m venv "$venv" || die "$py -m venv $venv failed"

pip_log="$cache/venv-$hash.pip.log"
log "installing $(grep -Ev '^\s*(#|$)' "$req" | tr '\n' ' ')(log: $pip_log)"
start=$(date +%s)
pip_cmd=("$venv/bin/python" -m pip install --disable-pip-version-check
         --progress-bar off -r "$req")
if [ "${TFCKPT_VERBOSE:-0}" = 1 ]; then
  "${pip_cmd[@]}" >&2 || { rm -rf "$venv"; die "pip install -r $req failed"; }
else
  if ! "${pip_cmd[@]}" >"$pip_log" 2>&1; then
    tail -n 30 "$pip_log" >&2 || true
    rm -rf "$venv"
    die "pip install -r $req failed (full log: $pip_log)"
  fi
fi
log "pip install took $(( $(date +%s) - start ))s"

# Verify TensorFlow imports and is the pinned version.
want="$(sed -nE 's/^tensorflow(-cpu)?==([^ ;#]+).*/\2/p' "$req" | head -n1)"
got="$(TF_CPP_MIN_LOG_LEVEL=3 "$venv/bin/python" -c 'import tensorflow as tf; print(tf.__version__)' 2>"$cache/venv-$hash.import.log" | tail -n1)" \
  || { cat "$cache/venv-$hash.import.log" >&2; rm -rf "$venv"; die "'import tensorflow' failed in $venv"; }
if [ -n "$want" ] && [ "$got" != "$want" ]; then
  rm -rf "$venv"
  die "expected tensorflow $want, got '$got'"
fi
log "tensorflow $got OK"

# Note: the tforacle package is deliberately NOT installed into the venv (the
# venv is shared by every checkout using the same requirements); callers put
# tools/oracle on PYTHONPATH themselves.

date -u +%Y-%m-%dT%H:%M:%SZ > "$stamp"
echo "$venv"
