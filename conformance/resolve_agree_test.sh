#!/usr/bin/env bash
# Every PATH form of docs/CLI.md "Paths" through every consumer of the one
# resolver (the Python oracle, the validator, its state-directory check and
# tfckpt's conformance testee) against `tfckpt resolve --json`
# (resolve_agree.py).
root="${TEST_SRCDIR}/tfckpt"
exec python3 "$root/conformance/resolve_agree.py" "$root/tfckpt" \
  "$root/conformance/tfckpt_testee" "$root/golden/tf-2.21" "$root/tools/oracle" "$TEST_TMPDIR"
