import type { KubeObject } from '../kube/object.js';
import { HashRing, shardKeyOf } from './hash-ring.js';

const keys = Array.from({ length: 30_000 }, (_, i) => `uid:${i}-3f2a`);
const members = (n: number) => Array.from({ length: n }, (_, i) => `op-${i}`);

function owners(ring: HashRing): Map<string, string> {
  return new Map(keys.map((k) => [k, ring.ownerOf(k) as string]));
}

test.each([2, 3, 4, 5])('%i members each own their share of the keys within 12%', (n) => {
  const counts = new Map<string, number>();
  for (const owner of owners(new HashRing(members(n))).values())
    counts.set(owner, (counts.get(owner) ?? 0) + 1);
  expect(counts.size).toBe(n);
  const mean = keys.length / n;
  for (const count of counts.values()) expect(Math.abs(count - mean) / mean).toBeLessThan(0.12);
});

test('adding a member moves only keys to it, about 1/N of them', () => {
  const before = owners(new HashRing(members(3)));
  const after = owners(new HashRing(members(4)));
  const moved = keys.filter((k) => before.get(k) !== after.get(k));
  expect(moved.every((k) => after.get(k) === 'op-3')).toBe(true);
  expect(moved.length / keys.length).toBeGreaterThan(0.2);
  expect(moved.length / keys.length).toBeLessThan(0.3);
});

test('removing a member moves only its keys, spread over the others', () => {
  const before = owners(new HashRing(members(4)));
  const after = owners(new HashRing(['op-0', 'op-2', 'op-3']));
  const moved = keys.filter((k) => before.get(k) !== after.get(k));
  expect(moved.length).toBeGreaterThan(0);
  expect(moved.every((k) => before.get(k) === 'op-1')).toBe(true);
  expect(keys.filter((k) => before.get(k) === 'op-1').length).toBe(moved.length);
  expect(new Set(moved.map((k) => after.get(k)))).toEqual(new Set(['op-0', 'op-2', 'op-3']));
});

test('every replica computes the same owner whatever order it learned the members in', () => {
  const a = new HashRing(['b', 'c', 'a']);
  const b = new HashRing(['a', 'b', 'c', 'a']);
  for (const k of keys.slice(0, 1000)) expect(a.ownerOf(k)).toBe(b.ownerOf(k));
});

test('an empty ring owns nothing', () => {
  expect(new HashRing([]).ownerOf('uid:x')).toBeUndefined();
});

const object = (namespace: string | undefined, uid: string): KubeObject => ({
  metadata: { name: uid, namespace, uid },
});

test('by namespace, all objects of a namespace share an owner; by uid they spread', () => {
  const ring = new HashRing(members(3));
  const byNamespace = new Set(
    Array.from({ length: 50 }, (_, i) => ring.ownerOf(shardKeyOf(object('koji', `u${i}`), 'namespace'))),
  );
  expect(byNamespace.size).toBe(1);
  const byUid = new Set(
    Array.from({ length: 50 }, (_, i) => ring.ownerOf(shardKeyOf(object('koji', `u${i}`), 'uid'))),
  );
  expect(byUid.size).toBe(3);
});

test('a cluster-scoped object keyed by namespace goes by its uid', () => {
  expect(shardKeyOf(object(undefined, 'u1'), 'namespace')).toBe(shardKeyOf(object(undefined, 'u1'), 'uid'));
});
