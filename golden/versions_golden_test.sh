#!/usr/bin/env bash
# tfckpt over golden/tf-1.15 and golden/tf-2.11 (see golden/BUILD).
set -u
root="${TEST_SRCDIR}/tfckpt"
fail=0
corpora=()
for d in "$root"/golden/tf-1.15 "$root"/golden/tf-2.11; do
  if [ -f "$d/MANIFEST.json" ]; then
    corpora+=("$d")
  else
    echo "SKIPPED: $d: no MANIFEST.json (not generated)"
  fi
done
[ ${#corpora[@]} -gt 0 ] || { echo "FAIL: no corpus"; exit 1; }
for d in "${corpora[@]}"; do
  python3 "$root/src/cli/golden_check.py" "$root/tfckpt" "$d" || fail=1
done
python3 "$root/golden/versions_check.py" "$root/tfckpt" "${corpora[@]}" || fail=1
exit $fail
