#!/usr/bin/env bash
# Installs the system packages the engine's tests need on Debian 12 (bookworm):
#  - Mesa lavapipe 25 from bookworm-backports (Dawn rejects bookworm's own Mesa 22.3 lavapipe)
#  - Debian chromium (headless browser tests; its SwiftShader ICD is the fallback Vulkan adapter)
#  - dataset-fashion-mnist (the shipped model's data: SideNet training, `ba-webgpu eval`'s real images)
# Idempotent; run as root.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

backports=/etc/apt/sources.list.d/bookworm-backports.sources
if [ ! -f "$backports" ]; then
  # Same mirror and keyring as the existing bookworm entry.
  uris=$(awk '/^URIs:/ && !/security/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  uris=${uris:-http://deb.debian.org/debian}
  cat > "$backports" <<SRC
Types: deb
URIs: $uris
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi

apt-get update -q
apt-get install -y -q -t bookworm-backports mesa-vulkan-drivers
apt-get install -y -q chromium libvulkan1 dataset-fashion-mnist
