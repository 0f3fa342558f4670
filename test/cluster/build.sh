#!/usr/bin/env bash
# Builds etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl and kwok
# from the Go module proxy into a cache folder outside the repo, keyed by the versions.
# With --kit it builds only etcd and kube-apiserver, all the framework's testing kit starts
# (the packaged copy of this script is how an installed framework builds them), and kubectl
# with --kit --kubectl: the same
# folder and the same Go build cache, so a later full build reuses both binaries and every
# package compiled for them.
# With --node it also builds what the real node (profile `real`) needs: kubelet and kube-proxy
# from the same wrapper module, CoreDNS and the pod sandbox's pause from nodebins/.
# Safe to run concurrently (flock); a finished build is reused in seconds.
# Prints the bin folder on its last line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.env
. "$here/versions.env"
command -v go >/dev/null || { echo "test/cluster/build.sh: Go is required to build the control plane (apt-get install golang, or use the polyglot machine)" >&2; exit 1; }
command -v flock >/dev/null || { echo "test/cluster/build.sh: flock (util-linux) is required" >&2; exit 1; }

node=0 kit=0 kubectl=0
for arg in "$@"; do
  case "$arg" in
    --node) node=1 ;;
    --kit) kit=1 ;;
    --kubectl) kubectl=1 ;; # with --kit: kubectl too (`fedora-operator cluster`, for the user's shell)
    *) echo "test/cluster/build.sh: unknown option $arg (--kit [--kubectl], or --node)" >&2; exit 2 ;;
  esac
