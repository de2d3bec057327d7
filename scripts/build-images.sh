#!/usr/bin/env bash
# Build the images the service needs: rlvr-sandbox:latest (where code runs) and
# rlvr-verifier:latest (the service, for compose).
# BASE_IMAGE picks their base; when unset, python:3.12-slim is used if present,
# else a local Debian base is built with debootstrap (no registry needed).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${BASE_IMAGE:-}" ]; then
  if docker image inspect python:3.12-slim >/dev/null 2>&1; then
    BASE_IMAGE=python:3.12-slim
  else
    BASE_IMAGE=rlvr-base:bookworm-v2
    scripts/build-base-image.sh "$BASE_IMAGE"
  fi
fi
echo "building rlvr-sandbox:latest and rlvr-verifier:latest on $BASE_IMAGE..."
docker build -q --build-arg BASE_IMAGE="$BASE_IMAGE" -t rlvr-sandbox:latest sandbox/ >/dev/null
docker build -q --build-arg BASE_IMAGE="$BASE_IMAGE" -f services/Dockerfile \
  -t rlvr-verifier:latest . >/dev/null
echo "images ready"
