#!/usr/bin/env bash
# inspect / dump / diff / validate on TensorFlow 2.21's golden checkpoints
# (golden/MANIFEST.json) and on fixtures written by diff_fixtures.
set -u
. "${TEST_SRCDIR}/tfckpt/src/cli/test_lib.sh" || exit 1  # root, bin, g, tmp, out; check, has...
json_ok() {  # the last stdout is one JSON document
  python3 -c 'import json,sys; json.load(sys.stdin)' <"$out" ||
    { echo "FAIL: not JSON:"; sed 's/^/    /' "$out"; fail=1; }
}
json_expr() {  # python expression over `j` (the last stdout) must be true
  python3 -c "import json,sys; j=json.load(sys.stdin); sys.exit(0 if ($1) else 1)" <"$out" ||
    { echo "FAIL: JSON does not satisfy: $1"; sed 's/^/    /' "$out"; fail=1; }
}

basic="$g/saver_v2_basic/model.ckpt"

# --- inspect: every accepted form of PATH ----------------------------------
check 0 "inspect prefix" "$bin" inspect "$basic"
has "^checkpoint: V2 prefix .*saver_v2_basic/model.ckpt$"
has "^header: num_shards 1, endianness LITTLE, version producer 1"
has "^name +dtype +shape +shard +offset +size +crc32c$"
has "^v1 +float +\[1,2\] +0 +0 +8 +0x4625a409$"
has "^v2 +float +\[2,3\] +0 +8 +24 +0x6ad7fa03$"
check 0 "inspect .index" "$bin" inspect "$basic.index"
has "prefix of model.ckpt.index"
check 0 "inspect .data" "$bin" inspect "$basic.data-00000-of-00001"
has "saver_v2_basic/model.ckpt \(prefix of model.ckpt.data-00000-of-00001\)"
check 0 "inspect state dir" "$bin" inspect "$g/saver_v2_basic"
has "model_checkpoint_path of .*saver_v2_basic/checkpoint"
check 0 "inspect SavedModel dir" "$bin" inspect "$g/saved_model_simple_save/saved_model"
has "variables/variables \(SavedModel variables\)"
has "^W +float +\[4,3\]"
check 0 "inspect partitioned" "$bin" inspect "$g/partitioned"
has "^pv +float +\[10,4\] +partitioned: 3 slices$"
has "^  \[4,3:0,4\] +0 +64 +48 +0x601c7687$"
check 0 "inspect sharded --json" "$bin" inspect --json "$g/sharded"
json_expr 'j["header"]["num_shards"] == 3 and [t["shard"] for t in j["tensors"]] == [0, 1, 2, 0]'
check 0 "inspect V1" "$bin" inspect "$g/saver_v1_basic/model.ckpt"
has "^checkpoint: V1 checkpoint"
has "^v2 +float +\[2,3\] +-:- "
check 2 "inspect missing path" "$bin" inspect "$tmp/nope/model.ckpt"
has "nope/model.ckpt: no such file or directory; expected a checkpoint prefix" "$out.err"
check 2 "inspect dir without checkpoint" "$bin" inspect "$g"
has "holds no saved_model.pb, export.meta, \`checkpoint\` state file" "$out.err"
mkdir -p "$tmp/stale"
echo 'model_checkpoint_path: "gone"' >"$tmp/stale/checkpoint"
check 2 "inspect stale state file" "$bin" inspect "$tmp/stale"
has "stale/checkpoint: model_checkpoint_path \".*gone\" names no checkpoint" "$out.err"
check 0 "inspect .meta (its own checkpoint)" "$bin" inspect "$basic.meta"
has "saver_v2_basic/model.ckpt \(the checkpoint beside model.ckpt.meta\)"
check 2 "inspect a frozen .pb" "$bin" inspect "$g/freeze_add/combined_model.pb"
has "a GraphDef \(.pb\) file, not a checkpoint" "$out.err"
# Forms of docs/CLI.md "Paths" beyond TF's own: a directory holding only a
# SavedModel's variables/, a directory with a single X.index, the state file
# itself (followed, never read as a V1 file), a stale state file whose
# checkpoint sits beside it.
mkdir -p "$tmp/only_vars" "$tmp/single" "$tmp/moved"
cp -r "$g/saved_model_simple_save/saved_model/variables" "$tmp/only_vars/"
cp "$basic.index" "$basic.data-00000-of-00001" "$tmp/single/"
check 0 "inspect dir with only variables/" "$bin" inspect "$tmp/only_vars"
has "only_vars/variables/variables \(variables/ of a SavedModel directory without saved_model.pb\)"
has "^W +float +\[4,3\]"
check 0 "inspect dir with a single .index" "$bin" inspect "$tmp/single"
has "single/model.ckpt \(the only .index file of .*single\)"
check 0 "inspect the state file" "$bin" inspect "$g/saver_v1_basic/checkpoint"
has "^checkpoint: V1 checkpoint .*saver_v1_basic/model.ckpt \(model_checkpoint_path of"
cp "$basic.index" "$basic.data-00000-of-00001" "$tmp/moved/"
echo 'model_checkpoint_path: "/elsewhere/model.ckpt"' >"$tmp/moved/checkpoint"
check 2 "inspect a moved directory's stale state file" "$bin" inspect "$tmp/moved"
has "moved/checkpoint: model_checkpoint_path \"/elsewhere/model.ckpt\" names no checkpoint.*looks stale" "$out.err"

