#!/usr/bin/env bash
# tfckpt's own testee (//conformance:tfckpt_testee), built with Bazel; the
# last stdout line is the command that runs it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cd "$root"
bazel build //conformance:tfckpt_testee >&2
echo "$root/bazel-bin/conformance/tfckpt_testee"
