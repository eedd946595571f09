#!/usr/bin/env bash
# Installs a WebGPU-capable software Vulkan driver (Mesa lavapipe >= 24) when Dawn finds no adapter.
# On Debian 12 the stock Mesa 22 is refused by Dawn, so Mesa comes from bookworm-backports. On a machine
# with a working GPU driver (or an adapter already found) this does nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" != "--force" ]] && node scripts/probe-adapter.mjs >/dev/null 2>&1; then
  echo "install-vulkan: a WebGPU adapter is already available; nothing to do"
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "install-vulkan: no WebGPU adapter and no apt-get; install your platform's Vulkan driver (Mesa >= 24 lavapipe for CPU-only machines)" >&2
  exit 1
fi
SUDO=""
[[ $(id -u) -ne 0 ]] && SUDO="sudo"
. /etc/os-release
if [[ "${VERSION_CODENAME:-}" == "bookworm" ]]; then
  src=/etc/apt/sources.list.d/debian.sources
  dst=/etc/apt/sources.list.d/bookworm-backports.sources
  if [[ ! -f $dst ]]; then
    if [[ -f $src ]]; then
      # derive the backports entry from the machine's own Debian source (same mirror, same keyring)
      awk 'BEGIN{RS="";ORS="\n"} NR==1{sub(/Suites:[^\n]*/,"Suites: bookworm-backports"); print}' "$src" | $SUDO tee "$dst" >/dev/null
    else
      echo "deb http://deb.debian.org/debian bookworm-backports main" | $SUDO tee /etc/apt/sources.list.d/bookworm-backports.list >/dev/null
    fi
  fi
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q -t bookworm-backports mesa-vulkan-drivers libvulkan1
else
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q mesa-vulkan-drivers libvulkan1
fi
node scripts/probe-adapter.mjs
