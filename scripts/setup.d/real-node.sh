#!/usr/bin/env bash
# The real node of the `real` and `real-koji` jest projects and of `npm run demo`
# (test/cluster/real-cluster.ts):
#   1. Debian packages (containerd, runc, CNI plugins, iptables, conntrack, socat,
#      busybox-static, mmdebstrap) and the node binaries (kubelet, kube-proxy, CoreDNS, pause;
#      built once, cached);
#   2. the slow layers of the koji images (test/koji-images/prepare.ts): the Debian base made by
#      mmdebstrap (Apache, mod_wsgi, Python, PostgreSQL 15, koji from PyPI; about four minutes
#      the first time) and the koji files layer, cached beside the node binaries. The operator's
#      own layer needs its build and is added when the tests or the demo run.
# Only where the node can run: root on Linux with cgroup v1 or hybrid cgroups; elsewhere it says
# so and does nothing (the real-node tests then fail saying why; the demo falls back to KWOK).
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
bin=$(bash "$root/test/cluster/build.sh" --node | tail -n 1)
[ -d "$bin" ] || { echo "[setup real-node] test/cluster/build.sh --node gave no binary folder" >&2; exit 1; }
node "$root/test/koji-images/prepare.ts" "$(dirname "$bin")/images" >&2
