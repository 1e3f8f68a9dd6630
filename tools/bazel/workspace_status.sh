#!/bin/sh
# Bazel --workspace_status_command for --config=stamped (tools/tfckpt): the
# checkout's `git describe`, which //src/cli:version_h appends to
# `tfckpt --version`. Without git (a source tarball) it prints nothing, and
# the version is VERSION's alone. Default builds (--nostamp) never run it.
d=$(git describe --always --dirty --tags 2>/dev/null) && echo "STABLE_TFCKPT_GIT_DESCRIBE $d"
exit 0
