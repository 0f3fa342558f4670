// A content hash of the Secrets and ConfigMaps a pod reads. It goes into the pod template,
// so a changed certificate or config file changes the template and rolls the pods (a
// mounted Secret would update in place, but koji's daemons and httpd read files only at start).
import { createHash } from 'node:crypto';
import type { KubeObject } from '@fedora-operators/framework';

export interface HashInput {
  kind: string;
  name: string;
  data?: Record<string, string> | undefined;
  binaryData?: Record<string, string> | undefined;
}

/** Hash of referenced objects' contents, independent of the order they are given in. */
export function contentHash(objects: readonly HashInput[]): string {
  const canonical = [...objects]
    .map((o) => ({
      id: `${o.kind}/${o.name}`,
      data: Object.entries({ ...(o.data ?? {}), ...prefixed(o.binaryData) }).sort(([a], [b]) =>
        a < b ? -1 : a > b ? 1 : 0,
      ),
    }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex').slice(0, 32);
}

function prefixed(binary: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(binary ?? {}).map(([k, v]) => [`binary:${k}`, v]));
}

/** The hash input of a Secret or ConfigMap as read from the apiserver. */
export function hashInputOf(object: KubeObject): HashInput {
  return {
    kind: object.kind ?? '',
    name: object.metadata.name ?? '',
    data: object.data as Record<string, string> | undefined,
    binaryData: object.binaryData as Record<string, string> | undefined,
  };
}
