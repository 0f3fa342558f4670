#!/usr/bin/env bash
# Makes a throwaway CA and the certificate Secrets the examples name, for a local run only.
# Keys never belong in git, so everything goes to a folder outside the repository.
#
#   [NAMESPACE=koji] [HUB_NAME=mb-koji-hub] examples/gen-certs.sh [OUTDIR]
#                                       # default: ${XDG_CACHE_HOME:-~/.cache}/koji-operator-examples
#   kubectl -n koji apply -f OUTDIR/secrets.yaml
#
# Client Secrets carry tls.crt, tls.key, client.pem (certificate and key in one file, as the
# koji tools want it) and ca.crt; the CA Secrets carry ca.crt only. The CN of a client
# certificate is its Koji user name.
set -euo pipefail

out=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/koji-operator-examples}
case "$(cd "$(dirname "$out")" && pwd)/" in
"$(git -C "$(dirname "$0")" rev-parse --show-toplevel 2>/dev/null || echo /nonexistent)"/*)
  echo "refusing to write keys inside the git work tree: $out" >&2
  exit 1
  ;;
esac
namespace=${NAMESPACE:-koji}
mkdir -p "$out"
cd "$out"
umask 077

b64() { base64 -w0 <"$1"; }

openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/O=Koji Example/CN=Koji Example CA" \
  -keyout ca.key -out ca.crt 2>/dev/null

# issue NAME CN [SANS]: a certificate signed by the CA, for a client or (with SANs) a server.
issue() {
  local name=$1 cn=$2 sans=${3:-}
  openssl req -newkey rsa:2048 -nodes -subj "/O=Koji Example/OU=$name/CN=$cn" \
    -keyout "$name.key" -out "$name.csr" 2>/dev/null
  local ext="basicConstraints=CA:FALSE"
  [ -n "$sans" ] && ext="$ext
subjectAltName=$sans"
  openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 365 \
    -extfile <(printf '%s\n' "$ext") -out "$name.crt" 2>/dev/null
  cat "$name.crt" "$name.key" >"$name.pem"
}

secret_tls() { # SECRET NAME
  cat <<YAML
---
apiVersion: v1
kind: Secret
metadata:
  name: $1
type: kubernetes.io/tls
data:
  tls.crt: $(b64 "$2.crt")
  tls.key: $(b64 "$2.key")
  client.pem: $(b64 "$2.pem")
  ca.crt: $(b64 ca.crt)
YAML
}

secret_ca() { # SECRET
  cat <<YAML
---
apiVersion: v1
kind: Secret
metadata:
  name: $1
data:
  ca.crt: $(b64 ca.crt)
YAML
}

# The hub is reached under its own Service (the KojiHub's name, mb-koji-hub in the example)
# and under the `koji-hub` Service the operator adds for the proposal's hub_host/koji_hub_url.
hub=koji-hub
own=${HUB_NAME:-mb-koji-hub}
sans=
for name in "$own" "$hub"; do
  sans="$sans,DNS:$name,DNS:$name.$namespace,DNS:$name.$namespace.svc,DNS:$name.$namespace.svc.cluster.local"
done
issue hub-service "$own" "${sans#,},DNS:localhost"
issue kojiweb kojiweb
issue kojira kojira
issue kojiadmin kojiadmin
# One builder host per StatefulSet ordinal: the example KojiBuilder "default" has replica 0.
issue builder default-0
issue messaging koji

{
  secret_ca koji-hub-ca-cert
  secret_ca ca-cert
  secret_tls koji-hub-service-cert hub-service
  secret_tls koji-web-client-cert kojiweb
  secret_tls kojira-client-cert kojira
  secret_tls kojira-cert kojira
  secret_tls koji-admin-client-cert kojiadmin
  secret_tls koji-builder-client-cert builder
  # The proposal's RabbitMQ Secret, with its key names.
  cat <<YAML
---
apiVersion: v1
kind: Secret
metadata:
  name: koji-fedora-messaging-cert
data:
  ca_cert.pem: $(b64 ca.crt)
  client_cert.pem: $(b64 messaging.crt)
  client_key.pem: $(b64 messaging.key)
---
# messaging_cert_cm of the example KojiHub: the public half only, since a ConfigMap is no
# place for a key (which stays in koji-fedora-messaging-cert).
apiVersion: v1
kind: ConfigMap
metadata:
  name: koji-hub-msg
data:
  ca_cert.pem: |
$(sed 's/^/    /' ca.crt)
  client_cert.pem: |
$(sed 's/^/    /' messaging.crt)
YAML
} >secrets.yaml

echo "wrote $out/secrets.yaml; apply it with: kubectl -n $namespace apply -f $out/secrets.yaml" >&2
