// What is remembered of a referenced object: a hash of its content, never the content, so a
// Secret's data never lands in an annotation (and large objects never hit the size limit).
import type { KubeObject } from '../kube/object.js';
import { hashOf } from '../reconcile/essence.js';

export const ABSENT_HASH = 'absent';

export function contentHash(object: KubeObject | undefined): string {
  if (!object) return ABSENT_HASH;
  const { metadata: _metadata, status: _status, apiVersion: _apiVersion, kind: _kind, ...content } = object;
  return hashOf(content);
}
