#!/usr/bin/env bash
# tfckpt run on TF 2.21's golden models (values checked against
# golden/MANIFEST.json, as float32 bit patterns) and, when ../shared/tf-golden
# exists, on TF Serving's half_plus_two family; exit codes and error texts.
set -u
. "${TEST_SRCDIR}/tfckpt/src/cli/test_lib.sh" || exit 1  # root, bin, g, tmp, out; check, has...
manifest="$root/golden/MANIFEST.json"
# The last --json output's outputs equal a MANIFEST run's (key -> tensor name
# pairs), float32 bit for bit, ints and shapes exactly.
matches_run() {  # scenario run key=tensor...
  python3 - "$manifest" "$out" "$@" <<'EOF' || fail=1
import json, struct, sys
manifest, out, scenario, run_name = sys.argv[1:5]
pairs = dict(a.split("=", 1) for a in sys.argv[5:])
m = json.load(open(manifest))
run = next(r for s in m["scenarios"] if s["name"] == scenario for r in s["runs"] if r["name"] == run_name)
want = {o["name"]: o for o in run["outputs"]}
got = {o["key"]: o for o in json.load(open(out))["outputs"]}
def f32(v):
    if isinstance(v, str):
        v = float(v)
    return struct.pack("<f", v)
ok = True
for key, tensor in pairs.items():
    g, w = got[key], want[tensor]
    if g["shape"] != w["shape"]:
        print(f"FAIL: {key}: shape {g['shape']} != {w['shape']}"); ok = False; continue
    if w["encoding"] == "float":
        same = [f32(a) == f32(b) for a, b in zip(g["values"], w["values"])]
    else:
        same = [a == b for a, b in zip(g["values"], w["values"])]
    if len(g["values"]) != len(w["values"]) or not all(same):
        print(f"FAIL: {key}: {g['values']} != TF's {w['values']}"); ok = False
    else:
        print(f"ok:   {key} == TF's {tensor} ({len(same)} values)")
sys.exit(0 if ok else 1)
EOF
}

# --- golden/ (TF 2.21) --------------------------------------------------------
check 0 "help" "$bin" run --help
has "input_example"

check 0 "simple_save serving_default" "$bin" run "$g/saved_model_simple_save/saved_model" \
  --input 'myInput=[[1,0,-1,2],[0.5,0.5,0.5,0.5],[-2,1,0,3]]' --json
matches_run saved_model_simple_save load_serving_default myOutput=myOutput:0

check 0 "builder predict (tables, assets, main op)" "$bin" run "$g/saved_model_builder/saved_model" \
  --tag serve,custom_tag --signature predict \
  --input 'words=["apple","cherry","durian","banana"]' --input 'x=[[1,2,3],[0,-1,4]]' --json
matches_run saved_model_builder load_serve_custom_tag_predict count=count:0 ids=ids:0 y=y:0

check 0 "builder train_predict" "$bin" run "$g/saved_model_builder/saved_model/saved_model.pb" \
  --tag train --signature train_predict --input 'x=[[1,2,3],[0,-1,4]]' --json
matches_run saved_model_builder load_train y=y:0

check 0 "builder: one output" "$bin" run "$g/saved_model_builder/saved_model" \
  --tag serve,custom_tag --signature predict --input 'words=["banana"]' --output ids
has "^output ids \(ids:0\): int64 \[1\]$"
has "^\[1\]$"

check 0 "TF2 module (function calls)" "$bin" run "$g/tf2_module_saved_model/saved_model" \
  --input 'x=[[1,2],[-1,0.5],[0,0]]' --json
matches_run tf2_module_saved_model load_signature h=h y=y

check 0 "frozen .pb" "$bin" run "$g/freeze_add/combined_model.pb" --output add:0
has "^output add:0: float \[\]$"
has "^3\.0$"
check 0 "frozen .pbtxt (resource variables)" "$bin" run "$g/freeze_add_resource/combined_model.pbtxt" --output add:0 --json
has '"values": \[3\.0\]'

