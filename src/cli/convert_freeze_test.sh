#!/usr/bin/env bash
# tfckpt convert and tfckpt freeze against files written by TensorFlow 2.21:
# conversions between TF's own V1 and V2 goldens of the same variables must
# reproduce TF's bytes, and freezing must reproduce what TF's freeze_graph
# tool wrote (golden/tf-2.21/freeze_graph_tool) byte for byte.
set -u
. "${TEST_SRCDIR}/tfckpt/src/cli/test_lib.sh" || exit 1  # root, bin, g, tmp, out; check, has...
same() {  # file file: byte-identical
  if ! cmp -s "$1" "$2"; then echo "FAIL: $1 differs from $2"; fail=1; else echo "ok: $1 == $(basename "$2")"; fi
}

v1="$g/saver_v1_basic/model.ckpt"       # TF's V1 Saver file of v1, v2
v2="$g/saver_v2_basic/model.ckpt"       # TF's V2 Saver bundle of the same values

# --- convert: TF's V1 and V2 files of the same variables into each other ----
check 0 "convert V1 -> V2" "$bin" convert "$v1" "$tmp/v2"
has "^wrote .*/v2 \(V2 bundle\): 2 tensors from V1 checkpoint"
same "$tmp/v2.index" "$v2.index"
same "$tmp/v2.data-00000-of-00001" "$v2.data-00000-of-00001"
check 0 "convert V2 -> V1" "$bin" convert "$v2" "$tmp/v1" --format v1
same "$tmp/v1" "$v1"

# Partitioned variables keep their slices (or not), in both formats.
part="$g/partitioned/model.ckpt"
check 0 "convert partitioned -> big-endian V2" "$bin" convert "$part" "$tmp/pbe" --big-endian
has "2 tensors, 3 slices"
check 0 "validate big-endian" "$bin" validate "$tmp/pbe"
check 0 "inspect big-endian" "$bin" inspect "$tmp/pbe"
has "endianness BIG"
check 0 "diff big-endian" "$bin" diff "$part" "$tmp/pbe"
check 0 "convert partitioned -> V1" "$bin" convert "$part" "$tmp/pv1" --format v1
check 0 "inspect V1 partitioned" "$bin" inspect "$tmp/pv1"
has "partitioned: 3 slices"
check 0 "diff V1 partitioned" "$bin" diff "$part" "$tmp/pv1"
check 0 "convert V1 partitioned -> V2" "$bin" convert "$tmp/pv1" "$tmp/pv2"
same "$tmp/pv2.index" "$part.index"
same "$tmp/pv2.data-00000-of-00001" "$part.data-00000-of-00001"
check 0 "convert --merge-slices" "$bin" convert "$part" "$tmp/pmerged" --merge-slices
check 0 "inspect merged" "$bin" inspect "$tmp/pmerged"
if grep -q "partitioned" "$out"; then echo "FAIL: --merge-slices kept slices"; fail=1; fi
check 0 "diff merged" "$bin" diff "$part" "$tmp/pmerged"

# Sharded input: one data file out; index options.
check 0 "convert sharded" "$bin" convert "$g/sharded/model.ckpt" "$tmp/s" \
  --index-compression snappy --alignment 64
check 0 "validate merged shards" "$bin" validate "$tmp/s"
check 0 "diff merged shards" "$bin" diff "$g/sharded/model.ckpt" "$tmp/s"
[ -f "$tmp/s.data-00000-of-00001" ] && [ ! -e "$tmp/s.data-00001-of-00002" ] ||
  { echo "FAIL: sharded input not merged into one data file"; fail=1; }

# In place: a copy converted onto itself.
cp "$v2.index" "$tmp/inplace.index"; cp "$v2.data-00000-of-00001" "$tmp/inplace.data-00000-of-00001"
check 0 "convert in place" "$bin" convert "$tmp/inplace" "$tmp/inplace" --big-endian
check 0 "validate in place" "$bin" validate "$tmp/inplace"
check 0 "diff in place" "$bin" diff "$v2" "$tmp/inplace"

