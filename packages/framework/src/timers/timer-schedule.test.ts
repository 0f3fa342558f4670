import { nextTimerRunAt, type TimerState } from './timer-schedule.js';

const s = (over: Partial<TimerState>): TimerState => ({
  lastRunAt: undefined,
  firstSeenAt: 1000,
  createdAt: 0,
  changedAt: 0,
  ...over,
});

test('the first run waits for the initial delay (the interval by default)', () => {
  expect(nextTimerRunAt({ intervalSeconds: 60 }, s({}))).toBe(61_000);
  expect(nextTimerRunAt({ intervalSeconds: 60, initialDelaySeconds: 0 }, s({}))).toBe(1000);
  expect(nextTimerRunAt({ intervalSeconds: 60, initialDelaySeconds: 5 }, s({}))).toBe(6000);
});

test('later runs follow the stored last run, so a restart keeps the interval', () => {
  expect(nextTimerRunAt({ intervalSeconds: 60 }, s({ lastRunAt: 50_000, firstSeenAt: 90_000 }))).toBe(
    110_000,
  );
});

test('sharp timers align to whole intervals since creation', () => {
  expect(
    nextTimerRunAt({ intervalSeconds: 10, sharp: true }, s({ createdAt: 3000, lastRunAt: 14_500 })),
  ).toBe(23_000);
});

test('idle timers wait until the object has not changed for idleSeconds', () => {
  expect(nextTimerRunAt({ intervalSeconds: 10, idleSeconds: 30 }, s({ lastRunAt: 0, changedAt: 5000 }))).toBe(
    35_000,
  );
});
