import { shardIdOf, shardNames } from './shard-names.js';

const validLabelValue = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

test('a pod name is its own shard id', () => {
  expect(shardIdOf('koji-operator-7d9c8b-x2x4q')).toBe('koji-operator-7d9c8b-x2x4q');
});

test('other identities become valid, distinct label values and DNS labels', () => {
  const ids = ['Host_1.example', 'host-1-example', 'x'.repeat(80), `${'x'.repeat(80)}y`, '-a-', 'A'];
  const made = ids.map(shardIdOf);
  for (const id of made) expect(id).toMatch(validLabelValue);
  expect(new Set(made).size).toBe(ids.length);
});

test('an identity with nothing to name it by is refused', () => {
  expect(() => shardIdOf('__')).toThrow(/no letter or digit/);
});

test('labels and Leases are named after the operator and storage prefix', () => {
  const names = shardNames('koji-operator', 'operators.fedoraproject.org');
  expect(names.shardLabel).toBe('shard.operators.fedoraproject.org/koji-operator');
  expect(names.drainLabel).toBe('drain.operators.fedoraproject.org/koji-operator');
  expect(names.selectorFor('pod-a')).toBe('shard.operators.fedoraproject.org/koji-operator=pod-a');
  expect(names.memberLease('pod-a')).toBe('koji-operator-shard-pod-a');
  expect(names.sharderLease).toBe('koji-operator-sharder');
});
