// The PersistentVolumeClaims of a persistent KojiHub: /mnt/koji (the builds, shared with
// kojira and the builders) and httpd's state. They hold data, so unlike every other child they
// are never owned by the KojiHub (deleting it must not garbage-collect the builds) and never
// server-side applied with force (that would adopt and rewrite a claim the user made):
//   - missing: created once, without an owner;
//   - existing: used as it is and reported (origin Existing), never modified; the one exception
//     is an owner reference to this very KojiHub left by an earlier operator version, which is
//     removed so the claim outlives the hub.
import type { ClaimAccessMode, HubClaimStatus, KojiHub } from '../api/index.js';
import { labelsFor } from './labels.js';
import type { KubeObject } from '@fedora-operators/framework';

export interface WantedClaim {
  purpose: HubClaimStatus['purpose'];
  /** The claim to create when none of that name exists. */
  object: KubeObject;
}

export function hubClaimNames(hub: KojiHub) {
  const name = hub.metadata.name ?? '';
  return {
    httpd: hub.spec?.httpd_pvc_name ?? `${name}-httpd`,
    mnt: hub.spec?.mnt_pvc_name ?? `${name}-mnt`,
  };
}

export const hubIsPersistent = (hub: KojiHub): boolean => hub.spec?.persistent ?? true;
export const httpdAccessMode = (hub: KojiHub): ClaimAccessMode =>
  hub.spec?.httpd_pvc_access_mode ?? 'ReadWriteOnce';

/** The claims a KojiHub needs: none when it is not persistent. */
export function hubClaims(hub: KojiHub): WantedClaim[] {
  if (!hubIsPersistent(hub)) return [];
  const spec = hub.spec;
  const names = hubClaimNames(hub);
  const claim = (name: string, size: string, mode: ClaimAccessMode, storageClass: string | undefined) => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name,
      namespace: hub.metadata.namespace,
      labels: labelsFor('koji-hub', hub.metadata.name ?? ''),
    },
    spec: {
      accessModes: [mode],
      resources: { requests: { storage: size } },
      ...(storageClass !== undefined ? { storageClassName: storageClass } : {}),
    },
  });
  return [
    {
      purpose: 'mnt',
      // Shared with kojira and the builders, on other pods and nodes.
      object: claim(names.mnt, spec?.mnt_pvc_size ?? '10Gi', 'ReadWriteMany', spec?.mnt_pvc_storage_class),
    },
    {
      purpose: 'httpd',
      object: claim(
        names.httpd,
        spec?.httpd_pvc_size ?? '1Gi',
        httpdAccessMode(hub),
        spec?.httpd_pvc_storage_class,
      ),
    },
  ];
}

export type ClaimAction =
  | { action: 'create' }
  | { action: 'use' }
  /** Drop owner references at these indexes (this hub's, from an earlier operator version). */
  | { action: 'release'; ownerIndexes: number[] };

/** What to do about one wanted claim, given the claim of that name if there is one. */
export function claimAction(existing: KubeObject | undefined, hubUid: string): ClaimAction {
  if (!existing) return { action: 'create' };
  const ownerIndexes = (existing.metadata.ownerReferences ?? [])
    .map((o, i) => (o.uid === hubUid ? i : -1))
    .filter((i) => i >= 0);
  return ownerIndexes.length ? { action: 'release', ownerIndexes } : { action: 'use' };
}
