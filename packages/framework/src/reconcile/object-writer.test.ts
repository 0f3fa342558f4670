import type { KubeObject } from '../kube/object.js';
import { untouched } from './object-writer.js';
import { emptyPatch } from './context.js';

const object = (
  status: Record<string, unknown>,
  annotations: Record<string, string> = {},
  spec = {},
): KubeObject => ({
  metadata: { name: 'o', annotations },
  spec,
  status,
});

test('a conflict caused by a spec or unrelated edit leaves what we write untouched: it may be retried', () => {
  const wanted = emptyPatch();
  wanted.status.seen = 1;
  wanted.conditions.push({ type: 'Ready', status: 'True', reason: 'R', message: '' });
  wanted.metadata.annotations['x/last'] = 'sha256:1';
  const base = object({ other: 'a' }, { 'x/last': 'sha256:0' });
  const fresh = object({ other: 'b' }, { 'x/last': 'sha256:0', unrelated: 'yes' }, { n: 2 });
  expect(untouched(base, fresh, wanted)).toBe(true);
});

test('another writer`s status field, condition or record makes the conflict final', () => {
  const wanted = emptyPatch();
  wanted.status.seen = 1;
  expect(untouched(object({}), object({ seen: 'theirs' }), wanted)).toBe(false);
  const conditions = emptyPatch();
  conditions.conditions.push({ type: 'Ready', status: 'True', reason: 'R', message: '' });
  const theirs = { conditions: [{ type: 'Ready', status: 'False', reason: 'X', message: '' }] };
  expect(untouched(object({}), object(theirs), conditions)).toBe(false);
  const record = emptyPatch();
  record.metadata.annotations['x/last'] = 'sha256:1';
  expect(untouched(object({}, { 'x/last': 'sha256:0' }), object({}, { 'x/last': 'sha256:9' }), record)).toBe(
    false,
  );
});
