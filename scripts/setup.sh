#!/usr/bin/env bash
# Installs nninv's Debian build dependencies (if missing) and builds it in build/.
# Usage: scripts/setup.sh   (as root, or with sudo available)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake pkg-config libz3-dev libgmp-dev libboost-program-options-dev
          nlohmann-json3-dev catch2 libssl-dev libonnx-dev libprotobuf-dev librsvg2-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "nninv setup: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# NNINV_CMAKE_ARGS: extra configure options (scripts/test.sh adds -DNNINV_WERROR=ON).
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release ${NNINV_CMAKE_ARGS:-} >/dev/null
cmake --build build -j"$(nproc 2>/dev/null || echo 2)"
