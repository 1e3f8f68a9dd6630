# The prologue and helpers of the shell tests (sourced first, with set -u):
#   . "${TEST_SRCDIR}/tfckpt/src/cli/test_lib.sh" || exit 1
# sets root (the runfiles tree), bin (the tfckpt binary), g (TF 2.21's
# goldens), tmp ($TEST_TMPDIR), out (where the last command's stdout goes;
# stderr in $out.err) and fail=0 (set to 1 by any failed check); defines
# check, has, lacks and finish.
root="${TEST_SRCDIR}/tfckpt"
bin="$root/tfckpt"
g="$root/golden/tf-2.21"
tmp="${TEST_TMPDIR}"
out="$tmp/out"
fail=0

check() {  # expected-exit description command...
  local want=$1 what=$2; shift 2
  "$@" >"$out" 2>"$out.err"
  local got=$?
  if [ "$got" -ne "$want" ]; then
    echo "FAIL: $what: exit $got, want $want"
    sed 's/^/    /' "$out" "$out.err"
    fail=1
  else
    echo "ok: $what"
  fi
}
has() {  # pattern [file]: the last output (or file) contains the (grep -E) pattern
  if ! grep -qE -- "$1" "${2:-$out}"; then
    echo "FAIL: output lacks /$1/:"; sed 's/^/    /' "${2:-$out}"; fail=1
  fi
}
lacks() {  # pattern [file]: ... does not
  if grep -qE -- "$1" "${2:-$out}"; then
    echo "FAIL: output has /$1/:"; sed 's/^/    /' "${2:-$out}"; fail=1
  fi
}
finish() {  # [name]: the verdict line, and the exit code
  if [ "$fail" = 0 ]; then echo "${1:+$1: }PASS"; else echo "${1:+$1: }FAILED"; fi
  exit "$fail"
}
