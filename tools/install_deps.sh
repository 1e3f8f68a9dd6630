#!/usr/bin/env bash
# Installs tfckpt's build and test dependencies from Debian's packages.
# Idempotent and silent when everything is already installed.
set -euo pipefail

PACKAGES=(
  bazel-bootstrap        # Bazel 4.2.3, used fully offline (see WORKSPACE)
  g++
  libprotobuf-dev protobuf-compiler
  libgtest-dev libgmock-dev
  librapidcheck-dev
  libeigen3-dev
  libsnappy-dev
  libisal-dev            # CRC32C
  libcli11-dev
  nlohmann-json3-dev
  libssl-dev             # SHA-256 for golden manifests (libcrypto)
  libbenchmark-dev
  clang libclang-rt-14-dev   # libFuzzer + sanitizers (bazel --config=fuzz)
  python3 python3-venv   # only for the optional TensorFlow oracle tier
  python3-dev pybind11-dev python3-numpy python3-pytest   # //python (bindings, pytest)
  nodejs                 # conformance/examples/node_testee.js (//conformance:conform_test)
  zip unzip              # fuzz/build.sh seed archives, fuzz/run_campaign.sh -b
  ca-certificates
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "tfckpt: installing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
