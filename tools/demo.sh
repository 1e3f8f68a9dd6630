#!/usr/bin/env bash
# Quick start: validate and inspect a checkpoint written by real TensorFlow
# (golden/tf-2.21/saver_v2_basic, produced by golden/generate/).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ckpt="$root/golden/tf-2.21/saver_v2_basic/model.ckpt"
# TFCKPT_BIN: a built tfckpt to use instead of tools/tfckpt (which builds one);
# //src/cli:quickstart_test walks this script with it.
tfckpt="${TFCKPT_BIN:-$root/tools/tfckpt}"
echo "== tfckpt validate $ckpt"
TFCKPT_CWD="$root" "$tfckpt" validate "$ckpt"
echo
echo "== tfckpt inspect $ckpt"
TFCKPT_CWD="$root" "$tfckpt" inspect "$ckpt"
