#!/usr/bin/env bash
# TensorFlow 1.15.5 in the Python 3.7 venv of `tools/oracle/setup_venv.sh 1.15`
# (tools/oracle/requirements-1.15.txt) running conformance/tf_testee.py, the
# one TensorFlow testee (it finds its modules itself); the last stdout line is
# the command that runs the testee (tab-separated).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
venv="$("$root/tools/oracle/setup_venv.sh" 1.15 | tail -n1)"
printf 'env\tTF_CPP_MIN_LOG_LEVEL=2\t%s\t%s\n' "$venv/bin/python" "$root/conformance/tf_testee.py"
