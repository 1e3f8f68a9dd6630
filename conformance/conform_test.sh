#!/usr/bin/env bash
# tfckpt conform against tfckpt's own testee: it claims every profile and
# conforms with no failure list; each planted bug of tfckpt_testee
# --break=MODE is caught, by case name, with the runner's verdict and exit
# code; the protocol's rules (hello and profiles, required skips, resource
# limits, start-up deaths, failure lists) hold (docs/CONFORMANCE.md).
set -u
. "${TEST_SRCDIR}/tfckpt/src/cli/test_lib.sh" || exit 1  # root, bin, tmp, out; check, has...
testee="$root/conformance/tfckpt_testee"
golden="$root/golden"
export TMPDIR="$tmp"
conform() { "$bin" conform --golden "$golden" "$@"; }
count() {  # pattern [file]: lines of the last output (or file) matching it
  grep -cE -- "$1" "${2:-$out}"
}
expect_count() {  # want pattern [file]
  local got
  got=$(count "$2" "${3:-$out}")
  [ "$got" -eq "$1" ] || { echo "FAIL: $got lines match /$2/, want $1"; fail=1; }
}

# --- every case, no testee (counts below derive from this list) ----------------
check 0 "--list" conform --list
cp "$out" "$tmp/all.list"
total=$(wc -l <"$tmp/all.list")
reads=$(count '^required Required\.Read\.' "$tmp/all.list")
rejects=$(count '^required Required\.Reject\.' "$tmp/all.list")
[ "$total" -gt 300 ] && [ "$reads" -ge 29 ] && [ "$rejects" -ge 47 ] ||
  { echo "FAIL: --list: $total cases, $reads reads, $rejects rejects"; fail=1; }
expect_count "$rejects" '^recommended Recommended\.RejectClass\.' "$tmp/all.list"
has "^required Required\.Read\.V2\.dtypes/dtypes BASE-2\.1 .*BUNDLE-4\.1"
has "^recommended Recommended\.WriteBytes\.V1\.saver_v1_basic/model\.ckpt .*TABLE-7\.3"
check 0 "--list --filter" conform --list --filter State
has "^required Required\.State\.max_to_keep STATE-1\.1 "
check 0 "--list --json names each case's profile" conform --list --json --filter data_byte_flip
has '"profile": "read-v2"'
has '"profile": "validate"'
check 2 "no TESTEE and no --list" conform
has "TESTEE is required" "$out.err"

# --- the reference testee claims everything and conforms -----------------------
check 0 "tfckpt_testee conforms" conform -v -- "$testee"
has "^conform: testee \"tfckpt_testee\" tfckpt claims read-v2, read-v1, write-v2, write-v1, state, validate, read-savedmodel, read-metagraph, read-object-graph, load-model$"
has "^conform: $total passed, 0 failed .*0 skipped, 0 not claimed; 0 unexpected failures, 0 unexpected passes$"
has "^conform: CONFORMANT for read-v2, read-v1, write-v2, write-v1, state, validate, read-savedmodel, read-metagraph, read-object-graph, load-model$"
for kind in Required.Read.V2 Required.Read.V1 Required.Write.V2 Required.Write.V1 \
            Recommended.WriteBytes.V2 Recommended.WriteBytes.V1 Required.Reject \
            Recommended.RejectClass Required.Validate.Clean Required.State \
            Recommended.ValidateCode Required.SavedModel Required.SavedModelTags \
            Required.MetaGraph Required.Graph Required.ObjectGraph; do
  has "^ok $kind\."
done
expect_count "$reads" '^ok Required\.Read\.'
expect_count "$rejects" '^ok Recommended\.RejectClass\.'
# A passing rejection shows what the testee said, and its class.
has "^ok Required\.Reject\.data_byte_flip: refused \(corrupt\): DATA_LOSS: "
has "^ok Required\.Read\.V2\.saver_v2_basic/model\.ckpt: 2 tensors returned, every one as expected$"
lacks "^(FAIL|skip) "
ls "$tmp"/tfckpt-conform.* >/dev/null 2>&1 && { echo "FAIL: a conformant run left its work dir"; fail=1; }