# --- show: what a model takes (its --json checked against TF's loader in the
# oracle tier: conformance/oracle/tf_show_agrees.py) ---------------------------
sm="$g/saved_model_simple_save/saved_model"
check 0 "show SavedModel" "$bin" show "$sm"
has "^SavedModel: .*saved_model_simple_save/saved_model$"
has "^MetaGraph 0: tags serve$"
has "^  signature serving_default \(tensorflow/serving/predict\)$"
has "^    input  myInput: myInput:0 float \[-1,4\]$"
has "^    output myOutput: myOutput:0 float \[-1,3\]$"
has "^    likely outputs: myOutput$"
has "^variables \(2 tensors\):$"
has "^  W float \[4,3\]$"
check 0 "show --json SavedModel" "$bin" show --json "$sm"
json_expr 'j["kind"] == "SavedModel" and j["meta_graphs"][0]["tags"] == ["serve"] and j["meta_graphs"][0]["signatures"]["serving_default"]["inputs"]["myInput"] == {"name": "myInput:0", "dtype": "float", "shape": [-1, 4]} and [v["name"] for v in j["variables"]] == ["W", "b"]'
check 0 "show SavedModel with two MetaGraphs and assets" "$bin" show "$g/saved_model_builder/saved_model"
has "^MetaGraph 1: tags train$"
has "^  asset vocab.txt -> vocab_filename:0$"
check 0 "show TF2 SavedModel" "$bin" show "$g/tf2_module_saved_model/saved_model"
has "^    output y: StatefulPartitionedCall:1 float \[-1,1\]$"
has "^    likely outputs: StatefulPartitionedCall$"
check 0 "show frozen .pb" "$bin" show "$g/freeze_add/combined_model.pb"
has "^GraphDef: "
has "^checkpoint: none$"
has "^  likely outputs: add$"
has "^  ops: AddV2 1, Const 2, Identity 2$"
check 0 "show .meta" "$bin" show "$g/meta_graph/model.ckpt.meta"
has "^    placeholder x: float \[-1,2\]$"
has "^    likely outputs: model/y$"
has "^  step int64 \[\]$"
check 0 "show a graph with ops the engine lacks" "$bin" show "$g/field_binding/model.ckpt.meta"
has "ops tfckpt cannot run: .*FloorMod 1"
lacks "ops tfckpt cannot run: .*SparseSoftmaxCrossEntropyWithLogits"
check 0 "show a checkpoint" "$bin" show "$g/saver_v2_basic"
has "^checkpoint: V2 .*saver_v2_basic/model.ckpt \(model_checkpoint_path of"
has "^  v2 float \[2,3\]$"
check 2 "show a missing path" "$bin" show "$tmp/nope"
has "nope: no such file or directory" "$out.err"

# --- inspect/dump --json against MANIFEST.json (every golden tensor) -------
check 0 "golden_check (inspect+dump --json vs MANIFEST)" \
  python3 "$root/src/cli/golden_check.py" "$bin" "$root/golden"
tail -1 "$out"

