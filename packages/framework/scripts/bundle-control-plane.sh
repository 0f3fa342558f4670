#!/usr/bin/env bash
# prepack: copies the embedded control plane's build inputs (the monorepo's test/cluster build
# script, pinned versions and Go module files) into control-plane/, so the testing kit of an
# installed package can build etcd and kube-apiserver on first use. Not committed: test/cluster
# stays the one source.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
src="$here/../../test/cluster"
[ -f "$src/build.sh" ] || { echo "bundle-control-plane: $src/build.sh not found" >&2; exit 1; }
rm -rf "$here/control-plane"
mkdir -p "$here/control-plane"
cp "$src/build.sh" "$src/versions.env" "$here/control-plane/"
cp -r "$src/kubebins" "$here/control-plane/kubebins"
