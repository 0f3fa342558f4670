#!/usr/bin/env bash
# The real node of the `real` jest project and of `npm run demo` (test/cluster/real-cluster.ts):
# Debian packages (containerd, runc, CNI plugins, iptables, conntrack, socat, busybox-static,
# mmdebstrap) and the node binaries (kubelet, kube-proxy, CoreDNS, pause; built once, cached).
# Only where the node can run: root on Linux with cgroup v1 or hybrid cgroups; elsewhere it says
# so and does nothing.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
if [ "$(uname -s)" != Linux ] || [ "$(id -u)" != 0 ]; then
  echo "[setup real-node] skipped: the real node needs root on Linux (the demo falls back to KWOK)" >&2
  exit 0
fi
if [ -f /sys/fs/cgroup/cgroup.controllers ] && [ ! -d /sys/fs/cgroup/memory ]; then
  echo "[setup real-node] skipped: only cgroup v2 is mounted at /sys/fs/cgroup; the real node needs cgroup v1 or hybrid (boot with systemd.unified_cgroup_hierarchy=0). The real-node tests will fail saying so; the demo falls back to KWOK" >&2
  exit 0
fi
bash "$root/test/cluster/setup-node.sh"
bash "$root/test/cluster/build.sh" --node >/dev/null
