#!/usr/bin/env bash
# Packages the fuzz targets of fuzz/BUILD for OSS-Fuzz / ClusterFuzz or for
# `fuzz/run_campaign.sh -b`: the binaries come from the BUILD files
# (`bazel build --config=fuzz`: clang, libFuzzer, ASan + UBSan, .bazelrc),
# never from a second compile of the sources; this script only copies them,
# with their dictionaries and seed corpora, into $OUT.
#   OUT=/tmp/out fuzz/build.sh
# Needs what `bazel build` needs (tools/install_deps.sh: clang-14,
# libclang-rt-14-dev) and zip for the seed archives.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
: "${OUT:?set OUT}"
mkdir -p "$OUT"
work="${WORK:-$(mktemp -d)}"

# An output base of its own: --config=fuzz sets CC=clang, which reconfigures
# Bazel's C++ toolchain for the whole output base, so sharing the default
# one would rebuild everything at each switch between fuzz and plain builds.
# No bazel-* links in the workspace: they stay the default build's.
fuzz_bazel() {
  local cmd=$1; shift
  bazel --output_base="${TFCKPT_FUZZ_OUTPUT_BASE:-$HOME/.cache/tfckpt/bazel-fuzz}" "$cmd" \
    $([ "$cmd" = build ] && echo --symlink_prefix=/) "$@"
}

targets=$(sed -n 's/^ *name = "\([a-z_0-9]*_fuzzer\)",/\1/p' fuzz/BUILD)
fuzz_bazel build --config=fuzz $(printf '//fuzz:%s ' $targets) //fuzz:pack_seeds
bin="$(fuzz_bazel info --config=fuzz bazel-bin)/fuzz"
for t in $targets; do
  install -m 755 "$bin/$t" "$OUT/$t"
  [ -f "fuzz/dictionaries/$t.dict" ] && cp "fuzz/dictionaries/$t.dict" "$OUT/$t.dict"
done

# Seed corpora, generated from golden/: packed checkpoints (TF's and the
# defective ones of golden/bad/) for the multi-file targets, every golden
# file raw for all.
seeds="$work/seeds"
rm -rf "$seeds" && mkdir -p "$seeds/packed" "$seeds/raw"
"$bin/pack_seeds" "$seeds/packed" $(find golden/tf-2.21 -name '*.index' | sed 's/\.index$//') \
  golden/tf-2.21/saver_v1_basic/model.ckpt golden/tf-2.21/dtypes_v1/dtypes_v1 \
  $(find golden/bad -name '*.index' | sed 's/\.index$//') golden/bad/v1_*/model.ckpt >/dev/null
# -1024k, not -1M: find rounds sizes up to whole units, so -1M matches only empty files.
find golden -type f -size -1024k | while read -r f; do cp "$f" "$seeds/raw/$(echo "$f" | tr / _)"; done
for t in $targets; do
  (cd "$seeds" && rm -f "$OUT/${t}_seed_corpus.zip" && zip -qr "$OUT/${t}_seed_corpus.zip" packed raw)
done
echo "built: $(echo $targets | wc -w) fuzz targets in $OUT (bazel --config=fuzz)"
