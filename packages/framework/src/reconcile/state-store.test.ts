import type { KubeObject } from '../kube/object.js';
import { emptyPatch } from './context.js';
import { mergePatched } from './object-writer.js';
import { storageKeys } from './progress.js';
import { defaultStorageMode, StateStore } from './state-store.js';

const keys = storageKeys('x.org');
const object = (
  status: Record<string, unknown> = {},
  annotations: Record<string, string> = {},
): KubeObject => ({
  metadata: { name: 'o', annotations },
  status,
});

test('custom resources with a status subresource default to status; built-in kinds to annotations', () => {
  const ref = (group: string, kind = 'K') => ({ group, version: 'v1', kind, plural: 'ks', namespaced: true });
  expect(defaultStorageMode(ref('example.org'), true)).toBe('status');
  expect(defaultStorageMode(ref('example.org'), false)).toBe('annotations');
  expect(defaultStorageMode(ref('', 'ConfigMap'), true)).toBe('annotations');
  expect(defaultStorageMode(ref('apps', 'Deployment'), true)).toBe('annotations');
  expect(defaultStorageMode(ref('networking.k8s.io', 'Ingress'), true)).toBe('annotations');
});

test('the status mode writes the record into the status patch and clears an older annotation', () => {
  const store = new StateStore(keys, 'status', 'x.org');
  const patch = emptyPatch();
  const old = object({}, { [keys.diffBase]: 'sha256:old', other: 'kept' });
  store.put(old, patch, { diffBase: 'sha256:new', progress: null });
  expect(patch.status).toEqual({ 'x.org': { 'last-handled-configuration': 'sha256:new', progress: null } });
  expect(patch.metadata.annotations).toEqual({ [keys.diffBase]: null });
});

test('each mode reads its own place first and the other as a fallback (objects recorded by older versions)', () => {
  const both = object(
    { 'x.org': { progress: 'in-status' } },
    { [keys.progress]: 'in-annotation', [keys.diffBase]: 'a' },
  );
  const status = new StateStore(keys, 'status', 'x.org');
  const annotations = new StateStore(keys, 'annotations', 'x.org');
  expect(status.read(both, 'progress')).toBe('in-status');
  expect(annotations.read(both, 'progress')).toBe('in-annotation');
  expect(status.read(both, 'diffBase')).toBe('a');
  expect(status.read(object(), 'diffBase')).toBeUndefined();
});

test('a status that came back without the record was pruned; after fallBack the record goes to annotations', () => {
  const store = new StateStore(keys, 'status', 'x.org');
  const record = { diffBase: 'sha256:new' };
  const stored = object({ 'x.org': { 'last-handled-configuration': 'sha256:new' } });
  expect(store.pruned(stored, record, 'status')).toBe(false);
  expect(store.pruned(object({ seen: 1 }), record, 'status')).toBe(true);
  store.fallBack();
  const patch = emptyPatch();
  expect(store.put(object(), patch, record)).toBe('annotations');
  // A run that put its record in status before the fallback still learns it was pruned.
  expect(store.pruned(object({ seen: 1 }), record, 'status')).toBe(true);
  expect(patch.metadata.annotations).toEqual({ [keys.diffBase]: 'sha256:new' });
  expect(patch.status).toEqual({});
});

test('merge patches are compared by what they change', () => {
  expect(mergePatched({ a: 1, b: { c: 2 } }, { b: { c: null, d: 3 } })).toEqual({ a: 1, b: { d: 3 } });
  expect(mergePatched(undefined, null)).toBeUndefined();
  expect(mergePatched({ a: 1 }, [1])).toEqual([1]);
});