check 0 "frozen MLP with an input" "$bin" run "$g/freeze_mlp/frozen_mlp.pb" --output logits:0 \
  --input "input:0=$(python3 -c "
import json; m = json.load(open('$manifest'))
r = next(r for s in m['scenarios'] if s['name'] == 'freeze_mlp' for r in s['runs'] if r['name'] == 'import_graph_def')
i = r['inputs'][0]; v = i['values']; print(json.dumps([v[k*4:(k+1)*4] for k in range(3)]))")" --json
matches_run freeze_mlp import_graph_def logits:0=frozen/logits:0

check 0 ".meta + checkpoint directory" "$bin" run "$g/meta_graph/model.ckpt.meta" \
  --checkpoint "$g/meta_graph" --input 'x:0=[[1,2],[3,4]]' --output model/y:0 -v
has "restored variables from .*meta_graph/model.ckpt" "$out.err"
check 0 ".meta finds its own checkpoint (V1)" "$bin" run "$g/saver_v1_basic/model.ckpt.meta" --output v1:0

# --- errors -------------------------------------------------------------------
check 2 "tag set that is not in the SavedModel" "$bin" run "$g/saved_model_simple_save/saved_model" --tag train
has "MetaGraphDef associated with tags 'train' could not be found in SavedModel, with available tags '\[\{'serve'\}\]'" "$out.err"
check 2 "unknown signature" "$bin" run "$g/saved_model_simple_save/saved_model" --signature nope
has "signature 'nope' not found in .*; its signatures: serving_default" "$out.err"
check 2 "unknown input" "$bin" run "$g/saved_model_simple_save/saved_model" --input 'x=[1]'
has "signature 'serving_default' has no input 'x'; its inputs: myInput" "$out.err"
check 2 "bad JSON" "$bin" run "$g/saved_model_simple_save/saved_model" --input 'myInput=[[1,2]'
has "invalid JSON" "$out.err"
check 2 "wrong input shape" "$bin" run "$g/saved_model_simple_save/saved_model" --input 'myInput=[1,2]'
has "Cannot feed value of shape \(2,\) for Tensor myInput:0, which has shape \(None, 4\)" "$out.err"
sm="$g/saved_model_simple_save/saved_model"
check 2 "mistyped signature" "$bin" run "$sm" --signature serving_defualt --input 'myInput=[[1,2,3,4]]'
has "signature 'serving_defualt' not found in .* \(did you mean 'serving_default'\?\); its signatures: serving_default" "$out.err"
check 2 "mistyped input" "$bin" run "$sm" --input 'myinput=[[1,2,3,4]]'
has "has no input 'myinput' \(did you mean 'myInput'\?\); its inputs: myInput" "$out.err"
check 2 "mistyped output key" "$bin" run "$sm" --signature serving_default --input 'myInput=[[1,2,3,4]]' --output myOutptu
has "has no output 'myOutptu' \(did you mean 'myOutput'\?\); its outputs: myOutput" "$out.err"
check 2 "mistyped tensor name" "$bin" run "$sm" --input 'myInput=[[1,2,3,4]]' --output myOutptu:0
has "no node 'myOutptu' in the graph of .* \(did you mean 'myOutput:0'\?\)" "$out.err"
# Inputs from files (NAME=@FILE: .npy per numpy's format spec, written here
# with the standard library; JSON) give the same outputs as inline JSON, and
# --outdir writes each output as a .npy holding exactly the --json values.
python3 - "$tmp/in.npy" <<'PY'
import struct, sys
header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 4), }"
header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
data = struct.pack("<8f", 1, 2, 3, 4, -1, 0.5, 0, 2)
open(sys.argv[1], "wb").write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + data)
PY
echo '[[1,2,3,4],[-1,0.5,0,2]]' >"$tmp/in.json"
check 0 "inline JSON input" "$bin" run "$sm" --input 'myInput=[[1,2,3,4],[-1,0.5,0,2]]' --json
cp "$out" "$tmp/inline.json"
check 0 "input from .npy, --outdir" "$bin" run "$sm" --input "myInput=@$tmp/in.npy" --json --outdir "$tmp/outs"
cmp -s "$out" "$tmp/inline.json" || { echo "FAIL: .npy input gives other outputs than inline JSON"; fail=1; }
has "wrote .*outs/myOutput.npy" "$out.err"
check 0 "input from a JSON file" "$bin" run "$sm" --input "myInput=@$tmp/in.json" --json
cmp -s "$out" "$tmp/inline.json" || { echo "FAIL: JSON-file input gives other outputs than inline JSON"; fail=1; }
python3 - "$tmp/outs/myOutput.npy" "$tmp/inline.json" <<'PY' || fail=1
import json, struct, sys
b = open(sys.argv[1], "rb").read()
assert b[:8] == b"\x93NUMPY\x01\x00", b[:8]
n = struct.unpack("<H", b[8:10])[0]
header = b[10:10 + n].decode()
assert (10 + n) % 64 == 0 and header.endswith("\n"), header
assert "'descr': '<f4'" in header and "'shape': (2, 3)" in header, header
got = list(struct.unpack("<6f", b[10 + n:]))
want = [float(v) for v in json.load(open(sys.argv[2]))["outputs"][0]["values"]]
assert got == [struct.unpack("<f", struct.pack("<f", w))[0] for w in want], (got, want)
print("ok: --outdir .npy holds the --json values")
PY
python3 - "$tmp/int.npy" <<'PY'
import struct, sys
header = "{'descr': '<i4', 'fortran_order': False, 'shape': (1, 4), }"
header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
open(sys.argv[1], "wb").write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + struct.pack("<4i", 1, 2, 3, 4))
PY
check 2 "a .npy of another dtype" "$bin" run "$sm" --input "myInput=@$tmp/int.npy"
has "int.npy holds int32 values but the input is float" "$out.err"
check 2 "a missing input file" "$bin" run "$sm" --input "myInput=@$tmp/nope.npy"
has "nope.npy" "$out.err"
check 2 "missing model" "$bin" run "$tmp/no_such_model"
has "no such file or directory" "$out.err"
check 2 "frozen graph without --output" "$bin" run "$g/freeze_add/combined_model.pb"
has "has no serving_default signature" "$out.err"
check 2 "op the engine lacks" "$bin" run "$g/field_binding/model.ckpt.meta" \
  --output gradients/loss_grad/truediv:0 --input 'x:0=[[1,2,3],[4,5,6]]' --input 'labels:0=[0,1]'
