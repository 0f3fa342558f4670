#!/usr/bin/env bash
# Builds operator-sdk (for `operator-sdk bundle validate ./bundle`) from the Go module proxy into
# a cache folder outside the repo, keyed by its version in test/bundle/operator-sdk/go.mod.
# Safe to run concurrently (flock); a finished build is reused at once. Prints the binary's
# path on its last line.
#
# Why these settings: `go install …/cmd/operator-sdk@v` cannot be used (operator-sdk's go.mod has
# replace directives, which only a main module applies), so a small main module requires it and
# repeats them. Two of the replaced versions are not in the checksum database; go.sum, committed
# next to go.mod, pins their hashes instead (GONOSUMDB only spares the lookup).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mod="$here/operator-sdk"
command -v go >/dev/null || { echo "test/bundle/build.sh: Go is required to build operator-sdk" >&2; exit 1; }
command -v flock >/dev/null || { echo "test/bundle/build.sh: flock (util-linux) is required" >&2; exit 1; }
version=$(sed -n 's|^require github.com/operator-framework/operator-sdk \(v[0-9.]*\)$|\1|p' "$mod/go.mod")
[ -n "$version" ] || { echo "test/bundle/build.sh: no operator-sdk version in $mod/go.mod" >&2; exit 1; }

cache="${OPERATOR_SDK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/operator-sdk}/$version"
src="$cache/src" bin="$cache/bin/operator-sdk"
mkdir -p "$src" "$cache/bin"
log() { printf '[operator-sdk-build %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

exec 9>"$cache/.lock"
if ! flock -n 9; then log "another build holds $cache/.lock; waiting"; flock 9; fi
if [ -x "$bin" ] && [ -f "$cache/.complete" ]; then echo "$bin"; exit 0; fi

start=$(date +%s)
cp "$mod/go.mod" "$src/go.mod"
[ -f "$mod/go.sum" ] && cp "$mod/go.sum" "$src/go.sum"
log "building operator-sdk $version from the Go module proxy (first time: several minutes)"
(cd "$src" && GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false \
  GONOSUMDB=sigs.k8s.io/kubebuilder,k8s.io/kube-openapi \
  go build -mod=mod -ldflags "-s -w" -o "$bin.tmp" github.com/operator-framework/operator-sdk/cmd/operator-sdk)
mv "$bin.tmp" "$bin"
if [ ! -f "$mod/go.sum" ]; then
  cp "$src/go.sum" "$mod/go.sum" 2>/dev/null && log "wrote test/bundle/operator-sdk/go.sum back to the repo: commit it"
fi
touch "$cache/.complete"
log "operator-sdk $version built in $(( $(date +%s) - start ))s: $bin"
echo "$bin"
