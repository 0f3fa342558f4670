// Where the workloads find what the config files point at. The manifests mount Secrets at
// these paths, so this file is the contract between config/ and manifests/.

import { httpPorts, kojiDir, pkiFiles } from '../images/contract.js';

export { kojiDir };

/** Keys inside the referenced Secrets (examples/gen-certs.sh writes them so). */
export const secretKeys = {
  caCert: 'ca.crt',
  /** Certificate and key in one PEM: the koji tools' `cert` option wants that. */
  clientPem: 'client.pem',
  tlsCert: 'tls.crt',
  tlsKey: 'tls.key',
} as const;

/** Where the pods mount each certificate: the image contract's paths. */
export const pki = pkiFiles;

/** Unprivileged ports, so httpd runs as non-root. */
export const hubPorts = httpPorts;

/** The key of each file in a user's `configmap`. */
export const overrideKeys = {
  hub: 'hub.conf',
  web: 'web.conf',
  kojira: 'kojira.conf',
  kojid: 'kojid.conf',
} as const;
