#!/usr/bin/env bash
# First-run setup: the built-in data set and, only if Dawn finds no WebGPU adapter, a software Vulkan driver.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
[[ $(id -u) -ne 0 ]] && SUDO="sudo"
if [[ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]]; then
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q dataset-fashion-mnist
fi
bash scripts/install-vulkan.sh