# A dtype V1 cannot hold: TF's text, the tensor named, nothing written, and
# an existing OUT left as it was.
check 2 "convert bfloat16 to V1" "$bin" convert "$g/dtypes/dtypes" "$tmp/d1" --format v1
has 'd1: tensor "bfloat16": Saving data type bfloat16 not yet supported' "$out.err"
[ ! -e "$tmp/d1" ] || { echo "FAIL: a failed convert left $tmp/d1"; fail=1; }
cp "$v1" "$tmp/existing"
check 2 "convert over an existing V1 file fails" "$bin" convert "$g/dtypes/dtypes" "$tmp/existing" --format v1
same "$tmp/existing" "$v1"
check 0 "convert into a new directory says so" "$bin" convert "$v2" "$tmp/newdir/sub/m"
has "^tfckpt convert: created directory .*newdir/sub$" "$out.err"
check 0 "convert into an existing directory says nothing" "$bin" convert "$v2" "$tmp/newdir/sub/m2"
lacks "created" "$out.err"
check 2 "convert a missing input" "$bin" convert "$tmp/nope" "$tmp/x"
has "nope" "$out.err"
check 2 "V2-only options with --format v1" "$bin" convert "$v2" "$tmp/x" --format v1 --big-endian
has "apply to --format v2 only" "$out.err"

# --- convert --to safetensors: the partitioned variable whole, TF's values ---
part_ckpt="$g/partitioned/model.ckpt"
check 0 "convert --to safetensors" "$bin" convert "$part_ckpt" "$tmp/p.safetensors" --to safetensors
has "safetensors.: 2 tensors from V2 prefix" "$out"
python3 - "$tmp/p.safetensors" "$root/golden/MANIFEST.json" <<'PY' || fail=1
import hashlib, json, struct, sys
raw = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
header, data = json.loads(raw[8:8 + n]), raw[8 + n:]
manifest = json.load(open(sys.argv[2]))
ckpt = next(s for s in manifest["scenarios"] if s["name"] == "partitioned")["checkpoints"][0]
for t in ckpt["tensors"]:
    h = header[t["name"]]
    b, e = h["data_offsets"]
    ok = h["shape"] == t["shape"] and hashlib.sha256(data[b:e]).hexdigest() == t["raw_sha256"]
    print(("ok: " if ok else "FAIL: ") + "safetensors %s %s equals TF's" % (t["name"], h["dtype"]))
    if not ok:
        sys.exit(1)
PY
check 2 "convert --to safetensors: a dtype it lacks" "$bin" convert "$g/dtypes/dtypes" "$tmp/d.safetensors" --to safetensors
has 'tensor "complex128": dtype complex128 has no safetensors equivalent' "$out.err"
[ ! -e "$tmp/d.safetensors" ] || { echo "FAIL: a failed convert left $tmp/d.safetensors"; fail=1; }

# --- freeze: TF's freeze_graph tool outputs, byte for byte -----------------
fz="$g/freeze_graph_tool"
check 0 "freeze .meta + checkpoint" "$bin" freeze "$fz/model.ckpt.meta" --checkpoint "$fz/model.ckpt" \
  --output_node out -o "$tmp/frozen_meta.pb"
has "^wrote .*frozen_meta.pb: [0-9]+ nodes \(4 Const\)"
same "$tmp/frozen_meta.pb" "$fz/frozen_from_meta.pb"
check 0 "freeze with a checkpoint directory" "$bin" freeze "$fz/model.ckpt.meta" --checkpoint "$fz" \
  --output_node out -o "$tmp/frozen_dir.pb"
same "$tmp/frozen_dir.pb" "$fz/frozen_from_meta.pb"
check 0 "freeze with a denylist" "$bin" freeze "$fz/model.ckpt.meta" --checkpoint "$fz/model.ckpt" \
  --output_node out --variable_names_denylist layer2/bias -o "$tmp/frozen_deny.pb"
