// A consistent-hash ring: which shard owns a key, such that adding or removing one member
// moves only the keys that member gains or loses (about 1/N of them), never keys between the
// others. Each member sits on the ring at `virtualNodes` points (hashes of `member#i`); a key
// belongs to the first point clockwise from its own hash. Pure and deterministic: every
// replica and every sharder computes the same owner from the same member set.
// Fails: never; an empty ring owns nothing (ownerOf returns undefined).
import { createHash } from 'node:crypto';
import type { KubeObject } from '../kube/object.js';

export type ShardKey = 'uid' | 'namespace';

export const DEFAULT_VIRTUAL_NODES = 160;

export class HashRing {
  private readonly points: number[] = [];
  private readonly owners: string[] = [];
  readonly members: readonly string[];

  constructor(members: Iterable<string>, { virtualNodes = DEFAULT_VIRTUAL_NODES } = {}) {
    this.members = [...new Set(members)].sort();
    const all: [number, string][] = [];
    for (const member of this.members)
      for (let i = 0; i < virtualNodes; i++) all.push([hash32(`${member}#${i}`), member]);
    // Ties (vanishingly rare) are broken by member name, so every replica orders them alike.
    all.sort(([a, m], [b, n]) => a - b || (m < n ? -1 : m > n ? 1 : 0));
    for (const [point, member] of all) {
      this.points.push(point);
      this.owners.push(member);
    }
  }

  ownerOf(key: string): string | undefined {
    if (this.points.length === 0) return undefined;
    const h = hash32(key);
    // The first point at or after h (binary search), wrapping to the start.
    let [lo, hi] = [0, this.points.length];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.points[mid] as number) < h) lo = mid + 1;
      else hi = mid;
    }
    return this.owners[lo === this.points.length ? 0 : lo];
  }
}

/** What an object is hashed by: its uid, or its namespace (all of a namespace together). */
export function shardKeyOf(object: KubeObject, key: ShardKey): string {
  const { uid, namespace, name } = object.metadata;
  // A cluster-scoped object has no namespace to keep it with: it goes by its own identity.
  if (key === 'namespace' && namespace) return `ns:${namespace}`;
  return `uid:${uid ?? name ?? ''}`;
}

function hash32(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0);
}
