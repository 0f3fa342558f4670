// The "essence" of an object is what its handlers react to: everything except metadata,
// status and the type header. Its last handled value (the diff-base) is stored on the object,
// so status or metadata writes, including our own, never look like updates.
import { createHash } from 'node:crypto';
import type { KubeObject } from '../kube/object.js';

export type Essence = Record<string, unknown>;

export function essenceOf(object: KubeObject): Essence {
  const essence: Essence = {};
  for (const [key, value] of Object.entries(object)) {
    if (key !== 'metadata' && key !== 'status' && key !== 'apiVersion' && key !== 'kind')
      essence[key] = value;
  }
  return essence;
}

/** JSON with sorted keys, so equal values always serialise (and hash) equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

export function hashOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 16);
}

/** Hashes of objects' essences: a run asks for one several times (planning, committing). */
const essenceHashes = new WeakMap<KubeObject, string>();

/** hashOf(essenceOf(object)), computed once per object (cached objects are never mutated). */
export function essenceHashOf(object: KubeObject): string {
  let hash = essenceHashes.get(object);
  if (hash === undefined) essenceHashes.set(object, (hash = hashOf(essenceOf(object))));
  return hash;
}