check 0 "freeze with kebab-case flags" "$bin" freeze "$fz/model.ckpt.meta" --checkpoint "$fz/model.ckpt" \
  --output-node out --variable-names-denylist layer2/bias --output-graph "$tmp/frozen_deny_kebab.pb"
same "$tmp/frozen_deny_kebab.pb" "$fz/frozen_denylist.pb"
same "$tmp/frozen_deny.pb" "$fz/frozen_denylist.pb"
check 0 "freeze a SavedModel" "$bin" freeze "$fz/saved_model" --output_node out -o "$tmp/frozen_sm.pb"
same "$tmp/frozen_sm.pb" "$fz/frozen_from_saved_model.pb"
check 0 "freeze into a new directory says so" "$bin" freeze "$fz/model.ckpt.meta" --output_node out \
  -o "$tmp/newfz/frozen.pb"
has "^tfckpt freeze: created directory .*newfz$" "$out.err"
check 0 "run the frozen graph" "$bin" run "$tmp/frozen_meta.pb" --input 'x=[[0.5,-1.0,2.0]]' --output out:0
check 0 "freeze a .meta without --checkpoint (its own prefix, as run)" "$bin" freeze \
  "$fz/model.ckpt.meta" --output_node out -o "$tmp/frozen_own.pb"
same "$tmp/frozen_own.pb" "$fz/frozen_from_meta.pb"
# run and freeze resolve a .meta's checkpoint alike (docs/CLI.md "Paths"):
# with a stale state file both fail, naming it.
mkdir -p "$tmp/stale"
cp "$fz/model.ckpt.meta" "$tmp/stale/graph.meta"
echo 'model_checkpoint_path: "gone.ckpt"' >"$tmp/stale/checkpoint"
check 2 "freeze with a stale state file" "$bin" freeze "$tmp/stale/graph.meta" --output_node out -o "$tmp/x.pb"
has "stale/checkpoint: model_checkpoint_path \".*gone.ckpt\" names no checkpoint" "$out.err"
cp "$out.err" "$tmp/freeze_stale.err"
check 2 "run with a stale state file" "$bin" run "$tmp/stale/graph.meta" --output out:0 --input 'x=[[1,2,3]]'
sed 's/^tfckpt run: //' "$out.err" >"$tmp/run_stale.err"
sed -i 's/^tfckpt freeze: //' "$tmp/freeze_stale.err"
same "$tmp/run_stale.err" "$tmp/freeze_stale.err"
rm "$tmp/stale/checkpoint"
check 2 "freeze a .meta with no checkpoint anywhere" "$bin" freeze "$tmp/stale/graph.meta" --output_node out -o "$tmp/x.pb"
has "--checkpoint is required" "$out.err"
check 2 "freeze an unknown output node" "$bin" freeze "$fz/model.ckpt.meta" --checkpoint "$fz/model.ckpt" \
  --output_node nosuch -o "$tmp/x.pb"
has "nosuch is not in graph" "$out.err"
[ ! -e "$tmp/x.pb" ] || { echo "FAIL: a failed freeze wrote $tmp/x.pb"; fail=1; }
check 2 "freeze a SavedModel by a missing tag" "$bin" freeze "$fz/saved_model" --tag train --output_node out -o "$tmp/x.pb"
has "MetaGraphDef associated with tags 'train' could not be found" "$out.err"

