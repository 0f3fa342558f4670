import { diff, valueAt } from './diff.js';

test('leaf changes with their paths, sorted by key', () => {
  expect(diff({ spec: { a: 1, b: { c: 2 } } }, { spec: { a: 1, b: { c: 3 }, d: 'x' } })).toEqual([
    { op: 'change', path: ['spec', 'b', 'c'], old: 2, new: 3 },
    { op: 'add', path: ['spec', 'd'], old: undefined, new: 'x' },
  ]);
});

test('removals, and arrays compared as values', () => {
  expect(diff({ spec: { list: [1, 2], gone: true } }, { spec: { list: [1, 2] } })).toEqual([
    { op: 'remove', path: ['spec', 'gone'], old: true, new: undefined },
  ]);
  expect(diff({ list: [1, 2] }, { list: [2, 1] })).toEqual([
    { op: 'change', path: ['list'], old: [1, 2], new: [2, 1] },
  ]);
});

test('create: everything is added', () => {
  expect(diff(undefined, { spec: { a: 1 } })).toEqual([
    { op: 'add', path: [], old: undefined, new: { spec: { a: 1 } } },
  ]);
});

test('valueAt reads dotted paths', () => {
  expect(valueAt({ spec: { replicas: 3 } }, 'spec.replicas')).toBe(3);
  expect(valueAt({ spec: {} }, 'spec.replicas.x')).toBeUndefined();
  expect(valueAt(undefined, 'spec')).toBeUndefined();
});
