#!/usr/bin/env bash
# OSS-Fuzz / ClusterFuzz build: every fuzz target of fuzz/BUILD, built with
# the standard environment ($CC $CXX $CFLAGS $CXXFLAGS $LIB_FUZZING_ENGINE
# $OUT, optional $WORK) instead of Bazel, plus seed corpora and dictionaries.
#   CC=clang CXX=clang++ CFLAGS=-fsanitize=fuzzer-no-link,address \
#   CXXFLAGS=-fsanitize=fuzzer-no-link,address LIB_FUZZING_ENGINE=-fsanitize=fuzzer \
#   OUT=/tmp/out fuzz/build.sh
# Needs Debian's protobuf-compiler, libprotobuf-dev, libsnappy-dev,
# libisal-dev, libeigen3-dev (tools/install_deps.sh), and python3 + zip for
# the seed archives.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
: "${CXX:=clang++}" "${CXXFLAGS:=}" "${LIB_FUZZING_ENGINE:=-fsanitize=fuzzer}" "${OUT:?set OUT}"
work="${WORK:-$(mktemp -d)}"
mkdir -p "$OUT" "$work/gen" "$work/obj"
jobs=$(nproc)

protoc -I. -I/usr/include --cpp_out="$work/gen" proto/*.proto proto/example/*.proto
flags=(-std=c++17 -I. -I"$work/gen" -I/usr/include/eigen3 -DTFCKPT_FUZZING $CXXFLAGS)

# The library: every non-test source under src/ (src/testing holds test helpers).
mapfile -t sources < <(find src -name '*.cc' ! -name '*_test.cc' ! -path 'src/testing/*' \
                        ! -path 'src/cli/*' | sort; find "$work/gen" -name '*.pb.cc' | sort)
printf '%s\n' "${sources[@]}" | xargs -P "$jobs" -I{} sh -c \
  'o="$1/obj/$(echo "$2" | tr / _).o"; [ "$o" -nt "$2" ] || '"$CXX"' '"${flags[*]}"' -c "$2" -o "$o"' _ "$work" {}
objs=("$work"/obj/*.o)

targets=$(sed -n 's/^ *name = "\([a-z_0-9]*_fuzzer\)",/\1/p' fuzz/BUILD)
for t in $targets; do
  $CXX "${flags[@]}" "fuzz/$t.cc" "${objs[@]}" $LIB_FUZZING_ENGINE \
    -lprotobuf -lsnappy -lisal -lpthread -o "$OUT/$t"
  [ -f "fuzz/dictionaries/$t.dict" ] && cp "fuzz/dictionaries/$t.dict" "$OUT/$t.dict"
done

# Seed corpora, generated from golden/: packed checkpoints (TF's and the
# defective ones of golden/bad/) for the multi-file targets, every golden
# file raw for all.
seeds="$work/seeds"
rm -rf "$seeds" && mkdir -p "$seeds/packed" "$seeds/raw"
# pack_seeds has its own main(): link it without the fuzzing engine.
$CXX "${flags[@]}" fuzz/pack_seeds.cc "${objs[@]}" -fsanitize=address \
  -lprotobuf -lsnappy -lisal -lpthread -o "$work/pack_seeds" ||
  echo "build.sh: pack_seeds did not link; seed corpora get the raw golden files only" >&2
if [ -x "$work/pack_seeds" ]; then
  "$work/pack_seeds" "$seeds/packed" $(find golden/tf-2.21 -name '*.index' | sed 's/\.index$//') \
    golden/tf-2.21/saver_v1_basic/model.ckpt golden/tf-2.21/dtypes_v1/dtypes_v1 \
    $(find golden/bad -name '*.index' | sed 's/\.index$//') golden/bad/v1_*/model.ckpt >/dev/null
fi
# -1024k, not -1M: find rounds sizes up to whole units, so -1M matches only empty files.
find golden -type f -size -1024k | while read -r f; do cp "$f" "$seeds/raw/$(echo "$f" | tr / _)"; done
for t in $targets; do
  (cd "$seeds" && zip -qr "$OUT/${t}_seed_corpus.zip" packed raw)
done
echo "built: $(echo $targets | wc -w) fuzz targets in $OUT"