# --- profiles: a testee must claim something, and may not skip what it claims ----
check 1 "a testee that skips everything (hello included) is not conformant" \
  conform -- "$testee" --break=skip-everything
has "^conform: NOT CONFORMANT: the testee answered hello with \"skipped\": --break=skip-everything; it claims no profile$"
lacks "^FAIL "
check 1 "a read-v2 testee that skips a Read case fails it" \
  conform --filter Read.V2.dtypes -- "$testee" --break=skip-reads
has "^conform: testee \"tfckpt_testee\" tfckpt claims read-v2$"
has "^FAIL Required\.Read\.V2\.dtypes/dtypes: skipped a required case of claimed profile read-v2: --break=skip-reads$"
has "^conform: 0 passed, 1 failed \(1 required, 0 recommended\), 0 skipped, [0-9]+ not claimed"
has "^conform: NOT CONFORMANT: failures differ from the failure list for read-v2 \(1 unexpected\); not claimed: read-v1, write-v2, write-v1, state, validate, read-savedmodel, read-metagraph, read-object-graph, load-model$"
check 1 "skipped Recommended cases are skips; unclaimed profiles are not sent" \
  conform -v --filter data_byte_flip -- "$testee" --break=skip-reads
has "^skip Recommended\.RejectClass\.data_byte_flip: --break=skip-reads$"
lacks "Validate"
check 1 "a testee that dies at hello is reported once" conform -- "$testee" --break=die-at-hello
has "^conform: NOT CONFORMANT: the testee failed at start-up \(hello\): testee died \(exit status 3\)$"
lacks "^FAIL "

# --- planted bugs: each is caught, by name -------------------------------------
check 1 "flip-read is caught" conform -- "$testee" --break=flip-read
has "^FAIL Required\.Read\.V2\.dtypes/dtypes: tensor \"[a-z0-9]+\": sha256 is \"[0-9a-f]{64}\", expected \"[0-9a-f]{64}\" \(no data_hex/strings_hex returned: sha256 only\)$"
has "^conform: [0-9]+ passed, $reads failed \($reads required, 0 recommended\)"
has "^conform: NOT CONFORMANT"
has "^conform: written files and the testee's stderr kept in "
# Rejections of files made from a checkpoint this testee cannot read prove little.
has "^suspect Required\.Reject\.data_byte_flip: .*\[suspect: this testee also fails Required\.Read\.V2\.saver_v2_basic/model\.ckpt\]$"
grep -oE '^FAIL Required\.Read\.[^:]+' "$out" | sed 's/^FAIL //' >"$tmp/flip.list"

check 1 "wrong-endianness is caught, every tensor, with the first differing element" \
  conform --filter Read.V2.dtypes -- "$testee" --break=wrong-endianness
has "^FAIL Required\.Read\.V2\.dtypes/dtypes: tensor \"bfloat16\": values differ from element 1 \(got 8000, expected 0080\); .*; and [0-9]+ more differences \(all in --json\)$"
check 1 "--json carries every difference" \
  conform --json --filter Read.V2.dtypes -- "$testee" --break=wrong-endianness
has '"kind": "values"'
has '"first_differing_element": 1'
[ "$(count '"kind": "values"')" -ge 10 ] || { echo "FAIL: expected every dtype's difference in --json"; fail=1; }

check 1 "unassembled-partitions is caught" conform --filter Read -- "$testee" --break=unassembled-partitions
has "^FAIL Required\.Read\.V2\.partitioned/model\.ckpt: tensor \"pv\": sha256 is "
has "^FAIL Required\.Read\.V1\.partitioned_v1_v2/grid_v1: tensor \"grid\": sha256 is "
# partitioned, partitioned_v1_v2 (V1 and V2, Saver and 2x2 grid), aligned, big_endian;
# and TF 1.15's partitioned, partitioned_v1_v2 (golden/tf-1.15)
has "^conform: [0-9]+ passed, 12 failed"

check 1 "wrong-error-class fails only the Recommended class cases" \
  conform --filter Reject -- "$testee" --break=wrong-error-class
