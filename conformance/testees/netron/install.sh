#!/usr/bin/env bash
# Installs Netron 9.3.3 from PyPI into a cached venv (only for the JavaScript
# files it ships) and checks node >= 20; the last stdout line is the command
# that runs the testee (tab-separated).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
command -v node >/dev/null 2>&1 || { echo "install.sh: node not found (tools/install_deps.sh installs nodejs)" >&2; exit 1; }
major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$major" -ge 18 ] || { echo "install.sh: node $major is too old for Netron 9.3.3 (needs >= 18)" >&2; exit 1; }
venv="$("$here/../venv.sh" netron "$here/requirements.txt" | tail -n1)"
dir="$(ls -d "$venv"/lib/python*/site-packages/netron)"
[ -f "$dir/tf.js" ] || { echo "install.sh: $dir/tf.js missing" >&2; exit 1; }
# tf.js exports only its ModelFactory; the checkpoint reader it uses
# (tf.TensorBundle) is module-private. A copy with one added export line makes
# it reachable; Netron's code itself is unchanged.
if [ ! -f "$dir/tf-tfckpt.js" ]; then
  { cat "$dir/tf.js"; echo; echo "export const __tfckpt_tf = tf;"; } >"$dir/tf-tfckpt.js.tmp"
  mv "$dir/tf-tfckpt.js.tmp" "$dir/tf-tfckpt.js"
fi
printf '%s\t%s\t%s\t%s\n' "$(command -v node)" --max-old-space-size=2048 "$here/testee.mjs" "$dir"
