import { ManualClock } from '../testing/manual-clock.js';
import { resync$ } from './resync.js';

test('every period, each key comes once, spread over the period', async () => {
  const clock = new ManualClock(0);
  const seen: [string, number][] = [];
  const subscription = resync$(() => ['a', 'b', 'c', 'd'], 60, clock).subscribe((key) =>
    seen.push([key, clock.now()]),
  );
  await clock.advance(59_999);
  expect(seen).toEqual([]);
  await clock.advance(60_001);
  expect(seen).toEqual([
    ['a', 60_000],
    ['b', 75_000],
    ['c', 90_000],
    ['d', 105_000],
    ['a', 120_000],
  ]);
  subscription.unsubscribe();
  await clock.advance(600_000);
  expect(seen).toHaveLength(5);
  expect(clock.pendingTimers).toBe(0);
});
