import { SyncGate } from './sync-gate.js';

test('a namespace is ready once its own caches and every cluster-wide one are synced', () => {
  const gate = new SyncGate();
  gate.wait('primary a', 'widgets.example.com', 'a');
  gate.wait('primary b', 'widgets.example.com', 'b');
  gate.wait('nodes', 'nodes.core', undefined);
  expect(gate.readyFor('a')).toBe(false);
  expect(gate.synced('nodes')).toBe(false);
  expect(gate.synced('primary a')).toBe(false);
  expect(gate.readyFor('a')).toBe(true);
  // b never syncs (forbidden): a is served, b and cluster-scoped objects wait.
  expect(gate.readyFor('b')).toBe(false);
  expect(gate.readyFor(undefined)).toBe(false);
  expect(gate.pending).toEqual(['widgets.example.com in b']);
  expect(gate.synced('primary b')).toBe(true);
  expect(gate.readyFor(undefined)).toBe(true);
  expect(gate.synced('primary b')).toBe(false);
});
