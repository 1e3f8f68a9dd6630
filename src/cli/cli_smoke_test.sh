#!/usr/bin/env bash
# The CLI contract every subcommand shares: --help works and exits 0,
# unknown subcommands and missing arguments exit 2 with usage.
set -u
bin="${TEST_SRCDIR}/tfckpt/tfckpt"
fail=0
check() {  # expected-exit description command...
  local want=$1 what=$2; shift 2
  "$@" >"$TEST_TMPDIR/out" 2>&1
  local got=$?
  if [ "$got" -ne "$want" ]; then
    echo "FAIL: $what: exit $got, want $want"; sed 's/^/    /' "$TEST_TMPDIR/out"; fail=1
  else
    echo "ok: $what"
  fi
}
check 0 "tfckpt --help" "$bin" --help
grep -q "validate" "$TEST_TMPDIR/out" || { echo "FAIL: --help does not list validate"; fail=1; }
for sub in show inspect dump validate diff run freeze convert conform; do
  check 0 "tfckpt $sub --help" "$bin" "$sub" --help
done
check 2 "no subcommand" "$bin"
check 2 "unknown subcommand" "$bin" frobnicate
grep -qi "usage\|help" "$TEST_TMPDIR/out" || { echo "FAIL: unknown subcommand prints no usage hint"; fail=1; }
check 2 "mistyped subcommand" "$bin" inspct x
grep -q "unknown command 'inspct' (did you mean 'inspect'?)" "$TEST_TMPDIR/out" ||
  { echo "FAIL: no suggestion for inspct"; fail=1; }
check 0 "tfckpt --version" "$bin" --version
grep -q "^tfckpt [0-9]" "$TEST_TMPDIR/out" || { echo "FAIL: --version prints no version"; fail=1; }
if [ -w /dev/full ]; then  # output that cannot be written is an error, not exit 0
  "$bin" --help >/dev/full 2>/dev/null
  rc=$?
  [ "$rc" -eq 2 ] && echo "ok: --help > /dev/full exits 2" ||
    { echo "FAIL: --help > /dev/full exits $rc, want 2"; fail=1; }
else
  echo "skipped: /dev/full is not writable here"
fi
check 2 "validate without PATH" "$bin" validate
check 2 "conform without TESTEE" "$bin" conform
check 2 "unknown option" "$bin" inspect --no-such-flag x
exit $fail