# --- dump ------------------------------------------------------------------
check 0 "dump v2" "$bin" dump "$basic" v2
has "^dtype: float$"
has "^shape: \[2,3\] \(6 elements\)$"
has "^\[\[-1.499947, -1.2420495, 0.52283144\],$"
check 0 "dump --json v2" "$bin" dump --json "$basic" v2
json_ok
has '"values": \[-1.499947, -1.2420495, 0.52283144, -0.35879248, -0.06391138, -0.051846918\]'
check 0 "dump --json strings" "$bin" dump --json "$g/dtypes/dtypes" string
json_expr 'j["values"][3] == {"hex": "fffe80206e6f74207574662d38"} and j["values"][4] == "unicod\u00e9 \u2603"'
check 0 "dump --json float32 specials" "$bin" dump --json "$g/dtypes/dtypes" float32
has '"values": \[0.0, -0.0, 1.0, -1.5, "nan", "inf", "-inf", '
check 0 "dump --json uint64" "$bin" dump --json "$g/dtypes/dtypes" scalar/uint64
has '"values": \[18446744073709551615\]'
# Past 1000 elements, summarised as numpy (values are --json's, which
# golden_check.py checks against MANIFEST.json); --full prints every row.
big="large/float32_1024x768"
check 0 "dump large summarised" "$bin" dump "$g/dtypes/dtypes" "$big"
has "^values \(summarised: the first and last 3 of each dimension; --full prints all\):$"
has "^\[\[0.47143516, -1.1909757, 1.432707, \.\.\., -0.36931062, -2.6230042, 2.1158507\],$"
has "^ \.\.\.,$"
has "^ \[0.91738325, 0.39424762, 0.90272206, \.\.\., 0.92354137, 0.6953654, -1.3720741\]\]$"
[ "$(wc -l <"$out")" -eq 12 ] || { echo "FAIL: summarised dump is $(wc -l <"$out") lines, want 12"; fail=1; }
check 0 "dump large --full" "$bin" dump "$g/dtypes/dtypes" "$big" --full
[ "$(grep -c '^ *\[' "$out")" -eq 1024 ] || { echo "FAIL: --full does not print 1024 rows"; fail=1; }
lacks "\.\.\."
check 0 "dump --all" "$bin" dump "$basic" --all
has "^tensor: v1$"
has "^tensor: v2$"
check 0 "dump --all --json" "$bin" dump --json "$basic" --all
json_expr '[t["name"] for t in j["tensors"]] == ["v1", "v2"] and j["tensors"][1]["values"][0] == -1.499947'
check 2 "dump without TENSOR or --all" "$bin" dump "$basic"
has "TENSOR is required \(or --all" "$out.err"
check 0 "dump partitioned" "$bin" dump "$g/partitioned" pv
has "^ \[15.0, 15.5, 16.0, 16.5\]\]$"
check 2 "dump unknown tensor" "$bin" dump "$basic" nope
has 'tensor "nope" not found in checkpoint .*saver_v2_basic/model.ckpt' "$out.err"
check 2 "dump a mistyped tensor" "$bin" dump "$basic" V2
has "not found in checkpoint .*\(did you mean 'v2' or 'v1'\?\); \`tfckpt inspect .*\` lists its 2 tensors" "$out.err"

# Slices (numpy basic indexing): the values are the full dump's (itself
# checked against MANIFEST.json above), sliced by python as numpy would.
slice_ok() {  # name full.json slice-json rows cols row-slice col-slice (python slice syntax)
  python3 -c '
import json, sys
full, part = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
rows, cols = int(sys.argv[3]), int(sys.argv[4])
grid = [full["values"][r * cols:(r + 1) * cols] for r in range(rows)]
want = eval("grid[%s]" % sys.argv[5])
want = [row[eval("slice(%s)" % sys.argv[6].replace(":", ",") if ":" in sys.argv[6] else sys.argv[6])] for row in want]
flat = [v for row in want for v in (row if isinstance(row, list) else [row])]
sys.exit(0 if part["values"] == flat else 1)' "$1" "$2" "$3" "$4" "$5" "$6" ||
    { echo "FAIL: slice values differ from the full dump"; fail=1; }
}
large="$g/dtypes/dtypes"
check 0 "dump large --json (for slicing)" "$bin" dump "$large" large/float32_1024x768 --json
cp "$out" "$tmp/large_full.json"
check 0 "dump a slice NAME[a:b,c:]" "$bin" dump "$large" 'large/float32_1024x768[1:3,760:]' --json
json_expr 'j["shape"] == [2, 8] and j["name"] == "large/float32_1024x768[1:3,760:]"'
slice_ok "$tmp/large_full.json" "$out" 1024 768 "1:3" "760:None"
check 0 "dump --slice with negatives" "$bin" dump "$large" large/float32_1024x768 --slice '-2:,-3:' --json
json_expr 'j["shape"] == [2, 3]'
slice_ok "$tmp/large_full.json" "$out" 1024 768 "-2:" "-3:None"
check 0 "dump an integer index drops the axis" "$bin" dump "$basic" 'v2[-1]' --json
json_expr 'j["shape"] == [3]'
check 0 "dump a slice past the end clamps (numpy)" "$bin" dump "$basic" 'v2[5:9]'
has "^shape: \[0,3\] \(0 elements\)$"
check 2 "dump an index out of range" "$bin" dump "$basic" 'v2[2]'
has "index 2 is out of bounds for axis 0 with size 2" "$out.err"
check 2 "dump too many indices" "$bin" dump "$basic" 'v2[0,0,0]'
has "too many indices for array: array is 2-dimensional, but 3 were indexed" "$out.err"
check 2 "dump a slice with a step" "$bin" dump "$basic" 'v2[::2]'
has "steps are not supported" "$out.err"

