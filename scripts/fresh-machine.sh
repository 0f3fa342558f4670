#!/usr/bin/env bash
# A stand-in for a fresh machine, to time and check the README's two commands from nothing:
#   create ROOT [PACKAGES]   a Debian root filesystem of this host's release (mmdebstrap, apt from
#                            this host's own sources), with the Debian packages named in PACKAGES
#                            (one a line; default: a small base), this host's Node.js with its
#                            npm, and this host's Go (`go env GOROOT`) copied in. HOME, npm, Go and
#                            the project's caches start empty.
#   run ROOT COMMAND...      runs COMMAND as root inside ROOT with /proc, /sys (cgroups included),
#                            /dev, /dev/shm and /run mounted, in a mount namespace of its own:
#                            every mount goes away when the command and all it started have ended.
#   clone ROOT REPO DIR      git clone REPO (a path on this host) into ROOT/DIR.
# Example (see README, "Checking a fresh machine"):
#   sudo scripts/fresh-machine.sh create /var/tmp/fresh
#   sudo scripts/fresh-machine.sh clone /var/tmp/fresh "$PWD" /root/koji-operator
#   sudo scripts/fresh-machine.sh run /var/tmp/fresh bash -lc 'cd /root/koji-operator && npm ci && npm test'
# How it fails: not root, no mmdebstrap (it is installed with apt-get when missing), a package
# that apt cannot find, or a host without node/go each stop it with a message and a non-zero exit.
# Limits: it shares this host's kernel, network and cgroup hierarchy, so it proves what a fresh
# disk needs, not a fresh kernel; processes left running inside are ended when `run` returns.
set -euo pipefail
say() { printf '[fresh-machine %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
fail() { printf '[fresh-machine] FATAL: %s\n' "$*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "needs root (mmdebstrap, chroot and mounts)"

create() {
  local root=$1 list=${2:-} includes=ca-certificates,git,sudo,curl,xz-utils,procps,iproute2,python3,python3-venv
  [ ! -e "$root" ] || [ -z "$(ls -A "$root")" ] || fail "$root exists and is not empty"
  command -v mmdebstrap >/dev/null || { say "installing mmdebstrap"; apt-get install -y -qq mmdebstrap >/dev/null; }
  if [ -n "$list" ]; then
    # The host's own Node.js comes in as files below, so its Debian package is left out.
    includes=$(grep -v -E '^(#|$|nodejs$)' "$list" | paste -sd, -)
  fi
  local release sources
  release=$(. /etc/os-release && echo "$VERSION_CODENAME")
  sources=
  for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list; do
    [ -s "$f" ] && { sources=$f; break; }
  done
  [ -n "$sources" ] || fail "no apt sources on this host to copy"
  say "mmdebstrap $release into $root ($(tr , '\n' <<<"$includes" | wc -l) packages asked for)"
  mmdebstrap --variant=apt --include="$includes" "$release" "$root" "$sources" \
    || fail "mmdebstrap failed (a package above may not exist in $release)"

  local node npmdir goroot
  node=$(readlink -f "$(command -v node)") || fail "no node on this host"
  npmdir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  say "copying Node.js $("$node" --version) and npm $(npm --version) from this host"
  install -D -m 0755 "$node" "$root/usr/bin/node"
  mkdir -p "$root/usr/lib/node_modules"
  cp -a "$npmdir" "$root/usr/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/bin/npx"
  goroot=$(go env GOROOT) || fail "no go on this host"
  say "copying $(go version | cut -d' ' -f3) from $goroot to /usr/local/go"
  mkdir -p "$root/usr/local"
  cp -a "$goroot" "$root/usr/local/go"
  printf 'export PATH=/usr/local/go/bin:/root/go/bin:$PATH\n' >"$root/etc/profile.d/go.sh"
  # The machine's own name resolves on every machine of this kind (koji's hub looks it up).
  cp /etc/resolv.conf /etc/hosts "$root/etc/"
  hostname >"$root/etc/hostname"
  # The network trust of this machine (CAs it added itself, e.g. an egress proxy's) and npm's
  # machine-wide settings: part of a new machine of this kind, not of the project.
  if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
    say "adding this host's own CA certificates: $(cd /usr/local/share/ca-certificates && echo *.crt)"
    cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
    chroot "$root" update-ca-certificates >/dev/null
  fi
  if [ -f /root/.npmrc ]; then
    # Only settings without credentials (a token line is left out).
    grep -v -i -E '(_auth|token|password)' /root/.npmrc >"$root/root/.npmrc" || true
  fi
  say "done: $(du -sh "$root" | cut -f1) in $root"
}

run() {
  local root=$1; shift
  [ -x "$root/bin/bash" ] || fail "$root is not a root made by '$0 create'"
  # Private mount and PID namespaces: the mounts below vanish with the last process in them, and
  # when the command returns the kernel ends whatever it left running (etcd in its own process
  # group, a daemonized PostgreSQL), because the namespace's first process exits.
  exec unshare --mount --propagation private --pid --fork -- bash -c '
    set -e
    root=$1; shift
    # The variables this machine sets for its tools to find the CA bundle, passed on as they are.
    pass=()
    for v in NODE_EXTRA_CA_CERTS SSL_CERT_FILE SSL_CERT_DIR CURL_CA_BUNDLE REQUESTS_CA_BUNDLE GIT_SSL_CAINFO PIP_CERT; do
      [ -n "${!v:-}" ] && pass+=("$v=${!v}")
    done
    # "/" of a machine is a mount point (unshare --propagation, as the image builder runs it,
    # needs one); a directory root is not, so it is bound onto itself.
    mount --bind "$root" "$root"
    mount -t proc proc "$root/proc"
    mount --rbind /sys "$root/sys"
    mount --rbind /dev "$root/dev"
    mount -t tmpfs -o mode=1777 shm "$root/dev/shm"
    mount -t tmpfs -o mode=755 run "$root/run"
    # pivot_root, not chroot: a process that enters a mount namespace made inside (the real
    # node'"'"'s nsenter --mount) gets that namespace'"'"'s root, which must be this root too.
    mkdir -p "$root/.host"
    cd "$root"
    pivot_root . .host
    cd /
    umount -l /.host
    rmdir /.host
    /usr/bin/env -i HOME=/root TERM="${TERM:-dumb}" LANG=C.UTF-8 "${pass[@]}" \
      PATH=/usr/local/go/bin:/root/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@" \
      || rc=$?
    exit "${rc:-0}"  # not exec: this shell stays process 1 of the namespace and reaps orphans
  ' fresh-machine "$root" "$@"
}

clone() {
  local root=$1 repo=$2 dir=$3
  [ -x "$root/bin/bash" ] || fail "$root is not a root made by '$0 create'"
  git clone -q "$repo" "$root$dir"
  say "cloned $(git -C "$root$dir" log -1 --format='%h %s') into $dir"
}

cmd=${1:-}; shift || true
case "$cmd" in
  create) [ $# -ge 1 ] || fail "usage: $0 create ROOT [PACKAGES]"; create "$@" ;;
  run) [ $# -ge 2 ] || fail "usage: $0 run ROOT COMMAND..."; run "$@" ;;
  clone) [ $# -eq 3 ] || fail "usage: $0 clone ROOT REPO DIR"; clone "$@" ;;
  *) fail "usage: $0 create ROOT [PACKAGES] | run ROOT COMMAND... | clone ROOT REPO DIR" ;;
esac
