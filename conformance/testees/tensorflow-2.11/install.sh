#!/usr/bin/env bash
# TensorFlow 2.11.1 (the venv of `tools/oracle/setup_venv.sh 2.11`,
# tools/oracle/requirements-2.11.txt) running conformance/tf_testee.py, the
# one TensorFlow testee; the last stdout line is the command (tab-separated).
# Left out of CI (a ~500 MB install, 8-12 min cold): conformance/matrix/run.sh --all.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
venv="$("$root/tools/oracle/setup_venv.sh" 2.11 | tail -n1)"
printf '%s\t%s\n' "$venv/bin/python" "$root/conformance/tf_testee.py"
