#!/usr/bin/env bash
# The README's quick start, walked on TensorFlow-written goldens: tools/demo.sh
# (with the built binary), then one run of every command of the README's CLI
# block, checking exit codes and the key lines of output. Expected values come
# from golden/MANIFEST.json (what TensorFlow 2.21 wrote and computed). A
# command added to the README's CLI block without a walk here fails the test,
# and so does a command of `tfckpt --help` missing from that block.
set -u
. "${TEST_SRCDIR}/tfckpt/src/cli/test_lib.sh" || exit 1  # root, bin, g, tmp, out; check, has...
walked=""
walk() { walked="$walked $1"; }

# --- tools/demo.sh: validate and inspect saver_v2_basic ----------------------
check 0 "tools/demo.sh" env TFCKPT_BIN="$bin" "$root/tools/demo.sh"
has "^== tfckpt validate .*saver_v2_basic/model.ckpt$"
has "^OK: .*saver_v2_basic/model.ckpt \(2 tensors, 32 bytes verified\)$"
has "^== tfckpt inspect "
has "^v2 +float +\[2,3\] "

ckpt="$g/saver_v2_basic/model.ckpt"
sm="$g/tf2_module_saved_model/saved_model"
manifest_value() {  # scenario tensor -> the MANIFEST's values as float32 reprs, comma-separated
  python3 - "$root/golden/MANIFEST.json" "$1" "$2" <<'PY'
import json, struct, sys
m = json.load(open(sys.argv[1]))
s = next(s for s in m["scenarios"] if s["name"] == sys.argv[2])
for c in s["checkpoints"]:
    for t in c["tensors"]:
        if t["name"] == sys.argv[3]:
            print(",".join(repr(struct.unpack("f", struct.pack("f", v))[0]) for v in t["values"]))
            sys.exit(0)
sys.exit(1)
PY
}
json_values() {  # the values of every output / tensor of the last --json, as float32 reprs
  python3 -c '
import json, struct, sys
j = json.load(sys.stdin)
vals = j["values"] if "values" in j else [v for o in j["outputs"] for v in o["values"]]
print(",".join(repr(struct.unpack("f", struct.pack("f", v))[0]) for v in vals))' <"$out"
}

# --- every command of the README's CLI block ---------------------------------
walk show
check 0 "show a TF2 SavedModel" "$bin" show "$sm"
has "^  signature serving_default \(tensorflow/serving/predict\)$"
has "^    input  x: serving_default_x:0 float \[-1,2\]$"
walk inspect
check 0 "inspect" "$bin" inspect "$ckpt" --json
python3 -c 'import json,sys; j=json.load(sys.stdin); sys.exit(0 if [t["name"] for t in j["tensors"]] == ["v1","v2"] else 1)' <"$out" ||
  { echo "FAIL: inspect --json tensors"; fail=1; }
walk dump
check 0 "dump" "$bin" dump "$ckpt" v2 --json
[ "$(json_values)" = "$(manifest_value saver_v2_basic v2)" ] ||
  { echo "FAIL: dump v2 differs from MANIFEST.json: $(json_values)"; fail=1; }
walk validate
check 0 "validate a state directory" "$bin" validate "$g/saver_v2_basic"
has "^OK: "
walk diff
check 0 "diff TF's V2 and V1 saves of the same variables" "$bin" diff "$ckpt" "$g/saver_v1_basic/model.ckpt"
has "^identical: 2 tensors compared"
walk run
# The MANIFEST's load_signature run: TF's inputs and outputs.
read -r run_in run_out < <(python3 - "$root/golden/MANIFEST.json" <<'PY'
import json, struct, sys
m = json.load(open(sys.argv[1]))
s = next(s for s in m["scenarios"] if s["name"] == "tf2_module_saved_model")
r = next(r for r in s["runs"] if r["name"] == "load_signature")
x = r["inputs"][0]
rows = [x["values"][i:i + x["shape"][1]] for i in range(0, x["num_elements"], x["shape"][1])]
outs = sorted(r["outputs"], key=lambda o: o["name"])
f32 = lambda v: repr(struct.unpack("f", struct.pack("f", v))[0])
print(json.dumps(rows).replace(" ", ""), ",".join(f32(v) for o in outs for v in o["values"]))
PY
)
check 0 "run serving_default" "$bin" run "$sm" --input "x=$run_in" --json
[ "$(json_values)" = "$run_out" ] || { echo "FAIL: run outputs $(json_values), TF's $run_out"; fail=1; }
walk convert
check 0 "convert V2 -> V1" "$bin" convert "$ckpt" "$tmp/v1.ckpt" --format v1
has "^wrote .*v1.ckpt \(V1 TensorSlice file\): 2 tensors"
cmp -s "$tmp/v1.ckpt" "$g/saver_v1_basic/model.ckpt" || { echo "FAIL: convert differs from TF's V1 file"; fail=1; }
walk freeze
check 0 "freeze --signature" "$bin" freeze "$sm" --signature serving_default -o "$tmp/frozen.pb"
has "^wrote .*frozen.pb: [0-9]+ nodes"
check 0 "run the frozen graph" "$bin" run "$tmp/frozen.pb" --input "serving_default_x:0=$run_in" \
  --output StatefulPartitionedCall:0 --output StatefulPartitionedCall:1 --json
[ "$(json_values)" = "$run_out" ] || { echo "FAIL: frozen run $(json_values), TF's $run_out"; fail=1; }
walk conform
check 0 "conform --list" "$bin" conform --list --golden "$root/golden"
has "^required Required\.Read\.V2\."
walk resolve
check 0 "resolve a SavedModel directory" "$bin" resolve "$sm" --json
python3 -c '
import json, sys
j = json.load(sys.stdin)
sys.exit(0 if (j["kind"], j["format"]) == ("SavedModel", "V2") and
         j["checkpoint"].endswith("/variables/variables") else 1)' <"$out" ||
  { echo "FAIL: resolve --json of a SavedModel: $(cat "$out")"; fail=1; }

# --- exit codes of the README -------------------------------------------------
check 2 "a path that does not exist" "$bin" inspect "$tmp/nope"
check 2 "a mistyped command" "$bin" inpsect "$ckpt"
has "did you mean 'inspect'" "$out.err"
check 0 "--version" "$bin" --version
has "^tfckpt $(head -n 1 "$root/VERSION")( \(git [^)]+\))?$"

# --- every command of the README's CLI block was walked ------------------------
readme_cmds=$(sed -n '/^## CLI/,/^## /p' "$root/README.md" | grep -oE '^tfckpt [a-z]+' | awk '{print $2}' | sort -u)
for c in $readme_cmds; do
  case " $walked " in *" $c "*) ;; *) echo "FAIL: README command '$c' is not walked"; fail=1 ;; esac
done
[ -n "$readme_cmds" ] || { echo "FAIL: no commands found in README.md's CLI block"; fail=1; }
# ... and every command of the binary is in the README's CLI block.
for c in $("$bin" --help | sed -n '/^Subcommands:/,$p' | awk 'NR > 1 && NF {print $1}'); do
  case " $(echo $readme_cmds) " in *" $c "*) ;; *) echo "FAIL: command '$c' is not in README.md's CLI block"; fail=1 ;; esac
done

finish
