// Makes sure a certificate Secret exists: when it is missing and the CA Secret holds the CA's
// key, a certificate (CN = the koji user or host name) is issued into it. One function serves
// KojiUser client certificates, koji-hub's service certificate and the web, kojira and builder
// client certificates. An existing Secret is never touched: it may be the user's own.
import { CoreResources, isApiError, type KubeClient, type OwnerReference } from '@fedora-operators/framework';

import { secretKeys } from '../config/layout.js';
import { issueCertificate, type CertificatePurpose, type IssuedCertificate } from './issue.js';
import { encodeSecretData, readSecretData, type SecretObject } from './secret-data.js';

/** Where a CA Secret keeps its key: tls.key (a kubernetes.io/tls Secret) or ca.key. */
export const caKeyKeys = [secretKeys.tlsKey, 'ca.key'] as const;
/** Where a CA Secret keeps its certificate: ca.crt, or tls.crt in a kubernetes.io/tls Secret. */
export const caCertKeys = [secretKeys.caCert, secretKeys.tlsCert] as const;

export const managedByLabel = { 'app.kubernetes.io/managed-by': 'koji-operator' } as const;
/** Annotation on issued Secrets: the CN issued, so people can tell what the Secret is for. */
export const issuedForAnnotation = 'koji.fedoraproject.org/issued-for';

export interface CertificateSecretSpec {
  namespace: string;
  secretName: string;
  caSecretName: string;
  commonName: string;
  purpose?: CertificatePurpose;
  dnsNames?: readonly string[];
  ipAddresses?: readonly string[];
  validityDays?: number;
  /** Set on an issued Secret so it goes away with its owner. */
  owner?: OwnerReference;
}

export type CertificateSecretResult =
  | { state: 'present' }
  | { state: 'issued'; serialNumber: string; notAfter: Date }
  /** Missing and cannot be issued: the reason is a CamelCase word for a condition. */
  | { state: 'unavailable'; reason: 'CaSecretMissing' | 'CaKeyMissing'; message: string };

export interface CertificateLogger {
  info(message: string, meta?: Record<string, unknown>): void;
}

/** An issued Secret's metadata: labelled as the operator's, naming what it was issued for. */
export function issuedSecretMetadata(
  spec: { secretName: string; namespace: string; owner?: OwnerReference | undefined },
  issuedFor: string,
): SecretObject['metadata'] {
  return {
    name: spec.secretName,
    namespace: spec.namespace,
    labels: { ...managedByLabel },
    annotations: { [issuedForAnnotation]: issuedFor },
    ...(spec.owner ? { ownerReferences: [spec.owner] } : {}),
  };
}

/** Logs an issued certificate by its public facts only: never the key or the PEMs. */
export function logIssued(
  logger: CertificateLogger | undefined,
  message: string,
  secretName: string,
  commonName: string,
  issued: Pick<IssuedCertificate, 'serialNumber' | 'notAfter'>,
): void {
  logger?.info(message, {
    secret: secretName,
    commonName,
    serialNumber: issued.serialNumber,
    notAfter: issued.notAfter.toISOString(),
  });
}

function first(data: Record<string, string>, keys: readonly string[]): string | undefined {
  for (const k of keys) if (data[k]) return data[k];
  return undefined;
}

export async function ensureCertificateSecret(
  client: KubeClient,
  spec: CertificateSecretSpec,
  logger?: CertificateLogger,
): Promise<CertificateSecretResult> {
  const existing = await client.find(CoreResources.secret, spec.namespace, spec.secretName);
  if (existing) return { state: 'present' };
  const ca = await readSecretData(client, spec.namespace, spec.caSecretName);
  if (!ca) {
    return {
      state: 'unavailable',
      reason: 'CaSecretMissing',
      message: `Secret ${spec.secretName} is missing and the CA Secret ${spec.caSecretName} does not exist to issue it`,
    };
  }
  const caCert = first(ca, caCertKeys);
  const caKey = first(ca, caKeyKeys);
  if (!caCert || !caKey) {
    return {
      state: 'unavailable',
      reason: 'CaKeyMissing',
      message: `Secret ${spec.secretName} is missing and the CA Secret ${spec.caSecretName} holds no CA key (${caKeyKeys.join(' or ')}) and certificate (${caCertKeys.join(' or ')}) to issue it; create the Secret yourself`,
    };
  }
  const issued = await issueCertificate(
    { certPem: caCert, keyPem: caKey },
    {
      commonName: spec.commonName,
      purpose: spec.purpose ?? 'client',
      ...(spec.dnsNames ? { dnsNames: spec.dnsNames } : {}),
      ...(spec.ipAddresses ? { ipAddresses: spec.ipAddresses } : {}),
      ...(spec.validityDays !== undefined ? { validityDays: spec.validityDays } : {}),
    },
  );
  const secret: SecretObject = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: issuedSecretMetadata(spec, spec.commonName),
    type: 'kubernetes.io/tls',
    // The layout of examples/gen-certs.sh (config/layout.ts): the koji tools read client.pem.
    data: encodeSecretData({
      [secretKeys.tlsCert]: issued.certPem,
      [secretKeys.tlsKey]: issued.keyPem,
      [secretKeys.caCert]: issued.caPem,
      [secretKeys.clientPem]: issued.certPem + issued.keyPem,
    }),
  };
  try {
    await client.create(CoreResources.secret, secret);
  } catch (error) {
    // Someone (another replica, a person) created it meanwhile: theirs stands.
    if (isApiError(error, 409)) return { state: 'present' };
    throw error;
  }
  logIssued(logger, `issued certificate Secret ${spec.secretName}`, spec.secretName, spec.commonName, issued);
  return { state: 'issued', serialNumber: issued.serialNumber, notAfter: issued.notAfter };
}
