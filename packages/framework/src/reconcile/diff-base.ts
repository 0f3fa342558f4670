// The diff-base: the last handled essence of an object, stored on the object so a restarted
// operator (or a new leader) knows what was handled (an annotation or a status field, see
// state-store.ts). Stored as a copy only when a handler can use the old values (update and
// field handlers) and the copy is small; otherwise as a hash, which still tells "did it
// change". Secrets and ConfigMaps never get a copy: their data would leak into metadata and
// hit the 256 KB annotation limit (kopf#1087).
// Reading fails soft: an unreadable value counts as "never handled".
import type { ResourceRef } from '../kube/resource.js';
import { canonicalJson, hashOf, type Essence } from './essence.js';

export interface DiffBase {
  hash: string;
  /** The handled essence itself; absent when only its hash is stored. */
  essence?: Essence;
}

const HASH_PREFIX = 'sha256:';

/** The diff-base a stored value says (see state-store.ts for where it is stored). */
export function decodeDiffBase(raw: string | undefined): DiffBase | undefined {
  if (!raw) return undefined;
  if (raw.startsWith(HASH_PREFIX)) return { hash: raw.slice(HASH_PREFIX.length) };
  try {
    const essence = JSON.parse(raw) as Essence;
    return { hash: hashOf(essence), essence };
  } catch {
    return undefined;
  }
}

export type DiffBasePolicy = 'copy' | 'hash';

/** Kinds whose content must never be copied into an annotation. */
export function neverCopied(resource: ResourceRef): boolean {
  return resource.group === '' && (resource.kind === 'Secret' || resource.kind === 'ConfigMap');
}

export interface EncodedDiffBase {
  value: string;
  /** Set when a copy was wanted but was over the limit: its size in bytes. */
  tooLargeBytes?: number;
}

export function encodeDiffBase(essence: Essence, policy: DiffBasePolicy, maxBytes: number): EncodedDiffBase {
  const hashed = () => `${HASH_PREFIX}${hashOf(essence)}`;
  if (policy === 'hash') return { value: hashed() };
  const copy = canonicalJson(essence);
  const bytes = Buffer.byteLength(copy);
  return bytes <= maxBytes ? { value: copy } : { value: hashed(), tooLargeBytes: bytes };
}

/** Whether the stored annotation already says what `encoded` says (whatever the key order). */
export function sameDiffBase(stored: string | undefined, encoded: string): boolean {
  if (stored === encoded) return true;
  if (stored === undefined || stored.startsWith(HASH_PREFIX) || encoded.startsWith(HASH_PREFIX)) return false;
  try {
    return canonicalJson(JSON.parse(stored)) === encoded;
  } catch {
    return false;
  }
}
