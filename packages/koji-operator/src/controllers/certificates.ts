// Certificates a workload needs and the operator may issue itself: when the Secret a CR names
// is missing and the CA Secret holds the CA's key. Client certificates (kojiweb, kojira,
// builders) come from the CA that the namespace's KojiHub trusts for client logins (its
// ca_cert_secret), so the hub accepts them; the hub's own service and admin certificates from
// that same CA. A Secret that exists is never written (builders' per-replica Secrets the
// operator issued itself excepted: see certs/host-certificates.ts).
import type { HandlerContext, OwnerReference } from '@fedora-operators/framework';

import type { KojiHub } from '../api/koji-hub.js';
import {
  ensureCertificateSecret,
  ensureHostCertificates,
  type CertificatePurpose,
  type HostCertificatesResult,
  type HostIdentity,
} from '../certs/index.js';

export function ownerOf(ctx: HandlerContext<unknown, unknown>): OwnerReference {
  return {
    apiVersion: ctx.body.apiVersion ?? 'koji.fedoraproject.org/v1alpha1',
    kind: ctx.body.kind ?? '',
    name: ctx.name,
    uid: ctx.meta.uid ?? '',
  };
}

export interface CertificateWanted {
  secretName: string | undefined;
  commonName: string;
  purpose?: CertificatePurpose;
  dnsNames?: readonly string[];
}

/**
 * Issues each wanted certificate whose Secret is missing, signed by `caSecretName`'s CA.
 * Returns why those that could not be issued were not, for the missing-Secret message.
 */
export async function issueMissingCertificates(
  ctx: HandlerContext<unknown, unknown>,
  caSecretName: string | undefined,
  wanted: readonly CertificateWanted[],
): Promise<string[]> {
  if (!caSecretName) return [];
  const notIssued: string[] = [];
  for (const cert of wanted) {
    if (!cert.secretName) continue;
    const result = await ensureCertificateSecret(
      ctx.client,
      {
        namespace: ctx.namespace ?? '',
        secretName: cert.secretName,
        caSecretName,
        commonName: cert.commonName,
        purpose: cert.purpose ?? 'client',
        ...(cert.dnsNames ? { dnsNames: cert.dnsNames } : {}),
        owner: ownerOf(ctx),
      },
      ctx.logger,
    );
    if (result.state === 'unavailable') notIssued.push(result.message);
  }
  return notIssued;
}

/** A builder's per-replica certificates, from the hub's client CA (certs/host-certificates.ts). */
export async function ensureBuilderCertificates(
  ctx: HandlerContext<unknown, unknown>,
  hub: KojiHub | undefined,
  secretName: string,
  hosts: readonly HostIdentity[],
): Promise<HostCertificatesResult> {
  return ensureHostCertificates(
    ctx.client,
    {
      namespace: ctx.namespace ?? '',
      secretName,
      caSecretName: hub?.spec?.ca_cert_secret,
      hosts,
      owner: ownerOf(ctx),
    },
    ctx.logger,
  );
}
