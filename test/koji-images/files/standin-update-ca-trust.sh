#!/bin/sh
# STAND-IN for Fedora's update-ca-trust (package ca-certificates), in the locally built Debian
# kojid image: Debian has update-ca-certificates, with other paths. Like `update-ca-trust
# extract` it writes the PEM bundles of /etc/pki/ca-trust/extracted from the distribution's
# CAs plus every anchor in /etc/pki/ca-trust/source/anchors (the operator mounts the hub's CA
# there), so what the kojid pod does with Fedora's tool is done with the same paths here.
# Fails (non-zero) when an anchor is not a PEM certificate, or the bundle cannot be written.
set -eu
[ "${1:-extract}" = extract ] || { echo "update-ca-trust STAND-IN: only 'extract'" >&2; exit 2; }
dest=/etc/pki/ca-trust/extracted
bundle=$dest/pem/tls-ca-bundle.pem
tmp=$bundle.tmp
: >"$tmp"
[ -f /etc/ssl/certs/ca-certificates.crt ] && cat /etc/ssl/certs/ca-certificates.crt >>"$tmp"
for anchor in /etc/pki/ca-trust/source/anchors/*; do
  [ -f "$anchor" ] || continue
  grep -q -- '-----BEGIN CERTIFICATE-----' "$anchor" || { echo "update-ca-trust STAND-IN: $anchor is not a PEM certificate" >&2; exit 1; }
  echo "update-ca-trust STAND-IN: anchor $anchor"
  cat "$anchor" >>"$tmp"
done
mv "$tmp" "$bundle"
cp "$bundle" "$dest/openssl/ca-bundle.trust.crt"
