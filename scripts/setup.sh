#!/usr/bin/env bash
# First-run setup: the built-in data set, LMDB tools, Redis and Chromium for the tests and, only if Dawn finds no
# WebGPU adapter, a software Vulkan driver.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
[[ $(id -u) -ne 0 ]] && SUDO="sudo"
# the built-in data set, LMDB's own tools (a test writes a genuine LMDB with mdb_load) and Redis (the scale-out
# tests start their own redis-server on loopback)
if [[ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]] || ! command -v mdb_load >/dev/null \
   || ! command -v redis-server >/dev/null; then
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q dataset-fashion-mnist lmdb-utils redis-server
fi
# headless Chromium for the browser tests (WebGPU on its bundled SwiftShader); without recommends it is ~400 MB
if ! command -v chromium >/dev/null; then
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends chromium
fi
bash scripts/install-vulkan.sh