has "^FAIL Recommended\.RejectClass\.data_byte_flip: error_class \"io\", expected one of \[\"corrupt\"\] \(one bit of tensor v2's bytes flipped in the data file\)$"
# Every Reject passes and every RejectClass fails, except data_file_is_directory's,
# whose fitting class is the "io" this break always says.
has "^conform: $((rejects + 1)) passed, $((rejects - 1)) failed \(0 required, $((rejects - 1)) recommended\)"

check 1 "a per-tensor refusal is reported for that tensor" \
  conform --filter Read.V2.dtypes -- "$testee" --break=refuse-one-tensor
has "^FAIL Required\.Read\.V2\.dtypes/dtypes: tensor \"bfloat16\" refused: refused on purpose \(--break=refuse-one-tensor\)$"

# Lossy names need a non-ASCII tensor name in golden/ (issue #15's positive
# corpus); until one exists the mode cannot be caught, and this says so.
if LC_ALL=C grep -qP '"name": "[^"]*(\\u[0-9a-fA-F]{4}|[\x80-\xff])' "$golden/MANIFEST.json"; then
  check 1 "lossy-names is caught" conform --filter Required.Read -- "$testee" --break=lossy-names
  # The names_unicode reads (V2 and V1): mangled names collide and go missing.
  has "^FAIL Required\.Read\.V2\.names_unicode/names: .*tensor \"[^\"]*\" missing"
  has "^FAIL Required\.Read\.V1\.names_unicode/names_v1: .*tensor \"[^\"]*\" missing"
else
  echo "SKIPPED: lossy-names: golden/MANIFEST.json has no non-ASCII tensor name yet"
fi

check 1 "accept-defects is caught" conform --filter Reject -- "$testee" --break=accept-defects
has "^FAIL Required\.Reject\.data_byte_flip: accepted a defective file \(one bit of tensor v2's bytes flipped in the data file\)$"
has "^conform: 2 passed, $(( 2 * rejects - 2 )) failed"   # state_file_garbage is a state read

check 1 "a crashing testee fails one case per crash and is restarted" \
  conform --filter Required.Re -- "$testee" --break=abort-on-reject
has "^FAIL Required\.Reject\.negative_dim: testee died \(killed by signal 6 \(Aborted\)\)$"
expect_count $((rejects - 1)) '^FAIL .*testee died'
has "^conform: $((reads + 1)) passed, $((rejects - 1)) failed"   # the reads and the state read still pass

check 1 "a hanging testee times out and is killed" \
  conform --timeout 1 --filter data_byte_flip -- "$testee" --break=hang-on-validate
has "^FAIL Required\.Validate\.data_byte_flip: no response within 1 s; testee killed$"
has "^FAIL Recommended\.ValidateCode\.data_byte_flip: no response within 1 s; testee killed$"
has "^conform: 2 passed, 2 failed"   # the restarted testee still answers the reads

check 1 "non-TF bytes fail only the recommended byte cases" \
  conform --filter Write -- "$testee" --break=align-writes
has "^FAIL Recommended\.WriteBytes\.V2\.dtypes/dtypes: .*/dtypes\.index: [0-9]+ bytes, TensorFlow's 1001; first difference at byte [0-9]+(;|$)"
lacks "^FAIL Required"

check 1 "a testee speaking garbage is a protocol error" \
  conform --filter State -- "$testee" --break=garbage-state
has "^FAIL Required\.State\.max_to_keep: protocol: frame is not valid JSON; testee killed$"

check 1 "a result member of the wrong JSON type fails the case, not the runner" \
  conform --filter Validate.data_byte_flip -- "$testee" --break=mistyped-validate
has "^FAIL Required\.Validate\.data_byte_flip: malformed response: .*type must be boolean"

