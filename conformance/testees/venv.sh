#!/usr/bin/env bash
# Create (or reuse) a pinned virtualenv for a third-party testee.
#
#   VENV=$(conformance/testees/venv.sh NAME REQUIREMENTS)
#
# REQUIREMENTS is a pip requirements file pinning every package (the testee's
# own and its dependencies), with a "# python: X.Y" line naming the
# interpreter (found as pythonX.Y on PATH or in pyenv). Everything comes from
# PyPI; nothing is vendored. The venv lives in
# ${TFCKPT_CACHE:-$HOME/.cache/tfckpt}/testees/NAME-<12 hex of sha256(REQUIREMENTS)>,
# so an edited pin gives a fresh venv. Progress goes to stderr, the venv path
# is the last stdout line; non-zero exit with the reason when anything fails.
set -euo pipefail
die() { echo "venv.sh: error: $*" >&2; exit 1; }
[ $# -eq 2 ] || die "usage: venv.sh NAME REQUIREMENTS"
name="$1" req="$2"
[ -f "$req" ] || die "missing $req"
pyver="$(sed -nE 's/^# python: ([0-9]+\.[0-9]+)$/\1/p' "$req" | head -n1)"
[ -n "$pyver" ] || die "$req has no '# python: X.Y' line"

cache="${TFCKPT_CACHE:-$HOME/.cache/tfckpt}/testees"
venv="$cache/$name-$(sha256sum "$req" | cut -c1-12)"
stamp="$venv/.tfckpt-ready"
[ -f "$stamp" ] && { echo "$venv"; exit 0; }

mkdir -p "$cache"
exec 9>"$venv.lock"
command -v flock >/dev/null 2>&1 && flock 9
[ -f "$stamp" ] && { echo "$venv"; exit 0; }

is_pyver() { "$1" -c "import sys; assert sys.version_info[:2] == tuple(map(int, '$pyver'.split('.')))" >/dev/null 2>&1; }
py=""
for cand in "$(command -v "python$pyver" 2>/dev/null)" \
            $(ls -d /root/.pyenv/versions/"$pyver".*/bin/python"$pyver" 2>/dev/null | sort -rV); do
  if [ -n "$cand" ] && is_pyver "$cand"; then py="$cand"; break; fi
done
[ -n "$py" ] || die "no working python$pyver for $name"

echo "venv.sh: creating $venv ($py)" >&2
rm -rf "$venv"
"$py" -m venv "$venv" || die "$py -m venv $venv failed"
log="$venv.pip.log"
# --no-deps: the requirements file pins the whole closure, so nothing
# unpinned can slip in (tensorflow-checkpoint-reader does not even declare
# all it imports).
if ! "$venv/bin/python" -m pip install --disable-pip-version-check --progress-bar off \
       --no-deps -r "$req" >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  rm -rf "$venv"
  die "pip install -r $req failed (log: $log)"
fi
date -u +%Y-%m-%dT%H:%M:%SZ >"$stamp"
echo "$venv"
