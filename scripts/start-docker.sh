#!/usr/bin/env bash
# Make sure a Docker engine answers: install Debian's docker.io (and debootstrap,
# docker-compose) when missing, and start dockerd when none runs. Needs root.
set -euo pipefail
if docker info >/dev/null 2>&1; then
  echo "docker engine already running"
  exit 0
fi
need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v docker-compose >/dev/null || docker compose version >/dev/null 2>&1 || need+=(docker-compose)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
echo "starting dockerd..."
nohup dockerd >/tmp/dockerd.log 2>&1 &
for _ in $(seq 60); do
  docker info >/dev/null 2>&1 && { echo "docker engine up"; exit 0; }
  sleep 1
done
echo "dockerd did not come up; see /tmp/dockerd.log" >&2
tail -20 /tmp/dockerd.log >&2
exit 1
