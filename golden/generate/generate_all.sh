#!/usr/bin/env bash
# Regenerate the golden corpus with the Python TensorFlow oracle:
#   golden/tf-2.21/<scenario>/...   files written by TensorFlow 2.21
#   golden/MANIFEST.json            what each scenario holds (schema: golden/README.md)
# or, with --version, another TensorFlow release's corpus:
#   golden/tf-1.15/<scenario>/... + golden/tf-1.15/MANIFEST.json   (TF 1.15.5)
#   golden/tf-2.11/<scenario>/... + golden/tf-2.11/MANIFEST.json   (TF 2.11.1)
# or, with --zoo, the model zoo instead of the corpus:
#   golden/zoo/tf-2.21/<model>/... + golden/zoo/MANIFEST.json        (zoo_gen.py)
#   golden/zoo/tf-1.15/<model>/... + golden/zoo/tf-1.15/MANIFEST.json (zoo_tf1.py)
#
# Usage: golden/generate/generate_all.sh [--zoo] [--version 2.21|1.15|2.11] [--check]
#   --check   generate into a temporary directory and compare with the
#             committed corpus instead of replacing it (exit 1 on differences)
#   --zoo     the model zoo (2.21 and 1.15); the corpus and the zoo have their
#             own MANIFESTs, so either regenerates alone
#
# Sets up (or reuses) that version's venv via tools/oracle/setup_venv.sh and
# (2.21 only) builds //:tfckpt with Bazel (for gen_tfckpt.py).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"

check=0
zoo=0
version=2.21
while [ $# -gt 0 ]; do
  case "$1" in
    --check) check=1 ;;
    --zoo) zoo=1 ;;
    --version) version="${2:?--version needs a value}"; shift ;;
    *) echo "usage: $0 [--zoo] [--version 2.21|1.15|2.11] [--check]" >&2; exit 2 ;;
  esac
  shift
done

# Which scripts each version runs, where its corpus goes, and its MANIFEST
# (golden_dir in it is relative to the MANIFEST's directory).
# 1.15: every scenario TF 1.x can write (gen_*.py register TF2-only ones with
# versions="tf2") plus the TF1-era cases (gen_tf1.py). 2.11: only where a
# middle 2.x writes differently from 2.21: object-based checkpoints and TF2
# SavedModels (gen_tf2.py). The zoo: zoo_gen.py (2.21), zoo_tf1.py (1.15).
scripts=()
max_kib=$((20 * 1024)) what=corpus
case "$zoo/$version" in
  0/2.21) for s in "$here"/gen_*.py; do scripts+=("$s"); done
          dest=golden/tf-2.21 manifest=golden/MANIFEST.json golden_dir_rel=tf-2.21 ;;
  0/1.15) for s in "$here"/gen_*.py; do
            case "$(basename "$s")" in gen_tf2.py|gen_tfckpt.py) ;; *) scripts+=("$s") ;; esac
          done
          dest=golden/tf-1.15 manifest=golden/tf-1.15/MANIFEST.json golden_dir_rel=. ;;
  0/2.11) scripts=("$here/gen_tf2.py")
          dest=golden/tf-2.11 manifest=golden/tf-2.11/MANIFEST.json golden_dir_rel=. ;;
  1/2.21) scripts=("$here/zoo_gen.py") max_kib=$((4 * 1024)) what=zoo
          dest=golden/zoo/tf-2.21 manifest=golden/zoo/MANIFEST.json golden_dir_rel=tf-2.21 ;;
  1/1.15) scripts=("$here/zoo_tf1.py") max_kib=$((4 * 1024)) what=zoo
          dest=golden/zoo/tf-1.15 manifest=golden/zoo/tf-1.15/MANIFEST.json golden_dir_rel=. ;;
  *) echo "generate_all.sh: no $([ "$zoo" = 1 ] && echo zoo || echo corpus) defined for TensorFlow $version" >&2
     exit 2 ;;
esac

VENV="$(tools/oracle/setup_venv.sh "$version" | tail -n1)"
py="$VENV/bin/python"