# --- diff ------------------------------------------------------------------
check 0 "diff golden with itself" "$bin" diff "$g/dtypes/dtypes" "$g/dtypes/dtypes"
has "^identical: 33 tensors compared"
check 0 "diff V2 with V1 (same values)" "$bin" diff "$g/saver_v2_basic" "$g/saver_v1_basic"
check 1 "diff two steps" "$bin" diff "$g/tf2_checkpoint/ckpt/ckpt-1" "$g/tf2_checkpoint/ckpt/ckpt-2"
has "^values differ: save_counter/.ATTRIBUTES/VARIABLE_VALUE: 1 of 1 elements, max abs diff 1.0, first at \[\]: 1 \(A\) vs 2 \(B\)$"
check 0 "diff two steps --exclude the counters" "$bin" diff "$g/tf2_checkpoint/ckpt/ckpt-1" \
  "$g/tf2_checkpoint/ckpt/ckpt-2" --exclude 'save_counter/*' --exclude '*/step/*'
has "^identical: 9 tensors compared .*, 0 differ, 0 only in A, 0 only in B, 4 excluded$"
check 1 "diff --exclude leaves the rest" "$bin" diff --json "$g/tf2_checkpoint/ckpt/ckpt-1" \
  "$g/tf2_checkpoint/ckpt/ckpt-2" --exclude 'save_counter/*'
json_expr '[d["name"] for d in j["value_differences"]] == ["model/step/.ATTRIBUTES/VARIABLE_VALUE"] and j["tensors_excluded"] == 2'
m4="$g/max_to_keep/model.ckpt-4" m5="$g/max_to_keep/model.ckpt-5"
check 1 "diff 6.0 vs 7.5" "$bin" diff "$m4" "$m5"
check 0 "diff 6.0 vs 7.5 --atol 1.5" "$bin" diff --atol 1.5 "$m4" "$m5"
check 1 "diff 6.0 vs 7.5 --atol 1.4" "$bin" diff --atol 1.4 "$m4" "$m5"
check 0 "diff 6.0 vs 7.5 --rtol 0.2" "$bin" diff --rtol 0.2 "$m4" "$m5"
check 2 "diff --atol -1" "$bin" diff --atol -1 "$m4" "$m5"
check 2 "diff with a missing checkpoint" "$bin" diff "$m4" "$tmp/missing"
has "missing: no such file or directory" "$out.err"

