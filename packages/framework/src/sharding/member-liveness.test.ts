import { isLive, liveMembers, nextExpiry, observe } from './member-liveness.js';

const spec = (holder: string | null, renewTime: string) => ({
  holderIdentity: holder,
  renewTime,
  leaseTransitions: 0,
  leaseDurationSeconds: 15,
});

test('a Lease lives leaseDuration from when the observer saw it change, not from its renewTime', () => {
  // renewTime written by a node whose clock is an hour behind: irrelevant.
  const seen = observe(undefined, spec('a', '2020-01-01T00:00:00.000000Z'), 100_000);
  expect(isLive(seen, 100_000 + 15_000)).toBe(true);
  expect(isLive(seen, 100_000 + 15_001)).toBe(false);
});

test('seeing the same record again does not extend it; a renewal does', () => {
  const first = observe(undefined, spec('a', 't1'), 0);
  const same = observe(first, spec('a', 't1'), 10_000);
  expect(same.observedAt).toBe(0);
  const renewed = observe(same, spec('a', 't2'), 10_000);
  expect(isLive(renewed, 20_000)).toBe(true);
  expect(isLive(same, 20_000)).toBe(false);
});

test('a released Lease is gone at once', () => {
  expect(isLive(observe(undefined, spec(null, 't1'), 0), 0)).toBe(false);
});

test('live members and when the next one would expire', () => {
  const leases = new Map([
    ['a', observe(undefined, spec('a', 't'), 0)],
    ['b', observe(undefined, spec('b', 't'), 5000)],
    ['c', observe(undefined, spec(null, 't'), 5000)],
  ]);
  expect(liveMembers(leases, 10_000)).toEqual(['a', 'b']);
  expect(nextExpiry(leases, 10_000)).toBe(15_001);
  expect(liveMembers(leases, 16_000)).toEqual(['b']);
  expect(nextExpiry(leases, 16_000)).toBe(20_001);
});
