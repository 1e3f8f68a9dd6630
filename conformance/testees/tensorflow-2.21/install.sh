#!/usr/bin/env bash
# TensorFlow 2.21 (the oracle venv, tools/oracle/setup_venv.sh) running
# conformance/tf_testee.py, the one TensorFlow testee (it finds its modules
# itself); the last stdout line is the command (tab-separated).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
venv="$("$root/tools/oracle/setup_venv.sh" | tail -n1)"
printf '%s\t%s\n' "$venv/bin/python" "$root/conformance/tf_testee.py"
