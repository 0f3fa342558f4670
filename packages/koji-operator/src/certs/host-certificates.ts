// One client certificate per builder replica, in one Secret: key `<pod name>.pem` holds the
// certificate and key of that replica's koji host (CN = host name), as the builder pods' init
// container expects (manifests/koji-builder.ts). No two kojid share an identity.
//
// - The Secret is missing: it is issued, one certificate per replica, from the CA (when the CA
//   Secret holds its key), labelled as the operator's.
// - The Secret is the operator's (its label): certificates of new replicas are added on a
//   scale-up; those of replicas scaled away stay, so a scale-up again reuses them.
// - The Secret is the user's: never written. Replicas without their file are reported, since
//   their pods cannot start; `client.pem` serves replica 0 (a one-host Secret made by hand).
import { CoreResources, isApiError, type KubeClient, type OwnerReference } from '@fedora-operators/framework';

import { secretKeys } from '../config/layout.js';
import {
  caCertKeys,
  caKeyKeys,
  issuedSecretMetadata,
  logIssued,
  managedByLabel,
  type CertificateLogger,
} from './certificate-secret.js';
import { issueCertificate } from './issue.js';
import { encodeSecretData, readSecretData, type SecretObject } from './secret-data.js';

export interface HostIdentity {
  /** The pod's name: the Secret key is `<pod>.pem`. */
  pod: string;
  /** The koji host name: the certificate's CN. */
  commonName: string;
}

export interface HostCertificatesSpec {
  namespace: string;
  secretName: string;
  /** The CA to issue from; undefined: none known, so only check what is there. */
  caSecretName: string | undefined;
  /** In ordinal order: the first may use `client.pem` in a user's Secret. */
  hosts: readonly HostIdentity[];
  owner?: OwnerReference;
  validityDays?: number;
}

export type HostCertificatesResult =
  | { state: 'complete' }
  | { state: 'issued'; issued: string[] }
  /** Some replicas have no certificate and the operator may or can not issue them. */
  | { state: 'incomplete'; reason: 'MissingHostCertificate'; missing: string[]; message: string }
  | { state: 'unavailable'; reason: 'CaSecretMissing' | 'CaKeyMissing'; message: string };

export const hostCertificateKey = (pod: string): string => `${pod}.pem`;

const first = (data: Record<string, string>, keys: readonly string[]) =>
  keys.map((k) => data[k]).find((v) => v !== undefined && v !== '');

/** The hosts of `hosts` whose pods would find no certificate in a Secret holding `keys`. */
export function hostsWithoutCertificate(hosts: readonly HostIdentity[], keys: readonly string[]): string[] {
  return hosts
    .filter(
      (h, ordinal) =>
        !keys.includes(hostCertificateKey(h.pod)) && !(ordinal === 0 && keys.includes(secretKeys.clientPem)),
    )
    .map((h) => h.pod);
}

export async function ensureHostCertificates(
  client: KubeClient,
  spec: HostCertificatesSpec,
  logger?: CertificateLogger,
): Promise<HostCertificatesResult> {
  const existing = await client.find<SecretObject>(CoreResources.secret, spec.namespace, spec.secretName);
  const keys = Object.keys(existing?.data ?? {});
  const ours = Object.entries(managedByLabel).every(([k, v]) => existing?.metadata.labels?.[k] === v);
  const lacking = existing
    ? spec.hosts.filter((h) => !keys.includes(hostCertificateKey(h.pod)))
    : [...spec.hosts];
  if (existing && !ours) {
    const missing = hostsWithoutCertificate(spec.hosts, keys);
    if (missing.length === 0) return { state: 'complete' };
    return {
      state: 'incomplete',
      reason: 'MissingHostCertificate',
      missing,
      message: `Secret ${spec.secretName} has no certificate for ${missing.join(', ')} (keys ${missing
        .map(hostCertificateKey)
        .join(', ')}); add them, or delete the Secret to have the operator issue one per replica`,
    };
  }
  if (lacking.length === 0) return { state: 'complete' };

  const ca = spec.caSecretName ? await readSecretData(client, spec.namespace, spec.caSecretName) : undefined;
  const caCert = ca && first(ca, caCertKeys);
  const caKey = ca && first(ca, caKeyKeys);
  if (!ca || !caCert || !caKey) {
    const why = !ca
      ? {
          reason: 'CaSecretMissing' as const,
          text: spec.caSecretName
            ? `the CA Secret ${spec.caSecretName} does not exist`
            : 'there is no KojiHub in the namespace whose client CA could be used',
        }
      : {
          reason: 'CaKeyMissing' as const,
          text: `the CA Secret ${spec.caSecretName} holds no CA key (${caKeyKeys.join(' or ')})`,
        };
    const message = `no certificate for ${lacking.map((h) => h.pod).join(', ')} in Secret ${spec.secretName} and ${why.text} to issue them`;
    return existing
      ? { state: 'incomplete', reason: 'MissingHostCertificate', missing: lacking.map((h) => h.pod), message }
      : { state: 'unavailable', reason: why.reason, message };
  }

  const added: Record<string, string> = {};
  for (const host of lacking) {
    const issued = await issueCertificate(
      { certPem: caCert, keyPem: caKey },
      {
        commonName: host.commonName,
        purpose: 'client',
        ...(spec.validityDays !== undefined ? { validityDays: spec.validityDays } : {}),
      },
    );
    added[hostCertificateKey(host.pod)] = issued.certPem + issued.keyPem;
    logIssued(
      logger,
      `issued certificate for koji host ${host.commonName} into Secret ${spec.secretName}`,
      spec.secretName,
      host.commonName,
      issued,
    );
  }
  if (existing) {
    // Merge patch adds keys and keeps the others; resourceVersion makes a concurrent writer's
    // change fail this one (409) instead of being lost; the next run issues again.
    await client.mergePatch(CoreResources.secret, spec.namespace, spec.secretName, {
      metadata: { resourceVersion: existing.metadata.resourceVersion },
      data: encodeSecretData(added),
    });
    return { state: 'issued', issued: lacking.map((h) => h.pod) };
  }
  const secret: SecretObject = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: issuedSecretMetadata(spec, spec.hosts.map((h) => h.commonName).join(',')),
    type: 'Opaque',
    data: encodeSecretData({ ...added, [secretKeys.caCert]: caCert }),
  };
  try {
    await client.create(CoreResources.secret, secret);
  } catch (error) {
    // Created meanwhile by someone else (another operator replica, a person): judge theirs.
    if (isApiError(error, 409)) return ensureHostCertificates(client, spec, logger);
    throw error;
  }
  return { state: 'issued', issued: lacking.map((h) => h.pod) };
}