fx="$tmp/fixtures"
mkdir -p "$fx"
check 0 "write diff fixtures" "$root/src/cli/diff_fixtures" "$fx"
check 0 "diff little- vs big-endian, whole vs partitioned" "$bin" diff "$fx/a" "$fx/a_big_endian"
check 1 "diff fixtures" "$bin" diff "$fx/a" "$fx/b"
has "^only in A: only_a \(float \[\]\)$"
has "^only in B: only_b \(float \[\]\)$"
has "^dtype differs: dtype_mismatch: float \[2\] \(A\) vs int32 \[2\] \(B\)$"
has "^shape differs: shape_mismatch: float \[2,3\] \(A\) vs float \[3,2\] \(B\)$"
has "^values differ: close: 2 of 4 elements, max abs diff 0.5, first at \[0,1\]: 2.0 \(A\) vs 2.5 \(B\)$"
has "^values differ: str: 1 of 2 elements, first at \[1\]: \"b\" \(A\) vs \"c\" \(B\)$"
has "^values differ: u64: 1 of 2 elements, max abs diff 1.0, first at \[1\]: 18446744073709551615 \(A\) vs 18446744073709551614 \(B\)$"
has "^values differ: c64: 1 of 1 elements, max abs diff 0.5, first at \[0\]: \[1.0, 2.0\] \(A\) vs \[1.0, 2.5\] \(B\)$"
lacks "nan_zero_inf|same|part"
has "^different: 7 tensors compared \(atol 0.0, rtol 0.0\), 6 differ, 1 only in A, 1 only in B$"
check 1 "diff fixtures --atol 0.5 (close, c64 within)" "$bin" diff --atol 0.5 "$fx/a" "$fx/b"
lacks "values differ: (close|c64)"
has "values differ: u64"
check 1 "diff fixtures --json" "$bin" diff --json "$fx/a" "$fx/b"
json_expr 'not j["identical"] and [t["name"] for t in j["only_in_a"]] == ["only_a"] and [t["name"] for t in j["only_in_b"]] == ["only_b"] and j["dtype_mismatches"][0]["b"]["dtype"] == "int32" and j["shape_mismatches"][0]["a"]["shape"] == [2, 3]'
json_expr '{d["name"]: (d["count"], d["max_abs_diff"], d["first_index"]) for d in j["value_differences"]} == {"close": (2, 0.5, [0, 1]), "str": (1, None, [1]), "u64": (1, 1.0, [1]), "c64": (1, 0.5, [0])}'
check 0 "diff --json identical" "$bin" diff --json "$fx/a" "$fx/a_big_endian"
json_expr 'j["identical"] and j["tensors_compared"] == 10'

# --- validate --------------------------------------------------------------
check 0 "validate good checkpoint" "$bin" validate "$basic"
has "^OK: .*saver_v2_basic/model.ckpt \(2 tensors, 32 bytes verified\)$"
check 0 "validate several good paths" "$bin" validate "$g/saver_v2_basic" "$g/sharded/model.ckpt.index" \
  "$g/saved_model_simple_save/saved_model" "$g/dtypes/dtypes"
has "^4 paths: 4 OK, 0 INVALID$"
check 0 "validate --json good" "$bin" validate --json "$basic"
json_expr 'j["paths"][0]["ok"] and j["paths"][0]["kind"] == "v2" and j["paths"][0]["tensors_checked"] == 2 and j["paths"][0]["bytes_checked"] == 32 and j["paths"][0]["defects"] == []'

