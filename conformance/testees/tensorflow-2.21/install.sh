#!/usr/bin/env bash
# TensorFlow 2.21 (the oracle venv, tools/oracle/setup_venv.sh) running
# conformance/tf_testee.py; the last stdout line is the command (tab-separated).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
venv="$("$root/tools/oracle/setup_venv.sh" | tail -n1)"
printf 'env\tPYTHONPATH=%s\t%s\t%s\n' "$root/tools/oracle:$root/conformance/oracle" \
  "$venv/bin/python" "$root/conformance/tf_testee.py"
