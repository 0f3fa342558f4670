import { sleep } from '../time/clock.js';
import { ManualClock } from './manual-clock.js';

test('advance fires the timers due on the way, in time order, each at its own time', async () => {
  const clock = new ManualClock(1_000);
  const fired: [string, number][] = [];
  clock.setTimer(300, () => fired.push(['c', clock.now()]));
  clock.setTimer(100, () => fired.push(['a', clock.now()]));
  clock.setTimer(100, () => fired.push(['b', clock.now()])); // same time: in the order set
  clock.setTimer(5_000, () => fired.push(['late', clock.now()]));
  await clock.advance(299);
  expect(fired).toEqual([
    ['a', 1_100],
    ['b', 1_100],
  ]);
  expect(clock.now()).toBe(1_299);
  await clock.advance(1);
  expect(fired.map(([name]) => name)).toEqual(['a', 'b', 'c']);
  expect(clock.pendingTimers).toBe(1);
  expect(clock.nextTimerInMs).toBe(4_700);
});

test('a timer set by a callback (after promise callbacks ran) fires in the same advance when due', async () => {
  const clock = new ManualClock(0);
  const fired: number[] = [];
  const again = () => {
    fired.push(clock.now());
    // Re-armed from a promise callback, as a work queue's requeue is after a run.
    void Promise.resolve().then(() => clock.setTimer(1_000, again));
  };
  clock.setTimer(1_000, again);
  await clock.advance(3_500);
  expect(fired).toEqual([1_000, 2_000, 3_000]);
});

test('a cancelled timer does not fire', async () => {
  const clock = new ManualClock(0);
  let fired = false;
  const cancel = clock.setTimer(10, () => (fired = true));
  cancel();
  await clock.advance(100);
  expect(fired).toBe(false);
});

test('sleep on the clock resolves when time is advanced past it, or when aborted', async () => {
  const clock = new ManualClock(0);
  let woke = false;
  const slept = sleep(clock, 60_000).then(() => (woke = true));
  await clock.advance(59_999);
  expect(woke).toBe(false);
  await clock.advance(1);
  await slept;
  expect(woke).toBe(true);
  const abort = new AbortController();
  const aborted = sleep(clock, 60_000, abort.signal);
  abort.abort();
  await aborted;
  expect(clock.pendingTimers).toBe(0);
});

test('a timer with no delay (or one already past) fires at once, without an advance', async () => {
  const clock = new ManualClock(0);
  const fired: string[] = [];
  clock.setTimer(0, () => fired.push('zero'));
  clock.setTimer(-5, () => fired.push('past'));
  clock.setTimer(1, () => fired.push('later'));
  await new Promise((resolve) => setImmediate(resolve));
  expect(fired).toEqual(['zero', 'past']);
  expect(clock.now()).toBe(0);
});

test('advance refuses to go back in time', async () => {
  await expect(new ManualClock(0).advance(-1)).rejects.toThrow(/0 ms or more/);
});
