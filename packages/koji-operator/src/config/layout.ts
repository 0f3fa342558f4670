// Where the workloads find what the config files point at. The manifests mount Secrets at
// these paths, so this file is the contract between config/ and manifests/.

export const kojiDir = '/mnt/koji';

/** Keys inside the referenced Secrets (examples/gen-certs.sh writes them so). */
export const secretKeys = {
  caCert: 'ca.crt',
  /** Certificate and key in one PEM: the koji tools' `cert` option wants that. */
  clientPem: 'client.pem',
  tlsCert: 'tls.crt',
  tlsKey: 'tls.key',
} as const;

export const pki = {
  caCert: `/etc/koji-pki/ca/${secretKeys.caCert}`,
  clientPem: `/etc/koji-pki/client/${secretKeys.clientPem}`,
  serviceCert: `/etc/koji-pki/service/${secretKeys.tlsCert}`,
  serviceKey: `/etc/koji-pki/service/${secretKeys.tlsKey}`,
} as const;

/** Unprivileged ports, so httpd runs as non-root. */
export const hubPorts = { http: 8080, https: 8443 } as const;

/** The key of each file in a user's `configmap`. */
export const overrideKeys = {
  hub: 'hub.conf',
  web: 'web.conf',
  kojira: 'kojira.conf',
  kojid: 'kojid.conf',
} as const;
