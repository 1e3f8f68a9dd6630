#!/usr/bin/env bash
# The test run by tfckpt_conformance_test (conformance/defs.bzl): `tfckpt
# conform` against a testee, with the golden corpus from runfiles.
#   conformance_test.sh CONFORM MANIFEST FAILURE_LIST|- FILTER|- -- TESTEE [ARGS...]
# Paths are runfiles-relative ($(rootpath)); the test runs in the runfiles
# directory of the calling workspace. The JUnit XML goes to
# $XML_OUTPUT_FILE, so `bazel test` shows every case.
set -u
conform="$1" manifest="$2" list="$3" filter="$4"
shift 4
[ "${1:-}" = "--" ] && shift
args=(--golden "$(dirname "$manifest")" --work-dir "${TEST_TMPDIR:-/tmp}/work" --timeout 60)
[ "$list" != "-" ] && args+=(--failure-list "$list")
[ "$filter" != "-" ] && args+=(--filter "$filter")
[ -n "${XML_OUTPUT_FILE:-}" ] && args+=(--junit "$XML_OUTPUT_FILE")
mkdir -p "${TEST_TMPDIR:-/tmp}/work"
exec "$conform" "${args[@]}" -- "$@"
