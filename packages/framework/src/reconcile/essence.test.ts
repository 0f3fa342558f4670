import { canonicalJson, essenceOf, hashOf } from './essence.js';

test('the essence leaves out metadata, status and the type header', () => {
  const object = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'x', resourceVersion: '5', annotations: { a: 'b' } },
    status: { ready: true },
    data: { key: 'value' },
  };
  expect(essenceOf(object)).toEqual({ data: { key: 'value' } });
});

test('status or metadata changes do not change the hash; content changes do', () => {
  const one = { metadata: { name: 'x', resourceVersion: '1' }, spec: { b: 1, a: [1, 2] }, status: { x: 1 } };
  const two = {
    metadata: { name: 'x', resourceVersion: '2', labels: { l: 'v' } },
    spec: { a: [1, 2], b: 1 },
    status: { x: 2 },
  };
  expect(hashOf(essenceOf(one))).toBe(hashOf(essenceOf(two)));
  expect(hashOf(essenceOf({ ...one, spec: { b: 2, a: [1, 2] } }))).not.toBe(hashOf(essenceOf(one)));
});

test('canonical JSON sorts keys at every depth', () => {
  expect(canonicalJson({ b: { d: 1, c: 2 }, a: 0 })).toBe('{"a":0,"b":{"c":2,"d":1}}');
});
