#!/usr/bin/env bash
# Regenerate the model zoo with the Python TensorFlow oracle:
#   golden/zoo/tf-2.21/<model>/...   models written by TensorFlow 2.21 / Keras 3
#   golden/zoo/MANIFEST.json         what each model holds and what TF computed
#                                    (same schema as golden/MANIFEST.json)
#
# Usage: golden/generate/generate_zoo.sh [--check]
#   --check   generate into a temporary directory and compare with the
#             committed zoo instead of replacing it (exit 1 on differences)
#
# The zoo is separate from the main corpus (generate_all.sh) so either can be
# regenerated alone; the determinism rules are the same (golden/README.md).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"

check=0
case "${1:-}" in
  --check) check=1 ;;
  "") ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

VENV="$(tools/oracle/setup_venv.sh | tail -n1)"
py="$VENV/bin/python"

staging="$(mktemp -d "${TMPDIR:-/tmp}/tfckpt-zoo.XXXXXX")"
trap 'rm -rf "$staging"' EXIT
out="$staging/tf-2.21"
frags="$staging/fragments"
mkdir -p "$out" "$frags"

export TFCKPT_REPO_ROOT="$repo"
export TFCKPT_GOLDEN_STAGING="$out"
export PYTHONPATH="$repo/tools/oracle${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONHASHSEED=0 TF_CPP_MIN_LOG_LEVEL=3 TF_ENABLE_ONEDNN_OPTS=0 CUDA_VISIBLE_DEVICES=

norandom=()
if command -v setarch >/dev/null 2>&1 && setarch "$(uname -m)" -R true 2>/dev/null; then
  norandom=(setarch "$(uname -m)" -R)
fi

start=$(date +%s)
"${norandom[@]}" "$py" "$here/zoo_gen.py" --out "$out" --fragments "$frags"
"$py" -m tforacle.manifest environment "$frags/_environment.info"
"$py" -m tforacle.manifest merge "$frags" "$staging/MANIFEST.json" >&2
"$py" - "$staging/MANIFEST.json" <<'PY'
import json, sys
from tforacle.manifest import dump_json
m = json.load(open(sys.argv[1]))
m["generator"] = "golden/generate/generate_zoo.sh"
dump_json(m, sys.argv[1])
PY

size_kib=$(du -sk "$out" | cut -f1)
echo "generate_zoo.sh: $(ls "$out" | wc -l) models, ${size_kib} KiB, $(( $(date +%s) - start ))s" >&2
if [ "$size_kib" -gt $((4 * 1024)) ]; then
  echo "generate_zoo.sh: error: the zoo is over 4 MiB" >&2
  exit 1
fi

if [ "$check" = 1 ]; then
  status=0
  excludes=()
  while IFS= read -r f; do
    excludes+=(-x "$(basename "$f")")
    echo "generate_zoo.sh: not comparing nondeterministic $f" >&2
  done < <("$py" -m tforacle.manifest nondeterministic "$staging/MANIFEST.json")
  diff -r "${excludes[@]}" golden/zoo/tf-2.21 "$out" >&2 || status=1
  "$py" -m tforacle.manifest compare golden/zoo/MANIFEST.json "$staging/MANIFEST.json" >&2 || status=1
  if [ "$status" = 0 ]; then
    echo "generate_zoo.sh: regenerated zoo is identical to the committed one" >&2
  else
    echo "generate_zoo.sh: regenerated zoo DIFFERS from the committed one" >&2
  fi
  exit "$status"
fi

rm -rf golden/zoo/tf-2.21
mkdir -p golden/zoo
cp -R "$out" golden/zoo/tf-2.21
cp "$staging/MANIFEST.json" golden/zoo/MANIFEST.json
echo "generate_zoo.sh: wrote golden/zoo/tf-2.21 and golden/zoo/MANIFEST.json" >&2
