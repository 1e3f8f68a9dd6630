#!/usr/bin/env bash
# src/graph/OPS.md is op_census's output over the zoo's MANIFEST: the census
# users read is the one the code computes.
set -euo pipefail
root="${TEST_SRCDIR:-.}/tfckpt"
got="$("$root/src/graph/op_census" "$root/golden/zoo/MANIFEST.json" \
      "$root/golden/zoo/tf-1.15/MANIFEST.json")"
if ! diff <(printf '%s\n' "$got") "$root/src/graph/OPS.md"; then
  echo "op_census_test: src/graph/OPS.md is stale; regenerate it with" >&2
  echo "  bazel run //src/graph:op_census -- \$PWD/golden/zoo/MANIFEST.json \$PWD/golden/zoo/tf-1.15/MANIFEST.json > src/graph/OPS.md" >&2
  exit 1
fi
echo "op_census_test: src/graph/OPS.md matches the zoo ($(grep -c '^| `' "$root/src/graph/OPS.md") ops)"
