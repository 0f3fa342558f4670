import { decodeDiffBase, encodeDiffBase, neverCopied, sameDiffBase } from './diff-base.js';
import { hashOf } from './essence.js';

test('a small essence is stored as a copy, readable with its hash', () => {
  const essence = { spec: { b: 1, a: 2 } };
  const encoded = encodeDiffBase(essence, 'copy', 1024);
  expect(encoded.tooLargeBytes).toBeUndefined();
  expect(decodeDiffBase(encoded.value)).toEqual({ hash: hashOf(essence), essence });
});

test('over the limit, or by policy, only a hash is stored; the size is reported when a copy was wanted', () => {
  const essence = { spec: { blob: 'x'.repeat(5000) } };
  const big = encodeDiffBase(essence, 'copy', 1024);
  expect(big.tooLargeBytes).toBeGreaterThan(5000);
  expect(big.value.length).toBeLessThan(100);
  expect(decodeDiffBase(big.value)).toEqual({ hash: hashOf(essence) });
  expect(encodeDiffBase(essence, 'hash', 1 << 20)).toEqual({ value: big.value });
});

test('a stored copy in another key order is the same diff-base; an unreadable one is none', () => {
  expect(sameDiffBase('{"spec":{"b":1,"a":2}}', '{"spec":{"a":2,"b":1}}')).toBe(true);
  expect(sameDiffBase('{"spec":{"a":1}}', '{"spec":{"a":2}}')).toBe(false);
  expect(decodeDiffBase('{not json')).toBeUndefined();
});

test('Secrets and ConfigMaps are never copied', () => {
  const core = { group: '', version: 'v1', plural: 'x', namespaced: true };
  expect(neverCopied({ ...core, kind: 'Secret' })).toBe(true);
  expect(neverCopied({ ...core, kind: 'ConfigMap' })).toBe(true);
  expect(neverCopied({ ...core, kind: 'Service' })).toBe(false);
});
