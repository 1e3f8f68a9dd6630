#!/usr/bin/env bash
# Progress lines on a terminal only (src/cli/progress.h): progress_test.py
# runs validate (V2, V1), diff, convert and dump --all under a pty and with
# pipes, with and without --json.
root="${TEST_SRCDIR}/tfckpt"
exec python3 "$root/src/cli/progress_test.py" "$root/tfckpt" "$root/golden/tf-2.21" "$TEST_TMPDIR"