has "Op type not registered 'FloorMod'.* tfckpt lacks: " "$out.err"

# Shapes, names and tags as TF checks them (texts from TF 2.21's Session.run).
tf2="$g/tf2_module_saved_model/saved_model"
check 2 "a feed of the wrong shape (placeholder)" "$bin" run "$tf2" --input 'x=[[1,2,3]]'
has "Cannot feed value of shape \(1, 3\) for Tensor serving_default_x:0, which has shape \(None, 2\)$" "$out.err"
# The TensorInfo shape check (x:0 is an Identity, not a Placeholder): each
# wrong-rank/size input TF refused, with TF's text, from golden/MANIFEST.json.
while IFS=$'\t' read -r input want; do
  check 2 "TensorInfo shape check, x=$input" "$bin" run "$g/saved_model_identity_input/saved_model" \
    --input "x=$input"
  if ! grep -qxF "tfckpt run: error: $want" "$out.err"; then
    echo "FAIL: want TF's text: tfckpt run: error: $want"; sed 's/^/    /' "$out.err"; fail=1
  fi
done < <(python3 - "$manifest" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
errors = next(s for s in m["scenarios"] if s["name"] == "saved_model_identity_input")["errors"]
assert len(errors) == 3, errors
for e in errors:
    print("%s\t%s" % (json.dumps(e["inputs"]["x"]), e["str"]))
EOF
)
check 2 "a mistyped tag: did you mean, and show" "$bin" run "$tf2" --tag serv --input 'x=[[1,2]]'
has "available tags '\[\{'serve'\}\]'.* Tag 'serv' \(did you mean 'serve'\?\)\. \(.tfckpt show .*. lists the tag-sets" "$out.err"
check 2 "tensor mode: a signature input key as --input" "$bin" run "$tf2" --input 'x=[[1,2]]' --output StatefulPartitionedCall:0
has "--input x: no node 'x' in the graph of .*; 'x' is an input key of signature 'serving_default': add --signature serving_default" "$out.err"
check 2 "tensor mode: a mistyped input tensor" "$bin" run "$tf2" --input 'serving_default_y:0=[[1,2]]' --output StatefulPartitionedCall:0
has "no node 'serving_default_y' .*\(did you mean 'serving_default_x:0'" "$out.err"
check 2 "tensor mode: no close name points to show" "$bin" run "$tf2" --input 'serving_default_x:0=[[1,2]]' --output qqq
has "no node 'qqq' .*; .tfckpt show .*. lists its placeholders and likely outputs" "$out.err"

