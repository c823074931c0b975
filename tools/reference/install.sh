#!/usr/bin/env bash
# Installs the PyTorch reference toolchain used to regenerate test fixtures
# (tools/reference/*.py). CI does not need it: the fixtures are committed.
# Debian 12 packages; idempotent; run as root.
#   - python3-torch: Debian's torch 1.13 (CPU).
#   - libopenblas0-pthread: without it torch falls back to the reference BLAS (~15x slower).
# Run the scripts with /usr/bin/python3 (not a pyenv/venv python, which cannot see
# Debian's torch) and OMP_WAIT_POLICY=PASSIVE (avoids OpenMP spin on shared cores):
#   OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 tools/reference/make_fixtures.py
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

if /usr/bin/python3 -c 'import torch' 2>/dev/null && dpkg -s libopenblas0-pthread >/dev/null 2>&1; then
  echo "reference toolchain already installed: torch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)')"
  exit 0
fi

# Install first; refresh the package lists only if apt cannot find the packages.
apt-get install -y -q python3-torch libopenblas0-pthread || {
  apt-get update -q
  apt-get install -y -q python3-torch libopenblas0-pthread
}