done
key="$K8S_VERSION-etcd$ETCD_VERSION-kwok$KWOK_VERSION"
cache="${TESTCLUSTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/testcluster}/$key"
bin="$cache/bin" src="$cache/src"
mkdir -p "$bin" "$src/cmd/etcd"
log() { printf '[cluster-build %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# Each binary is moved into place only once complete, so its presence means it is built.
built() {
  if [ $kit = 1 ]; then
    [ -x "$bin/etcd" ] && [ -x "$bin/kube-apiserver" ] && { [ $kubectl = 0 ] || [ -x "$bin/kubectl" ]; }
    return
  fi
  [ -f "$bin/.complete" ] && { [ $node = 0 ] || [ -f "$bin/.node-complete-$COREDNS_VERSION" ]; }
}
# What is built is reused without the lock: a build of the node's binaries must not hold up
# a run that only needs the control plane's.
if built; then echo "$bin"; exit 0; fi
exec 9>"$cache/.lock"
if ! flock -n 9; then log "another build holds $cache/.lock; waiting"; flock 9; fi
if built; then echo "$bin"; exit 0; fi

# No DWARF from the compiler: the linker strips it anyway (-w), so it was only work (about 13%
# of the CPU time of a cold build) and space in the Go build cache (about 20%).
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-buildvcs=false -gcflags=all=-dwarf=false"
start=$(date +%s)
cp "$here/kubebins/go.mod" "$src/go.mod"
cp "$here/kubebins/cmd/etcd/main.go" "$src/cmd/etcd/main.go"
if [ -f "$here/kubebins/go.sum" ]; then
  cp "$here/kubebins/go.sum" "$src/go.sum"
  if [ $kit = 1 ]; then
    # Only the modules the two binaries import, not the whole graph (kubectl's, kubelet's).
    pkgs="./cmd/etcd k8s.io/kubernetes/cmd/kube-apiserver" names="etcd and kube-apiserver"
    [ $kubectl = 1 ] && pkgs="$pkgs k8s.io/kubernetes/cmd/kubectl" names="etcd, kube-apiserver and kubectl"
    log "downloading the modules $names need (go.sum pinned)"
    # shellcheck disable=SC2086 # a list of packages
    (cd "$src" && go list -deps $pkgs >/dev/null)
  else
    log "downloading modules (go.sum pinned)"
    (cd "$src" && go mod download)
  fi
else
  log "resolving the module graph (first time: no go.sum yet)"
  (cd "$src" && go mod tidy)
  cp "$src/go.mod" "$src/go.sum" "$here/kubebins/" 2>/dev/null || true
  log "wrote kubebins/go.mod and go.sum back to the repo: commit them"
fi

minor=$(echo "$K8S_VERSION" | cut -d. -f2)
ldf="-s -w"; d=$(date -u +%Y-%m-%dT%H:%M:%SZ)
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldf="$ldf -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=$d"
done
# `go build -v` in <dir>, with a line every BUILD_PROGRESS_SECONDS (60) saying how many of the packages it needs are
# compiled: a cold kube-apiserver takes 10-40 minutes and was silent all that time. Its output
# goes to a log; on failure the log's tail is shown.
go_build_with_progress() {
  local dir=$1 name=$2 total ticker rc=0
  shift 2
  local out="$cache/build-$name.log"
  total=$(cd "$dir" && go list -deps "${@: -1}" 2>/dev/null | wc -l)
  : >"$out"
  (
    # The sleep is killed with the ticker: left running, it would hold stderr open meanwhile.
    t0=$(date +%s) nap=''
    trap 'kill $nap 2>/dev/null; exit 0' TERM
    while :; do
      sleep "${BUILD_PROGRESS_SECONDS:-60}" & nap=$!
      wait $nap
      log "  $name: $(grep -c . "$out") of about $total packages compiled ($(( $(date +%s) - t0 ))s)"
    done
  ) &
  ticker=$!
  (cd "$dir" && go build -v "$@" 2>>"$out") || rc=$?
  kill "$ticker" 2>/dev/null; wait "$ticker" 2>/dev/null || true
  if [ $rc != 0 ]; then
    log "building $name failed; the end of $out:"
    tail -n 30 "$out" >&2
    return $rc
  fi
}
# One binary: its package, its ldflags. Timed on its own, so a slow one shows.
build() {
  local name=$1 pkg=$2 flags=$3 t0
  if [ -x "$bin/$name" ]; then log "$name already built"; return; fi
  log "building $name"
  t0=$(date +%s)
  go_build_with_progress "$src" "$name" -ldflags "$flags" -o "$bin/$name.tmp" "$pkg" || return 1
  mv "$bin/$name.tmp" "$bin/$name"
  log "built $name in $(( $(date +%s) - t0 ))s ($(( $(date +%s) - start ))s so far)"
}
# The two the testing kit starts come first; a full build goes on to the rest.
build etcd ./cmd/etcd "-s -w"
build kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver "$ldf"
if [ $kit = 1 ]; then
  [ $kubectl = 1 ] && build kubectl k8s.io/kubernetes/cmd/kubectl "$ldf"
  log "built in $(( $(date +%s) - start ))s into $bin"
  echo "$bin"
  exit 0
fi
for cmd in kube-controller-manager kube-scheduler kubectl; do
  build "$cmd" "k8s.io/kubernetes/cmd/$cmd" "$ldf"
done
if [ ! -x "$bin/kwok" ]; then
  log "building kwok $KWOK_VERSION"
  t0=$(date +%s)
  GOBIN="$cache/kwok-bin" go install -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  mv "$cache/kwok-bin/kwok" "$bin/kwok"
  log "built kwok in $(( $(date +%s) - t0 ))s"
fi
touch "$bin/.complete"
log "control plane built in $(( $(date +%s) - start ))s into $bin"

if [ $node = 1 ] && [ ! -f "$bin/.node-complete-$COREDNS_VERSION" ]; then
  # The kubebins go.mod lists kubelet and kube-proxy as tools; refresh it in case the cache
  # was made before they were added.
  cp "$here/kubebins/go.mod" "$here/kubebins/go.sum" "$src/"
  for cmd in kubelet kube-proxy; do
    if [ -x "$bin/$cmd" ]; then log "$cmd already built"; continue; fi
    log "building $cmd (about 30 s with a warm Go build cache, several minutes cold)"
    go_build_with_progress "$src" "$cmd" -ldflags "$ldf" -o "$bin/$cmd.tmp" "k8s.io/kubernetes/cmd/$cmd" && mv "$bin/$cmd.tmp" "$bin/$cmd"
    log "built $cmd ($(( $(date +%s) - start ))s so far)"
  done
  nsrc="$cache/nodebins-$COREDNS_VERSION"
  mkdir -p "$nsrc"
  cp -r "$here/nodebins/." "$nsrc/"
  log "downloading CoreDNS $COREDNS_VERSION modules (go.sum pinned)"
  (cd "$nsrc" && go mod download)
  for cmd in pause coredns; do
    log "building $cmd"
    go_build_with_progress "$nsrc" "$cmd" -ldflags "-s -w" -o "$bin/$cmd.tmp" "./cmd/$cmd" && mv "$bin/$cmd.tmp" "$bin/$cmd"
    log "built $cmd ($(( $(date +%s) - start ))s so far)"
  done
  touch "$bin/.node-complete-$COREDNS_VERSION"
  log "node binaries built into $bin"
fi
echo "$bin"
