#!/usr/bin/env bash
# Installs tensorflow-checkpoint-reader 0.2.2 from PyPI into a cached venv;
# the last stdout line is the command that runs the testee (tab-separated).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
venv="$("$here/../venv.sh" tensorflow-checkpoint-reader "$here/requirements.txt" | tail -n1)"
"$venv/bin/python" -c 'import tensorflow_checkpoint_reader.py_checkpoint_reader' >&2 \
  || { echo "install.sh: tensorflow_checkpoint_reader does not import in $venv" >&2; exit 1; }
printf 'env\tPYTHONPATH=%s\t%s\t%s\n' "$root/conformance/testees:$root/conformance/oracle" \
  "$venv/bin/python" "$here/testee.py"
