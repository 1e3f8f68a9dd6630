#!/usr/bin/env bash
# Progress lines on a terminal only (src/cli/progress.h): progress_test.py
# runs validate (V2, V1), diff, convert, dump (--all and one tensor),
# inspect, run and freeze under a pty and with pipes, with and without
# --json, and the reading commands at a threshold around their work.
root="${TEST_SRCDIR}/tfckpt"
exec python3 "$root/src/cli/progress_test.py" "$root/tfckpt" "$root/golden/tf-2.21" "$TEST_TMPDIR"
