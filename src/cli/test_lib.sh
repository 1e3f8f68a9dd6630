# Helpers shared by the CLI's shell tests (sourced). The sourcing test sets
# $out (where the last command's stdout goes; stderr in $out.err) and `fail`
# (set to 1 by any failed check).

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
