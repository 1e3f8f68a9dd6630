#!/usr/bin/env bash
# TensorFlow 1.15.5 in the Python 3.7 venv of `tools/oracle/setup_venv.sh 1.15`
# (tools/oracle/requirements-1.15.txt); the last stdout line is the command
# that runs the testee (tab-separated).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
venv="$("$root/tools/oracle/setup_venv.sh" 1.15 | tail -n1)"
printf 'env\tPYTHONPATH=%s\tTF_CPP_MIN_LOG_LEVEL=2\t%s\t%s\n' \
  "$root/conformance/testees:$root/conformance/oracle:$root/conformance" "$venv/bin/python" \
  "$root/conformance/testees/tensorflow-1.15/testee.py"