if [ "$version/$zoo" = 2.21/0 ]; then
  # gen_tfckpt.py has tfckpt rewrite TF-written bundles in layouts TF never
  # writes (snappy index, big-endian, aligned); TF then reads them back.
  bazel build --ui_event_filters=-info --noshow_progress //:tfckpt >&2
  export TFCKPT_BIN="$(bazel info bazel-bin 2>/dev/null)/tfckpt"
fi

staging="$(mktemp -d "${TMPDIR:-/tmp}/tfckpt-golden.XXXXXX")"
trap 'rm -rf "$staging"' EXIT
out="$staging/tf-$version"
frags="$staging/fragments"
mkdir -p "$out" "$frags"

export TFCKPT_REPO_ROOT="$repo"
export TFCKPT_GOLDEN_STAGING="$out"
export PYTHONPATH="$repo/tools/oracle${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONHASHSEED=0 TF_CPP_MIN_LOG_LEVEL=3 TF_ENABLE_ONEDNN_OPTS=0 CUDA_VISIBLE_DEVICES=

# Protobuf (upb) map fields serialised without deterministic=True -- e.g. the
# CondContextDef bytes TF stores in a MetaGraphDef's cond_context collection --
# come out in hash-table order, and upb seeds its hash from an address.  Run
# the generators with address-space randomisation off so that order, and so
# the files' bytes, repeat from run to run.
norandom=()
if command -v setarch >/dev/null 2>&1 && setarch "$(uname -m)" -R true 2>/dev/null; then
  norandom=(setarch "$(uname -m)" -R)
else
  echo "generate_all.sh: warning: setarch -R unavailable; files holding protobuf maps may differ between runs" >&2
fi

start=$(date +%s)
for script in "${scripts[@]}"; do
  echo "generate_all.sh: $(basename "$script")" >&2
  "${norandom[@]}" "$py" "$script" --out "$out" --fragments "$frags"
done
"$py" -m tforacle.manifest environment "$frags/_environment.info"
"$py" -m tforacle.manifest merge "$frags" "$staging/MANIFEST.json" "$golden_dir_rel" >&2

# Empty directories (a Keras export's assets/) cannot be committed to git:
# drop them so --check compares what the repository can hold.
find "$out" -mindepth 1 -type d -empty -delete

size_kib=$(du -sk "$out" | cut -f1)
echo "generate_all.sh: $(ls "$out" | wc -l) scenarios, ${size_kib} KiB, $(( $(date +%s) - start ))s" >&2
if [ "$size_kib" -gt "$max_kib" ]; then
  echo "generate_all.sh: error: the $what is over $((max_kib / 1024)) MiB" >&2
  exit 1
fi

if [ "$check" = 1 ]; then
  # Files TF writes differently on every run (e.g. the random uuid in a TF2
  # SavedModel's fingerprint.pb) are flagged in the MANIFEST and skipped here.
  # Removed by path from both sides (diff -x would skip every file of that
  # basename, e.g. all saved_model.pb once one is flagged).
  status=0
  committed="$staging/committed"
  cp -R "$dest" "$committed"
  while IFS= read -r f; do
    rm -f "$committed/$f" "$out/$f"
    echo "generate_all.sh: not comparing nondeterministic $f" >&2
  done < <("$py" -m tforacle.manifest nondeterministic "$staging/MANIFEST.json")
  diff -r -x MANIFEST.json "$committed" "$out" >&2 || status=1
  "$py" -m tforacle.manifest compare "$manifest" "$staging/MANIFEST.json" >&2 || status=1
  if [ "$status" = 0 ]; then
    echo "generate_all.sh: regenerated corpus is identical to the committed one" >&2
  else
    echo "generate_all.sh: regenerated corpus DIFFERS from the committed one" >&2
  fi
  exit "$status"
fi

rm -rf "$dest"
mkdir -p "$(dirname "$dest")"
cp -R "$out" "$dest"
cp "$staging/MANIFEST.json" "$manifest"
echo "generate_all.sh: wrote $dest and $manifest" >&2
