#!/usr/bin/env bash
# The koji images of the real-node Koji tests and of `npm run demo` (test/koji-images): the
# Debian base (mmdebstrap: Apache, mod_wsgi, Python, PostgreSQL 15, koji from PyPI; about four
# minutes the first time) and the koji files layer, cached per machine beside the node binaries.
# The operator's own layer needs its build and is added when the tests or the demo run.
# Only where the node can run (root on Linux); elsewhere it says so and does nothing.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
if [ "$(uname -s)" != Linux ] || [ "$(id -u)" != 0 ]; then
  echo "[setup koji-images] skipped: the real node needs root on Linux" >&2
  exit 0
fi
if [ -f /sys/fs/cgroup/cgroup.controllers ] && [ ! -d /sys/fs/cgroup/memory ]; then
  echo "[setup koji-images] skipped: only cgroup v2 here, so no real node to run the images on" >&2
  exit 0
fi
# mmdebstrap and the node binaries (real-node.sh does the same; setup.d runs in name order).
bash "$root/test/cluster/setup-node.sh" >&2
bin=$(bash "$root/test/cluster/build.sh" --node | tail -n 1)
[ -d "$bin" ] || { echo "[setup koji-images] test/cluster/build.sh --node gave no binary folder" >&2; exit 1; }
node "$root/test/koji-images/prepare.ts" "$(dirname "$bin")/images" >&2
