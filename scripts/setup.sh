#!/usr/bin/env bash
# Everything `npm test` and `npm run demo` need beyond `npm ci`, installed or built on first use
# and reused afterwards (each step is idempotent and says what it did):
#   1. system tools from Debian (openssl, flock, curl) when missing — needs root for apt-get;
#   2. Go, checked (the control plane is built from the Go module proxy; we do not install Go);
#   3. the koji hub emulator's PostgreSQL and koji venv (test/koji-hub/setup.sh);
#   4. the local control plane's binaries (test/cluster/build.sh, ~12 min the first time on 2 cores).
# How it fails: a missing tool that cannot be installed, a registry that does not answer or a
# failed build stops it with a line saying which step and what to do, and a non-zero exit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
started=$(date +%s)
step() { printf '[setup %4ss] %s\n' "$(( $(date +%s) - started ))" "$*" >&2; }
fail() { printf '[setup] FATAL: %s\n' "$*" >&2; exit 1; }

step "system tools"
missing=()
command -v openssl >/dev/null || missing+=(openssl)
command -v flock >/dev/null || missing+=(util-linux)
command -v curl >/dev/null || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || fail "Debian packages ${missing[*]} are missing and this is not root: apt-get install ${missing[*]}"
  step "installing Debian packages: ${missing[*]}"
  apt-get update -qq || fail "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
    || fail "apt-get install ${missing[*]} failed"
fi
# koji's hub (and so its emulator) replaces a 127.0.0.1 client address by this machine's own
# address, looked up by its host name: without it every koji login fails deep in the tests.
getent hosts "$(hostname)" >/dev/null \
  || fail "this machine's host name '$(hostname)' does not resolve (koji's hub looks it up at each login); add it to /etc/hosts, e.g. '127.0.1.1 $(hostname)', and run again"
command -v go >/dev/null \
  || fail "Go (>= 1.24) is needed to build the local control plane from the Go module proxy; install it (e.g. apt-get install golang-go) and run again"

step "koji hub emulator: PostgreSQL and the koji venv"
bash "$root/test/koji-hub/setup.sh" >/dev/null || fail "test/koji-hub/setup.sh failed (its messages are above)"

step "control-plane binaries (built once per machine, then cached)"
bash "$root/test/cluster/build.sh" >/dev/null || fail "test/cluster/build.sh failed (its log lines are above)"

for extra in "$root"/scripts/setup.d/*.sh; do
  [ -f "$extra" ] || continue
  step "$(basename "$extra")"
  bash "$extra" >/dev/null || fail "$extra failed (its messages are above)"
done
step "ready"