# --- ../shared/tf-golden (TF Serving testdata) --------------------------------
shared="${TFCKPT_SHARED_DIR:-}"
if [ -z "$shared" ]; then
  src="$(readlink -f "$0")"
  shared="$(dirname "$(dirname "$(dirname "$src")")")/../shared"
fi
s="$shared/tf-golden/serving"
if [ -d "$s/saved_model_half_plus_two_cpu" ]; then
  check 0 "half_plus_two serving_default" "$bin" run "$s/saved_model_half_plus_two_cpu/00000123" \
    --input 'x=[[1],[2],[3]]' --json
  has '"values": \[2\.5, 3\.0, 3\.5\]'
  check 0 "half_plus_two regress on tf.Examples" "$bin" run "$s/saved_model_half_plus_two_cpu/00000123" \
    --signature regress_x_to_y --input_example 'inputs=[{"x": [1.0]}, {"x": [2.0]}, {"x": [3.0]}]' --json
  has '"values": \[2\.5, 3\.0, 3\.5\]'
  check 0 "half_plus_two classify" "$bin" run "$s/saved_model_half_plus_two_cpu/00000123" \
    --signature classify_x_to_y --input_example 'inputs={"x": [4.0]}'
  has "^\[\[4\.0\]\]$"
  check 0 "half_plus_three" "$bin" run "$s/saved_model_half_plus_three/00000123" --input 'x=[[1],[2],[3]]' --json
  has '"values": \[3\.5, 4\.0, 4\.5\]'
  check 0 "half_plus_two TF2 (StatefulPartitionedCall)" "$bin" run \
    "$s/saved_model_half_plus_two_tf2_cpu/00000123" --input 'x=[3]' --json
  has '"values": \[3\.5\]'
  check 0 "session bundle (V1 checkpoint, legacy signatures)" "$bin" run \
    "$s/session_bundle_half_plus_two/00000123" --input_example 'inputs=[{"x": [1.0]}, {"x": [2.0]}]' --json
  has '"values": \[2\.5, 3\.0\]'
  check 0 "counter" "$bin" run "$s/saved_model_counter/00000123" --signature incr_counter_by --input 'delta=2.5'
  has "^2\.5$"
  # TF 2.21's own text (Session.run of the SavedModel, oracle venv):
  # x:0 is an Identity, so the signature's shape (None, 1) is checked.
  check 2 "half_plus_two refuses [[[1]]] as TF does" "$bin" run "$s/saved_model_half_plus_two_cpu/00000123" \
    --input 'x=[[[1]]]'
  has "^tfckpt run: error: Cannot feed value of shape \(1, 1, 1\) for Tensor x:0, which has shape \(None, 1\)$" "$out.err"
  check 2 "half_plus_two refuses a scalar" "$bin" run "$s/saved_model_half_plus_two_cpu/00000123" --input 'x=3'
  has "Cannot feed value of shape \(\) for Tensor x:0, which has shape \(None, 1\)$" "$out.err"
  check 2 "bad_half_plus_two has no signature" "$bin" run "$s/bad_half_plus_two/00000123"
  has "has no serving_default signature" "$out.err"
else
  echo "skip: $s not found (set TFCKPT_SHARED_DIR)"
fi

finish run_test
