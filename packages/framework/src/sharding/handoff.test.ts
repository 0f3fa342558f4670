import { ownerAction, sharderAction, type SharderView } from './handoff.js';
import type { ObservedLease } from './member-liveness.js';

const lease = (holder: string, observedAt: number, durationMs = 15_000): ObservedLease => ({
  holder,
  record: `${holder}@${observedAt}`,
  durationMs,
  observedAt,
});
const leases = new Map([
  ['a', lease('a', 1000)],
  ['b', lease('b', 1000)],
]);
const view = (labels: Partial<SharderView['labels']>, over: Partial<SharderView> = {}): SharderView => ({
  labels: { shard: undefined, drain: undefined, ...labels },
  desired: 'b',
  leases,
  now: 5000,
  settled: true,
  ...over,
});

describe('the sharder', () => {
  test('assigns an unassigned object to its ring owner', () => {
    expect(sharderAction(view({}))).toEqual({ kind: 'assign', to: 'b' });
  });

  test('leaves an object with its ring owner alone', () => {
    expect(sharderAction(view({ shard: 'b' }))).toEqual({ kind: 'none' });
  });

  test('asks a live owner that is no longer the ring owner to drain, and does not move it yet', () => {
    expect(sharderAction(view({ shard: 'a' }))).toEqual({ kind: 'drain', owner: 'a', to: 'b' });
  });

  test('waits while a live owner drains, even if the ring changed back', () => {
    expect(sharderAction(view({ shard: 'a', drain: 'a' }))).toEqual({ kind: 'wait-drain', owner: 'a' });
    expect(sharderAction(view({ shard: 'a', drain: 'a' }, { desired: 'a' }))).toEqual({
      kind: 'wait-drain',
      owner: 'a',
    });
  });

  test('assigns again once the owner acknowledged (both labels gone)', () => {
    expect(sharderAction(view({}))).toEqual({ kind: 'assign', to: 'b' });
  });

  test("moves at once when the owner's Lease expired, draining or not", () => {
    const later = { now: 1000 + 15_001 };
    const fresh = new Map([...leases, ['b', lease('b', 10_000)]]);
    expect(sharderAction(view({ shard: 'a' }, { ...later, leases: fresh }))).toEqual({
      kind: 'move',
      from: 'a',
      to: 'b',
    });
    expect(sharderAction(view({ shard: 'a', drain: 'a' }, { ...later, leases: fresh }))).toEqual({
      kind: 'move',
      from: 'a',
      to: 'b',
    });
  });

  test('an owner whose Lease is exactly leaseDuration old is still alive', () => {
    expect(sharderAction(view({ shard: 'a' }, { now: 1000 + 15_000, desired: 'a' }))).toEqual({
      kind: 'none',
    });
  });

  test('a released Lease (no holder) is gone at once', () => {
    const released = new Map([...leases, ['a', { ...lease('a', 4000), holder: undefined }]]);
    expect(sharderAction(view({ shard: 'a' }, { leases: released }))).toEqual({
      kind: 'move',
      from: 'a',
      to: 'b',
    });
  });

  test('an owner the sharder never saw a Lease of is gone', () => {
    expect(sharderAction(view({ shard: 'z' }))).toEqual({ kind: 'move', from: 'z', to: 'b' });
  });

  test('does nothing before it settled or without live members', () => {
    expect(sharderAction(view({}, { settled: false }))).toEqual({ kind: 'none' });
    expect(sharderAction(view({ shard: 'a' }, { settled: false }))).toEqual({ kind: 'none' });
    expect(sharderAction(view({}, { desired: undefined }))).toEqual({ kind: 'none' });
  });
});

describe('the owner', () => {
  test('runs what is labelled for it and not being drained', () => {
    expect(ownerAction({ shard: 'a', drain: undefined }, 'a')).toBe('run');
  });
  test('drains what it is asked to drain', () => {
    expect(ownerAction({ shard: 'a', drain: 'a' }, 'a')).toBe('drain');
  });
  test('skips what is not labelled for it (its cache can lag the label)', () => {
    expect(ownerAction({ shard: 'b', drain: undefined }, 'a')).toBe('skip');
    expect(ownerAction({ shard: undefined, drain: undefined }, 'a')).toBe('skip');
  });
});
