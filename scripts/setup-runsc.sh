#!/usr/bin/env bash
# Register gVisor's runsc as a Docker runtime named "runsc" (the default stays runc), so
# that RLVR_SANDBOX_RUNTIME=runsc runs sandbox containers under gVisor. Needs root and a
# running dockerd (scripts/start-docker.sh). Installs Debian's runsc package when missing.
#
# Runtime args: --platform=ptrace works without KVM (nested VMs, CI machines);
# --network=none because sandbox containers have no network and runsc's default netstack
# fails to start a `--network none` container.
set -euo pipefail
if ! command -v runsc >/dev/null; then
  echo "installing runsc (Debian package)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq runsc >/dev/null
fi
runsc_path=$(command -v runsc)
config=/etc/docker/daemon.json
mkdir -p /etc/docker
python3 - "$config" "$runsc_path" <<'PY'
import json, pathlib, sys
path, runsc = pathlib.Path(sys.argv[1]), sys.argv[2]
config = json.loads(path.read_text()) if path.exists() and path.read_text().strip() else {}
config.setdefault("runtimes", {})["runsc"] = {
    "path": runsc, "runtimeArgs": ["--platform=ptrace", "--network=none"]}
path.write_text(json.dumps(config, indent=2) + "\n")
PY
pid=$(pidof dockerd 2>/dev/null || pgrep -x dockerd || true)
if [ -z "$pid" ]; then
  echo "no dockerd is running; start it (scripts/start-docker.sh), then rerun this" >&2
  exit 1
fi
kill -HUP $pid  # dockerd reloads its runtimes on SIGHUP, no restart needed
for _ in $(seq 20); do
  if docker info --format '{{json .Runtimes}}' 2>/dev/null | grep -q '"runsc"'; then
    echo "runsc registered ($(runsc --version | head -1)); use RLVR_SANDBOX_RUNTIME=runsc"
    exit 0
  fi
  sleep 0.5
done
echo "dockerd did not pick up runsc; check $config and dockerd's log" >&2
exit 1
