#!/usr/bin/env bash
# tfckpt conform against tfckpt's own testee: conformant with no failure
# list; and each planted bug of tfckpt_testee --break=MODE is caught, by
# case name and with the runner's verdict and exit code (docs/CONFORMANCE.md).
set -u
root="${TEST_SRCDIR}/tfckpt"
bin="$root/tfckpt"
testee="$root/conformance/tfckpt_testee"
golden="$root/golden"
tmp="${TEST_TMPDIR}"
export TMPDIR="$tmp"
fail=0
out="$tmp/out"

. "$root/src/cli/test_lib.sh" || exit 1  # check, has, lacks
conform() { "$bin" conform --golden "$golden" "$@"; }
count() {  # pattern: lines of the last output matching it
  grep -cE -- "$1" "$out"
}

# --- the reference testee conforms with an empty failure list -------------
check 0 "tfckpt_testee conforms" conform -v -- "$testee"
has "^conform: [0-9]+ passed, 0 failed .*0 skipped; 0 unexpected failures, 0 unexpected passes$"
has "^conform: CONFORMANT"
# Every kind of case ran (counts follow from golden/MANIFEST.json and
# golden/bad/EXPECTED.json: 29 TF checkpoints, 59 defective files).
for kind in Required.Read.V2 Required.Read.V1 Required.Write.V2 Required.Write.V1 \
            Recommended.WriteBytes.V2 Recommended.WriteBytes.V1 Required.Reject \
            Required.Validate.Clean Required.State Recommended.ValidateCode; do
  has "^ok $kind\."
done
[ "$(count '^ok Required\.Read\.')" -eq 29 ] || { echo "FAIL: expected 29 Read cases"; fail=1; }
[ "$(count '^ok Required\.Validate\.[a-z]')" -eq 59 ] || { echo "FAIL: expected 59 Validate cases"; fail=1; }
[ "$(count '^ok Required\.Reject\.')" -eq 53 ] || { echo "FAIL: expected 53 Reject cases"; fail=1; }
lacks "^(FAIL|skip) "
ls "$tmp"/tfckpt-conform.* >/dev/null 2>&1 && { echo "FAIL: a conformant run left its work dir"; fail=1; }

# --- planted bugs: each is caught -------------------------------------------
check 1 "flip-read is caught" conform -- "$testee" --break=flip-read
has "^FAIL Required\.Read\.V2\.dtypes/dtypes: tensor \"[a-z0-9]+\": sha256 is \"[0-9a-f]{64}\", expected \"[0-9a-f]{64}\"$"
has "^conform: [0-9]+ passed, 29 failed \(29 required, 0 recommended\)"
has "^conform: NOT CONFORMANT"
has "^conform: written files and the testee's stderr kept in "

check 1 "accept-defects is caught" conform --filter Reject -- "$testee" --break=accept-defects
has "^FAIL Required\.Reject\.data_byte_flip: accepted a defective file \(one bit of tensor v2's bytes flipped in the data file\)$"
has "^conform: 1 passed, 52 failed"   # state_file_garbage is a state read

check 1 "a crashing testee fails one case per crash and is restarted" \
  conform --filter Required.Re -- "$testee" --break=abort-on-reject
has "^FAIL Required\.Reject\.negative_dim: testee died \(killed by signal 6 \(Aborted\)\)$"
[ "$(count '^FAIL .*testee died')" -eq 52 ] || { echo "FAIL: expected 52 crashes"; fail=1; }
has "^conform: 30 passed, 52 failed"   # the 29 reads and the state read still pass

check 1 "a hanging testee times out and is killed" \
  conform --timeout 1 --filter data_byte_flip -- "$testee" --break=hang-on-validate
has "^FAIL Required\.Validate\.data_byte_flip: no response within 1 s; testee killed$"
has "^FAIL Recommended\.ValidateCode\.data_byte_flip: no response within 1 s; testee killed$"
has "^conform: 1 passed, 2 failed"   # the restarted testee still answers the read

check 1 "non-TF bytes fail only the recommended byte cases" \
  conform --filter Write -- "$testee" --break=align-writes
has "^FAIL Recommended\.WriteBytes\.V2\.dtypes/dtypes: .*/dtypes\.index: [0-9]+ bytes, TensorFlow's 1001; first difference at byte [0-9]+$"
has "^conform: 31 passed, 25 failed \(0 required, 25 recommended\)"
lacks "^FAIL Required"

check 1 "a testee speaking garbage is a protocol error" \
  conform --filter State -- "$testee" --break=garbage-state
has "^FAIL Required\.State\.max_to_keep: protocol: frame is not valid JSON; testee killed$"

check 1 "a result member of the wrong JSON type fails the case, not the runner" \
  conform --filter Validate.data_byte_flip -- "$testee" --break=mistyped-validate
has "^FAIL Required\.Validate\.data_byte_flip: malformed response: .*type must be boolean"

# --- failure lists -----------------------------------------------------------
grep -oE '^FAIL Required\.Read\.[^:]+' <(conform -- "$testee" --break=flip-read) |
  sed 's/^FAIL //' >"$tmp/flip.list"
[ "$(wc -l <"$tmp/flip.list")" -eq 29 ] || { echo "FAIL: failure list has $(wc -l <"$tmp/flip.list") lines"; fail=1; }
check 0 "failures equal to the list conform" \
  conform --filter Read --failure-list "$tmp/flip.list" -- "$testee" --break=flip-read
has "^FAIL \(listed\) Required\.Read\.V1\."
has "^conform: CONFORMANT"
check 1 "a listed case that passes is reported" \
  conform --filter Read --failure-list "$tmp/flip.list" -- "$testee"
has "^PASS \(listed as failing\) Required\.Read\.V2\.dtypes/dtypes$"
has "29 unexpected passes"
{ cat "$tmp/flip.list"; echo "Required.Read.V2.no_such/case  # stale"; } >"$tmp/stale.list"
check 1 "a listed case that does not exist is reported" \
  conform --filter Read --failure-list "$tmp/stale.list" -- "$testee" --break=flip-read
has "^failure list names a case that does not exist: Required\.Read\.V2\.no_such/case$"

# --- --list: every case, no testee ---
check 0 "--list" conform --list
[ "$(wc -l <"$out")" -eq 286 ] || { echo "FAIL: --list printed $(wc -l <"$out") cases"; fail=1; }
has "^required Required\.Read\.V2\.dtypes/dtypes BASE-2\.1 .*BUNDLE-4\.1"
has "^recommended Recommended\.WriteBytes\.V1\.saver_v1_basic/model\.ckpt .*TABLE-7\.3"
check 0 "--list --filter" conform --list --filter State
has "^required Required\.State\.max_to_keep STATE-1\.1 "
[ "$(wc -l <"$out")" -eq 1 ] || { echo "FAIL: --list --filter State printed $(wc -l <"$out") lines"; fail=1; }
check 2 "no TESTEE and no --list" conform
has "TESTEE is required" "$out.err"

# --- JSON report and set-up errors -------------------------------------------
check 0 "--json" conform --json --filter State -- "$testee"
has '"conformant": true'
has '"name": "Required.State.max_to_keep"'
check 2 "missing golden dir" "$bin" conform --golden "$tmp/nope" -- "$testee"
has "nope/MANIFEST.json" "$out.err"
check 2 "testee that cannot run" conform -- "$tmp/no-such-testee"
has "cannot run testee" "$out.err"

exit $fail