# --- freeze TF2 SavedModels (calls inlined, resource variables -> Const,
# also inside While loops' functions; --signature picks the outputs): the frozen graph's outputs equal the
# SavedModel's, bit for bit, on the same inputs. The SavedModels' own outputs
# are checked against TensorFlow's in saved_model_golden_test/zoo_golden_test;
# TensorFlow runs these frozen graphs in the oracle tier (tf_runs_frozen.py).
# Inputs: every signature input filled from its dtype and shape (-1 -> 2).
inputs_of() {  # show --json on stdin -> "--input key=JSON" lines for serving_default
  python3 -c '
import json, sys
sig = json.load(sys.stdin)["meta_graphs"][0]["signatures"]["serving_default"]
for key, t in sorted(sig["inputs"].items()):
    dims = [2 if d < 0 else d for d in t["shape"]]
    n = 1
    for d in dims: n *= d
    flat = [(i % 3) if t["dtype"].startswith("int") else ((i * 7) % 11 - 5) / 4.0 for i in range(n)]
    def nest(v, ds):
        if not ds: return v[0]
        step = len(v) // ds[0]
        return [nest(v[i * step:(i + 1) * step], ds[1:]) for i in range(ds[0])]
    print("%s\t%s\t%s" % (key, t["name"], json.dumps(nest(flat, dims))))'
}
same_outputs() {  # a.json b.json: the same values for every output tensor name
  python3 -c '
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
va = {o["name"]: o["values"] for o in a["outputs"]}
vb = {o["name"]: o["values"] for o in b["outputs"]}
sys.exit(0 if va == vb and va else 1)' "$1" "$2" || { echo "FAIL: outputs of $1 and $2 differ"; fail=1; }
}
tf2_models="$g/tf2_module_saved_model/saved_model"
for m in "$root"/golden/zoo/tf-2.21/keras_*/saved_model; do tf2_models="$tf2_models $m"; done
for sm in $tf2_models; do
  name="$(basename "$(dirname "$sm")")"
  check 0 "freeze TF2 $name --signature serving_default" "$bin" freeze "$sm" \
    --signature serving_default -o "$tmp/$name.frozen.pb"
  has "functions inlined \(convert_variables_to_constants_v2\)"
  "$bin" show --json "$sm" >"$tmp/$name.show.json"
  in_sm=(); in_pb=()
  while IFS=$'\t' read -r key tensor value; do
    in_sm+=(--input "$key=$value"); in_pb+=(--input "$tensor=$value")
  done < <(inputs_of <"$tmp/$name.show.json")
  outs=$(python3 -c 'import json,sys; print(" ".join("--output " + t["name"] for k, t in sorted(json.load(sys.stdin)["meta_graphs"][0]["signatures"]["serving_default"]["outputs"].items())))' <"$tmp/$name.show.json")
  check 0 "run TF2 $name SavedModel" "$bin" run "$sm" "${in_sm[@]}" --json
  cp "$out" "$tmp/$name.sm.json"
  # shellcheck disable=SC2086
  check 0 "run TF2 $name frozen" "$bin" run "$tmp/$name.frozen.pb" "${in_pb[@]}" $outs --json
  same_outputs "$tmp/$name.sm.json" "$out"
  check 0 "frozen $name holds no variable or call" "$bin" show "$tmp/$name.frozen.pb"
  case "$name" in
    keras_simple_rnn|keras_lstm|keras_gru|keras_cond)  # a While loop's cond and body stay functions
      has "graph: [0-9]+ nodes, [1-9][0-9]* functions"; has "^  ops: .*While" ;;
    *) has "graph: [0-9]+ nodes, 0 functions" ;;
  esac
  lacks "^  ops: .*(VarHandleOp|ReadVariableOp|PartitionedCall)"
done
check 2 "freeze --signature with a typo" "$bin" freeze "$g/tf2_module_saved_model/saved_model" \
  --signature serving_defalt -o "$tmp/x.pb"
has "signature 'serving_defalt' not found \(did you mean 'serving_default'\?\); signatures: " "$out.err"
check 2 "freeze without outputs lists the signatures" "$bin" freeze "$g/tf2_module_saved_model/saved_model" -o "$tmp/x.pb"
has "--signature KEY \(signatures: serving_default\)" "$out.err"
check 0 "freeze a TF1 SavedModel by --signature" "$bin" freeze "$fz/saved_model" --signature serving_default \
  -o "$tmp/frozen_sig.pb"
same "$tmp/frozen_sig.pb" "$fz/frozen_from_saved_model.pb"

finish
