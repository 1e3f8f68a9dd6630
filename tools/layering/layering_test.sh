#!/usr/bin/env bash
# The BUILD graph (genquery outputs) against docs/ARCHITECTURE.md's table.
set -eu
d="${TEST_SRCDIR}/tfckpt"
exec python3 "$d/tools/layering/check_layers.py" "$d/docs/ARCHITECTURE.md" \
  "$d/tools/layering/edges" "$d/tools/layering/kinds" "$d/tools/layering/testonly"