# --- resource limits: exceeding one fails the case, naming the limit ----------
check 1 "address space" conform --max-memory-mb 512 --filter Read.V2.dtypes -- "$testee" --break=hog-memory
has "^FAIL Required\.Read\.V2\.dtypes/dtypes: testee died \(killed by signal 6 \(Aborted\)\); its address space had reached [0-9]+ MiB of --max-memory-mb 512$"
check 1 "CPU time" conform --max-cpu-seconds 1 --filter Read.V2.dtypes -- "$testee" --break=burn-cpu
has "^FAIL Required\.Read\.V2\.dtypes/dtypes: exceeded --max-cpu-seconds 1 \(CPU time\); testee died "
check 1 "response size" conform --max-response-mb 1 --filter Read.V2.dtypes -- "$testee" --break=huge-response
has "^FAIL Required\.Read\.V2\.dtypes/dtypes: exceeded --max-response-mb 1: frame length [0-9]+ exceeds the limit of 1048576; testee killed$"

# --- testee.stderr is fresh for every run ----------------------------------------
for i in 1 2; do
  check 1 "a testee that dies at start-up, run $i" \
    conform --work-dir "$tmp/wd" -- /bin/sh -c 'echo started >&2; exit 3'
done
expect_count 1 '^started$' "$tmp/wd/testee.stderr"

# --- failure lists -----------------------------------------------------------
expect_count "$reads" . "$tmp/flip.list"
check 0 "failures equal to the list conform" \
  conform --filter Read --failure-list "$tmp/flip.list" -- "$testee" --break=flip-read
has "^FAIL \(listed\) Required\.Read\.V1\."
has "^conform: CONFORMANT"
check 1 "a listed case that passes is reported" \
  conform --filter Read --failure-list "$tmp/flip.list" -- "$testee"
has "^PASS \(listed as failing\) Required\.Read\.V2\.dtypes/dtypes$"
has "$reads unexpected passes"
{ cat "$tmp/flip.list"; echo "Required.Read.V2.no_such/case  # stale"; } >"$tmp/stale.list"
check 1 "a listed case that does not exist is reported" \
  conform --filter Read --failure-list "$tmp/stale.list" -- "$testee" --break=flip-read
has "^failure list names a case that does not exist: Required\.Read\.V2\.no_such/case$"
echo "Required.Read.V1.saver_v1_basic/model.ckpt" >"$tmp/unclaimed.list"
check 1 "a listed case of an unclaimed profile is reported" \
  conform --filter Read.V --failure-list "$tmp/unclaimed.list" -- "$testee" --break=skip-reads
has "^failure list names a case of a profile the testee does not claim: Required\.Read\.V1\.saver_v1_basic/model\.ckpt$"

# --- the JavaScript example of docs/CONFORMANCE.md §2 conforms with its list ---
if command -v node >/dev/null 2>&1; then
  check 0 "conformance/examples/node_testee.js conforms with its failure list" \
    conform --failure-list "$root/conformance/examples/node_testee.failures.txt" -- \
    node "$root/conformance/examples/node_testee.js"
  has "^conform: testee \"node_testee\" v[0-9.]+ claims read-v2, state$"
  has "^conform: CONFORMANT for read-v2, state; not claimed: read-v1, write-v2, write-v1, validate, read-savedmodel, read-metagraph, read-object-graph, load-model$"
  has "^suspect Required\.Reject\.slices_overlapping: refused \(unsupported\): tensor \"pv\": "
else
  echo "SKIPPED: node_testee.js: node is not installed (tools/install_deps.sh installs nodejs)"
fi

# --- JSON report and set-up errors -------------------------------------------
check 0 "--json keeps the testee's answer for passes too" conform --json --filter data_byte_flip -- "$testee"
has '"conformant": true'
has '"verdict": "CONFORMANT for read-v2, read-v1, write-v2, write-v1, state, validate, read-savedmodel, read-metagraph, read-object-graph, load-model"'
has '"name": "Required.Reject.data_byte_flip"'
has '"error_class": "corrupt"'
has '"error": "DATA_LOSS: '
has '"source_case": "Required.Read.V2.saver_v2_basic/model.ckpt"'
check 2 "missing golden dir" "$bin" conform --golden "$tmp/nope" -- "$testee"
has "nope/MANIFEST.json" "$out.err"
check 2 "testee that cannot run" conform -- "$tmp/no-such-testee"
has "cannot run testee" "$out.err"

finish
