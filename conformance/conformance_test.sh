#!/usr/bin/env bash
# The test run by tfckpt_conformance_test (conformance/defs.bzl): `tfckpt
# conform` against a testee, with the golden corpus from runfiles.
#   conformance_test.sh CONFORM MANIFEST FAILURE_LIST|- FILTER|- PROFILES|- -- TESTEE [ARGS...]
# Paths are runfiles-relative ($(rootpath)); the test runs in the runfiles
# directory of the calling workspace. The JUnit XML goes to
# $XML_OUTPUT_FILE, so `bazel test` shows every case. PROFILES (comma-
# separated) must each be in the verdict's "CONFORMANT for ..." list: a
# testee that stops claiming one fails the test.
set -u
conform="$1" manifest="$2" list="$3" filter="$4" profiles="$5"
shift 5
[ "${1:-}" = "--" ] && shift
work="${TEST_TMPDIR:-/tmp}/work"
mkdir -p "$work"
args=(--golden "$(dirname "$manifest")" --work-dir "$work")
[ "$list" != "-" ] && args+=(--failure-list "$list")
[ "$filter" != "-" ] && args+=(--filter "$filter")
[ -n "${XML_OUTPUT_FILE:-}" ] && args+=(--junit "$XML_OUTPUT_FILE")
"$conform" "${args[@]}" -- "$@" | tee "$work/conform.log"
rc=${PIPESTATUS[0]}
[ "$rc" -eq 0 ] || exit "$rc"
[ "$profiles" = "-" ] && exit 0
verdict="$(grep -a '^conform: CONFORMANT for ' "$work/conform.log" | sed 's/^conform: CONFORMANT for //; s/;.*//')"
for p in ${profiles//,/ }; do
  case ", $verdict," in
    *", $p,"*) ;;
    *) echo "FAIL: profile $p is not among the conformant ones ($verdict)"; exit 1 ;;
  esac
done
