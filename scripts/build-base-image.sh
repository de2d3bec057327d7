#!/usr/bin/env bash
# Build a local Debian base image with Python 3 (and headers) and g++ from Debian packages
# (debootstrap): some dependencies (pycosat) build from source,
# because no container registry is reachable here: `docker pull` cannot work.
# Usage: scripts/build-base-image.sh [TAG]   (default tag: rlvr-base:bookworm-v2)
# Reuses an existing image with that tag unless REBUILD=1.
set -euo pipefail
tag="${1:-rlvr-base:bookworm-v2}"
suite="${SUITE:-bookworm}"
if [ "${REBUILD:-0}" != 1 ] && docker image inspect "$tag" >/dev/null 2>&1; then
  echo "base image $tag already present (REBUILD=1 to rebuild)"
  exit 0
fi
command -v debootstrap >/dev/null || {
  echo "debootstrap is missing: apt-get install -y debootstrap" >&2; exit 1; }
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
echo "debootstrap $suite into $root (about 2 minutes)..."
debootstrap --variant=minbase --include=python3,python3-venv,python3-pip,python3-dev,ca-certificates,g++ \
  "$suite" "$root" >/dev/null
# Trust what this host trusts: where the package index is reached through a
# TLS-inspecting proxy, its CA is in the host bundle, and pip in the image needs it.
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
fi
# Keep the image small: no package lists or docs are needed at run time.
rm -rf "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/*
tar -C "$root" -c . | docker import -c 'CMD ["/bin/bash"]' - "$tag" >/dev/null
echo "built $tag"