mkdir -p "$tmp/flipped"
cp "$basic.index" "$basic.data-00000-of-00001" "$tmp/flipped/"
chmod u+w "$tmp/flipped"/*
data="$tmp/flipped/model.ckpt.data-00000-of-00001"
byte=$(od -An -tu1 -j 12 -N 1 "$data" | tr -d ' ')
printf "\\$(printf '%03o' $((byte ^ 0x01)))" | dd of="$data" bs=1 seek=12 conv=notrunc 2>/dev/null
check 1 "validate flipped data byte" "$bin" validate "$tmp/flipped/model.ckpt"
has "^TENSOR_CRC .*flipped/model.ckpt.data-00000-of-00001@8 v2: "
has "^INVALID: .*flipped/model.ckpt: 1 defect(, [0-9]+ warnings?)?$"
check 1 "validate --json flipped" "$bin" validate --json "$tmp/flipped/model.ckpt"
json_expr '[(d["code"], d["offset"], d["key"]) for d in j["paths"][0]["defects"] if d["severity"] == "error"] == [("TENSOR_CRC", 8, "v2")] and not j["paths"][0]["ok"]'
check 1 "validate --quiet good + flipped" "$bin" validate --quiet "$basic" "$tmp/flipped/model.ckpt"
has "^OK: "
has "^INVALID: "
lacks "TENSOR_CRC"
check 0 "validate --no-data flipped (structure only)" "$bin" validate --no-data "$tmp/flipped/model.ckpt"
has "data not verified"
check 2 "validate missing path" "$bin" validate "$tmp/nope"
has "nope: no such file or directory" "$out.err"
check 0 "validate a frozen .pb (graph checks)" "$bin" validate "$g/freeze_add/combined_model.pb"
has "^OK: .*combined_model.pb"
check 0 "validate a .meta with its checkpoint" "$bin" validate --json "$basic.meta"
json_expr 'j["paths"][0]["kind"] == "meta_graph" and j["paths"][0]["ok"] and j["paths"][0]["tensors_checked"] > 0'
printf 'not a graph' >"$tmp/garbage.pb"
check 1 "validate a .pb that is no GraphDef" "$bin" validate "$tmp/garbage.pb"
has "^BAD_GRAPH .*garbage.pb"
check 0 "validate dir with only variables/" "$bin" validate "$tmp/only_vars"
has "^note: validated prefix .*only_vars/variables/variables \(variables/ of a SavedModel directory without saved_model.pb\)$"
has "^OK: .*only_vars \("
check 0 "validate dir with a single .index" "$bin" validate "$tmp/single"
has "^note: validated prefix .*single/.* \(the only .index file of .*single\)$"
check 2 "dump of the flipped tensor is an error" "$bin" dump "$tmp/flipped/model.ckpt" v2
has "flipped/model.ckpt.data-00000-of-00001" "$out.err"
check 2 "diff with the flipped checkpoint is an error" "$bin" diff "$basic" "$tmp/flipped/model.ckpt"
check 2 "validate without PATH" "$bin" validate

# --- a file that exists but cannot be read: an I/O error naming it (exit 2),
# never SHARD_MISSING or STATE_FILE. Root reads anything, so as root the
# checks run as `nobody` (setpriv) on copies in a directory it can enter.
if [ "$(id -u)" -ne 0 ]; then
  as_user() { "$@"; }
  pd="$tmp/perm"
elif command -v setpriv >/dev/null; then
  as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
  pd="$(mktemp -d /tmp/tfckpt_perm.XXXXXX)"
else
  echo "SKIPPED: permission checks: running as root without setpriv(1)"
  pd=""
fi
if [ -n "$pd" ]; then
  mkdir -p "$pd/ck"
  cp "$bin" "$pd/tfckpt"
  cp "$basic.index" "$basic.data-00000-of-00001" "$g/saver_v2_basic/checkpoint" "$pd/ck/"
  chmod 755 "$pd" "$pd/ck" "$pd/tfckpt"; chmod 644 "$pd/ck"/*
  chmod 000 "$pd/ck/model.ckpt.data-00000-of-00001"
  check 2 "validate unreadable data file" as_user "$pd/tfckpt" validate "$pd/ck/model.ckpt"
  has "^IO_ERROR .*ck/model.ckpt.data-00000-of-00001: .*Permission denied"
  lacks "SHARD_MISSING"
  check 2 "dump unreadable data file" as_user "$pd/tfckpt" dump "$pd/ck/model.ckpt" --all
  has "ck/model.ckpt.data-00000-of-00001: Permission denied" "$out.err"
  chmod 644 "$pd/ck/model.ckpt.data-00000-of-00001"; chmod 000 "$pd/ck/checkpoint"
  check 2 "validate unreadable state file" as_user "$pd/tfckpt" validate "$pd/ck"
  has "^IO_ERROR .*ck/checkpoint: .*Permission denied"
  lacks "STATE_FILE"
  check 2 "inspect unreadable state file" as_user "$pd/tfckpt" inspect "$pd/ck"
  has "ck/checkpoint: Permission denied" "$out.err"
  chmod 644 "$pd/ck/checkpoint"; chmod 000 "$pd/ck/model.ckpt.index"
  check 2 "validate unreadable index" as_user "$pd/tfckpt" validate "$pd/ck/model.ckpt"
  has "^IO_ERROR .*ck/model.ckpt.index: .*Permission denied"
  [ "$pd" = "$tmp/perm" ] || rm -rf "$pd"
fi

# --- a missing slice entry (golden/bad/slice_data_missing): the binary slice
# key is escaped (io::EscapeBytes), never written raw, and the message names
# what was expected.
sdm="$root/golden/bad/slice_data_missing/model.ckpt"
printable() {  # the last stdout and stderr hold only printable ASCII and newlines
  if LC_ALL=C grep -aq '[^[:print:]]' "$out" "$out.err"; then
    echo "FAIL: non-printable bytes in the output:"; cat -v "$out" "$out.err" | sed 's/^/    /'; fail=1
  fi
}
check 1 "validate missing slice entry" "$bin" validate "$sdm"
has '^NOT_FOUND .*pv\[4,3:0,4\]: Key pv\[4,3:0,4\] not found in checkpoint: partitioned tensor pv lists slice 4,3:0,4, but the index holds no entry for it \(expected under the slice key "\\x00pv'
printable
check 2 "dump missing slice entry" "$bin" dump "$sdm" pv
has 'lists slice 4,3:0,4, but the index holds no entry for it' "$out.err"
printable

finish
