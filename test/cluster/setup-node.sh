#!/usr/bin/env bash
# Debian packages of the real node (profile `real`) and the local image builder: containerd,
# runc, the CNI plugins, iptables, conntrack, socat, busybox-static, mmdebstrap. Idempotent:
# does nothing when every command is present; otherwise installs them with apt-get (as root,
# after apt-get update, showing apt's progress) or fails naming what is missing.
set -euo pipefail

# command or file -> Debian package
declare -A need=(
  [containerd]=containerd
  [ctr]=containerd
  [runc]=runc
  [/usr/lib/cni/bridge]=containernetworking-plugins
  [iptables]=iptables
  [conntrack]=conntrack
  [socat]=socat
  [/bin/busybox]=busybox-static
  [mmdebstrap]=mmdebstrap
  [nsenter]=util-linux
  [ip]=iproute2
)
missing=()
for what in "${!need[@]}"; do
  if [[ $what == /* ]]; then [ -e "$what" ] && continue; else command -v "$what" >/dev/null && continue; fi
  missing+=("${need[$what]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
mapfile -t packages < <(printf '%s\n' "${missing[@]}" | sort -u)

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "test/cluster/setup-node.sh: the real node needs these Debian packages: ${packages[*]}" >&2
  echo "  install them as root: apt-get install --no-install-recommends ${packages[*]}" >&2
  exit 1
fi
echo "[setup-node] installing ${packages[*]} (apt-get update first)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update >&2
# Other jobs may hold the dpkg lock for a while; wait for it instead of failing.
apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${packages[@]}" >&2
echo "[setup-node] done" >&2
